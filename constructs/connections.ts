import { Annotations } from "cdktf";
import type { Construct } from "constructs";
import { ValidationError } from "../lib/errors.ts";
import { isWorldOpen, parseCidr } from "../lib/net/cidr.ts";
import type { Port } from "../lib/net/port.ts";
import type { IFirewall, PeerSpec } from "./cloud.ts";

/** Who may connect: an address range or the members of another firewall. */
export const Peer = {
  /** An IPv4 or IPv6 range in CIDR notation. */
  cidr(text: string): PeerSpec {
    const parsed = parseCidr(text);
    if (!parsed.ok) {
      throw new ValidationError([{ code: "peer.bad-cidr", path: "Peer.cidr()", message: `"${text}" ${parsed.reason}${parsed.suggestion ? `: did you mean ${parsed.suggestion}?` : ""}` }]);
    }
    return { kind: "cidr", cidr: parsed.cidr };
  },
  /** Every IPv4 address. Open to the world: use only for public services such as 80/443. */
  anyIpv4(): PeerSpec {
    return Peer.cidr("0.0.0.0/0");
  },
  /** Machines that carry the given firewall. */
  firewall(firewall: IFirewall): PeerSpec {
    return { kind: "firewall", firewall };
  },
} as const;

/**
 * A construct's firewall seen as intent: `vm.connections.allowFrom(Peer.cidr("203.0.113.0/24"),
 * Port.tcp(22))`. Opening anything but 80/443 to the world adds a warning to the construct.
 */
export class Connections {
  constructor(
    private readonly owner: Construct,
    readonly firewall: IFirewall,
  ) {}

  allowFrom(peer: PeerSpec, port: Port, description?: string): void {
    if (peer.kind === "cidr" && isWorldOpen(peer.cidr) && !(port.protocol === "tcp" && (port.from === 80 || port.from === 443) && port.to === port.from)) {
      Annotations.of(this.owner).addWarning(`${port.label} is open to the whole internet (${peer.cidr.text}); only 80 and 443 should be. Name the networks that need it instead.`);
    }
    const from = peer.kind === "cidr" ? peer.cidr.text : peer.firewall.displayName;
    this.firewall.allowIngress(peer, port, description ?? `${port.label} from ${from}`);
  }
}
