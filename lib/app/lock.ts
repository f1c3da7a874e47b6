import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExternalError } from "../errors.ts";

/**
 * One drover at a time moves synthesized stacks into an output directory: two runs renaming the
 * same stack's directory at once would trip over each other. The lock is a directory (mkdir is
 * atomic) holding the holder's process ID; a lock whose process is gone (a crash, a kill) is
 * taken over.
 */
export interface HeldLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (up to `timeoutMs`) for the lock on `dir` and takes it. */
export async function lockDirectory(dir: string, timeoutMs = 120_000): Promise<HeldLock> {
  const path = join(dir, ".drover-synth.lock");
  const owner = join(path, "pid");
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(path);
      writeFileSync(owner, String(process.pid));
      return { release: () => rmSync(path, { recursive: true, force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder: number | undefined;
    try {
      holder = Number(readFileSync(owner, "utf8"));
    } catch {
      // Being created this moment, or left empty by a crash: judged by age below.
    }
    if (holder !== undefined && Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (holder === undefined && Date.now() - started > 5_000) {
      rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new ExternalError(`another drover (process ${holder ?? "unknown"}) has been writing ${dir} for ${Math.round(timeoutMs / 1000)} s`, [
        `Wait for it to finish; if no drover is running, remove ${path}.`,
      ]);
    }
    await sleep(50 + Math.random() * 50);
  }
}
