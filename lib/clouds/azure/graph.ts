import { type GraphBuilder, machineDraft, protocolName, readAttachments, readDnsRecords } from "../../graph/builder.ts";
import { blocks, displayName, droverTag, literal, num, strings, type Json, type TfResource } from "../../graph/refs.ts";

interface NicInfo {
  subnet?: string;
  fixedAddress?: string;
  publicAddresses: string[];
}

const MACHINE_TYPES = ["azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine", "azurerm_virtual_machine"];

/**
 * Azure: virtual networks and subnets, VMs through their network interfaces, public IPs, network
 * and application security groups (a rule that targets application groups belongs to them),
 * managed disks, DNS A records.
 */
export function addAzure(b: GraphBuilder): void {
  const { index } = b;
  const cloud = "azure" as const;

  for (const r of index.ofType("azurerm_virtual_network")) {
    const cidr = strings(r.body.address_space)
      .map((c) => literal(c))
      .find(Boolean);
    b.networks.set(r.address, { ...b.base(r, cloud), ...(cidr ? { cidr } : {}), external: false, existing: r.mode === "data" });
  }
  for (const r of index.ofType("azurerm_subnet")) {
    const network = index.ref(r.body.virtual_network_name)?.address;
    const cidr = strings(r.body.address_prefixes)
      .map((c) => literal(c))
      .find(Boolean);
    b.subnets.set(r.address, { ...b.base(r, cloud), ...(cidr ? { cidr } : {}), ...(network ? { network } : {}) });
  }

  for (const type of ["azurerm_network_security_group", "azurerm_application_security_group"]) {
    for (const r of index.ofType(type)) b.securityGroups.set(r.address, { ...b.base(r, cloud), rules: [] });
  }
  for (const r of index.managed("azurerm_network_security_group")) {
    for (const rule of blocks(r.body.security_rule)) addRule(b, r.address, r.address, rule);
  }
  for (const r of index.managed("azurerm_network_security_rule")) {
    const nsg = index.ref(r.body.network_security_group_name)?.address;
    if (nsg) addRule(b, nsg, r.address, r.body);
  }

  for (const r of index.ofType("azurerm_public_ip")) {
    const pool = literal(r.body.allocation_method);
    b.publicAddresses.set(r.address, { ...b.base(r, cloud), ...(pool ? { pool } : {}) });
  }
  for (const r of index.ofType("azurerm_managed_disk")) {
    const sizeGiB = num(r.body.disk_size_gb);
    b.volumes.set(r.address, { ...b.base(r, cloud), ...(sizeGiB !== undefined ? { sizeGiB } : {}), attachments: [] });
  }

  const nics = new Map<string, NicInfo>();
  for (const r of index.managed("azurerm_network_interface")) {
    const configs = blocks(r.body.ip_configuration);
    const subnet = configs.map((c) => index.ref(c.subnet_id)?.address).find(Boolean);
    const fixedAddress = configs.map((c) => literal(c.private_ip_address)).find(Boolean);
    const publicAddresses = configs.map((c) => index.ref(c.public_ip_address_id)?.address).filter((a): a is string => Boolean(a));
    nics.set(r.address, { ...(subnet ? { subnet } : {}), ...(fixedAddress ? { fixedAddress } : {}), publicAddresses });
  }
  const nicOwner = new Map<string, string>();
  for (const type of MACHINE_TYPES) for (const r of index.managed(type)) addVm(b, r, nics, nicOwner);

  for (const [type, field] of [
    ["azurerm_network_interface_application_security_group_association", "application_security_group_id"],
    ["azurerm_network_interface_security_group_association", "network_security_group_id"],
  ] as const) {
    for (const r of index.managed(type)) {
      const machine = nicOwner.get(index.ref(r.body.network_interface_id)?.address ?? "");
      const group = index.ref(r.body[field])?.address;
      if (machine && group) b.joinGroup(machine, group, r.address);
    }
  }
  for (const r of index.managed("azurerm_subnet_network_security_group_association")) {
    const subnet = index.ref(r.body.subnet_id)?.address;
    const group = index.ref(r.body.network_security_group_id)?.address;
    if (!subnet || !group) continue;
    b.member(subnet, r.address);
    for (const m of b.machines.values()) if (m.subnet === subnet) b.joinGroup(m.id, group);
  }

  readAttachments(b, "azurerm_virtual_machine_data_disk_attachment", {
    volume: "managed_disk_id",
    machine: "virtual_machine_id",
    device: (body) => {
      const lun = literal(body.lun);
      return lun ? `LUN ${lun}` : undefined;
    },
  });
  readDnsRecords(b, cloud, "azurerm_dns_a_record", {
    zone: "zone_name",
    zoneAsText: true,
    records: "records",
    target: "target_resource_id",
    recordType: "A",
    show: displayName,
  });

  for (const r of index.managed("azurerm_kubernetes_cluster")) {
    const pool = blocks(r.body.default_node_pool)[0] ?? {};
    const subnet = index.ref(pool.vnet_subnet_id)?.address;
    const network = subnet ? b.subnets.get(subnet)?.network : undefined;
    const workers = num(pool.node_count);
    const size = literal(pool.vm_size);
    b.kubernetesClusters.set(r.address, {
      ...b.base(r, cloud),
      ...(subnet ? { subnet } : {}),
      ...(network ? { network } : {}),
      ...(workers !== undefined ? { workers } : {}),
      ...(size ? { size } : {}),
    });
  }
}

