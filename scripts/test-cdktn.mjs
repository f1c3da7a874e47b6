#!/usr/bin/env node
// The cdktf route forward: runs the construct tests against CDK Terrain (cdktn), cdktf's community
// fork, installed under cdktf's name ("cdktf": "npm:cdktn@0.24.0"), as a project moving off the
// archived cdktf would. A throw-away git worktree of HEAD gets the usual `npm ci`, then the alias
// (with the constructs version cdktn 0.24 accepts, >=10.6 <10.8) and the optional providers.
// `--save-dev` with `--no-save`: npm installs a declared optional peer only when asked for it as a
// dependency (scripts/ensure-test-deps.mjs does the same). `--legacy-peer-deps`:
// @cdktf/provider-random and the commercial providers declare cdktf ^0.21 as a peer, which the
// alias's 0.24 does not satisfy although their code runs on it.
//
//   npm run test:cdktn                  test/constructs and test/api
//   npm run test:cdktn -- test/lib      other test paths
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./build-cli.mjs";

const CDKTN = "cdktf@npm:cdktn@0.24.0";
const CONSTRUCTS = "constructs@10.7.2";
const paths = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["test/constructs", "test/api"];
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
env.CHECKPOINT_DISABLE = "1";

function step(what, cmd, args, cwd) {
  console.log(`\n> ${what}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd, env, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status})`);
}

const dir = join(mkdtempSync(join(tmpdir(), "drover-cdktn-")), "drover");
let code = 0;
try {
  step("a worktree of HEAD", "git", ["worktree", "add", "--detach", dir, "HEAD"], ROOT);
  step("install", "npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], dir);
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const optional = Object.entries(pkg.peerDependencies)
    .filter(([name]) => pkg.peerDependenciesMeta?.[name]?.optional)
    .map(([n, v]) => `${n}@${v}`);
  step("cdktn as cdktf", "npm", ["install", "--no-save", "--save-dev", "--no-audit", "--no-fund", "--legacy-peer-deps", "--ignore-scripts", CDKTN, CONSTRUCTS, ...optional], dir);
  const installed = JSON.parse(readFileSync(join(dir, "node_modules/cdktf/package.json"), "utf8"));
  console.log(`\ncdktf resolves to ${installed.name}@${installed.version}`);
  if (installed.name !== "cdktn") throw new Error(`node_modules/cdktf is ${installed.name}, not cdktn`);
  step("the tests", "npx", ["vitest", "run", ...paths], dir);
} catch (e) {
  console.error(e.message);
  code = 1;
} finally {
  spawnSync("git", ["worktree", "remove", "--force", dir], { cwd: ROOT, stdio: "ignore" });
  rmSync(join(dir, ".."), { recursive: true, force: true });
}
process.exitCode = code;
