import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type App, Testing } from "cdktf";
import { DroverStack, jetstream2, type DroverStackProps } from "../../constructs/index.ts";
import { ValidationError } from "../../lib/errors.ts";
import { builtinProviders } from "../../lib/schema/registry.ts";
import { validateTerraformJson, type Finding } from "../../lib/schema/validate.ts";
import type { Json } from "../../lib/testing/snapshot.ts";

export type { Json } from "../../lib/testing/snapshot.ts";
// The snapshot form users get from drover/testing too: one implementation for both.
export { compact } from "../../lib/testing/snapshot.ts";

/** A fresh app (temporary outdir) with `context`, and a Jetstream2 stack named `name`. */
export function newStack(name = "test", props: Partial<DroverStackProps> = {}, context: Record<string, unknown> = {}): { app: App; stack: DroverStack } {
  const app = Testing.app({ context });
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
