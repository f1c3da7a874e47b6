import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { IssueCollector } from "../lib/errors.ts";
import { parseCidr, type Cidr } from "../lib/net/cidr.ts";
import type { INetwork, NetworkLookup } from "./cloud.ts";
import { stackScopeOf } from "./private/stack-scope.ts";
import { checkName } from "../lib/naming.ts";
import { checkProps } from "../lib/props/schemas.ts";

export interface NetworkProps {
  /**
   * Address range of the network's subnet: a private IPv4 range from /16 to /28.
   * @default "10.0.0.0/24"
   */
  readonly cidr?: string;
  /**
   * Route the network to the internet (a router on the cloud's external network). Needed for
   * public addresses and for machines to reach package mirrors.
   * @default true
   */
  readonly internetAccess?: boolean;
  /**
   * DNS servers handed out on the subnet.
   * @default - the cloud's own resolvers
   */
  readonly dnsNameservers?: readonly string[];
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((t) => {
  const r = parseCidr(t);
  if (!r.ok) throw new Error(t);
  return r.cidr;
});

function isPrivate(c: Cidr): boolean {
  return PRIVATE_RANGES.some((r) => c.prefix >= r.prefix && c.network >> BigInt(32 - r.prefix) === r.network >> BigInt(32 - r.prefix));
}

/**
 * A private network with one subnet, routed to the internet by default. Machines join their
 * stack's default network unless given another; make one explicitly to share it, size it, or
 * keep it off the internet.
 *
 * @example
 * const net = new Network(stack, "lab", { cidr: "10.20.0.0/24" });
 * new VirtualMachine(stack, "a", { size: "m3.small", network: net });
 * // an existing network:
 * const shared = Network.fromExisting(stack, "shared", { name: "auto_allocated_network" });
 */
export class Network extends Construct implements INetwork {
  /** A network that already exists in the project, by name or ID. */
  static fromExisting(scope: Construct, id: string, lookup: NetworkLookup): INetwork {
    const issues = new IssueCollector(`${scope.node.path}/${id}`);
    for (const p of checkProps("networkLookup", lookup, "network")) issues.add(p.code, p.message);
    issues.throwIfAny();
    if (!lookup.name && !lookup.id) issues.add("network.bad-lookup", "give the existing network's 'name' or 'id'");
    if (lookup.name && lookup.id) issues.add("network.bad-lookup", "give the existing network's 'name' or its 'id', not both");
    issues.throwIfAny();
    return stackScopeOf(scope).driver.importNetwork(scope, id, lookup);
  }

  readonly networkId: string;
  readonly subnetId?: string;
  readonly cidr: Cidr;
  readonly displayName: string;
  /** Whether the network is routed to the internet. */
  readonly internetAccess: boolean;
  readonly internetReady?: ITerraformDependable;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    const stack = stackScopeOf(this);
    const issues = new IssueCollector(this.node.path);
    const badId = checkName(id, "construct id");
    if (badId) issues.add("network.bad-id", badId);
    for (const p of checkProps("network", props, "network")) issues.add(p.code, p.message);
    issues.throwIfAny();
    const cidrText = props.cidr ?? "10.0.0.0/24";
    const parsed = parseCidr(cidrText);
    let cidr: Cidr | undefined;
    if (!parsed.ok) {
      issues.add("network.bad-cidr", `'cidr' "${cidrText}" ${parsed.reason}${parsed.suggestion ? `: did you mean ${parsed.suggestion}?` : ""}`);
    } else if (parsed.cidr.version !== 4 || parsed.cidr.prefix < 16 || parsed.cidr.prefix > 28) {
      issues.add("network.bad-cidr", `'cidr' "${cidrText}" must be an IPv4 range from /16 to /28, e.g. "10.0.0.0/24"`);
    } else if (!isPrivate(parsed.cidr)) {
      issues.add("network.public-cidr", `'cidr' "${cidrText}" is not a private range: use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16`);
    } else {
      cidr = parsed.cidr;
    }
    for (const [i, ns] of (props.dnsNameservers ?? []).entries()) {
      const r = parseCidr(`${ns}/32`);
      if (!r.ok) issues.add("network.bad-nameserver", `'dnsNameservers[${i}]' "${ns}" is not an IPv4 address`);
    }
    issues.throwIfAny();

    const inner = stack.driver.createNetwork(this, "Resource", {
      name: stack.resourceName(this),
      cidr: cidr!,
      internetAccess: props.internetAccess ?? true,
      ...(props.dnsNameservers ? { dnsNameservers: props.dnsNameservers } : {}),
    });
    this.networkId = inner.networkId;
    if (inner.subnetId) this.subnetId = inner.subnetId;
    if (inner.internetReady) this.internetReady = inner.internetReady;
    this.cidr = cidr!;
    this.displayName = inner.displayName;
    this.internetAccess = props.internetAccess ?? true;
  }
}
