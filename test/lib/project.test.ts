import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { entryFromCommand, loadProject } from "../../lib/app/project.ts";
import { ConfigError } from "../../lib/errors.ts";

function project(cdktfJson: string | undefined, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "drover-project-"));
  if (cdktfJson !== undefined) writeFileSync(join(dir, "cdktf.json"), cdktfJson);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function error(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}

describe("loadProject", () => {
  it("reads the app entry and output directory, from a subdirectory too", () => {
    const dir = project(JSON.stringify({ app: "npx tsx main.ts", output: "out" }), { "main.ts": "" });
    mkdirSync(join(dir, "stacks"));
    const p = loadProject(join(dir, "stacks"));
    expect(p).toMatchObject({ root: dir, entry: join(dir, "main.ts"), outdir: join(dir, "out"), output: "out" });
  });

  it("defaults the output directory to cdktf.out", () => {
    const dir = project(JSON.stringify({ app: "node app.mjs" }), { "app.mjs": "" });
    expect(loadProject(dir).outdir).toBe(join(dir, "cdktf.out"));
  });

  it.each([
    ["not JSON", "{ app: ", /^cdktf.json is not valid JSON: /],
    ["no app", JSON.stringify({ output: "x" }), /has problems:$/],
    ["app without a file", JSON.stringify({ app: "make synth" }), /^cdktf.json: cannot find the app's entry file in "app": "make synth"$/],
    ["app file missing", JSON.stringify({ app: "npx tsx missing.ts" }), /^cdktf.json: "app" runs missing.ts, which does not exist in /],
  ])("explains %s", (_, json, message) => {
    const dir = project(json);
    expect(error(() => loadProject(dir)).message).toMatch(message);
  });

  it.each([
    ["a number for app", { app: 42 }, 'app: 42 must be text: the command that runs the app, e.g. "npx tsx main.ts"'],
    ["a list for app", { app: ["npx", "tsx"] }, 'app: ["npx", "tsx"] must be text: the command that runs the app, e.g. "npx tsx main.ts"'],
    ["a number for output", { app: "npx tsx main.ts", output: 3 }, "output: 3 must be text"],
    ["null for the whole file", null, "(top level): null must be an object"],
  ])("GIVEN %s THEN it names the value and what is allowed, not 'is required'", (_, json, detail) => {
    const dir = project(JSON.stringify(json), { "main.ts": "" });
    expect(error(() => loadProject(dir)).details).toEqual([detail]);
  });

  it("GIVEN -C to a directory that does not exist, or to a file THEN it says so", () => {
    const dir = project(undefined, { "a.txt": "" });
    expect(() => loadProject(join(dir, "nope"))).toThrow(`the directory ${join(dir, "nope")} does not exist`);
    expect(() => loadProject(join(dir, "a.txt"))).toThrow(`${join(dir, "a.txt")} is a file, not a directory`);
  });

  it("names the missing field", () => {
    const dir = project(JSON.stringify({ output: "x" }));
    expect(error(() => loadProject(dir)).details).toEqual(['app: is required: the command that runs the app, e.g. "npx tsx main.ts"']);
  });

  it("says where it looked when there is no cdktf.json", () => {
    const dir = project(undefined);
    const e = error(() => loadProject(dir));
    expect(e.message).toBe(`no cdktf.json in ${dir} or any directory above it`);
    expect(e.details).toEqual(["Run drover inside a drover (or cdktf) project, or pass --cwd <dir>."]);
  });
});

describe("entryFromCommand", () => {
  it.each([
    ["npx tsx main.ts", "/p/main.ts"],
    ["npx ts-node --swc src/app.ts", "/p/src/app.ts"],
    ['node "my app.mjs"', "/p/my app.mjs"],
    ["node /abs/app.js", "/abs/app.js"],
    ["pipenv run python main.py", undefined],
  ])("%s → %s", (cmd, entry) => {
    expect(entryFromCommand(cmd, "/p")).toBe(entry);
  });
});
