import { createHash } from "node:crypto";
import type { Flavor } from "../catalog/flavors.ts";
import { describeValue } from "../props/check.ts";
import { resolveSize } from "../catalog/resolve-size.ts";
import type { Issue } from "../errors.ts";
import { MAX_HOSTNAME_LENGTH, andList, nearestMatches, orList } from "../naming.ts";
import { hostAddress, isPrivateIpv4, parseCidr, type Cidr } from "../net/cidr.ts";
import { parseSshPublicKey } from "../net/ssh-key.ts";
import type { SharedStorage, SlurmClusterPlan, SlurmHost, SlurmNode, SlurmPartition, SlurmUser } from "./model.ts";

/**
 * From what a person writes to a complete cluster plan: sizes resolved to flavors, node names
 * and fixed addresses, memory Slurm may hand out, users with their UIDs. Every rule that spans
 * props is checked here, each problem reported with the prop's path, the value and the fix.
 *
 * Addresses: the cluster subnet is cut into blocks of 1,024 addresses. Block 0 holds the
 * gateway (.1), the controller (.4), the login node (.5) and the DHCP pool other machines on
 * the network draw from (from .10 to the end of the block). Partition i takes block i + 1, node
 * n its n-th address. Elastic nodes get their address the same way, so slurm.conf names every
 * node's address at synth, and adding a partition at the end never moves another's nodes.
 */

export interface PartitionInput {
  readonly name: string;
  readonly size: unknown;
  /** Static nodes (Terraform resources). */
  readonly nodes?: number;
  readonly elastic?: { readonly max: number; readonly idleMinutes?: number };
  readonly default?: boolean;
  /** This partition is for GPU jobs; @default - whether the flavor has a GPU. */
  readonly gpu?: boolean;
}

export interface ClusterInput {
  readonly stackName: string;
  readonly id: string;
  readonly cloudName: string;
  readonly flavors: readonly Flavor[];
  readonly controller: { readonly size: unknown };
  readonly login?: { readonly size: unknown };
  readonly partitions: readonly PartitionInput[];
  readonly sharedStorage?: {
    readonly homeGiB?: number;
    readonly softwareGiB?: number;
    readonly kind?: "nfs" | "manila";
    readonly protocol?: "NFS" | "CEPHFS";
  };
  readonly users?: ReadonlyArray<{ readonly name: string; readonly publicKey: string | readonly string[]; readonly uid?: number }>;
  readonly accounting?: boolean;
  readonly cidr?: string;
  readonly image: string;
  readonly adminUser: string;
  /** The cloud's default quota, for the full-scale warning. */
  readonly quota?: { readonly cores: number; readonly memoryGiB: number };
}

export type PlanResult =
  | { readonly ok: true; readonly plan: SlurmClusterPlan; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly issues: ReadonlyArray<Pick<Issue, "code" | "message">>; readonly warnings: readonly string[] };

export const ADDRESS_BLOCK = 1024;
export const MAX_NODES_PER_PARTITION = 1000;
export const DEFAULT_CIDR = "10.42.0.0/16";
/** slurm.conf(5): ClusterName is at most 40 characters (MySQL table names are built from it). */
export const MAX_CLUSTER_NAME_LENGTH = 40;
export const DEFAULT_IDLE_MINUTES = 10;
export const MAX_IDLE_MINUTES = 7 * 24 * 60;
export const DEFAULT_HOME_GIB = 100;
export const DEFAULT_SOFTWARE_GIB = 50;
export const MAX_SHARE_GIB = 10240;
/** Seconds for an elastic node to boot, run cloud-init (packages, NFS, munge) and register. */
export const RESUME_TIMEOUT_SECONDS = 1200;
export const SUSPEND_TIMEOUT_SECONDS = 300;
/**
 * A user's UID when none is given: from the name alone, so adding or removing another user
 * renumbers nobody on a running cluster (homes and files keep their owner).
 */
