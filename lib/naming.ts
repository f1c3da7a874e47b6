import { distance } from "fastest-levenshtein";

/**
 * Names of cloud resources: `<stack>-<construct>-<role>`, lower case, so that a person looking
 * at the cloud's console can tell which stack and construct a resource belongs to.
 */

/** A DNS label: what stack names and construct IDs must be, since they end up in hostnames. */
export const NAME_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
/** Hostnames are one DNS label: at most 63 characters. */
export const MAX_HOSTNAME_LENGTH = 63;

/** Lower-cases and replaces anything outside [a-z0-9-] with `-`: a suggestion for a bad name. */
export function suggestName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "")
    .replace(/-{2,}/g, "-");
}

/** Undefined when the name is valid; otherwise what is wrong with it and what to use instead. */
export function checkName(name: string, what: string): string | undefined {
  if (NAME_PATTERN.test(name) && name.length <= MAX_HOSTNAME_LENGTH) return undefined;
  const suggestion = suggestName(name).slice(0, MAX_HOSTNAME_LENGTH);
  const rule = `lower-case letters, digits and '-', starting with a letter, at most ${MAX_HOSTNAME_LENGTH} characters`;
  return `${what} "${name}" is not a valid name (${rule})${suggestion ? `: try "${suggestion}"` : ""}`;
}

/** Joins name parts with `-`, skipping empty ones. */
export function resourceName(...parts: ReadonlyArray<string | undefined>): string {
  return parts.filter((p): p is string => Boolean(p)).join("-");
}

/**
 * Up to `max` candidates closest to `input` (by edit distance, ignoring case), nearest first:
 * only plausible typos, and only those about as close as the closest one.
 */
export function nearestMatches(input: string, candidates: readonly string[], max = 3): string[] {
  const needle = input.toLowerCase();
  const limit = Math.max(2, Math.ceil(needle.length / 3));
  const scored = candidates.map((c) => ({ c, d: distance(needle, c.toLowerCase()) })).sort((a, b) => a.d - b.d || a.c.localeCompare(b.c));
  const best = scored[0]?.d ?? Infinity;
  // A one-letter slip has one obvious fix; otherwise offer those within one edit of the closest.
  const slack = best <= 1 ? 0 : 1;
  return scored
    .filter(({ d }) => d <= Math.min(limit, best + slack))
    .slice(0, max)
    .map(({ c }) => c);
}

/** "a, b and c": a list for messages. */
export function andList(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** "a, b or c": a list for messages. */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
