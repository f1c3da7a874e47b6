import type { StackInfo } from "../app/stack-info.ts";
import { JETSTREAM2_FLAVORS, type Flavor } from "../catalog/flavors.ts";

/**
 * What a synthesized OpenStack stack needs from a project's quota, counted from its Terraform
 * JSON (`cdk.tf.json`) and its `drover.json` (machines created at run time, at full scale).
 *
 * Units follow the OpenStack APIs, so live numbers compare without conversion: RAM in MiB (Nova's
 * `maxTotalRAMSize`), volume storage in GB (Cinder's `gigabytes`, which are GiB).
 *
 * Nothing is guessed: an instance whose flavor is not in the catalog, or is an expression, is
 * counted as an instance and a port, and its cores and RAM are listed in `notCounted`.
 */

/** The quota items drover checks, in the order reports list them. */
export const QUOTA_ITEMS = [
  "instances",
  "cores",
  "ramMiB",
  "volumes",
  "gigabytes",
  "floatingIps",
  "networks",
  "subnets",
  "routers",
  "securityGroups",
  "securityGroupRules",
  "ports",
] as const;
export type QuotaItem = (typeof QUOTA_ITEMS)[number];

/** One number per quota item. */
export type Counts = { readonly [K in QuotaItem]: number };

/** Something in the stack whose share of the quota drover could not count. */
export interface Uncounted {
  /** Terraform address (`openstack_compute_instance_v2.box`) or `elastic:<construct>`. */
  readonly address: string;
  /** The construct path, when the synthesis records it (`dev-vm/box`). */
  readonly construct?: string;
  /** What is missing from the totals: "cores and RAM", "volume gigabytes". */
  readonly what: string;
  readonly reason: string;
}

/** A stack's needs: the totals, and what could not be counted. */
export interface Needs extends Counts {
  readonly notCounted: readonly Uncounted[];
}

export interface StackNeedsOptions {
  /** The cloud's flavors. @default JETSTREAM2_FLAVORS */
  readonly flavors?: readonly Flavor[];
}

/** The provider's `power_state` for a shelved instance (see lib/state/power.ts). */
const SHELVED = "shelved_offloaded";

/**
 * Neutron gives every new security group two egress rules (IPv4 and IPv6, any destination),
 * which count against the rule quota; the provider deletes them only with `delete_default_rules`
 * (terraform-provider-openstack docs, networking_secgroup_v2 "Default Security Group Rules").
 */
const DEFAULT_EGRESS_RULES = 2;

type Json = Record<string, unknown>;

export function zeroCounts(): { -readonly [K in QuotaItem]: number } {
  return Object.fromEntries(QUOTA_ITEMS.map((k) => [k, 0])) as { -readonly [K in QuotaItem]: number };
}

/**
 * What a synthesized stack needs from an OpenStack project.
 *
 * ```ts
 * const needs = stackNeeds(JSON.parse(readFileSync("cdktf.out/stacks/lab/cdk.tf.json", "utf8")), info);
 * needs.cores; // 72, elastic nodes at their max included
 * ```
 *
 * Counted: instances (`openstack_compute_instance_v2`; a shelved-offloaded one holds no cores
 * or RAM, as Nova counts those from Placement, where such a server has no allocation), their
 * boot volumes (`block_device` with `destination_type = "volume"` made from an image, snapshot
 * or blank), volumes, floating IPs, networks, subnets, routers, security groups (with Neutron's
 * two default egress rules each), rules, ports (explicit ones, one per instance network without
 * a port, one per router interface without a port), Magnum clusters' nodes (masters plus
 * workers, workers at the autoscaler's `max_node_count` when it is higher), the elastic
 * machines in `drover.json` at their max, each with its port, and the volumes software in the
 * cloud creates (`runtimeVolumes` in `drover.json`: a hub's home volumes and its database).
 *
 * Not counted: DHCP and metadata ports Neutron adds to networks, and what Magnum creates from
 * its cluster template (its own network and router without a `fixed_network`, load balancers).
 */