const UID_BASE = 100_000;
const UID_SPAN = 1_000_000_000;
export function defaultUid(name: string): number {
  return UID_BASE + (createHash("sha256").update(name).digest().readUInt32BE(0) % UID_SPAN);
}
const PARTITION_NAME = /^[a-z][a-z0-9_]{0,19}$/;
const USER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/** Accounts the images and packages own: a cluster user may not take one. */
const SYSTEM_ACCOUNTS = [
  "root",
  "daemon",
  "bin",
  "sys",
  "sync",
  "games",
  "man",
  "lp",
  "mail",
  "news",
  "uucp",
  "proxy",
  "www-data",
  "backup",
  "list",
  "irc",
  "nobody",
  "systemd-network",
  "systemd-resolve",
  "messagebus",
  "syslog",
  "sshd",
  "slurm",
  "munge",
  "mysql",
  "statd",
  "_apt",
  "ubuntu",
  "rocky",
  "almalinux",
  "debian",
  "admin",
];

/**
 * Memory Slurm may schedule on a node, in MiB: the flavor's memory less 5% and 512 MiB for the
 * kernel (a VM sees less than its flavor's memory) and the node's own services (slurmd, munge,
 * the NFS client), rounded down to 64 MiB. A node reporting less than its RealMemory is drained
 * by Slurm, so the reserve errs on the generous side.
 */
export function realMemoryMiB(flavor: Flavor): number {
  const total = flavor.memoryGiB * 1024;
  const usable = total - Math.ceil(total * 0.05) - 512;
  return Math.max(0, Math.floor(usable / 64) * 64);
}

/** GPUs Slurm sees on a node of this flavor: a fraction of a GPU (a vGPU slice) is one device. */
export function gpusPerNode(flavor: Flavor): number {
  return flavor.gpu > 0 ? Math.max(1, Math.floor(flavor.gpu)) : 0;
}

const isWhole = (n: unknown, min: number, max: number): n is number => typeof n === "number" && Number.isInteger(n) && n >= min && n <= max;

/** What every step of the plan reads, and where it reports a problem. */
interface Step {
  readonly input: ClusterInput;
  add(code: string, message: string): void;
}

/**
 * The plan, step by step: the cluster's name, the subnet, the controller and login hosts, the
 * partitions, shared storage and users, each problem reported at once; then the full-scale
 * warnings of a valid plan.
 */
export function planCluster(input: ClusterInput): PlanResult {
  const issues: Array<Pick<Issue, "code" | "message">> = [];
  const step: Step = { input, add: (code, message) => issues.push({ code, message }) };
  const base = `${input.stackName}-${input.id}`;
  const clusterName = clusterNameOf(base, step);
  const { cidr, blocks } = planSubnet(step);
  const { controller, login } = planHosts(base, cidr, step);
  const partitions = planPartitions(cidr, blocks, step);
  const sharedStorage = planSharedStorage(step);
  const users = planUsers(step);
  if (issues.length > 0 || !controller || (input.login && !login)) return { ok: false, issues, warnings: [] };

  const plan: SlurmClusterPlan = {
    clusterName,
    baseName: base,
    stackName: input.stackName,
    cidr: cidr!.text,
    controller,
    ...(login ? { login } : {}),
    partitions,
    accounting: input.accounting ?? false,
    sharedStorage,
    users,
    adminUser: input.adminUser,
    image: input.image,
    resumeTimeoutSeconds: RESUME_TIMEOUT_SECONDS,
    suspendTimeoutSeconds: SUSPEND_TIMEOUT_SECONDS,
  };
  return { ok: true, plan, warnings: fullScaleWarnings(plan, input) };
}

/** Slurm's ClusterName: the stack name and construct id, within slurm.conf's limit. */
function clusterNameOf(base: string, { add }: Step): string {
  const clusterName = base.replace(/-/g, "_");
  if (clusterName.length > MAX_CLUSTER_NAME_LENGTH) {
    add(
      "slurm.name-too-long",
      `the Slurm cluster name "${clusterName}" (stack name and construct id) is ${clusterName.length} characters; Slurm allows ${MAX_CLUSTER_NAME_LENGTH} (accounting names database tables after it): shorten the stack name or the construct id`,
    );
  }
  return clusterName;
}

