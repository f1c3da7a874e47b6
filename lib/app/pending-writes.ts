import { Worker } from "node:worker_threads";

/**
 * Files written during synthesis without holding it up. Thousands of small writes are slow on
 * some disks (about 1 ms each on the development machines), and cdktf's synthesis is one long
 * synchronous computation: writes chained on the main thread's event loop would only start
 * once it ends. A worker thread writes them while synthesis goes on. `settleWrites` waits for
 * every batch (drover does before moving the output into place); a plain `cdktf synth`
 * process stays alive until the worker is done. The registry is process-global so that every
 * copy of this module shares it.
 */
const KEY = Symbol.for("drover.pendingWrites");
type Registry = { pending: Array<Promise<void>> };

function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (g[KEY] ??= { pending: [] });
}

const WORKER = `
const { mkdirSync, writeFileSync } = require("node:fs");
const { dirname } = require("node:path");
const { workerData } = require("node:worker_threads");
const made = new Set();
for (const [path, content] of workerData) {
  const dir = dirname(path);
  if (!made.has(dir)) { mkdirSync(dir, { recursive: true }); made.add(dir); }
  writeFileSync(path, content);
}
`;

/** Starts writing `files` ([path, content] pairs) in a background thread. */
export function writeFilesSoon(files: ReadonlyArray<readonly [string, string]>): void {
  if (files.length === 0) return;
  const done = new Promise<void>((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: files });
    worker.once("error", reject);
    worker.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`writing ${files.length} rendered files failed (worker exit ${code})`))));
  });
  // Failures surface in settleWrites; mark them handled so they do not crash a process first.
  done.catch(() => undefined);
  registry().pending.push(done);
}

/** Waits for every write started so far; throws the first failure. */
export async function settleWrites(): Promise<void> {
  const pending = registry().pending.splice(0);
  const results = await Promise.allSettled(pending);
  const failed = results.find((x): x is PromiseRejectedResult => x.status === "rejected");
  if (failed) throw failed.reason;
}
