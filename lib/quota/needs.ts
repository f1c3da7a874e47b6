import type { StackInfo } from "../app/stack-info.ts";
import { JETSTREAM2_FLAVORS, type Flavor } from "../catalog/flavors.ts";
import { QUOTA_COUNTERS } from "../clouds/readers.ts";
import { literalNumber, QUOTA_ITEMS, unknownFlavor, type Needs, type QuotaItem, type Uncounted } from "./counting.ts";

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

export { QUOTA_ITEMS, type Counts, type Needs, type QuotaItem, type Uncounted } from "./counting.ts";

export interface StackNeedsOptions {
  /** The cloud's flavors. @default JETSTREAM2_FLAVORS */
  readonly flavors?: readonly Flavor[];
}

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
 * Counted: instances (Nova servers; a shelved-offloaded one holds no cores
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
    const counter = QUOTA_COUNTERS.get(type);
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
