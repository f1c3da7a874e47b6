import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import type { z as Z } from "zod";
import { zod } from "../vendor.ts";
import { describeValue, keysAt } from "../props/check.ts";
import { nearestMatches, orList } from "../naming.ts";

/**
 * `drover.config.json`, optional, at the project root: settings a team keeps out of stack code,
 * first of all where state lives. Stack code's own `backend` prop wins over this file.
 *
 *   { "backend": { "type": "pg", "connStr": "postgres://tf@db.lab:5432/terraform" },
 *     "stacks": { "scratch": { "backend": { "type": "local" } } } }
 *
 * Secrets never go here (nor in code): passwords and keys come from the environment the
 * backend reads (PGPASSWORD or PG_CONN_STR, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
 * TF_HTTP_PASSWORD).
 */
const hasNoPassword = (value: string): boolean => {
  try {
    return !new URL(value).password;
  } catch {
    return true;
  }
};

function buildSchemas() {
  const z = zod();
  const BackendSpec = z.discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("local"),
      path: z.string().min(1).optional(),
    }),
    z.strictObject({
      type: z.literal("s3"),
      bucket: z.string().min(3),
      key: z.string().min(1).optional(),
      region: z.string().min(1).optional(),
      endpoint: z.url().optional(),
      usePathStyle: z.boolean().optional(),
      profile: z.string().min(1).optional(),
      lock: z.enum(["lockfile", "dynamodb", "none"]).optional(),
      dynamodbTable: z.string().min(1).optional(),
    }),
    z.strictObject({
      type: z.literal("pg"),
      connStr: z
        .string()
        .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
        .refine(hasNoPassword, "must not hold a password: put it in PGPASSWORD (or the whole URL in PG_CONN_STR)")
        .optional(),
      schemaName: z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/, "must be a lower-case SQL identifier")
        .optional(),
    }),
    z.strictObject({
      type: z.literal("http"),
      address: z.url(),
      lockAddress: z.url().optional(),
      unlockAddress: z.url().optional(),
      username: z.string().min(1).optional(),
    }),
  ]);

  const ProjectConfig = z.strictObject({
    $schema: z.string().optional(),
    backend: BackendSpec.optional(),
    stacks: z.record(z.string(), z.strictObject({ backend: BackendSpec.optional() })).optional(),
  });
  return { BackendSpec, ProjectConfig };
}

let built: ReturnType<typeof buildSchemas> | undefined;
const schemas = () => (built ??= buildSchemas());

export type BackendSpec = Z.infer<ReturnType<typeof buildSchemas>["BackendSpec"]>;
export type ProjectConfig = Z.infer<ReturnType<typeof buildSchemas>["ProjectConfig"]>;

export const CONFIG_FILE = "drover.config.json";
const cache = new Map<string, ProjectConfig>();

function problems(error: Z.ZodError, schema: Z.ZodType, raw: unknown): string[] {
  return error.issues.map((i) => {
    const path = i.path.join(".") || "(top level)";
    if (i.code === "unrecognized_keys") {
      const known = keysAt(schema, i.path, raw);
      const near = i.keys.flatMap((k) => nearestMatches(k, known));
      return `${path}: unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")}${near.length ? `: did you mean ${orList(near.map((k) => `"${k}"`))}?` : ""}${known.length ? ` Known: ${known.join(", ")}.` : ""}`;
    }
    if (i.code === "invalid_union" && (i as { note?: string }).note === "No matching discriminator") return `${path}: must be one of local, s3, pg, http`;
    const value = i.path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
    if (i.code === "invalid_type") {
      const want = i.expected === "string" ? "text" : i.expected === "object" ? "an object" : i.expected === "array" ? "a list" : `a ${i.expected}`;
      return value === undefined ? `${path}: is required: give it (${want})` : `${path}: ${describeValue(value)} must be ${want}`;
    }
    if (i.code === "invalid_format" && (i as { format?: string }).format === "url") return `${path}: ${describeValue(value)} must be a URL, e.g. "https://state.example.org/lab"`;
    if (i.code === "too_small" && typeof value === "string") return `${path}: must not be empty`;
    return `${path}: ${i.message}`;
  });
}

/** Parses a backend spec given in code, with the same rules as the file. */
export function parseBackendSpec(value: unknown, where: string): BackendSpec {
  const r = schemas().BackendSpec.safeParse(value);
  if (!r.success)
    throw new ConfigError(
      `${where}: the backend settings have problems:`,
      problems(r.error, schemas().BackendSpec, value).map((p) => `backend.${p}`.replace("backend.(top level)", "backend")),
    );
  return r.data;
}

/** The project's `drover.config.json` (empty when there is none), read once per directory. */
export function loadProjectConfig(root: string): ProjectConfig {
  const cached = cache.get(root);
  if (cached) return cached;
  const file = join(root, CONFIG_FILE);
  let config: ProjectConfig = {};
  if (existsSync(file)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new ConfigError(`${CONFIG_FILE} is not valid JSON: ${(e as Error).message}`, [
        'Write it as JSON (double-quoted keys and text, no trailing commas), e.g. { "backend": { "type": "local" } }, or delete it for local state.',
      ]);
    }
    const r = schemas().ProjectConfig.safeParse(raw);
    if (!r.success) throw new ConfigError(`${CONFIG_FILE} has problems:`, problems(r.error, schemas().ProjectConfig, raw));
    config = r.data;
  }
  cache.set(root, config);
  return config;
}
