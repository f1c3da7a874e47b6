/**
 * Reading a synthesized stack's Terraform JSON: its resources by address, and the references
 * between them (`${<type>.net.id}`), which are the edges of the graph.
 */

import { isObject, resourcesOf, type ConfigResource, type Json } from "../terraform/config-resources.ts";

export type { Json };
export type TfResource = ConfigResource;

/** `${...}` interpolations; their bodies may be whole expressions (`[for s in ... : s.url]`). */
const INTERPOLATION = /\$\{([^}]*)\}/g;
/** `type.name` or `data.type.name`, not preceded by a word character or a dot (`s.endpoints`). */
const TRAVERSAL = /(?<![\w.])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*)/g;

/** The stack's resources and data sources, indexed by address. */
export class ResourceIndex {
  readonly all: readonly TfResource[];
  private readonly byAddress = new Map<string, TfResource>();
  private readonly byType = new Map<string, TfResource[]>();

  constructor(config: Json) {
    const all = resourcesOf(config).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    for (const r of all) {
      this.byAddress.set(r.address, r);
      const list = this.byType.get(r.type) ?? [];
      list.push(r);
      this.byType.set(r.type, list);
    }
    this.all = all;
  }

  get(address: string): TfResource | undefined {
    return this.byAddress.get(address);
  }

  /** Resources (not data sources) of one type, in address order. */
  managed(type: string): readonly TfResource[] {
    return (this.byType.get(type) ?? []).filter((r) => r.mode === "managed");
  }

  /** Resources and data sources of one type. */
  ofType(type: string): readonly TfResource[] {
    return this.byType.get(type) ?? [];
  }

  /** The known resources a value refers to, in order of appearance, each once. */
  refs(value: unknown): TfResource[] {
    const found: TfResource[] = [];
    const seen = new Set<string>();
    const visit = (v: unknown): void => {
      if (typeof v === "string") {
        for (const m of v.matchAll(INTERPOLATION)) {
          for (const t of (m[1] ?? "").matchAll(TRAVERSAL)) {
            const r = this.byAddress.get(t[1]!);
            if (r && !seen.has(r.address)) {
              seen.add(r.address);
              found.push(r);
            }
          }
        }
      } else if (Array.isArray(v)) {
        v.forEach(visit);
      } else if (isObject(v)) {
        Object.values(v).forEach(visit);
      }
    };
    visit(value);
    return found;
  }

  /** The first known resource a value refers to. */
  ref(value: unknown): TfResource | undefined {
    return this.refs(value)[0];
  }
}

/** A plain value: a string with no interpolation, or a number or boolean as text. */
export function literal(value: unknown): string | undefined {
  if (typeof value === "string") return value.includes("${") ? undefined : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

export function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** Blocks written as one object or as a list of objects (cdktf writes both). */
export function blocks(value: unknown): Json[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

export function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
}

export function object(value: unknown): Json {
  return isObject(value) ? value : {};
}

/**
 * The name a person knows a resource by: its `name` (or `Name` tag), else its construct's ID
 * (`box` for `dev-vm/box/Resource`), else its Terraform name.
 */
export function displayName(r: TfResource): string {
  const name = literal(r.body.name) ?? literal(object(r.body.tags).Name);
  if (name) return name;
  const parts = r.constructPath?.split("/") ?? [];
  const last = parts.at(-1);
  if (last && last !== "Resource") return last;
  if (parts.length > 1) return parts.at(-2)!;
  return r.name;
}

/** A drover tag, wherever the cloud keeps them (`metadata`, `tags`, `labels`). */
export function droverTag(r: TfResource, key: string): string | undefined {
  for (const field of ["metadata", "tags", "labels"]) {
    const v = literal(object(r.body[field])[key]);
    if (v) return v;
  }
  return undefined;
}

/**
 * Where drover mounts each volume, from the machine's `drover_volume_<name>` tags
 * (`${<volume type>.v.id}:/srv/data`): volume address → mount point.
 */
export function mountPoints(index: ResourceIndex, machine: TfResource): Map<string, string> {
  const out = new Map<string, string>();
  for (const field of ["metadata", "tags", "labels"]) {
    for (const [key, value] of Object.entries(object(machine.body[field]))) {
      if (!key.startsWith("drover_volume_") || typeof value !== "string") continue;
      const m = /^\$\{[^}]*\}:(\/.*)$/.exec(value);
      const volume = index.ref(value);
      if (m && volume) out.set(volume.address, m[1]!);
    }
  }
  return out;
}
