import { type GraphBuilder, machineDraft, protocolName, readAttachments, readDnsRecords, rulePorts } from "../../graph/builder.ts";
import { blocks, droverTag, literal, mountPoints, num, strings, type TfResource } from "../../graph/refs.ts";

interface PortInfo {
  network?: string;
  subnet?: string;
  fixedAddress?: string;
  groups: string[];
}

/** OpenStack (Jetstream2): Neutron networks and ports, Nova servers, Cinder volumes, Designate. */
export function addOpenStack(b: GraphBuilder): void {
  const { index } = b;
  const cloud = "openstack" as const;

  for (const r of index.ofType("openstack_networking_network_v2")) {
    const external = r.body.external === true || r.body.external === "true";
    b.networks.set(r.address, { ...b.base(r, cloud), external, existing: r.mode === "data" });
  }
  for (const r of index.ofType("openstack_networking_subnet_v2")) {
    const network = index.ref(r.body.network_id)?.address;
    const cidr = literal(r.body.cidr);
    b.subnets.set(r.address, { ...b.base(r, cloud), ...(cidr ? { cidr } : {}), ...(network ? { network } : {}) });
  }

  for (const r of index.managed("openstack_networking_secgroup_v2")) {
    b.securityGroups.set(r.address, { ...b.base(r, cloud), rules: [] });
  }
  for (const r of index.managed("openstack_networking_secgroup_rule_v2")) {
    const group = index.ref(r.body.security_group_id)?.address;
    if (!group) continue;
    const protocol = protocolName(r.body.protocol);
    const remoteGroup = index.ref(r.body.remote_group_id)?.address;
    const description = literal(r.body.description);
    b.addRule(group, {
      address: r.address,
      direction: literal(r.body.direction) === "egress" ? "egress" : "ingress",
      protocol,
      ports: rulePorts(protocol, num(r.body.port_range_min), num(r.body.port_range_max)),
      peer: literal(r.body.remote_ip_prefix) ?? (remoteGroup ? b.groupName(remoteGroup) : "any"),
      ...(remoteGroup ? { peerGroup: remoteGroup } : {}),
      ...(description ? { description } : {}),
    });
  }

  const ports = new Map<string, PortInfo>();
  for (const r of index.ofType("openstack_networking_port_v2")) {
    const fixed = blocks(r.body.fixed_ip);
    const subnet = fixed.map((f) => index.ref(f.subnet_id)?.address).find(Boolean);
    const fixedAddress = fixed.map((f) => literal(f.ip_address)).find(Boolean);
    const network = index.ref(r.body.network_id)?.address ?? (subnet ? b.subnets.get(subnet)?.network : undefined);
    const groups = index.refs(r.body.security_group_ids).map((g) => g.address);
    ports.set(r.address, { ...(network ? { network } : {}), ...(subnet ? { subnet } : {}), ...(fixedAddress ? { fixedAddress } : {}), groups });
  }

  for (const r of index.ofType("openstack_blockstorage_volume_v3").concat(index.ofType("openstack_blockstorage_volume_v2"))) {
    const sizeGiB = num(r.body.size);
    b.volumes.set(r.address, { ...b.base(r, cloud), ...(sizeGiB !== undefined ? { sizeGiB } : {}), attachments: [] });
  }

  const portOwner = new Map<string, string>();
  for (const r of index.managed("openstack_compute_instance_v2")) addServer(b, r, ports, portOwner);

  addRouters(b);

  for (const r of index.ofType("openstack_networking_floatingip_v2")) {
    const pool = literal(r.body.pool);
    const description = literal(r.body.description);
    b.publicAddresses.set(r.address, {
      ...b.base(r, cloud),
      ...(literal(r.body.name) ? {} : description ? { name: description } : {}),
      ...(pool ? { pool } : {}),
    });
    const port = index.ref(r.body.port_id)?.address;
    const machine = port ? portOwner.get(port) : undefined;
    if (machine) b.associate(r.address, machine);
  }
  for (const r of index.managed("openstack_networking_floatingip_associate_v2")) {
    const ip = index.ref(r.body.floating_ip)?.address;
    const port = index.ref(r.body.port_id)?.address;
    const machine = port ? portOwner.get(port) : undefined;
    if (ip && machine) b.associate(ip, machine, r.address);
  }
  for (const r of index.managed("openstack_compute_floatingip_associate_v2")) {
    const ip = index.ref(r.body.floating_ip)?.address;
    const machine = index.ref(r.body.instance_id)?.address;
    if (ip && machine) b.associate(ip, machine, r.address);
  }

  readAttachments(b, "openstack_compute_volume_attach_v2", { volume: "volume_id", machine: "instance_id", device: "device" });
  readDnsRecords(b, cloud, "openstack_dns_recordset_v2", { zone: "zone_id", records: "records" });

  for (const r of index.managed("openstack_containerinfra_cluster_v1")) {
    const subnet = index.ref(r.body.fixed_subnet)?.address;
    const network = index.ref(r.body.fixed_network)?.address ?? (subnet ? b.subnets.get(subnet)?.network : undefined);
    const masters = num(r.body.master_count);
    const workers = num(r.body.node_count);
    const size = literal(r.body.flavor);
    b.kubernetesClusters.set(r.address, {
      ...b.base(r, cloud),
      ...(network ? { network } : {}),
      ...(subnet ? { subnet } : {}),
      ...(masters !== undefined ? { masters } : {}),
      ...(workers !== undefined ? { workers } : {}),
      ...(size ? { size } : {}),
    });
  }
  for (const r of index.managed("openstack_containerinfra_nodegroup_v1")) {
    const cluster = index.ref(r.body.cluster_id)?.address;
    if (cluster) b.member(cluster, r.address);
  }
}

