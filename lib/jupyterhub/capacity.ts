import type { Flavor } from "../catalog/flavors.ts";
import { resolveSize } from "../catalog/resolve-size.ts";
import { orList } from "../naming.ts";
import type { CapacityField, CapacityInput, LimitedBy, NodeFit, CapacityPlan, CapacityResult } from "./capacity-model.ts";
import { describeFlavor, findingsFor, num, plural, show, su, vcpus, type Findings } from "./private/capacity-text.ts";

/**
 * Capacity planning for a JupyterHub on Kubernetes (k3s on the cloud's VMs): how many user
 * nodes of which flavor hold the expected concurrent users, and what that costs in service
 * units. Pure arithmetic on a flavor catalog; the JupyterHubCluster construct and
 * `drover size jupyterhub` both call `planCapacity`.
 *
 * The rules, each a constant below:
 *
 * - **Users are packed by their guarantees.** KubeSpawner turns `cpu_guarantee`/`mem_guarantee`
 *   into the pod's resource requests, and the scheduler packs by requests; limits only cap a
 *   running server, so they are checked (guarantee within limit) but do not change the count.
 *   Guarantees are rounded up to what Kubernetes counts in: whole millicores and whole MiB.
 * - **Every user node keeps a system reserve** of `RESERVE_CPU_MILLI` (0.5 vCPU) and
 *   `RESERVE_MEMORY_MIB` (1 GiB) plus `RESERVE_MEMORY_PERCENT` (5%) of the flavor's memory. The
 *   CPU covers the k3s agent (kubelet, containerd, flannel), which idles low but spikes while a
 *   multi-GB notebook image is pulled and unpacked, the DaemonSets on every node (Cinder CSI node
 *   plugin, JupyterHub's continuous image puller) and the OS. The memory covers the same
 *   processes (about 0.5-0.8 GiB together), the kubelet's eviction threshold (100 MiB), and the
 *   kernel, which keeps a share of a VM's memory for itself, growing with its size: a VM never
 *   shows all of its flavor's memory (the Slurm planner keeps the same 5%). The construct should
 *   pass the same figures to the kubelet (`--kube-reserved`, `--system-reserved`) so that the
 *   scheduler packs exactly as planned here.
 * - **Headroom**: the plan holds `HEADROOM_PERCENT` (10%) more users than expected, rounded up
 *   (so at least one more): the user placeholders of an autoscaling hub, servers still stopping
 *   while their owners start new ones, late arrivals, and pods that do not pack evenly.
 * - **Core pods run on the control plane.** The k3s server node is labelled
 *   `hub.jupyter.org/node-purpose=core` and holds the hub, the proxy and the user scheduler;
 *   user nodes run user servers and DaemonSets only. The control plane is one node of at least
 *   `CONTROL_PLANE` (2 vCPUs, 4 GiB: k3s's server minimum plus the hub and proxy), or
 *   `LARGE_CONTROL_PLANE` (4 vCPUs, 8 GiB) above `LARGE_CONTROL_PLANE_ABOVE_USERS` users, where
 *   the hub's single process and the proxy's routing table grow; it counts in the SU total.
 * - **Flavor choice**: the flavor with the fewest SU per hour for all nodes, then the fewest
 *   nodes, then the catalog's order. GPU flavors only for a profile with GPUs and always for one;
 *   never a flavor offered only on request (naming one is allowed, with a warning).
 *   A GPU node's vGPU slice (0.2 of an A100, say) is one device: one GPU user per node.
 *
 * @example
 * const r = planCapacity({ users: 127, profile: { cpu: 1, memoryGiB: 2 }, cloud: { name: "jetstream2", flavors: JETSTREAM2_FLAVORS } });
 * if (r.ok) console.log(r.plan.summary); // 5 × m3.xl for 127 users (31 per node) + m3.small control plane: 162 SU/hour
 */

export type { CapacityField, CapacityInput, LimitedBy, NodeFit, CapacityPlan, CapacityIssue, CapacityResult } from "./capacity-model.ts";