/** The subnet and its blocks of `ADDRESS_BLOCK` addresses (none when the range is not valid). */
function planSubnet({ input, add }: Step): { readonly cidr: Cidr | undefined; readonly blocks: number } {
  let cidr: Cidr | undefined;
  const cidrText = input.cidr ?? DEFAULT_CIDR;
  const parsed = parseCidr(String(cidrText));
  if (!parsed.ok) add("slurm.bad-cidr", `'cidr' "${cidrText}" ${parsed.reason}${parsed.suggestion ? `: did you mean ${parsed.suggestion}?` : ""}`);
  else if (!isPrivateIpv4(parsed.cidr) || parsed.cidr.prefix < 16 || parsed.cidr.prefix > 21) {
    add(
      "slurm.bad-cidr",
      `'cidr' "${cidrText}" must be a private IPv4 range (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) from /16 to /21 (a /21 holds one partition, a /20 three, a /16 sixty-three): e.g. "${DEFAULT_CIDR}"`,
    );
  } else cidr = parsed.cidr;
  const blocks = cidr ? Number(1n << BigInt(32 - cidr.prefix)) / ADDRESS_BLOCK : 0;
  return { cidr, blocks };
}

/** A flavor known by name only (a cloud without a catalog) has no sizes to write into slurm.conf. */
function sized(input: ClusterInput, size: unknown, prop: string): ReturnType<typeof resolveSize> {
  const r = resolveSize(size, input.flavors, input.cloudName, prop);
  if (r.ok && r.flavor.custom) {
    return {
      ok: false,
      message: `'${prop}' "${r.flavor.name}" is known to ${input.cloudName} by name only, and Slurm needs its vCPUs and memory: pass 'flavors' to ${input.cloudName}() (name, vcpus, memoryGiB)`,
    };
  }
  return r;
}

/** The controller (.4 of block 0) and the login node (.5), when asked for. */
function planHosts(base: string, cidr: Cidr | undefined, { input, add }: Step): { readonly controller: SlurmHost | undefined; readonly login: SlurmHost | undefined } {
  const host = (role: string, size: unknown, prop: string, index: number): SlurmHost | undefined => {
    const r = sized(input, size, prop);
    if (!r.ok) {
      add("slurm.bad-size", r.message);
      return undefined;
    }
    const name = `${base}-${role}`;
    if (name.length > MAX_HOSTNAME_LENGTH)
      add("slurm.name-too-long", `the ${role} node's name "${name}" is ${name.length} characters; hostnames allow ${MAX_HOSTNAME_LENGTH}: shorten the stack name or the construct id`);
    return { name, address: cidr ? hostAddress(cidr, index) : "", flavor: r.flavor };
  };
  if (!input.controller || typeof input.controller !== "object") add("slurm.no-controller", "'controller' is required: { size: \"m3.medium\" } (the controller runs slurmctld and serves /home)");
  const controller = input.controller ? host("controller", input.controller.size, "controller.size", 4) : undefined;
  const login = input.login ? host("login", input.login.size, "login.size", 5) : undefined;
  return { controller, login };
}

