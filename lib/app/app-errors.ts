import { relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, isDroverError, type DroverError } from "../errors.ts";
import type { Project } from "./project.ts";

/** The first stack frame in the project's own files (not node_modules): where the person looks. */
export function userFrame(error: unknown, root: string): string | undefined {
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : "";
  for (const line of stack.split("\n")) {
    const m = line.match(/\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/);
    if (!m || !m[1]) continue;
    const file = m[1].startsWith("file://") ? fileURLToPath(m[1]) : m[1];
    if (!file.startsWith(root + sep) || file.includes(`${sep}node_modules${sep}`)) continue;
    return `${relative(root, file)}:${m[2]}:${m[3]}`;
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
    const where = error.details.length > 1 ? ` (in ${app})` : "";
    return Object.assign(error, { message: `${error.message}${where}` });
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = cdktfProblemLines(message);
  if (lines) return new ConfigError(`the stacks in ${app} did not pass cdktf's validation:`, lines);
  const frame = userFrame(error, project.root);
  const details = [
    ...(frame ? [`at ${frame}`] : []),
    "Set DROVER_DEBUG=1 to print the full stack trace.",
  ];
  return new ConfigError(`${app} failed while building its stacks: ${message}`, details);
}
