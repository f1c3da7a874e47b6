import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { settleWrites, writeFilesSoon } from "../../lib/app/pending-writes.ts";

describe("writeFilesSoon / settleWrites", () => {
  it("writes every file, creating directories, before settleWrites resolves", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-writes-"));
    writeFilesSoon(Array.from({ length: 50 }, (_, i) => [join(dir, `m${i}`, "cloud-init.yaml"), `file ${i}\n`] as const));
    await settleWrites();
    expect(readFileSync(join(dir, "m49", "cloud-init.yaml"), "utf8")).toBe("file 49\n");
  });

  it("reports a write that failed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-writes-"));
    writeFileSync(join(dir, "blocker"), "a file where a directory should be");
    writeFilesSoon([[join(dir, "blocker", "x.yaml"), "x"]]);
    await expect(settleWrites()).rejects.toThrow();
    await expect(settleWrites()).resolves.toBeUndefined();
  });
});
