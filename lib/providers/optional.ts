import { createRequire } from "node:module";
import { ConfigError } from "../errors.ts";

/**
 * Provider bindings drover declares as optional peer dependencies: each is hundreds of MB, so a
 * plain `npm install` of drover leaves them out, and a person installs the one for the cloud
 * they use. They are loaded on first use, by deep path (a package's index loads every resource
 * of the provider: seconds and gigabytes), so a stack that never names the cloud never loads it.
 * Each cloud declares its own beside the driver that uses it (`constructs/<cloud>/bindings.ts`);
 * nothing here knows which clouds there are.
 */
export interface OptionalPackage {
  readonly name: string;
  /** The version drover is built and tested against, as pinned in package.json. */
  readonly version: string;
  /** What it is and what needs it, for the message when it is missing. */
  readonly purpose: string;
}

// Resolved from drover's own location, where npm puts a peer dependency of drover.
const requireHere = createRequire(import.meta.url);

const MISSING = new Set(["MODULE_NOT_FOUND", "ERR_MODULE_NOT_FOUND", "ERR_PACKAGE_PATH_NOT_EXPORTED"]);

function installCommand(pkg: OptionalPackage): string {
  return `npm install --save-dev ${pkg.name}@${pkg.version}`;
}

/**
 * One module of an optional package, e.g. `loadOptional(AWS_PROVIDER_PACKAGE,
 * "lib/instance/index.js")` (constructs/aws/bindings.ts). Throws a ConfigError (exit code 2) naming the package, its version
 * and the command that installs it when the package is not installed, or when another major
 * version is.
 */
export function loadOptional<T>(pkg: OptionalPackage, subpath: string): T {
  checkVersion(pkg);
  return requireHere(`${pkg.name}/${subpath}`) as T;
}

const checked = new Set<string>();

function checkVersion(pkg: OptionalPackage): void {
  if (checked.has(pkg.name)) return;
  let version: string;
  try {
    version = (requireHere(`${pkg.name}/package.json`) as { version: string }).version;
  } catch (e) {
    if (!MISSING.has((e as NodeJS.ErrnoException).code ?? "")) throw e;
    throw new ConfigError(`this stack needs the npm package ${pkg.name} ${pkg.version}, which is not installed`, [
      `It holds ${pkg.purpose}. drover lists it as an optional peer dependency, so installing drover alone leaves it out (it is large, and stacks on other clouds never load it).`,
      `Install it in the project: ${installCommand(pkg)}`,
    ]);
  }
  const major = (v: string) => v.split(".")[0];
  if (major(version) !== major(pkg.version)) {
    throw new ConfigError(`this stack needs ${pkg.name} ${pkg.version}, and version ${version} is installed`, [
      `drover is built against ${pkg.version}, ${pkg.purpose}; other major versions generate different resources.`,
      `Install the expected version: ${installCommand(pkg)}`,
    ]);
  }
  checked.add(pkg.name);
}
