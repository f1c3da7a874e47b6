/**
 * Every part of cdktf drover uses that is not its public API (modules under `cdktf/lib/`), in one
 * place: cdktf is archived upstream and its community fork, CDK Terrain (`cdktn`), keeps the
 * public API but may move these. Installed as an alias (`"cdktf": "npm:cdktn@0.24.0"`) they
 * resolve as they are; a native switch to `cdktn` changes the specifiers here and nowhere else
 * (test/repo/cdktf-internals.test.ts holds the rest of the tree to that).
 */
export { resolve } from "cdktf/lib/_tokens.js";
export { deepMerge } from "cdktf/lib/util.js";
export { addCustomSynthesis } from "cdktf/lib/synthesize/synthesizer.js";
