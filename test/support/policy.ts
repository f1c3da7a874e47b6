import type { StackInfo } from "../../lib/app/stack-info.ts";
import { runPolicy, type Finding, type PolicyInput } from "../../lib/policy/index.ts";

// GIVEN helpers for the policy tests: the smallest Terraform JSON each check reads, in cdktf's shape.

export type Body = Record<string, unknown>;
export type Resources = Record<string, Record<string, Body>>;

export const STACK = "s";
export const meta = (path: string) => ({ "//": { metadata: { path: `${STACK}/${path}`, uniqueId: path.replace(/\W/g, "_") } } });
export const config = (resource: Resources, extra: Body = {}) => ({ resource, ...extra });
export const info = (overrides: Partial<StackInfo> = {}): StackInfo => ({
  stack: STACK,
  cloud: { kind: "openstack", name: "jetstream2", region: "IU", summary: "Jetstream2 (OpenStack), region IU" },
  files: [],
  ...overrides,
});
export const NOW = new Date("2026-03-01T12:00:00Z");

export function run(resource: Resources, opts: Partial<PolicyInput> & { extra?: Body } = {}): Finding[] {
  return [
    ...runPolicy({
      config: config(resource, opts.extra ?? {}),
      info: opts.info ?? info(),
      now: NOW,
      ...(opts.files ? { files: opts.files } : {}),
      ...(opts.allowDestroy ? { allowDestroy: true } : {}),
    }).findings,
  ];
}
export const ids = (findings: readonly Finding[]) => findings.map((f) => f.id);

/** A rule in cloud-neutral words: what it opens, from where, on a machine of which drover role. */
export interface RuleSpec {
  readonly protocol: "tcp" | "any";
  readonly port?: number;
  readonly source: string;
}

/** Each cloud: a firewall with the rule, carried by one machine of the given role, the way drover's driver writes it. */
export const CLOUDS: Record<string, (rule: RuleSpec, role?: string) => Resources> = {
  openstack: (rule, role) => ({
    openstack_networking_secgroup_v2: { sg: { ...meta("box/Firewall"), name: "s-box" } },
    openstack_networking_secgroup_rule_v2: {
      rule: {
        ...meta("box/Firewall-rule"),
        direction: "ingress",
        ethertype: rule.source.includes(":") ? "IPv6" : "IPv4",
        ...(rule.protocol === "tcp" ? { protocol: "tcp", port_range_min: rule.port, port_range_max: rule.port } : {}),
        remote_ip_prefix: rule.source,
        security_group_id: "${openstack_networking_secgroup_v2.sg.id}",
      },
    },
    openstack_networking_port_v2: { port: { ...meta("box/Port"), security_group_ids: ["${openstack_networking_secgroup_v2.sg.id}"] } },
    openstack_compute_instance_v2: {
      box: { ...meta("box/Resource"), network: [{ port: "${openstack_networking_port_v2.port.id}" }], metadata: { drover_construct: "s/box", ...(role ? { drover_role: role } : {}) } },
    },
  }),
  aws: (rule, role) => ({
    aws_security_group: { sg: { ...meta("box/Firewall"), name: "s-box" } },
    aws_vpc_security_group_ingress_rule: {
      rule: {
        ...meta("box/Firewall-rule"),
        ...(rule.protocol === "tcp" ? { ip_protocol: "tcp", from_port: rule.port, to_port: rule.port } : { ip_protocol: "-1" }),
        ...(rule.source.includes(":") ? { cidr_ipv6: rule.source } : { cidr_ipv4: rule.source }),
        security_group_id: "${aws_security_group.sg.id}",
      },
    },
    aws_instance: { box: { ...meta("box/Resource"), vpc_security_group_ids: ["${aws_security_group.sg.id}"], tags: { Name: "s-box", ...(role ? { drover_role: role } : {}) } } },
  }),
  gcp: (rule, role) => ({
    google_compute_network: { net: { ...meta("network/Resource"), name: "s" } },
    google_compute_subnetwork: { sub: { ...meta("network/Subnetwork"), network: "${google_compute_network.net.id}" } },
    google_compute_firewall: {
      rule: {
        ...meta("box/Firewall-rule"),
        direction: "INGRESS",
        network: "${google_compute_network.net.self_link}",
        allow: [rule.protocol === "tcp" ? { protocol: "tcp", ports: [String(rule.port)] } : { protocol: "all" }],
        source_ranges: [rule.source],
        target_tags: ["s-box"],
      },
    },
    google_compute_instance: {
      box: { ...meta("box/Resource"), tags: ["s-box"], network_interface: [{ subnetwork: "${google_compute_subnetwork.sub.self_link}" }], metadata: role ? { drover_role: role } : {} },
    },
  }),
  azure: (rule, role) => ({
    azurerm_network_security_group: { nsg: { ...meta("SecurityGroup"), name: "s-nsg" } },
    azurerm_application_security_group: { asg: { ...meta("box/Firewall"), name: "s-box" } },
    azurerm_network_security_rule: {
      rule: {
        ...meta("box/Firewall-rule"),
        direction: "Inbound",
        access: "Allow",
        protocol: rule.protocol === "tcp" ? "Tcp" : "*",
        destination_port_range: rule.protocol === "tcp" ? String(rule.port) : "*",
        source_address_prefix: rule.source,
        destination_application_security_group_ids: ["${azurerm_application_security_group.asg.id}"],
        network_security_group_name: "${azurerm_network_security_group.nsg.name}",
      },
    },
    azurerm_network_interface: { nic: { ...meta("box/Nic"), name: "s-box-nic" } },
    azurerm_network_interface_application_security_group_association: {
      joins: { ...meta("box/Joins"), application_security_group_id: "${azurerm_application_security_group.asg.id}", network_interface_id: "${azurerm_network_interface.nic.id}" },
    },
    azurerm_linux_virtual_machine: { box: { ...meta("box/Resource"), network_interface_ids: ["${azurerm_network_interface.nic.id}"], tags: role ? { drover_role: role } : {} } },
  }),
};