export const RESERVE_CPU_MILLI = 500;
export const RESERVE_MEMORY_MIB = 1024;
export const RESERVE_MEMORY_PERCENT = 5;
export const HEADROOM_PERCENT = 10;
export const CONTROL_PLANE = { vcpus: 2, memoryGiB: 4 } as const;
export const LARGE_CONTROL_PLANE = { vcpus: 4, memoryGiB: 8 } as const;
export const LARGE_CONTROL_PLANE_ABOVE_USERS = 300;
/** The construct's limit too: a larger class is better served by several hubs. */
export const MAX_USERS = 2000;
export const MAX_NODES = 500;
export const MAX_GPUS_PER_USER = 8;
export const MAX_DAYS = 365;

/** A guarantee as Kubernetes counts it: whole millicores, whole MiB (rounded up). */
interface Need {
  readonly cpuMilli: number;
  readonly memoryMiB: number;
  readonly gpus: number;
}

const isWhole = (n: unknown, min: number, max: number): n is number => typeof n === "number" && Number.isInteger(n) && n >= min && n <= max;
const isPositive = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n > 0;
const gib = (mib: number) => mib / 1024;
// Rounding up to a whole unit, forgiving the float noise of inputs like 0.1 (100.00000000000001m).
const ceilUnit = (x: number) => Math.ceil(x - 1e-9);

/** Devices Kubernetes sees on a node: a slice of a GPU (vGPU) is one device. */
function gpuDevices(flavor: Flavor): number {
  return flavor.gpu > 0 ? Math.max(1, Math.floor(flavor.gpu)) : 0;
}

function fitOf(flavor: Flavor, need: Need): NodeFit {
  const memoryMiB = flavor.memoryGiB * 1024;
  const reserveMiB = RESERVE_MEMORY_MIB + Math.ceil((memoryMiB * RESERVE_MEMORY_PERCENT) / 100);
  const cpuMilli = Math.max(0, flavor.vcpus * 1000 - RESERVE_CPU_MILLI);
  const memMiB = Math.max(0, memoryMiB - reserveMiB);
  const gpus = gpuDevices(flavor);
  // On a tie the GPU is named first: it is the scarce one.
  const by: Array<[LimitedBy, number]> = need.gpus > 0 ? [["gpu", Math.floor(gpus / need.gpus)]] : [];
  by.push(["cpu", Math.floor(cpuMilli / need.cpuMilli)], ["memory", Math.floor(memMiB / need.memoryMiB)]);
  const [limitedBy, usersPerNode] = by.reduce((a, b) => (b[1] < a[1] ? b : a));
  return {
    flavor,
    reserve: { cpu: RESERVE_CPU_MILLI / 1000, memoryGiB: gib(reserveMiB) },
    allocatable: { cpu: cpuMilli / 1000, memoryGiB: gib(memMiB), gpus },
    usersPerNode,
    limitedBy,
  };
}

/** What a node of this flavor offers users and how many of this profile it holds (the rules above). */
export function nodeFit(flavor: Flavor, profile: { readonly cpu: number; readonly memoryGiB: number; readonly gpus?: number }): NodeFit {
  return fitOf(flavor, { cpuMilli: ceilUnit(profile.cpu * 1000), memoryMiB: ceilUnit(profile.memoryGiB * 1024), gpus: profile.gpus ?? 0 });
}

/**
 * The plan, step by step: the inputs checked (every problem at once), the seats to hold, the user
 * nodes and their count, the limits, the control plane, cost and quota, the period, the summary.
 */
export function planCapacity(input: CapacityInput): CapacityResult {
  const found = findingsFor(input);
  const fail = (): CapacityResult => ({ ok: false, issues: found.issues, warnings: found.warnings });
  const valid = checkInput(input, found);
  if (!valid) return fail();
  const demand = demandOf(valid);
  const chosen = chooseUserNodes(valid, demand, found);
  if (!chosen) return fail();
  if (!checkNodeCount(valid, demand, chosen, found)) return fail();
  const limits = checkLimits(valid, chosen.fit, found);
  const control = chooseControlPlane(valid, found);
  if (!control) return fail();
  const cost = costAndTotals(input, chosen, control, found);
  const period = periodOf(valid.hours, cost.suPerHour);
  return {
    ok: true,
    warnings: found.warnings,
    plan: {
      users: valid.users,
      headroomUsers: demand.headroomUsers,
      seats: demand.seats,
      profile: { cpu: demand.need.cpuMilli / 1000, memoryGiB: gib(demand.need.memoryMiB), ...limits, gpus: valid.gpus },
      userNodes: {
        ...chosen.fit,
        count: chosen.count,
        capacity: chosen.capacity,
        suPerHour: cost.userSu,
        flavorFrom: valid.givenNode ? "given" : "cheapest",
        countFrom: valid.count === undefined ? "needed" : "given",
      },
      controlPlane: { flavor: control, count: 1, suPerHour: control.suPerHour, flavorFrom: valid.givenControl ? "given" : "cheapest" },
      suPerHour: cost.suPerHour,
      totals: cost.totals,
      ...(period ? { period } : {}),
      alternatives: chosen.alternatives.map((a) => ({ flavor: a.fit.flavor.name, count: a.count, suPerHour: costOf(a.fit, a.count) })),
      ...describePlan(valid, demand, chosen, control, cost.suPerHour, period),
    },
  };
}

