/**
 * DRV001-DRV003: inbound rules open to the whole internet, read from each cloud's own rule
 * resources (OpenStack security-group rules, AWS security groups and their rules, GCP firewalls,
 * Azure network security rules), with the machines each rule reaches.
 */
import { parseCidr } from "../net/cidr.ts";
import { finding, type Finding } from "./checks.ts";
import { ConfigIndex, WEB_GATEWAY_ROLES, isObject, machineName, referencedAddress, roleOf, type Json, type TfResource } from "./config.ts";

/** What a rule opens: a protocol and its port ranges ("all": every port, or a protocol without ports). */
export interface Opening {
  readonly protocol: "tcp" | "udp" | "icmp" | "any" | (string & {});
  readonly ports: "all" | ReadonlyArray<readonly [number, number]>;
}

/** An inbound allow rule that admits the whole internet. */
export interface WorldRule {
  readonly resource: TfResource;
  readonly openings: readonly Opening[];
  /** The sources as written (`0.0.0.0/0`, `::/0`, `*`, `Internet`). */
  readonly world: readonly string[];
  /** The machines it reaches, as far as the configuration tells. */
  readonly machines: readonly TfResource[];
}

const SSH = 22;
const WEB = [80, 443];

/** True for a range that is every address of its family, however it is written. */
export function isWorldSource(source: string, cloud: "azure" | "other" = "other"): boolean {
  const s = source.trim();
  if (cloud === "azure" && ["*", "internet", "any"].includes(s.toLowerCase())) return true;
  const parsed = parseCidr(s);
  if (parsed.ok) return parsed.cidr.prefix === 0;
  // "1.2.3.4/0" has host bits set and does not parse, but admits everyone all the same.
  return /^[0-9a-fA-F.:]+\/0$/.test(s) || (cloud === "azure" && s === "0.0.0.0");
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : []);

function protocolName(raw: unknown): Opening["protocol"] {
  const p = raw === undefined || raw === null ? "" : String(raw).trim().toLowerCase();
  if (p === "" || p === "-1" || p === "all" || p === "any" || p === "*") return "any";
  if (p === "tcp" || p === "6") return "tcp";
  if (p === "udp" || p === "17") return "udp";
  if (["icmp", "1", "icmpv6", "ipv6-icmp", "58"].includes(p)) return "icmp";
  return p;
}

const hasPorts = (protocol: Opening["protocol"]) => protocol === "tcp" || protocol === "udp";

function range(from: unknown, to: unknown): "all" | Array<[number, number]> {
  const a = Number(from);
  const b = to === undefined || to === null ? a : Number(to);
  if (from === undefined || from === null || !Number.isFinite(a) || !Number.isFinite(b) || a < 0 || b < 0) return "all";
  if (a <= 1 && b >= 65535) return "all";
  return [[a, b]];
}

/** `"22"`, `"1000-2000"`, `"*"` (Azure, GCP): port ranges. */
function portList(values: string[]): "all" | Array<[number, number]> {
  if (values.length === 0) return "all";
  const out: Array<[number, number]> = [];
  for (const v of values) {
    const t = v.trim();
    if (t === "*" || t === "") return "all";
    const m = /^(\d+)(?:-(\d+))?$/.exec(t);
    if (!m) return "all";
    const r = range(m[1], m[2]);
    if (r === "all") return "all";
    out.push(...r);
  }
  return out;
}

function covers(o: Opening, port: number): boolean {
  return o.ports === "all" || o.ports.some(([a, b]) => a <= port && port <= b);
}

/** Opens SSH: TCP (or every protocol) with 22 in range. */
const opensSsh = (o: Opening) => (o.protocol === "tcp" || o.protocol === "any") && covers(o, SSH);
const opensWeb = (o: Opening) => (o.protocol === "tcp" || o.protocol === "udp" || o.protocol === "any") && WEB.some((p) => covers(o, p));

/** Opens something besides SSH and the web ports: another port, ICMP, another protocol, or everything. */
function opensOther(o: Opening): boolean {
  if (!hasPorts(o.protocol)) return true;
  if (o.ports === "all") return true;
  const allowed = o.protocol === "tcp" ? [SSH, ...WEB] : WEB;
  return o.ports.some(([a, b]) => b - a + 1 > allowed.filter((p) => a <= p && p <= b).length);
}

