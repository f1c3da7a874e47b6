import { CLOUD_FACTS, cloudFacts, type PriceCatalog } from "../clouds/index.ts";
import { nearestMatches, orList } from "../naming.ts";
import { costChangeLine } from "./format.ts";
import { inferCloud, machineGroups, type MachineCloud, type MachineGroup } from "./machines.ts";
import type { Currency, PerHour } from "./units.ts";

/**
 * What a stack costs per hour, from its synthesized Terraform JSON and its `drover.json`: on
 * Jetstream2 in service units (1 SU per vCPU-hour, large-memory ×2, GPU ×4), on AWS, GCP and Azure
 * in US dollars from drover's catalogs. Two figures:
 *
 * - idle: the machines Terraform keeps, in the power state the configuration asks for;
 * - full scale: idle plus what software in the cloud may add (elastic Slurm nodes up to their
 *   maximum, a Magnum cluster's autoscaled workers up to `max_node_count`).
 *
 * A machine whose size or number is a reference, or whose size is not in the catalog, is listed
 * under `unknown` and counted nowhere: an estimate that leaves something out says so.
 *
 * Power states follow Jetstream2's documentation (docs/general/access.md in js2docs): shelved
 * instances cost 0, stopped ("shutoff") instances half, active instances the full rate; it gives
 * no rate for "paused", which is counted at the full rate. On GCP a VM whose `desired_status` is
 * TERMINATED or SUSPENDED is not billed for its vCPUs and memory.
 *
 * @example
 *   const cost = stackCost(JSON.parse(readFileSync("cdk.tf.json", "utf8")), info);
 *   cost.perHour.idle; // 162 (SU per hour)
 */

/** Power states that change what a machine costs. */
export type MachineState = "active" | "shelved" | "stopped" | "suspended" | "paused";

export interface MachineCost {
  /** Terraform address; absent for elastic nodes, which Terraform does not hold. */
  readonly address?: string;
  /** The machine below its construct (`agent-1`, `Cluster workers`), or `elastic` for elastic nodes. */
  readonly name: string;
  readonly flavor: string;
  /** Machines Terraform keeps (0 for elastic nodes). */
  readonly count: number;
  /** Most machines at full scale. */
  readonly maxCount: number;
  /** What one machine costs per hour while active, in the stack's currency. */
  readonly rate: number;
  readonly state: MachineState;
  readonly perHour: PerHour;
  readonly elastic?: true;
  readonly note?: string;
}

export interface ConstructCost {
  /** The top-level construct: `workshop-jupyterhub/hub`. */
  readonly construct: string;
  readonly machines: readonly MachineCost[];
  readonly idle: number;
  readonly fullScale: number;
  /** Machines of this construct listed under `unknown` (not counted above). */
  readonly unknown: number;
}

export interface UnknownMachine {
  readonly construct: string;
  readonly address?: string;
  readonly name: string;
  /** The flavor as written, when it is a name. */
  readonly flavor?: string;
  readonly count?: number;
  /** Only at full scale (an elastic node). */
  readonly elastic?: true;
  readonly note: string;
}

export interface StackCost {
  readonly cloud: { readonly kind: string; readonly name: string; readonly region: string };
  readonly currency: Currency;
  readonly perHour: PerHour;
  readonly byConstruct: readonly ConstructCost[];
  readonly unknown: readonly UnknownMachine[];
  /** Where the rates come from: the SU rule, or the catalog's region and date. */
  readonly pricesNote: string;
}

/** What `stackCost` reads of a `drover.json` (a StackInfo fits). */
export interface CostInfo {
  readonly cloud: { readonly kind: string; readonly name: string; readonly region: string };
  readonly elastic?: ReadonlyArray<{ readonly construct: string; readonly flavor: string; readonly max: number }>;
}

interface Catalog {
  readonly label: string;
  readonly currency: Currency;
  readonly rates: ReadonlyMap<string, number>;
}

const catalogs = new Map<PriceCatalog, Catalog>();

/** A cloud's price catalog with its rates in the cloud's currency. */
function catalogOf(catalog: PriceCatalog, currency: Currency): Catalog {
  let built = catalogs.get(catalog);
  if (!built) {
    const rates = new Map(catalog.sizes.map((f) => [f.name, currency === "USD" ? (f.usdPerHour ?? Number.NaN) : f.suPerHour]));
    built = { label: catalog.label, currency, rates };
    catalogs.set(catalog, built);
  }
  return built;
}

