import { MACHINE_TYPES } from "../clouds/index.ts";
/**
 * The plan model: one shape for what would change in a stack, whether it came from diffing two
 * syntheses offline or from `terraform show -json`. `drover plan --json` prints it as is, so its
 * shape is a contract: `format` changes when a field changes meaning.
 */
export const PLAN_FORMAT = "drover-plan/1";

export type Action = "create" | "update" | "replace" | "delete" | "read" | "no-op" | "forget";

/** A value in the plan. Sensitive values are never carried, only marked. */
export type PlanValue = { readonly kind: "absent" } | { readonly kind: "known"; readonly value: unknown } | { readonly kind: "unknown" } | { readonly kind: "sensitive" };

export interface AttributeChange {
  /** Path inside the resource: `metadata.owner`, `network[0].port`. */
  readonly path: string;
  readonly before: PlanValue;
  readonly after: PlanValue;
  /** This change makes the provider replace the resource. */
  readonly forcesReplacement: boolean;
  /** For long text values (user data, scripts): a unified diff of the lines. */
  readonly textDiff?: string;
}

export interface ResourceChange {
  /** Terraform address: `<type>.box_4589`, `data.x.y`, `<type>.a[0]`. */
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  /** Construct path from the `//` metadata cdktf writes (`dev-vm/box/Resource`). */
  readonly constructPath?: string;
  /** The top-level construct the resource belongs to (`dev-vm/box`), for grouping. */
  readonly construct: string;
  readonly action: Action;
  /** Offline: the schema cannot tell whether this update replaces the resource. */
  readonly mayReplace?: boolean;
  /** Why it is replaced or deleted, in words. */
  readonly reason?: string;
  readonly changes: readonly AttributeChange[];
  /** The resource holds data (a volume, share, object container, or marked stateful). */
  readonly stateful: boolean;
  /** Deleting or replacing it loses data. */
  readonly destructive: boolean;
}

export interface OutputChange {
  readonly name: string;
  readonly action: Action;
  readonly before: PlanValue;
  readonly after: PlanValue;
}

export interface PlanSummary {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
  readonly read: number;
  readonly noop: number;
  readonly forget: number;
  /** Resources deleted or replaced that hold data. */
  readonly destructive: number;
  /** Per top-level construct: counts of its changed resources by action. */
  readonly byConstruct: Readonly<Record<string, Partial<Record<Action, number>>>>;
}

export interface Plan {
  readonly format: typeof PLAN_FORMAT;
  readonly stack: string;
  /** How it was computed. */
  readonly source: "offline" | "terraform";
  /** What it was compared with (offline): the last deploy, a git ref, or nothing. */
  readonly baseline?: { readonly kind: "deployed" | "git" | "none"; readonly description: string };
  /** Resource changes, no-ops included (renderers hide them). */
  readonly resources: readonly ResourceChange[];
  /** Changes made outside Terraform since the last apply (terraform only). */
  readonly drift: readonly ResourceChange[];
  readonly outputs: readonly OutputChange[];
  readonly summary: PlanSummary;
  readonly hasChanges: boolean;
  /** Terraform's version, when terraform made the plan. */
  readonly terraformVersion?: string;
  /**
   * Destroy-time steps the plan runs (their resource is deleted or replaced), each deleting what
   * the cloud's software created outside Terraform: the construct and what it deletes, in words.
   */
  readonly destroySteps?: ReadonlyArray<{ readonly construct: string; readonly deletes: string }>;
}

export { STATEFUL_TYPES } from "../clouds/index.ts";

/** The top-level construct of a construct path: `dev-vm/box/Volume-data` → `dev-vm/box`. */
export function topConstruct(constructPath: string | undefined, fallback: string): string {
  if (!constructPath) return fallback;
  const parts = constructPath.split("/");
  return parts.slice(0, Math.min(2, parts.length)).join("/");
}

export function isDestructive(action: Action, stateful: boolean): boolean {
  return stateful && (action === "delete" || action === "replace");
}

/**
 * A replacement's reason as a person reads it: for a machine, that it is rebuilt (its disk,
 * everything done on it since it booted, and its jobs or sessions are lost), then why.
 */
export function replacementReason(type: string, reason: string | undefined, loses?: string): string | undefined {
  if (!MACHINE_TYPES.has(type)) return reason;
  const lost = loses ? `; a new machine starts without ${loses}` : "";
  return reason ? `rebuilds the machine: ${reason}${lost}` : `rebuilds the machine${lost}`;
}

export function summarize(resources: readonly ResourceChange[]): PlanSummary {
  const counts = { create: 0, update: 0, replace: 0, delete: 0, read: 0, noop: 0, forget: 0, destructive: 0 };
  const byConstruct: Record<string, Partial<Record<Action, number>>> = {};
  for (const r of resources) {
    if (r.action === "no-op") counts.noop++;
    else counts[r.action]++;
    if (r.destructive) counts.destructive++;
    if (r.action === "no-op") continue;
    const group = (byConstruct[r.construct] ??= {});
    group[r.action] = (group[r.action] ?? 0) + 1;
  }
  return { ...counts, byConstruct };
}

export function hasChanges(resources: readonly ResourceChange[], outputs: readonly OutputChange[]): boolean {
  return resources.some((r) => r.action !== "no-op" && r.action !== "read") || outputs.some((o) => o.action !== "no-op");
}
