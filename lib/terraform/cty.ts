/**
 * Terraform's value types (cty) as far as reading a saved plan needs them: the type of a
 * resource from its provider schema, values decoded from their msgpack form, and the marks
 * (unknown, sensitive) that `terraform show -json` would print beside them.
 *
 * Facts this relies on, from Terraform's and go-cty's documented encodings: a type is written in
 * JSON as "string" | "number" | "bool" | "dynamic" | ["list"|"set"|"map", T] |
 * ["object", {name: T}, optional?] | ["tuple", [T...]]; a msgpack value is nil for null, any
 * extension value for unknown, an array for lists, sets and tuples, a map for maps and objects;
 * a number is an integer, a float, or (when neither is exact) a decimal string; a value whose
 * static type is "dynamic" is wrapped as [type as JSON bytes, value].
 */

export type CtyType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | readonly ["list" | "set" | "map", CtyType]
  | readonly ["object", Readonly<Record<string, CtyType>>, ReadonlyArray<string>?]
  | readonly ["tuple", ReadonlyArray<CtyType>];

/** A provider schema's block, as `terraform providers schema -json` prints it (only what is read here). */
export interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
  readonly block_types?: Readonly<Record<string, SchemaBlockType>>;
}
export interface SchemaAttribute {
  readonly type?: CtyType;
  readonly nested_type?: SchemaNestedType;
  readonly sensitive?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
}
export interface SchemaNestedType {
  readonly attributes: Readonly<Record<string, SchemaAttribute>>;
  readonly nesting_mode: "single" | "list" | "set" | "map";
}
export interface SchemaBlockType {
  readonly nesting_mode: "single" | "group" | "list" | "set" | "map";
  readonly block: SchemaBlock;
}

/** A value not known until apply. */
export const UNKNOWN_VALUE: unique symbol = Symbol("unknown");

export function isUnknown(v: unknown): v is typeof UNKNOWN_VALUE {
  return v === UNKNOWN_VALUE;
}

const PRIMITIVES = new Set(["string", "number", "bool", "dynamic"]);

/** Checks a type read from JSON (a dynamic value's wrapper, a schema attribute). */
export function parseType(raw: unknown): CtyType {
  if (typeof raw === "string" && PRIMITIVES.has(raw)) return raw as CtyType;
  if (Array.isArray(raw)) {
    const [kind, inner] = raw as [unknown, unknown];
    if ((kind === "list" || kind === "set" || kind === "map") && raw.length === 2) return [kind, parseType(inner)];
    if (kind === "tuple" && Array.isArray(inner)) return ["tuple", inner.map(parseType)];
    if (kind === "object" && inner && typeof inner === "object" && !Array.isArray(inner)) {
      const attrs: Record<string, CtyType> = {};
      for (const [k, t] of Object.entries(inner)) attrs[k] = parseType(t);
      return ["object", attrs];
    }
  }
  throw new Error(`not a Terraform type: ${JSON.stringify(raw)}`);
}

export function hasDynamicTypes(t: CtyType): boolean {
  if (t === "dynamic") return true;
  if (typeof t === "string") return false;
  switch (t[0]) {
    case "list":
    case "set":
    case "map":
      return hasDynamicTypes(t[1]);
    case "object":
      return Object.values(t[1]).some(hasDynamicTypes);
    case "tuple":
      return t[1].some(hasDynamicTypes);
  }
}

function nestedObjectType(n: SchemaNestedType): CtyType {
  const obj: CtyType = ["object", attributeTypes(n.attributes)];
  return n.nesting_mode === "single" ? obj : [n.nesting_mode, obj];
}

function attributeTypes(attributes: Readonly<Record<string, SchemaAttribute>> | undefined): Record<string, CtyType> {
  const out: Record<string, CtyType> = {};
  for (const [name, a] of Object.entries(attributes ?? {})) {
    if (a.nested_type) out[name] = nestedObjectType(a.nested_type);
    else if (a.type !== undefined) out[name] = parseType(a.type);
  }
  return out;
}

/**
 * The object type a block decodes to (Terraform's "implied type"): attributes as declared;
 * nested blocks as an object (single, group), list, set or map of objects, where a list or map
 * of blocks with dynamically typed attributes inside is itself dynamic (a tuple or object whose
 * shape each value carries).
 */
