import { blocks, describeUnknown, isLiteralString, literalNumber, show, simple, unknownFlavor, type CountInput, type QuotaCounter } from "../../quota/counting.ts";

type Json = Record<string, unknown>;

/** The provider's `power_state` for a shelved instance (see lib/state/power.ts). */
const SHELVED = "shelved_offloaded";

/**
 * Neutron gives every new security group two egress rules (IPv4 and IPv6, any destination),
 * which count against the rule quota; the provider deletes them only with `delete_default_rules`
 * (terraform-provider-openstack docs, networking_secgroup_v2 "Default Security Group Rules").
 */
const DEFAULT_EGRESS_RULES = 2;

/** What each OpenStack resource type takes from a project's quota (Nova, Neutron, Cinder, Magnum). */
export const OPENSTACK_COUNTERS: Readonly<Record<string, QuotaCounter>> = {
  openstack_compute_instance_v2: countInstance,
  openstack_blockstorage_volume_v3: ({ body, times, tally, skip }) => {
    tally.volumes += times;
    const size = literalNumber(body.size);
    if (size === undefined) skip("volume gigabytes", describeUnknown("size", body.size));
    else tally.gigabytes += size * times;
  },
  openstack_networking_floatingip_v2: simple("floatingIps"),
  openstack_networking_network_v2: simple("networks"),
  openstack_networking_subnet_v2: simple("subnets"),
  openstack_networking_router_v2: simple("routers"),
  // A router interface given a subnet makes a port in the project; given a port, it uses that one.
  openstack_networking_router_interface_v2: ({ body, times, tally }) => {
    if (body.port_id === undefined) tally.ports += times;
  },
  openstack_networking_secgroup_v2: ({ body, times, tally }) => {
    tally.securityGroups += times;
    if (body.delete_default_rules !== true) tally.securityGroupRules += DEFAULT_EGRESS_RULES * times;
  },
  openstack_networking_secgroup_rule_v2: simple("securityGroupRules"),
  openstack_networking_port_v2: simple("ports"),
  openstack_containerinfra_cluster_v1: countMagnumCluster,
};

function countInstance({ body, times, tally, skip, flavorOf }: CountInput): void {
  tally.instances += times;

  // Nova makes a port for every network entry that does not name one (one when none is given).
  const networks = blocks(body.network);
  tally.ports += (networks.length === 0 ? 1 : networks.filter((n) => n.port === undefined).length) * times;

  for (const device of blocks(body.block_device)) {
    if (device.destination_type !== "volume" || device.source_type === "volume") continue;
    tally.volumes += times;
    const size = literalNumber(device.volume_size);
    if (size === undefined) skip("volume gigabytes", describeUnknown("block_device volume_size", device.volume_size));
    else tally.gigabytes += size * times;
  }

  if (body.power_state === SHELVED) return;
  const name = body.flavor_name;
  if (isLiteralString(name)) {
    const flavor = flavorOf(name);
    if (!flavor) return skip("cores and RAM", unknownFlavor(name));
    tally.cores += flavor.vcpus * times;
    tally.ramMiB += flavor.memoryGiB * 1024 * times;
    return;
  }
  if (name !== undefined) return skip("cores and RAM", describeUnknown("flavor_name", name));
  if (body.flavor_id !== undefined) return skip("cores and RAM", `it names its flavor by ID (${show(body.flavor_id)}); drover's catalog knows flavors by name`);
  skip("cores and RAM", "it names no flavor");
}

/**
 * A Magnum cluster: `master_count` masters of `master_flavor` and `node_count` workers of
 * `flavor`, each a Nova instance with a port. Magnum's own default for either count is 1. With
 * the autoscaler on, workers are counted at `max_node_count` (full scale, like elastic nodes).
 */
function countMagnumCluster({ body, times, tally, skip, flavorOf }: CountInput): void {
  const labels = (typeof body.labels === "object" && body.labels !== null ? body.labels : {}) as Json;
  const masters = body.master_count === undefined ? 1 : literalNumber(body.master_count);
  let workers = body.node_count === undefined ? 1 : literalNumber(body.node_count);
  const max = literalNumber(labels.max_node_count);
  if (workers !== undefined && max !== undefined && max > workers && String(labels.auto_scaling_enabled) !== "false") workers = max;

  const group = (role: string, count: number | undefined, countField: string, flavorField: string) => {
    if (count === undefined) return skip(`${role} nodes`, describeUnknown(countField, body[countField]));
    tally.instances += count * times;
    tally.ports += count * times;
    const name = body[flavorField];
    if (name === undefined) return skip(`${role} cores and RAM`, `${flavorField} is not set: the cluster template's flavor applies`);
    if (!isLiteralString(name)) return skip(`${role} cores and RAM`, describeUnknown(flavorField, name));
    const flavor = flavorOf(name);
    if (!flavor) return skip(`${role} cores and RAM`, unknownFlavor(name));
    tally.cores += flavor.vcpus * count * times;
    tally.ramMiB += flavor.memoryGiB * 1024 * count * times;
  };
  group("master", masters, "master_count", "master_flavor");
  group("worker", workers, "node_count", "flavor");

  if (body.fixed_network === undefined) {
    skip("network, subnet and router", "Magnum creates them from the cluster template when no fixed_network is given");
  }
}
