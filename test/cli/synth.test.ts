import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";
import { testPublicKey } from "../support/keys.ts";

const key = testPublicKey("cli@test");

/** An app with the given stacks, each a VirtualMachine stack on Jetstream2. */
function vmApp(names: string[], extra = ""): string {
  return `import { App } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
const app = new App();
for (const name of ${JSON.stringify(names)}) {
  const stack = new DroverStack(app, name, { cloud: jetstream2(), owner: "cli@test" });
  new VirtualMachine(stack, "box", { size: "m3.small", allowSshFrom: ["203.0.113.0/24"], publicKey: ${JSON.stringify(key)} });
}
${extra}
app.synth();
`;
}

describe("drover synth (the real CLI)", () => {
  it("retargets the examples with DROVER_CLOUD, and refuses an unknown cloud with exit code 2 and no stack trace", () => {
    const dir = makeProject({}, { copyExamples: true });
    for (const cloud of ["openstack", "gcp", "azure"]) {
      const r = drover(dir, ["synth", "--json"], { DROVER_CLOUD: cloud });
      expect(r.code, r.stderr).toBe(0);
      const stacks = (JSON.parse(r.stdout) as { stacks: Array<{ name: string; cloud: string }> }).stacks;
      expect(stacks.map((s) => `${s.name} ${s.cloud}`).sort()).toEqual(["dev-vm", "science-gateway", "virtual-slurm", "workshop-jupyterhub"].map((n) => `${n} ${cloud}`));
    }
    const bad = drover(dir, ["synth"], { DROVER_CLOUD: "digitalocean" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('DROVER_CLOUD is "digitalocean", which is not a cloud drover knows');
    expect(bad.stderr).toContain("Allowed: jetstream2, openstack, aws, gcp, azure (jetstream2 when unset).");
    expect(bad.stderr).not.toMatch(STACK_TRACE_LINE);
  });

  it("synthesizes the example app: every stack's Terraform JSON and its rendered files", () => {
    const dir = makeProject({}, { copyExamples: true });
    const r = drover(dir, ["synth"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Synthesized 4 stacks into cdktf.out\/stacks in \d+\.\d\d s/);
    expect(r.stdout).toMatch(/dev-vm\s+jetstream2 IU\s+11 resources\s+1 data source, 3 outputs/);
    expect(r.stdout).toMatch(/virtual-slurm\s+jetstream2 IU\s+\d+ resources\s+2 data sources, 3 outputs/);
    for (const f of ["slurm.conf", "cgroup.conf", "gres.conf", "cloud-init-controller.yaml", "cloud-init-login.yaml", "cloud-init-compute.yaml", "drover-reap-elastic.mjs"]) {
      expect(r.stdout).toContain(`cdktf.out/stacks/virtual-slurm/files/hpc/${f}`);
    }
    for (const f of ["cloud-init.yaml", "nginx-site.conf", "nginx-bootstrap.conf", "nginx-http.conf"]) {
      expect(r.stdout).toContain(`cdktf.out/stacks/science-gateway/files/portal/${f}`);
    }
    for (const f of ["values.yaml", "cloud-init-server.yaml", "cloud-init-agent.yaml"]) {
      expect(r.stdout).toContain(`cdktf.out/stacks/workshop-jupyterhub/files/hub/${f}`);
    }
    // The workshop runs on an education allocation, whose default quota (200 cores) holds its
    // 162 cores: no warning. On a research allocation (150 cores) it would be said, with the numbers.
    expect(r.stdout).not.toContain("more than jetstream2's default allocation quota");
    expect(r.stdout).toContain("cdktf.out/stacks/dev-vm/files/box/cloud-init.yaml");
    const config = JSON.parse(readFileSync(join(dir, "cdktf.out/stacks/dev-vm/cdk.tf.json"), "utf8"));
    expect(config.terraform.backend.local.path).toBe("../../../terraform.dev-vm.tfstate");
    expect(readFileSync(join(dir, "cdktf.out/stacks/dev-vm/files/box/cloud-init.yaml"), "utf8")).toMatch(/^#cloud-config\n/);
    expect(JSON.parse(readFileSync(join(dir, "cdktf.out/manifest.json"), "utf8")).stacks["dev-vm"].synthesizedStackPath).toBe("stacks/dev-vm/cdk.tf.json");
    expect(existsSync(join(dir, "cdktf.out/.staging"))).toBe(false);
  });

  it("prints JSON with --json", () => {
    const dir = makeProject({ "main.ts": vmApp(["alpha", "beta"]) });
    const r = drover(dir, ["synth", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.outdir).toBe("cdktf.out");
    expect(out.stacks.map((s: { name: string }) => s.name)).toEqual(["alpha", "beta"]);
    expect(out.stacks[0]).toMatchObject({
      cloud: "jetstream2",
      region: "IU",
      resources: 10,
      config: "cdktf.out/stacks/alpha/cdk.tf.json",
      files: ["cdktf.out/stacks/alpha/files/box/cloud-init.yaml"],
    });
  });

  it("synthesizes only the named stacks and leaves the others' output alone", () => {
    const dir = makeProject({ "main.ts": vmApp(["alpha", "beta"]) });
    expect(drover(dir, ["synth"]).code).toBe(0);
    const betaFile = join(dir, "cdktf.out/stacks/beta/cdk.tf.json");
    writeFileSync(betaFile, "{}\n");
    const r = drover(dir, ["synth", "alpha", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stacks.map((s: { name: string }) => s.name)).toEqual(["alpha"]);
    expect(readFileSync(betaFile, "utf8")).toBe("{}\n");
    expect(Object.keys(JSON.parse(readFileSync(join(dir, "cdktf.out/manifest.json"), "utf8")).stacks).sort()).toEqual(["alpha", "beta"]);
  });

  it("keeps terraform's working files and drops the output of stacks the app no longer has", () => {
    const dir = makeProject({ "main.ts": vmApp(["alpha", "beta"]) });
    expect(drover(dir, ["synth"]).code).toBe(0);
    mkdirSync(join(dir, "cdktf.out/stacks/alpha/.terraform/providers"), { recursive: true });
    writeFileSync(join(dir, "cdktf.out/stacks/alpha/.terraform.lock.hcl"), "# lock\n");
    writeFileSync(join(dir, "main.ts"), vmApp(["alpha"]));
    expect(drover(dir, ["synth"]).code).toBe(0);
    expect(existsSync(join(dir, "cdktf.out/stacks/alpha/.terraform/providers"))).toBe(true);
    expect(readFileSync(join(dir, "cdktf.out/stacks/alpha/.terraform.lock.hcl"), "utf8")).toBe("# lock\n");
    expect(existsSync(join(dir, "cdktf.out/stacks/beta"))).toBe(false);
  });

  it("refuses an unknown stack name, listing the stacks (exit 2)", () => {
    const dir = makeProject({ "main.ts": vmApp(["alpha", "beta"]) });
    const r = drover(dir, ["synth", "alpah"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('Error: no stack named "alpah" in npx tsx main.ts\n  did you mean alpha?\n  Stacks: alpha, beta\n');
    const json = drover(dir, ["synth", "nope", "--json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { kind: "UsageError", message: 'no stack named "nope" in npx tsx main.ts', details: ["Stacks: alpha, beta"], exitCode: 2 } });
  });

  it("reports a stack file that throws with the person's line, no stack trace, and keeps the previous output", () => {
    const dir = makeProject({ "main.ts": vmApp(["alpha"]) });
    expect(drover(dir, ["synth"]).code).toBe(0);
    const before = readFileSync(join(dir, "cdktf.out/stacks/alpha/cdk.tf.json"), "utf8");
    mkdirSync(join(dir, "stacks"));
    writeFileSync(join(dir, "stacks/broken.ts"), `export function broken(): never {\n  const missing: Record<string, string> = {};\n  throw new Error("no flavor for " + missing.size);\n}\n`);
    writeFileSync(join(dir, "main.ts"), vmApp(["alpha"], `import { broken } from "./stacks/broken.ts";\nbroken();`));
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("Error: main.ts failed while building its stacks: no flavor for undefined\n  at stacks/broken.ts:3:9\n  Set DROVER_DEBUG=1 to print the full stack trace.\n");
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(readFileSync(join(dir, "cdktf.out/stacks/alpha/cdk.tf.json"), "utf8")).toBe(before);
    const debug = drover(dir, ["synth"], { DROVER_DEBUG: "1" });
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(STACK_TRACE_LINE);
  });

  it("reports every bad prop at once, as path: message lines (exit 2)", () => {
    const dir = makeProject({
      "main.ts": `import { App } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
const app = new App();
const stack = new DroverStack(app, "lab", { cloud: jetstream2() });
new VirtualMachine(stack, "box", { size: "m3.huge", allowSshFrom: ["10.1.1.1/16"], volumes: [{ name: "data", sizeGiB: 0 }], publicKey: ${JSON.stringify(key)} });
app.synth();
`,
    });
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        "Error: 3 problems in the stack's props (in main.ts)",
        `  lab/box: 'size' "m3.huge" is not a jetstream2 flavor: did you mean m3.large or m3.quad? Flavors: m3.tiny, m3.small, m3.quad, m3.medium, m3.large, m3.xl, m3.2xl, m3.3xl, r3.large, r3.xl, g3.small, g3.medium, g3.large, g3.xl.`,
        `  lab/box: 'allowSshFrom[0]' "10.1.1.1/16" has host bits set: did you mean 10.1.0.0/16?`,
        "  lab/box: 'volumes[0].sizeGiB' must be a whole number from 1 to 10240, got 0",
        // The person's line that made the construct, never one of drover's files.
        "  at main.ts:5:1",
        "",
      ].join("\n"),
    );
    expect(existsSync(join(dir, "cdktf.out/stacks"))).toBe(false);
  });

  it("works on a plain cdktf stack of terraform_data, and prints its warnings", () => {
    const dir = makeProject({
      "main.ts": `import { App, TerraformStack, DataResource } from "cdktf";
const app = new App();
const stack = new TerraformStack(app, "plain");
new DataResource(stack, "marker", { input: { n: 1 } });
new TerraformStack(app, "empty");
app.synth();
`,
    });
    const r = drover(dir, ["synth", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stacks).toEqual([
      expect.objectContaining({ name: "empty", cloud: "none", resources: 0 }),
      expect.objectContaining({ name: "plain", cloud: "none", resources: 1, files: [] }),
    ]);
  });

  it("says when the app synthesizes nothing", () => {
    const dir = makeProject({ "main.ts": `import { App } from "cdktf";\nnew App();\n` });
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("Error: npx tsx main.ts ran but synthesized nothing\n  End the app with app.synth() (see main.ts in the drover repository).\n");
  });

  it("prints the warnings constructs raise (a stack without owner)", () => {
    const dir = makeProject({
      "main.ts": `import { App } from "cdktf";
import { DroverStack, jetstream2 } from "./constructs/index.ts";
const app = new App();
new DroverStack(app, "lab", { cloud: jetstream2() });
app.synth();
`,
    });
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Warnings:\n  ! lab: stack lab has no owner: resources are tagged without one. Set 'owner' on the stack or the DROVER_OWNER environment variable.");
    const owned = drover(dir, ["synth"], { DROVER_OWNER: "someone" });
    expect(owned.stdout).not.toContain("Warnings");
  });
});

describe("cdktf.json's app command (what the cdktf CLI runs)", () => {
  it("synthesizes the examples into the cdktf layout with their rendered files", () => {
    const dir = makeProject({}, { copyExamples: true });
    const cdktfJson = JSON.parse(readFileSync(join(dir, "cdktf.json"), "utf8"));
    expect(cdktfJson).toMatchObject({ language: "typescript", app: "npx tsx main.ts", output: "cdktf.out", codeMakerOutput: ".gen" });
    const outdir = join(dir, "cdktf.out");
    const r = spawnSync("sh", ["-c", cdktfJson.app], { cwd: dir, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: outdir } });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual(["dev-vm", "science-gateway", "virtual-slurm", "workshop-jupyterhub"]);
    expect(existsSync(join(outdir, "stacks/dev-vm/cdk.tf.json"))).toBe(true);
    expect(readFileSync(join(outdir, "stacks/dev-vm/files/box/cloud-init.yaml"), "utf8")).toMatch(/^#cloud-config\n/);
    expect(readFileSync(join(outdir, "stacks/virtual-slurm/files/hpc/slurm.conf"), "utf8")).toMatch(/^ClusterName=virtual_slurm_hpc$/m);
  });
});
