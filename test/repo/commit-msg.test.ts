import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../support/project.ts";

const HOOK = join(REPO, ".githooks/commit-msg");
const dir = mkdtempSync(join(tmpdir(), "drover-commit-msg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(message: string): { status: number | null; stderr: string } {
  const file = join(dir, "COMMIT_EDITMSG");
  writeFileSync(file, message);
  const r = spawnSync("bash", [HOOK, file], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

describe("the commit-msg hook (.githooks/commit-msg)", () => {
  it("takes a subject, a blank line and a body, with git's comment lines", () => {
    expect(check("Fix the quota count of router ports\n\nA router interface given a port makes none.\n# Please enter the commit message\n").status).toBe(0);
  });

  it.each([
    ["no body", "Fix the quota count\n", "there is no body"],
    ["a body of comments only", "Fix the quota count\n\n# Changes to be committed:\n#\tmodified: lib/quota/needs.ts\n", "there is no body"],
    ["no blank second line", "Fix the quota count\nbecause ports\n", "the second line must be blank"],
    ["an empty subject", "\n\nbody\n", "the subject line is empty"],
    ["a subject past 100 characters", `${"x".repeat(101)}\n\nwhy\n`, "101 characters"],
  ])("refuses %s, saying what is wrong", (_, message, why) => {
    const r = check(message);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(why);
    expect(r.stderr).toContain("docs/contributing.md");
  });

  it("lets fixup commits through: they are folded into another before they land", () => {
    expect(check("fixup! Fix the quota count\n").status).toBe(0);
  });
});
