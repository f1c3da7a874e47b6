import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DROVER_BIN, STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";
import { testPublicKey } from "../support/keys.ts";

/**
 * The person's app and the project's files doing what they should not: drover says what, where
 * and the fix (exit 2, or 3 for the machine's own trouble), never a stack trace, never silence,
 * and never deletes what it did not write.
 */
const key = testPublicKey("cli@test");
const HEAD = `import { App } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
const app = new App();
const stack = new DroverStack(app, "lab", { cloud: jetstream2(), owner: "cli@test" });
new VirtualMachine(stack, "box", { size: "m3.small", allowSshFrom: ["203.0.113.0/24"], publicKey: ${JSON.stringify(key)} });
`;
const app = (middle: string) => `${HEAD}${middle}\napp.synth();\n`;

function noTrace(r: { stdout: string; stderr: string }): void {
  expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
  expect(r.stdout).not.toMatch(STACK_TRACE_LINE);
}

describe("an app that misbehaves is reported with its line, never a crash or silence", () => {
  it.each([
    ["a rejected promise nothing awaits", 'Promise.reject(new Error("lost"));', "Error: main.ts left a promise rejected that nothing awaited: lost", "at main.ts:6:16"],
    [
      "a throw in a timer",
      'setTimeout(() => { throw new Error("late"); }, 0);\nawait new Promise((r) => setTimeout(r, 100));',
      "Error: main.ts threw outside its top-level code (in a timer or a callback): late",
      "at main.ts:6:26",
    ],
    ["process.exit()", "process.exit(0);", "Error: main.ts called process.exit(0) while building its stacks, which would end drover without a word", "at main.ts:6:9"],
    [
      "an await nothing can settle",
      "await new Promise(() => undefined);",
      "Error: main.ts never finished building its stacks: its top-level code awaits a promise that nothing will ever settle",
      "Look for an await",
    ],
  ])("GIVEN %s WHEN synthesized THEN exit 2 with the app's line and the fix", (_, middle, message, where) => {
    const dir = makeProject({ "main.ts": app(middle) });
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(where);
    noTrace(r);
    expect(existsSync(join(dir, "cdktf.out/stacks/lab"))).toBe(false);
  });

  it("GIVEN an app that hangs THEN drover says what it waits for after a few seconds, and --timeout ends the wait (exit 2)", () => {
    const dir = makeProject({ "main.ts": app("await new Promise((r) => setTimeout(r, 600_000));") });
    const started = Date.now();
    const r = drover(dir, ["synth", "--timeout", "3s"], { DROVER_APP_NOTICE_MS: "1000" });
    expect(r.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.stderr).toMatch(/drover: still waiting for main\.ts to finish building its stacks \(\d+ s\): its top-level code has not returned\./);
    expect(r.stderr).toContain("Error: main.ts did not finish building its stacks within 3s (--timeout)");
    noTrace(r);
    expect(drover(dir, ["synth", "--timeout", "soon"]).stderr).toContain('Error: --timeout "soon" is not a duration');
  });

  it("GIVEN an app's timer left running after it built its stacks THEN drover still ends when its work is done", () => {
    const dir = makeProject({ "main.ts": app("setInterval(() => undefined, 1000);") });
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(0);
  });
});

