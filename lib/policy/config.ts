/**
 * A synthesized stack's Terraform JSON as the checks read it: its resources with their
 * construct paths, who references whom, and which machines carry a firewall.
 */

import { FIREWALL_TYPES, MACHINE_TYPES } from "../clouds/index.ts";
import { isObject, resourcesOf, type ConfigResource, type Json } from "../terraform/config-resources.ts";

export { isObject, type Json };

export interface TfResource extends ConfigResource {
  /** `constructPath`, or the address for JSON cdktf did not write. */
  readonly construct: string;
}

/**
 * Roles of machines drover builds as web front ends: a GatewayHost ("gateway") and the
 * JupyterHub's k3s server ("k3s-server"), which alone carries the hub's web firewall.
 */
export const WEB_GATEWAY_ROLES: ReadonlySet<string> = new Set(["gateway", "k3s-server"]);

/** Keys of a resource body that are not its configuration. */
const NOT_CONFIG = new Set(["//", "depends_on", "lifecycle", "provider", "count", "for_each"]);

const INTERPOLATION = /\$\{((?:[^{}]|\{[^{}]*\})*)\}/g;
const ADDRESS = /(?<![\w.-])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)/g;

/** Every string in a value, with its attribute path (`network[0].port`), skipping `//` metadata. */
export function* stringsIn(value: unknown, path = "", skip: ReadonlySet<string> = new Set(["//"])): Generator<{ path: string; key: string; value: string }> {
  if (typeof value === "string") {
    yield { path, key: lastKey(path), value };
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* stringsIn(value[i], `${path}[${i}]`, skip);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (skip.has(k)) continue;
      yield* stringsIn(v, path ? `${path}.${k}` : k, skip);
    }
  }
}

function lastKey(path: string): string {
  const m = /(?:^|\.)([^.[\]]+)(?:\[\d+\])*$/.exec(path);
  return m?.[1] ?? "";
}

/** The resources a body references (`${type.name.attr}`), among the addresses given. */
function referencesIn(body: Json, known: ReadonlySet<string>): Set<string> {
  const refs = new Set<string>();
  for (const { value } of stringsIn(body, "", NOT_CONFIG)) {
    if (!value.includes("${")) continue;
    for (const m of value.matchAll(INTERPOLATION)) {
      for (const a of (m[1] ?? "").matchAll(ADDRESS)) {
        const address = a[1]!;
        if (known.has(address)) refs.add(address);
      }
    }
  }
  return refs;
}

/** The address a string references, when it is one reference (`${<firewall type>.web.id}`). */
export function referencedAddress(value: unknown, index: ConfigIndex): string | undefined {
  if (typeof value !== "string") return undefined;
  const refs = [...referencesIn({ v: value }, index.addresses)];
  return refs.length === 1 ? refs[0] : undefined;
}

/**
 * The resources of a Terraform JSON configuration, indexed by address and by who references
 * whom, to answer "which machines carry this firewall".
 *
 * @example
 * const index = new ConfigIndex(JSON.parse(readFileSync("cdk.tf.json", "utf8")));
 * index.machinesWith("<firewall type>.portal_Firewall_0097648B"); // [the portal's instance]
 */
export class ConfigIndex {
  readonly resources: readonly TfResource[];
  readonly addresses: ReadonlySet<string>;
  readonly machines: readonly TfResource[];
  private readonly byAddress = new Map<string, TfResource>();
  private readonly refs = new Map<string, Set<string>>();
  private readonly referrers = new Map<string, Set<string>>();

  constructor(config: Json) {
    this.resources = resourcesOf(config).map((r) => ({ ...r, construct: r.constructPath ?? r.address }));
    for (const r of this.resources) this.byAddress.set(r.address, r);
    this.addresses = new Set(this.byAddress.keys());
    for (const r of this.resources) {
      const refs = referencesIn(r.body, this.addresses);
      this.refs.set(r.address, refs);
      for (const to of refs) {
        let from = this.referrers.get(to);
        if (!from) this.referrers.set(to, (from = new Set()));
        from.add(r.address);
      }
    }
    this.machines = this.resources.filter((r) => r.mode === "managed" && MACHINE_TYPES.has(r.type));
  }

  get(address: string): TfResource | undefined {
    return this.byAddress.get(address);
  }

  refsOf(address: string): ReadonlySet<string> {
    return this.refs.get(address) ?? new Set();
  }

  /**
   * Machines that carry a firewall (security group, application security group): those that
   * reference it, through a port or network interface that does (OpenStack ports, AWS ENIs),
   * or through an association that joins it to their interface (Azure).
   */
  machinesWith(group: string): TfResource[] {
    const found = new Set<string>();
    const referencing = (address: string) => [...(this.referrers.get(address) ?? [])].map((a) => this.byAddress.get(a)!).filter((r) => r.mode === "managed" && MACHINE_TYPES.has(r.type));
    for (const m of referencing(group)) found.add(m.address);
    for (const glue of this.referrers.get(group) ?? []) {
      const g = this.byAddress.get(glue);
      if (!g || FIREWALL_TYPES.has(g.type) || MACHINE_TYPES.has(g.type)) continue;
      for (const m of referencing(glue)) found.add(m.address);
      if (/association|attachment/.test(g.type)) {
        for (const other of this.refsOf(glue)) if (other !== group) for (const m of referencing(other)) found.add(m.address);
      }
    }
    return this.machines.filter((m) => found.has(m.address));
  }

  /** Machines on a network: referencing it, or a subnetwork of it. */
  machinesOn(network: string): TfResource[] {
    const subnets = new Set([network, ...[...(this.referrers.get(network) ?? [])].filter((a) => !FIREWALL_TYPES.has(this.byAddress.get(a)?.type ?? ""))]);
    return this.machines.filter((m) => [...this.refsOf(m.address)].some((a) => subnets.has(a)));
  }
}

/** drover's role tag on a machine (`gateway`, `k3s-server`, `login`): OpenStack/GCP metadata, AWS/Azure tags, GCP labels. */
export function roleOf(machine: TfResource): string | undefined {
  for (const key of ["metadata", "tags", "labels"]) {
    const m = machine.body[key];
    if (isObject(m) && typeof m.drover_role === "string") return m.drover_role;
  }
  return undefined;
}

/** A machine as people know it: its construct (`dev-vm/box`), not its `Resource` child. */
export function machineName(machine: TfResource): string {
  return machine.construct.replace(/\/Resource$/, "");
}
