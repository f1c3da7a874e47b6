import pc from "picocolors";
import { JETSTREAM2_FLAVORS, JETSTREAM2_QUOTA, type Flavor } from "../../catalog/flavors.ts";
import { UsageError } from "../../errors.ts";
import { HEADROOM_PERCENT, planCapacity, type CapacityField, type LimitedBy } from "../../jupyterhub/capacity.ts";
import { orList } from "../../naming.ts";

/**
 * `drover size jupyterhub`: how many user nodes of which flavor a JupyterHub for a class needs,
 * and what it costs in SUs, before any stack is written. Needs no project: the clouds' flavor
 * catalogs are part of drover. The arithmetic is `planCapacity` (lib/jupyterhub/capacity.ts).
 */

/** Clouds with a flavor catalog; the quota is the default research allocation's (DESIGN.md). */
const CLOUDS: Record<string, { readonly flavors: readonly Flavor[]; readonly quota?: { readonly cores: number; readonly memoryGiB: number } }> = {
  jetstream2: { flavors: JETSTREAM2_FLAVORS, quota: JETSTREAM2_QUOTA },
};

/** The flags as commander hands them over: text, or true for a switch. */
export interface SizeFlags {
  readonly users?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly cpuLimit?: string;
  readonly memoryLimit?: string;
  readonly gpu?: boolean;
  readonly flavor?: string;
  readonly nodes?: string;
  readonly hours?: string;
  readonly days?: string;
  readonly cloud?: string;
}

export interface SizeOptions {
  readonly cloud: string;
  readonly users: number;
  /** vCPUs guaranteed to each user. */
  readonly cpu: number;
  readonly memoryGiB: number;
  readonly cpuLimit?: number;
  readonly memoryLimitGiB?: number;
  /** Each user gets one GPU. */
  readonly gpu?: boolean;
  readonly flavor?: string;
  readonly nodes?: number;
  readonly hoursPerDay?: number;
  readonly days?: number;
}

/** The `--json` output; its fields are listed in `drover size jupyterhub --help`. */
export interface SizeReport {
  readonly cloud: string;
  readonly users: number;
  readonly headroom: { readonly percent: number; readonly users: number };
  readonly seats: number;
  readonly profile: { readonly cpu: number; readonly memoryGiB: number; readonly cpuLimit: number; readonly memoryLimitGiB: number; readonly gpus: number };
  readonly userNodes: {
    readonly flavor: string;
    readonly count: number;
    readonly vcpus: number;
    readonly memoryGiB: number;
    readonly gpu: number;
    readonly usersPerNode: number;
    readonly capacity: number;
    readonly limitedBy: LimitedBy;
    readonly reserve: { readonly cpu: number; readonly memoryGiB: number };
    readonly allocatable: { readonly cpu: number; readonly memoryGiB: number; readonly gpus: number };
    readonly suPerHourEach: number;
    readonly suPerHour: number;
    readonly flavorFrom: "given" | "cheapest";
    readonly countFrom: "given" | "needed";
  };
  readonly controlPlane: { readonly flavor: string; readonly count: 1; readonly vcpus: number; readonly memoryGiB: number; readonly suPerHour: number; readonly flavorFrom: "given" | "cheapest" };
  readonly suPerHour: number;
  readonly period: { readonly hoursPerDay: number; readonly days: number; readonly hours: number; readonly su: number } | null;
  readonly totals: { readonly nodes: number; readonly cores: number; readonly memoryGiB: number; readonly gpus: number };
  readonly alternatives: ReadonlyArray<{ readonly flavor: string; readonly count: number; readonly suPerHour: number }>;
  readonly summary: string;
  readonly breakdown: readonly string[];
  readonly warnings: readonly string[];
}

/** The planner's fields as the person typed them. */
const FLAGS: Record<CapacityField, string> = {
  users: "--users",
  "profile.cpu": "--cpu",
  "profile.memoryGiB": "--memory",
  "profile.cpuLimit": "--cpu-limit",
  "profile.memoryLimitGiB": "--memory-limit",
  "profile.gpus": "--gpu",
  "nodes.size": "--flavor",
  "nodes.count": "--nodes",
  "controlPlane.size": "the control plane's flavor",
  "hours.perDay": "--hours",
  "hours.days": "--days",
};

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Flag text to options. Text that is no number, or a required flag left out, is a problem
 * reported here (its value becomes NaN); ranges and the rest are the planner's to check.
 */
