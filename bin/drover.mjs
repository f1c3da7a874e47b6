#!/usr/bin/env node
// drover's command-line entry. Runs the bundled command line in dist/cli.mjs, rebuilding it
// first when a source file changed (scripts/build-cli.mjs); when it cannot be built (a read-only
// install without esbuild, say), runs lib/cli/main.ts through the TypeScript loader instead.
import { pathToFileURL } from "node:url";
import { CLI, buildCli, isFresh } from "../scripts/build-cli.mjs";

process.env.CHECKPOINT_DISABLE ??= "1";
let entry = pathToFileURL(CLI).href;
if (process.env.DROVER_FROM_SOURCE || !isFresh()) {
  try {
    if (process.env.DROVER_FROM_SOURCE) throw new Error("asked to run from source");
    await buildCli();
  } catch {
    const { register } = await import("tsx/esm/api");
    register();
    globalThis[Symbol.for("drover.tsxRegistered")] = true;
    entry = new URL("../lib/cli/main.ts", import.meta.url).href;
  }
}
const { main } = await import(entry);
const code = await main(process.argv.slice(2));
// Exit now: timers or sockets the person's app left open would keep drover running after its
// work is done (stdout and stderr are written synchronously here, files and pipes alike).
process.exit(code);
