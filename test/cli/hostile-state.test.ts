import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DROVER_BIN, STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";
import { terraformEnv } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";

/**
 * State, records and signals: what drover keeps under .drover/, terraform's state and its
 * failures, and a terminal that goes away during a deploy. Driven through the real CLI and the
 * real terraform on stacks of terraform_data (no provider download).
 */
const APP = `import { App, TerraformStack, DataResource } from "cdktf";
const app = new App();
const stack = new TerraformStack(app, "demo");
new DataResource(stack, "quick", { input: { n: 1 } });
new DataResource(stack, "slow", { input: { n: 2 }, provisioners: [{ type: "local-exec", command: "sleep 6" }] });
app.synth();
`;
const QUICK = APP.replace(/\nnew DataResource\(stack, "slow"[^\n]*/, "");

const env = () => terraformEnv() as Record<string, string>;
const run = (dir: string, args: string[], extra: Record<string, string> = {}) => drover(dir, args, { ...env(), ...extra });

function clean(r: { stdout: string; stderr: string }): void {
  expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
  expect(r.stdout).not.toMatch(STACK_TRACE_LINE);
}

describe("drover's own records, damaged", () => {
  it("GIVEN a damaged .drover/deployed/<stack>/cdk.tf.json THEN plan names the file and the way out (exit 2)", () => {
    const dir = makeProject({ "main.ts": QUICK });
    mkdirSync(join(dir, ".drover/deployed/demo"), { recursive: true });
    writeFileSync(join(dir, ".drover/deployed/demo/cdk.tf.json"), '{"resource": ');
    const r = run(dir, ["plan", "--offline", "demo"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: \.drover\/deployed\/demo\/cdk\.tf\.json, drover's record of demo's last deploy, is damaged: /);
    expect(r.stderr).toContain("Delete .drover/deployed/demo/: the next successful deploy records it again");
    clean(r);
  });

  it.each([
    ["not JSON", "{ shelved", "cannot be read: "],
    ["JSON but not a mark", "null", 'holds null instead of { "state": "shelved_offloaded", "since": ... }'],
  ])("GIVEN a .drover/power/<stack>.json that is %s THEN synth names the file and the fix (exit 2)", (_, text, says) => {
    const dir = makeProject({
      "main.ts": `import { App } from "cdktf";\nimport { DroverStack, jetstream2 } from "./constructs/index.ts";\nconst app = new App();\nnew DroverStack(app, "lab", { cloud: jetstream2(), owner: "a" });\napp.synth();\n`,
    });
    mkdirSync(join(dir, ".drover/power"), { recursive: true });
    writeFileSync(join(dir, ".drover/power/lab.json"), text);
    const r = run(dir, ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Error: .drover/power/lab.json, the mark drover shelve leaves, ${says}`);
    expect(r.stderr).toContain("Delete it to run lab's machines as its code says");
    clean(r);
  });
});

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("terraform's failures and stacks never deployed", () => {
  it("GIVEN a provider terraform cannot reach THEN init's reasons are shown, the cause included (exit 3)", () => {
    const dir = makeProject({ "main.ts": QUICK.replace("new DataResource", 'stack.addOverride("terraform.required_providers.nothere", { source: "example.invalid/x/nothere" });\nnew DataResource') });
    const r = run(dir, ["plan", "demo"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("Error: terraform init failed for demo");
    expect(r.stderr).toMatch(
      /Failed to query available provider packages: Could not retrieve the list of available versions for provider example\.invalid\/x\/nothere: could not connect to example\.invalid/,
    );
    clean(r);
  });

  it("GIVEN a damaged state file THEN both of terraform's reasons are shown, with where to restore it from (exit 3)", () => {
    const dir = makeProject({ "main.ts": QUICK });
    writeFileSync(join(dir, "terraform.demo.tfstate"), '{"version": 4, "serial": "x", "lineage": 5');
    const r = run(dir, ["plan", "demo"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("Unsupported state file format: The state file could not be parsed as JSON");
    expect(r.stderr).toContain('Unsupported state file format: The state file does not have a "version" attribute');
    expect(r.stderr).toContain("Terraform could not read the stack's state; drover changed nothing.");
    clean(r);
  });

  it.each([
    ["output", ["output", "demo"], "read outputs from"],
    ["unlock", ["unlock", "demo", "0b2c4d6e-0000-0000-0000-000000000000"], "unlock"],
    ["shelve", ["shelve", "demo", "--yes"], "shelve"],
  ])("GIVEN a stack never deployed WHEN %s THEN it says so, runs no terraform and deploys nothing (exit 2)", (_, args, doing) => {
    const dir = makeProject({ "main.ts": QUICK });
    expect(run(dir, ["synth"]).code).toBe(0);
    const r = run(dir, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`Error: stack demo is not deployed (no state at terraform.demo.tfstate): there is nothing to ${doing}\n  Deploy it first: drover deploy demo\n`);
    expect(existsSync(join(dir, "cdktf.out/stacks/demo/.terraform"))).toBe(false);
    expect(existsSync(join(dir, "terraform.demo.tfstate"))).toBe(false);
    expect(existsSync(join(dir, ".drover/power/demo.json"))).toBe(false);
  });

  it("GIVEN a failing command whose output holds a secret from the environment THEN drover prints it masked", () => {
    const dir = makeProject({
      "main.ts": `import { App, TerraformStack, TerraformVariable, DataResource } from "cdktf";
const app = new App();
const stack = new TerraformStack(app, "demo");
const token = new TerraformVariable(stack, "api_token", { type: "string", sensitive: true });
new DataResource(stack, "step", { input: 1, provisioners: [{ type: "local-exec", command: "echo \\"token is $T\\" >&2; exit 1", environment: { T: token.stringValue } }] });
app.synth();
`,
    });
    const secret = "s3cr3t-T0ken-value";
    for (const args of [
      ["deploy", "demo", "--yes"],
      ["deploy", "demo", "--yes", "--json"],
    ]) {
      const r = run(dir, args, { TF_VAR_api_token: secret });
      expect(r.code).toBe(1);
      expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
      expect(`${r.stdout}${r.stderr}`).toContain("exit status 1");
    }
  });
});

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("a terminal that goes away during a deploy", () => {
  it("GIVEN the app's own timer throws while terraform applies THEN the apply finishes, and the error is reported with its line (exit 2)", () => {
    const dir = makeProject({ "main.ts": APP.replace("app.synth();", 'setTimeout(() => { throw new Error("late"); }, 2500);\napp.synth();') });
    const r = run(dir, ["deploy", "demo", "--yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error: the app threw after it built its stacks (in a timer or a callback): late");
    expect(r.stderr).toContain("at main.ts:6:26");
    expect(r.stdout).toMatch(/✔ demo deployed in/);
    clean(r);
  });

  it("GIVEN SIGHUP and a closed output pipe while a resource is being created THEN terraform is stopped cleanly and the resource is in the state", async () => {
    const dir = makeProject({ "main.ts": APP });
    const child = spawn(process.execPath, [DROVER_BIN, "deploy", "demo", "--yes"], { cwd: dir, env: { ...env(), NO_COLOR: "1" } });
    let err = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no provisioner started:\n${err}`)), 60_000);
      child.stderr.on("data", (d) => {
        err += d;
        if (err.includes("Executing")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // The terminal closes: the hang-up, and nobody reads drover's output any more.
    child.kill("SIGHUP");
    child.stdout.destroy();
    child.stderr.destroy();
    expect(await exited).toBe(130);
    const state = JSON.parse(readFileSync(join(dir, "terraform.demo.tfstate"), "utf8")) as { resources: Array<{ name: string }> };
    expect(state.resources.map((r) => r.name).sort()).toEqual(["quick", "slow"]);
    // Nothing is left holding the state.
    expect(existsSync(join(dir, ".terraform.demo.tfstate.lock.info"))).toBe(false);
  });
});
