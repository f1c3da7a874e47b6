import type { Construct } from "constructs";
import { Port } from "../../lib/net/port.ts";
import type { CloudDriver, IFirewall } from "../cloud.ts";

/** The firewall every member of a cluster carries (`Internal`, named `<name>-internal`): all traffic between members, nothing else. */
export function membersFirewall(driver: CloudDriver, scope: Construct, name: string): IFirewall {
  const internal = driver.createFirewall(scope, "Internal", { name: `${name}-internal`, description: `drover: members of ${scope.node.path}` });
  internal.allowIngress({ kind: "firewall", firewall: internal }, Port.allTraffic(), "cluster members");
  return internal;
}
