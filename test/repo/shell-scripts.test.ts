import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/project.ts";
import { hasTool, runTool } from "../support/tools.ts";

/** Shell scripts kept in the repository (rendered ones are checked where they are rendered). */
function shellScripts(): string[] {
  const found = [join(REPO, ".ci/run"), join(REPO, ".githooks/commit-msg")];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".sh")) found.push(path);
    }
  };
  walk(join(REPO, "templates"));
  return found;
}

describe.runIf(hasTool("shellcheck", "apt-get install shellcheck"))("shell scripts", () => {
  it("finds the scripts it should check", () => {
    expect(shellScripts().map((p) => relative(REPO, p))).toEqual(expect.arrayContaining([".ci/run", "templates/cloud-init/drover-volumes.sh"]));
  });

  it.each(shellScripts().map((p) => [relative(REPO, p), p]))("%s passes shellcheck", (_, path) => {
    // Templates hold {{placeholders}} inside quoted strings, which shellcheck reads as plain text.
    // -x with the script's own directory: a program is checked together with the library it sources.
    expect(runTool("shellcheck", ["--shell=bash", "--severity=style", "-x", "--source-path=SCRIPTDIR", path])).toBe("");
  });
});
