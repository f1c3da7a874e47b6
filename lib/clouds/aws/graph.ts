import type { GraphRule } from "../../graph/model.ts";
import { type GraphBuilder, machineDraft, protocolName, readAttachments, readDnsRecords, rulePorts } from "../../graph/builder.ts";
import { blocks, displayName, droverTag, literal, num, type Json, type TfResource } from "../../graph/refs.ts";

/** AWS: VPCs, subnets, internet gateways, EC2 instances, Elastic IPs, EBS volumes, Route 53. */
export function addAws(b: GraphBuilder): void {
  const { index } = b;
  const cloud = "aws" as const;

  for (const r of index.ofType("aws_vpc")) {
    const cidr = literal(r.body.cidr_block);
    b.networks.set(r.address, { ...b.base(r, cloud), ...(cidr ? { cidr } : {}), external: false, existing: r.mode === "data" });
  }
  for (const r of index.ofType("aws_subnet")) {
    const network = index.ref(r.body.vpc_id)?.address;
    const cidr = literal(r.body.cidr_block);
    b.subnets.set(r.address, { ...b.base(r, cloud), ...(cidr ? { cidr } : {}), ...(network ? { network } : {}) });
  }
  for (const r of index.managed("aws_ec2_subnet_cidr_reservation")) {
    const subnet = index.ref(r.body.subnet_id)?.address;
    if (subnet) b.member(subnet, r.address);
  }
  addGateways(b);

  for (const r of index.ofType("aws_security_group")) {
    b.securityGroups.set(r.address, { ...b.base(r, cloud), rules: [] });
  }
  for (const r of index.managed("aws_security_group")) {
    for (const direction of ["ingress", "egress"] as const) {
      for (const block of blocks(r.body[direction])) addRule(b, r.address, r.address, direction, block, block.protocol, block.cidr_blocks, block.security_groups, block.self);
    }
  }
  for (const direction of ["ingress", "egress"] as const) {
    for (const r of index.managed(`aws_vpc_security_group_${direction}_rule`)) {
      const group = index.ref(r.body.security_group_id)?.address;
      const cidrs = [r.body.cidr_ipv4, r.body.cidr_ipv6, r.body.prefix_list_id].filter((c) => c !== undefined);
      if (group) addRule(b, group, r.address, direction, r.body, r.body.ip_protocol, cidrs, r.body.referenced_security_group_id, false);
    }
  }
  for (const r of index.managed("aws_security_group_rule")) {
    const group = index.ref(r.body.security_group_id)?.address;
    const direction = literal(r.body.type) === "egress" ? "egress" : "ingress";
    if (group) addRule(b, group, r.address, direction, r.body, r.body.protocol, r.body.cidr_blocks, r.body.source_security_group_id, r.body.self);
  }

  for (const r of index.ofType("aws_ebs_volume")) {
    const sizeGiB = num(r.body.size);
    b.volumes.set(r.address, { ...b.base(r, cloud), ...(sizeGiB !== undefined ? { sizeGiB } : {}), attachments: [] });
  }

  for (const r of index.managed("aws_instance")) addInstance(b, r);

  for (const r of index.ofType("aws_eip")) {
    const domain = literal(r.body.domain);
    b.publicAddresses.set(r.address, { ...b.base(r, cloud), ...(domain ? { pool: domain } : {}) });
    const machine = index.ref(r.body.instance)?.address;
    if (machine) b.associate(r.address, machine);
  }
  for (const r of index.managed("aws_eip_association")) {
    const ip = index.ref(r.body.allocation_id)?.address ?? index.ref(r.body.public_ip)?.address;
    const machine = index.ref(r.body.instance_id)?.address;
    if (ip && machine) b.associate(ip, machine, r.address);
  }

  readAttachments(b, "aws_volume_attachment", { volume: "volume_id", machine: "instance_id", device: "device_name" });
  readDnsRecords(b, cloud, "aws_route53_record", { zone: "zone_id", records: "records" });

  for (const r of index.managed("aws_eks_cluster")) {
    const config = blocks(r.body.vpc_config)[0] ?? {};
    const subnet = index.refs(config.subnet_ids).find((s) => b.subnets.has(s.address))?.address;
    const network = subnet ? b.subnets.get(subnet)?.network : undefined;
    b.kubernetesClusters.set(r.address, { ...b.base(r, cloud), ...(subnet ? { subnet } : {}), ...(network ? { network } : {}) });
  }
  for (const r of index.managed("aws_eks_node_group")) {
    const cluster = index.refs(r.body.cluster_name)[0]?.address;
    if (cluster) b.member(cluster, r.address);
  }
}

