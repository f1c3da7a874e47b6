import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { run } from "../exec.ts";
import type { SchemaAttribute, SchemaBlock, SchemaNestedType } from "./cty.ts";
import type { TerraformBinary } from "./find.ts";
import type { SchemaLookup } from "./planfile.ts";

/**
 * Provider schemas, cached on disk per provider build, for reading saved plans without
 * `terraform show -json` (planfile.ts). A provider's schema is what `terraform providers schema
 * -json` prints; asking for it starts the provider, which for a large one (the AWS provider's
 * schema is 13 MB of JSON) takes seconds, so it is asked once per provider version and hash
 * and kept, trimmed to what decoding needs, one line per resource type with an index of where
 * each line starts, so a plan reads only the types it names.
 *
 * The cache lives in $DROVER_CACHE_DIR, else $XDG_CACHE_HOME/drover, else ~/.cache/drover.
 * Entries are written to a temporary name and renamed into place, so concurrent drover
 * processes share it safely; deleting the directory is always safe.
 */

export const BUILTIN_PROVIDER = "terraform.io/builtin/terraform";

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.DROVER_CACHE_DIR || (env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, "drover") : join(homedir(), ".cache", "drover"));
  return join(base, "provider-schemas");
}

export interface LockedProvider {
  readonly source: string;
  readonly version: string;
  readonly hashes: readonly string[];
}

/** The providers a `.terraform.lock.hcl` pins, with their versions and package hashes. */
export function parseLockFile(text: string): LockedProvider[] {
  const out: LockedProvider[] = [];
  const blocks = text.matchAll(/provider\s+"([^"]+)"\s*\{([\s\S]*?)\n\}/g);
  for (const [, source, body] of blocks) {
    const version = /\bversion\s*=\s*"([^"]+)"/.exec(body!)?.[1];
    const list = /\bhashes\s*=\s*\[([\s\S]*?)\]/.exec(body!)?.[1] ?? "";
    const hashes = [...list.matchAll(/"([a-z0-9]+:[^"]+)"/g)].map((m) => m[1]!);
    if (source && version) out.push({ source, version, hashes: hashes.sort() });
  }
  return out;
}

/** The cache key of one provider build: its source, version and hashes, and the terraform reading it. */
function cacheKey(source: string, version: string, hashes: readonly string[], terraform: TerraformBinary): string {
  return createHash("sha256")
    .update(JSON.stringify([source, version, hashes, terraform.kind, terraform.version]))
    .digest("hex")
    .slice(0, 32);
}

interface Index {
  readonly source: string;
  /** `managed:<type>` / `data:<type>` → [byte offset, byte length] in the .jsonl file. */
  readonly entries: Record<string, [number, number]>;
}

// ---- trimming a schema to what decoding reads ----

function trimAttributes(attrs: Record<string, SchemaAttribute & Record<string, unknown>> | undefined): Record<string, SchemaAttribute> | undefined {
  if (!attrs) return undefined;
  const out: Record<string, SchemaAttribute> = {};
  for (const [name, a] of Object.entries(attrs)) {
    out[name] = {
      ...(a.type !== undefined ? { type: a.type } : {}),
      ...(a.nested_type ? { nested_type: trimNested(a.nested_type) } : {}),
      ...(a.sensitive ? { sensitive: true } : {}),
    };
  }
  return out;
}

function trimNested(n: SchemaNestedType): SchemaNestedType {
  return { nesting_mode: n.nesting_mode, attributes: trimAttributes(n.attributes as Record<string, SchemaAttribute & Record<string, unknown>>) ?? {} };
}

export function trimBlock(b: SchemaBlock): SchemaBlock {
  const attributes = trimAttributes(b.attributes as Record<string, SchemaAttribute & Record<string, unknown>> | undefined);
  const blockTypes = b.block_types ? Object.fromEntries(Object.entries(b.block_types).map(([name, bt]) => [name, { nesting_mode: bt.nesting_mode, block: trimBlock(bt.block) }])) : undefined;
  return { ...(attributes ? { attributes } : {}), ...(blockTypes ? { block_types: blockTypes } : {}) };
}

interface ProviderSchemaJson {
  readonly resource_schemas?: Record<string, { block: SchemaBlock }>;
  readonly data_source_schemas?: Record<string, { block: SchemaBlock }>;
}