function addRule(b: GraphBuilder, nsg: string, address: string, rule: Json): void {
  const destinations = b.index.refs(rule.destination_application_security_group_ids).filter((g) => b.securityGroups.has(g.address));
  const groups = destinations.length ? destinations.map((g) => g.address) : [nsg];
  const protocol = protocolName(rule.protocol);
  const portList = [literal(rule.destination_port_range), ...strings(rule.destination_port_ranges)].filter((p): p is string => Boolean(p));
  const ports = protocol === "all" && portList.every((p) => p === "*") ? "all" : portList.includes("*") || portList.length === 0 ? "all" : portList.join(",");
  const outbound = literal(rule.direction)?.toLowerCase() === "outbound";
  const peerField = outbound ? "destination" : "source";
  const peers: Array<{ peer: string; peerGroup?: string }> = [
    ...[literal(rule[`${peerField}_address_prefix`]), ...strings(rule[`${peerField}_address_prefixes`])].filter((p): p is string => Boolean(p)).map((p) => ({ peer: p === "*" ? "any" : p })),
    ...(outbound ? [] : b.index.refs(rule.source_application_security_group_ids).map((g) => ({ peer: b.groupName(g.address), peerGroup: g.address }))),
  ];
  if (peers.length === 0) peers.push({ peer: "any" });
  const description = literal(rule.description);
  for (const group of groups) {
    for (const p of peers) {
      b.addRule(group, {
        address,
        direction: outbound ? "egress" : "ingress",
        protocol,
        ports,
        ...p,
        ...(literal(rule.access)?.toLowerCase() === "deny" ? { deny: true } : {}),
        ...(description ? { description } : {}),
      });
    }
  }
  // A rule aimed at application security groups is still part of its network security group.
  if (destinations.length) b.member(nsg, address);
}

function addVm(b: GraphBuilder, r: TfResource, nics: Map<string, NicInfo>, nicOwner: Map<string, string>): void {
  const size = literal(r.body.size) ?? literal(r.body.vm_size);
  const role = droverTag(r, "drover_role");
  const count = num(r.body.count);
  const machine = {
    ...machineDraft(b.base(r, "azure")),
    ...(size ? { size } : {}),
    ...(role ? { role } : {}),
    ...(count !== undefined ? { count } : {}),
  };
  b.machines.set(r.address, machine);
  for (const nic of b.index.refs(r.body.network_interface_ids)) {
    const info = nics.get(nic.address);
    if (!info) continue;
    nicOwner.set(nic.address, r.address);
    b.member(r.address, nic.address);
    if (info.subnet && !machine.subnet) {
      machine.subnet = info.subnet;
      const network = b.subnets.get(info.subnet)?.network;
      if (network) machine.network = network;
    }
    if (info.fixedAddress) machine.fixedAddress ??= info.fixedAddress;
    for (const ip of info.publicAddresses) b.associate(ip, r.address);
  }
}