/** The catalog pricing a machine on a cloud, or why there is none. */
function catalogFor(machine: MachineCloud, stack: CostInfo["cloud"], currency: Currency): Catalog | string {
  const { pricing, label } = CLOUD_FACTS[machine];
  const catalog = catalogOf(pricing.catalog, pricing.currency);
  if (pricing.catalog.onlyFor !== undefined) {
    // One named cloud of the kind has a catalog (Jetstream2 among OpenStack clouds); the others' flavors are their own.
    if (stack.name === pricing.catalog.onlyFor) return catalog;
    return stack.kind === machine
      ? `the ${label} cloud "${stack.name}" has no flavor catalog in drover (only ${pricing.catalog.label} has)`
      : `an ${label} machine in a stack on ${stack.name}, which has no catalog for it`;
  }
  return catalog.currency === currency ? catalog : `a ${catalog.label} machine in a stack on ${stack.name}, which counts SU`;
}

/** The share of its rate a machine in a power state is charged, and why. */
function powerFactor(cloud: MachineCloud, written: unknown): { state: MachineState; factor: number; note?: string } {
  if (written === undefined) return { state: "active", factor: 1 };
  const known = typeof written === "string" ? CLOUD_FACTS[cloud].pricing.powerStates?.[written] : undefined;
  if (known) return known;
  return { state: "active", factor: 1, note: `power state ${JSON.stringify(written)} is not known here: counted as active` };
}

/** Sums without float dust: USD prices have at most 9 decimals. */
const round = (n: number) => Math.round(n * 1e9) / 1e9;
const sum = (values: readonly number[]) => round(values.reduce((a, b) => a + b, 0));

function notInCatalog(flavor: string, catalog: Catalog): string {
  const near = nearestMatches(flavor, [...catalog.rates.keys()]);
  return `"${flavor}" is not in drover's ${catalog.label} catalog${near.length ? ` (did you mean ${orList(near)}?)` : ""}: its price is unknown`;
}

function pricesNote(cloud: CostInfo["cloud"], currency: Currency): string {
  const catalog = cloudFacts(cloud.kind)?.pricing.catalog;
  if (catalog?.onlyFor !== undefined && cloud.name === catalog.onlyFor && catalog.note) return catalog.note;
  if (!catalog || catalog.onlyFor !== undefined || currency !== "USD") return `${cloud.name} has no flavor catalog in drover: machine costs are unknown`;
  const elsewhere = cloud.region !== "-" && cloud.region !== catalog.region ? `; this stack is in ${cloud.region}, where prices differ` : "";
  return `${catalog.label} on-demand Linux prices in ${catalog.region} ${catalog.when}, machines only (disks, addresses and traffic are billed apart)${elsewhere}`;
}

/** Why a machine group cannot be priced, in the order a person would fix it; undefined when it can. */
function problemOf(group: MachineGroup, catalog: Catalog | string): string | undefined {
  if (group.unpriced) return group.unpriced;
  if ("problem" in group.flavor) return group.flavor.problem;
  if (typeof group.count !== "number") return group.count.problem;
  if (typeof catalog === "string") return catalog;
  return catalog.rates.has(group.flavor.name) ? undefined : notInCatalog(group.flavor.name, catalog);
}

/**
 * What a synthesized stack costs per hour, per top-level construct. `info` is the stack's
 * `drover.json`; without it (a plain cdktf stack) the cloud is inferred from the providers and
 * nothing is elastic.
 */
