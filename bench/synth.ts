/**
 * Synthesis benchmark: wall time and peak memory of `drover synth`, the whole CLI process as a
 * person runs it, on the example app and on generated apps with one stack of N = 1, 100, 1000
 * virtual machines (each with SSH from one range, a 10 GiB volume and a public address: 8
 * resources per machine, one key pair and one network shared). Every sample is a fresh
 * process; the table shows the median of the runs. Projects live under `.bench/` (git-ignored)
 * in the repository, on the disk a project would use.
 *
 *   npm run bench              print the table; exit 1 when a budget is missed
 *   npm run bench -- --runs 5
 *
 * Budgets (issue: drover foundation): `drover synth` of the example well under 1 s of wall time;
 * synthesizing 1000 machines (~8000 resources) under 3 s and 400 MB. The first is judged on the
 * whole CLI process; the second, as DESIGN.md quotes synthesis times, on the synthesis itself
 * (running the app: loading constructs, building, synthesizing, writing), with the whole
 * process's wall time printed beside it.
 *
 * Budget (issue: SlurmCluster): a cluster with 500 static compute nodes synthesizes in under 2 s
 * more than an empty stack (whole CLI, wall time), in under 400 MB.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { DROVER_BIN, REPO, makeProject } from "../test/support/project.ts";

const runsFlag = process.argv.indexOf("--runs");
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 3;
const benchDir = join(REPO, ".bench");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Sample {
  readonly wallMs: number;
  readonly rssMB: number;
  readonly synthMs: number;
  readonly resources: number;
}

/** One `drover synth --json` in `cwd`, its wall time measured from outside, its peak memory from inside. */
function droverSynth(cwd: string): Sample {
  const rssDir = mkdtempSync(join(benchDir, "rss-"));
  const rssFile = join(rssDir, "rss");
  const t = performance.now();
  const r = spawnSync(process.execPath, ["--import", join(REPO, "bench/report-rss.mjs"), DROVER_BIN, "synth", "--json"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", DROVER_BENCH_RSS_FILE: rssFile },
  });
  const wallMs = performance.now() - t;
  if (r.status !== 0) throw new Error(`drover synth failed in ${cwd}:\n${r.stdout}${r.stderr}`);
  const report = JSON.parse(r.stdout) as { durationMs: number; stacks: Array<{ resources: number }> };
  const rssMB = Number(readFileSync(rssFile, "utf8"));
  rmSync(rssDir, { recursive: true, force: true });
  return { wallMs, rssMB, synthMs: report.durationMs, resources: report.stacks.reduce((n, s) => n + s.resources, 0) };
}

function appOf(n: number): string {
  return `import { App } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
const app = new App();
const stack = new DroverStack(app, "bench", { cloud: jetstream2(), owner: "bench" });
const publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINH2gSAOn1cA4cEz2KFpcLmZMATCb7oziHDevBdnwgaK bench";
for (let i = 0; i < ${n}; i++) {
  new VirtualMachine(stack, \`vm\${i}\`, {
    size: "m3.small",
    allowSshFrom: ["203.0.113.0/24"],
    publicKey,
    publicAddress: true,
    volumes: [{ name: "data", sizeGiB: 10 }],
  });
}
app.synth();
`;
}

const emptyApp = `import { App } from "cdktf";
import { DroverStack, jetstream2 } from "./constructs/index.ts";
const app = new App();
new DroverStack(app, "bench", { cloud: jetstream2(), owner: "bench" });
app.synth();
`;

const clusterApp = (nodes: number) => `import { App } from "cdktf";
import { DroverStack, SlurmCluster, jetstream2 } from "./constructs/index.ts";
const app = new App();
const stack = new DroverStack(app, "bench", { cloud: jetstream2(), owner: "bench" });
new SlurmCluster(stack, "hpc", {
  controller: { size: "m3.medium" },
  partitions: [{ name: "cpu", size: "m3.quad", nodes: ${nodes}, elastic: { max: ${nodes + 100} } }],
  allowSshFrom: ["203.0.113.0/24"],
  users: [{ name: "alice", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINH2gSAOn1cA4cEz2KFpcLmZMATCb7oziHDevBdnwgaK alice" }],
});
app.synth();
`;

type Measure = { wallMs: number; synthMs: number; rssMB: number };

interface Row {
  readonly what: string;
  readonly samples: Sample[];
  readonly budget: string;
  readonly within: (s: Measure) => boolean;
}

rmSync(benchDir, { recursive: true, force: true });
const cases: Array<{ what: string; dir: string; budget: string; within: Row["within"] }> = [
  { what: "example app (all stacks)", dir: makeProject({}, { copyExamples: true, parent: benchDir }), budget: "wall < 1000 ms", within: (s) => s.wallMs < 1000 },
  ...[1, 100, 1000].map((n) => ({
    what: `one stack, ${n} VM${n === 1 ? "" : "s"}`,
    dir: makeProject({ "main.ts": appOf(n) }, { parent: benchDir }),
    budget: n === 1000 ? "synthesis < 3000 ms, < 400 MB" : "-",
    within: n === 1000 ? (s: Measure) => s.synthMs < 3000 && s.rssMB < 400 : () => true,
  })),
  { what: "empty stack", dir: makeProject({ "main.ts": emptyApp }, { parent: benchDir }), budget: "-", within: () => true },
  {
    what: "SlurmCluster, 500 static nodes",
    dir: makeProject({ "main.ts": clusterApp(500) }, { parent: benchDir }),
    budget: "wall < empty + 2000 ms, < 400 MB",
    // Judged below, against the empty stack's wall time.
    within: () => true,
  },
];

const rows: Row[] = [];
for (const c of cases) {
  droverSynth(c.dir); // first run: fills the TypeScript loader's cache, which a person pays once
  rows.push({ what: c.what, samples: Array.from({ length: runs }, () => droverSynth(c.dir)), budget: c.budget, within: c.within });
}
rmSync(benchDir, { recursive: true, force: true });

const medianWall = (what: string) => median(rows.find((r) => r.what === what)!.samples.map((s) => s.wallMs));
const emptyWall = medianWall("empty stack");
const cluster = rows.find((r) => r.what.startsWith("SlurmCluster"))!;
(cluster as { within: Row["within"] }).within = (s) => s.wallMs - emptyWall < 2000 && s.rssMB < 400;

const header = ["drover synth of", "resources", "wall (whole CLI)", "synthesis", "peak RSS", "budget", "within"];
const table = [
  header,
  ...rows.map((r) => {
    const m: Measure = {
      wallMs: median(r.samples.map((s) => s.wallMs)),
      synthMs: median(r.samples.map((s) => s.synthMs)),
      rssMB: median(r.samples.map((s) => s.rssMB)),
    };
    return [r.what, String(r.samples[0]!.resources), `${m.wallMs.toFixed(0)} ms`, `${m.synthMs.toFixed(0)} ms`, `${m.rssMB.toFixed(0)} MB`, r.budget, r.within(m) ? "yes" : "NO"];
  }),
];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
console.log(`drover synth benchmark: median of ${runs} runs after one warm-up; node ${process.version}, ${cpus().length} cores`);
for (const [i, row] of table.entries()) {
  console.log(`| ${row.map((c, j) => c.padEnd(widths[j]!)).join(" | ")} |`);
  if (i === 0) console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
}
console.log(`\n${cluster.what}: ${(median(cluster.samples.map((x) => x.wallMs)) - emptyWall).toFixed(0)} ms beyond the empty stack (budget < 2000 ms)`);
process.exitCode = table.slice(1).every((row) => row[6] === "yes") ? 0 : 1;
