import { nearestMatches, orList } from "../naming.ts";
import type { LoadedProvider, SchemaBlock, SchemaBlockType, SchemaType } from "./types.ts";

/**
 * Checks synthesized Terraform JSON against provider schemas without terraform or a provider
 * binary: unknown resource types, unknown or missing arguments and blocks, computed-only
 * arguments that were set, literal values of the wrong type, and block counts. Values that are
 * Terraform expressions (`${...}`) are not checked, since only Terraform can evaluate them.
 */

export type Severity = "error" | "warning";

export interface Finding {
  readonly severity: Severity;
  /** Stable identifier, e.g. `schema.unknown-argument`. */
  readonly code: string;
  /** Terraform address: `<type>.box`, `data.<type>.x`, `provider.<name>`. */
  readonly address: string;
  /** Construct path from the `//` metadata cdktf writes, when present. */
  readonly constructPath?: string;
  /** Argument path inside the resource, e.g. `network[0].uuid`. */
  readonly attribute?: string;
  readonly message: string;
}

export interface ValidationReport {
  readonly findings: readonly Finding[];
  /** Number of resources, data sources and provider blocks checked against a schema. */
  readonly checked: number;
  /** Resource types seen that no loaded schema covers (and that are not built into Terraform). */
  readonly unchecked: readonly string[];
  /** The schemas the configuration was checked against (`source version`), those it uses only. */
  readonly schemas: readonly string[];
}

