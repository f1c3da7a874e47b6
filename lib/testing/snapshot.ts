import { createHash } from "node:crypto";
import { AGENT_PATHS, BUNDLE_KEY, decodeBundle } from "../agent/bundle.ts";

/**
 * Terraform JSON in the form a snapshot should hold: what a change to the stack changes, and
 * nothing that changes by itself. Plain data in, plain data out; no test framework involved.
 */

// biome-ignore lint/suspicious/noExplicitAny: any Terraform JSON, walked generically
export type Json = Record<string, any>;

/**
 * Long user data as its size and hash (the rendered cloud-init has a snapshot of its own), and a
 * machine's configuration bundle as what it says: its files as digests, without the agent's own
 * code (which changes with drover, not with the stack), instead of its base64 chunks.
 */
export function compact(json: Json): Json {
  const digest = (text: string) => `${Buffer.byteLength(text)} bytes sha256:${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;
  return JSON.parse(
    JSON.stringify(json, (key, value) => {
      if (key === "user_data" && typeof value === "string") return `<cloud-init ${digest(value)}>`;
      if (key === "metadata" && value && typeof value === "object" && typeof value[BUNDLE_KEY] === "string") {
        const bundle = decodeBundle(value);
        const rest = Object.fromEntries(Object.entries(value as Record<string, string>).filter(([k]) => k !== BUNDLE_KEY && !k.startsWith(`${BUNDLE_KEY}_`)));
        const files = (bundle.files ?? []).filter((f) => f.path !== AGENT_PATHS.program).map((f) => ({ ...f, content: `<${digest(f.content)}>` }));
        return { ...rest, [BUNDLE_KEY]: { ...bundle, files } };
      }
      return value;
    }),
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
