/**
 * DRV001-DRV003: inbound rules open to the whole internet, read from each cloud's own rule
 * resources by its reader (lib/clouds/<cloud>/ingress.ts), with the machines each rule reaches.
 */
import { parseCidr } from "../net/cidr.ts";
import { finding, type Finding } from "./checks.ts";
import { RULE_READERS } from "../clouds/readers.ts";
import { type ConfigIndex, WEB_GATEWAY_ROLES, machineName, referencedAddress, roleOf, type TfResource } from "./config.ts";
import { covers, hasPorts, type InboundRule, type Opening, type RuleReading } from "./openings.ts";

export type { InboundRule, Opening } from "./openings.ts";

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
export function isWorldSource(source: string, worldWords: readonly string[] = []): boolean {
  const s = source.trim();
  if (worldWords.includes(s.toLowerCase())) return true;
  const parsed = parseCidr(s);
  if (parsed.ok) return parsed.cidr.prefix === 0;
  // "1.2.3.4/0" has host bits set and does not parse, but admits everyone all the same.
  return /^[0-9a-fA-F.:]+\/0$/.test(s);
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

/** Every inbound allow rule of the configuration, in the order of the file, read by each cloud's reader (lib/clouds/<cloud>/ingress.ts). */
export function inboundRules(index: ConfigIndex): InboundRule[] {
  const out: InboundRule[] = [];
  const reading: RuleReading = {
    index,
    add: (resource, openings, sources, machines, worldWords = []) => {
      if (openings.length > 0)
        out.push({
          resource,
          openings,
          sources,
          worldWords,
          get machines() {
            return machines();
          },
        });
    },
    groupMachines: (ref) => () => {
      const group = referencedAddress(ref, index);
      return group ? index.machinesWith(group) : [];
    },
  };
  for (const r of index.resources) {
    if (r.mode === "managed") RULE_READERS.get(r.type)?.(r, reading);
  }
  return out;
}

/** Every inbound allow rule of the configuration that admits the whole internet. */
export function worldRules(index: ConfigIndex): WorldRule[] {
  return inboundRules(index).flatMap((rule) => {
    const world = rule.sources.filter((s) => isWorldSource(s, rule.worldWords));
    return world.length > 0 ? [{ resource: rule.resource, openings: rule.openings, world, machines: rule.machines }] : [];
  });
}

/** Whether an opening admits `port` over TCP (or every protocol). */
export function opensTcpPort(o: Opening, port: number): boolean {
  return (o.protocol === "tcp" || o.protocol === "any") && covers(o, port);
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