/** The inputs once every one is known to be valid. */
interface ValidInput {
  readonly users: number;
  readonly profile: CapacityInput["profile"];
  readonly gpus: number;
  readonly count: number | undefined;
  readonly hours: NonNullable<CapacityInput["hours"]>;
  /** The catalog's flavors with vCPUs and memory: the only ones sizing can use. */
  readonly sized: readonly Flavor[];
  readonly givenNode: Flavor | undefined;
  readonly givenControl: Flavor | undefined;
}

/** Every problem with the inputs at once; undefined when there is any. */
function checkInput(input: CapacityInput, found: Findings): ValidInput | undefined {
  const numbers = checkNumbers(input, found);
  const flavors = checkFlavors(input, numbers.gpus, found);
  if (found.issues.length > 0) return undefined;
  return { ...numbers, ...flavors };
}

/** The numbers, each on its own. */
function checkNumbers(input: CapacityInput, { add, label, q }: Findings): Pick<ValidInput, "users" | "profile" | "gpus" | "count" | "hours"> {
  const users = input.users;
  if (!isWhole(users, 1, Number.MAX_SAFE_INTEGER)) add("capacity.bad-users", `${q("users")} must be a whole number of at least 1, got ${show(users)}`);
  else if (users > MAX_USERS) add("capacity.bad-users", `${q("users")} must be at most ${num(MAX_USERS)}, got ${num(users)}: split a larger class over several hubs`);
  const p = input.profile ?? ({} as CapacityInput["profile"]);
  if (!isPositive(p.cpu)) add("capacity.bad-cpu", `${q("profile.cpu")} must be a number of vCPUs above 0 (0.5 is half a vCPU), got ${show(p.cpu)}`);
  if (!isPositive(p.memoryGiB)) add("capacity.bad-memory", `${q("profile.memoryGiB")} must be a number of GiB above 0 (0.5 is 512 MiB), got ${show(p.memoryGiB)}`);
  if (p.cpuLimit !== undefined && !isPositive(p.cpuLimit)) add("capacity.bad-limit", `${q("profile.cpuLimit")} must be a number of vCPUs above 0, got ${show(p.cpuLimit)}`);
  if (p.memoryLimitGiB !== undefined && !isPositive(p.memoryLimitGiB)) add("capacity.bad-limit", `${q("profile.memoryLimitGiB")} must be a number of GiB above 0, got ${show(p.memoryLimitGiB)}`);
  if (isPositive(p.cpu) && isPositive(p.cpuLimit) && p.cpuLimit < p.cpu) {
    add(
      "capacity.guarantee-above-limit",
      `${q("profile.cpu")} ${num(p.cpu)} is above ${q("profile.cpuLimit")} ${num(p.cpuLimit)}: a guarantee cannot exceed its limit; raise ${label("profile.cpuLimit")} or lower ${label("profile.cpu")}`,
    );
  }
  if (isPositive(p.memoryGiB) && isPositive(p.memoryLimitGiB) && p.memoryLimitGiB < p.memoryGiB) {
    add(
      "capacity.guarantee-above-limit",
      `${q("profile.memoryGiB")} ${num(p.memoryGiB)} is above ${q("profile.memoryLimitGiB")} ${num(p.memoryLimitGiB)}: a guarantee cannot exceed its limit; raise ${label("profile.memoryLimitGiB")} or lower ${label("profile.memoryGiB")}`,
    );
  }
  const gpus = p.gpus ?? 0;
  if (!isWhole(gpus, 0, MAX_GPUS_PER_USER)) add("capacity.bad-gpus", `${q("profile.gpus")} must be a whole number of GPUs from 0 to ${MAX_GPUS_PER_USER}, got ${show(p.gpus)}`);
  const count = input.nodes?.count;
  if (count !== undefined && !isWhole(count, 1, MAX_NODES)) add("capacity.bad-nodes", `${q("nodes.count")} must be a whole number from 1 to ${MAX_NODES}, got ${show(count)}`);
  const hours = input.hours ?? {};
  if (hours.perDay !== undefined && !(isPositive(hours.perDay) && hours.perDay <= 24)) {
    add("capacity.bad-hours", `${q("hours.perDay")} must be a number of hours above 0 and at most 24, got ${show(hours.perDay)}`);
  }
  if (hours.days !== undefined && !isWhole(hours.days, 1, MAX_DAYS)) add("capacity.bad-days", `${q("hours.days")} must be a whole number of days from 1 to ${MAX_DAYS}, got ${show(hours.days)}`);
  return { users, profile: p, gpus, count, hours };
}

