import { findSourceMap } from "node:module";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, isDroverError, type DroverError } from "../errors.ts";
import { packageRoot } from "../paths.ts";
import type { Project } from "./project.ts";
import { plainlyFormatted } from "./stack-traces.ts";

/** drover's own code: a frame there is never where the person should look, even inside this repository. */
function droverDirs(): string[] {
  let root: string;
  try {
    root = packageRoot();
  } catch {
    return [];
  }
  return ["constructs", "lib", "dist", "bin", "scripts", ".gen", "templates"].map((d) => join(root, d) + sep);
}

/**
 * A position in the person's TypeScript, when the frame is in the code the TypeScript loader
 * made of it (drover formats traces plainly while an app runs, without Node's source mapping).
 */
function original(fileOrUrl: string, line: number, column: number): string | undefined {
  try {
    const entry = findSourceMap(fileOrUrl)?.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number } | undefined;
    return entry?.originalLine !== undefined && entry.originalColumn !== undefined ? `${entry.originalLine + 1}:${entry.originalColumn + 1}` : undefined;
  } catch {
    return undefined;
  }
}

/** The first stack frame in the project's own files (not node_modules, not drover's): where the person looks. */
export function userFrame(error: unknown, root: string): string | undefined {
  const stack = typeof error === "object" && error !== null && typeof (error as { stack?: unknown }).stack === "string" ? (error as { stack: string }).stack : "";
  const own = droverDirs();
  // Only a plainly formatted trace needs mapping: Node's own formatting has mapped it already.
  const mapped = typeof error === "object" && error !== null && !plainlyFormatted().has(error);
  for (const line of stack.split("\n")) {
    const m = line.match(/\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/);
    if (!m?.[1]) continue;
    const file = m[1].startsWith("file://") ? fileURLToPath(m[1]) : m[1];
    if (!file.startsWith(root + sep) || file.includes(`${sep}node_modules${sep}`) || own.some((d) => file.startsWith(d))) continue;
    return `${relative(root, file)}:${(mapped ? undefined : original(m[1], Number(m[2]), Number(m[3]))) ?? `${m[2]}:${m[3]}`}`;
  }
  return undefined;
}

/** cdktf reports error annotations and failed validations as one text: one line per problem. */
function cdktfProblemLines(message: string): string[] | undefined {
  if (!/Encountered Annotation with level "?'?ERROR|validation failed|Validation failed/i.test(message)) return undefined;
  return message
    .split("\n")
    .slice(1)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.replace(/^\[([^\]]+)\]\s*/, "$1: "));
}

/**
 * Turns whatever the app threw while building its stacks into an error for the person: drover's
 * own errors as they are, cdktf's validation text split into lines, anything else as a
 * configuration error naming the app and the line in the person's code.
 */
export function appFailure(error: unknown, project: Project): DroverError {
  const app = relative(project.root, project.entry);
  if (isDroverError(error)) {
    const where = error.details.length > 1 && !error.message.includes(app) ? ` (in ${app})` : "";
    // The line of the person's code that made the construct (never one of drover's files).
    const frame = userFrame(error, project.root);
    const details = frame && !error.details.some((d) => d.startsWith("at ")) ? [...error.details, `at ${frame}`] : error.details;
    return Object.assign(error, { message: `${error.message}${where}`, details });
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = cdktfProblemLines(message);
  if (lines) return new ConfigError(`the stacks in ${app} did not pass cdktf's validation:`, lines);
  const frame = userFrame(error, project.root);
  const details = [...(frame ? [`at ${frame}`] : []), "Set DROVER_DEBUG=1 to print the full stack trace."];
  return new ConfigError(`${app} failed while building its stacks: ${message}`, details);
}
