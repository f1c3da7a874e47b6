import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { drover, makeProject } from "../support/project.ts";
import { hasTool } from "../support/tools.ts";
import { testPublicKey } from "../support/keys.ts";

const app = (size: string, stack = "lab") => `import { App } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
const app = new App();
const stack = new DroverStack(app, "${stack}", { cloud: jetstream2(), owner: "pi" });
new VirtualMachine(stack, "box", { size: "${size}", allowSshFrom: ["203.0.113.0/24"], publicKey: ${JSON.stringify(testPublicKey())} });
app.synth();
`;

function repo(): string {
  const dir = makeProject({ "main.ts": app("m3.small"), ".gitignore": "cdktf.out/\n.drover/\n" });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("-c", "user.email=t@t", "-c", "user.name=t", "add", "-A");
  git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "first");
  return dir;
}

describe.runIf(hasTool("git", "apt-get install git"))("drover plan --offline --against <git-ref>", () => {
  it("compares with the stack as it was at the commit", () => {
    const dir = repo();
    writeFileSync(join(dir, "main.ts"), app("m3.quad"));
    const r = drover(dir, ["plan", "--offline", "--against", "HEAD", "--verbose"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Plan for lab \(offline, against HEAD \([0-9a-f]{10}\)\): 1 to update$/m);
    expect(r.stdout).toContain('flavor_name: "m3.small" → "m3.quad"');
    expect(execFileSync("git", ["worktree", "list"], { cwd: dir, encoding: "utf8" }).trim().split("\n")).toHaveLength(1);
  });

  it("shows everything as new when the stack did not exist at the ref", () => {
    const dir = repo();
    writeFileSync(join(dir, "main.ts"), app("m3.small", "other"));
    const r = drover(dir, ["plan", "other", "--offline", "--against", "HEAD"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Plan for other \(offline, against HEAD \([0-9a-f]{10}\), where the stack did not exist\): 10 to create, 1 to read$/m);
  });

  it("names a ref that does not exist (exit 2)", () => {
    const dir = repo();
    const r = drover(dir, ["plan", "--offline", "--against", "no-such-branch"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`Error: --against no-such-branch: no such commit, branch or tag in ${dir}\n`);
  });

  it("says when the project is not in a git repository (exit 2)", () => {
    const dir = makeProject({ "main.ts": app("m3.small") });
    const r = drover(dir, ["plan", "--offline", "--against", "HEAD"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`Error: --against needs a git repository, and ${dir} is not in one\n`);
  });
});
