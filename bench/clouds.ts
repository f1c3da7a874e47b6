/**
 * What the commercial clouds cost a person who uses only OpenStack: `drover --help` and an
 * OpenStack-only `drover synth`, measured on this tree and on a baseline commit from before the
 * AWS, GCP and Azure drivers (issue: commercial clouds, part 4: neither may get slower). Each
 * sample is a fresh process; the table shows medians after one warm-up run per case. The
 * baseline is checked out as a git worktree under `.bench/` (git-ignored), sharing this tree's
 * node_modules, and its CLI bundle is built there.
 *
 *   npm run bench:clouds                       baseline cc38603 (the commit before the AWS driver)
 *   npm run bench:clouds -- --baseline <ref> --runs 7
 *
 * Budget: each "now" within 5% (or 25 ms, whichever is larger: the noise of one process start
 * on a 2-core machine) of its baseline. Exit code 1 when one is not.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { REPO } from "../test/support/project.ts";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const runs = Number(arg("--runs", "5"));
const baselineRef = arg("--baseline", "cc38603");
const benchDir = join(REPO, ".bench");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A worktree of `ref` beside this one, with this tree's node_modules and its own CLI bundle. */
function baselineTree(ref: string): string {
  const dir = join(benchDir, "baseline");
  if (existsSync(dir)) execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: REPO });
  mkdirSync(benchDir, { recursive: true });
  execFileSync("git", ["worktree", "add", "--detach", dir, ref], { cwd: REPO, stdio: "ignore" });
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  execFileSync(process.execPath, ["scripts/build-cli.mjs"], { cwd: dir, stdio: "ignore" });
  return dir;
}

const APPS: Record<string, string> = {
  "empty stack": `import { App } from "cdktf";
import { DroverStack, jetstream2 } from "./constructs/index.ts";
const app = new App();
new DroverStack(app, "bench", { cloud: jetstream2(), owner: "bench" });
app.synth();
`,
  "one VM": `import { App } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
const app = new App();
const stack = new DroverStack(app, "bench", { cloud: jetstream2(), owner: "bench" });
new VirtualMachine(stack, "vm", {
  size: "m3.small",
  allowSshFrom: ["203.0.113.0/24"],
  publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINH2gSAOn1cA4cEz2KFpcLmZMATCb7oziHDevBdnwgaK bench",
  publicAddress: true,
  volumes: [{ name: "data", sizeGiB: 10 }],
});
app.synth();
`,
};

/** A project whose constructs come from `root` (this tree or the baseline). */
function project(root: string, app: string): string {
  const dir = mkdtempSync(join(benchDir, "clouds-"));
  for (const link of ["node_modules", "constructs", "lib", ".gen", "templates", "providers", "package.json"]) {
    if (existsSync(join(root, link))) symlinkSync(join(root, link), join(dir, link));
  }
  writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: "npx tsx main.ts", output: "cdktf.out" }));
  writeFileSync(join(dir, "main.ts"), app);
  return dir;
}

function wall(root: string, args: string[], cwd: string): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(root, "bin/drover.mjs"), ...args], { cwd, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`drover ${args.join(" ")} failed in ${cwd}:\n${r.stdout}${r.stderr}`);
  return ms;
}

function measure(root: string, args: string[], cwd: string): number {
  wall(root, args, cwd);
  return median(Array.from({ length: runs }, () => wall(root, args, cwd)));
}

rmSync(benchDir, { recursive: true, force: true });
const baseline = baselineTree(baselineRef);
const cases: Array<{ what: string; args: string[]; app?: string }> = [
  { what: "drover --help", args: ["--help"] },
  ...Object.entries(APPS).map(([name, app]) => ({ what: `drover synth, Jetstream2 ${name}`, args: ["synth", "--json"], app })),
];
const rows: string[][] = [];
let ok = true;
for (const c of cases) {
  const [before, now] = [baseline, REPO].map((root) => measure(root, c.args, c.app ? project(root, c.app) : REPO));
  const allowed = Math.max(before! * 0.05, 25);
  const within = now! - before! <= allowed;
  ok &&= within;
  rows.push([c.what, `${before!.toFixed(0)} ms`, `${now!.toFixed(0)} ms`, `${now! - before! >= 0 ? "+" : ""}${(now! - before!).toFixed(0)} ms`, `≤ +${allowed.toFixed(0)} ms`, within ? "yes" : "NO"]);
}
execFileSync("git", ["worktree", "remove", "--force", baseline], { cwd: REPO });
rmSync(benchDir, { recursive: true, force: true });

const header = ["what", `before (${baselineRef})`, "now", "change", "budget", "within"];
const table = [header, ...rows];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
console.log(`OpenStack-only cost of the commercial clouds: median of ${runs} runs after one warm-up; node ${process.version}, ${cpus().length} cores`);
for (const [i, row] of table.entries()) {
  console.log(`| ${row.map((c, j) => c.padEnd(widths[j]!)).join(" | ")} |`);
  if (i === 0) console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
}
process.exitCode = ok ? 0 : 1;
