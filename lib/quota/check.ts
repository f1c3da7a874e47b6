import { QUOTA_ITEMS, type Counts, type Needs, type QuotaItem, type Uncounted } from "./needs.ts";
import type { Quota } from "./profiles.ts";

/** What a project holds now, per item (live: from the cloud's own counters). */
export type Usage = Counts;

/** One item of a quota check. */
export interface QuotaFinding {
  readonly item: QuotaItem;
  /** How reports name the item: "security group rules". */
  readonly label: string;
  /** Offline: the stack's whole need. Live: how much the deploy adds (negative when it frees). */
  readonly need: number;
  /** Live only: what the project holds now, this stack's deployed resources included. */
  readonly inUse?: number;
  /** Negative: unlimited. */
  readonly limit: number;
  readonly over: boolean;
}

export interface QuotaCheck {
  readonly ok: boolean;
  /** Whether the check used the cloud's live usage (`inUse`) or the stack's whole need. */
  readonly live: boolean;
  /** Whose limits were checked (`Quota.name`). */
  readonly quotaName?: string;
  readonly items: readonly QuotaFinding[];
  readonly notCounted: readonly Uncounted[];
  /** Offline: the app's other stacks on the same project, whose needs are counted in too. */
  readonly sharedWith?: readonly string[];
  /** The findings as text (`renderQuotaCheck`). */
  readonly text: string;
}

export const QUOTA_LABELS: Readonly<Record<QuotaItem, string>> = {
  instances: "instances",
  cores: "cores",
  ramMiB: "RAM",
  volumes: "volumes",
  gigabytes: "volume storage",
  floatingIps: "floating IPs",
  networks: "networks",
  subnets: "subnets",
  routers: "routers",
  securityGroups: "security groups",
  securityGroupRules: "security group rules",
  ports: "ports",
};

/**
 * Checks a stack's needs against a quota.
 *
 * Offline (no `inUse`): the stack's whole need must fit the limit. Live (`inUse` read from the
 * cloud, which already holds whatever of this stack is deployed): what the deploy adds must fit
 * what is left, `inUse + increase <= limit`, where `increase` is `needsIncrease(after, before)`;
 * without `increase` the whole need is taken as new. An item the deploy does not grow is never
 * over, even when the project already is.
 *
 * ```ts
 * const check = checkQuota(stackNeeds(config, info), JETSTREAM2_QUOTA_PROFILES.research);
 * if (!check.ok) throw new CheckFailedError("the stack exceeds its quota", check.text.split("\n"));
 * ```
 */
export function checkQuota(need: Needs, quota: Quota, inUse?: Usage, increase?: Counts, sharedWith?: readonly string[]): QuotaCheck {
  const live = inUse !== undefined;
  const items = QUOTA_ITEMS.map((item): QuotaFinding => {
    const limit = quota[item];
    const unlimited = limit < 0;
    if (!live) return { item, label: QUOTA_LABELS[item], need: need[item], limit, over: !unlimited && need[item] > limit };
    const adds = (increase ?? need)[item];
    const used = inUse[item];
    return { item, label: QUOTA_LABELS[item], need: adds, inUse: used, limit, over: !unlimited && adds > 0 && used + adds > limit };
  });
  const partial = { ok: items.every((i) => !i.over), live, ...(quota.name ? { quotaName: quota.name } : {}), items, notCounted: need.notCounted, ...(sharedWith?.length ? { sharedWith } : {}) };
  return { ...partial, text: renderQuotaCheck(partial) };
}

/**
 * The findings as text: one line saying whether the stack fits, then one line per exceeded item
 * (`routers: need 1 more, 1 in use, limit 1`), what to do, and what could not be counted.
 * `all` lists every item, not just the exceeded ones.
 */
export function renderQuotaCheck(check: Omit<QuotaCheck, "text">, options: { readonly all?: boolean } = {}): string {
  const whose = check.quotaName ?? (check.live ? "the project's quota" : "the quota");
  const lines: string[] = [];
  const over = check.items.filter((i) => i.over);
  if (over.length === 0) {
    lines.push(check.live ? `Quota: the deploy fits what is left of ${whose}.` : `Quota: the stack fits ${whose}.`);
  } else {
    lines.push(check.live ? `Quota: the deploy needs more than is left of ${whose}:` : `Quota: the stack needs more than ${whose} allows:`);
  }
  if (check.sharedWith?.length) lines.push(`  (counted with the app's other stacks on this project: ${check.sharedWith.join(", ")}; name each stack's allocation if they go to different ones)`);
  for (const f of options.all ? check.items : over) lines.push(`  ${renderFinding(f, check.live)}${options.all && f.over ? "  (over)" : ""}`);
  if (over.length > 0) {
    if (over.some((f) => f.item === "routers")) {
      lines.push(
        `A Jetstream2 allocation holds one router by default, often its auto_allocated_router: reuse its network with jetstream2({ network: "auto-allocated" }), or ask for a larger router quota.`,
      );
    }
    lines.push("Make the stack smaller, or ask the cloud's operators to raise the quota (Jetstream2: help@jetstream-cloud.org, with a justification).");
  }
  if (check.notCounted.length > 0) {
    lines.push("Not counted:");
    for (const u of check.notCounted) lines.push(`  ${u.construct ?? u.address}: ${u.what}, because ${u.reason}`);
  }
  return lines.join("\n");
}

function renderFinding(f: QuotaFinding, live: boolean): string {
  const limit = f.limit < 0 ? "unlimited" : amount(f.item, f.limit);
  if (!live) return `${f.label}: need ${amount(f.item, f.need)}, limit ${limit}`;
  const change = f.need >= 0 ? `need ${amount(f.item, f.need)} more` : `frees ${amount(f.item, -f.need)}`;
  return `${f.label}: ${change}, ${amount(f.item, f.inUse ?? 0)} in use, limit ${limit}`;
}

/** RAM is shown in GiB (it is counted in MiB), volume storage in GB; the rest are counts. */
function amount(item: QuotaItem, n: number): string {
  if (item === "ramMiB") {
    const gib = n / 1024;
    return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
  }
  if (item === "gigabytes") return `${n} GB`;
  return String(n);
}
