import { describe, expect, it } from "vitest";
import { escapeDotText, ruleLine, toDot } from "../../lib/graph/dot.ts";
import { buildGraphModel } from "../../lib/graph/build.ts";
import { graphCounts, type GraphModel } from "../../lib/graph/model.ts";
import { planActions, renderPlanHtml } from "../../lib/graph/plan-page.ts";
import { ResourceIndex } from "../../lib/graph/refs.ts";
import { renderGraphHtml, renderGraphSvg } from "../../lib/graph/render.ts";
import { PLAN_FORMAT, summarize, type Action, type Plan, type ResourceChange } from "../../lib/plan/model.ts";

type Json = Record<string, unknown>;

/** A resource body as cdktf writes it, with its construct path. */
const res = (path: string, body: Json): Json => ({ "//": { metadata: { path, uniqueId: path.replace(/\//g, "_") } }, ...body });

/** An OpenStack stack: a server with a port, a floating IP, a volume, DNS and a Magnum cluster. */
const openstack: Json = {
  data: {
    openstack_networking_network_v2: { ext: res("lab/net/ExternalNetwork", { name: "public", external: true }) },
    openstack_dns_zone_v2: { zone: res("lab/web/Zone", { name: "lab.example.org." }) },
  },
  resource: {
    openstack_networking_network_v2: { net: res("lab/net/Resource", { name: "lab-net" }) },
    openstack_networking_subnet_v2: { sub: res("lab/net/Subnet", { name: "lab-subnet", cidr: "10.0.0.0/24", network_id: "${openstack_networking_network_v2.net.id}" }) },
    openstack_networking_router_v2: { rt: res("lab/net/Router", { name: "lab-router", external_network_id: "${data.openstack_networking_network_v2.ext.id}" }) },
    openstack_networking_router_interface_v2: {
      ri: res("lab/net/RouterInterface", { router_id: "${openstack_networking_router_v2.rt.id}", subnet_id: "${openstack_networking_subnet_v2.sub.id}" }),
    },
    openstack_networking_secgroup_v2: {
      web: res("lab/web/Firewall", { name: "lab-web" }),
      internal: res("lab/Internal", { name: "lab-internal" }),
    },
    openstack_networking_secgroup_rule_v2: {
      https: res("lab/web/Firewall-https", {
        direction: "ingress",
        protocol: "tcp",
        port_range_min: 443,
        port_range_max: 443,
        remote_ip_prefix: "0.0.0.0/0",
        security_group_id: "${openstack_networking_secgroup_v2.web.id}",
        description: "https",
      }),
      ping: res("lab/web/Firewall-icmp", { direction: "ingress", protocol: "icmp", remote_ip_prefix: "203.0.113.0/24", security_group_id: "${openstack_networking_secgroup_v2.web.id}" }),
      members: res("lab/Internal-all", {
        direction: "ingress",
        remote_group_id: "${openstack_networking_secgroup_v2.internal.id}",
        security_group_id: "${openstack_networking_secgroup_v2.internal.id}",
      }),
    },
    openstack_networking_port_v2: {
      port: res("lab/web/Port", {
        network_id: "${openstack_networking_network_v2.net.id}",
        fixed_ip: [{ subnet_id: "${openstack_networking_subnet_v2.sub.id}", ip_address: "10.0.0.10" }],
        security_group_ids: ["${openstack_networking_secgroup_v2.web.id}", "${openstack_networking_secgroup_v2.internal.id}"],
      }),
      port2: res("lab/worker/Port", {
        network_id: "${openstack_networking_network_v2.net.id}",
        fixed_ip: [{ subnet_id: "${openstack_networking_subnet_v2.sub.id}" }],
        security_group_ids: ["${openstack_networking_secgroup_v2.internal.id}"],
      }),
    },
    openstack_compute_instance_v2: {
      web: res("lab/web/Resource", {
        name: "lab-web",
        flavor_name: "m3.small",
        image_name: "Featured-Ubuntu24",
        metadata: { drover_role: "gateway", drover_volume_data: "${openstack_blockstorage_volume_v3.data.id}:/srv/data" },
        network: [{ port: "${openstack_networking_port_v2.port.id}" }],
      }),
      worker: res("lab/worker/Resource", { name: "lab-worker", flavor_name: "m3.quad", network: [{ port: "${openstack_networking_port_v2.port2.id}" }] }),
    },
    openstack_networking_floatingip_v2: { ip: res("lab/web/PublicAddress", { pool: "public", description: "lab-web-ip" }) },
    openstack_networking_floatingip_associate_v2: {
      assoc: res("lab/web/PublicAddress-association", { floating_ip: "${openstack_networking_floatingip_v2.ip.address}", port_id: "${openstack_networking_port_v2.port.id}" }),
    },
    openstack_blockstorage_volume_v3: { data: res("lab/web/Volume-data", { name: "lab-web-data", size: 200 }) },
    openstack_compute_volume_attach_v2: {
      attach: res("lab/web/Attach-data", { instance_id: "${openstack_compute_instance_v2.web.id}", volume_id: "${openstack_blockstorage_volume_v3.data.id}" }),
    },
    openstack_dns_recordset_v2: {
      rec: res("lab/web/Record", {
        name: "www.lab.example.org.",
        type: "A",
        records: ["${openstack_networking_floatingip_v2.ip.address}"],
        zone_id: "${data.openstack_dns_zone_v2.zone.id}",
      }),
    },
    openstack_containerinfra_cluster_v1: {
      k8s: res("lab/k8s/Resource", {
        name: "lab-k8s",
        master_count: 1,
        node_count: 3,
        flavor: "m3.medium",
        fixed_network: "${openstack_networking_network_v2.net.name}",
        fixed_subnet: "${openstack_networking_subnet_v2.sub.id}",
      }),
    },
  },
};

/** An AWS stack: a VPC with an internet gateway, an instance with an Elastic IP and an EBS volume. */
const aws: Json = {
  data: { aws_route53_zone: { zone: res("app/box/Zone", { name: "example.org" }) } },
  resource: {
    aws_vpc: { vpc: res("app/net/Resource", { cidr_block: "10.1.0.0/16", tags: { Name: "app-vpc" } }) },
    aws_subnet: { sub: res("app/net/Subnet", { cidr_block: "10.1.0.0/24", vpc_id: "${aws_vpc.vpc.id}", tags: { Name: "app-subnet" } }) },
    aws_internet_gateway: { igw: res("app/net/InternetGateway", { vpc_id: "${aws_vpc.vpc.id}", tags: { Name: "app-igw" } }) },
    aws_route_table: { rt: res("app/net/RouteTable", { vpc_id: "${aws_vpc.vpc.id}" }) },
    aws_route: { r: res("app/net/InternetRoute", { route_table_id: "${aws_route_table.rt.id}", gateway_id: "${aws_internet_gateway.igw.id}", destination_cidr_block: "0.0.0.0/0" }) },
    aws_route_table_association: { a: res("app/net/RouteTableAssociation", { route_table_id: "${aws_route_table.rt.id}", subnet_id: "${aws_subnet.sub.id}" }) },
    aws_security_group: {
      sg: res("app/box/Firewall", { name: "app-box", vpc_id: "${aws_vpc.vpc.id}" }),
      bastion: res("app/Bastion", { name: "app-bastion", vpc_id: "${aws_vpc.vpc.id}" }),
    },
    aws_vpc_security_group_ingress_rule: {
      ssh: res("app/box/Firewall-ssh", { security_group_id: "${aws_security_group.sg.id}", ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "203.0.113.0/24" }),
      fromBastion: res("app/box/Firewall-bastion", {
        security_group_id: "${aws_security_group.sg.id}",
        ip_protocol: "tcp",
        from_port: 8000,
        to_port: 8100,
        referenced_security_group_id: "${aws_security_group.bastion.id}",
      }),
    },
    aws_vpc_security_group_egress_rule: {
      out: res("app/box/Firewall-egress", { security_group_id: "${aws_security_group.sg.id}", ip_protocol: "-1", cidr_ipv4: "0.0.0.0/0" }),
    },
    aws_instance: {
      box: res("app/box/Resource", {
        instance_type: "m7i.large",
        subnet_id: "${aws_subnet.sub.id}",
        private_ip: "10.1.0.10",
        vpc_security_group_ids: ["${aws_security_group.sg.id}"],
        tags: { Name: "app-box", drover_role: "workstation", drover_volume_data: "${aws_ebs_volume.data.id}:/data" },
      }),
      other: res("app/other/Resource", { instance_type: "t3.micro", subnet_id: "${aws_subnet.sub.id}", associate_public_ip_address: true, tags: { Name: "app-other" } }),
    },
    aws_eip: {
      ip: res("app/box/PublicAddress", { domain: "vpc", instance: "${aws_instance.box.id}", tags: { Name: "app-box-ip" } }),
      spare: res("app/other/PublicAddress", { domain: "vpc", tags: { Name: "app-other-ip" } }),
    },
    aws_eip_association: { a: res("app/other/Association", { allocation_id: "${aws_eip.spare.id}", instance_id: "${aws_instance.other.id}" }) },
    aws_ebs_volume: { data: res("app/box/Volume-data", { size: 50, tags: { Name: "app-box-data" } }) },
    aws_volume_attachment: { att: res("app/box/Attach-data", { device_name: "/dev/sdf", instance_id: "${aws_instance.box.id}", volume_id: "${aws_ebs_volume.data.id}" }) },
    aws_route53_record: { rec: res("app/box/Record", { name: "box.example.org", type: "A", records: ["${aws_eip.ip.public_ip}"], zone_id: "${data.aws_route53_zone.zone.zone_id}" }) },
  },
};

/** Graphviz writes `-` as `&#45;` in SVG: decode entities to compare text. */
const decode = (s: string) => s.replace(/&(#\d+|lt|gt|quot|amp);/g, (_, e: string) => (e.startsWith("#") ? String.fromCharCode(Number(e.slice(1))) : { lt: "<", gt: ">", quot: '"', amp: "&" }[e]!));

/** The text of every `<text>` element of an SVG, decoded. */
const svgTexts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]!));

const rules = (m: GraphModel, group: string) => m.securityGroups.find((g) => g.name === group)?.rules.map(ruleLine);
const machine = (m: GraphModel, name: string) => m.machines.find((x) => x.name === name)!;

describe("references", () => {
  it("GIVEN interpolations THEN only addresses of known resources count, data sources included", () => {
    const index = new ResourceIndex(openstack);
    const found = index.refs([
      "${openstack_networking_subnet_v2.sub.id}",
      "x ${data.openstack_networking_network_v2.ext.id} y",
      "${[for s in data.openstack_dns_zone_v2.zone.records : s.endpoints][0]}",
      "${aws_instance.nope.id}",
      "openstack_networking_network_v2.net.id",
    ]);
    expect(found.map((r) => r.address)).toEqual(["openstack_networking_subnet_v2.sub", "data.openstack_networking_network_v2.ext", "data.openstack_dns_zone_v2.zone"]);
  });
});

describe("buildGraphModel on OpenStack", () => {
  const m = buildGraphModel(openstack, { stack: "lab" });

  it("GIVEN a server on a port THEN it has the port's subnet, network, address and groups", () => {
    expect(m.clouds).toEqual(["openstack"]);
    expect(machine(m, "lab-web")).toMatchObject({
      id: "openstack_compute_instance_v2.web",
      size: "m3.small",
      image: "Featured-Ubuntu24",
      role: "gateway",
      network: "openstack_networking_network_v2.net",
      subnet: "openstack_networking_subnet_v2.sub",
      fixedAddress: "10.0.0.10",
      securityGroups: ["openstack_networking_secgroup_v2.web", "openstack_networking_secgroup_v2.internal"],
      publicAddresses: ["openstack_networking_floatingip_v2.ip"],
      volumes: ["openstack_blockstorage_volume_v3.data"],
      members: ["openstack_compute_instance_v2.web", "openstack_networking_port_v2.port"],
    });
    expect(machine(m, "lab-worker").fixedAddress).toBeUndefined();
    expect(machine(m, "lab-worker").publicAddresses).toEqual([]);
  });

  it("GIVEN a router with an interface THEN it leads from its subnet to the external network", () => {
    expect(m.routers).toEqual([
      expect.objectContaining({
        name: "lab-router",
        kind: "router",
        network: "openstack_networking_network_v2.net",
        subnets: ["openstack_networking_subnet_v2.sub"],
        external: "data.openstack_networking_network_v2.ext",
        members: ["openstack_networking_router_v2.rt", "openstack_networking_router_interface_v2.ri"],
      }),
    ]);
    expect(m.networks.map((n) => [n.name, n.external, n.existing])).toEqual([
      ["lab-net", false, false],
      ["public", true, true],
    ]);
    expect(m.subnets).toEqual([expect.objectContaining({ name: "lab-subnet", cidr: "10.0.0.0/24", network: "openstack_networking_network_v2.net" })]);
  });

  it("GIVEN security group rules THEN each says what it opens, from where", () => {
    expect(rules(m, "lab-web")).toEqual(["tcp 443 ← 0.0.0.0/0", "icmp (all) ← 203.0.113.0/24"]);
    expect(rules(m, "lab-internal")).toEqual(["all traffic ← lab-internal"]);
    expect(m.securityGroups.find((g) => g.name === "lab-internal")!.rules[0]!.peerGroup).toBe("openstack_networking_secgroup_v2.internal");
  });

  it("GIVEN a floating IP, a volume and a DNS record THEN they link to the machine and the address", () => {
    expect(m.publicAddresses).toEqual([
      expect.objectContaining({
        name: "lab-web-ip",
        pool: "public",
        machine: "openstack_compute_instance_v2.web",
        members: ["openstack_networking_floatingip_v2.ip", "openstack_networking_floatingip_associate_v2.assoc"],
      }),
    ]);
    expect(m.volumes).toEqual([
      expect.objectContaining({
        name: "lab-web-data",
        sizeGiB: 200,
        attachments: [{ machine: "openstack_compute_instance_v2.web", address: "openstack_compute_volume_attach_v2.attach", mountPoint: "/srv/data" }],
      }),
    ]);
    expect(m.dnsRecords).toEqual([
      expect.objectContaining({ name: "www.lab.example.org.", recordType: "A", zone: "lab.example.org.", values: ["lab-web-ip"], targets: ["openstack_networking_floatingip_v2.ip"] }),
    ]);
    expect(m.kubernetesClusters).toEqual([expect.objectContaining({ name: "lab-k8s", masters: 1, workers: 3, size: "m3.medium", subnet: "openstack_networking_subnet_v2.sub" })]);
    expect(graphCounts(m)).toEqual({ networks: 1, externalNetworks: 1, subnets: 1, routers: 1, machines: 2, publicAddresses: 1, securityGroups: 2, volumes: 1, dnsRecords: 1, kubernetesClusters: 1 });
  });
});

describe("buildGraphModel on AWS", () => {
  const m = buildGraphModel(aws, { stack: "app" });

  it("GIVEN an instance in a subnet THEN it has the subnet's VPC, its address, group, volume and Elastic IP", () => {
    expect(m.clouds).toEqual(["aws"]);
    expect(machine(m, "app-box")).toMatchObject({
      size: "m7i.large",
      role: "workstation",
      subnet: "aws_subnet.sub",
      network: "aws_vpc.vpc",
      fixedAddress: "10.1.0.10",
      securityGroups: ["aws_security_group.sg"],
      publicAddresses: ["aws_eip.ip"],
      ephemeralPublicAddress: false,
      volumes: ["aws_ebs_volume.data"],
    });
    expect(machine(m, "app-other")).toMatchObject({ publicAddresses: ["aws_eip.spare"], ephemeralPublicAddress: true });
    expect(m.publicAddresses.find((p) => p.id === "aws_eip.spare")!.members).toEqual(["aws_eip.spare", "aws_eip_association.a"]);
  });

  it("GIVEN an internet gateway routed from the subnet THEN it leads to the Internet", () => {
    expect(m.routers).toEqual([
      expect.objectContaining({
        name: "app-igw",
        kind: "internet-gateway",
        network: "aws_vpc.vpc",
        subnets: ["aws_subnet.sub"],
        external: "internet",
        members: ["aws_internet_gateway.igw", "aws_route_table.rt", "aws_route.r", "aws_route_table_association.a"],
      }),
    ]);
    expect(m.networks.map((n) => `${n.name} ${n.cidr ?? ""}`.trim())).toEqual(["app-vpc 10.1.0.0/16", "Internet"]);
  });

  it("GIVEN ingress and egress rules THEN CIDRs and groups are their peers", () => {
    expect(rules(m, "app-box")).toEqual(["tcp 8000-8100 ← app-bastion", "tcp 22 ← 203.0.113.0/24", "out all traffic → 0.0.0.0/0"]);
    expect(m.volumes[0]!.attachments).toEqual([{ machine: "aws_instance.box", address: "aws_volume_attachment.att", device: "/dev/sdf", mountPoint: "/data" }]);
    expect(m.dnsRecords[0]).toMatchObject({ name: "box.example.org", zone: "example.org", targets: ["aws_eip.ip"], values: ["app-box-ip"] });
  });
});

describe("buildGraphModel on GCP and Azure", () => {
  it("GIVEN GCP firewalls on network tags THEN each tag is a group its instances join", () => {
    const m = buildGraphModel(
      {
        resource: {
          google_compute_network: { net: res("g/net/Resource", { name: "g-vpc" }) },
          google_compute_subnetwork: { sub: res("g/net/Subnet", { name: "g-subnet", ip_cidr_range: "10.2.0.0/24", network: "${google_compute_network.net.self_link}" }) },
          google_compute_firewall: {
            ssh: res("g/Access-ssh", { network: "${google_compute_network.net.self_link}", allow: [{ protocol: "tcp", ports: ["22"] }], source_ranges: ["203.0.113.0/24"], target_tags: ["g-access"] }),
          },
          google_compute_address: { ip: res("g/vm/PublicAddress", { name: "g-vm-ip", address_type: "EXTERNAL" }) },
          google_compute_instance: {
            vm: res("g/vm/Resource", {
              name: "g-vm",
              machine_type: "e2-standard-2",
              tags: ["g-access"],
              network_interface: [{ subnetwork: "${google_compute_subnetwork.sub.self_link}", network_ip: "10.2.0.5", access_config: [{ nat_ip: "${google_compute_address.ip.address}" }] }],
            }),
          },
        },
      },
      { stack: "g" },
    );
    expect(machine(m, "g-vm")).toMatchObject({
      size: "e2-standard-2",
      fixedAddress: "10.2.0.5",
      network: "google_compute_network.net",
      securityGroups: ["gcp-tag:g-access"],
      publicAddresses: ["google_compute_address.ip"],
    });
    expect(rules(m, "g-access")).toEqual(["tcp 22 ← 203.0.113.0/24"]);
  });

  it("GIVEN an Azure VM THEN its network interface gives its subnet, address and public IP", () => {
    const m = buildGraphModel(
      {
        resource: {
          azurerm_virtual_network: { net: res("z/net/Resource", { name: "z-vnet", address_space: ["10.3.0.0/16"] }) },
          azurerm_subnet: { sub: res("z/net/Subnet", { name: "z-subnet", address_prefixes: ["10.3.0.0/24"], virtual_network_name: "${azurerm_virtual_network.net.name}" }) },
          azurerm_public_ip: { ip: res("z/vm/PublicAddress", { name: "z-vm-ip", allocation_method: "Static" }) },
          azurerm_network_interface: {
            nic: res("z/vm/Nic", { ip_configuration: [{ subnet_id: "${azurerm_subnet.sub.id}", private_ip_address: "10.3.0.4", public_ip_address_id: "${azurerm_public_ip.ip.id}" }] }),
          },
          azurerm_linux_virtual_machine: { vm: res("z/vm/Resource", { name: "z-vm", size: "Standard_D2s_v5", network_interface_ids: ["${azurerm_network_interface.nic.id}"] }) },
        },
      },
      { stack: "z" },
    );
    expect(machine(m, "z-vm")).toMatchObject({
      size: "Standard_D2s_v5",
      subnet: "azurerm_subnet.sub",
      network: "azurerm_virtual_network.net",
      fixedAddress: "10.3.0.4",
      publicAddresses: ["azurerm_public_ip.ip"],
    });
    expect(m.clouds).toEqual(["azure"]);
  });
});

describe("DOT", () => {
  it.each([
    ["plain", "plain"],
    ['a "quoted" name', 'a \\"quoted\\" name'],
    ["back\\slash \\n", "back\\\\slash \\\\n"],
    ["two\nlines", "two\\nlines"],
    ["&lt; stays text", "&amp;lt; stays text"],
    ["bell\u0007 and tab\t", "bell and tab"],
  ])("escapes %j", (text, escaped) => {
    expect(escapeDotText(text)).toBe(escaped);
  });

  it("GIVEN hostile names THEN the DOT stays well formed and the SVG shows them as text", async () => {
    const hostile = structuredClone(openstack) as { resource: Record<string, Record<string, Json>> };
    hostile.resource.openstack_compute_instance_v2!.web!.name = 'x"];evil [label="<script>alert(1)</script>&amp;\\';
    const m = buildGraphModel(hostile, { stack: "lab" });
    const dot = toDot(m);
    expect(dot).toContain('label="x\\"];evil [label=\\"<script>alert(1)</script>&amp;amp;\\\\\\nm3.small · 10.0.0.10\\nrole: gateway"');
    const svg = await renderGraphSvg(m);
    expect(svg).toContain("x&quot;];evil [label=&quot;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;\\");
    expect(svg).not.toContain("<script");
  });

  it("GIVEN a machine outside any network and an empty network THEN both are still drawn", async () => {
    const m = buildGraphModel(
      { resource: { aws_vpc: { vpc: res("x/Vpc", { cidr_block: "10.9.0.0/16" }) }, aws_instance: { lone: res("x/lone/Resource", { instance_type: "t3.micro", tags: { Name: "lone" } }) } } },
      { stack: "x" },
    );
    const dot = toDot(m);
    expect(dot).toMatch(/^ {2}e\d+ \[label="lone\\nt3.micro"/m);
    expect(dot).toContain('label="(empty)"');
    expect(svgTexts(await renderGraphSvg(m))).toEqual(expect.arrayContaining(["lone", "(empty)", "network Vpc"]));
  });

  it("GIVEN the OpenStack stack THEN the picture nests machines in their subnet and network", () => {
    expect(toDot(buildGraphModel(openstack, { stack: "lab" }))).toMatchSnapshot();
  });
});

describe("pages", () => {
  it("GIVEN a model THEN the page is self-contained and lists every machine beside the picture", async () => {
    const html = await renderGraphHtml(buildGraphModel(aws, { stack: "app" }), "app <test>");
    expect(html).toContain("<title>app &lt;test&gt;</title>");
    expect(html).not.toMatch(/<(script|link|img|iframe|object)\b/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).toContain("default-src 'none'");
    for (const name of ["app-box", "app-other"]) {
      expect(html).toMatch(new RegExp(`<strong class="machine-name">${name}</strong>`));
      expect(svgTexts(html)).toContain(name);
    }
  });

  const change = (address: string, action: Action, constructPath: string): ResourceChange => {
    const [type = "", name = ""] = address.split(".");
    return { address, mode: "managed", type, name, constructPath, construct: constructPath.split("/").slice(0, 2).join("/"), action, changes: [], stateful: false, destructive: false };
  };
  const plan = (resources: ResourceChange[]): Plan => ({
    format: PLAN_FORMAT,
    stack: "lab",
    source: "offline",
    baseline: { kind: "deployed", description: "the last deploy" },
    resources,
    drift: [],
    outputs: [],
    summary: summarize(resources),
    hasChanges: resources.some((r) => r.action !== "no-op"),
  });

  it("GIVEN a plan THEN elements take their own action, or update when only a part changes", () => {
    const m = buildGraphModel(openstack, { stack: "lab" });
    const p = plan([
      change("openstack_compute_instance_v2.web", "no-op", "lab/web/Resource"),
      change("openstack_networking_port_v2.port", "update", "lab/web/Port"),
      change("openstack_compute_instance_v2.worker", "replace", "lab/worker/Resource"),
      change("openstack_blockstorage_volume_v3.data", "create", "lab/web/Volume-data"),
      change("openstack_networking_secgroup_v2.internal", "no-op", "lab/Internal"),
      change("openstack_networking_secgroup_rule_v2.old", "delete", "lab/Internal-old"),
      change("openstack_compute_instance_v2.gone", "delete", "lab/gone/Resource"),
      change("openstack_compute_keypair_v2.key", "delete", "lab/Key"),
    ]);
    const { actions, removed } = planActions(m, p);
    expect(actions.get("openstack_compute_instance_v2.web")).toBe("update");
    expect(actions.get("openstack_compute_instance_v2.worker")).toBe("replace");
    expect(actions.get("openstack_blockstorage_volume_v3.data")).toBe("create");
    expect(actions.get("openstack_networking_secgroup_v2.internal")).toBe("no-op");
    expect(actions.get("openstack_networking_network_v2.net")).toBe("no-op");
    expect(removed).toEqual([{ id: "openstack_compute_instance_v2.gone", kind: "machine", name: "gone" }]);
  });

  it("GIVEN cost and policy THEN the plan page shows them, escaped, with the picture coloured by action", async () => {
    const m = buildGraphModel(openstack, { stack: "lab" });
    const html = await renderPlanHtml({
      stack: m,
      plan: plan([
        change("openstack_compute_instance_v2.worker", "create", "lab/worker/Resource"),
        change("openstack_networking_port_v2.port", "update", "lab/web/Port"),
        change("openstack_compute_instance_v2.gone", "delete", "lab/gone/Resource"),
      ]),
      cost: { line: "SU/hour: 2 → 6 (+4)", rows: [{ label: "lab-worker <m3.quad>", before: "0", after: "4", change: "+4" }] },
      policy: [
        { id: "DRV002", severity: "error", message: "SSH open to <0.0.0.0/0>", construct: "lab/web" },
        { id: "DRV005", severity: "warning", message: "no expiry", construct: "lab", suppressed: { reason: "a long-lived lab server" } },
      ],
    });
    expect(html).toContain("SU/hour: 2 → 6 (+4)");
    expect(html).toContain("lab-worker &lt;m3.quad&gt;");
    expect(html).toContain("SSH open to &lt;0.0.0.0/0&gt;");
    expect(html).toContain("Policy (1 finding, 1 suppressed)");
    expect(html).toContain("Changes (3)");
    expect(html).toContain("suppressed: a long-lived lab server");
    const nodes = [...decode(html).matchAll(/<g id="[^"]*" class="node ([^"]*)">([\s\S]*?)<\/g>\s*<\/g>/g)].map((n) => [n[1], svgTexts(n[2]!)[0]]);
    expect(nodes).toContainEqual(["machine action-create", "lab-worker"]);
    expect(nodes).toContainEqual(["machine action-update", "lab-web"]);
    expect(nodes).toContainEqual(["machine action-delete", "gone"]);
    expect(html).toContain('<span class="badge action-delete">delete</span>');
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
  });
});