/** The flavors named, and the catalog sizing chooses from. */
function checkFlavors(input: CapacityInput, gpus: number, { add, label, q, cloud }: Findings): Pick<ValidInput, "sized" | "givenNode" | "givenControl"> {
  const flavors = input.cloud?.flavors ?? [];
  const named = (field: CapacityField, name: string | undefined): Flavor | undefined => {
    if (name === undefined) return undefined;
    if (flavors.length === 0) return undefined; // reported below, once
    const r = resolveSize(name, flavors, cloud, label(field));
    if (!r.ok) {
      add("capacity.unknown-flavor", r.message);
      return undefined;
    }
    if (r.flavor.custom || r.flavor.vcpus <= 0) {
      add("capacity.unsized-flavor", `${q(field)} "${r.flavor.name}" is known to ${cloud} by name only: sizing needs its vCPUs and memory`);
      return undefined;
    }
    return r.flavor;
  };
  const sized = flavors.filter((f) => !f.custom && f.vcpus > 0 && f.memoryGiB > 0);
  if (sized.length === 0) {
    add("capacity.no-catalog", `${cloud} has no flavor catalog with vCPUs and memory, and sizing needs one: pass the cloud's flavors (name, vcpus, memoryGiB)`);
  }
  const givenNode = named("nodes.size", input.nodes?.size);
  const givenControl = named("controlPlane.size", input.controlPlane?.size);
  const gpuFlavors = sized.filter((f) => f.gpu > 0 && !f.onRequest).map((f) => f.name);
  if (givenNode && isWhole(gpus, 0, MAX_GPUS_PER_USER)) {
    if (gpus > 0 && givenNode.gpu === 0) {
      add(
        "capacity.gpu-mismatch",
        `${q("nodes.size")} "${givenNode.name}" has no GPU, but each user gets ${gpus} (${q("profile.gpus")}): ${gpuFlavors.length ? `pick a GPU flavor (${orList(gpuFlavors)})` : `${cloud} has no GPU flavor`} or drop ${label("profile.gpus")}`,
      );
    } else if (gpus === 0 && givenNode.gpu > 0) {
      add(
        "capacity.gpu-mismatch",
        `${q("nodes.size")} "${givenNode.name}" is a GPU flavor (${num(givenNode.suPerHour)} SU/hour), and the profile has no GPU: pick a CPU flavor, or give each user a GPU with ${label("profile.gpus")}`,
      );
    }
  }
  return { sized, givenNode, givenControl };
}

/** What the user nodes must hold: each user's guarantee as Kubernetes counts it, and the seats. */
interface Demand {
  readonly need: Need;
  readonly headroomUsers: number;
  readonly seats: number;
}

function demandOf({ users, profile: p, gpus }: ValidInput): Demand {
  const need: Need = { cpuMilli: ceilUnit(p.cpu * 1000), memoryMiB: ceilUnit(p.memoryGiB * 1024), gpus };
  const headroomUsers = Math.ceil((users * HEADROOM_PERCENT) / 100);
  return { need, headroomUsers, seats: users + headroomUsers };
}

const costOf = (f: NodeFit, n: number) => n * f.flavor.suPerHour;
const rank = (a: { fit: NodeFit; count: number }, b: { fit: NodeFit; count: number }) => costOf(a.fit, a.count) - costOf(b.fit, b.count) || a.count - b.count;
const needed = (f: NodeFit, n: number) => Math.ceil(n / f.usersPerNode);

