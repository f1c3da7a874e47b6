import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { ConfigError, UsageError } from "../errors.ts";
import { describeValue } from "../props/check.ts";
import { zod } from "../vendor.ts";

/** The part of `cdktf.json` drover reads, checked by zod when the quick check below fails. */
function cdktfJsonSchema() {
  const z = zod();
  return z
    .object({
      app: z.string().trim().min(1, 'must be the command that runs the app, e.g. "npx tsx main.ts"'),
      output: z.string().trim().min(1, 'must be a directory for the synthesized stacks, e.g. "cdktf.out"').default("cdktf.out"),
      language: z.string().optional(),
    })
    .loose();
}

/** The common case needs no schema library: a non-empty `app` and, if given, a non-empty `output`. */
function quickParse(raw: unknown): { app: string; output: string } | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const { app, output, language } = raw as Record<string, unknown>;
  if (typeof app !== "string" || app.trim() === "") return undefined;
  if (output !== undefined && (typeof output !== "string" || output.trim() === "")) return undefined;
  if (language !== undefined && typeof language !== "string") return undefined;
  return { app: app.trim(), output: typeof output === "string" ? output.trim() : "cdktf.out" };
}

export interface Project {
  /** Directory holding `cdktf.json`. */
  readonly root: string;
  /** `cdktf.json`'s `app` command. */
  readonly appCommand: string;
  /** The app's entry file (absolute), found in the `app` command. */
  readonly entry: string;
  /** Output directory (absolute), `cdktf.out` by default. */
  readonly outdir: string;
  /** Output directory as written in cdktf.json (relative to root). */
  readonly output: string;
}

const ENTRY_EXTENSIONS = /\.(m?[jt]s|c[jt]s|tsx|jsx)$/;

/** Finds the project: the nearest directory at or above `cwd` holding a `cdktf.json`. */
export function findProjectRoot(cwd: string): string {
  let dir = resolve(cwd);
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`the directory ${dir} does not exist`, ["Check the path given to -C/--cwd (or the current directory), or create the project there."]);
  if (!stat.isDirectory()) throw new UsageError(`${dir} is a file, not a directory`, ["Give -C/--cwd the project's directory (the one holding cdktf.json)."]);
  for (;;) {
    if (existsSync(join(dir, "cdktf.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new ConfigError(`no cdktf.json in ${resolve(cwd)} or any directory above it`, ["Run drover inside a drover (or cdktf) project, or pass --cwd <dir>."]);
    }
    dir = parent;
  }
}

/** Reads and checks `cdktf.json`; every problem is reported with the file name and the fix. */
export function loadProject(cwd: string): Project {
  const root = findProjectRoot(cwd);
  const file = join(root, "cdktf.json");
  const shown = relative(cwd, file) || "cdktf.json";
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`${shown} cannot be read: ${(e as NodeJS.ErrnoException).code === "EISDIR" ? "it is a directory" : (e as Error).message}`, [
      'cdktf.json is a file naming the app, e.g. { "app": "npx tsx main.ts" }: replace what stands there with one.',
    ]);
  }
  let raw: unknown;
  try {
    // An editor's byte-order mark is not part of the JSON.
    raw = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new ConfigError(`${shown} is not valid JSON: ${(e as Error).message}`, [
      'Write it as JSON (double-quoted keys and text, no trailing commas), e.g. { "app": "npx tsx main.ts", "output": "cdktf.out" }.',
    ]);
  }
  let data = quickParse(raw);
  if (!data) {
    // Something is off: zod says precisely what.
    const parsed = cdktfJsonSchema().safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(
        `${file} has problems:`,
        parsed.error.issues.map((i) => {
          const path = i.path.join(".") || "(top level)";
          const value = i.path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
          if (i.code !== "invalid_type") return `${path}: ${i.message}`;
          if (value === undefined) return `${path}: is required${i.path[0] === "app" ? ': the command that runs the app, e.g. "npx tsx main.ts"' : ""}`;
          const want = i.expected === "string" ? "must be text" : `must be ${i.expected === "object" ? "an object" : `a ${i.expected}`}`;
          return `${path}: ${describeValue(value)} ${want}${i.path[0] === "app" ? ': the command that runs the app, e.g. "npx tsx main.ts"' : ""}`;
        }),
      );
    }
    data = { app: parsed.data.app, output: parsed.data.output };
  }
  const { app, output } = data;
  const entry = entryFromCommand(app, root);
  if (!entry) {
    throw new ConfigError(`cdktf.json: cannot find the app's entry file in "app": "${app}"`, [
      'drover runs the app in-process and needs a TypeScript or JavaScript file in the command, e.g. "npx tsx main.ts".',
    ]);
  }
  if (!existsSync(entry)) {
    throw new ConfigError(`cdktf.json: "app" runs ${relative(root, entry)}, which does not exist in ${root}`, ['Create it, or point "app" at the file that builds your stacks.']);
  }
  return { root, appCommand: app, entry, output, outdir: resolve(root, output) };
}

/** The last argument of the command that looks like a script file. */
export function entryFromCommand(command: string, root: string): string | undefined {
  const words = command.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  const files = words.map((w) => w.replace(/^["']|["']$/g, "")).filter((w) => ENTRY_EXTENSIONS.test(w));
  const last = files[files.length - 1];
  if (!last) return undefined;
  return isAbsolute(last) ? last : resolve(root, last);
}
