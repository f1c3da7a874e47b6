import { cloudOfProvider, kubernetesClusterType, machineType, type CloudKind, type KubernetesClusterFacts } from "../clouds/index.ts";
import { topConstruct } from "../plan/model.ts";

/**
 * The machines a synthesized stack's Terraform JSON holds, read as written: which flavor, how
 * many, in which power state. Nothing is priced here (see model.ts); a value Terraform only knows
 * at plan time (a `${...}` reference) is kept as a problem, never guessed.
 */

/** The cloud whose catalog prices a resource type. */
export type MachineCloud = CloudKind;

/** One group of identical machines, as the configuration describes it. */
export interface MachineGroup {
  /** Terraform address: `<type>.hub_agent-1_11F3B1D1`. */
  readonly address: string;
  /** The top-level construct (`workshop-jupyterhub/hub`), or the address when the path is unknown. */
  readonly construct: string;
  /** The machine below its construct: `agent-1`, `Cluster workers`. */
  readonly name: string;
  readonly cloud: MachineCloud;
  /** The flavor name, or why it is not known offline. */
  readonly flavor: { readonly name: string } | { readonly problem: string; readonly written?: string };
  /** Machines Terraform keeps, or why the number is not known offline. */
  readonly count: number | { readonly problem: string };
  /** Most machines at full scale (an autoscaling cluster's `max_node_count`); `count` when fixed. */
  readonly maxCount?: number;
  /** The power state as written (`power_state`, `desired_status`); absent means running. */
  readonly powerState?: unknown;
  /** Why no catalog prices this machine, whatever its size (a Windows VM). */
  readonly unpriced?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A value Terraform computes: an interpolation such as `${var.flavor}`. */
export const isReference = (v: unknown): boolean => typeof v === "string" && v.includes("${");

function flavorOf(body: Json, attribute: string, fallback?: string): MachineGroup["flavor"] {
  const value = body[attribute];
  if (typeof value === "string" && value.trim() !== "" && !isReference(value)) return { name: value };
  if (isReference(value)) return { problem: `'${attribute}' is ${JSON.stringify(value)}, known only when Terraform plans`, written: value as string };
  if (value === undefined && fallback) return { problem: fallback };
  return { problem: `'${attribute}' is ${value === undefined ? "not set" : JSON.stringify(value)}` };
}

/** A whole number written as a number or as digits; undefined for anything else. */
function wholeNumber(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === "string" && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

function countOf(body: Json, attribute: string, fallback: number): MachineGroup["count"] {
  const value = body[attribute];
  if (value === undefined) return fallback;
  const n = wholeNumber(value);
  if (n !== undefined) return n;
  return { problem: `'${attribute}' is ${JSON.stringify(value)}${isReference(value) ? ", known only when Terraform plans" : ", not a whole number"}` };
}

/** `count` and `for_each` multiply a resource block; either may be a reference. */
function repetition(body: Json): number | { readonly problem: string } {
  if (body.count !== undefined) return countOf(body, "count", 1);
  const each = body.for_each;
  if (each === undefined) return 1;
  if (Array.isArray(each)) return each.length;
  if (isObject(each)) return Object.keys(each).length;
  return { problem: `'for_each' is ${JSON.stringify(each)}, known only when Terraform plans` };
}

function times(a: MachineGroup["count"], b: number | { readonly problem: string }): MachineGroup["count"] {
  if (typeof a !== "number") return a;
  if (typeof b !== "number") return b;
  return a * b;
}

/** `workshop-jupyterhub/hub/agent-1/Resource` → `agent-1`; a construct's own resource → its ID. */
function nameBelow(path: string | undefined, construct: string, fallback: string): string {
  if (!path) return fallback;
  const parts = path.split("/").slice(construct.split("/").length);
  if (parts[parts.length - 1] === "Resource") parts.pop();
  return parts.join("/") || construct.split("/").pop() || fallback;
}

/**
 * A managed Kubernetes cluster is two groups (lib/clouds: a Magnum cluster's `master_count` ×
 * `master_flavor` and `node_count` × `flavor`); the cloud makes one of each when the counts are
 * left out. With autoscaling on, the workers may grow to the label's maximum. Labels the cluster
 * template adds are not in the stack, and not read.
 */
function clusterGroups(address: string, construct: string, name: string, body: Json, cloud: CloudKind, facts: KubernetesClusterFacts): MachineGroup[] {
  const templateNote = "left to the cluster template, which is not in the stack";
  const each = repetition(body);
  const { controlPlane, workers: w, autoscaling: scale } = facts;
  const labels = scale && isObject(body[scale.labels]) ? (body[scale.labels] as Json) : {};
  const workers = countOf(body, w.count, 1);
  const autoscaling = scale !== undefined && String(labels[scale.enabled]).toLowerCase() === "true";
  const max = scale ? wholeNumber(labels[scale.max]) : undefined;
  const workerMax = typeof workers === "number" && autoscaling && max !== undefined ? Math.max(max, workers) : undefined;
  return [
    {
      address,
      construct,
      name: `${name} control plane`,
      cloud,
      flavor: flavorOf(body, controlPlane.size, `'${controlPlane.size}' is ${templateNote}`),
      count: times(countOf(body, controlPlane.count, 1), each),
    },
    {
      address,
      construct,
      name: `${name} workers`,
      cloud,
      flavor: flavorOf(body, w.size, `'${w.size}' is ${templateNote}`),
      count: times(workers, each),
      ...(workerMax !== undefined && typeof each === "number" ? { maxCount: workerMax * each } : {}),
    },
  ];
}

/** Every machine group in a Terraform JSON configuration, in the order of the file. */
export function machineGroups(config: Json): MachineGroup[] {
  const groups: MachineGroup[] = [];
  const resources = isObject(config.resource) ? config.resource : {};
  for (const [type, blocks] of Object.entries(resources)) {
    const kind = machineType(type);
    const cluster = kind ? undefined : kubernetesClusterType(type);
    if ((!kind && !cluster?.facts) || !isObject(blocks)) continue;
    for (const [id, body] of Object.entries(blocks)) {
      if (!isObject(body)) continue;
      const address = `${type}.${id}`;
      const meta = (body["//"] as { metadata?: { path?: unknown } } | undefined)?.metadata;
      const path = typeof meta?.path === "string" ? meta.path : undefined;
      const construct = topConstruct(path, address);
      const name = nameBelow(path, construct, id);
      if (!kind) {
        groups.push(...clusterGroups(address, construct, name, body, cluster!.cloud.kind, cluster!.facts!));
        continue;
      }
      groups.push({
        address,
        construct,
        name,
        cloud: kind.cloud.kind,
        flavor: flavorOf(body, kind.size),
        count: repetition(body),
        ...(kind.power && body[kind.power] !== undefined ? { powerState: body[kind.power] } : {}),
        ...(kind.unpriced ? { unpriced: kind.unpriced } : {}),
      });
    }
  }
  return groups;
}

/**
 * The cloud a configuration is for, when no `drover.json` says: the first provider it requires
 * that has machines here. An OpenStack provider pointed at Jetstream2's Keystone is Jetstream2.
 */
export function inferCloud(config: Json): { readonly kind: string; readonly name: string; readonly region: string } {
  const required = isObject(config.terraform) && isObject(config.terraform.required_providers) ? config.terraform.required_providers : {};
  const cloud = Object.keys(required)
    .map(cloudOfProvider)
    .find((c) => c !== undefined);
  if (!cloud) return { kind: "none", name: "none", region: "-" };
  const kind = cloud.kind;
  const blocks = isObject(config.provider) ? config.provider[cloud.provider] : undefined;
  const first: unknown = Array.isArray(blocks) ? blocks[0] : blocks;
  const profile = isObject(first) ? cloud.profileFromProvider?.(first) : undefined;
  if (profile) return { kind, name: profile, region: "-" };
  return { kind, name: kind, region: "-" };
}