/** The user nodes chosen: flavor, count, and the other flavors that would do. */
interface Chosen {
  readonly fit: NodeFit;
  readonly count: number;
  /** count × usersPerNode. */
  readonly capacity: number;
  readonly alternatives: ReadonlyArray<{ fit: NodeFit; count: number }>;
}

/** The user nodes: the flavor named, or the cheapest that holds the seats; undefined when none fits. */
function chooseUserNodes(valid: ValidInput, demand: Demand, found: Findings): Chosen | undefined {
  const { users, profile: p, gpus, count, sized, givenNode } = valid;
  const { need, seats } = demand;
  const { add, label, q, cloud } = found;
  const gpuClass = gpus > 0;
  const kind = gpuClass ? "GPU flavor" : "CPU flavor";
  const pool = sized.filter((f) => !f.onRequest && (gpuClass ? f.gpu > 0 : f.gpu === 0));
  const fits = pool.map((f) => fitOf(f, need)).filter((f) => f.usersPerNode > 0);

  let chosen: { fit: NodeFit; count: number } | undefined;
  let alternatives: Array<{ fit: NodeFit; count: number }> = [];
  if (givenNode) {
    const fit = fitOf(givenNode, need);
    if (fit.usersPerNode === 0) {
      if (fits.length === 0) explainNoFit(valid, pool, need, found);
      else {
        const cheapest = fits.map((f) => ({ fit: f, count: needed(f, seats) })).sort(rank)[0]!;
        const limit = fit.limitedBy;
        const field: CapacityField = limit === "cpu" ? "profile.cpu" : limit === "memory" ? "profile.memoryGiB" : "profile.gpus";
        const value = limit === "cpu" ? p.cpu : limit === "memory" ? p.memoryGiB : gpus;
        const offers =
          limit === "cpu"
            ? `it offers users ${vcpus(fit.allocatable.cpu)} (${vcpus(givenNode.vcpus)} less ${num(fit.reserve.cpu)} for the system); lower ${label(field)} to ${num(fit.allocatable.cpu)} or less`
            : limit === "memory"
              ? `it offers users ${num(fit.allocatable.memoryGiB)} GiB (${num(givenNode.memoryGiB)} GiB less ${num(fit.reserve.memoryGiB)} for the system); lower ${label(field)} to ${num(fit.allocatable.memoryGiB)} or less`
              : `it has ${plural(fit.allocatable.gpus, "GPU")}; lower ${label(field)} to ${fit.allocatable.gpus}`;
        add(
          "capacity.no-fit",
          `${q(field)} ${num(value)} does not fit on ${q("nodes.size")} "${givenNode.name}": ${offers}, or pick a larger flavor (${cheapest.fit.flavor.name} gives the cheapest plan)`,
        );
      }
      return undefined;
    }
    chosen = { fit, count: count ?? needed(fit, seats) };
    if (givenNode.onRequest) found.warnings.push(`${q("nodes.size")} "${givenNode.name}" is offered by ${cloud} on request only: ask the cloud's help desk for it before deploying`);
  } else {
    if (fits.length === 0) {
      explainNoFit(valid, pool, need, found);
      return undefined;
    }
    if (count === undefined) {
      const ranked = fits.map((fit) => ({ fit, count: needed(fit, seats) })).sort(rank);
      chosen = ranked[0];
      alternatives = ranked.slice(1, 4);
    } else {
      const withHeadroom = fits.filter((f) => count * f.usersPerNode >= seats);
      const withoutHeadroom = fits.filter((f) => count * f.usersPerNode >= users);
      const ranked = (withHeadroom.length ? withHeadroom : withoutHeadroom).map((fit) => ({ fit, count })).sort(rank);
      chosen = ranked[0];
      alternatives = ranked.slice(1, 4);
      if (!chosen) {
        const biggest = fits.reduce((a, b) => (b.usersPerNode > a.usersPerNode ? b : a));
        add(
          "capacity.too-few-nodes",
          `${q("nodes.count")} ${count} is too few for ${plural(users, "user")} on any ${cloud} ${kind}: the most one node holds is ${plural(biggest.usersPerNode, "user")} (${biggest.flavor.name}), ${num(count * biggest.usersPerNode)} on ${plural(count, "node")}; raise ${label("nodes.count")} to ${needed(biggest, seats)}, or leave it out to let drover choose`,
        );
        return undefined;
      }
    }
  }
  if (!chosen) return undefined; // unreachable: every path above chose or failed
  return { ...chosen, capacity: chosen.count * chosen.fit.usersPerNode, alternatives };
}

