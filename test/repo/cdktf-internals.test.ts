import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.ts";

const ROOT = packageRoot();

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

describe("reaches into cdktf's internals", () => {
  it("happen in constructs/private/cdktf-internals.ts only, so moving to cdktn is one file", () => {
    const outside = ["api", "constructs", "lib", "stacks"]
      .flatMap((d) => sources(join(ROOT, d)))
      .filter((f) => !f.endsWith("constructs/private/cdktf-internals.ts"))
      .filter((f) => /from\s+["']cdktf\/|import\(\s*["']cdktf\//.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(outside).toEqual([]);
    expect(readFileSync(join(ROOT, "constructs/private/cdktf-internals.ts"), "utf8")).toMatch(/from "cdktf\/lib\//);
  });
});
