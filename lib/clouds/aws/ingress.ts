import { isObject } from "../../policy/config.ts";
import { hasPorts, protocolName, range, strings, type RuleReader } from "../../policy/openings.ts";

/** AWS security groups (inline rules) and their rule resources, as the policy checks read them. */
export const AWS_RULES: Readonly<Record<string, RuleReader>> = {
  aws_vpc_security_group_ingress_rule: (r, { add, groupMachines }) => {
    const b = r.body;
    const protocol = protocolName(b.ip_protocol);
    const openings = [{ protocol, ports: hasPorts(protocol) ? range(b.from_port, b.to_port) : ("all" as const) }];
    add(r, openings, [...strings(b.cidr_ipv4), ...strings(b.cidr_ipv6)], groupMachines(b.security_group_id));
  },
  aws_security_group_rule: (r, { add, groupMachines }) => {
    const b = r.body;
    if (b.type !== "ingress") return;
    const protocol = protocolName(b.protocol);
    const openings = [{ protocol, ports: hasPorts(protocol) ? range(b.from_port, b.to_port) : ("all" as const) }];
    add(r, openings, [...strings(b.cidr_blocks), ...strings(b.ipv6_cidr_blocks)], groupMachines(b.security_group_id));
  },
  aws_security_group: (r, { add, index }) => {
    const b = r.body;
    // Inline rules: each block its own opening.
    const blocks = Array.isArray(b.ingress) ? b.ingress.filter(isObject) : isObject(b.ingress) ? [b.ingress] : [];
    for (const block of blocks) {
      const protocol = protocolName(block.protocol);
      const sources = [...strings(block.cidr_blocks), ...strings(block.ipv6_cidr_blocks)];
      add(r, [{ protocol, ports: hasPorts(protocol) ? range(block.from_port, block.to_port) : "all" }], sources, () => index.machinesWith(r.address));
    }
  },
};
