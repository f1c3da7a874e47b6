import type { IConstruct } from "constructs";
import { TerraformElement, TerraformOutput, TerraformStack } from "cdktf";
import { resolve } from "cdktf/lib/_tokens.js";
import { deepMerge } from "cdktf/lib/util.js";

/**
 * A stack's Terraform JSON, exactly as cdktf 0.21's `TerraformStack.toTerraform` builds it but
 * without its last step: after resolving every element and merging the results, cdktf resolves
 * the whole merged document once more. Everything in it is already resolved except the stack's
 * own overrides, so those are resolved alone. On a stack of 8,000 resources this saves a third
 * of synthesis. A test holds the output equal to cdktf's (test/constructs/to-terraform.test.ts).
 */
export function stackToTerraform(stack: TerraformStack): Record<string, unknown> {
  const internals = stack as unknown as { rawOverrides: Record<string, unknown>; cdktfVersion: string };
  const overrides = internals.rawOverrides;
  const metadata: Record<string, unknown> = {
    version: internals.cdktfVersion,
    stackName: stack.node.id,
    backend: "local",
    ...(Object.keys(overrides).length > 0 ? { overrides: { stack: Object.keys(overrides) } } : {}),
  };
  const elements = elementsOf(stack);
  for (const e of elements) deepMerge(metadata, resolve(stack, e.toMetadata()));

  const outputs: Record<string, unknown> = {};
  for (const item of elements) {
    if (!TerraformOutput.isTerraformOutput(item)) continue;
    const nested = item.node.path
      .split("/")
      .reduceRight<Record<string, unknown>>((inner, part) => (Object.keys(inner).length === 0 ? { [part]: item.friendlyUniqueId } : { [part]: inner }), {});
    deepMerge(outputs, nested);
  }

  const tf: Record<string, unknown> = { "//": { metadata, outputs } };
  for (const e of elements) deepMerge(tf, resolve(stack, e.toTerraform()));
  deepMerge(tf, resolve(stack, overrides));
  return tf;
}

/** The stack's Terraform elements in construct order, not descending into nested stacks. */
function elementsOf(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) {
    if (!TerraformStack.isStack(child)) elementsOf(child, into);
  }
  return into;
}
