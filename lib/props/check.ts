import type { z as Z } from "zod";
import { nearestMatches, orList } from "../naming.ts";

/**
 * The first layer of every construct's checks: the props' shape (types, known keys, numbers that
 * are numbers), against one zod schema per construct (lib/props/schemas.ts). Every problem comes
 * back at once, each naming the prop path, the value received, what is allowed and the fix, in
 * the props' own words, so a wrong type never reaches drover's internals as a JavaScript error.
 * The constructs' own rules across props run once the shape is right.
 */
export interface ShapeIssue {
  readonly code: string;
  readonly message: string;
}

/** A value as a message shows it: NaN and Infinity by name, text quoted and cut, functions and classes by kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return String(value);
  if (typeof value === "string") return quote(value);
  if (value === null || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return cut(`[${value.map(describeValue).join(", ")}]`);
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  if (proto && proto !== Object.prototype && proto.constructor?.name) return `a ${proto.constructor.name}`;
  return cut(
    `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${describeValue(v)}`)
      .join(", ")} }`,
  );
}

/** Text in double quotes, control characters escaped (a message never writes them raw), long text cut. */
export function quote(text: string): string {
  return cut(JSON.stringify(text));
}

function cut(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Checks `input` against `schema`; `prefix` starts the issue codes ("vm" gives "vm.bad-prop",
 * "vm.unknown-prop"). Empty when the shape is right.
 */
export function checkShape(schema: Z.ZodType, input: unknown, prefix: string): ShapeIssue[] {
  const r = schema.safeParse(input);
  if (r.success) return [];
  const out: ShapeIssue[] = [];
  for (const issue of r.error.issues) formatIssue(schema, input, issue, prefix, out);
  // A union reports each branch's problems; the same line twice says nothing new.
  return out.filter((i, n) => out.findIndex((j) => j.message === i.message) === n);
}

type Issue = Z.core.$ZodIssue;

function formatIssue(schema: Z.ZodType, input: unknown, issue: Issue, prefix: string, out: ShapeIssue[]): void {
  const path = issue.path.map(String);
  const name = path.length ? `'${pathText(issue.path)}'` : "the props";
  if (issue.code === "unrecognized_keys") {
    const known = keysAt(schema, issue.path, input);
    for (const key of issue.keys) {
      const near = nearestMatches(key, known);
      out.push({
        code: `${prefix}.unknown-prop`,
        message:
          `${path.length ? `${name} has` : "the props have"} an unknown key '${key}'` +
          (near.length ? `: did you mean ${orList(near.map((k) => `'${k}'`))}?` : `: check the spelling`) +
          (known.length ? ` Known: ${known.join(", ")}.` : ""),
      });
    }
    return;
  }
  if (issue.code === "invalid_union") {
    // Report the branch that fits the value's kind (an object for an object), or the first.
    const value = valueAt(input, issue.path);
    const branches = issue.errors.filter((b) => b.length > 0);
    const kindFits = branches.find((b) => !b.some((i) => i.code === "invalid_type" && i.path.length === 0));
    if (kindFits && typeof value === "object" && value !== null) {
      for (const inner of kindFits) formatIssue(schema, input, { ...inner, path: [...issue.path, ...inner.path] } as Issue, prefix, out);
      return;
    }
  }
  const value = valueAt(input, issue.path);
  const got = value === undefined ? "is required:" : `${describeValue(value)}:`;
  const message = issue.message.startsWith("Invalid input") || issue.message.startsWith("Invalid option") ? fallbackMessage(issue) : issue.message;
  out.push({ code: `${prefix}.bad-prop`, message: `${name} ${got} ${message}` });
}

function fallbackMessage(issue: Issue): string {
  if (issue.code === "invalid_type") return `must be ${issue.expected === "array" ? "a list" : issue.expected === "object" ? "an object" : `a ${issue.expected}`}`;
  if (issue.code === "invalid_value") return `must be ${orList(issue.values.map((v) => JSON.stringify(v)))}`;
  return issue.message;
}

/** `volumes[0].name`: a prop path as a person writes it. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

type Def = { type: string; innerType?: Z.ZodType; element?: Z.ZodType; options?: Z.ZodType[]; valueType?: Z.ZodType; in?: Z.ZodType; out?: Z.ZodType; shape?: Record<string, Z.ZodType> };

/**
 * The keys the schema knows for the object at `path` (through optional, arrays, unions). Given
 * the input, a union whose options tell themselves apart by a literal (`type: "s3"`, `kind:
 * "github"`) gives the keys of the option the input names.
 */
export function keysAt(schema: Z.ZodType, path: readonly PropertyKey[], input?: unknown): string[] {
  const found = new Set<string>();
  const literalOf = (s: Z.ZodType | undefined): unknown => {
    const d = (s as unknown as { _zod?: { def: { type: string; values?: unknown[] } } } | undefined)?._zod?.def;
    return d?.type === "literal" ? d.values?.[0] : undefined;
  };
  const fitting = (options: Z.ZodType[], value: unknown): Z.ZodType[] => {
    if (value === null || typeof value !== "object") return options;
    for (const tag of ["type", "kind"]) {
      const wanted = (value as Record<string, unknown>)[tag];
      const match = options.filter((o) => literalOf((o as unknown as { _zod: { def: Def } })._zod.def.shape?.[tag]) === wanted);
      if (wanted !== undefined && match.length > 0) return match;
    }
    return options;
  };
  const walk = (s: Z.ZodType | undefined, rest: readonly PropertyKey[], value: unknown): void => {
    if (!s) return;
    const def = (s as unknown as { _zod: { def: Def } })._zod.def;
    const at = (v: unknown, k: PropertyKey) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined);
    switch (def.type) {
      case "optional":
      case "nullable":
      case "default":
      case "prefault":
      case "readonly":
      case "nonoptional":
        return walk(def.innerType, rest, value);
      case "pipe":
        return walk(def.in, rest, value);
      case "union":
        for (const o of fitting(def.options ?? [], value)) walk(o, rest, value);
        return;
      case "array":
        return typeof rest[0] === "number" ? walk(def.element, rest.slice(1), at(value, rest[0])) : walk(def.element, rest, value);
      case "record":
        return rest.length ? walk(def.valueType, rest.slice(1), at(value, rest[0]!)) : undefined;
      case "object": {
        const shape = def.shape ?? {};
        if (rest.length === 0) {
          for (const k of Object.keys(shape)) found.add(k);
          return;
        }
        return walk(shape[String(rest[0])], rest.slice(1), at(value, rest[0]!));
      }
    }
  };
  walk(schema, path, input);
  return [...found];
}