export function openingLabel(o: Opening): string {
  if (o.protocol === "any") return "all traffic";
  if (!hasPorts(o.protocol)) return o.protocol;
  if (o.ports === "all") return `${o.protocol} (every port)`;
  return o.ports.map(([a, b]) => (a === b ? `${o.protocol}/${a}` : `${o.protocol}/${a}-${b}`)).join(", ");
}

/** An inbound allow rule, with every address range it admits. */
export interface InboundRule {
  readonly resource: TfResource;
  readonly openings: readonly Opening[];
  /**
   * The address ranges it admits, as written (`203.0.113.0/24`, `0.0.0.0/0`, Azure's `Internet`),
   * with a cloud's implicit source spelled out (an OpenStack rule without a prefix or a group is
   * `0.0.0.0/0` or `::/0`; a GCP rule without a source is `0.0.0.0/0`). A rule that admits other
   * machines by group or tag only has none.
   */
  readonly sources: readonly string[];
  /** The machines it reaches, as far as the configuration tells. */
  readonly machines: readonly TfResource[];
  /** Azure reads `*`, `Internet` and `Any` as every address. */
  readonly cloud: "azure" | "other";
}

/** Every inbound allow rule of the configuration, in the order of the file. */
export function inboundRules(index: ConfigIndex): InboundRule[] {
  const out: InboundRule[] = [];
  const add = (resource: TfResource, openings: Opening[], sources: string[], machines: () => TfResource[], cloud: InboundRule["cloud"] = "other") => {
    if (openings.length > 0) out.push({ resource, openings, sources, cloud, get machines() { return machines(); } });
  };
  const groupMachines = (ref: unknown) => () => {
    const group = referencedAddress(ref, index);
    return group ? index.machinesWith(group) : [];
  };
  for (const r of index.resources) {
    if (r.mode !== "managed") continue;
    const b = r.body;
    switch (r.type) {
      case "openstack_networking_secgroup_rule_v2": {
        if (String(b.direction ?? "").toLowerCase() !== "ingress") break;
        const protocol = protocolName(b.protocol);
        const openings = [{ protocol, ports: hasPorts(protocol) ? range(b.port_range_min, b.port_range_max) : ("all" as const) }];
        // Neutron reads a rule with neither a prefix nor a group as open to every address of its ethertype.
        const prefix = typeof b.remote_ip_prefix === "string" && b.remote_ip_prefix !== "" ? b.remote_ip_prefix : undefined;
        const sources = prefix ? [prefix] : b.remote_group_id ? [] : [String(b.ethertype ?? "IPv4") === "IPv6" ? "::/0" : "0.0.0.0/0"];
        add(r, openings, sources, groupMachines(b.security_group_id));
        break;
      }
      case "aws_vpc_security_group_ingress_rule": {
        const protocol = protocolName(b.ip_protocol);
        const openings = [{ protocol, ports: hasPorts(protocol) ? range(b.from_port, b.to_port) : ("all" as const) }];
        add(r, openings, [...strings(b.cidr_ipv4), ...strings(b.cidr_ipv6)], groupMachines(b.security_group_id));
        break;
      }
      case "aws_security_group_rule": {
        if (b.type !== "ingress") break;
        const protocol = protocolName(b.protocol);
        const openings = [{ protocol, ports: hasPorts(protocol) ? range(b.from_port, b.to_port) : ("all" as const) }];
        add(r, openings, [...strings(b.cidr_blocks), ...strings(b.ipv6_cidr_blocks)], groupMachines(b.security_group_id));
        break;
      }
      case "aws_security_group": {
        // Inline rules: each block its own opening.
        const blocks = Array.isArray(b.ingress) ? b.ingress.filter(isObject) : isObject(b.ingress) ? [b.ingress] : [];
        for (const block of blocks) {
          const protocol = protocolName(block.protocol);
          const sources = [...strings(block.cidr_blocks), ...strings(block.ipv6_cidr_blocks)];
          add(r, [{ protocol, ports: hasPorts(protocol) ? range(block.from_port, block.to_port) : "all" }], sources, () => index.machinesWith(r.address));
        }
        break;
      }
      case "google_compute_firewall": {
        if (String(b.direction ?? "INGRESS").toUpperCase() !== "INGRESS" || b.disabled === true) break;
        const allows = Array.isArray(b.allow) ? b.allow.filter(isObject) : isObject(b.allow) ? [b.allow] : [];
        const openings = allows.map((a: Json) => {
          const protocol = protocolName(a.protocol);
          return { protocol, ports: hasPorts(protocol) ? portList(strings(a.ports)) : ("all" as const) };
        });
        const ranges = strings(b.source_ranges);
        // An ingress rule with no source at all admits 0.0.0.0/0 (GCP's default).
        const noSource = ranges.length === 0 && strings(b.source_tags).length === 0 && strings(b.source_service_accounts).length === 0;
        add(r, openings, noSource ? ["0.0.0.0/0"] : ranges, () => gcpTargets(index, b));
        break;
      }
      case "azurerm_network_security_rule": {
        if (String(b.direction ?? "").toLowerCase() !== "inbound" || String(b.access ?? "").toLowerCase() !== "allow") break;
        const protocol = protocolName(b.protocol);
        const ports = portList([...strings(b.destination_port_range), ...strings(b.destination_port_ranges)]);
        const sources = [...strings(b.source_address_prefix), ...strings(b.source_address_prefixes)];
        add(r, [{ protocol, ports: hasPorts(protocol) ? ports : "all" }], sources, () => azureTargets(index, b), "azure");
        break;
      }
    }
  }
  return out;
}

