import { isObject, referencedAddress, type ConfigIndex, type Json, type TfResource } from "../../policy/config.ts";
import { hasPorts, portList, protocolName, strings, type RuleReader } from "../../policy/openings.ts";

/** GCP: machines with one of the rule's target tags, or every machine on its network. */
function gcpTargets(index: ConfigIndex, rule: Json): TfResource[] {
  const tags = strings(rule.target_tags);
  if (tags.length > 0) return index.machines.filter((m) => strings(m.body.tags).some((t) => tags.includes(t)));
  if (strings(rule.target_service_accounts).length > 0) return [];
  const network = referencedAddress(rule.network, index);
  return network ? index.machinesOn(network) : [];
}

/** GCP's VPC firewall rules, as the policy checks read them. */
export const GCP_RULES: Readonly<Record<string, RuleReader>> = {
  google_compute_firewall: (r, { add, index }) => {
    const b = r.body;
    if (String(b.direction ?? "INGRESS").toUpperCase() !== "INGRESS" || b.disabled === true) return;
    const allows = Array.isArray(b.allow) ? b.allow.filter(isObject) : isObject(b.allow) ? [b.allow] : [];
    const openings = allows.map((a: Json) => {
      const protocol = protocolName(a.protocol);
      return { protocol, ports: hasPorts(protocol) ? portList(strings(a.ports)) : ("all" as const) };
    });
    const ranges = strings(b.source_ranges);
    // An ingress rule with no source at all admits 0.0.0.0/0 (GCP's default).
    const noSource = ranges.length === 0 && strings(b.source_tags).length === 0 && strings(b.source_service_accounts).length === 0;
    add(r, openings, noSource ? ["0.0.0.0/0"] : ranges, () => gcpTargets(index, b));
  },
};
