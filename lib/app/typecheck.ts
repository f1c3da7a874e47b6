import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { ConfigError } from "../errors.ts";
import { packageRoot } from "../paths.ts";
import { run } from "../exec.ts";
import { mark } from "../timing.ts";
import type { Project } from "./project.ts";

/**
 * The type check before synthesis: the app's entry file and everything it imports, checked by the
 * project's own TypeScript with the project's own tsconfig.json, so that a misspelt prop or a
 * wrong type stops `drover synth` at the person's file and line (exit 2) instead of synthesizing
 * something else. Incremental: TypeScript keeps what it learnt in `.drover/tsbuildinfo`, and a
 * run where nothing changed costs a few hundred milliseconds (bench/typecheck.ts).
 *
 * Skipped, without a word, for an app without a tsconfig.json or in JavaScript; skipped with a
 * notice when the project has a tsconfig.json but no TypeScript installed.
 */
export interface TypecheckSettings {
  /** `--no-typecheck` turns it off for the process. */
  enabled: boolean;
}

const KEY = Symbol.for("drover.typecheckSettings");
/** Process-wide, like the app run's own settings: the CLI sets them once, before any command runs. */
export function typecheckSettings(): TypecheckSettings {
  const g = globalThis as unknown as Record<symbol, TypecheckSettings | undefined>;
  return (g[KEY] ??= { enabled: process.env.DROVER_TYPECHECK !== "0" });
}

export type TypecheckOutcome = { readonly checked: true; readonly durationMs: number } | { readonly checked: false; readonly reason: string; readonly notice?: string };

const TS_ENTRY = /\.(m|c)?tsx?$/;
/** `stacks/vm.ts(16,5): error TS2353: Object literal may ...` */
const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;

/** The project's TypeScript compiler (its `tsc` script), or undefined when it has none. */
function projectTsc(root: string): string | undefined {
  try {
    const pkgPath = createRequire(join(root, "package.json")).resolve("typescript/package.json");
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { bin?: string | Record<string, string> };
    const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.tsc;
    return bin ? join(dirname(pkgPath), bin) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A tsconfig that extends the project's and names only the app's entry: tests and scripts the
 * project's own tsconfig also covers are not the app and do not hold up a synth.
 */
function appConfig(project: Project): { config: string; buildInfo: string } {
  let dir = join(project.root, ".drover");
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    // A read-only project: check all the same, without remembering anything for next time.
    dir = mkdtempSync(join(tmpdir(), "drover-typecheck-"));
  }
  const config = join(dir, "typecheck.tsconfig.json");
  const text = `${JSON.stringify({ extends: relative(dir, join(project.root, "tsconfig.json")), include: [], files: [relative(dir, project.entry)] }, null, 2)}\n`;
  try {
    if (!existsSync(config) || readFileSync(config, "utf8") !== text) writeFileSync(config, text);
  } catch {
    dir = mkdtempSync(join(tmpdir(), "drover-typecheck-"));
    writeFileSync(join(dir, "typecheck.tsconfig.json"), text.replace(/"extends": "[^"]*"/, `"extends": ${JSON.stringify(join(project.root, "tsconfig.json"))}`).replace(/"files": \[[^\]]*\]/, `"files": [${JSON.stringify(project.entry)}]`));
    return { config: join(dir, "typecheck.tsconfig.json"), buildInfo: join(dir, "tsbuildinfo") };
  }
  return { config, buildInfo: join(dir, "tsbuildinfo") };
}

/**
 * drover's own driver folders, by the optional provider package they need. In drover's source
 * (this repository's examples) their files import those packages, which `npm ci` leaves out: a
 * type error in such a folder while its provider is not installed is the missing package's, not
 * the app's (the compiled package's types never name a provider; scripts/build-package.mjs
 * tolerates the same errors).
 */
const DRIVER_FOLDERS: ReadonlyArray<readonly [string, string]> = [
  ["@cdktf/provider-aws", "constructs/aws/"],
  ["@cdktf/provider-google", "constructs/gcp/"],
  ["@cdktf/provider-azurerm", "constructs/azure/"],
];

function absentDriverFolders(root: string): string[] {
  const require = createRequire(join(root, "package.json"));
  return DRIVER_FOLDERS.filter(([pkg]) => {
    try {
      require.resolve(`${pkg}/package.json`);
      return false;
    } catch {
      return true;
    }
  }).map(([, folder]) => join(packageRoot(), folder));
}

/**
 * tsc's output lines without the diagnostics (and their continuation lines) of files in `absent`
 * folders: drover's driver folders whose optional provider package is not installed.
 */
export function withoutAbsentDrivers(output: string, root: string, absent: readonly string[]): string[] {
  let tolerated = false;
  return output
    .split("\n")
    .filter((l) => l.trim() !== "")
    .filter((line) => {
      const m = DIAGNOSTIC.exec(line);
      if (m) tolerated = absent.some((folder) => join(root, m[1]!).startsWith(folder));
      else if (!/^\s/.test(line)) tolerated = false;
      return !tolerated;
    });
}

/** Type-checks the app; throws a ConfigError (exit 2) listing each error at its file and line. */
export async function typecheckApp(project: Project): Promise<TypecheckOutcome> {
  if (!typecheckSettings().enabled) return { checked: false, reason: "--no-typecheck" };
  if (!TS_ENTRY.test(project.entry)) return { checked: false, reason: "the app is not TypeScript" };
  if (!existsSync(join(project.root, "tsconfig.json"))) return { checked: false, reason: "no tsconfig.json" };
  const tsc = projectTsc(project.root);
  if (!tsc) {
    return {
      checked: false,
      reason: "TypeScript is not installed in the project",
      notice: "drover: the app was not type-checked: the project has a tsconfig.json but no TypeScript (npm install --save-dev typescript), or pass --no-typecheck.",
    };
  }
  const started = performance.now();
  const { config, buildInfo } = appConfig(project);
  const r = await run(process.execPath, [tsc, "--noEmit", "--pretty", "false", "-p", config, "--incremental", "--tsBuildInfoFile", buildInfo], { cwd: project.root });
  mark("synth: type-checked");
  if (r.exitCode === 0) return { checked: true, durationMs: performance.now() - started };

  // One diagnostic per line; an indented line continues the one before (tsc's "elaboration").
  const lines = withoutAbsentDrivers(`${r.stdout}\n${r.stderr}`, project.root, absentDriverFolders(project.root));
  if (lines.length === 0) return { checked: true, durationMs: performance.now() - started };
  const details: string[] = [];
  let errors = 0;
  for (const line of lines) {
    const m = DIAGNOSTIC.exec(line);
    if (m) {
      errors++;
      const [, file, row, col, code, message] = m;
      details.push(`${relative(project.root, join(project.root, file!))}:${row}:${col} ${code}: ${message}`);
    } else if (/^\s/.test(line) && details.length > 0) {
      details.push(`  ${line.trim()}`);
    } else {
      details.push(line.trim());
    }
  }
  const what = errors === 0 ? "TypeScript could not check the app" : `the app has ${errors} type error${errors === 1 ? "" : "s"}`;
  throw new ConfigError(`${what} (checked before synthesis, with tsconfig.json)`, [
    ...details,
    errors === 0 ? "Fix tsconfig.json so that `npx tsc --noEmit` runs, or synthesize without the check: --no-typecheck." : "Fix them and run again, or synthesize without the check: --no-typecheck.",
  ]);
}
