import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";

/**
 * How a new project should depend on drover: the way the running drover was installed, so that
 * `npm exec --package=<tarball> -- drover init` makes a project of that tarball, a git install a
 * project of that git URL, and a registry install a project of that version.
 */
export interface DroverSpec {
  /** What goes into the new package.json's `dependencies.drover`. */
  readonly spec: string;
  /** Where it came from, in words, for the summary. */
  readonly from: "registry" | "tarball" | "git" | "directory" | "given";
}

type Json = Record<string, unknown>;

function readJson(path: string): Json | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Json;
  } catch {
    return undefined;
  }
}

/** A `file:` spec relative to the package.json that holds it, made absolute for another directory. */
function absoluteFile(spec: string, base: string): string {
  const path = spec.slice("file:".length);
  return `file:${isAbsolute(path) ? path : resolve(base, path)}`;
}

export function classify(spec: string): DroverSpec["from"] {
  if (/^file:.*\.(tgz|tar\.gz|tar)$/.test(spec) || /\.(tgz|tar\.gz)$/.test(spec)) return "tarball";
  if (spec.startsWith("file:")) return "directory";
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|https?:\/\/.*\.git(#.*)?$)/.test(spec) || /^[\w.-]+\/[\w.-]+(#.*)?$/.test(spec)) return "git";
  return "registry";
}

/**
 * The spec for drover installed at `root` (its package directory) with `version`. Read from the
 * package.json of the project that installed it (npm exec's cache directory holds one naming
 * exactly what `--package` was given); a drover run from its own checkout is that directory;
 * anything else (a global install) is the registry version.
 */
export function droverSpec(root: string, version: string): DroverSpec {
  const parent = dirname(root);
  if (basename(parent) === "node_modules") {
    const project = dirname(parent);
    const pkg = readJson(join(project, "package.json"));
    const deps = { ...(pkg?.devDependencies as Json | undefined), ...(pkg?.dependencies as Json | undefined) };
    const raw = deps.drover;
    if (typeof raw === "string" && raw.trim() !== "") {
      const spec = raw.startsWith("file:") ? absoluteFile(raw, project) : raw;
      const from = classify(spec);
      // A range from the registry ("^0.1.0", "latest") becomes the version that is running.
      return from === "registry" ? { spec: `^${version}`, from } : { spec, from };
    }
    return { spec: `^${version}`, from: "registry" };
  }
  // Not under node_modules: a checkout of the repository (a contributor trying init).
  if (existsSync(join(root, ".git")) || existsSync(join(root, "lib", "cli", "main.ts"))) return { spec: `file:${root.endsWith(sep) ? root.slice(0, -1) : root}`, from: "directory" };
  return { spec: `^${version}`, from: "registry" };
}