export function impliedType(block: SchemaBlock): CtyType {
  const attrs = attributeTypes(block.attributes);
  for (const [name, bt] of Object.entries(block.block_types ?? {})) {
    if (name in attrs) continue;
    const inner = impliedType(bt.block);
    switch (bt.nesting_mode) {
      case "single":
      case "group":
        attrs[name] = inner;
        break;
      case "list":
      case "map":
        attrs[name] = hasDynamicTypes(inner) ? "dynamic" : [bt.nesting_mode, inner];
        break;
      case "set":
        attrs[name] = ["set", inner];
        break;
    }
  }
  return ["object", attrs];
}

/** Whether a msgpack-decoded item is an extension value (cty's unknown). */
type IsExtension = (raw: unknown) => boolean;

/**
 * A msgpack-decoded value, typed: nulls stay null, unknowns become UNKNOWN_VALUE, dynamic
 * wrappers are unwrapped, numbers become numbers.
 */
export function decodeValue(raw: unknown, type: CtyType, isExtension: IsExtension): unknown {
  if (isExtension(raw)) return UNKNOWN_VALUE;
  if (raw === null || raw === undefined) return null;
  if (type === "dynamic") {
    if (!Array.isArray(raw) || raw.length !== 2 || !(raw[0] instanceof Uint8Array)) throw new Error("a dynamic value is not wrapped with its type");
    const inner = parseType(JSON.parse(new TextDecoder().decode(raw[0])));
    return decodeValue(raw[1], inner, isExtension);
  }
  if (typeof type === "string") {
    switch (type) {
      case "string":
        if (typeof raw !== "string") throw new Error(`expected a string, found ${typeof raw}`);
        return raw;
      case "bool":
        if (typeof raw !== "boolean") throw new Error(`expected a bool, found ${typeof raw}`);
        return raw;
      case "number":
        if (typeof raw === "number") return raw;
        if (typeof raw === "bigint") return Number(raw);
        if (typeof raw === "string" && raw.trim() !== "" && Number.isFinite(Number(raw))) return Number(raw);
        throw new Error(`expected a number, found ${JSON.stringify(raw)}`);
    }
  }
  const [kind, inner] = type as Exclude<CtyType, string>;
  switch (kind) {
    case "list":
    case "set":
      if (!Array.isArray(raw)) throw new Error(`expected a ${kind}`);
      return raw.map((x) => decodeValue(x, inner as CtyType, isExtension));
    case "tuple": {
      const types = inner as ReadonlyArray<CtyType>;
      if (!Array.isArray(raw) || raw.length !== types.length) throw new Error("expected a tuple");
      return raw.map((x, i) => decodeValue(x, types[i]!, isExtension));
    }
    case "map":
    case "object": {
      if (typeof raw !== "object" || Array.isArray(raw) || raw instanceof Uint8Array) throw new Error(`expected a ${kind}`);
      const src = raw as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      if (kind === "map") {
        for (const [k, v] of Object.entries(src)) out[k] = decodeValue(v, inner as CtyType, isExtension);
      } else {
        for (const [k, t] of Object.entries(inner as Record<string, CtyType>)) out[k] = decodeValue(src[k], t, isExtension);
      }
      return out;
    }
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether a decoded value has no unknown anywhere in it. */
export function isWhollyKnown(v: unknown): boolean {
  if (isUnknown(v)) return false;
  if (Array.isArray(v)) return v.every(isWhollyKnown);
  if (isPlainObject(v)) return Object.values(v).every(isWhollyKnown);
  return true;
}

/** The value with its unknowns left out (object keys dropped, list elements null), as `show -json` prints `after`. */
export function omitUnknowns(v: unknown): unknown {
  if (isUnknown(v)) return undefined;
  if (Array.isArray(v)) return v.map((x) => (isUnknown(x) ? null : omitUnknowns(x)));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!isUnknown(x)) out[k] = omitUnknowns(x);
    return out;
  }
  return v;
}

/** `true` where the value is unknown, as `show -json` prints `after_unknown`. */
export function unknownMarks(v: unknown): unknown {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.map(unknownMarks);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const m = unknownMarks(x);
      if (m !== false && !(Array.isArray(m) && m.length === 0) && !(isPlainObject(m) && Object.keys(m).length === 0)) out[k] = m;
    }
    return out;
  }
  return false;
}

/** One step of a path into a value: an attribute name or an element key. */
export type PathStep = { readonly attr: string } | { readonly key: string | number };

/**
 * Paths the schema declares sensitive in a value: every sensitive attribute, also inside nested
 * attributes and blocks (each element of a list, set or map of them).
 */
