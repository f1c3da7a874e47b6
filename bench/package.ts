/**
 * What the package costs a person at `drover synth`: the example stacks loaded from drover's
 * TypeScript source (transpiled by the loader on every run, as before the package was compiled)
 * against the same stacks importing the compiled package by its name, each measured against a
 * trivial cdktf app in the same run; and the type check synth now runs first, cold (no
 * .drover/tsbuildinfo yet) and warm (nothing changed since the last run). Every sample is a fresh
 * `drover synth` process; the table shows medians. Projects live under `.bench/` (git-ignored).
 *
 *   npm run bench:package              print the table; exit 1 when a budget is missed
 *   npm run bench:package -- --runs 5
 *
 * Budgets (issue 16): the compiled examples synthesize no slower than from source; a warm type
 * check adds under 1 s to a synth of the examples.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { compilePackage } from "../scripts/build-package.mjs";
import { scaffoldFiles } from "../lib/init/scaffold.ts";
import { DROVER_BIN, REPO, makeProject } from "../test/support/project.ts";

const runsFlag = process.argv.indexOf("--runs");
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
const benchDir = join(REPO, ".bench");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function synthMs(cwd: string, args: string[] = [], before?: () => void): number {
  before?.();
  const t = performance.now();
  const r = spawnSync(process.execPath, [DROVER_BIN, "synth", ...args], { cwd, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`drover synth failed in ${cwd}:\n${r.stdout}${r.stderr}`);
  return ms;
}

const trivialApp = `import { App, TerraformOutput, TerraformStack } from "cdktf";
const app = new App();
const stack = new TerraformStack(app, "trivial");
new TerraformOutput(stack, "hello", { value: "world" });
app.synth();
`;

/** The examples, importing drover by its name: Node's self-reference through package.json's exports. */
function compiledExamples(): string {
  const dir = makeProject({}, { copyExamples: true, parent: benchDir });
  symlinkSync(join(REPO, "dist"), join(dir, "dist"));
  for (const f of readdirSync(join(dir, "stacks"))) {
    const path = join(dir, "stacks", f);
    writeFileSync(path, readFileSync(path, "utf8").replace(/from "\.\.\/constructs\/index\.ts"/g, 'from "drover"'));
  }
  return dir;
}

rmSync(benchDir, { recursive: true, force: true });
compilePackage();
const trivial = makeProject({ "main.ts": trivialApp }, { parent: benchDir });
const source = makeProject({}, { copyExamples: true, parent: benchDir });
const compiled = compiledExamples();
const checked = compiledExamples();
const tsconfig = scaffoldFiles({ name: "bench", template: "vm", droverSpec: "-", drover: { version: "0" } }).find((f) => f.path === "tsconfig.json")!.content;
writeFileSync(join(checked, "tsconfig.json"), tsconfig);
const cold = () => rmSync(join(checked, ".drover"), { recursive: true, force: true });

const cases: Array<{ what: string; sample: () => number }> = [
  { what: "trivial cdktf app (1 output)", sample: () => synthMs(trivial) },
  { what: "examples, drover from TypeScript source", sample: () => synthMs(source) },
  { what: "examples, drover compiled (by name)", sample: () => synthMs(compiled) },
  { what: "examples, compiled + type check, cold", sample: () => synthMs(checked, [], cold) },
  { what: "examples, compiled + type check, warm", sample: () => synthMs(checked) },
  { what: "examples, compiled, --no-typecheck", sample: () => synthMs(checked, ["--no-typecheck"]) },
];
// First runs fill the TypeScript loader's cache, which a person pays once. Then the cases take
// turns, so that other load on the machine falls on all of them alike.
for (const c of cases) c.sample();
const samples = cases.map(() => [] as number[]);
for (let i = 0; i < runs; i++) for (const [j, c] of cases.entries()) samples[j]!.push(c.sample());
const rows = cases.map((c, j) => ({ what: c.what, ms: median(samples[j]!) }));
rmSync(benchDir, { recursive: true, force: true });

const ms = (what: string) => rows.find((r) => r.what.startsWith(what))!.ms;
const base = ms("trivial");
const table = [["drover synth of", "wall (median)", "× trivial app"], ...rows.map((r) => [r.what, `${Math.round(r.ms)} ms`, (r.ms / base).toFixed(2)])];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
console.log(`${runs} runs each, ${cpus().length} CPUs, Node ${process.version}\n`);
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join("  "));
  if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
}

const budgets = [
  { what: "compiled examples no slower than from source (10% noise allowed)", ok: ms("examples, drover compiled") <= ms("examples, drover from TypeScript source") * 1.1 },
  { what: "warm type check adds < 1000 ms", ok: ms("examples, compiled + type check, warm") - ms("examples, compiled, --no-typecheck") < 1000 },
];
console.log("");
for (const b of budgets) console.log(`${b.ok ? "within" : "MISSED"}  ${b.what}`);
process.exitCode = budgets.every((b) => b.ok) ? 0 : 1;
