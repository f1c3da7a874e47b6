import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DROVER_BIN, STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";
import { terraformEnv } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";

/**
 * A plain cdktf app of terraform_data resources (no provider download), driven by environment
 * variables so each step of a test can change it: V (an input), T (a replace trigger), SLEEP and
 * FAIL (the provisioner of "slow", which runs when RUN changes), STATEFUL (marks "db" as holding
 * data, or removes it) and VAULT (replaces "vault", which is protected with prevent_destroy).
 */
const APP = `import { App, TerraformStack, DataResource, TerraformOutput } from "cdktf";
import { markStateful } from "./constructs/stateful.ts";
const env = process.env;
const app = new App();
const stack = new TerraformStack(app, "demo");
const a = new DataResource(stack, "a", { input: { v: Number(env.V ?? 1) }, triggersReplace: { t: env.T ?? "x" } });
new DataResource(stack, "slow", {
  input: { n: 1 },
  triggersReplace: { run: env.RUN ?? "1" },
  provisioners: [{ type: "local-exec", command: env.FAIL ? "echo broken >&2; exit 3" : "sleep " + (env.SLEEP ?? "0") }],
});
if (env.STATEFUL !== "gone") markStateful(new DataResource(stack, "db", { input: { data: true } }));
new DataResource(stack, "vault", { input: { k: 1 }, triggersReplace: { k: env.VAULT ?? "1" }, lifecycle: { preventDestroy: env.DROVER_ALLOW_DESTROY !== "1" } });
new TerraformOutput(stack, "a_out", { value: a.output });
new TerraformOutput(stack, "secret", { value: "hunter2", sensitive: true });
app.synth();
`;

function project(): { dir: string; run: (args: string[], env?: Record<string, string>) => ReturnType<typeof drover> } {
  const dir = makeProject({ "main.ts": APP });
  const env = terraformEnv() as Record<string, string>;
  return { dir, run: (args, extra = {}) => drover(dir, args, { ...env, ...extra }) };
}