/** Why the profile fits none of the pool: the dimension that no flavor can hold, or the combination. */
function explainNoFit({ profile: p, gpus }: ValidInput, pool: readonly Flavor[], need: Need, { add, label, q, cloud }: Findings): void {
  const gpuClass = gpus > 0;
  if (pool.length === 0) {
    add(
      "capacity.no-fit",
      gpuClass
        ? `${q("profile.gpus")} ${gpus} asks for a GPU, and ${cloud} has no GPU flavor that is not on request only: drop ${label("profile.gpus")}`
        : `${cloud} has no CPU flavor that is not on request only: give each user a GPU with ${label("profile.gpus")}, or name a flavor with ${label("nodes.size")}`,
    );
    return;
  }
  const all = pool.map((f) => fitOf(f, need));
  const best = (key: (f: NodeFit) => number) => all.reduce((a, b) => (key(b) > key(a) ? b : a));
  const cpuBest = best((f) => f.allocatable.cpu);
  const memBest = best((f) => f.allocatable.memoryGiB);
  // Devices, then the share of a GPU: a full A100 before a fifth of one.
  const gpuBest = best((f) => f.allocatable.gpus * 1000 + f.flavor.gpu);
  const of = gpuClass ? `${cloud} GPU flavor` : `${cloud} flavor`;
  let found = false;
  if (need.cpuMilli > cpuBest.allocatable.cpu * 1000) {
    found = true;
    add(
      "capacity.no-fit",
      `${q("profile.cpu")} ${num(p.cpu)} fits no ${of}: the most a node offers users is ${vcpus(cpuBest.allocatable.cpu)} (${cpuBest.flavor.name}: ${vcpus(cpuBest.flavor.vcpus)} less ${num(cpuBest.reserve.cpu)} for the system); lower ${label("profile.cpu")} to ${num(cpuBest.allocatable.cpu)} or less`,
    );
  }
  if (need.memoryMiB > memBest.allocatable.memoryGiB * 1024) {
    found = true;
    add(
      "capacity.no-fit",
      `${q("profile.memoryGiB")} ${num(p.memoryGiB)} fits no ${of}: the most a node offers users is ${num(memBest.allocatable.memoryGiB)} GiB (${memBest.flavor.name}: ${num(memBest.flavor.memoryGiB)} GiB less ${num(memBest.reserve.memoryGiB)} for the system); lower ${label("profile.memoryGiB")} to ${num(memBest.allocatable.memoryGiB)} or less`,
    );
  }
  if (gpus > gpuBest.allocatable.gpus) {
    found = true;
    add(
      "capacity.no-fit",
      `${q("profile.gpus")} ${gpus} fits no ${of}: the most GPUs a node has is ${gpuBest.allocatable.gpus} (${gpuBest.flavor.name}: ${num(gpuBest.flavor.gpu)} ${gpuBest.flavor.gpuModel ?? "GPU"}); lower ${label("profile.gpus")} to ${gpuBest.allocatable.gpus}`,
    );
  }
  if (!found) {
    const biggest = best((f) => Math.min(f.allocatable.cpu * 1000 - need.cpuMilli, f.allocatable.memoryGiB * 1024 - need.memoryMiB));
    add(
      "capacity.no-fit",
      `no ${of} holds ${q("profile.cpu")} ${num(p.cpu)} and ${q("profile.memoryGiB")} ${num(p.memoryGiB)} together: ${biggest.flavor.name}, the closest, offers users ${vcpus(biggest.allocatable.cpu)} and ${num(biggest.allocatable.memoryGiB)} GiB; lower one of them`,
    );
  }
}

