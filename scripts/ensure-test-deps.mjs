#!/usr/bin/env node
// Installs the optional provider bindings the test suite needs (package.json peerDependencies
// marked optional), which `npm ci` leaves out so that a person using only OpenStack never
// downloads them. Runs before `npm test`; does nothing when they are already there.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const require = createRequire(import.meta.url);
const optional = Object.entries(pkg.peerDependencies ?? {}).filter(([name]) => pkg.peerDependenciesMeta?.[name]?.optional);
const missing = optional.filter(([name, version]) => {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version !== version;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  const specs = missing.map(([name, version]) => `${name}@${version}`);
  console.log(`installing the optional packages the tests need: ${specs.join(", ")}`);
  // --save-dev with --no-save: npm installs a declared optional peer only when asked for it as a
  // dependency, and --no-save leaves package.json and the lockfile as they are.
  const r = spawnSync("npm", ["install", "--no-save", "--save-dev", "--no-audit", "--no-fund", ...specs], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`could not install ${specs.join(", ")}; run: npm install --no-save --save-dev ${specs.join(" ")}`);
    process.exit(r.status ?? 1);
  }
}
