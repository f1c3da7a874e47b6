/**
 * Plan and deploy benchmarks (issue: plan / deploy / destroy), each sample a fresh process:
 *
 * 1. `drover plan --offline` of a stack of ~5,000 resources against a baseline with 10% of them
 *    changed, against `drover synth` of the same: budget, under 500 ms more.
 * 2. drover's overhead over bare terraform on a stack of terraform_data resources: `drover plan`
 *    against `terraform plan -out`, and `drover deploy --yes` against `terraform plan -out` +
 *    `terraform apply`, for the same change. drover's runs include synthesizing the app, which
 *    bench/synth.ts measures on its own; the budget, under 10% + 300 ms, is judged on the rest.
 * 3. The same for `drover plan` of a stack with a real provider (hashicorp/aws from the local
 *    mirror), whose schema alone takes terraform seconds to load: drover reads the plan file
 *    with the cached schema instead of running `terraform show -json` (shown beside, for scale).
 *
 *   npm run bench:plan               print the tables; exit 1 when a budget is missed
 *   npm run bench:plan -- --runs 5
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { DROVER_BIN, REPO, makeProject } from "../test/support/project.ts";
import { AWS_PROVIDER_VERSION, PLUGIN_DIR } from "../test/support/mirror.ts";
import { terraformEnv } from "../test/support/terraform.ts";

const runsFlag = process.argv.indexOf("--runs");
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 3;
const benchDir = join(REPO, ".bench");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const env = { ...terraformEnv(), NO_COLOR: "1" } as Record<string, string>;

function timed(cmd: string, args: string[], cwd: string, extra: Record<string, string> = {}): { ms: number; stdout: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...env, ...extra }, maxBuffer: 512 * 1024 * 1024 });
  const ms = performance.now() - t;
  if (r.status !== 0 && r.status !== 2) throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd} (exit ${r.status}):\n${String(r.stderr).slice(-2000)}`);
  return { ms, stdout: r.stdout };
}
const drover = (cwd: string, args: string[], extra: Record<string, string> = {}) => timed(process.execPath, [DROVER_BIN, ...args], cwd, extra);

function printTable(title: string, header: string[], rows: string[][]): void {
  const table = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  console.log(`\n${title}`);
  for (const [i, row] of table.entries()) {
    console.log(`| ${row.map((c, j) => c.padEnd(widths[j]!)).join(" | ")} |`);
    if (i === 0) console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
  }
}

rmSync(benchDir, { recursive: true, force: true });
mkdirSync(benchDir, { recursive: true });
let ok = true;
console.log(`drover plan/deploy benchmarks: median of ${runs} runs; node ${process.version}, ${cpus().length} cores`);

// 1. Offline plan of ~5,000 resources, 10% changed.
{
  const machines = 625; // 8 resources each
  const changed = 500; // one resource (the instance's flavor) in 500 machines: 10% of the resources
  const app = `import { App } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
const app = new App();
const stack = new DroverStack(app, "big", { cloud: jetstream2(), owner: "bench" });
const publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINH2gSAOn1cA4cEz2KFpcLmZMATCb7oziHDevBdnwgaK bench";
const changed = process.env.CHANGED === "1" ? ${changed} : 0;
for (let i = 0; i < ${machines}; i++) {
  new VirtualMachine(stack, \`vm\${i}\`, { size: i < changed ? "m3.quad" : "m3.small", allowSshFrom: ["203.0.113.0/24"], publicKey, publicAddress: true, volumes: [{ name: "data", sizeGiB: 10 }] });
}
app.synth();
`;
  const dir = makeProject({ "main.ts": app }, { parent: benchDir });
  drover(dir, ["synth"]);
  mkdirSync(join(dir, ".drover/deployed/big"), { recursive: true });
  cpSync(join(dir, "cdktf.out/stacks/big/cdk.tf.json"), join(dir, ".drover/deployed/big/cdk.tf.json"));
  drover(dir, ["synth"], { CHANGED: "1" }); // warm
  // Interleaved, so that drift in the machine's speed hits both alike.
  const synth: number[] = [];
  const plans: Array<{ ms: number }> = [];
  for (let i = 0; i < runs; i++) {
    synth.push(drover(dir, ["synth"], { CHANGED: "1" }).ms);
    plans.push(drover(dir, ["plan", "--offline"], { CHANGED: "1" }));
  }
  const plan = JSON.parse(drover(dir, ["plan", "--offline", "--json"], { CHANGED: "1" }).stdout) as { plans: Array<{ plan: { resources: unknown[]; summary: { update: number } } }> };
  const extra = median(plans.map((p) => p.ms)) - median(synth);
  ok &&= extra < 500;
  printTable(
    "Offline plan against the last deploy (10% of resources changed)",
    ["resources", "changed", "drover synth", "drover plan --offline", "plan beyond synth", "budget", "within"],
    [
      [
        String(plan.plans[0]!.plan.resources.length),
        String(plan.plans[0]!.plan.summary.update),
        `${median(synth).toFixed(0)} ms`,
        `${median(plans.map((p) => p.ms)).toFixed(0)} ms`,
        `${extra.toFixed(0)} ms`,
        "< 500 ms",
        extra < 500 ? "yes" : "NO",
      ],
    ],
  );
}

// 2. Overhead over bare terraform.
{
  const n = 200;
  const app = `import { App, TerraformStack, DataResource } from "cdktf";
const app = new App();
const stack = new TerraformStack(app, "tf");
for (let i = 0; i < ${n}; i++) new DataResource(stack, \`r\${i}\`, { input: { v: Number(process.env.V ?? 0), i } });
app.synth();
`;
  const dir = makeProject({ "main.ts": app }, { parent: benchDir });
  const stackDir = join(dir, "cdktf.out/stacks/tf");
  drover(dir, ["deploy", "--yes"]); // synthesizes, initializes, applies v=0
  const synthMs = median(Array.from({ length: runs }, () => JSON.parse(drover(dir, ["synth", "--json"], { V: "1" }).stdout).durationMs as number));
  const tf = (...args: string[]) => timed("terraform", args, stackDir).ms;
  const barePlan = median(Array.from({ length: runs }, () => tf("plan", "-input=false", "-out=bare.tfplan")));
  const droverPlan = median(Array.from({ length: runs }, () => drover(dir, ["plan", "tf"], { V: "1" }).ms));
  // Apply: each sample changes every resource, by both ways in turn.
  const bareApply: number[] = [];
  const droverApply: number[] = [];
  for (let i = 0; i < runs; i++) {
    drover(dir, ["synth"], { V: String(100 + i) });
    bareApply.push(tf("plan", "-input=false", "-out=bare.tfplan") + tf("apply", "-input=false", "bare.tfplan"));
    droverApply.push(drover(dir, ["deploy", "tf", "--yes"], { V: String(200 + i) }).ms);
  }
  const rows = [
    ["plan", barePlan, droverPlan],
    ["deploy", median(bareApply), median(droverApply)],
  ].map(([what, bare, ours]) => {
    const b = bare as number;
    const o = ours as number;
    const overhead = o - b - synthMs;
    const budget = 0.1 * b + 300;
    ok &&= overhead < budget;
    return [what as string, `${b.toFixed(0)} ms`, `${o.toFixed(0)} ms`, `${synthMs.toFixed(0)} ms`, `${overhead.toFixed(0)} ms`, `< ${budget.toFixed(0)} ms`, overhead < budget ? "yes" : "NO"];
  });
  printTable(
    `drover over bare terraform (${n} terraform_data resources, every one changed)`,
    ["", "bare terraform", "drover", "of which synthesis", "overhead beyond synthesis", "budget (10% + 300 ms)", "within"],
    rows,
  );
}
// 3. A real provider.
if (existsSync(join(PLUGIN_DIR, "registry.terraform.io/hashicorp/aws", AWS_PROVIDER_VERSION))) {
  const n = 50;
  const app = `import { App, TerraformStack } from "cdktf";
const app = new App();
const stack = new TerraformStack(app, "aws");
stack.addOverride("terraform.required_providers.aws", { source: "hashicorp/aws", version: "${AWS_PROVIDER_VERSION}" });
stack.addOverride("provider.aws", [{ region: "us-east-2", access_key: "x", secret_key: "x", skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true }]);
for (let i = 0; i < ${n}; i++) stack.addOverride(\`resource.aws_ssm_parameter.p\${i}\`, { name: \`/bench/p\${i}\`, type: i % 2 ? "String" : "SecureString", value: "v" });
app.synth();
`;
  const dir = makeProject({ "main.ts": app }, { parent: benchDir });
  const stackDir = join(dir, "cdktf.out/stacks/aws");
  const cache = join(benchDir, "schema-cache");
  const extra = { DROVER_CACHE_DIR: cache };
  drover(dir, ["plan", "aws", "--plugin-dir", PLUGIN_DIR], extra); // initializes; fills the schema cache
  const synthMs = median(Array.from({ length: runs }, () => JSON.parse(drover(dir, ["synth", "aws", "--json"]).stdout).durationMs as number));
  const tf = (...args: string[]) => timed("terraform", args, stackDir).ms;
  const bare = median(Array.from({ length: runs }, () => tf("plan", "-input=false", "-out=bare.tfplan")));
  const show = median(Array.from({ length: runs }, () => tf("show", "-json", "bare.tfplan")));
  const ours = median(Array.from({ length: runs }, () => drover(dir, ["plan", "aws", "--plugin-dir", PLUGIN_DIR], extra).ms));
  const viaShow = median(Array.from({ length: runs }, () => drover(dir, ["plan", "aws", "--plugin-dir", PLUGIN_DIR], { ...extra, DROVER_PLAN_READER: "show" }).ms));
  const overhead = ours - bare - synthMs;
  const budget = 0.1 * bare + 300;
  ok &&= overhead < budget;
  printTable(
    `drover plan over bare terraform with the real AWS provider (${n} aws_ssm_parameter, all new)`,
    ["bare terraform plan", "terraform show -json", "drover plan", "of which synthesis", "overhead beyond synthesis", "budget (10% + 300 ms)", "within", "drover plan via show -json"],
    [
      [
        `${bare.toFixed(0)} ms`,
        `${show.toFixed(0)} ms`,
        `${ours.toFixed(0)} ms`,
        `${synthMs.toFixed(0)} ms`,
        `${overhead.toFixed(0)} ms`,
        `< ${budget.toFixed(0)} ms`,
        overhead < budget ? "yes" : "NO",
        `${viaShow.toFixed(0)} ms`,
      ],
    ],
  );
} else {
  console.log(`\n[skip] hashicorp/aws ${AWS_PROVIDER_VERSION} is not in ${PLUGIN_DIR}: no real-provider row.`);
}
rmSync(benchDir, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;
