import { createRequire } from "node:module";
import { join } from "node:path";

/**
 * cdktf records a full stack trace for every token it creates (thousands per stack), and with
 * source maps on (the TypeScript loader turns them on) Node maps every frame of every trace:
 * for a 1000-machine stack that alone costs seconds. While the app runs, stack traces are
 * formatted plainly (and cdktf's token traces not at all). The TypeScript loader already
 * reports positions in the person's source, so errors still point at the right line.
 */
function plainStackTrace(error: unknown, callSites: readonly NodeJS.CallSite[]): string {
  // cdktf captures into plain objects, only to quote a token's origin in its own errors: leave
  // those empty. Real errors keep their frames.
  if (!(error instanceof Error)) return "";
  plainlyFormatted().add(error);
  return `${error.name}: ${error.message}` + callSites.map((site) => `\n    at ${site.toString()}`).join("");
}

/** Errors whose traces hold the positions of the code the TypeScript loader made (not mapped back). */
export function plainlyFormatted(): WeakSet<object> {
  const g = globalThis as unknown as Record<symbol, WeakSet<object> | undefined>;
  return (g[Symbol.for("drover.plainTraces")] ??= new WeakSet());
}

/**
 * cdktf's token classes call `captureStackTrace` through its module's exports on every token
 * they create, with an unlimited stack depth: V8 collecting those frames is most of what is
 * left. While drover runs an app the capture returns nothing (the traces only feed cdktf's
 * messages about where a token was created). `root` is the project whose cdktf is used.
 */
function silenceTokenTraces(root: string): () => void {
  let mod: { captureStackTrace?: unknown } | undefined;
  try {
    mod = createRequire(join(root, "package.json"))("cdktf/lib/tokens/private/stack-trace.js") as { captureStackTrace?: unknown };
  } catch {
    return () => undefined;
  }
  const original = mod.captureStackTrace;
  if (typeof original !== "function") return () => undefined;
  mod.captureStackTrace = () => [];
  return () => {
    mod!.captureStackTrace = original;
  };
}

/**
 * cdktf's `DataResource` (terraform_data) checks the terraform version with a validation that
 * runs `terraform version` once per instance: a stack of 200 of them spends ten seconds on it.
 * The answer cannot change within one synthesis, so while drover runs an app each distinct check
 * runs once. Whether it passes is cdktf's rule, unchanged.
 */
function memoizeVersionChecks(root: string): () => void {
  let proto: { validate?: (this: { versionCommand: string; versionConstraint: string }) => string[] } | undefined;
  try {
    const mod = createRequire(join(root, "package.json"))("cdktf/lib/validations/validate-binary-version.js") as {
      ValidateBinaryVersion?: { prototype: typeof proto };
    };
    proto = mod.ValidateBinaryVersion?.prototype;
  } catch {
    return () => undefined;
  }
  const original = proto?.validate;
  if (!proto || typeof original !== "function") return () => undefined;
  const results = new Map<string, string[]>();
  proto.validate = function (this: { versionCommand: string; versionConstraint: string }) {
    const key = `${this.versionCommand}\0${this.versionConstraint}`;
    let result = results.get(key);
    if (!result) {
      result = original.call(this);
      results.set(key, result);
    }
    return [...result];
  };
  return () => {
    proto!.validate = original;
  };
}

/** Runs an app's synthesis the fast way (see above); everything is restored afterwards. */
export async function withPlainStackTraces<T>(work: () => Promise<T>, root = process.cwd()): Promise<T> {
  const previous = Error.prepareStackTrace;
  const previousLimit = Error.stackTraceLimit;
  Error.prepareStackTrace = plainStackTrace;
  // Deep enough to reach the person's line under a construct's checks.
  Error.stackTraceLimit = Math.max(previousLimit, 50);
  const restoreTraces = silenceTokenTraces(root);
  const restoreChecks = memoizeVersionChecks(root);
  try {
    return await work();
  } finally {
    restoreChecks();
    restoreTraces();
    Error.prepareStackTrace = previous;
    Error.stackTraceLimit = previousLimit;
  }
}
