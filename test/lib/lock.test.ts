import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lockDirectory } from "../../lib/app/lock.ts";

describe("lockDirectory: one drover at a time moves stacks into an output directory", () => {
  it("GIVEN no lock THEN it takes one and releases it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-lock-"));
    const lock = await lockDirectory(dir);
    expect(existsSync(join(dir, ".drover-synth.lock"))).toBe(true);
    lock.release();
    expect(existsSync(join(dir, ".drover-synth.lock"))).toBe(false);
  });

  it("GIVEN a lock whose process is gone (a crash) THEN it is taken over", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-lock-"));
    mkdirSync(join(dir, ".drover-synth.lock"));
    writeFileSync(join(dir, ".drover-synth.lock/pid"), "2147483646");
    (await lockDirectory(dir, 2_000)).release();
  });

  it("GIVEN a lock a live run holds THEN it waits, and says who holds it when the wait is over", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-lock-"));
    const held = await lockDirectory(dir);
    await expect(lockDirectory(dir, 300)).rejects.toThrow(`another drover (process ${process.pid}) has been writing ${dir} for 0 s`);
    const waiting = lockDirectory(dir, 5_000);
    setTimeout(() => held.release(), 200);
    (await waiting).release();
  });
});
