import { describe, expect, it } from "vitest";
import { POLICY_CHECKS } from "../../lib/policy/index.ts";
import { ids, meta, run, CLOUDS, type Body, type RuleSpec } from "../support/policy.ts";

const INGRESS_CASES: ReadonlyArray<{ name: string; rule: RuleSpec; role?: string; expected: string[] }> = [
  { name: "a database port open to the world", rule: { protocol: "tcp", port: 5432, source: "0.0.0.0/0" }, expected: ["DRV001"] },
  { name: "a notebook port open to IPv6's world", rule: { protocol: "tcp", port: 8888, source: "::/0" }, expected: ["DRV001"] },
  { name: "the same port from one network", rule: { protocol: "tcp", port: 5432, source: "203.0.113.0/24" }, expected: [] },
  { name: "SSH open to the world", rule: { protocol: "tcp", port: 22, source: "0.0.0.0/0" }, expected: ["DRV002"] },
  { name: "SSH from one network", rule: { protocol: "tcp", port: 22, source: "203.0.113.0/24" }, expected: [] },
  { name: "443 to the world on a GatewayHost", rule: { protocol: "tcp", port: 443, source: "0.0.0.0/0" }, role: "gateway", expected: [] },
  { name: "80 to the world on the JupyterHub's server", rule: { protocol: "tcp", port: 80, source: "::/0" }, role: "k3s-server", expected: [] },
  { name: "443 to the world on a plain machine", rule: { protocol: "tcp", port: 443, source: "0.0.0.0/0" }, expected: ["DRV003"] },
  { name: "80 to the world on a Slurm login node", rule: { protocol: "tcp", port: 80, source: "0.0.0.0/0" }, role: "login", expected: ["DRV003"] },
  { name: "all traffic from the world, even on a gateway", rule: { protocol: "any", source: "0.0.0.0/0" }, role: "gateway", expected: ["DRV001", "DRV002"] },
  { name: "all traffic from the world on a plain machine", rule: { protocol: "any", source: "0.0.0.0/0" }, expected: ["DRV001", "DRV002", "DRV003"] },
];

describe.each(Object.keys(CLOUDS))("ingress open to the world on %s", (cloud) => {
  it.each(INGRESS_CASES)("$name: $expected", ({ rule, role, expected }) => {
    // WHEN
    const findings = run(CLOUDS[cloud]!(rule, role));
    // THEN
    expect(ids(findings).sort()).toEqual(expected);
    for (const f of findings) {
      expect(f.construct).toBe("s/box/Firewall-rule");
      expect(f.resource).toMatch(/\.rule$/);
      expect(f.message).toContain(rule.source);
      expect(f.message).toContain("on s/box");
    }
  });
});