/** Partitions: the rules across them (some, not too many for the subnet, one default), then each. */
function planPartitions(cidr: Cidr | undefined, blocks: number, step: Step): SlurmPartition[] {
  const { add } = step;
  const partitions: SlurmPartition[] = [];
  const list = Array.isArray(step.input.partitions) ? step.input.partitions : [];
  if (list.length === 0) add("slurm.no-partitions", '\'partitions\' is empty: give at least one, e.g. { name: "cpu", size: "m3.quad", nodes: 2 }');
  if (blocks > 0 && list.length > blocks - 1) {
    add("slurm.too-many-partitions", `'partitions' has ${list.length} partitions; 'cidr' ${cidr!.text} holds ${blocks - 1}: use a larger range (a smaller prefix, e.g. /16 holds 63)`);
  }
  const seen = new Map<string, number>();
  const defaults = list.map((p, i) => (p?.default ? i : -1)).filter((i) => i >= 0);
  if (defaults.length > 1) add("slurm.two-defaults", `${andList(defaults.map((i) => `'partitions[${i}]'`))} are all marked default: Slurm has one default partition, mark one`);
  list.forEach((p, i) => {
    const checked = checkPartition(p, i, seen, step);
    if (!checked) return;
    const partition = partitionOf(p, i, checked, { cidr, blocks, isDefault: defaults.length === 0 ? i === 0 : defaults[0] === i }, step);
    if (partition) partitions.push(partition);
  });
  return partitions;
}

/** A partition's props once checked: its flavor, static nodes, largest node count and idle time. */
interface CheckedPartition {
  readonly flavor: Flavor;
  readonly staticNodes: number;
  readonly max: number;
  readonly idleMinutes: number | undefined;
}

/** Every problem with one partition's props (its name unique among those `seen`); undefined when there is any. */
function checkPartition(p: PartitionInput, i: number, seen: Map<string, number>, { input, add }: Step): CheckedPartition | undefined {
  const at = `partitions[${i}]`;
  let ok = true;
  if (typeof p?.name !== "string" || !PARTITION_NAME.test(p.name)) {
    add("slurm.bad-partition-name", `'${at}.name' ${JSON.stringify(p?.name)} must be lower-case letters, digits and '_', starting with a letter, at most 20 characters`);
    ok = false;
  } else if (seen.has(p.name)) {
    add("slurm.duplicate-partition", `'${at}.name' "${p.name}" is already the name of partitions[${seen.get(p.name)}]: partition names must be unique`);
    ok = false;
  } else seen.set(p.name, i);
  const size = sized(input, p?.size, `${at}.size`);
  if (!size.ok) {
    add("slurm.bad-size", size.message);
    ok = false;
  }
  const staticNodes = p?.nodes ?? 0;
  if (!isWhole(staticNodes, 0, MAX_NODES_PER_PARTITION)) {
    add("slurm.bad-nodes", `'${at}.nodes' must be a whole number from 0 to ${MAX_NODES_PER_PARTITION}, got ${describeValue(p?.nodes)}`);
    ok = false;
  }
  let max = isWhole(staticNodes, 0, MAX_NODES_PER_PARTITION) ? staticNodes : 0;
  let idleMinutes: number | undefined;
  if (p?.elastic !== undefined) {
    const e = p.elastic;
    if (!isWhole(e?.max, 1, MAX_NODES_PER_PARTITION)) {
      add("slurm.bad-elastic-max", `'${at}.elastic.max' must be a whole number from 1 to ${MAX_NODES_PER_PARTITION}, got ${describeValue(e?.max)}`);
      ok = false;
    } else if (isWhole(staticNodes, 0, MAX_NODES_PER_PARTITION) && e.max < staticNodes) {
      add("slurm.elastic-below-static", `'${at}.elastic.max' (${e.max}) must be at least '${at}.nodes' (${staticNodes}): raise elastic.max or lower nodes`);
      ok = false;
    } else max = e.max;
    idleMinutes = e?.idleMinutes ?? DEFAULT_IDLE_MINUTES;
    if (!isWhole(idleMinutes, 1, MAX_IDLE_MINUTES)) {
      add("slurm.bad-idle", `'${at}.elastic.idleMinutes' must be a whole number of minutes from 1 to ${MAX_IDLE_MINUTES}, got ${describeValue(e?.idleMinutes)}`);
      ok = false;
    }
  } else if (isWhole(staticNodes, 0, MAX_NODES_PER_PARTITION) && staticNodes === 0) {
    add("slurm.empty-partition", `'${at}' has no nodes: give 'nodes' (static nodes) or 'elastic: { max }' (nodes created on demand)`);
    ok = false;
  }
  if (p.gpu !== undefined && typeof p.gpu !== "boolean") {
    // A number here is most often meant as the node's GPU, which belongs to its size.
    add(
      "slurm.bad-gpu",
      `'${at}.gpu' ${JSON.stringify(p.gpu)} must be true or false (whether the partition is for GPU jobs); the GPU each node needs goes in its size: size: { vcpus, memoryGiB, gpu: ${typeof p.gpu === "number" ? p.gpu : 1} }, or a GPU flavor's name`,
    );
    ok = false;
  } else if (size.ok) {
    const hasGpu = size.flavor.gpu > 0;
    if (p.gpu === true && !hasGpu) {
      add(
        "slurm.gpu-without-gpu",
        `'${at}.gpu' is true but ${size.flavor.name} has no GPU: use a GPU flavor (${orList(input.flavors.filter((f) => f.gpu > 0 && !f.onRequest).map((f) => f.name)) || "none in this cloud's catalog"}) or drop gpu`,
      );
      ok = false;
    } else if (p.gpu === undefined && !hasGpu && typeof p.name === "string" && /gpu/.test(p.name)) {
      add(
        "slurm.gpu-without-gpu",
        `'${at}' is named "${p.name}" but ${size.flavor.name} has no GPU: use a GPU flavor (${orList(input.flavors.filter((f) => f.gpu > 0 && !f.onRequest).map((f) => f.name)) || "none in this cloud's catalog"}) or set gpu: false`,
      );
      ok = false;
    }
  }
  if (!ok || !size.ok) return undefined;
  return { flavor: size.flavor, staticNodes, max, idleMinutes };
}