/** A count given: too few for the users is an error; no headroom, or more than needed, a warning. */
function checkNodeCount({ users, count }: ValidInput, { seats }: Demand, { fit, capacity }: Chosen, { add, label, q, warnings }: Findings): boolean {
  if (count === undefined) return true;
  const f = fit.flavor;
  const forUsers = needed(fit, users);
  const forSeats = needed(fit, seats);
  if (capacity < users) {
    add(
      "capacity.too-few-nodes",
      `${q("nodes.count")} ${count} × ${f.name} holds ${plural(capacity, "user")} (${fit.usersPerNode} per node); ${plural(users, "user")} need ${plural(forUsers, "node")}, ${forSeats} with the ${HEADROOM_PERCENT}% headroom: raise ${label("nodes.count")} to ${forSeats}, or leave it out to let drover choose`,
    );
    return false;
  }
  if (capacity < seats) {
    warnings.push(
      `${q("nodes.count")} ${count} × ${f.name} holds ${plural(capacity, "user")}: enough for ${num(users)}, but without the ${HEADROOM_PERCENT}% headroom (${num(seats)} seats) a late arrival or a restarting server may wait; ${plural(forSeats, "node")} give${forSeats === 1 ? "s" : ""} the headroom`,
    );
  } else if (count > forSeats) {
    warnings.push(
      `${q("nodes.count")} ${count} × ${f.name} holds ${plural(capacity, "user")}; ${forSeats} ${forSeats === 1 ? "node holds" : "nodes hold"} the ${num(seats)} seats needed (${plural(users, "user")} + ${HEADROOM_PERCENT}% headroom): ${count - forSeats} fewer would save ${num((count - forSeats) * f.suPerHour)} SU/hour`,
    );
  }
  return true;
}

/** The limits (the guarantees when none is given), with a warning for one larger than a node: the server can never reach it. */
function checkLimits({ profile: p }: ValidInput, fit: NodeFit, { q, warnings }: Findings): { readonly cpuLimit: number; readonly memoryLimitGiB: number } {
  const f = fit.flavor;
  const cpuLimit = p.cpuLimit ?? p.cpu;
  const memoryLimitGiB = p.memoryLimitGiB ?? p.memoryGiB;
  if (cpuLimit > fit.allocatable.cpu) {
    warnings.push(
      `${q("profile.cpuLimit")} ${num(cpuLimit)} is more than a ${f.name} node offers users (${vcpus(fit.allocatable.cpu)}): no server can use it all; lower it to ${num(fit.allocatable.cpu)}`,
    );
  }
  if (memoryLimitGiB > fit.allocatable.memoryGiB) {
    warnings.push(
      `${q("profile.memoryLimitGiB")} ${num(memoryLimitGiB)} is more than a ${f.name} node offers users (${num(fit.allocatable.memoryGiB)} GiB): a server growing that large is evicted; lower it to ${num(fit.allocatable.memoryGiB)}`,
    );
  }
  return { cpuLimit, memoryLimitGiB };
}

/** The control plane: the flavor named (a warning when small), or the cheapest CPU flavor large enough. */
function chooseControlPlane({ users, sized, givenControl }: ValidInput, { add, label, q, cloud, warnings }: Findings): Flavor | undefined {
  const controlNeed = users > LARGE_CONTROL_PLANE_ABOVE_USERS ? LARGE_CONTROL_PLANE : CONTROL_PLANE;
  const controlText = `${vcpus(controlNeed.vcpus)}, ${num(controlNeed.memoryGiB)} GiB`;
  let control = givenControl;
  if (control) {
    if (control.vcpus < controlNeed.vcpus || control.memoryGiB < controlNeed.memoryGiB) {
      warnings.push(
        `${q("controlPlane.size")} "${control.name}" (${vcpus(control.vcpus)}, ${num(control.memoryGiB)} GiB) is smaller than the ${controlText} the k3s server, hub and proxy need for ${plural(users, "user")}: expect a slow hub`,
      );
    }
  } else {
    control = sized
      .filter((c) => !c.onRequest && c.gpu === 0 && c.vcpus >= controlNeed.vcpus && c.memoryGiB >= controlNeed.memoryGiB)
      .sort((a, b) => a.suPerHour - b.suPerHour || a.vcpus - b.vcpus || a.memoryGiB - b.memoryGiB)[0];
    if (!control) {
      add("capacity.no-control-plane", `no ${cloud} CPU flavor has the ${controlText} the control plane (k3s server, hub, proxy) needs: name one with ${label("controlPlane.size")}`);
      return undefined;
    }
  }
  return control;
}

