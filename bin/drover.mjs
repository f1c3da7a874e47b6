#!/usr/bin/env node
// drover's command-line entry: registers the TypeScript loader (drover and the stacks it runs
// are TypeScript), then hands over to lib/cli/main.ts.
import { register } from "tsx/esm/api";

process.env.CHECKPOINT_DISABLE ??= "1";
register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
