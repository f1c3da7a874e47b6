import { referencedAddress, type ConfigIndex, type Json, type TfResource } from "../../policy/config.ts";
import { hasPorts, portList, protocolName, strings, type RuleReader } from "../../policy/openings.ts";

/** Azure reads these sources as every address (a bare `0.0.0.0` too), in any case. */
const AZURE_WORLD = ["*", "internet", "any", "0.0.0.0"];

/** Azure: the machines in the rule's destination application security groups, or every machine under its network security group. */
function azureTargets(index: ConfigIndex, rule: Json): TfResource[] {
  const groups = strings(rule.destination_application_security_group_ids)
    .map((g) => referencedAddress(g, index))
    .filter((g): g is string => g !== undefined);
  if (groups.length > 0) return [...new Map(groups.flatMap((g) => index.machinesWith(g)).map((m) => [m.address, m])).values()];
  const nsg = referencedAddress(rule.network_security_group_name, index);
  return nsg ? index.machinesWith(nsg) : [];
}

/** Azure's network security rules, as the policy checks read them. */
export const AZURE_RULES: Readonly<Record<string, RuleReader>> = {
  azurerm_network_security_rule: (r, { add, index }) => {
    const b = r.body;
    if (String(b.direction ?? "").toLowerCase() !== "inbound" || String(b.access ?? "").toLowerCase() !== "allow") return;
    const protocol = protocolName(b.protocol);
    const ports = portList([...strings(b.destination_port_range), ...strings(b.destination_port_ranges)]);
    const sources = [...strings(b.source_address_prefix), ...strings(b.source_address_prefixes)];
    add(r, [{ protocol, ports: hasPorts(protocol) ? ports : "all" }], sources, () => azureTargets(index, b), AZURE_WORLD);
  },
};
