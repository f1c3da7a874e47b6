import type { Flavor } from "../catalog/flavors.ts";
import type { Issue } from "../errors.ts";

/** The shapes the capacity planner (capacity.ts) takes and gives, apart so its message helpers can name them. */

/** The names the planner's messages use for its inputs; the CLI passes its flags instead. */
export type CapacityField =
  | "users"
  | "profile.cpu"
  | "profile.memoryGiB"
  | "profile.cpuLimit"
  | "profile.memoryLimitGiB"
  | "profile.gpus"
  | "nodes.size"
  | "nodes.count"
  | "controlPlane.size"
  | "hours.perDay"
  | "hours.days";

export interface CapacityInput {
  /** Users expected at the same time: a whole number from 1 to `MAX_USERS`. */
  readonly users: number;
  /** What each user's server is guaranteed (and limited to). */
  readonly profile: {
    /** vCPUs guaranteed to each user; fractions allowed (0.5). */
    readonly cpu: number;
    /** Memory guaranteed to each user, GiB; fractions allowed (1.5). */
    readonly memoryGiB: number;
    /** Most vCPUs a user may use. @default - the guarantee */
    readonly cpuLimit?: number;
    /** Most memory a user may use, GiB. @default - the guarantee */
    readonly memoryLimitGiB?: number;
    /** GPUs each user gets; more than 0 picks GPU flavors only. @default 0 */
    readonly gpus?: number;
  };
  /** The cloud: its name (for messages), flavor catalog and default quota (for warnings). */
  readonly cloud: {
    readonly name: string;
    readonly flavors: readonly Flavor[];
    readonly quota?: { readonly cores: number; readonly memoryGiB: number };
  };
  /** User nodes. @default - the cheapest flavor, as many nodes as the users need */
  readonly nodes?: {
    /** The user nodes' flavor name. */
    readonly size?: string;
    /** How many user nodes: checked against the users (too few is an error, no headroom a warning). */
    readonly count?: number;
  };
  /** The k3s server's flavor name. @default - the cheapest flavor with `CONTROL_PLANE` */
  readonly controlPlane?: { readonly size?: string };
  /** Hours the cluster runs, for the SU total. Days alone mean 24 hours a day; hours alone, one day. */
  readonly hours?: { readonly perDay?: number; readonly days?: number };
  /** Names for the inputs in messages, e.g. `{ users: "--users" }`. @default - the field paths */
  readonly fieldNames?: Partial<Record<CapacityField, string>>;
}

export type LimitedBy = "cpu" | "memory" | "gpu";

/** What one user node of a flavor offers users, and how many it holds. */
export interface NodeFit {
  readonly flavor: Flavor;
  /** Kept for the system on each node. */
  readonly reserve: { readonly cpu: number; readonly memoryGiB: number };
  /** Left for users: the flavor less the reserve. */
  readonly allocatable: { readonly cpu: number; readonly memoryGiB: number; readonly gpus: number };
  readonly usersPerNode: number;
  /** The resource that runs out first (on a tie: gpu, then cpu, then memory). */
  readonly limitedBy: LimitedBy;
}

export interface CapacityPlan {
  /** Users expected at the same time. */
  readonly users: number;
  /** Extra users planned for: `HEADROOM_PERCENT` of users, rounded up. */
  readonly headroomUsers: number;
  /** users + headroomUsers: what the user nodes are sized to hold. */
  readonly seats: number;
  /** The guarantees as Kubernetes counts them (rounded up to millicores and MiB), and the limits. */
  readonly profile: { readonly cpu: number; readonly memoryGiB: number; readonly cpuLimit: number; readonly memoryLimitGiB: number; readonly gpus: number };
  readonly userNodes: NodeFit & {
    readonly count: number;
    /** count × usersPerNode. */
    readonly capacity: number;
    /** SU per hour of all user nodes. */
    readonly suPerHour: number;
    /** Whether the flavor was named (`given`) or chosen here (`cheapest`). */
    readonly flavorFrom: "given" | "cheapest";
    readonly countFrom: "given" | "needed";
  };
  readonly controlPlane: { readonly flavor: Flavor; readonly count: 1; readonly suPerHour: number; readonly flavorFrom: "given" | "cheapest" };
  /** All nodes, the control plane included. */
  readonly suPerHour: number;
  readonly totals: { readonly nodes: number; readonly cores: number; readonly memoryGiB: number; readonly gpus: number };
  /** When hours were given: SU for the whole period. */
  readonly period?: { readonly hoursPerDay: number; readonly days: number; readonly hours: number; readonly su: number };
  /** Other flavors that would do, cheapest first (up to 3), when the flavor was chosen here. */
  readonly alternatives: ReadonlyArray<{ readonly flavor: string; readonly count: number; readonly suPerHour: number }>;
  /** One line: "5 × m3.xl for 127 users (31 per node) + m3.small control plane: 162 SU/hour". */
  readonly summary: string;
  /** The arithmetic, a line per step, for a person to check. */
  readonly breakdown: readonly string[];
}

export type CapacityIssue = Pick<Issue, "code" | "message">;

export type CapacityResult =
  | { readonly ok: true; readonly plan: CapacityPlan; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly issues: readonly CapacityIssue[]; readonly warnings: readonly string[] };