/** A checked partition with its nodes, named and addressed in block i + 1; undefined when a name is too long. */
function partitionOf(
  p: PartitionInput,
  i: number,
  { flavor, staticNodes, max, idleMinutes }: CheckedPartition,
  { cidr, blocks, isDefault }: { readonly cidr: Cidr | undefined; readonly blocks: number; readonly isDefault: boolean },
  { input, add }: Step,
): SlurmPartition | undefined {
  const nodeName = (n: number) => `${input.stackName}-${p.name.replace(/_/g, "-")}-${n}`;
  const longest = nodeName(max);
  if (longest.length > MAX_HOSTNAME_LENGTH) {
    add("slurm.name-too-long", `node names like "${longest}" are ${longest.length} characters; hostnames allow ${MAX_HOSTNAME_LENGTH}: shorten the stack or partition name`);
    return undefined;
  }
  const nodes: SlurmNode[] = [];
  if (cidr && i + 1 < blocks) {
    for (let n = 1; n <= max; n++) nodes.push({ name: nodeName(n), address: hostAddress(cidr, (i + 1) * ADDRESS_BLOCK + n), elastic: n > staticNodes });
  }
  return {
    name: p.name,
    flavor,
    isDefault,
    nodes,
    ...(idleMinutes !== undefined && max > staticNodes ? { idleMinutes } : {}),
    cpusPerNode: flavor.vcpus,
    realMemoryMiB: realMemoryMiB(flavor),
    gpusPerNode: gpusPerNode(flavor),
  };
}

