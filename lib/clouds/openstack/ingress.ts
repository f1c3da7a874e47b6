import { hasPorts, protocolName, range, type RuleReader } from "../../policy/openings.ts";

/** Neutron's security-group rules, as the policy checks read them (lib/policy/ingress.ts). */
export const OPENSTACK_RULES: Readonly<Record<string, RuleReader>> = {
  openstack_networking_secgroup_rule_v2: (r, { add, groupMachines }) => {
    const b = r.body;
    if (String(b.direction ?? "").toLowerCase() !== "ingress") return;
    const protocol = protocolName(b.protocol);
    const openings = [{ protocol, ports: hasPorts(protocol) ? range(b.port_range_min, b.port_range_max) : ("all" as const) }];
    // Neutron reads a rule with neither a prefix nor a group as open to every address of its ethertype.
    const prefix = typeof b.remote_ip_prefix === "string" && b.remote_ip_prefix !== "" ? b.remote_ip_prefix : undefined;
    const sources = prefix ? [prefix] : b.remote_group_id ? [] : [String(b.ethertype ?? "IPv4") === "IPv6" ? "::/0" : "0.0.0.0/0"];
    add(r, openings, sources, groupMachines(b.security_group_id));
  },
};
