import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/**
 * drover's own directory (where its package.json, providers/ and templates/ are). Found by
 * walking up from this module, because the module runs both from lib/ (tests, the app's
 * imports) and bundled into dist/cli.mjs (the command line).
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "drover") return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`drover's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
