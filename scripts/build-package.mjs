#!/usr/bin/env node
// Builds what the published package runs: the entry points under api/ compiled to JavaScript
// with their .d.ts files in dist/ (by the TypeScript compiler, one file per source, so
// `drover` and `drover/testing` share one copy of each module), and the command line bundled
// into dist/cli.mjs (scripts/build-cli.mjs). Runs at `npm pack` (prepack) and on `npm ci` /
// a git install (prepare).
//
// The optional provider packages (@cdktf/provider-aws, -google, -azurerm) may be absent (a git
// install builds without them). Their imports are `import type` only and every type drover
// exposes from them is written out, so the JavaScript and .d.ts files come out byte for byte the
// same either way (compared when this was written); only the type check of that cloud's driver
// folder fails. Those errors, for a provider that is not installed, are the ones tolerated.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, buildCli } from "./build-cli.mjs";

const DRIVER_FOLDERS = { "@cdktf/provider-aws": "constructs/aws/", "@cdktf/provider-google": "constructs/gcp/", "@cdktf/provider-azurerm": "constructs/azure/" };

export function compilePackage() {
  const require = createRequire(join(ROOT, "package.json"));
  const tsc = join(require.resolve("typescript/package.json"), "..", "bin", "tsc");
  const absent = Object.entries(DRIVER_FOLDERS).filter(([pkg]) => {
    try {
      require.resolve(`${pkg}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
  // An error line starts with its file; a continuation line (indented) belongs to the one before.
  let tolerated = false;
  const isTolerated = (line) => {
    if (!/^\s/.test(line)) tolerated = absent.some(([, folder]) => line.startsWith(folder));
    return tolerated;
  };
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--pretty", "false"], { cwd: ROOT, encoding: "utf8" });
  const lines = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.trim() !== "");
  const errors = lines.filter((l) => !isTolerated(l));
  if (r.status !== 0 && (errors.length > 0 || lines.length === 0)) {
    throw new Error(`tsc -p tsconfig.build.json failed:\n${errors.join("\n")}`);
  }
  return { absent: lines.length > errors.length ? absent.map(([pkg]) => pkg) : [] };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { absent } = compilePackage();
  await buildCli();
  console.log(`built dist/ (api entries, .d.ts files, cli.mjs)${absent.length ? `; not installed here, so their drivers were not type-checked: ${absent.join(", ")}` : ""}`);
}
