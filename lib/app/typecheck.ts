import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
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
    writeFileSync(
      join(dir, "typecheck.tsconfig.json"),
      text.replace(/"extends": "[^"]*"/, `"extends": ${JSON.stringify(join(project.root, "tsconfig.json"))}`).replace(/"files": \[[^\]]*\]/, `"files": [${JSON.stringify(project.entry)}]`),
    );
    return { config: join(dir, "typecheck.tsconfig.json"), buildInfo: join(dir, "tsbuildinfo") };
  }
  return { config, buildInfo: join(dir, "tsbuildinfo") };
}

/** `Cannot find module '@cdktf/provider-aws/lib/instance/index.js' or its corresponding type declarations.` */
const MISSING_PROVIDER = /^Cannot find module '(@cdktf\/provider-[^/']+)/;

/** `constructs/<dir>/` of drover's own package root that `file` is in, or undefined (the app's files, drover's other files). */
function driverFolder(file: string, droverRoot: string): string | undefined {
  const rel = relative(join(droverRoot, "constructs"), file).split(sep);
  return rel.length > 1 && rel[0] !== ".." && !isAbsolute(rel[0]!) ? rel[0] : undefined;
}

/**
 * tsc's output lines (from `root`) without the diagnostics, and their continuation lines, of
 * drover's driver folders whose provider package is not installed. In drover's own source (this
 * repository's examples import it) the driver folders `constructs/<cloud>/` import an optional
 * provider package, which `npm ci` leaves out: a type error in such a folder is the missing
 * package's, not the app's. The compiled package's types never name a provider, and
 * scripts/build-package.mjs tolerates the same errors by the same rule.
 *
 * No list of clouds: a folder is excused when tsc says, in that folder, that it cannot find a
 * `@cdktf/provider-…` module (TS2307) and that package does not resolve from drover's root.
 * Both are needed: tsc's word ties the errors to a missing provider, and the resolution keeps a
 * mistyped deep path into an installed provider (the same TS2307) an error. The app's own files
 * and drover's cloud-neutral constructs are never excused.
 */
export function withoutAbsentDrivers(output: string, root: string, droverRoot: string, installed: (pkg: string) => boolean): string[] {
  const lines = output.split("\n").filter((l) => l.trim() !== "");
  const absent = new Set<string>();
  for (const m of lines.map((l) => DIAGNOSTIC.exec(l))) {
    const pkg = m?.[4] === "TS2307" ? MISSING_PROVIDER.exec(m[5]!)?.[1] : undefined;
    const folder = m && driverFolder(resolve(root, m[1]!), droverRoot);
    if (pkg && folder && !installed(pkg)) absent.add(folder);
  }
  let tolerated = false;
  return lines.filter((line) => {
    const m = DIAGNOSTIC.exec(line);
    if (m) tolerated = absent.has(driverFolder(resolve(root, m[1]!), droverRoot) ?? "");
    else if (!/^\s/.test(line)) tolerated = false;
    return !tolerated;
  });
}

/** Whether `pkg` resolves from `root`, as tsc resolves it for drover's files there. */
function installedFrom(root: string): (pkg: string) => boolean {
  const require = createRequire(join(root, "package.json"));
  return (pkg) => {
    try {
      require.resolve(`${pkg}/package.json`);
      return true;
    } catch {
      return false;
    }
  };
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
  const lines = withoutAbsentDrivers(`${r.stdout}\n${r.stderr}`, project.root, packageRoot(), installedFrom(packageRoot()));
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
