/**
 * Reads a stack's topology (model.ts) from its Terraform JSON
 * (`cdktf.out/stacks/<stack>/cdk.tf.json`), each cloud's resources by its reader (lib/clouds/<cloud>/graph.ts).
 * The edges come from the references between resources
 * (`${<port type>.box_Port.id}`), so the picture shows what Terraform will
 * build, not what the constructs meant to build.
 *
 * @example
 * const config = JSON.parse(readFileSync("cdktf.out/stacks/dev-vm/cdk.tf.json", "utf8"));
 * const model = buildGraphModel(config, { stack: "dev-vm" });
 */
import { GRAPH_READERS } from "../clouds/readers.ts";
import { GraphBuilder } from "./builder.ts";
import type { GraphModel } from "./model.ts";
import { ResourceIndex, type Json } from "./refs.ts";

export interface BuildGraphOptions {
  /** The stack's name, shown as the picture's title. */
  readonly stack: string;
}

/** Reads the topology of one stack from its synthesized Terraform JSON. */
export function buildGraphModel(config: Readonly<Record<string, unknown>>, options: BuildGraphOptions): GraphModel {
  const index = new ResourceIndex(config as Json);
  const builder = new GraphBuilder(index);
  for (const read of GRAPH_READERS) read(builder);
  return builder.build(options.stack);
}