export function stackNeeds(config: Json, info?: StackInfo, options: StackNeedsOptions = {}): Needs {
  const flavors = options.flavors ?? JETSTREAM2_FLAVORS;
  const tally = zeroCounts();
  const notCounted: Uncounted[] = [];
  const flavorOf = (name: string) => flavors.find((f) => f.name === name && !f.custom);

  const resources = (config.resource ?? {}) as Record<string, Record<string, Json> | undefined>;
  for (const [type, byName] of Object.entries(resources)) {
    const counter = COUNTERS[type];
    if (!counter) continue;
    for (const [name, raw] of Object.entries(byName ?? {})) {
      const body = raw ?? {};
      const address = `${type}.${name}`;
      const construct = constructPathOf(body);
      const skip = (what: string, reason: string) => notCounted.push({ address, ...(construct ? { construct } : {}), what, reason });
      const times = multiplicity(body);
      if (times === undefined) {
        skip("everything", "its count or for_each is an expression known only at apply");
        continue;
      }
      if (times === 0) continue;
      counter({ body, times, tally, skip, flavorOf });
    }
  }

  for (const e of info?.elastic ?? []) {
    const address = `elastic:${e.construct}`;
    tally.instances += e.max;
    tally.ports += e.max;
    const flavor = flavorOf(e.flavor);
    if (flavor) {
      tally.cores += flavor.vcpus * e.max;
      tally.ramMiB += flavor.memoryGiB * 1024 * e.max;
    } else {
      notCounted.push({ address, construct: e.construct, what: "cores and RAM", reason: unknownFlavor(e.flavor) });
    }
  }

  for (const v of info?.runtimeVolumes ?? []) {
    tally.volumes += v.count;
    tally.gigabytes += v.count * v.sizeGiB;
  }

  return { ...tally, notCounted };
}

/**
 * The change a deploy makes to each item: `after - before` (negative when the stack shrinks).
 * Without `before` (the stack was never deployed) the increase is the whole need.
 */
export function needsIncrease(after: Needs, before?: Needs): Needs {
  const out = zeroCounts();
  for (const k of QUOTA_ITEMS) out[k] = after[k] - (before?.[k] ?? 0);
  return { ...out, notCounted: after.notCounted };
}

// ---- counters per resource type -------------------------------------------------------------

interface CountInput {
  readonly body: Json;
  /** How many of the resource there are (`count` or `for_each`). */
  readonly times: number;
  readonly tally: { -readonly [K in QuotaItem]: number };
  readonly skip: (what: string, reason: string) => void;
  readonly flavorOf: (name: string) => Flavor | undefined;
}

const simple =
  (...items: QuotaItem[]) =>
  ({ times, tally }: CountInput) => {
    for (const item of items) tally[item] += times;
  };

const COUNTERS: Record<string, (input: CountInput) => void> = {
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

// ---- helpers --------------------------------------------------------------------------------

function constructPathOf(body: Json): string | undefined {
  const meta = (body["//"] as Json | undefined)?.metadata as Json | undefined;
  return typeof meta?.path === "string" ? meta.path : undefined;
}

/** How many instances of a resource `count`/`for_each` make; undefined when only apply knows. */
function multiplicity(body: Json): number | undefined {
  if (body.count !== undefined) return literalNumber(body.count);
  const each = body.for_each;
  if (each === undefined) return 1;
  if (Array.isArray(each)) return new Set(each.map((v) => JSON.stringify(v))).size;
  if (typeof each === "object" && each !== null) return Object.keys(each).length;
  return undefined;
}

/** A nested block in Terraform JSON: one object or a list of them. */
function blocks(value: unknown): Json[] {
  if (Array.isArray(value)) return value.filter((v): v is Json => typeof v === "object" && v !== null);
  return typeof value === "object" && value !== null ? [value as Json] : [];
}

function isLiteralString(value: unknown): value is string {
  return typeof value === "string" && !value.includes("${");
}

function literalNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

function show(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

function describeUnknown(field: string, value: unknown): string {
  if (value === undefined) return `${field} is not set`;
  return typeof value === "string" && value.includes("${")
    ? `${field} is an expression known only at apply (${value})`
    : `${field} is not a number drover can read (${show(value)})`;
}

function unknownFlavor(name: string): string {
  return `flavor "${name}" is not in drover's flavor catalog`;
}