function addRule(b: GraphBuilder, group: string, address: string, direction: GraphRule["direction"], body: Json, protocolValue: unknown, cidrs: unknown, peerGroups: unknown, self: unknown): void {
  const protocol = protocolName(protocolValue);
  const ports = rulePorts(protocol, num(body.from_port), num(body.to_port));
  const description = literal(body.description);
  const base = { address, direction, protocol, ports, ...(description ? { description } : {}) };
  const peers: Array<{ peer: string; peerGroup?: string }> = [];
  for (const c of Array.isArray(cidrs) ? cidrs : [cidrs]) {
    const text = literal(c);
    if (text) peers.push({ peer: text });
    else for (const ref of b.index.refs(c)) peers.push({ peer: displayName(ref) });
  }
  for (const ref of b.index.refs(peerGroups)) {
    peers.push(b.securityGroups.has(ref.address) ? { peer: b.groupName(ref.address), peerGroup: ref.address } : { peer: displayName(ref) });
  }
  if (self === true) peers.push({ peer: b.groupName(group), peerGroup: group });
  if (peers.length === 0) peers.push({ peer: "any" });
  for (const p of peers) b.addRule(group, { ...base, ...p });
}

function addGateways(b: GraphBuilder): void {
  const { index } = b;
  const gatewayOfTable = new Map<string, string>();
  for (const r of index.managed("aws_internet_gateway")) {
    const network = index.ref(r.body.vpc_id)?.address;
    b.routers.set(r.address, { ...b.base(r, "aws"), kind: "internet-gateway", subnets: [], external: b.internet(), ...(network ? { network } : {}) });
  }
  const viaGateway = (table: string, gatewayRef: unknown, address: string) => {
    const gateway = index.ref(gatewayRef)?.address;
    if (!gateway || !b.routers.has(gateway)) return;
    gatewayOfTable.set(table, gateway);
    b.member(gateway, table);
    b.member(gateway, address);
  };
  for (const r of index.managed("aws_route_table")) {
    for (const route of blocks(r.body.route)) viaGateway(r.address, route.gateway_id, r.address);
  }
  for (const r of index.managed("aws_route")) {
    const table = index.ref(r.body.route_table_id)?.address;
    if (table) viaGateway(table, r.body.gateway_id, r.address);
  }
  for (const r of index.managed("aws_route_table_association")) {
    const gateway = gatewayOfTable.get(index.ref(r.body.route_table_id)?.address ?? "");
    const subnet = index.ref(r.body.subnet_id)?.address;
    const router = gateway ? b.routers.get(gateway) : undefined;
    if (!router || !subnet) continue;
    router.members.push(r.address);
    if (!router.subnets.includes(subnet)) router.subnets.push(subnet);
  }
}

function addInstance(b: GraphBuilder, r: TfResource): void {
  const { index } = b;
  const size = literal(r.body.instance_type);
  const image = literal(r.body.ami);
  const role = droverTag(r, "drover_role");
  const count = num(r.body.count);
  const subnet = index.ref(r.body.subnet_id)?.address;
  const network = subnet ? b.subnets.get(subnet)?.network : undefined;
  const fixedAddress = literal(r.body.private_ip);
  b.machines.set(r.address, {
    ...machineDraft(b.base(r, "aws")),
    ...(size ? { size } : {}),
    ...(image ? { image } : {}),
    ...(role ? { role } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(subnet ? { subnet } : {}),
    ...(network ? { network } : {}),
    ...(fixedAddress ? { fixedAddress } : {}),
    ephemeralPublicAddress: r.body.associate_public_ip_address === true,
  });
  for (const g of index.refs([r.body.vpc_security_group_ids, r.body.security_groups])) b.joinGroup(r.address, g.address);
}