const state = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "terraform.demo.tfstate"), "utf8")) as { resources: Array<{ name: string; instances: Array<{ attributes: { input: { value: unknown } } }> }> };

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("drover plan / deploy / destroy with the real terraform", () => {
  it("runs the whole lifecycle: deploy, no changes, update, replace, destroy", () => {
    const { dir, run } = project();

    const first = run(["plan", "demo"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Plan for demo (terraform 1.");
    expect(first.stdout).toContain("4 to create");
    expect(first.stdout).toContain("target: no cloud account (Terraform built-ins only); state in terraform.demo.tfstate (local)");

    const deploy = run(["deploy", "demo", "--yes"]);
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toMatch(/^✔ demo deployed in \d+\.\d s: 4 created$/m);
    expect(deploy.stdout).toContain('a_out = {"v":1}\n  secret = (sensitive)');
    expect(deploy.stdout + deploy.stderr).not.toContain("hunter2");
    expect(deploy.stderr).toMatch(/✔ demo\/a created \(\d+s\) \[\d\/4\]/);
    expect(
      state(dir)
        .resources.map((r) => r.name)
        .sort(),
    ).toEqual(["a", "db", "slow", "vault"]);
    expect(existsSync(join(dir, ".drover/deployed/demo/cdk.tf.json"))).toBe(true);

    expect(run(["plan", "demo", "--detailed-exitcode"]).code).toBe(0);
    const offline = run(["plan", "demo", "--offline"]);
    expect(offline.stdout).toMatch(/^Plan for demo \(offline, against the last deploy \(.+\)\): no changes$/m);

    const update = run(["plan", "demo", "--detailed-exitcode", "--verbose"], { V: "2" });
    expect(update.code).toBe(2);
    expect(update.stdout).toMatch(/~ update\s+a\s+terraform_data\s+input\.v/);
    expect(update.stdout).toContain("input.v: 1 → 2");
    expect(run(["deploy", "--yes"], { V: "2" }).code).toBe(0);
    expect(state(dir).resources.find((r) => r.name === "a")!.instances[0]!.attributes.input.value).toEqual({ v: 2 });

    const replace = run(["plan", "demo", "--offline"], { V: "2", T: "y" });
    expect(replace.stdout).toMatch(/-\/\+ replace a\s+terraform_data\s+\(triggers_replace\.t forces replacement\)/);
    const replaced = run(["deploy", "demo", "--yes"], { V: "2", T: "y" });
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(/1 replaced/);

    const destroy = run(["destroy", "demo", "--yes", "--allow-destroy"], { V: "2", T: "y" });
    expect(destroy.code).toBe(0);
    expect(destroy.stdout).toMatch(/^✔ demo destroyed in \d+\.\d s: 4 deleted$/m);
    expect(state(dir).resources).toEqual([]);
    expect(existsSync(join(dir, ".drover/deployed/demo"))).toBe(false);
  });

  it("refuses to apply without --yes when there is no terminal, and applies nothing", () => {
    const { dir, run } = project();
    const r = run(["deploy", "demo"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error: deploy needs a confirmation, and there is no terminal to ask in\n  Review the plan (drover plan demo), then rerun with --yes.");
    expect(existsSync(join(dir, "terraform.demo.tfstate"))).toBe(false);
    expect(existsSync(join(dir, "cdktf.out/stacks/demo/.drover.tfplan"))).toBe(false);
  });

  it("prints the result as JSON with --json, sensitive outputs masked", () => {
    const { run } = project();
    const r = run(["deploy", "demo", "--yes", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ stack: "demo", outcome: "applied", failed: [], outputs: { a_out: { value: { v: 1 }, sensitive: false }, secret: { value: null, sensitive: true } } });
    expect(out.plan).toMatchObject({ format: "drover-plan/1", source: "terraform", summary: { create: 4 } });
    expect(r.stdout).not.toContain("hunter2");
  });

  it("reports a failed apply, keeps the baseline, and converges on the next run", () => {
    const { dir, run } = project();
    expect(run(["deploy", "--yes"]).code).toBe(0);
    const baseline = readFileSync(join(dir, ".drover/deployed/demo/cdk.tf.json"), "utf8");
    const failed = run(["deploy", "--yes"], { RUN: "2", FAIL: "1" });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("✖ demo: the apply failed for terraform_data.slow after");
    expect(failed.stdout).toContain("local-exec provisioner error");
    expect(failed.stderr).toMatch(/✖ demo\/slow: create failed after \d+s/);
    expect(failed.stdout + failed.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(readFileSync(join(dir, ".drover/deployed/demo/cdk.tf.json"), "utf8")).toBe(baseline);
    const again = run(["deploy", "--yes"], { RUN: "2" });
    expect(again.code).toBe(0);
    expect(run(["plan", "--detailed-exitcode"], { RUN: "2" }).code).toBe(0);
  });

  it("passes the first Ctrl-C to terraform, explains the second, exits 130 with state saved", async () => {
    const { dir } = project();
    // terraform, except that after an interrupt its apply takes two seconds to stop (like a
    // slow remote state write), then leaves a mark: drover must wait for it, not kill it.
    const wrapperDir = mkdtempSync(join(tmpdir(), "drover-slowstop-"));
    const wrapper = join(wrapperDir, "terraform");
    writeFileSync(
      wrapper,
      `#!/bin/sh
if [ "$1" = apply ]; then
  terraform "$@" &
  pid=$!
  trap 'kill -INT $pid; wait $pid; sleep 2; touch "${wrapperDir}/stopped-cleanly"; exit 1' INT
  wait $pid
  exit $?
fi
exec terraform "$@"
`,
    );
    chmodSync(wrapper, 0o755);
    const env = { ...terraformEnv(), NO_COLOR: "1", SLEEP: "30", RUN: "9" };
    const child = spawn(process.execPath, [DROVER_BIN, "deploy", "demo", "--yes", "--terraform-binary", wrapper], { cwd: dir, env });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    await new Promise<void>((resolve) =>
      child.stderr.on("data", (d) => {
        stderr += d;
        if (stderr.includes('Executing: ["/bin/sh" "-c" "sleep 30"]')) resolve();
      }),
    );
    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 500));
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toContain("Interrupted: terraform is stopping cleanly and saving its state; this can take a minute.");
    expect(stderr).toContain("terraform is still stopping and writing its state. drover will not kill it: that could lose track of resources.");
    expect(existsSync(join(wrapperDir, "stopped-cleanly"))).toBe(true);
    expect(stdout).toContain("Interrupted: terraform stopped cleanly and saved its state");
    expect(state(dir).resources.map((r) => r.name)).toContain("a");
    const again = drover(dir, ["deploy", "demo", "--yes"], { ...env, SLEEP: "0" });
    expect(again.code).toBe(0);
    expect(drover(dir, ["plan", "demo", "--detailed-exitcode"], { ...env, SLEEP: "0" }).code).toBe(0);
  });

  it("asks for --allow-destroy before deleting a resource that holds data", () => {
    const { dir, run } = project();
    expect(run(["deploy", "--yes"]).code).toBe(0);
    const refused = run(["deploy", "--yes"], { STATEFUL: "gone" });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Error: this change to demo would destroy data: demo/db (terraform_data, delete)");
    expect(refused.stderr).toContain("rerun with --allow-destroy: drover deploy demo --allow-destroy");
    expect(state(dir).resources.map((r) => r.name)).toContain("db");
    expect(run(["deploy", "--yes", "--allow-destroy"], { STATEFUL: "gone" }).code).toBe(0);
    expect(state(dir).resources.map((r) => r.name)).not.toContain("db");
  });

  it("refuses to destroy a stack holding data without --allow-destroy", () => {
    const { dir, run } = project();
    expect(run(["deploy", "--yes"]).code).toBe(0);
    const refused = run(["destroy", "demo", "--yes"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Error: destroying demo would delete data in demo/db (terraform_data, delete)");
    expect(state(dir).resources).toHaveLength(4);
  });

  it("explains prevent_destroy protection (on a replacement) and lifts it with --allow-destroy", () => {
    const { dir, run } = project();
    expect(run(["deploy", "--yes"]).code).toBe(0);
    const vaultId = () => state(dir).resources.find((r) => r.name === "vault")!.instances[0]!.attributes as unknown as { id: string };
    const before = vaultId().id;
    const refused = run(["deploy", "--yes"], { VAULT: "2" });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Error: this change to demo would destroy data in a protected resource: terraform_data.vault");
    expect(refused.stderr).toContain("If losing their data is intended, rerun with --allow-destroy.");
    expect(refused.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(vaultId().id).toBe(before);
    expect(run(["deploy", "--yes", "--allow-destroy"], { VAULT: "2" }).code).toBe(0);
    expect(vaultId().id).not.toBe(before);
  });

  it("says who holds the lock when another run is applying", async () => {
    const { dir } = project();
    const env = { ...terraformEnv(), NO_COLOR: "1" };
    const long = spawn(process.execPath, [DROVER_BIN, "deploy", "demo", "--yes"], { cwd: dir, env: { ...env, SLEEP: "6", RUN: "5" } });
    let out = "";
    await new Promise<void>((resolve) => long.stderr.on("data", (d) => ((out += d), out.includes("sleep 6") && resolve())));
    const r = drover(dir, ["plan", "demo"], { ...env, SLEEP: "6", RUN: "5" });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^Error: stack demo is locked by \S+ since \d{4}-\d\d-\d\d .+ \(apply\)$/m);
    expect(r.stderr).toContain("rerun with --lock-timeout 5m to wait up to five minutes.");
    expect(r.stderr).toMatch(/release it with: drover unlock demo [0-9a-f-]{36}/);
    expect(await new Promise((resolve) => long.on("exit", resolve))).toBe(0);
  });

  it("shows outputs, masking sensitive ones unless asked", () => {
    const { run } = project();
    expect(run(["deploy", "--yes"]).code).toBe(0);
    expect(run(["output", "demo"]).stdout).toBe('a_out = {"v":1}\nsecret = (sensitive)\n');
    expect(JSON.parse(run(["output", "demo", "--json"]).stdout)).toEqual({ stack: "demo", outputs: { a_out: { value: { v: 1 }, sensitive: false }, secret: { value: null, sensitive: true } } });
    expect(run(["output", "demo", "--show-sensitive"]).stdout).toContain('secret = "hunter2"');
  });
});

describe("terraform discovery", () => {
  const { dir } = { dir: makeProject({ "main.ts": APP }) };

  it("names a --terraform-binary that cannot run (exit 2)", () => {
    const r = drover(dir, ["plan", "--terraform-binary", "/nowhere/terraform"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "Error: --terraform-binary names /nowhere/terraform, which cannot be run\n  drover synth, validate and plan --offline work without it.\n  Install Terraform 1.5.0 or later (or OpenTofu 1.6.0 or later), or name one with --terraform-binary or DROVER_TERRAFORM.\n",
    );
  });

  it("refuses a terraform older than the minimum (exit 3)", () => {
    const fake = join(mkdtempSync(join(tmpdir(), "drover-oldtf-")), "terraform");
    writeFileSync(fake, '#!/bin/sh\necho \'{"terraform_version":"1.3.9"}\'\n');
    chmodSync(fake, 0o755);
    const r = drover(dir, ["plan"], { DROVER_TERRAFORM: fake });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`Error: ${fake} is terraform 1.3.9; drover needs 1.5.0 or later`);
  });

  it("says what still works when no terraform is on PATH (exit 3), and plan --offline does", () => {
    const r = drover(dir, ["plan"], { PATH: "/usr/bin/nonexistent-dir", DROVER_TERRAFORM: "" });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("Error: no terraform or tofu found on PATH\n  drover synth, validate and plan --offline work without it.");
    // cdktf's own DataResource runs terraform while synthesizing; drover's constructs do not.
    const examples = makeProject({}, { copyExamples: true });
    const offline = drover(examples, ["plan", "--offline"], { PATH: "/usr/bin/nonexistent-dir", DROVER_TERRAFORM: "" });
    expect(offline.stderr).toBe("");
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain("Plan for dev-vm (offline, against nothing: the stack was never deployed from here): 11 to create, 1 to read");
  });

  it("with --detailed-exitcode, turns any error into exit 1", () => {
    expect(drover(dir, ["plan", "--detailed-exitcode", "--terraform-binary", "/nowhere/tf"]).code).toBe(1);
  });
});