export function schemaSensitivePaths(block: SchemaBlock, value: unknown, base: PathStep[] = []): PathStep[][] {
  const out: PathStep[][] = [];
  if (!isPlainObject(value)) return out;
  for (const [name, a] of Object.entries(block.attributes ?? {})) {
    const path = [...base, { attr: name }];
    if (a.sensitive) out.push(path);
    else if (a.nested_type && nestedContainsSensitive(a.nested_type)) out.push(...nestedSensitivePaths(a.nested_type, value[name], path));
  }
  for (const [name, bt] of Object.entries(block.block_types ?? {})) {
    if (!blockContainsSensitive(bt.block)) continue;
    const v = value[name];
    const path = [...base, { attr: name }];
    if (bt.nesting_mode === "single" || bt.nesting_mode === "group") out.push(...schemaSensitivePaths(bt.block, v, path));
    else for (const [key, element] of elements(v)) out.push(...schemaSensitivePaths(bt.block, element, [...path, { key }]));
  }
  return out;
}

function elements(v: unknown): Array<[string | number, unknown]> {
  if (Array.isArray(v)) return v.map((x, i) => [i, x]);
  if (isPlainObject(v)) return Object.entries(v);
  return [];
}

function nestedSensitivePaths(n: SchemaNestedType, value: unknown, base: PathStep[]): PathStep[][] {
  if (value === null || value === undefined || isUnknown(value)) return [];
  if (n.nesting_mode === "single") return schemaSensitivePaths({ attributes: n.attributes }, value, base);
  const out: PathStep[][] = [];
  for (const [key, element] of elements(value)) out.push(...schemaSensitivePaths({ attributes: n.attributes }, element, [...base, { key }]));
  return out;
}

function blockContainsSensitive(b: SchemaBlock): boolean {
  return (
    Object.values(b.attributes ?? {}).some((a) => a.sensitive || (a.nested_type && nestedContainsSensitive(a.nested_type))) ||
    Object.values(b.block_types ?? {}).some((bt) => blockContainsSensitive(bt.block))
  );
}

function nestedContainsSensitive(n: SchemaNestedType): boolean {
  return Object.values(n.attributes).some((a) => a.sensitive || (a.nested_type && nestedContainsSensitive(a.nested_type)));
}

/**
 * `true` at each of the paths, as `show -json` prints `before_sensitive`/`after_sensitive`. A
 * mark inside a set element covers the whole set (a set's elements cannot carry marks of their
 * own in Terraform), which errs on the side of hiding.
 */
export function marksFromPaths(value: unknown, type: CtyType, paths: ReadonlyArray<ReadonlyArray<PathStep>>): unknown {
  let marks: unknown = false;
  for (const path of paths) marks = markPath(marks, value, type, path, 0);
  return marks;
}

function markPath(marks: unknown, value: unknown, type: CtyType, path: ReadonlyArray<PathStep>, i: number): unknown {
  if (marks === true) return true;
  if (i === path.length) return true;
  if (value === null || value === undefined || isUnknown(value)) return marks;
  if (type === "dynamic") type = typeOfValue(value);
  if (typeof type === "string") return marks;
  const step = path[i]!;
  const [kind, inner] = type;
  if (kind === "set") return true;
  if (kind === "object" && "attr" in step) {
    const t = (inner as Record<string, CtyType>)[step.attr];
    if (t === undefined) return marks;
    const m = isPlainObject(marks) ? { ...marks } : {};
    m[step.attr] = markPath(m[step.attr] ?? false, (value as Record<string, unknown>)[step.attr], t, path, i + 1);
    return m;
  }
  if (kind === "map" && "key" in step) {
    const key = String(step.key);
    const m = isPlainObject(marks) ? { ...marks } : {};
    m[key] = markPath(m[key] ?? false, (value as Record<string, unknown>)[key], inner as CtyType, path, i + 1);
    return m;
  }
  if ((kind === "list" || kind === "tuple") && "key" in step && typeof step.key === "number" && Array.isArray(value)) {
    const idx = step.key;
    if (idx < 0 || idx >= value.length) return marks;
    const m: unknown[] = Array.isArray(marks) ? [...marks] : value.map(() => false);
    const t = kind === "list" ? (inner as CtyType) : (inner as ReadonlyArray<CtyType>)[idx]!;
    m[idx] = markPath(m[idx] ?? false, value[idx], t, path, i + 1);
    return m;
  }
  return marks;
}

/** A decoded value's shape as a type, for walking values whose static type is dynamic. */
function typeOfValue(v: unknown): CtyType {
  if (Array.isArray(v)) return ["tuple", v.map(typeOfValue)];
  if (isPlainObject(v)) return ["object", Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeOfValue(x)]))];
  return "string";
}
