import type { Flavor } from "../catalog/flavors.ts";

/**
 * The vocabulary of quota counting: the items drover checks, a stack's needs, and what a cloud's
 * counter (lib/clouds/<cloud>/quota.ts) is given for one resource block.
 */

type Json = Record<string, unknown>;

/** The quota items drover checks, in the order reports list them. */
export const QUOTA_ITEMS = ["instances", "cores", "ramMiB", "volumes", "gigabytes", "floatingIps", "networks", "subnets", "routers", "securityGroups", "securityGroupRules", "ports"] as const;
export type QuotaItem = (typeof QUOTA_ITEMS)[number];

/** One number per quota item. */
export type Counts = { readonly [K in QuotaItem]: number };

/** Something in the stack whose share of the quota drover could not count. */
export interface Uncounted {
  /** Terraform address (`<type>.box`) or `elastic:<construct>`. */
  readonly address: string;
  /** The construct path, when the synthesis records it (`dev-vm/box`). */
  readonly construct?: string;
  /** What is missing from the totals: "cores and RAM", "volume gigabytes". */
  readonly what: string;
  readonly reason: string;
}

/** A stack's needs: the totals, and what could not be counted. */
export interface Needs extends Counts {
  readonly notCounted: readonly Uncounted[];
}

/** A counter for one resource type: adds one block's share of the quota to `tally`. */
export type QuotaCounter = (input: CountInput) => void;

export interface CountInput {
  readonly body: Json;
  /** How many of the resource there are (`count` or `for_each`). */
  readonly times: number;
  readonly tally: { -readonly [K in QuotaItem]: number };
  readonly skip: (what: string, reason: string) => void;
  readonly flavorOf: (name: string) => Flavor | undefined;
}

export const simple =
  (...items: QuotaItem[]) =>
  ({ times, tally }: CountInput) => {
    for (const item of items) tally[item] += times;
  };

/** A nested block in Terraform JSON: one object or a list of them. */
export function blocks(value: unknown): Json[] {
  if (Array.isArray(value)) return value.filter((v): v is Json => typeof v === "object" && v !== null);
  return typeof value === "object" && value !== null ? [value as Json] : [];
}

export function isLiteralString(value: unknown): value is string {
  return typeof value === "string" && !value.includes("${");
}

export function literalNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

export function show(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

export function describeUnknown(field: string, value: unknown): string {
  if (value === undefined) return `${field} is not set`;
  return typeof value === "string" && value.includes("${") ? `${field} is an expression known only at apply (${value})` : `${field} is not a number drover can read (${show(value)})`;
}

export function unknownFlavor(name: string): string {
  return `flavor "${name}" is not in drover's flavor catalog`;
}
