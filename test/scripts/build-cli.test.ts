import { spawnSync } from "node:child_process";
import { readFileSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script (bin/drover.mjs runs it without TypeScript)
import { CLI, ROOT, buildCli, isFresh } from "../../scripts/build-cli.mjs";

const pkg = JSON.parse(readFileSync(join(ROOT as string, "package.json"), "utf8")) as { version: string };

function drover(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(ROOT as string, "bin/drover.mjs"), ...args], { encoding: "utf8", env: { ...process.env, ...env } });
}

describe("the bundled command line (dist/cli.mjs)", () => {
  it("is rebuilt on the next run after a source file changes", async () => {
    await buildCli();
    expect(isFresh()).toBe(true);
    const source = join(ROOT as string, "lib/naming.ts");
    const { atime, mtime } = statSync(source);
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const now = new Date();
      utimesSync(source, now, now);
      expect(isFresh()).toBe(false);
      const r = drover(["--version"]);
      expect(r.stdout.trim()).toBe(pkg.version);
      expect(statSync(CLI as string).mtimeMs).toBeGreaterThanOrEqual(now.getTime());
      expect(isFresh()).toBe(true);
    } finally {
      utimesSync(source, atime, mtime);
    }
  });

  it("runs from the TypeScript sources when asked (DROVER_FROM_SOURCE=1)", () => {
    const r = drover(["--version"], { DROVER_FROM_SOURCE: "1" });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
