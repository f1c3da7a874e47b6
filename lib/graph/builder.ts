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
} from "./model.ts";
import { displayName, literal, mountPoints, strings, type Json, type ResourceIndex, type TfResource } from "./refs.ts";

/** The model's shapes while they are being filled in. */
export type Draft<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

export const INTERNET = "internet";

const byName = <T extends { name: string; id: string }>(a: T, b: T) => a.name.localeCompare(b.name, "en", { numeric: true }) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

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
    return [this.networks, this.subnets, this.routers, this.machines, this.publicAddresses, this.securityGroups, this.volumes, this.dnsRecords, this.kubernetesClusters];
  }
}

/** A new machine with its lists empty. */
export function machineDraft(base: ReturnType<GraphBuilder["base"]>): Draft<GraphMachine> {
  return { ...base, publicAddresses: [], ephemeralPublicAddress: false, securityGroups: [], volumes: [] };
}

/** Where an attachment resource names its volume, its machine and the device. */
export interface AttachmentFields {
  /** The attribute that refers to the volume (`volume_id`). */
  readonly volume: string;
  /** The attribute that refers to the machine (`instance_id`). */
  readonly machine: string;
  /** The attribute that holds the device (`device_name`), or how to label it from the body. */
  readonly device: string | ((body: Json) => string | undefined);
}

/**
 * Attachment resources of one type (a cloud's volume attachment type): each links its volume to its
 * machine, mounted where the machine's drover tags say.
 */
export function readAttachments(b: GraphBuilder, type: string, fields: AttachmentFields): void {
  const { index } = b;
  for (const r of index.managed(type)) {
    const volume = index.ref(r.body[fields.volume]);
    const machine = index.ref(r.body[fields.machine]);
    if (!volume || !machine) continue;
    const device = typeof fields.device === "string" ? literal(r.body[fields.device]) : fields.device(r.body);
    const mountPoint = mountPoints(index, machine).get(volume.address);
    b.attach(volume.address, { machine: machine.address, address: r.address, ...(device ? { device } : {}), ...(mountPoint ? { mountPoint } : {}) });
  }
}

/** Where a DNS record resource keeps its zone, its values and its type. */
export interface DnsRecordFields {
  /** The attribute that names the zone (`zone_id`), by reference or, with `zoneAsText`, as text. */
  readonly zone: string;
  /**
   * Show a zone given as text rather than as a reference. Off where the text is an ID
   * (Route 53's `Z0123…`, Designate's UUID) that tells a reader nothing.
   * @default false
   */
  readonly zoneAsText?: boolean;
  /** The zone resource's attribute that holds its domain. @default "name" */
  readonly zoneDomain?: string;
  /** The attribute that lists the record's values (`records`). */
  readonly records: string;
  /** An attribute that points the record at a resource instead of listing values (Azure's `target_resource_id`). */
  readonly target?: string;
  /** The record type, for resources that hold one kind. @default - the `type` attribute, else `A` */
  readonly recordType?: string;
  /** How a value shows the resources it refers to. @default - a public address's name, else the resource's display name */
  readonly show?: (r: TfResource) => string;
}

/**
 * DNS record resources of one type (a cloud's record type): their zone, their values, and the
 * public addresses they point at.
 */
export function readDnsRecords(b: GraphBuilder, cloud: GraphCloud, type: string, fields: DnsRecordFields): void {
  const { index } = b;
  const show = fields.show ?? ((t: TfResource) => b.publicAddresses.get(t.address)?.name ?? displayName(t));
  for (const r of index.managed(type)) {
    const records = strings(r.body[fields.records]);
    const target = fields.target ? index.ref(r.body[fields.target]) : undefined;
    const targets = [...records.flatMap((v) => index.refs(v)), ...(target ? [target] : [])].filter((t) => b.publicAddresses.has(t.address));
    const zone = index.ref(r.body[fields.zone]);
    const zoneName = zone ? (literal(zone.body[fields.zoneDomain ?? "name"]) ?? displayName(zone)) : fields.zoneAsText ? literal(r.body[fields.zone]) : undefined;
    b.dnsRecords.set(r.address, {
      ...b.base(r, cloud),
      recordType: fields.recordType ?? literal(r.body.type) ?? "A",
      ...(zoneName ? { zone: zoneName } : {}),
      values: records.length ? records.map((v) => literal(v) ?? index.refs(v).map(show).join(", ")) : targets.map((t) => b.publicAddresses.get(t.address)!.name),
      targets: targets.map((t) => t.address),
    });
  }
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
