import { diff } from "../vendor.ts";
import type { AttributeChange, PlanValue } from "./model.ts";

/**
 * Comparing resource bodies attribute by attribute. Objects and lists are walked down to their
 * leaves, so a change reads `metadata.owner: "a" → "b"` rather than a whole map twice.
 */

export const ABSENT: PlanValue = { kind: "absent" };
export const UNKNOWN: PlanValue = { kind: "unknown" };
export const SENSITIVE: PlanValue = { kind: "sensitive" };
export const known = (value: unknown): PlanValue => (value === undefined || value === null ? ABSENT : { kind: "known", value });

/** Text long enough, or spanning lines, to be shown as a line diff. */
const LONG_TEXT = 120;

export function isLongText(v: unknown): v is string {
  return typeof v === "string" && (v.length > LONG_TEXT || v.includes("\n"));
}

export function textDiff(path: string, before: string, after: string): string {
  const patch = diff().createTwoFilesPatch(`${path} (before)`, `${path} (after)`, before, after, undefined, undefined, { context: 2 });
  // Drop the "====" banner line; keep the ---/+++ headers and hunks.
  return patch
    .split("\n")
    .filter((l) => !/^=+$/.test(l))
    .join("\n")
    .trimEnd();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Terraform treats an absent argument and null the same.
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined && a[k] !== null);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined && b[k] !== null);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Marks parallel to a value: `true` at a leaf or for a whole subtree (terraform's *_sensitive, after_unknown). */
export type Marks = boolean | Marks[] | { [k: string]: Marks } | undefined | null;

function markAt(marks: Marks, key: string | number): Marks {
  if (marks === true) return true;
  if (Array.isArray(marks)) return typeof key === "number" ? marks[key] : undefined;
  if (marks && typeof marks === "object") return (marks as Record<string, Marks>)[String(key)];
  return undefined;
}

export interface CompareOptions {
  readonly beforeSensitive?: Marks;
  readonly afterSensitive?: Marks;
  readonly afterUnknown?: Marks;
  /** Is the change at this path one that forces replacement? */
  readonly forcesReplacement?: (path: readonly (string | number)[]) => boolean;
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** The attribute changes between two values (resource bodies), leaves first-level flattened. */
export function compareValues(before: unknown, after: unknown, options: CompareOptions = {}): AttributeChange[] {
  const out: AttributeChange[] = [];
  const walk = (bIn: unknown, aIn: unknown, path: (string | number)[], bs: Marks, as: Marks, au: Marks): void => {
    if (au === true) {
      // Known after apply: one line for the whole subtree.
      out.push(change(path, bIn, bs, UNKNOWN));
      return;
    }
    // A new or removed object is walked against an empty one, so its leaves are listed.
    const b = (bIn === undefined || bIn === null) && isObject(aIn) ? {} : bIn;
    const a = (aIn === undefined || aIn === null) && isObject(bIn) && au === undefined ? {} : aIn;
    const bothObjects = isObject(b) && isObject(a);
    const bothLists = Array.isArray(b) && Array.isArray(a);
    if (bothObjects) {
      // Attributes known only after apply are absent from `after`; their marks name them.
      const unknownKeys = au && typeof au === "object" && !Array.isArray(au) ? Object.keys(au).filter((k) => containsMark((au as Record<string, Marks>)[k])) : [];
      const keys = [...new Set([...Object.keys(b), ...Object.keys(a), ...unknownKeys])].sort();
      for (const k of keys) walk(b[k], a[k], [...path, k], markAt(bs, k), markAt(as, k), markAt(au, k));
      return;
    }
    if (bothLists && (b.some((x) => typeof x === "object" && x !== null) || a.some((x) => typeof x === "object" && x !== null))) {
      const n = Math.max(b.length, a.length);
      for (let i = 0; i < n; i++) walk(b[i], a[i], [...path, i], markAt(bs, i), markAt(as, i), markAt(au, i));
      return;
    }
    const sensitive = bs === true || as === true;
    if (deepEqual(b, a) && !containsMark(au)) return;
    if (sensitive) {
      out.push({
        path: formatPath(path),
        before: b === undefined || b === null ? known(b) : SENSITIVE,
        after: a === undefined || a === null ? known(a) : SENSITIVE,
        forcesReplacement: options.forcesReplacement?.(path) ?? false,
      });
      return;
    }
    out.push(change(path, b, bs, known(a)));
  };
  const change = (path: (string | number)[], b: unknown, bs: Marks, after: PlanValue): AttributeChange => {
    const before = bs === true && b !== undefined && b !== null ? SENSITIVE : known(b);
    const p = formatPath(path);
    const long = before.kind === "known" && after.kind === "known" && (isLongText(before.value) || isLongText(after.value));
    return {
      path: p,
      before,
      after,
      forcesReplacement: options.forcesReplacement?.(path) ?? false,
      ...(long ? { textDiff: textDiff(p, String((before as { value: unknown }).value ?? ""), String((after as { value: unknown }).value ?? "")) } : {}),
    };
  };
  walk(before, after, [], options.beforeSensitive, options.afterSensitive, options.afterUnknown);
  return out;
}

function containsMark(m: Marks): boolean {
  if (m === true) return true;
  if (Array.isArray(m)) return m.some(containsMark);
  if (m && typeof m === "object") return Object.values(m).some(containsMark);
  return false;
}

/** Renders a plan value for people: JSON for known values, words for the others. */
export function showValue(v: PlanValue, max = 80): string {
  switch (v.kind) {
    case "absent":
      return "(none)";
    case "unknown":
      return "(known after apply)";
    case "sensitive":
      return "(sensitive)";
    case "known": {
      const text = JSON.stringify(v.value);
      return text.length > max ? `${text.slice(0, max - 1)}…` : text;
    }
  }
}