function addServer(b: GraphBuilder, r: TfResource, ports: Map<string, PortInfo>, portOwner: Map<string, string>): void {
  const { index } = b;
  const size = literal(r.body.flavor_name) ?? literal(r.body.flavor_id);
  const image = literal(r.body.image_name) ?? literal(r.body.image_id);
  const role = droverTag(r, "drover_role");
  const count = num(r.body.count);
  const machine = {
    ...machineDraft(b.base(r, "openstack")),
    ...(size ? { size } : {}),
    ...(image ? { image } : {}),
    ...(role ? { role } : {}),
    ...(count !== undefined ? { count } : {}),
  };
  b.machines.set(r.address, machine);
  for (const nic of blocks(r.body.network)) {
    const port = index.ref(nic.port)?.address;
    const info = port ? ports.get(port) : undefined;
    if (port && info) {
      portOwner.set(port, r.address);
      b.member(r.address, port);
      machine.network ??= info.network;
      machine.subnet ??= info.subnet;
      machine.fixedAddress ??= info.fixedAddress;
      for (const g of info.groups) b.joinGroup(r.address, g);
      continue;
    }
    const network = index.ref(nic.uuid)?.address ?? findByName(b.networks, literal(nic.name));
    if (network) machine.network ??= network;
    const fixed = literal(nic.fixed_ip_v4);
    if (fixed) machine.fixedAddress ??= fixed;
  }
  if (!machine.network) delete machine.network;
  if (!machine.subnet) delete machine.subnet;
  if (!machine.fixedAddress) delete machine.fixedAddress;
  for (const g of strings(r.body.security_groups)) {
    const group = index.ref(g)?.address ?? findByName(b.securityGroups, literal(g));
    if (group) b.joinGroup(r.address, group);
  }
  // Volumes attached at boot (block_device with a volume as source).
  const mounts = mountPoints(index, r);
  for (const dev of blocks(r.body.block_device)) {
    const volume = index.ref(dev.uuid)?.address;
    if (volume && b.volumes.has(volume)) {
      const mountPoint = mounts.get(volume);
      b.attach(volume, { machine: r.address, ...(mountPoint ? { mountPoint } : {}) });
    }
  }
}

function addRouters(b: GraphBuilder): void {
  const { index } = b;
  for (const r of index.managed("openstack_networking_router_v2")) {
    const external = index.ref(r.body.external_network_id)?.address ?? index.ref(r.body.external_gateway)?.address;
    b.routers.set(r.address, { ...b.base(r, "openstack"), kind: "router", subnets: [], ...(external ? { external } : {}) });
  }
  for (const r of index.managed("openstack_networking_router_interface_v2")) {
    const router = b.routers.get(index.ref(r.body.router_id)?.address ?? "");
    if (!router) continue;
    router.members.push(r.address);
    const subnet = index.ref(r.body.subnet_id)?.address;
    if (subnet && !router.subnets.includes(subnet)) router.subnets.push(subnet);
    router.network ??= subnet ? b.subnets.get(subnet)?.network : undefined;
    if (!router.network) delete router.network;
  }
}

function findByName(map: Map<string, { name: string }>, name: string | undefined): string | undefined {
  if (!name) return undefined;
  for (const [id, e] of map) if (e.name === name) return id;
  return undefined;
}
