import { type GraphBuilder, machineDraft, protocolName, readAttachments, readDnsRecords } from "../../graph/builder.ts";
import { blocks, droverTag, literal, mountPoints, num, strings, type TfResource } from "../../graph/refs.ts";

/**
 * GCP: VPC networks and subnetworks, Compute Engine instances, static addresses, disks, Cloud DNS.
 * GCP firewalls target network tags rather than groups: each tag becomes one security group
 * (`gcp-tag:<tag>`) holding the rules that target it, and instances join the tags they carry.
 */
export function addGcp(b: GraphBuilder): void {
  const { index } = b;
  const cloud = "gcp" as const;

  for (const r of index.ofType("google_compute_network")) {
    b.networks.set(r.address, { ...b.base(r, cloud), external: false, existing: r.mode === "data" });
  }
  for (const r of index.ofType("google_compute_subnetwork")) {
    const network = index.ref(r.body.network)?.address;
    const cidr = literal(r.body.ip_cidr_range);
    b.subnets.set(r.address, { ...b.base(r, cloud), ...(cidr ? { cidr } : {}), ...(network ? { network } : {}) });
  }
  for (const r of index.managed("google_compute_router")) {
    const network = index.ref(r.body.network)?.address;
    const subnets = [...b.subnets.values()].filter((s) => network && s.network === network).map((s) => s.id);
    b.routers.set(r.address, { ...b.base(r, cloud), kind: "router", subnets, ...(network ? { network } : {}) });
  }
  for (const r of index.managed("google_compute_router_nat")) {
    const router = b.routers.get(index.ref(r.body.router)?.address ?? "");
    if (!router) continue;
    router.members.push(r.address);
    router.external = b.internet();
  }

  for (const r of index.managed("google_compute_firewall")) addFirewall(b, r);

  for (const r of index.ofType("google_compute_address")) {
    if (literal(r.body.address_type) === "INTERNAL") continue;
    b.publicAddresses.set(r.address, { ...b.base(r, cloud), pool: literal(r.body.address_type) ?? "EXTERNAL" });
  }
  for (const r of index.ofType("google_compute_disk")) {
    const sizeGiB = num(r.body.size);
    b.volumes.set(r.address, { ...b.base(r, cloud), ...(sizeGiB !== undefined ? { sizeGiB } : {}), attachments: [] });
  }

  for (const r of index.managed("google_compute_instance")) addInstance(b, r);

  readAttachments(b, "google_compute_attached_disk", { volume: "disk", machine: "instance", device: "device_name" });
  readDnsRecords(b, cloud, "google_dns_record_set", { zone: "managed_zone", zoneAsText: true, zoneDomain: "dns_name", records: "rrdatas" });

  for (const r of index.managed("google_container_cluster")) {
    const network = index.ref(r.body.network)?.address;
    const subnet = index.ref(r.body.subnetwork)?.address;
    const workers = num(r.body.initial_node_count);
    b.kubernetesClusters.set(r.address, { ...b.base(r, cloud), ...(network ? { network } : {}), ...(subnet ? { subnet } : {}), ...(workers !== undefined ? { workers } : {}) });
  }
  for (const r of index.managed("google_container_node_pool")) {
    const cluster = index.ref(r.body.cluster)?.address;
    if (cluster) b.member(cluster, r.address);
  }
}

const tagGroup = (tag: string) => `gcp-tag:${tag}`;
const networkGroup = (network: string) => `gcp-network:${network}`;

function addFirewall(b: GraphBuilder, r: TfResource): void {
  const network = b.index.ref(r.body.network)?.address;
  const targets = strings(r.body.target_tags);
  const groups: string[] = [];
  if (targets.length === 0 && network) {
    const id = networkGroup(network);
    if (!b.securityGroups.has(id)) {
      b.securityGroups.set(id, { ...b.base(r, "gcp"), id, name: `every instance in ${b.networks.get(network)?.name ?? network}`, members: [], rules: [] });
    }
    groups.push(id);
  }
  for (const tag of targets) {
    const id = tagGroup(tag);
    if (!b.securityGroups.has(id)) b.securityGroups.set(id, { ...b.base(r, "gcp"), id, name: tag, members: [], rules: [] });
    groups.push(id);
  }
  const direction = literal(r.body.direction)?.toUpperCase() === "EGRESS" ? "egress" : "ingress";
  const description = literal(r.body.description);
  const peers: Array<{ peer: string; peerGroup?: string }> = [
    ...strings(direction === "egress" ? r.body.destination_ranges : r.body.source_ranges).map((p) => ({ peer: p })),
    ...strings(r.body.source_tags).map((t) => ({ peer: t, peerGroup: tagGroup(t) })),
  ];
  if (peers.length === 0) peers.push({ peer: "any" });
  for (const [kind, list] of [
    ["allow", blocks(r.body.allow)],
    ["deny", blocks(r.body.deny)],
  ] as const) {
    for (const block of list) {
      const protocol = protocolName(block.protocol);
      const portList = strings(block.ports);
      const ports = protocol === "all" || portList.length === 0 ? "all" : portList.join(",");
      for (const group of groups) {
        for (const p of peers) {
          b.addRule(group, {
            address: r.address,
            direction,
            protocol,
            ports,
            ...p,
            ...(kind === "deny" ? { deny: true } : {}),
            ...(description ? { description } : {}),
          });
        }
      }
    }
  }
}

function addInstance(b: GraphBuilder, r: TfResource): void {
  const { index } = b;
  const size = literal(r.body.machine_type);
  const role = droverTag(r, "drover_role");
  const count = num(r.body.count);
  const nic = blocks(r.body.network_interface)[0] ?? {};
  const subnet = index.ref(nic.subnetwork)?.address;
  const network = index.ref(nic.network)?.address ?? (subnet ? b.subnets.get(subnet)?.network : undefined);
  const fixedAddress = literal(nic.network_ip);
  const access = blocks(r.body.network_interface).flatMap((n) => blocks(n.access_config));
  const natIps = access.map((a) => index.ref(a.nat_ip)?.address).filter((a): a is string => Boolean(a));
  b.machines.set(r.address, {
    ...machineDraft(b.base(r, "gcp")),
    ...(size ? { size } : {}),
    ...(role ? { role } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(subnet ? { subnet } : {}),
    ...(network ? { network } : {}),
    ...(fixedAddress ? { fixedAddress } : {}),
    ephemeralPublicAddress: access.length > natIps.length,
  });
  for (const ip of natIps) b.associate(ip, r.address);
  if (network) b.joinGroup(r.address, networkGroup(network));
  for (const tag of strings(r.body.tags)) b.joinGroup(r.address, tagGroup(tag));
  const mounts = mountPoints(index, r);
  for (const disk of blocks(r.body.attached_disk)) {
    const volume = index.ref(disk.source)?.address;
    if (!volume) continue;
    const device = literal(disk.device_name);
    const mountPoint = mounts.get(volume);
    b.attach(volume, { machine: r.address, ...(device ? { device } : {}), ...(mountPoint ? { mountPoint } : {}) });
  }
}
