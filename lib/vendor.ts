import { createRequire } from "node:module";
import type * as ZodModule from "zod";
import type * as YamlModule from "yaml";
import type * as DiffModule from "diff";

/**
 * zod, yaml and diff, loaded with a plain `require` of their CommonJS builds. Their ES-module
 * builds are spread over ~20 to ~100 small files each, and under the TypeScript loader every ES-module file costs
 * a round trip to the loader's thread: importing zod that way takes ~130 ms on every command,
 * against ~65 ms like this. Import them from here, never directly.
 */
const require = createRequire(import.meta.url);

export const { z } = require("zod") as typeof ZodModule;
export type { ZodType } from "zod";
const yaml = require("yaml") as typeof YamlModule;
export const yamlStringify = yaml.stringify;
export const yamlParse = yaml.parse;
export const { createTwoFilesPatch } = require("diff") as typeof DiffModule;