/** Arguments Terraform itself defines on every resource or data source. */
const META_ARGUMENTS = new Set(["count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection", "//"]);
/** Resource types built into Terraform (provider terraform.io/builtin/terraform). */
const BUILTIN_TYPES = new Set(["terraform_data", "terraform_remote_state"]);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
/** A string holding a template or interpolation: Terraform evaluates it, so its type is unknown here. */
export const isExpression = (v: unknown): boolean => typeof v === "string" && /\$\{|%\{/.test(v);

function typeName(t: SchemaType): string {
  if (typeof t === "string") return t;
  if (t[0] === "object") return "object";
  if (t[0] === "tuple") return "tuple";
  return `${t[0]} of ${typeName(t[1] as SchemaType)}`;
}

function describe(v: Json): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v === "number" ? "the number" : "the bool"} ${String(v)}`;
}

/** Returns the first type mismatch in `value` as [path suffix, message], or undefined. */
function checkType(value: Json, type: SchemaType, path: string): [string, string] | undefined {
  if (value === null || isExpression(value) || type === "dynamic") return undefined;
  if (type === "string") {
    // Terraform converts numbers and bools to strings.
    return typeof value === "object" ? [path, `must be a string, got ${describe(value)}`] : undefined;
  }
  if (type === "number") {
    if (typeof value === "number") return undefined;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return undefined;
    return [path, `must be a number, got ${describe(value)}`];
  }
  if (type === "bool") {
    if (typeof value === "boolean" || value === "true" || value === "false") return undefined;
    return [path, `must be true or false, got ${describe(value)}`];
  }
  const [kind, inner] = type;
  if (kind === "list" || kind === "set") {
    if (!Array.isArray(value)) return [path, `must be a ${typeName(type)}, got ${describe(value)}`];
    for (let i = 0; i < value.length; i++) {
      const bad = checkType(value[i] as Json, inner as SchemaType, `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (kind === "map") {
    if (!isObject(value)) return [path, `must be a ${typeName(type)}, got ${describe(value)}`];
    for (const [k, v] of Object.entries(value)) {
      const bad = checkType(v, inner as SchemaType, `${path}.${k}`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (kind === "object") {
    if (!isObject(value)) return [path, `must be an object, got ${describe(value)}`];
    const fields = inner as Readonly<Record<string, SchemaType>>;
    for (const [k, v] of Object.entries(value)) {
      const fieldType = fields[k];
      if (!fieldType) return [`${path}.${k}`, `is not a field of this object (fields: ${Object.keys(fields).join(", ")})`];
      const bad = checkType(v, fieldType, `${path}.${k}`);
      if (bad) return bad;
    }
    return undefined;
  }
  return undefined;
}

interface Context {
  readonly address: string;
  readonly constructPath: string | undefined;
  readonly findings: Finding[];
}

function report(ctx: Context, severity: Severity, code: string, attribute: string | undefined, message: string): void {
  ctx.findings.push({
    severity,
    code,
    address: ctx.address,
    message,
    ...(ctx.constructPath ? { constructPath: ctx.constructPath } : {}),
    ...(attribute ? { attribute } : {}),
  });
}

const join = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);

function checkBlock(body: JsonObject, block: SchemaBlock, prefix: string, ctx: Context, skip: ReadonlySet<string>): void {
  const attributes = block.attributes ?? {};
  const blockTypes = block.block_types ?? {};
  const dynamicBlocks = isObject(body.dynamic) ? Object.keys(body.dynamic) : [];

  for (const [key, value] of Object.entries(body)) {
    if (skip.has(key) || key === "//") continue;
    const path = join(prefix, key);
    if (key === "dynamic") {
      for (const name of dynamicBlocks) {
        if (!blockTypes[name]) report(ctx, "error", "schema.unknown-block", join(prefix, `dynamic.${name}`), `"${name}" is not a block of this type`);
      }
      continue;
    }
    const attribute = attributes[key];
    if (attribute) {
      if (attribute.computed && !attribute.optional && !attribute.required) {
        report(ctx, "error", "schema.computed-set", path, `"${key}" is computed by the provider and cannot be set`);
        continue;
      }
      if (attribute.deprecated) report(ctx, "warning", "schema.deprecated", path, `"${key}" is deprecated by the provider`);
      if (value === null && attribute.required) {
        report(ctx, "error", "schema.missing-required", path, `"${key}" is required and cannot be null`);
        continue;
      }
      const bad = attribute.type ? checkType(value, attribute.type, path) : undefined;
      if (bad) report(ctx, "error", "schema.wrong-type", bad[0], `"${bad[0]}" ${bad[1]}`);
      continue;
    }
    const blockType = blockTypes[key];
    if (blockType) {
      checkNestedBlocks(value, blockType, key, path, ctx);
      continue;
    }
    const known = [...Object.keys(attributes), ...Object.keys(blockTypes)];
    const near = nearestMatches(key, known);
    report(ctx, "error", "schema.unknown-argument", path, `"${key}" is not an argument or block of this type${near.length ? `: did you mean ${orList(near)}?` : ""}`);
  }

  for (const [key, attribute] of Object.entries(attributes)) {
    if (attribute.required && !(key in body)) {
      report(ctx, "error", "schema.missing-required", join(prefix, key), `required argument "${key}" is missing`);
    }
  }
  for (const [key, blockType] of Object.entries(blockTypes)) {
    const min = blockType.min_items ?? 0;
    if (min > 0 && !(key in body) && !dynamicBlocks.includes(key)) {
      report(ctx, "error", "schema.missing-block", join(prefix, key), `at least ${min} "${key}" block${min > 1 ? "s are" : " is"} required`);
    }
  }
}

function checkNestedBlocks(value: Json, blockType: SchemaBlockType, key: string, path: string, ctx: Context): void {
  if (value === null || isExpression(value)) return;
  const mode = blockType.nesting_mode;
  if (mode === "map") {
    if (!isObject(value)) {
      report(ctx, "error", "schema.wrong-type", path, `"${key}" must be an object of labelled blocks, got ${describe(value)}`);
      return;
    }
    for (const [label, item] of Object.entries(value)) {
      if (isObject(item)) checkBlock(item, blockType.block, `${path}.${label}`, ctx, new Set());
    }
    return;
  }
  // Terraform JSON accepts one block as an object or any number as a list of objects.
  const items = Array.isArray(value) ? value : [value];
  const max = blockType.max_items ?? 0;
  const min = blockType.min_items ?? 0;
  if ((mode === "single" || mode === "group") && items.length > 1) {
    report(ctx, "error", "schema.too-many-blocks", path, `"${key}" is a single block; ${items.length} were given`);
  } else if (max > 0 && items.length > max) {
    report(ctx, "error", "schema.too-many-blocks", path, `at most ${max} "${key}" block${max > 1 ? "s are" : " is"} allowed; ${items.length} were given`);
  }
  if (items.length < min) {
    report(ctx, "error", "schema.too-few-blocks", path, `at least ${min} "${key}" block${min > 1 ? "s are" : " is"} required; ${items.length} were given`);
  }
  items.forEach((item, i) => {
    const itemPath = Array.isArray(value) ? `${path}[${i}]` : path;
    if (isExpression(item)) return;
    if (!isObject(item)) {
      report(ctx, "error", "schema.wrong-type", itemPath, `"${key}" must be a block (an object), got ${describe(item)}`);
      return;
    }
    checkBlock(item, blockType.block, itemPath, ctx, new Set());
  });
}

/** `type.name`, `data.type.name` or `module.name`, optionally followed by an attribute path. */
const REFERENCE = /^(data\.)?[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*(\[[^\]]+\]|\.[A-Za-z0-9_-]+)*$/;
const MODULE_REFERENCE = /^module\.[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Meta-arguments Terraform reads as bare references, not templates: in JSON they must be
 * written `"type.name"`, never `"${type.name}"` (cdktf writes the latter in some places).
 */
function checkMetaArguments(body: JsonObject, ctx: Context): void {
  const refs = (key: string, value: Json | undefined, pattern: (s: string) => boolean, what: string) => {
    if (value === undefined || value === null) return;
    if (!Array.isArray(value)) {
      report(ctx, "error", "schema.bad-meta-argument", key, `"${key}" must be a list, each item ${what}`);
      return;
    }
    value.forEach((item, i) => {
      if (typeof item !== "string" || !pattern(item)) {
        const hint = typeof item === "string" && isExpression(item) ? ` Write it without \${ }: "${item.replace(/^\$\{|\}$/g, "")}".` : "";
        report(ctx, "error", "schema.bad-meta-argument", `${key}[${i}]`, `${JSON.stringify(item)} is not ${what}.${hint}`);
      }
    });
  };
  refs("depends_on", body.depends_on, (s) => REFERENCE.test(s) || MODULE_REFERENCE.test(s), "a reference to a resource or module (type.name)");
  const lifecycle = body.lifecycle;
  if (lifecycle === undefined || lifecycle === null) return;
  if (!isObject(lifecycle)) {
    report(ctx, "error", "schema.bad-meta-argument", "lifecycle", `"lifecycle" must be a block (an object), got ${describe(lifecycle)}`);
    return;
  }
  const known = ["create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by", "precondition", "postcondition"];
  for (const [key, value] of Object.entries(lifecycle)) {
    const path = `lifecycle.${key}`;
    if (!known.includes(key)) {
      report(ctx, "error", "schema.bad-meta-argument", path, `"${key}" is not a lifecycle argument (allowed: ${known.join(", ")})`);
    } else if ((key === "create_before_destroy" || key === "prevent_destroy") && typeof value !== "boolean") {
      report(ctx, "error", "schema.bad-meta-argument", path, `"${key}" must be true or false, got ${describe(value)}`);
    } else if (key === "replace_triggered_by") {
      refs(path, value, (s) => REFERENCE.test(s), "a reference to a resource (type.name, optionally with an attribute)");
    } else if (key === "ignore_changes" && value !== "all") {
      refs(path, value, (s) => !isExpression(s) && /^[A-Za-z_][A-Za-z0-9_.[\]"-]*$/.test(s), 'an attribute path (like "tags" or "block_device[0].uuid")');
    }
  }
}

function constructPathOf(body: Json): string | undefined {
  if (!isObject(body)) return undefined;
  const meta = body["//"];
  if (!isObject(meta) || !isObject(meta.metadata)) return undefined;
  const p = meta.metadata.path;
  return typeof p === "string" ? p : undefined;
}

/** The provider whose resource types start with `<name>_`. */
function providerFor(type: string, providers: readonly LoadedProvider[]): LoadedProvider | undefined {
  return providers.find((p) => type.startsWith(`${p.name}_`));
}

/** Validates one synthesized configuration (the content of a `cdk.tf.json`). */
export function validateTerraformJson(config: unknown, providers: readonly LoadedProvider[]): ValidationReport {
  const findings: Finding[] = [];
  const unchecked = new Set<string>();
  let checked = 0;
  if (!isObject(config as Json)) {
    return {
      findings: [{ severity: "error", code: "schema.not-an-object", address: "(root)", message: "the configuration is not a JSON object" }],
      checked,
      unchecked: [],
      schemas: [],
    };
  }
  const root = config as JsonObject;
  const usedProviders = new Set<LoadedProvider>();

  for (const [section, kind] of [
    ["resource", "resource_schemas"],
    ["data", "data_source_schemas"],
  ] as const) {
    const byType = root[section];
    if (!isObject(byType)) continue;
    for (const [type, instances] of Object.entries(byType)) {
      if (!isObject(instances)) continue;
      const provider = providerFor(type, providers);
      if (!provider) {
        if (!BUILTIN_TYPES.has(type)) unchecked.add(type);
        continue;
      }
      usedProviders.add(provider);
      const schema = provider.schema[kind]?.[type];
      for (const [name, body] of Object.entries(instances)) {
        const address = section === "data" ? `data.${type}.${name}` : `${type}.${name}`;
        const ctx: Context = { address, constructPath: constructPathOf(body), findings };
        checked++;
        if (!schema) {
          const near = nearestMatches(type, Object.keys(provider.schema[kind] ?? {}));
          report(
            ctx,
            "error",
            "schema.unknown-type",
            undefined,
            `"${type}" is not a ${section === "data" ? "data source" : "resource type"} of ${provider.source} ${provider.version ?? ""}`.trimEnd() +
              (near.length ? `: did you mean ${orList(near)}?` : ""),
          );
          continue;
        }
        if (!isObject(body)) {
          report(ctx, "error", "schema.wrong-type", undefined, `the body must be an object, got ${describe(body)}`);
          continue;
        }
        checkBlock(body, schema.block, "", ctx, META_ARGUMENTS);
        checkMetaArguments(body, ctx);
      }
    }
  }

  const providerSection = root.provider;
  if (isObject(providerSection)) {
    for (const [name, configs] of Object.entries(providerSection)) {
      const provider = providers.find((p) => p.name === name);
      if (!provider?.schema.provider) continue;
      usedProviders.add(provider);
      const list = Array.isArray(configs) ? configs : [configs];
      list.forEach((body, i) => {
        const alias = isObject(body) && typeof body.alias === "string" ? `.${body.alias}` : list.length > 1 ? `[${i}]` : "";
        const ctx: Context = { address: `provider.${name}${alias}`, constructPath: undefined, findings };
        checked++;
        if (isObject(body)) checkBlock(body, provider.schema.provider!.block, "", ctx, new Set(["alias", "//"]));
      });
    }
  }

  const terraform = isObject(root.terraform) ? root.terraform : {};
  const required = isObject(terraform.required_providers) ? terraform.required_providers : {};
  for (const provider of usedProviders) {
    const entry = required[provider.name];
    const ctx: Context = { address: `terraform.required_providers.${provider.name}`, constructPath: undefined, findings };
    const source = isObject(entry) && typeof entry.source === "string" ? entry.source : undefined;
    if (!source) {
      report(
        ctx,
        "error",
        "schema.provider-source",
        undefined,
        `"${provider.name}" resources are used but no source is declared; Terraform would look for hashicorp/${provider.name}. Declare source "${provider.source}".`,
      );
    } else if (source.toLowerCase().replace(/^registry\.terraform\.io\//, "") !== provider.source.toLowerCase()) {
      report(ctx, "error", "schema.provider-source", undefined, `source "${source}" is not the provider the schema describes ("${provider.source}")`);
    }
  }

  return { findings, checked, unchecked: [...unchecked].sort(), schemas: [...usedProviders].map((p) => `${p.source} ${p.version ?? ""}`.trim()).sort() };
}
