// Bundles drover's command line (lib/cli/main.ts and everything it imports from lib/) into
// dist/cli.mjs, so that a command starts without compiling TypeScript: about 150 ms less per
// command on the development machines. Packages stay external (loaded from node_modules).
// The stacks a command synthesizes are still loaded as TypeScript, by tsx, at synthesis.
//
// bin/drover.mjs calls `freshCli` on every start (a stat per source file) and rebuilds when a
// source changed; `npm ci` builds it once through the "prepare" script.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
export const CLI = join(DIST, "cli.mjs");
const INPUTS = join(DIST, "cli.inputs.json");

/** Whether dist/cli.mjs exists and is newer than every file it was built from. */
export function isFresh() {
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(INPUTS, "utf8"));
  } catch {
    return false;
  }
  const built = inputs.builtAtMs;
  try {
    if (statSync(CLI).mtimeMs < built) return false;
    for (const file of inputs.files) if (statSync(join(ROOT, file)).mtimeMs > built) return false;
  } catch {
    return false; // a source was deleted or renamed
  }
  return true;
}

/** Builds dist/cli.mjs; safe to run from several processes at once (each renames its own file in). */
export async function buildCli() {
  const { build } = await import("esbuild");
  const startedMs = Date.now();
  mkdirSync(DIST, { recursive: true });
  const tmp = `${CLI}.${process.pid}.tmp`;
  const result = await build({
    entryPoints: [join(ROOT, "lib/cli/main.ts")],
    outfile: tmp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    metafile: true,
    logLevel: "silent",
  });
  const files = Object.keys(result.metafile.inputs).map((f) => relative(ROOT, join(ROOT, f)));
  renameSync(tmp, CLI);
  // Written last: a build interrupted before this point is rebuilt next time.
  const inputsTmp = `${INPUTS}.${process.pid}.tmp`;
  writeFileSync(inputsTmp, JSON.stringify({ builtAtMs: startedMs - 1, files }));
  renameSync(inputsTmp, INPUTS);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli();
  console.log(`built ${relative(process.cwd(), CLI) || CLI}`);
}