/** SU per hour and the totals of every node, with a warning for each default quota they exceed. */
function costAndTotals(
  input: CapacityInput,
  { fit, count: nodes }: Chosen,
  control: Flavor,
  { cloud, warnings }: Findings,
): { readonly userSu: number; readonly suPerHour: number; readonly totals: CapacityPlan["totals"] } {
  const f = fit.flavor;
  const userSu = nodes * f.suPerHour;
  const suPerHour = userSu + control.suPerHour;
  const totals = {
    nodes: nodes + 1,
    cores: nodes * f.vcpus + control.vcpus,
    memoryGiB: nodes * f.memoryGiB + control.memoryGiB,
    gpus: nodes * fit.allocatable.gpus,
  };
  const quota = input.cloud.quota;
  const mix = `${nodes} × ${f.name} + ${control.name}`;
  if (quota && totals.cores > quota.cores) {
    warnings.push(`the cluster uses ${num(totals.cores)} cores (${mix}), more than ${cloud}'s default allocation quota of ${num(quota.cores)} cores: ask for a quota increase before the event`);
  }
  if (quota && totals.memoryGiB > quota.memoryGiB) {
    warnings.push(
      `the cluster uses ${num(totals.memoryGiB)} GiB of memory (${mix}), more than ${cloud}'s default allocation quota of ${num(quota.memoryGiB)} GiB: ask for a quota increase before the event`,
    );
  }
  return { userSu, suPerHour, totals };
}

/** SU for the period, when hours or days were given. */
function periodOf(hours: ValidInput["hours"], suPerHour: number): CapacityPlan["period"] {
  if (hours.perDay === undefined && hours.days === undefined) return undefined;
  const hoursPerDay = hours.perDay ?? 24;
  const days = hours.days ?? 1;
  const total = hoursPerDay * days;
  return { hoursPerDay, days, hours: Math.round(total * 100) / 100, su: Math.round(suPerHour * total * 100) / 100 };
}

/** The one-line summary and the arithmetic, a line per step, for a person to check. */
function describePlan(
  { users, gpus, count }: ValidInput,
  { need, headroomUsers, seats }: Demand,
  { fit, count: nodes, capacity }: Chosen,
  control: Flavor,
  suPerHour: number,
  period: CapacityPlan["period"],
): Pick<CapacityPlan, "summary" | "breakdown"> {
  const f = fit.flavor;
  // A commercial cloud's catalog holds on-demand US dollars in suPerHour.
  const U = "usdPerHour" in f ? "USD" : "SU";
  const profileText = `${vcpus(need.cpuMilli / 1000)} and ${num(gib(need.memoryMiB))} GiB${gpus ? ` and ${plural(gpus, "GPU")}` : ""}`;
  const limitText: Record<LimitedBy, string> = { cpu: "CPU", memory: "memory", gpu: "the GPU" };
  const breakdown = [
    `${plural(users, "user")} + ${num(headroomUsers)} headroom (${HEADROOM_PERCENT}%, rounded up) = ${num(seats)} seats of ${profileText} each`,
    `${describeFlavor(f)} less ${num(fit.reserve.cpu)} vCPU and ${num(fit.reserve.memoryGiB)} GiB for the system = ${vcpus(fit.allocatable.cpu)}, ${num(fit.allocatable.memoryGiB)} GiB for users: ${fit.usersPerNode} per node (${limitText[fit.limitedBy]} is the limit)`,
    count === undefined
      ? `${num(seats)} seats ÷ ${fit.usersPerNode} per node = ${plural(nodes, "node")} (rounded up), holding ${plural(capacity, "user")}`
      : `${plural(nodes, "node")} as given, holding ${plural(capacity, "user")}`,
    `${nodes} × ${num(f.suPerHour)} ${U}/hour + control plane ${control.name} (k3s server, hub, proxy) ${num(control.suPerHour)} ${U}/hour = ${su(suPerHour)} ${U}/hour`,
    ...(period ? [`${su(suPerHour)} ${U}/hour × ${plural(period.hoursPerDay, "hour")} × ${plural(period.days, "day")} = ${su(period.su)} ${U}`] : []),
  ];
  const summary =
    `${nodes} × ${f.name} for ${plural(users, "user")} (${fit.usersPerNode} per node) + ${control.name} control plane: ${su(suPerHour)} ${U}/hour` +
    (period ? `, ${su(period.su)} ${U} for ${plural(period.days, "day")} of ${plural(period.hoursPerDay, "hour")}` : "");
  return { summary, breakdown };
}
