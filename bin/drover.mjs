#!/usr/bin/env node
// drover's command-line entry. Installed from the registry, a tarball or git, the package holds
// the command line already bundled (dist/cli.mjs, built at pack time) and runs it. In a checkout
// of the repository (lib/cli/main.ts beside this file), it rebuilds the bundle first when a
// source changed (scripts/build-cli.mjs); when it cannot be built, it runs lib/cli/main.ts
// through the TypeScript loader instead.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

process.env.CHECKPOINT_DISABLE ??= "1";
const bundled = new URL("../dist/cli.mjs", import.meta.url);
const source = new URL("../lib/cli/main.ts", import.meta.url);
let entry = bundled.href;
if (existsSync(source)) {
  const { CLI, buildCli, isFresh } = await import("../scripts/build-cli.mjs");
  entry = pathToFileURL(CLI).href;
  if (process.env.DROVER_FROM_SOURCE || !isFresh()) {
    try {
      if (process.env.DROVER_FROM_SOURCE) throw new Error("asked to run from source");
      await buildCli();
    } catch {
      const { register } = await import("tsx/esm/api");
      register();
      globalThis[Symbol.for("drover.tsxRegistered")] = true;
      entry = source.href;
    }
  }
}
const { main } = await import(entry);
const code = await main(process.argv.slice(2));
// Exit now: timers or sockets the person's app left open would keep drover running after its
// work is done (stdout and stderr are written synchronously here, files and pipes alike).
process.exit(code);
