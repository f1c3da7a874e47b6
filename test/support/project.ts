import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const DROVER_BIN = join(REPO, "bin/drover.mjs");

/**
 * A throw-away drover project: `cdktf.json`, the given files, and links to this repository's
 * code and node_modules, so an app can `import ... from "./constructs/index.ts"` as the examples do.
 */
export function makeProject(files: Record<string, string>, options: { copyExamples?: boolean; parent?: string } = {}): string {
  if (options.parent) mkdirSync(options.parent, { recursive: true });
  const dir = mkdtempSync(join(options.parent ?? tmpdir(), "drover-cli-"));
  for (const link of ["node_modules", "constructs", "lib", ".gen", "templates", "providers", "package.json", "test"]) {
    symlinkSync(join(REPO, link), join(dir, link));
  }
  if (options.copyExamples) {
    cpSync(join(REPO, "stacks"), join(dir, "stacks"), { recursive: true });
    cpSync(join(REPO, "main.ts"), join(dir, "main.ts"));
    cpSync(join(REPO, "cdktf.json"), join(dir, "cdktf.json"));
  } else {
    writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: "npx tsx main.ts", output: "cdktf.out" }));
  }
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI as a person would, in `cwd`. */
export function drover(cwd: string, args: readonly string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [DROVER_BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", DROVER_OWNER: "", ...env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A Node stack trace line, which a person's mistake must never print. */
export const STACK_TRACE_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m;