/** Every inbound allow rule of the configuration that admits the whole internet. */
export function worldRules(index: ConfigIndex): WorldRule[] {
  return inboundRules(index).flatMap((rule) => {
    const world = rule.sources.filter((s) => isWorldSource(s, rule.cloud));
    return world.length > 0 ? [{ resource: rule.resource, openings: rule.openings, world, machines: rule.machines }] : [];
  });
}

/** Whether an opening admits `port` over TCP (or every protocol). */
export function opensTcpPort(o: Opening, port: number): boolean {
  return (o.protocol === "tcp" || o.protocol === "any") && covers(o, port);
}

/** GCP: machines with one of the rule's target tags, or every machine on its network. */
function gcpTargets(index: ConfigIndex, rule: Json): TfResource[] {
  const tags = strings(rule.target_tags);
  if (tags.length > 0) return index.machines.filter((m) => strings(m.body.tags).some((t) => tags.includes(t)));
  if (strings(rule.target_service_accounts).length > 0) return [];
  const network = referencedAddress(rule.network, index);
  return network ? index.machinesOn(network) : [];
}

/** Azure: the machines in the rule's destination application security groups, or every machine under its network security group. */
function azureTargets(index: ConfigIndex, rule: Json): TfResource[] {
  const groups = strings(rule.destination_application_security_group_ids).map((g) => referencedAddress(g, index)).filter((g): g is string => g !== undefined);
  if (groups.length > 0) return dedupe(groups.flatMap((g) => index.machinesWith(g)));
  const nsg = referencedAddress(rule.network_security_group_name, index);
  return nsg ? index.machinesWith(nsg) : [];
}

function dedupe(machines: TfResource[]): TfResource[] {
  return [...new Map(machines.map((m) => [m.address, m])).values()];
}

function onWhat(machines: readonly TfResource[]): string {
  if (machines.length === 0) return "";
  const names = [...new Set(machines.map(machineName))];
  return ` on ${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}`;
}

/** DRV001, DRV002, DRV003 for every world-open rule. */
export function ingressFindings(index: ConfigIndex): Finding[] {
  const out: Finding[] = [];
  for (const rule of worldRules(index)) {
    const where = { construct: rule.resource.construct, resource: rule.resource.address };
    const from = rule.world.join(", ");
    const on = onWhat(rule.machines);
    const other = rule.openings.filter(opensOther);
    if (other.length > 0) {
      out.push(finding("DRV001", where, `${other.map(openingLabel).join(", ")} open to the internet (${from})${on}, by ${rule.resource.address}`));
    }
    if (rule.openings.some(opensSsh)) {
      out.push(finding("DRV002", where, `SSH (tcp/22) open to the internet (${from})${on}, by ${rule.resource.address}`));
    }
    const web = WEB.filter((p) => rule.openings.some((o) => opensWeb(o) && covers(o, p)));
    if (web.length > 0) {
      const gateways = rule.machines.length > 0 && rule.machines.every((m) => WEB_GATEWAY_ROLES.has(roleOf(m) ?? ""));
      if (!gateways) {
        const why =
          rule.machines.length === 0
            ? "on no machine of this stack drover knows as a web gateway"
            : `${on}, which ${rule.machines.length === 1 ? "is" : "are"} not a web gateway (GatewayHost or JupyterHub server)`;
        out.push(finding("DRV003", where, `port${web.length > 1 ? "s" : ""} ${web.join(" and ")} open to the internet (${from}) ${why.trimStart()}, by ${rule.resource.address}`));
      }
    }
  }
  return out;
}