export function parseSizeFlags(flags: SizeFlags): { readonly options: SizeOptions; readonly problems: ReadonlyArray<{ readonly flag: string; readonly message: string }> } {
  const problems: Array<{ flag: string; message: string }> = [];
  const number = (flag: string, text: string | undefined, example: string): number | undefined => {
    if (text === undefined) return undefined;
    if (NUMBER.test(text.trim())) return Number(text);
    problems.push({ flag, message: `'${flag}' ${JSON.stringify(text)} is not a number: e.g. ${flag} ${example}` });
    return Number.NaN;
  };
  const required = (flag: string, text: string | undefined, example: string, what: string): number => {
    if (text === undefined) problems.push({ flag, message: `'${flag}' is required: ${what}, e.g. ${flag} ${example}` });
    return number(flag, text, example) ?? Number.NaN;
  };
  const users = required("--users", flags.users, "40", "users expected at the same time");
  const cpu = required("--cpu", flags.cpu, "1", "vCPUs guaranteed to each user");
  const memoryGiB = required("--memory", flags.memory, "2", "GiB of memory guaranteed to each user");
  const cpuLimit = number("--cpu-limit", flags.cpuLimit, "2");
  const memoryLimitGiB = number("--memory-limit", flags.memoryLimit, "4");
  const nodes = number("--nodes", flags.nodes, "5");
  const hoursPerDay = number("--hours", flags.hours, "6");
  const days = number("--days", flags.days, "3");
  return {
    problems,
    options: {
      cloud: flags.cloud ?? "jetstream2",
      users,
      cpu,
      memoryGiB,
      ...(cpuLimit !== undefined ? { cpuLimit } : {}),
      ...(memoryLimitGiB !== undefined ? { memoryLimitGiB } : {}),
      ...(flags.gpu ? { gpu: true } : {}),
      ...(flags.flavor !== undefined ? { flavor: flags.flavor } : {}),
      ...(nodes !== undefined ? { nodes } : {}),
      ...(hoursPerDay !== undefined ? { hoursPerDay } : {}),
      ...(days !== undefined ? { days } : {}),
    },
  };
}

function problemsError(problems: readonly string[]): UsageError {
  return problems.length === 1 ? new UsageError(problems[0]!) : new UsageError(`${problems.length} problems with the flags:`, problems);
}

/** The command: flags in, report out; every problem with the flags is thrown at once (exit 2). */
export function sizeFromFlags(flags: SizeFlags): SizeReport {
  const { options, problems } = parseSizeFlags(flags);
  if (problems.length === 0) return sizeJupyterHub(options);
  // A flag already reported as unreadable is not reported again as out of range.
  const seen = new Set(problems.map((p) => `'${p.flag}' `));
  let more: readonly string[] = [];
  try {
    sizeJupyterHub(options);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    more = (e.details.length ? e.details : [e.message]).filter((m) => ![...seen].some((s) => m.startsWith(s)));
  }
  throw problemsError([...problems.map((p) => p.message), ...more]);
}

const gib2 = (n: number) => Math.round(n * 100) / 100;