describe("ingress: each cloud's own ways to say 'everyone'", () => {
  const os = (rule: Body) => run({ openstack_networking_secgroup_rule_v2: { rule: { ...meta("box/Firewall-rule"), direction: "ingress", ...rule } } });
  const aws = (type: string, body: Body) => run({ [type]: { rule: { ...meta("box/Firewall-rule"), ...body } } });
  const gcp = (body: Body) => run({ google_compute_firewall: { rule: { ...meta("box/Firewall-rule"), allow: [{ protocol: "tcp", ports: ["5432"] }], ...body } } });
  const azure = (body: Body) =>
    run({ azurerm_network_security_rule: { rule: { ...meta("box/Firewall-rule"), direction: "Inbound", access: "Allow", protocol: "Tcp", destination_port_range: "5432", ...body } } });

  it.each([
    ["OpenStack: no prefix and no group admits every address", os({ protocol: "tcp", port_range_min: 5432, port_range_max: 5432, ethertype: "IPv4" }), ["DRV001"]],
    ["OpenStack: a remote group is not the world", os({ protocol: "tcp", port_range_min: 5432, port_range_max: 5432, remote_group_id: "${openstack_networking_secgroup_v2.x.id}" }), []],
    ["OpenStack: egress is not checked", os({ direction: "egress", remote_ip_prefix: "0.0.0.0/0" }), []],
    ["OpenStack: ICMP echo to the world (port_range_min is the ICMP type, not port 8)", os({ protocol: "icmp", port_range_min: 8, port_range_max: 0, remote_ip_prefix: "0.0.0.0/0" }), ["DRV001"]],
    ["OpenStack: tcp 22-443 to the world", os({ protocol: "tcp", port_range_min: 22, port_range_max: 443, remote_ip_prefix: "0.0.0.0/0" }), ["DRV001", "DRV002", "DRV003"]],
    ["AWS: an inline ingress block of aws_security_group", aws("aws_security_group", { ingress: [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] }] }), ["DRV002"]],
    ["AWS: aws_security_group_rule of type ingress", aws("aws_security_group_rule", { type: "ingress", protocol: "tcp", from_port: 3389, to_port: 3389, cidr_blocks: ["0.0.0.0/0"] }), ["DRV001"]],
    ["AWS: aws_security_group_rule of type egress", aws("aws_security_group_rule", { type: "egress", protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"] }), []],
    ["GCP: an ingress rule with no source admits 0.0.0.0/0", gcp({}), ["DRV001"]],
    ["GCP: source tags only", gcp({ source_tags: ["s-internal"] }), []],
    ["GCP: egress", gcp({ direction: "EGRESS", destination_ranges: ["0.0.0.0/0"] }), []],
    ["Azure: source *", azure({ source_address_prefix: "*" }), ["DRV001"]],
    ["Azure: the Internet service tag", azure({ source_address_prefixes: ["Internet"] }), ["DRV001"]],
    ["Azure: the virtual network", azure({ source_address_prefix: "VirtualNetwork" }), []],
    ["Azure: a deny rule", azure({ source_address_prefix: "*", access: "Deny" }), []],
  ])("%s", (_name, findings, expected) => {
    expect(ids(findings).sort()).toEqual(expected);
  });

  it("80/443 on a firewall that a gateway shares with a plain machine: not only a gateway", () => {
    // GIVEN the gateway's security group also on a second, ordinary machine
    const resources = CLOUDS.openstack!({ protocol: "tcp", port: 443, source: "0.0.0.0/0" }, "gateway");
    resources.openstack_compute_instance_v2!.other = { ...meta("other/Resource"), security_groups: ["${openstack_networking_secgroup_v2.sg.name}"], metadata: {} };
    // WHEN
    const findings = run(resources);
    // THEN
    expect(ids(findings)).toEqual(["DRV003"]);
    expect(findings[0]!.message).toBe(
      "port 443 open to the internet (0.0.0.0/0) on s/box, s/other, which are not a web gateway (GatewayHost or JupyterHub server), by openstack_networking_secgroup_rule_v2.rule",
    );
  });

  it("80/443 on a firewall no machine of the stack carries", () => {
    const findings = run({
      aws_vpc_security_group_ingress_rule: { rule: { ...meta("Firewall-rule"), ip_protocol: "tcp", from_port: 80, to_port: 80, cidr_ipv4: "0.0.0.0/0", security_group_id: "sg-0123" } },
    });
    expect(findings.map((f) => f.message)).toEqual(["port 80 open to the internet (0.0.0.0/0) on no machine of this stack drover knows as a web gateway, by aws_vpc_security_group_ingress_rule.rule"]);
  });

  it("says what is open, where, and by which rule", () => {
    const [f] = run(CLOUDS.gcp!({ protocol: "tcp", port: 22, source: "0.0.0.0/0" }));
    expect(f).toEqual({
      id: "DRV002",
      severity: "error",
      construct: "s/box/Firewall-rule",
      resource: "google_compute_firewall.rule",
      message: "SSH (tcp/22) open to the internet (0.0.0.0/0) on s/box, by google_compute_firewall.rule",
      fix: POLICY_CHECKS.find((c) => c.id === "DRV002")!.fix,
    });
  });
});
