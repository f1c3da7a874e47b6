import { createRequire } from "node:module";
import type * as ZodModule from "zod";
import type * as YamlModule from "yaml";
import type * as DiffModule from "diff";

/**
 * zod, yaml and diff, each loaded on first use with a plain `require` of its CommonJS build.
 * Their ES-module builds are spread over ~20 to ~100 small files each, and under the TypeScript
 * loader every ES-module file costs a round trip to the loader's thread (importing zod that way
 * takes ~130 ms, against ~65 ms like this); loaded on first use, a command that does not need one
 * does not pay for it at all. Get them from here, never by import.
 */
const require = createRequire(import.meta.url);
let zodModule: typeof ZodModule | undefined;
let yamlModule: typeof YamlModule | undefined;
let diffModule: typeof DiffModule | undefined;

export function zod(): typeof ZodModule.z {
  return (zodModule ??= require("zod") as typeof ZodModule).z;
}

export function yaml(): typeof YamlModule {
  return (yamlModule ??= require("yaml") as typeof YamlModule);
}

export function diff(): typeof DiffModule {
  return (diffModule ??= require("diff") as typeof DiffModule);
}