/** Sizes the hub; throws a UsageError listing every problem, in the flags' names. */
export function sizeJupyterHub(options: SizeOptions): SizeReport {
  const cloud = CLOUDS[options.cloud];
  if (!cloud) {
    throw new UsageError(`'--cloud' ${JSON.stringify(options.cloud)} has no flavor catalog in drover: use ${orList(Object.keys(CLOUDS))}`);
  }
  const r = planCapacity({
    users: options.users,
    profile: {
      cpu: options.cpu,
      memoryGiB: options.memoryGiB,
      ...(options.cpuLimit !== undefined ? { cpuLimit: options.cpuLimit } : {}),
      ...(options.memoryLimitGiB !== undefined ? { memoryLimitGiB: options.memoryLimitGiB } : {}),
      gpus: options.gpu ? 1 : 0,
    },
    cloud: { name: options.cloud, ...cloud },
    nodes: { ...(options.flavor !== undefined ? { size: options.flavor } : {}), ...(options.nodes !== undefined ? { count: options.nodes } : {}) },
    ...(options.hoursPerDay !== undefined || options.days !== undefined
      ? { hours: { ...(options.hoursPerDay !== undefined ? { perDay: options.hoursPerDay } : {}), ...(options.days !== undefined ? { days: options.days } : {}) } }
      : {}),
    fieldNames: FLAGS,
  });
  if (!r.ok) throw problemsError(r.issues.map((i) => i.message));
  const { plan } = r;
  const u = plan.userNodes;
  return {
    cloud: options.cloud,
    users: plan.users,
    headroom: { percent: HEADROOM_PERCENT, users: plan.headroomUsers },
    seats: plan.seats,
    profile: { ...plan.profile, memoryGiB: gib2(plan.profile.memoryGiB), memoryLimitGiB: gib2(plan.profile.memoryLimitGiB) },
    userNodes: {
      flavor: u.flavor.name,
      count: u.count,
      vcpus: u.flavor.vcpus,
      memoryGiB: u.flavor.memoryGiB,
      gpu: u.flavor.gpu,
      usersPerNode: u.usersPerNode,
      capacity: u.capacity,
      limitedBy: u.limitedBy,
      reserve: { cpu: u.reserve.cpu, memoryGiB: gib2(u.reserve.memoryGiB) },
      allocatable: { cpu: u.allocatable.cpu, memoryGiB: gib2(u.allocatable.memoryGiB), gpus: u.allocatable.gpus },
      suPerHourEach: u.flavor.suPerHour,
      suPerHour: u.suPerHour,
      flavorFrom: u.flavorFrom,
      countFrom: u.countFrom,
    },
    controlPlane: {
      flavor: plan.controlPlane.flavor.name,
      count: 1,
      vcpus: plan.controlPlane.flavor.vcpus,
      memoryGiB: plan.controlPlane.flavor.memoryGiB,
      suPerHour: plan.controlPlane.suPerHour,
      flavorFrom: plan.controlPlane.flavorFrom,
    },
    suPerHour: plan.suPerHour,
    period: plan.period ?? null,
    totals: plan.totals,
    alternatives: plan.alternatives,
    summary: plan.summary,
    breakdown: plan.breakdown,
    warnings: r.warnings,
  };
}

const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });
const count = (n: number, word: string) => `${fmt(n)} ${word}${n > 0 && n <= 1 ? "" : "s"}`;
const machine = (vcpus: number, memoryGiB: number, gpu = 0) => `${count(vcpus, "vCPU")}, ${fmt(memoryGiB)} GiB${gpu ? `, ${fmt(gpu)} GPU` : ""}`;
const LIMIT: Record<LimitedBy, string> = { cpu: "CPU", memory: "memory", gpu: "the GPU" };

export function renderSize(r: SizeReport): string {
  const u = r.userNodes;
  const c = r.controlPlane;
  const gpu = r.profile.gpus ? ` and ${count(r.profile.gpus, "GPU")}` : "";
  const rows: Array<[string, string]> = [
    ["user nodes", `${u.count} × ${u.flavor} (${machine(u.vcpus, u.memoryGiB, u.gpu)})${u.flavorFrom === "cheapest" ? ", the cheapest that fits" : ""}`],
    ["users/node", `${u.usersPerNode} (${LIMIT[u.limitedBy]} is the limit): ${fmt(u.capacity)} seats for ${fmt(r.users)} users + ${fmt(r.headroom.users)} headroom`],
    ["reserve/node", `${fmt(u.reserve.cpu)} vCPU, ${fmt(u.reserve.memoryGiB)} GiB for the system (k3s agent, DaemonSets, kernel)`],
    ["control plane", `1 × ${c.flavor} (${machine(c.vcpus, c.memoryGiB)}): k3s server, hub, proxy`],
    ["SU/hour", `${fmt(r.suPerHour)} (user nodes ${fmt(u.suPerHour)} + control plane ${fmt(c.suPerHour)})`],
    ["total SU", r.period ? `${fmt(r.period.su)} (${count(r.period.hoursPerDay, "hour")} a day × ${count(r.period.days, "day")})` : "- (give --hours and --days for a total)"],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    `JupyterHub on ${r.cloud} for ${count(r.users, "user")}, each guaranteed ${count(r.profile.cpu, "vCPU")} and ${fmt(r.profile.memoryGiB)} GiB${gpu}`,
    "",
    ...rows.map(([k, v]) => `  ${pc.bold(k.padEnd(width))}  ${v}`),
    "",
    pc.dim("How it adds up:"),
    ...r.breakdown.map((l) => `  ${l}`),
  ];
  if (r.alternatives.length) {
    lines.push("", `${pc.dim("Also possible:")} ${r.alternatives.map((a) => `${a.count} × ${a.flavor} (${fmt(a.suPerHour)} SU/hour)`).join(", ")}`);
  }
  if (r.warnings.length) lines.push("", pc.yellow("Warnings:"), ...r.warnings.map((w) => `  ${pc.yellow("!")} ${w}`));
  return lines.join("\n");
}
