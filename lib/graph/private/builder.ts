import type {
  GraphAttachment,
  GraphCloud,
  GraphDnsRecord,
  GraphKubernetesCluster,
  GraphMachine,
  GraphModel,
  GraphNetwork,
  GraphPublicAddress,
  GraphRouter,
  GraphRule,
  GraphSecurityGroup,
  GraphSubnet,
  GraphVolume,
} from "../model.ts";
import { displayName, type ResourceIndex, type TfResource } from "./refs.ts";

/** The model's shapes while they are being filled in. */
export type Draft<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

export const INTERNET = "internet";

const byName = <T extends { name: string; id: string }>(a: T, b: T) =>
  a.name.localeCompare(b.name, "en", { numeric: true }) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Collects the model's elements while each cloud's reader walks the resources. Readers add
 * elements, then link them (`associate`, `attach`, `joinGroup`) by `id`.
 */
export class GraphBuilder {
  readonly networks = new Map<string, Draft<GraphNetwork>>();
  readonly subnets = new Map<string, Draft<GraphSubnet>>();
  readonly routers = new Map<string, Draft<GraphRouter>>();
  readonly machines = new Map<string, Draft<GraphMachine>>();
  readonly publicAddresses = new Map<string, Draft<GraphPublicAddress>>();
  readonly securityGroups = new Map<string, Draft<GraphSecurityGroup>>();
  readonly volumes = new Map<string, Draft<GraphVolume>>();
  readonly dnsRecords = new Map<string, Draft<GraphDnsRecord>>();
  readonly kubernetesClusters = new Map<string, Draft<GraphKubernetesCluster>>();
  private readonly clouds = new Set<GraphCloud>();

  constructor(readonly index: ResourceIndex) {}

  /** The fields every element starts with, from its main resource. */
  base(r: TfResource, cloud: GraphCloud): { id: string; type: string; name: string; constructPath?: string; members: string[] } {
    this.clouds.add(cloud);
    return { id: r.address, type: r.type, name: displayName(r), ...(r.constructPath ? { constructPath: r.constructPath } : {}), members: [r.address] };
  }

  /** Adds a Terraform address to the element it is part of. */
  member(id: string, address: string): void {
    for (const map of this.maps()) {
      const e = map.get(id);
      if (e && !e.members.includes(address)) e.members.push(address);
    }
  }

  /** The Internet, as an external network that AWS internet gateways (and GCP's NAT) lead to. */
  internet(): string {
    if (!this.networks.has(INTERNET)) {
      this.networks.set(INTERNET, { id: INTERNET, type: "internet", name: "Internet", members: [], external: true, existing: true });
    }
    return INTERNET;
  }

  /** Links a public address to its machine; `via` (an association resource) joins the address. */
  associate(publicId: string, machineId: string, via?: string): void {
    const ip = this.publicAddresses.get(publicId);
    const machine = this.machines.get(machineId);
    if (!ip || !machine) return;
    ip.machine = machineId;
    if (!machine.publicAddresses.includes(publicId)) machine.publicAddresses.push(publicId);
    if (via) this.member(publicId, via);
  }

  attach(volumeId: string, attachment: GraphAttachment): void {
    const volume = this.volumes.get(volumeId);
    const machine = this.machines.get(attachment.machine);
    if (!volume || !machine) return;
    volume.attachments.push(attachment);
    if (attachment.address) this.member(volumeId, attachment.address);
    if (!machine.volumes.includes(volumeId)) machine.volumes.push(volumeId);
  }

  joinGroup(machineId: string, groupId: string, via?: string): void {
    const machine = this.machines.get(machineId);
    if (!machine || !this.securityGroups.has(groupId)) return;
    if (!machine.securityGroups.includes(groupId)) machine.securityGroups.push(groupId);
    if (via) this.member(machineId, via);
  }

  addRule(groupId: string, rule: GraphRule): void {
    const group = this.securityGroups.get(groupId);
    if (!group) return;
    group.rules.push(rule);
    this.member(groupId, rule.address);
  }

  /** A security group's display name, for rules that name it as their peer. */
  groupName(id: string): string {
    return this.securityGroups.get(id)?.name ?? id;
  }

  build(stack: string): GraphModel {
    const list = <T extends { name: string; id: string }>(m: Map<string, T>) => [...m.values()].sort(byName);
    return {
      stack,
      clouds: (["openstack", "aws", "gcp", "azure"] as const).filter((c) => this.clouds.has(c)),
      networks: list(this.networks),
      subnets: list(this.subnets),
      routers: list(this.routers),
      machines: list(this.machines),
      publicAddresses: list(this.publicAddresses),
      securityGroups: list(this.securityGroups),
      volumes: list(this.volumes),
      dnsRecords: list(this.dnsRecords),
      kubernetesClusters: list(this.kubernetesClusters),
    };
  }

  private maps(): Array<Map<string, { members: string[] }>> {
    return [
      this.networks,
      this.subnets,
      this.routers,
      this.machines,
      this.publicAddresses,
      this.securityGroups,
      this.volumes,
      this.dnsRecords,
      this.kubernetesClusters,
    ];
  }
}

/** A new machine with its lists empty. */
export function machineDraft(base: ReturnType<GraphBuilder["base"]>): Draft<GraphMachine> {
  return { ...base, publicAddresses: [], ephemeralPublicAddress: false, securityGroups: [], volumes: [] };
}

/** `tcp` + 22..22 → `22`; a range → `8000-8100`; no ports, or 0..65535 → `all`. */
export function portRange(from: number | undefined, to: number | undefined): string {
  if (from === undefined && to === undefined) return "all";
  const lo = from ?? to!;
  const hi = to ?? from!;
  if ((lo <= 1 && hi >= 65535) || (lo === -1 && hi === -1)) return "all";
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

/** Protocol names as people say them: `-1`, `*`, `all`, none → `all`; numbers kept. */
export function protocolName(p: unknown): string {
  if (p === undefined || p === null || p === "" || p === "-1" || p === -1 || p === "*" || p === "all") return "all";
  const s = String(p).toLowerCase();
  return s === "6" ? "tcp" : s === "17" ? "udp" : s === "1" ? "icmp" : s;
}

/** ICMP rules carry the ICMP type in the port fields: show the protocol alone. */
export function rulePorts(protocol: string, from: number | undefined, to: number | undefined): string {
  if (protocol === "all") return "all";
  if (protocol === "icmp" || protocol === "icmpv6" || protocol === "ipv6-icmp") return from !== undefined && from >= 0 ? `type ${from}` : "all";
  return portRange(from, to);
}
