import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";
import { terraformEnv } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";
import { testPublicKey } from "../support/keys.ts";

const key = testPublicKey("me@laptop");

/** Stacks on Jetstream2 (research allocation unless said): `extra` adds constructs to "lab". */
const app = (extra: string, profile = "jetstream2()") => `import { App } from "cdktf";
import { DroverStack, Network, SlurmCluster, VirtualMachine, jetstream2, suppressPolicy } from "./constructs/index.ts";
const app = new App();
const stack = new DroverStack(app, "lab", { cloud: ${profile}, owner: "pi@uni.edu" });
const key = ${JSON.stringify(key)};
${extra}
app.synth();
`;

describe("drover plan: cost, quota and policy before apply", () => {
  it("shows each example's SU change, its quota and no policy findings, and passes (exit 0)", () => {
    const dir = makeProject({}, { copyExamples: true });
    const r = drover(dir, ["plan", "--offline"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Cost: SU/h 0 → 2, +2; 30 days ≈ 1,440 SU");
    // 8 (controller) + 2 (login) + 2 × 4 (cpu) idle; + 4 × 4 (cpu) + 2 × 32 (g3.medium, 8 vCPUs × 4) at full scale.
    expect(r.stdout).toContain("Cost: SU/h 0 → 18, +18; 30 days ≈ 12,960 SU; full scale 0 → 94, +94");
    // 5 × m3.xl (32) + m3.small (2) = 162 SU/h; 162 × 720 h = 116,640 SU.
    expect(r.stdout).toContain("Cost: SU/h 0 → 162, +162; 30 days ≈ 116,640 SU");
    expect(r.stdout).toContain("Quota (Jetstream2 education allocation (default quota)): within");
    expect(r.stdout.match(/no policy findings/g)).toHaveLength(4);
    const json = JSON.parse(drover(dir, ["plan", "--offline", "--json", "workshop-jupyterhub"]).stdout);
    expect(json.failed).toBe(false);
    expect(json.plans[0].checks.cost.after.idle).toBe(162);
    expect(json.plans[0].checks.quota.items.find((i: { item: string }) => i.item === "cores")).toMatchObject({ need: 162, limit: 200, over: false });
    // 127 homes of 10 GiB would be 127 volumes: the class gets shared homes by default, one
    // volume as large as the quota allows beside the hub's database (a volume Kubernetes makes).
    const item = (name: string) => json.plans[0].checks.quota.items.find((i: { item: string }) => i.item === name);
    expect(item("volumes")).toMatchObject({ need: 2, limit: 10, over: false });
    expect(item("gigabytes")).toMatchObject({ need: 1000, limit: 1000, over: false });
  });

  it("counts a hub's per-user home volumes and its database, which Kubernetes creates: over the quota when chosen for a class that does not fit", () => {
    const hub = (extra: string) =>
      `import { App } from "cdktf";
import { DroverStack, JupyterHubCluster, jetstream2 } from "./constructs/index.ts";
const app = new App();
const stack = new DroverStack(app, "lab", { cloud: jetstream2({ allocation: "abc123", allocationType: "education" }), owner: "pi@uni.edu", expiresAt: "2027-03-31" });
new JupyterHubCluster(stack, "hub", { users: 127, profile: { cpu: 1, memoryGiB: 2, storageGiB: 10 }, auth: { kind: "workshop" }, https: false, ${extra} });
app.synth();
`;
    const perUser = makeProject({ "main.ts": hub(`homes: "per-user"`) });
    const over = drover(perUser, ["plan", "--offline"]);
    expect(over.code).toBe(1);
    // 127 home volumes and the hub's database of 1 GiB.
    expect(over.stdout).toContain("volumes: need 128, limit 10");
    expect(over.stdout).toContain("volume storage: need 1271 GB, limit 1000 GB");

    const byDefault = drover(makeProject({ "main.ts": hub("") }), ["plan", "--offline", "--json"]);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    const items = (JSON.parse(byDefault.stdout).plans[0].checks.quota.items as Array<{ item: string; need: number }>).filter((i) => i.item === "volumes" || i.item === "gigabytes");
    expect(items.map((i) => [i.item, i.need])).toEqual([
      ["volumes", 2],
      ["gigabytes", 1000],
    ]);

    // A class that fits keeps a volume per user, each counted.
    const small = drover(makeProject({ "main.ts": hub("").replace("users: 127", "users: 5") }), ["plan", "--offline", "--json"]);
    const smallItems = (JSON.parse(small.stdout).plans[0].checks.quota.items as Array<{ item: string; need: number }>).filter((i) => i.item === "volumes" || i.item === "gigabytes");
    expect(smallItems.map((i) => [i.item, i.need])).toEqual([
      ["volumes", 6],
      ["gigabytes", 51],
    ]);
  });

  it("fails (exit 1) when the stack needs a second router on an allocation that holds one, naming need and limit", () => {
    const dir = makeProject({
      "main.ts": app(`new VirtualMachine(stack, "box", { size: "m3.small", publicKey: key, publicAddress: true });
new SlurmCluster(stack, "hpc", { controller: { size: "m3.quad" }, partitions: [{ name: "cpu", size: "m3.quad", nodes: 1 }], adminPublicKey: key });`),
    });
    const r = drover(dir, ["plan", "--offline"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("routers: need 2, limit 1");
    expect(r.stdout).toContain("The plan does not pass the checks before apply (quota or policy): a deploy would stop.");
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
  });

  it("fails on a policy error unless suppressed in code with a reason or the level is off; --policy-level warning also fails on warnings", () => {
    const open = `new VirtualMachine(stack, "box", { size: "m3.small", publicKey: key, publicAddress: true, allowSshFrom: ["0.0.0.0/0"] });`;
    const dir = makeProject({ "main.ts": app(open) });
    const r = drover(dir, ["plan", "--offline"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/DRV002/);
    expect(r.stdout).toContain("lab/box");
    expect(drover(dir, ["plan", "--offline", "--policy-level", "off"]).code).toBe(0);
    const bad = drover(dir, ["plan", "--offline", "--policy-level", "loud"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--policy-level "loud" is not a level');

    const suppressed = makeProject({
      "main.ts": app(`const box = ${open.replace("new VirtualMachine", "new VirtualMachine")}\nsuppressPolicy(box, "DRV002", "a public tutorial server: keys only, fail2ban");`),
    });
    const s = drover(suppressed, ["plan", "--offline"]);
    expect(s.code, s.stdout).toBe(0);
    expect(s.stdout).toContain("a public tutorial server: keys only, fail2ban");

    // An education allocation without an expiry: a warning (DRV006), fatal only at level warning.
    const edu = makeProject({ "main.ts": app(`new VirtualMachine(stack, "box", { size: "m3.small", publicKey: key });`, 'jetstream2({ allocationType: "education" })') });
    expect(drover(edu, ["plan", "--offline"]).code).toBe(0);
    const strict = drover(edu, ["plan", "--offline", "--policy-level", "warning"]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain("DRV006");
  });

  it("drover validate runs the policy too (exit 1 on an error finding)", () => {
    const dir = makeProject({ "main.ts": app(`new VirtualMachine(stack, "box", { size: "m3.small", publicKey: key, publicAddress: true, allowSshFrom: ["0.0.0.0/0"] });`) });
    const r = drover(dir, ["validate"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("policy (fails):");
    expect(r.stdout).toContain("DRV002");
    const json = JSON.parse(drover(dir, ["validate", "--json"]).stdout);
    expect(json.stacks[0]).toMatchObject({ valid: false, policyFailed: true });
    expect(drover(dir, ["validate", "--policy-level", "off"]).code).toBe(0);
  });

  it("--html writes a plan page beside the stack, naming every machine", () => {
    const dir = makeProject({}, { copyExamples: true });
    const r = drover(dir, ["plan", "--offline", "--html", "virtual-slurm"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Plan page: cdktf.out/stacks/virtual-slurm/plan.html");
    const page = readFileSync(join(dir, "cdktf.out/stacks/virtual-slurm/plan.html"), "utf8");
    for (const machine of ["virtual-slurm-hpc-controller", "virtual-slurm-hpc-login", "virtual-slurm-cpu-1", "virtual-slurm-cpu-2"]) expect(page).toContain(machine);
    expect(page).toContain("SU/h 0 → 18");
  });
});

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("drover deploy stops before apply on a failed check", () => {
  it("refuses a stack with a literal password (DRV004), applies nothing, and says how to go on", () => {
    const secret = "correct-horse-battery-staple";
    const dir = makeProject({
      "main.ts": `import { App, DataResource } from "cdktf";
import { DroverStack } from "./constructs/index.ts";
import { nullCloud } from "./test/support/null-cloud.ts";
const app = new App();
const stack = new DroverStack(app, "lab", { cloud: nullCloud(), owner: "me" });
new DataResource(stack, "db", { input: { user: "admin", password: "${secret}" } });
app.synth();
`,
    });
    const r = drover(dir, ["deploy", "lab", "--yes"], terraformEnv() as Record<string, string>);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("stack lab does not pass the checks before apply; nothing was applied");
    expect(r.stderr).toContain("DRV004");
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(existsSync(join(dir, "terraform.lab.tfstate"))).toBe(false);
  });
});
