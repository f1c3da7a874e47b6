#!/usr/bin/env node
// Builds what the published package runs: the entry points under api/ compiled to JavaScript
// with their .d.ts files in dist/ (by the TypeScript compiler, one file per source, so
// `drover` and `drover/testing` share one copy of each module), and the command line bundled
// into dist/cli.mjs (scripts/build-cli.mjs). Runs at `npm pack` (prepack) and on `npm ci` /
// a git install (prepare).
//
// The optional provider packages (package.json's optional peer dependencies) may be absent (a git
// install builds without them). Their imports are `import type` only and every type drover
// exposes from them is written out, so the JavaScript and .d.ts files come out byte for byte the
// same either way (compared when this was written); only the type check of that cloud's driver
// folder fails. Those errors, for a provider that is not installed, are the ones tolerated.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, buildCli } from "./build-cli.mjs";

/** `constructs/aws/driver.ts(3,31): error TS2307: Cannot find module '@cdktf/provider-aws/lib/…' or …` */
const DIAGNOSTIC = /^(.+?)\(\d+,\d+\): error (TS\d+): (.*)$/;
const MISSING_PROVIDER = /^Cannot find module '(@cdktf\/provider-[^/']+)/;
const DRIVER_FOLDER = /^constructs\/([^/]+)\//;

/**
 * tsc's output lines (paths relative to ROOT) without those of the driver folders whose provider
 * is not installed, and those providers. The rule of lib/app/typecheck.ts (withoutAbsentDrivers),
 * written again because this script cannot import TypeScript, and with no list of clouds: a
 * folder `constructs/<dir>/` is excused when tsc says in it that a `@cdktf/provider-…` module
 * cannot be found (TS2307) and that package does not resolve from drover's root.
 */
export function withoutAbsentDrivers(output, installed) {
  const lines = output.split("\n").filter((l) => l.trim() !== "");
  const absent = new Map();
  for (const m of lines.map((l) => DIAGNOSTIC.exec(l))) {
    const pkg = m?.[2] === "TS2307" ? MISSING_PROVIDER.exec(m[3])?.[1] : undefined;
    const folder = m && DRIVER_FOLDER.exec(m[1])?.[1];
    if (pkg && folder && !installed(pkg)) absent.set(folder, pkg);
  }
  // An error line starts with its file; a continuation line (indented) belongs to the one before.
  let tolerated = false;
  const kept = lines.filter((line) => {
    const m = DIAGNOSTIC.exec(line);
    if (m) tolerated = absent.has(DRIVER_FOLDER.exec(m[1])?.[1]);
    else if (!/^\s/.test(line)) tolerated = false;
    return !tolerated;
  });
  return { lines: kept, absent: [...new Set(absent.values())].sort() };
}

export function compilePackage() {
  const require = createRequire(join(ROOT, "package.json"));
  const tsc = join(require.resolve("typescript/package.json"), "..", "bin", "tsc");
  const installed = (pkg) => {
    try {
      require.resolve(`${pkg}/package.json`);
      return true;
    } catch {
      return false;
    }
  };
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--pretty", "false"], { cwd: ROOT, encoding: "utf8" });
  const output = `${r.stdout}${r.stderr}`;
  const { lines: errors, absent } = withoutAbsentDrivers(output, installed);
  if (r.status !== 0 && (errors.length > 0 || output.trim() === "")) {
    throw new Error(`tsc -p tsconfig.build.json failed:\n${errors.join("\n")}`);
  }
  return { absent };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { absent } = compilePackage();
  await buildCli();
  console.log(`built dist/ (api entries, .d.ts files, cli.mjs)${absent.length ? `; not installed here, so their drivers were not type-checked: ${absent.join(", ")}` : ""}`);
}
