import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeProject } from "../support/project.ts";
import { onTerminal, plain } from "../support/terminal.ts";
import { hasTool } from "../support/tools.ts";

/**
 * drover on a terminal: `script` (util-linux) gives it a pseudo-terminal, so it shows the live
 * status line and asks its questions, which a person answers by typing.
 */
const APP = `import { App, TerraformStack, DataResource } from "cdktf";
const app = new App();
const stack = new TerraformStack(app, "demo");
new DataResource(stack, "quick", { input: { n: 1 } });
new DataResource(stack, "slow", { input: { n: 2 }, provisioners: [{ type: "local-exec", command: "sleep 3" }] });
app.synth();
`;

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install") && hasTool("script", "apt-get install bsdutils"))("drover on a terminal", () => {
  it("asks y/N before applying, shows a live status line and colours, and applies on yes", async () => {
    const dir = makeProject({ "main.ts": APP });
    const r = await onTerminal(dir, ["deploy", "demo"], [[/\[y\/N\]/, "y"]]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\x1b\[\d+m/); // colour on a terminal
    const text = plain(r.out);
    expect(text).toContain("Apply these changes to demo in no cloud account (Terraform built-ins only); state in terraform.demo.tfstate (local)? [y/N]");
    expect(text).toMatch(/Applying: \d of 2 done · creating demo\/slow \(\ds\)/);
    expect(text).toMatch(/✔ demo\/slow created \(\ds\) \[2\/2\]/);
    expect(text).toMatch(/✔ demo deployed in \d+\.\d s: 2 created/);
  });

  it("does nothing when the answer is not yes", async () => {
    const dir = makeProject({ "main.ts": APP });
    const r = await onTerminal(dir, ["deploy", "demo"], [[/\[y\/N\]/, "n"]]);
    expect(r.code).toBe(1);
    expect(plain(r.out)).toContain("demo: not applied; nothing changed.");
    expect(existsSync(join(dir, "terraform.demo.tfstate"))).toBe(false);
  });

  it("destroys only when the stack name is typed exactly", async () => {
    const dir = makeProject({ "main.ts": APP });
    expect((await onTerminal(dir, ["deploy", "demo", "--yes"])).code).toBe(0);
    const wrong = await onTerminal(dir, ["destroy", "demo"], [[/Type the stack name to confirm: /, "y"]]);
    expect(wrong.code).toBe(1);
    expect(plain(wrong.out)).toContain("demo: not destroyed; nothing changed.");
    expect(JSON.parse(readFileSync(join(dir, "terraform.demo.tfstate"), "utf8")).resources).toHaveLength(2);
    const right = await onTerminal(dir, ["destroy", "demo"], [[/Type the stack name to confirm: /, "demo"]]);
    expect(right.code).toBe(0);
    expect(plain(right.out)).toMatch(/Destroy every resource of demo in no cloud account .*\nType the stack name to confirm: demo/);
    expect(JSON.parse(readFileSync(join(dir, "terraform.demo.tfstate"), "utf8")).resources).toEqual([]);
  });
});
