import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/project.ts";

/**
 * docs/architecture.md's layout tables stay true: every folder of the repository, of lib/ and of
 * constructs/ has its row, and every row names a folder that exists.
 */

const page = readFileSync(join(REPO, "docs/architecture.md"), "utf8");
const tracked = spawnSync("git", ["ls-files"], { cwd: REPO, encoding: "utf8" }).stdout.split("\n").filter(Boolean);

/** The folders the tables name in their first column: `lib/cli/` → "lib/cli". */
const rows = new Set([...page.matchAll(/^\| `([^`]+)\/` \|/gm)].map((m) => m[1]!));

/** Folders that hold tracked files, directly under `under` ("" for the top). */
function folders(under: string): string[] {
  const prefix = under ? `${under}/` : "";
  const found = new Set<string>();
  for (const f of tracked) {
    if (!f.startsWith(prefix)) continue;
    const rest = f.slice(prefix.length).split("/");
    if (rest.length > 1) found.add(`${prefix}${rest[0]}`);
  }
  return [...found].sort();
}

describe("docs/architecture.md's layout", () => {
  it("has a row for every folder at the top, in lib/ and in constructs/", () => {
    expect(tracked.length, "git ls-files found nothing: the tests run in a git checkout").toBeGreaterThan(0);
    const wanted = [...folders(""), ...folders("lib"), ...folders("constructs")];
    expect(wanted.length).toBeGreaterThan(30);
    expect(wanted.filter((f) => !rows.has(f))).toEqual([]);
  });

  it("names no folder that is gone", () => {
    const present = new Set([...folders(""), ...folders("lib"), ...folders("constructs")]);
    expect([...rows].filter((r) => !present.has(r))).toEqual([]);
  });

  it("names each single file of lib/", () => {
    const files = tracked.filter((f) => /^lib\/[^/]+\.ts$/.test(f)).map((f) => f.slice("lib/".length));
    expect(files.filter((f) => !page.includes(`\`${f}\``))).toEqual([]);
  });
});
