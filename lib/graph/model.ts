/**
 * The topology of a synthesized stack — networks, subnets, routers, machines, public addresses,
 * security groups and what they open, volumes, DNS records — as the picture and the plan page
 * draw it. `buildGraphModel` (build.ts) reads it from the stack's Terraform JSON.
 *
 * @example
 * const model = buildGraphModel(config, { stack: "dev-vm" });
 * model.machines.map((m) => `${m.name} ${m.size} ${m.fixedAddress ?? "-"}`);
 */
import type { CloudKind } from "../clouds/kind.ts";

/** The clouds a picture holds: the kinds of lib/clouds. */
export type GraphCloud = CloudKind;

/** What every element of the model has. */
export interface GraphElement {
  /**
   * Unique in the model: the Terraform address of the element's main resource
   * (`<type>.box_45895026`), or `gcp-tag:<tag>` for the GCP firewall
   * rules that target one network tag, or `internet`.
   */
  readonly id: string;
  /** Terraform type of the main resource. */
  readonly type: string;
  /** The name a person knows it by: the resource's `name` or `Name` tag, else its construct ID. */
  readonly name: string;
  /** Construct path (`dev-vm/box/Resource`), from the `//` metadata cdktf writes. */
  readonly constructPath?: string;
  /**
   * Every Terraform address the element stands for: the main resource and its parts (a
   * machine's ports, a group's rules, a volume's attachments). A plan colours the element by
   * these.
   */
  readonly members: readonly string[];
}

export interface GraphNetwork extends GraphElement {
  readonly cidr?: string;
  /** Outside the stack's private networks: OpenStack's external network, or the Internet. */
  readonly external: boolean;
  /** Looked up (a data source), not created by the stack. */
  readonly existing: boolean;
}

export interface GraphSubnet extends GraphElement {
  readonly cidr?: string;
  /** `id` of its network. */
  readonly network?: string;
}

export interface GraphRouter extends GraphElement {
  readonly kind: "router" | "internet-gateway";
  /** `id` of the network it sits in (the network of its first subnet). */
  readonly network?: string;
  /** `id`s of the subnets it routes. */
  readonly subnets: readonly string[];
  /** `id` of the external network it leads to (`internet` for an AWS internet gateway). */
  readonly external?: string;
}

export interface GraphMachine extends GraphElement {
  /** Flavor, instance type, machine type or VM size. */
  readonly size?: string;
  readonly image?: string;
  /** drover's role tag: `login`, `controller`, `gateway`... */
  readonly role?: string;
  /** Terraform `count`, when the resource stands for several machines. */
  readonly count?: number;
  readonly network?: string;
  readonly subnet?: string;
  /** The fixed private address, when the stack sets one. */
  readonly fixedAddress?: string;
  /** `id`s of the public addresses (floating IP, Elastic IP...) associated with it. */
  readonly publicAddresses: readonly string[];
  /** The cloud gives it a public address of its own (AWS `associate_public_ip_address`, a GCP access config). */
  readonly ephemeralPublicAddress: boolean;
  /** `id`s of its security groups. */
  readonly securityGroups: readonly string[];
  /** `id`s of the volumes attached to it. */
  readonly volumes: readonly string[];
}

export interface GraphPublicAddress extends GraphElement {
  /** Floating-IP pool, or the kind of address (`vpc`, `EXTERNAL`). */
  readonly pool?: string;
  /** `id` of the machine it is associated with. */
  readonly machine?: string;
}

/** One rule of a security group: what it opens, from where. */
export interface GraphRule {
  readonly address: string;
  readonly direction: "ingress" | "egress";
  /** `tcp`, `udp`, `icmp` or `all`. */
  readonly protocol: string;
  /** `22`, `8000-8100`, or `all`. */
  readonly ports: string;
  /** Where traffic may come from (ingress) or go to (egress): a CIDR, a group's name, `any`. */
  readonly peer: string;
  /** `id` of the peer security group, when the rule names one. */
  readonly peerGroup?: string;
  /** Azure rules may deny. */
  readonly deny?: boolean;
  readonly description?: string;
}

export interface GraphSecurityGroup extends GraphElement {
  readonly rules: readonly GraphRule[];
}

export interface GraphAttachment {
  /** `id` of the machine. */
  readonly machine: string;
  /** Address of the attachment resource (when there is one). */
  readonly address?: string;
  readonly device?: string;
  /** Where drover mounts it (from the machine's `drover_volume_*` tag). */
  readonly mountPoint?: string;
}

export interface GraphVolume extends GraphElement {
  readonly sizeGiB?: number;
  readonly attachments: readonly GraphAttachment[];
}

export interface GraphDnsRecord extends GraphElement {
  /** `A`, `AAAA`, `CNAME`... */
  readonly recordType: string;
  readonly zone?: string;
  /** Literal values; references show as the target's name. */
  readonly values: readonly string[];
  /** `id`s of the public addresses it points at. */
  readonly targets: readonly string[];
}

/** A managed Kubernetes cluster (Magnum, EKS, GKE, AKS): one node, its machines are the cloud's. */
export interface GraphKubernetesCluster extends GraphElement {
  readonly network?: string;
  readonly subnet?: string;
  readonly masters?: number;
  readonly workers?: number;
  readonly size?: string;
}

export interface GraphModel {
  readonly stack: string;
  /** The clouds whose resources the stack holds (usually one). */
  readonly clouds: readonly GraphCloud[];
  readonly networks: readonly GraphNetwork[];
  readonly subnets: readonly GraphSubnet[];
  readonly routers: readonly GraphRouter[];
  readonly machines: readonly GraphMachine[];
  readonly publicAddresses: readonly GraphPublicAddress[];
  readonly securityGroups: readonly GraphSecurityGroup[];
  readonly volumes: readonly GraphVolume[];
  readonly dnsRecords: readonly GraphDnsRecord[];
  readonly kubernetesClusters: readonly GraphKubernetesCluster[];
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