async function writeEntry(dir: string, key: string, source: string, schema: ProviderSchemaJson): Promise<void> {
  const lines: Buffer[] = [];
  const entries: Record<string, [number, number]> = {};
  let offset = 0;
  for (const [mode, types] of [
    ["managed", schema.resource_schemas],
    ["data", schema.data_source_schemas],
  ] as const) {
    for (const [type, s] of Object.entries(types ?? {})) {
      const line = Buffer.from(`${JSON.stringify(trimBlock(s.block))}\n`);
      entries[`${mode}:${type}`] = [offset, line.length - 1];
      offset += line.length;
      lines.push(line);
    }
  }
  await mkdir(dir, { recursive: true });
  const tmp = `.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await writeFile(join(dir, `${key}.jsonl${tmp}`), Buffer.concat(lines));
  await rename(join(dir, `${key}.jsonl${tmp}`), join(dir, `${key}.jsonl`));
  // The index last: an entry without one is not there.
  await writeFile(join(dir, `${key}.index.json${tmp}`), JSON.stringify({ source, entries } satisfies Index));
  await rename(join(dir, `${key}.index.json${tmp}`), join(dir, `${key}.index.json`));
}

/** The schemas of one stack's providers, from the cache. */
export class CachedSchemas implements SchemaLookup {
  private readonly indexes = new Map<string, Index & { path: string }>();
  private readonly blocks = new Map<string, SchemaBlock>();

  constructor(
    private readonly dir: string,
    /** provider source → cache key */
    readonly keys: ReadonlyMap<string, string>,
  ) {}

  /** The providers whose schemas are not cached yet. */
  missing(): string[] {
    return [...this.keys].filter(([, key]) => !existsSync(join(this.dir, `${key}.index.json`))).map(([source]) => source);
  }

  private index(source: string): (Index & { path: string }) | undefined {
    let index = this.indexes.get(source);
    if (index) return index;
    const key = this.keys.get(source);
    if (!key) return undefined;
    try {
      const parsed = JSON.parse(readFileSync(join(this.dir, `${key}.index.json`), "utf8")) as Index;
      index = { ...parsed, path: join(this.dir, `${key}.jsonl`) };
    } catch {
      return undefined;
    }
    this.indexes.set(source, index);
    return index;
  }

  block(source: string, mode: "managed" | "data", type: string): SchemaBlock | undefined {
    const id = `${source} ${mode}:${type}`;
    const cached = this.blocks.get(id);
    if (cached) return cached;
    const index = this.index(source);
    const at = index?.entries[`${mode}:${type}`];
    if (!index || !at) return undefined;
    const buf = Buffer.alloc(at[1]);
    const fd = openSync(index.path, "r");
    try {
      if (readSync(fd, buf, 0, at[1], at[0]) !== at[1]) return undefined;
    } finally {
      closeSync(fd);
    }
    const block = JSON.parse(buf.toString("utf8")) as SchemaBlock;
    this.blocks.set(id, block);
    return block;
  }
}

/** The cache entries a stack directory's providers (its lock file, and Terraform's built-in provider) map to. */
export function schemasFor(stackDir: string, terraform: TerraformBinary, env: NodeJS.ProcessEnv = process.env): CachedSchemas {
  const lockPath = join(stackDir, ".terraform.lock.hcl");
  const locked = existsSync(lockPath) ? parseLockFile(readFileSync(lockPath, "utf8")) : [];
  const keys = new Map<string, string>([[BUILTIN_PROVIDER, cacheKey(BUILTIN_PROVIDER, terraform.version, [], terraform)]]);
  for (const p of locked) keys.set(p.source, cacheKey(p.source, p.version, p.hashes, terraform));
  return new CachedSchemas(cacheDir(env), keys);
}

/**
 * Asks terraform for the schemas of a stack's providers and caches them. Runs in a scratch
 * directory holding only the stack's provider requirements, lock file and installed providers,
 * so it neither reads the stack's state nor waits for its lock, and can run while the stack's
 * own `terraform plan` does.
 */
export async function fetchSchemas(stackDir: string, terraform: TerraformBinary, schemas: CachedSchemas, env: NodeJS.ProcessEnv): Promise<void> {
  await mkdir(cacheDir(env), { recursive: true });
  const scratch = await mkdtemp(join(cacheDir(env), "..", "fetch-"));
  try {
    const lockPath = join(stackDir, ".terraform.lock.hcl");
    const locked = existsSync(lockPath) ? parseLockFile(readFileSync(lockPath, "utf8")) : [];
    const required: Record<string, { source: string; version: string }> = {};
    for (const [i, p] of locked.entries()) required[`p${i}`] = { source: p.source, version: p.version };
    // A terraform_data resource makes terraform include its built-in provider; nothing is planned or applied here.
    const config = { terraform: { required_providers: required }, resource: { terraform_data: { schema_probe: {} } } };
    await writeFile(join(scratch, "main.tf.json"), JSON.stringify(config));
    if (locked.length > 0) {
      await copyFile(lockPath, join(scratch, ".terraform.lock.hcl"));
      await mkdir(join(scratch, ".terraform"));
      if (existsSync(join(stackDir, ".terraform", "providers"))) await symlink(join(stackDir, ".terraform", "providers"), join(scratch, ".terraform", "providers"));
      if (existsSync(join(stackDir, ".terraform", "plugin_path"))) await copyFile(join(stackDir, ".terraform", "plugin_path"), join(scratch, ".terraform", "plugin_path"));
    }
    const r = await run(terraform.path, ["providers", "schema", "-json"], {
      cwd: scratch,
      env: { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" },
    });
    if (r.exitCode !== 0) throw new Error(`terraform providers schema -json failed (exit ${r.exitCode}): ${String(r.stderr).trim().slice(0, 500)}`);
    const printed = JSON.parse(String(r.stdout)) as { provider_schemas?: Record<string, ProviderSchemaJson> };
    for (const [source, key] of schemas.keys) {
      const schema = printed.provider_schemas?.[source];
      if (schema) await writeEntry(cacheDir(env), key, source, schema);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