describe("the output directory: nothing drover did not write is deleted, nothing breaks it", () => {
  it('GIVEN "output": "." WHEN synthesized twice and a stack removed THEN the stacks/*.ts files are untouched', () => {
    const two = (names: string[]) => `import { App } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
import { note } from "./stacks/note.ts";
const app = new App();
for (const name of ${JSON.stringify(names)}) {
  const stack = new DroverStack(app, name, { cloud: jetstream2(), owner: note });
  new VirtualMachine(stack, "box", { size: "m3.small" });
}
app.synth();
`;
    const dir = makeProject({ "stacks/note.ts": 'export const note = "cli@test";\n', "stacks/README.md": "mine\n", "main.ts": two(["alpha", "beta"]) });
    writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ app: "npx tsx main.ts", output: "." }));
    for (let i = 0; i < 2; i++) expect(drover(dir, ["synth"]).code).toBe(0);
    writeFileSync(join(dir, "main.ts"), two(["alpha"]));
    expect(drover(dir, ["synth"]).code).toBe(0);
    expect(readdirSync(join(dir, "stacks")).sort()).toEqual(["README.md", "alpha", "note.ts"]);
    expect(readFileSync(join(dir, "stacks/note.ts"), "utf8")).toBe('export const note = "cli@test";\n');
  });

  it("GIVEN a stack named like a directory of the project THEN synth refuses to replace what drover did not write", () => {
    const dir = makeProject({ "main.ts": app(""), "stacks/lab/keep.txt": "mine\n" });
    writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ app: "npx tsx main.ts", output: "." }));
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error: stacks/lab exists and holds no synthesized stack: drover will not replace it");
    expect(readFileSync(join(dir, "stacks/lab/keep.txt"), "utf8")).toBe("mine\n");
  });

  it.each(["..", "."])("GIVEN a stack named %j THEN synth refuses it and the previous output stays", (name) => {
    const dir = makeProject({ "main.ts": app("") });
    expect(drover(dir, ["synth"]).code).toBe(0);
    writeFileSync(
      join(dir, "main.ts"),
      `import { App, TerraformStack, DataResource } from "cdktf";\nconst app = new App();\nnew DataResource(new TerraformStack(app, ${JSON.stringify(name)}), "x", { input: 1 });\napp.synth();\n`,
    );
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Error: stack "${name}" cannot have a directory of its own in cdktf.out/stacks`);
    noTrace(r);
    expect(existsSync(join(dir, "cdktf.out/stacks/lab/cdk.tf.json"))).toBe(true);
  });

  it.each([
    ["a file", (dir: string) => writeFileSync(join(dir, "cdktf.out"), "x"), "cdktf.out", "Error: could not write the output directory cdktf.out: a file stands where a directory must be"],
    ["under /proc", () => undefined, "/proc/drover-out", "Error: could not write the output directory /proc/drover-out: its directory cannot be created there"],
  ])("GIVEN an output directory that is %s THEN exit 2 naming it and the fix", (_, setup, output, message) => {
    const dir = makeProject({ "main.ts": app("") });
    writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ app: "npx tsx main.ts", output }));
    setup(dir);
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(`Set "output" in cdktf.json (now "${output}") to a directory drover may write`);
    noTrace(r);
  });

  const canMount = spawnSync("unshare", ["-m", "--propagation", "private", "true"]).status === 0;
  if (!canMount) console.log("skipped: read-only and full-disk output need unshare -m (root or user namespaces)");
  it.runIf(canMount)("GIVEN a read-only output directory, or a full disk THEN drover names it (exit 2, exit 3), and no trace", () => {
    const dir = makeProject({ "main.ts": app("") });
    mkdirSync(join(dir, "cdktf.out"));
    const inNamespace = (mount: string) =>
      spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", `${mount} && exec "$0" "$1" synth`, process.execPath, DROVER_BIN], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
    const out = join(dir, "cdktf.out");
    const ro = inNamespace(`mount --bind ${out} ${out} && mount -o remount,bind,ro ${out}`);
    expect(ro.status).toBe(2);
    expect(ro.stderr).toContain("Error: could not write the output directory cdktf.out: it is on a read-only file system");
    const full = inNamespace(`mount -t tmpfs -o size=16k tmpfs ${out}`);
    expect(full.status).toBe(3);
    expect(full.stderr).toContain("Error: could not write the synthesized stacks in cdktf.out: the disk is full");
    expect(full.stderr).not.toContain("main.ts failed");
    for (const r of [ro, full]) expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
  });

  it("GIVEN three drover synth at once in one project THEN all succeed and the output is whole", async () => {
    // The examples: enough files that the runs' moves overlap (they failed with ENOTEMPTY, exit 70).
    const dir = makeProject({}, { copyExamples: true });
    const runs = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, [DROVER_BIN, "synth"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
            let stderr = "";
            child.stderr.on("data", (d) => (stderr += d));
            child.on("exit", (code) => resolve({ code, stderr }));
          }),
      ),
    );
    expect(runs.map((r) => [r.code, r.stderr])).toEqual([
      [0, ""],
      [0, ""],
      [0, ""],
    ]);
    for (const stack of ["dev-vm", "science-gateway", "virtual-slurm", "workshop-jupyterhub"]) {
      expect(JSON.parse(readFileSync(join(dir, `cdktf.out/stacks/${stack}/cdk.tf.json`), "utf8")).resource).toBeDefined();
    }
    expect(readdirSync(join(dir, "cdktf.out")).filter((f) => f.startsWith(".staging") || f.startsWith(".drover-synth"))).toEqual([]);
  });
});

describe("the command line itself", () => {
  it("GIVEN -C a directory that does not exist THEN it says so (exit 2)", () => {
    const r = drover(makeProject({}), ["-C", "/nonexistent/project", "synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error: the directory /nonexistent/project does not exist");
  });

  it('GIVEN "app": 42 in cdktf.json THEN it says the value must be text, not that it is missing', () => {
    const dir = makeProject({});
    writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ app: 42 }));
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('  app: 42 must be text: the command that runs the app, e.g. "npx tsx main.ts"');
  });

  it("GIVEN a reader that stops early (plan --json | head -c 100) THEN no EPIPE trace", () => {
    const dir = makeProject({}, { copyExamples: true });
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${DROVER_BIN}" plan --offline --json | head -c 100 >/dev/null; echo "drover exit $?"`], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(r.stderr).not.toContain("EPIPE");
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(r.stdout).toContain("drover exit 0");
  });

  it("GIVEN a description with terminal control characters THEN the stack refuses it, and drover list never writes them raw", () => {
    const dir = makeProject({
      "main.ts": `import { App } from "cdktf";\nimport { DroverStack, jetstream2 } from "./constructs/index.ts";\nconst app = new App();\nnew DroverStack(app, "lab", { cloud: jetstream2(), owner: "a", description: "x\\u001b]0;pwned\\u0007\\u001b[2J" });\napp.synth();\n`,
    });
    const r = drover(dir, ["list"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Error: lab: 'description' "x\\u001b]0;pwned\\u0007\\u001b[2J" holds a line break or control character: write one line of plain text`);
    expect(r.stderr).not.toContain("\u001b");
  });
});

describe("where a prop problem points", () => {
  it("GIVEN a bad prop THEN the message points at the line of main.ts that made the construct, never at constructs/", () => {
    const dir = makeProject({ "main.ts": app('new VirtualMachine(stack, "other", { size: "m3.small", image: 42 } as never);') });
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`Error: lab/other: 'image' 42: must be an image name, e.g. "Featured-Ubuntu24"\n  at main.ts:6:1\n`);
  });
});
