import { AGENT_PATHS, BUNDLE_KEY, decodeBundle } from "../../lib/agent/bundle.ts";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { DroverStack, jetstream2, type DroverStackProps } from "../../constructs/index.ts";
import { ValidationError } from "../../lib/errors.ts";
import { builtinProviders } from "../../lib/schema/registry.ts";
import { validateTerraformJson, type Finding } from "../../lib/schema/validate.ts";

export type Json = Record<string, any>;

/** A fresh app (temporary outdir) and a Jetstream2 stack named `name`. */
export function newStack(name = "test", props: Partial<DroverStackProps> = {}): { app: App; stack: DroverStack } {
  const app = Testing.app();
  const stack = new DroverStack(app, name, { cloud: jetstream2(), owner: "tester@example.edu", ...props });
  return { app, stack };
}

/** The stack's Terraform JSON, as `cdktf synth` would write it. */
export function synthJson(stack: DroverStack): Json {
  return JSON.parse(Testing.synth(stack, true)) as Json;
}

/** The stack's `cdk.tf.json` as a full `app.synth()` writes it (with its backend). */
export function fullSynthJson(app: App, stack: DroverStack): Json {
  app.synth();
  return JSON.parse(readFileSync(join(app.outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8")) as Json;
}

/** Snapshot form: long user data becomes its size and hash (cloud-init has its own snapshot). */
export function compact(json: Json): Json {
  const digest = (text: string) => `${Buffer.byteLength(text)} bytes sha256:${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;
  return JSON.parse(
    JSON.stringify(json, (key, value) => {
      if (key === "user_data" && typeof value === "string") return `<cloud-init ${digest(value)}>`;
      // A configuration bundle: what it says (its files as digests; the agent's own code left out), not its chunks.
      if (key === "metadata" && value && typeof value === "object" && typeof value[BUNDLE_KEY] === "string") {
        const bundle = decodeBundle(value);
        const rest = Object.fromEntries(Object.entries(value as Record<string, string>).filter(([k]) => k !== BUNDLE_KEY && !k.startsWith(`${BUNDLE_KEY}_`)));
        const files = (bundle.files ?? []).filter((f) => f.path !== AGENT_PATHS.program).map((f) => ({ ...f, content: `<${digest(f.content)}>` }));
        return { ...rest, [BUNDLE_KEY]: { ...bundle, files } };
      }
      return value;
    }),
  ) as Json;
}

/** Resources of one type: name → body. */
export function resources(json: Json, type: string): Record<string, Json> {
  return (json.resource?.[type] ?? {}) as Record<string, Json>;
}

export function only(json: Json, type: string): Json {
  const all = Object.values(resources(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]!;
}

export function schemaFindings(json: Json): Finding[] {
  return [...validateTerraformJson(json, builtinProviders()).findings];
}

/** The issue lines of the ValidationError `fn` throws. */
export function validationIssues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  throw new Error("expected a ValidationError, nothing was thrown");
}