/** Shared storage: NFS volumes on the controller or Manila shares, and their sizes. */
function planSharedStorage({ input, add }: Step): SharedStorage {
  const storage = input.sharedStorage ?? {};
  const kind = storage.kind ?? "nfs";
  if (kind !== "nfs" && kind !== "manila") add("slurm.bad-storage-kind", `'sharedStorage.kind' ${JSON.stringify(kind)} must be "nfs" (volumes on the controller) or "manila" (shares)`);
  const protocol = storage.protocol ?? "NFS";
  if (kind === "manila" && protocol !== "NFS" && protocol !== "CEPHFS")
    add("slurm.bad-storage-protocol", `'sharedStorage.protocol' ${JSON.stringify(protocol)} must be "NFS" or "CEPHFS" (Jetstream2's shares are CEPHFS)`);
  if (kind === "nfs" && storage.protocol !== undefined) add("slurm.bad-storage-protocol", `'sharedStorage.protocol' applies to kind "manila" only: drop it or set kind: "manila"`);
  const homeGiB = storage.homeGiB ?? DEFAULT_HOME_GIB;
  const softwareGiB = storage.softwareGiB ?? DEFAULT_SOFTWARE_GIB;
  for (const [prop, v] of [
    ["homeGiB", homeGiB],
    ["softwareGiB", softwareGiB],
  ] as const) {
    if (!isWhole(v, 1, MAX_SHARE_GIB)) add("slurm.bad-storage-size", `'sharedStorage.${prop}' must be a whole number of GiB from 1 to ${MAX_SHARE_GIB}, got ${describeValue(v)}`);
  }
  return kind === "manila" ? { kind: "manila", protocol, homeGiB, softwareGiB } : { kind: "nfs", homeGiB, softwareGiB };
}

/** Users: names free and unique, keys parsed, UIDs given or derived from the name, unique. */
function planUsers({ input, add }: Step): SlurmUser[] {
  const users: SlurmUser[] = [];
  const userNames = new Map<string, number>();
  (input.users ?? []).forEach((u, i) => {
    const at = `users[${i}]`;
    if (typeof u?.name !== "string" || !USER_NAME.test(u.name)) {
      add("slurm.bad-user", `'${at}.name' ${JSON.stringify(u?.name)} must be lower-case letters, digits, '_' and '-', starting with a letter, at most 32 characters`);
      return;
    }
    if (SYSTEM_ACCOUNTS.includes(u.name) || u.name === input.adminUser) {
      add("slurm.reserved-user", `'${at}.name' "${u.name}" is a system or image account: pick another name`);
      return;
    }
    if (userNames.has(u.name)) {
      add("slurm.duplicate-user", `'${at}.name' "${u.name}" is already users[${userNames.get(u.name)}]: user names must be unique`);
      return;
    }
    userNames.set(u.name, i);
    const keys = typeof u.publicKey === "string" ? [u.publicKey] : Array.isArray(u.publicKey) ? u.publicKey : [];
    if (keys.length === 0) add("slurm.user-without-key", `'${at}.publicKey' is missing: give the user's OpenSSH public key (the content of ~/.ssh/id_ed25519.pub)`);
    const lines: string[] = [];
    keys.forEach((k, j) => {
      const parsedKey = parseSshPublicKey(String(k));
      if (parsedKey.ok) lines.push(parsedKey.key.line);
      else add("slurm.bad-user-key", `'${at}.publicKey${keys.length > 1 ? `[${j}]` : ""}' ${parsedKey.reason}`);
    });
    const uid = u.uid ?? defaultUid(u.name);
    if (!Number.isInteger(uid) || uid < 1000 || uid > 2_147_483_647) {
      add("slurm.bad-uid", `'${at}.uid' ${JSON.stringify(u.uid)} must be a whole number from 1000 to 2147483647 (below 1000 are system accounts)`);
      return;
    }
    const taken = users.find((other) => other.uid === uid);
    if (taken) {
      add("slurm.duplicate-uid", `'${at}' "${u.name}" would get UID ${uid}, which "${taken.name}" has: give one of them its own 'uid'`);
      return;
    }
    users.push({ name: u.name, uid, publicKeys: lines });
  });
  return users;
}

/** A warning for each default quota the cluster exceeds at full scale (every elastic node up). */
function fullScaleWarnings(plan: SlurmClusterPlan, input: ClusterInput): string[] {
  const warnings: string[] = [];
  const scale = clusterSummary(plan);
  if (input.quota && scale.fullScale.cores > input.quota.cores) {
    warnings.push(
      `at full scale the cluster uses ${scale.fullScale.cores} cores (${scale.fullScale.breakdown}), more than ${input.cloudName}'s default allocation quota of ${input.quota.cores} cores: lower elastic.max or ask for a quota increase`,
    );
  }
  if (input.quota && scale.fullScale.memoryGiB > input.quota.memoryGiB) {
    warnings.push(
      `at full scale the cluster uses ${scale.fullScale.memoryGiB} GiB of memory, more than ${input.cloudName}'s default allocation quota of ${input.quota.memoryGiB} GiB: lower elastic.max or ask for a quota increase`,
    );
  }
  return warnings;
}

