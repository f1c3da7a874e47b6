import { createRequire } from "node:module";

/** gzip+base64 for a `write_files` entry (`encoding: gz+b64`), with no time stamp: deterministic. */
export function gzipBase64(text: string): string {
  const { gzipSync } = createRequire(import.meta.url)("fflate") as typeof import("fflate");
  return Buffer.from(gzipSync(Buffer.from(text), { level: 9, mtime: 0 })).toString("base64");
}
