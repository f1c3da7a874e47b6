import { createHash } from "node:crypto";
import type { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { ApplicationSecurityGroup } from "@cdktf/provider-azurerm/lib/application-security-group/index.js";
import type { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule/index.js";
import { ValidationError } from "../../lib/errors.ts";
import type { Port } from "../../lib/net/port.ts";
import type { IFirewall, PeerSpec } from "../cloud.ts";
import type { AzureBindings } from "./bindings.ts";

/** Priorities drover gives firewall rules: from 100, every 10, in the order the rules are added. */
export const FIRST_RULE_PRIORITY = 100;
export const RULE_PRIORITY_STEP = 10;
export const LAST_RULE_PRIORITY = 3980;
/** The rules that keep the stack closed by default sit after every firewall rule. */
export const ALLOW_LOAD_BALANCER_PRIORITY = 3990;
export const DENY_VIRTUAL_NETWORK_PRIORITY = 4000;
/** Azure's limit on application security groups named across the rules of one network security group. */
export const MAX_SECURITY_GROUPS_IN_RULES = 100;

export function fail(path: string, code: string, message: string): never {
  throw new ValidationError([{ code, path, message }]);
}

/** Azure rule names: letters, digits, `_ . -`, at most 80, ending in a letter, digit or `_`. */
function ruleName(text: string): string {
  const clean = text.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/[.-]+$/, "");
  if (clean.length <= 80) return clean;
  return `${clean.slice(0, 71).replace(/[.-]+$/, "")}-${createHash("sha256").update(clean).digest("hex").slice(0, 8)}`;
}

/** Azure's form of a port: one protocol name, one port or range, `*` for all. */
function protocolAndPorts(port: Port): { protocol: string; destinationPortRange: string } {
  switch (port.protocol) {
    case "any":
      return { protocol: "*", destinationPortRange: "*" };
    case "icmp":
      // Azure cannot pick an ICMP type: a ping rule opens every ICMP message from its peer.
      return { protocol: "Icmp", destinationPortRange: "*" };
    default: {
      const to = port.to ?? port.from!;
      return { protocol: port.protocol === "tcp" ? "Tcp" : "Udp", destinationPortRange: to === port.from ? `${to}` : `${port.from}-${to}` };
    }
  }
}

/**
 * The stack's one network security group, on every machine's NIC, and the rules in it.
 *
 * Azure allows one network security group per NIC, and a machine may carry several firewalls
 * (the cluster constructs give most machines two). So a firewall is not a security group here:
 * it is an application security group, which a NIC can join many of, and each of its rules sits
 * in this one group with the firewall as its destination. A machine thus gets exactly the rules
 * of the firewalls it carries.
 *
 * Where Azure's defaults differ from the other clouds': a network security group allows all
 * traffic from the virtual network (and anything peered or connected to it) and from Azure's
 * load balancer probes, before its final deny. OpenStack and AWS security groups admit nothing
 * unasked, even from next door. To keep that promise, this group ends in an explicit deny of
 * the virtual network at priority 4000, after an explicit allow of the load balancer probes
 * (which come from a host address Azure counts as part of the virtual network). Outbound
 * traffic keeps Azure's defaults: the virtual network and the internet.
 *
 * Rule priorities follow the order rules are added: 100, 110, ... 3980. Adding a rule at the end
 * keeps every other rule's priority; removing or inserting one renumbers those after it, which
 * Terraform changes in place. Azure refuses two inbound rules of one priority even for a
 * moment, so a renumbering applied in an unlucky order can stop part-way; deploying again
 * finishes it. ICMP rules cannot name a type: a ping rule admits every ICMP message.
 *
 * @example
 * // made once per stack by the driver, on the first firewall or machine:
 * const rules = new SecurityRules(bindings, stack, "lab-nsg", { resourceGroupName, location }, tags);
 */
export class SecurityRules {
  readonly groupId: string;
  /** The rules every NIC needs before its machine starts. */
  readonly closedByDefault: readonly ITerraformDependable[];
  private readonly groupName: string;
  private next = FIRST_RULE_PRIORITY;
  private readonly named = new Set<AzureFirewall>();

  constructor(
    private readonly b: AzureBindings,
    scope: Construct,
    name: string,
    private readonly where: { resourceGroupName: string; location: string },
    tags: Record<string, string>,
  ) {
    const group = new b.NetworkSecurityGroup(scope, "SecurityGroup", { name, ...where, tags });
    this.groupId = group.id;
    this.groupName = group.name;
    const everything = { direction: "Inbound", protocol: "*", sourcePortRange: "*", destinationPortRange: "*", destinationAddressPrefix: "*" };
    const common = { resourceGroupName: where.resourceGroupName, networkSecurityGroupName: this.groupName, ...everything };
    this.closedByDefault = [
      new b.NetworkSecurityRule(scope, "SecurityGroup-AllowAzureLoadBalancer", {
        ...common,
        name: "drover-allow-azure-load-balancer",
        priority: ALLOW_LOAD_BALANCER_PRIORITY,
        access: "Allow",
        sourceAddressPrefix: "AzureLoadBalancer",
        description: "drover: Azure's load balancer probes, as Azure's default rules allow",
      }),
      new b.NetworkSecurityRule(scope, "SecurityGroup-DenyVirtualNetwork", {
        ...common,
        name: "drover-deny-virtual-network",
        priority: DENY_VIRTUAL_NETWORK_PRIORITY,
        access: "Deny",
        sourceAddressPrefix: "VirtualNetwork",
        description: "drover: closed by default, even inside the virtual network; firewalls open what they need",
      }),
    ];
  }

  /** Adds one inbound allow rule, at the next priority. */
  add(scope: Construct, id: string, path: string, spec: { name: string; description: string; port: Port; peer: PeerSpec; to: AzureFirewall }): NetworkSecurityRule {
    const from = spec.peer.kind === "firewall" ? spec.peer.firewall : undefined;
    if (from !== undefined && !(from instanceof AzureFirewall)) fail(path, "azure.foreign-firewall", `firewall ${from.displayName} was not made by the Azure driver`);
    const newlyNamed = [spec.to, ...(from ? [from] : [])].filter((f) => !this.named.has(f));
    const count = this.named.size + newlyNamed.length;
    if (count > MAX_SECURITY_GROUPS_IN_RULES) {
      fail(
        path,
        "azure.too-many-firewalls",
        `this rule would make ${count} firewalls named in the rules of the stack's network security group, and Azure allows ${MAX_SECURITY_GROUPS_IN_RULES}: split the stack, or let machines share a firewall`,
      );
    }
    if (this.next > LAST_RULE_PRIORITY) {
      const room = (LAST_RULE_PRIORITY - FIRST_RULE_PRIORITY) / RULE_PRIORITY_STEP + 1;
      fail(
        path,
        "azure.too-many-rules",
        `the stack's network security group is full: drover gives firewall rules priorities ${FIRST_RULE_PRIORITY} to ${LAST_RULE_PRIORITY}, every ${RULE_PRIORITY_STEP} (${room} rules): open wider ranges with fewer rules, or split the stack`,
      );
    }
    for (const f of newlyNamed) this.named.add(f);
    const priority = this.next;
    this.next += RULE_PRIORITY_STEP;
    return new this.b.NetworkSecurityRule(scope, id, {
      name: ruleName(spec.name),
      resourceGroupName: this.where.resourceGroupName,
      networkSecurityGroupName: this.groupName,
      priority,
      direction: "Inbound",
      access: "Allow",
      ...protocolAndPorts(spec.port),
      sourcePortRange: "*",
      ...(spec.peer.kind === "cidr" ? { sourceAddressPrefix: spec.peer.cidr.text } : { sourceApplicationSecurityGroupIds: [spec.peer.firewall.firewallId] }),
      destinationApplicationSecurityGroupIds: [spec.to.firewallId],
      description: spec.description.slice(0, 140),
    });
  }
}

/**
 * A firewall: an application security group, with its rules in the stack's network security group.
 *
 * @example
 * const firewall = stack.driver.createFirewall(vm, "Firewall", { name: "lab-box-sg", description: "drover: firewall of lab/box" });
 * firewall.allowIngress(Peer.cidr("203.0.113.0/24"), Port.tcp(22), "ssh from the lab");
 */
export class AzureFirewall implements IFirewall {
  readonly firewallId: string;
  /** The virtual network of the first machine that joined; an application security group holds machines of one. */
  vnetKey?: string;
  private readonly ruleIds = new Set<string>();

  constructor(
    private readonly rules: SecurityRules,
    private readonly scope: Construct,
    private readonly id: string,
    readonly displayName: string,
    group: ApplicationSecurityGroup,
  ) {
    this.firewallId = group.id;
  }

  placeIn(vnetKey: string, machinePath: string): void {
    if (this.vnetKey === undefined) this.vnetKey = vnetKey;
    else if (this.vnetKey !== vnetKey) {
      fail(
        machinePath,
        "azure.firewall-two-networks",
        `firewall ${this.displayName} is used by machines on two networks; on Azure an application security group holds machines of one virtual network: give each network its own firewall`,
      );
    }
  }

  allowIngress(peer: PeerSpec, port: Port, description: string): void {
    const source = peer.kind === "cidr" ? peer.cidr.text : peer.firewall.displayName;
    // Named after what it opens, so reordering rules in code does not replace them.
    const ruleId = [this.id, port.label, source].join("-").replace(/[^A-Za-z0-9-]+/g, "-");
    if (this.ruleIds.has(ruleId)) return;
    this.ruleIds.add(ruleId);
    const path = `${this.scope.node.path}/${ruleId}`;
    const rule = this.rules.add(this.scope, ruleId, path, { name: `${this.displayName}-${port.label}-${source}`, description, port, peer, to: this });
    if (peer.kind === "firewall") {
      const from = peer.firewall as AzureFirewall;
      // Both ends of a rule between application security groups must be in one virtual network.
      rule.node.addValidation({
        validate: () =>
          from.vnetKey !== undefined && this.vnetKey !== undefined && from.vnetKey !== this.vnetKey
            ? [
                `firewall ${this.displayName} admits ${from.displayName}, whose machines are on another network; on Azure such a rule works inside one virtual network: admit their address range instead`,
              ]
            : [],
      });
    }
  }
}