export interface ScaleFigures {
  readonly nodes: number;
  /** Every machine's cores: controller and login included (what the quota and SUs count). */
  readonly cores: number;
  /** The compute nodes' cores: what jobs can use. */
  readonly computeCores: number;
  readonly memoryGiB: number;
  readonly gpus: number;
  readonly suPerHour: number;
  /** "controller 8 + login 2 + cpu 16×4": where the cores come from. */
  readonly breakdown: string;
}

/** What the cluster runs on when idle (elastic nodes deleted) and at full scale. */
export function clusterSummary(plan: SlurmClusterPlan): { idle: ScaleFigures; fullScale: ScaleFigures; line: string } {
  const figures = (full: boolean): ScaleFigures => {
    const hosts = [plan.controller, ...(plan.login ? [plan.login] : [])];
    const parts: string[] = hosts.map((h) => `${h === plan.controller ? "controller" : "login"} ${h.flavor.vcpus}`);
    let cores = hosts.reduce((s, h) => s + h.flavor.vcpus, 0);
    let memoryGiB = hosts.reduce((s, h) => s + h.flavor.memoryGiB, 0);
    let su = hosts.reduce((s, h) => s + h.flavor.suPerHour, 0);
    let nodes = 0;
    let gpus = 0;
    let computeCores = 0;
    for (const p of plan.partitions) {
      const count = full ? p.nodes.length : p.nodes.filter((n) => !n.elastic).length;
      if (count === 0) continue;
      nodes += count;
      cores += count * p.flavor.vcpus;
      computeCores += count * p.flavor.vcpus;
      memoryGiB += count * p.flavor.memoryGiB;
      su += count * p.flavor.suPerHour;
      gpus += count * p.gpusPerNode;
      parts.push(`${p.name} ${count}×${p.flavor.vcpus}`);
    }
    return { nodes, cores, computeCores, memoryGiB, gpus, suPerHour: su, breakdown: parts.join(" + ") };
  };
  const idle = figures(false);
  const fullScale = figures(true);
  const partitions = plan.partitions
    .map((p) => {
      const fixed = p.nodes.filter((n) => !n.elastic).length;
      const range = fixed === p.nodes.length ? `${fixed}` : `${fixed}-${p.nodes.length}`;
      return `${p.name}${p.isDefault ? "*" : ""} ${range}×${p.flavor.name}`;
    })
    .join(", ");
  // "4 compute cores" for a cluster without elastic nodes, "4-12" for one that grows.
  const span = (a: number, b: number) => (a === b ? `${a}` : `${a}-${b}`);
  const gpus = fullScale.gpus > 0 ? `, ${span(idle.gpus, fullScale.gpus)} GPU${fullScale.gpus === 1 ? "" : "s"}` : "";
  const nodes = fullScale.nodes === idle.nodes ? `${fullScale.nodes} compute node${fullScale.nodes === 1 ? "" : "s"}` : `up to ${fullScale.nodes} compute nodes`;
  const line = `${plan.clusterName}: ${partitions}; ${span(idle.computeCores, fullScale.computeCores)} compute cores${gpus}, ${nodes}; ${idle.suPerHour} SU/hour idle, ${fullScale.suPerHour} SU/hour at full scale`;
  return { idle, fullScale, line };
}

/** Suggestions for a partition name that does not exist (for messages elsewhere). */
export function nearestPartition(name: string, plan: SlurmClusterPlan): string[] {
  return nearestMatches(
    name,
    plan.partitions.map((p) => p.name),
  );
}
