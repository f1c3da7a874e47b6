/**
 * Reads a stack's topology (model.ts) from its Terraform JSON
 * (`cdktf.out/stacks/<stack>/cdk.tf.json`), each cloud's resources by its reader in private/.
 * The edges come from the references between resources
 * (`${openstack_networking_port_v2.box_Port.id}`), so the picture shows what Terraform will
 * build, not what the constructs meant to build.
 *
 * @example
 * const config = JSON.parse(readFileSync("cdktf.out/stacks/dev-vm/cdk.tf.json", "utf8"));
 * const model = buildGraphModel(config, { stack: "dev-vm" });
 */
import type { GraphModel } from "./model.ts";
import { addAws } from "./private/aws.ts";
import { addAzure } from "./private/azure.ts";
import { GraphBuilder } from "./private/builder.ts";
import { addGcp } from "./private/gcp.ts";
import { addOpenStack } from "./private/openstack.ts";
import { ResourceIndex, type Json } from "./private/refs.ts";

export interface BuildGraphOptions {
  /** The stack's name, shown as the picture's title. */
  readonly stack: string;
}

/** Reads the topology of one stack from its synthesized Terraform JSON. */
export function buildGraphModel(config: Readonly<Record<string, unknown>>, options: BuildGraphOptions): GraphModel {
  const index = new ResourceIndex(config as Json);
  const builder = new GraphBuilder(index);
  addOpenStack(builder);
  addAws(builder);
  addGcp(builder);
  addAzure(builder);
  return builder.build(options.stack);
}