export function stackCost(config: Record<string, unknown>, info?: CostInfo): StackCost {
  const cloud = info?.cloud ?? inferCloud(config);
  const currency: Currency = cloudFacts(cloud.kind)?.pricing.currency === "USD" ? "USD" : "SU";
  const machines = new Map<string, MachineCost[]>();
  const unknown: UnknownMachine[] = [];
  const held = new Map<string, MachineState[]>();
  const add = (construct: string, m: MachineCost) => {
    const list = machines.get(construct) ?? [];
    list.push(m);
    machines.set(construct, list);
  };

  for (const group of machineGroups(config)) {
    const base = { address: group.address, name: group.name };
    const flavor = "name" in group.flavor ? group.flavor.name : undefined;
    const count = typeof group.count === "number" ? group.count : undefined;
    const catalog = catalogFor(group.cloud, cloud, currency);
    const problem = problemOf(group, catalog);
    if (problem !== undefined || typeof catalog === "string" || flavor === undefined || count === undefined) {
      unknown.push({ construct: group.construct, ...base, ...(flavor ? { flavor } : {}), ...(count !== undefined ? { count } : {}), note: problem ?? "unknown" });
      continue;
    }
    const rate = catalog.rates.get(flavor)!;
    const power = powerFactor(group.cloud, group.powerState);
    const maxCount = Math.max(group.maxCount ?? count, count);
    const idle = round(count * rate * power.factor);
    const states = held.get(group.construct) ?? [];
    if (count > 0) states.push(power.state);
    held.set(group.construct, states);
    add(group.construct, {
      ...base,
      flavor,
      count,
      maxCount,
      rate,
      state: power.state,
      perHour: { idle, fullScale: round(idle + (maxCount - count) * rate * power.factor) },
      ...(power.note ? { note: power.note } : {}),
    });
  }

  for (const e of info?.elastic ?? []) {
    const kind = cloudFacts(cloud.kind)?.kind;
    const catalog = kind ? catalogFor(kind, cloud, currency) : `the cloud "${cloud.name}" has no flavor catalog in drover`;
    if (typeof catalog === "string" || !catalog.rates.has(e.flavor)) {
      const note = typeof catalog === "string" ? catalog : notInCatalog(e.flavor, catalog);
      unknown.push({ construct: e.construct, name: "elastic", flavor: e.flavor, count: e.max, elastic: true, note });
      continue;
    }
    const rate = catalog.rates.get(e.flavor)!;
    // Elastic nodes are started by the construct's own machines (the Slurm controller): with all
    // of those shelved, none can start.
    const states = held.get(e.construct) ?? [];
    const asleep = states.length > 0 && states.every((s) => s === "shelved");
    add(e.construct, {
      name: "elastic",
      flavor: e.flavor,
      count: 0,
      maxCount: asleep ? 0 : e.max,
      rate,
      state: asleep ? "shelved" : "active",
      perHour: { idle: 0, fullScale: asleep ? 0 : round(e.max * rate) },
      elastic: true,
      ...(asleep ? { note: "the construct's machines are shelved: no elastic node can start" } : {}),
    });
  }

  const constructs = new Set([...machines.keys(), ...unknown.map((u) => u.construct)]);
  const byConstruct: ConstructCost[] = [...constructs].sort().map((construct) => {
    const list = machines.get(construct) ?? [];
    return {
      construct,
      machines: list,
      idle: sum(list.map((m) => m.perHour.idle)),
      fullScale: sum(list.map((m) => m.perHour.fullScale)),
      unknown: unknown.filter((u) => u.construct === construct).length,
    };
  });
  return {
    cloud: { kind: cloud.kind, name: cloud.name, region: cloud.region },
    currency,
    perHour: { idle: sum(byConstruct.map((c) => c.idle)), fullScale: sum(byConstruct.map((c) => c.fullScale)) },
    byConstruct,
    unknown,
    pricesNote: pricesNote(cloud, currency),
  };
}

export interface CostChange {
  /** The currency of both sides; when the stack moved between SU and USD, the one after. */
  readonly currency: Currency;
  /** Per hour before (zero for a new stack) and after. */
  readonly before: PerHour;
  readonly after: PerHour;
  /** after − before per hour; null when the two sides count different currencies. */
  readonly delta: PerHour | null;
  /** The idle delta over 30 days (720 hours); null with `delta`. */
  readonly thirtyDays: number | null;
  readonly changed: boolean;
  /** Machines of unknown cost after the change (not counted in the figures). */
  readonly unknownAfter: number;
  readonly beforeCost?: StackCost;
  readonly afterCost: StackCost;
  /** One line for a plan: `SU/h 12 → 28, +16; 30 days ≈ 11,520 SU`. */
  readonly text: string;
}

/** Hours in the "30 days" figure of a cost change. */
export const THIRTY_DAYS_HOURS = 30 * 24;

/**
 * How a change moves a stack's cost: before (the deployed configuration; undefined for a new
 * stack) against after. `infoBefore` defaults to `infoAfter`, since a deploy baseline keeps only
 * the Terraform JSON: its elastic nodes are then taken to be those after.
 */
export function costChange(before: Record<string, unknown> | undefined, after: Record<string, unknown>, infoBefore?: CostInfo, infoAfter?: CostInfo): CostChange {
  const afterCost = stackCost(after, infoAfter);
  const beforeCost = before ? stackCost(before, infoBefore ?? infoAfter) : undefined;
  const b: PerHour = beforeCost?.perHour ?? { idle: 0, fullScale: 0 };
  const a = afterCost.perHour;
  const comparable = !beforeCost || beforeCost.currency === afterCost.currency;
  const delta = comparable ? { idle: round(a.idle - b.idle), fullScale: round(a.fullScale - b.fullScale) } : null;
  const change = {
    currency: afterCost.currency,
    before: b,
    after: a,
    delta,
    thirtyDays: delta ? round(delta.idle * THIRTY_DAYS_HOURS) : null,
    changed: delta === null || delta.idle !== 0 || delta.fullScale !== 0,
    unknownAfter: afterCost.unknown.length,
    ...(beforeCost ? { beforeCost } : {}),
    afterCost,
  };
  return { ...change, text: costChangeLine(change, beforeCost?.currency ?? afterCost.currency) };
}

/** What `drover cost` reports for a stack (printed by lib/cost/render.ts, or as JSON). */
export interface CostReport {
  readonly stack: string;
  readonly cost: StackCost;
  /** The totals over `--hours`/`--days`; null without them. */
  readonly period: {
    readonly hours: number;
    /** What was asked for: `3 days`, `10 hours`. */
    readonly label: string;
    readonly total: PerHour;
    readonly byConstruct: ReadonlyArray<{ readonly construct: string } & PerHour>;
  } | null;
}
