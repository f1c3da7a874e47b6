/**
 * The topology of a synthesized stack — networks, subnets, routers, machines, public addresses,
 * security groups and what they open, volumes, DNS records — read from its Terraform JSON
 * (`cdktf.out/stacks/<stack>/cdk.tf.json`). The edges come from the references between
 * resources (`${openstack_networking_port_v2.box_Port.id}`), so the picture shows what Terraform
 * will build, not what the constructs meant to build.
 *
 * @example
 * const config = JSON.parse(readFileSync("cdktf.out/stacks/dev-vm/cdk.tf.json", "utf8"));
 * const model = buildGraphModel(config, { stack: "dev-vm" });
 * model.machines.map((m) => `${m.name} ${m.size} ${m.fixedAddress ?? "-"}`);
 */
import { GRAPH_READERS } from "../clouds/readers.ts";
import { GraphBuilder } from "./builder.ts";
import { ResourceIndex, type Json } from "./refs.ts";
import type { GraphElement, GraphModel } from "./types.ts";

export type { GraphCloud, GraphElement, GraphNetwork, GraphSubnet, GraphRouter, GraphMachine, GraphPublicAddress, GraphRule, GraphSecurityGroup, GraphAttachment, GraphVolume, GraphDnsRecord, GraphKubernetesCluster, GraphModel } from "./types.ts";

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

/** Every element of the model, in drawing order. */
export function allElements(model: GraphModel): GraphElement[] {
  return [
    ...model.networks,
    ...model.subnets,
    ...model.routers,
    ...model.machines,
    ...model.publicAddresses,
    ...model.securityGroups,
    ...model.volumes,
    ...model.dnsRecords,
    ...model.kubernetesClusters,
  ];
}

/** How many of each kind the model holds (for `drover graph --json`). */
export function graphCounts(model: GraphModel): Record<string, number> {
  return {
    networks: model.networks.filter((n) => !n.external).length,
    externalNetworks: model.networks.filter((n) => n.external).length,
    subnets: model.subnets.length,
    routers: model.routers.length,
    machines: model.machines.length,
    publicAddresses: model.publicAddresses.length,
    securityGroups: model.securityGroups.length,
    volumes: model.volumes.length,
    dnsRecords: model.dnsRecords.length,
    kubernetesClusters: model.kubernetesClusters.length,
  };
}
