import { createHash } from "node:crypto";

/**
 * Terraform JSON in the form a snapshot should hold: what a change to the stack changes, and
 * nothing that changes by itself. Plain data in, plain data out; no test framework involved.
 */

export type Json = Record<string, any>;

/** Long user data as its size and hash: the rendered cloud-init has a snapshot of its own. */
export function compact(json: Json): Json {
  return JSON.parse(
    JSON.stringify(json, (key, value) =>
      key === "user_data" && typeof value === "string"
        ? `<cloud-init ${Buffer.byteLength(value)} bytes sha256:${createHash("sha256").update(value).digest("hex").slice(0, 12)}>`
        : value,
    ),
  ) as Json;
}

/**
 * `compact`, and the cdktf version stamped into the stack's metadata written as `<cdktf>`, so
 * that updating cdktf (or moving to its fork, cdktn) does not rewrite every snapshot.
 */
export function forSnapshot(json: Json): Json {
  const out = compact(json);
  const meta = out["//"]?.metadata;
  if (meta && typeof meta === "object" && typeof meta.version === "string") meta.version = "<cdktf>";
  return out;
}
