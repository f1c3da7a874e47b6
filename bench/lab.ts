/**
 * The lab's budget (issue: the lifecycle lab): every scenario, as `npm run lab` runs them, under
 * 15 minutes with a cold cache (no image, no package downloaded yet) and under 5 minutes warm
 * (the image and the packages from the cold run). The cold run uses a new, empty cache directory
 * (removed afterwards unless --keep-cache); the warm run uses the same one right after.
 *
 *   sudo npm run bench:lab                  cold, then warm
 *   sudo npm run bench:lab -- --warm-only   only warm, on the lab's own cache (~/.cache/drover/lab)
 *
 * Prints a table (wall time, image build, megabytes fetched from Debian's archive, checks) and
 * exits 1 when a budget is missed or a check failed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LabReport } from "../lab/report.ts";
import { defaultCacheDir } from "../lab/run.ts";
import { REPO } from "../test/support/project.ts";

const warmOnly = process.argv.includes("--warm-only");
const keepCache = process.argv.includes("--keep-cache");

interface Row {
  readonly run: string;
  readonly seconds: number;
  readonly report?: LabReport;
  readonly budget: number;
}

function lab(cache: string): { seconds: number; report?: LabReport } {
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", "lab/main.ts", "--json", "--cache", cache], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 << 20 });
  const seconds = (Date.now() - started) / 1000;
  try {
    return { seconds, report: JSON.parse(r.stdout) as LabReport };
  } catch {
    return { seconds };
  }
}

const rows: Row[] = [];
if (warmOnly) {
  rows.push({ run: "warm (the lab's cache)", ...lab(defaultCacheDir()), budget: 300 });
} else {
  const cache = mkdtempSync(join(tmpdir(), "drover-lab-bench-"));
  try {
    rows.push({ run: "cold (empty cache)", ...lab(cache), budget: 900 });
    rows.push({ run: "warm (same cache)", ...lab(cache), budget: 300 });
  } finally {
    if (!keepCache) rmSync(cache, { recursive: true, force: true });
  }
}

const table = [
  "| run | wall | image | fetched from Debian | checks | budget | within |",
  "|---|---|---|---|---|---|---|",
  ...rows.map((r) => {
    const rep = r.report;
    const image = rep ? (rep.image.built ? `built, ${rep.image.seconds.toFixed(0)} s` : "cached") : "-";
    const checks = rep ? `${rep.passed} passed, ${rep.failed} failed` : "no report";
    const ok = rep !== undefined && rep.failed === 0 && r.seconds <= r.budget;
    return `| ${r.run} | ${r.seconds.toFixed(0)} s | ${image} | ${rep ? `${(rep.downloadedBytes / 1e6).toFixed(1)} MB` : "-"} | ${checks} | < ${r.budget / 60} min | ${ok ? "yes" : "NO"} |`;
  }),
];
console.log(table.join("\n"));
process.exitCode = rows.every((r) => r.report && r.report.failed === 0 && r.seconds <= r.budget) ? 0 : 1;
