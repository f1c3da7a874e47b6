import type { Construct } from "constructs";
import { parseCidr, type Cidr } from "../../lib/net/cidr.ts";
import { Port } from "../../lib/net/port.ts";
import type { CloudDriver, IFirewall } from "../cloud.ts";

/** The firewall every member of a cluster carries (`Internal`, named `<name>-internal`): all traffic between members, nothing else. */
export function membersFirewall(driver: CloudDriver, scope: Construct, name: string): IFirewall {
  const internal = driver.createFirewall(scope, "Internal", { name: `${name}-internal`, description: `drover: members of ${scope.node.path}` });
  internal.allowIngress({ kind: "firewall", firewall: internal }, Port.allTraffic(), "cluster members");
  return internal;
}

/** Opens a web host: 80 (Let's Encrypt's challenge, the redirect) and 443 to anyone, SSH to `sshFrom` only. */
export function allowWebAndSsh(firewall: IFirewall, sshFrom: readonly Cidr[]): void {
  const world = (parseCidr("0.0.0.0/0") as { cidr: Cidr }).cidr;
  firewall.allowIngress({ kind: "cidr", cidr: world }, Port.tcp(80), "http (Let's Encrypt, redirect)");
  firewall.allowIngress({ kind: "cidr", cidr: world }, Port.tcp(443), "https");
  for (const c of sshFrom) firewall.allowIngress({ kind: "cidr", cidr: c }, Port.tcp(22), `ssh from ${c.text}`);
}
