import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./paths.ts";

/** drover's own text templates (cloud-init pieces, scripts, config files). */
export const TEMPLATES_DIR = join(packageRoot(), "templates");

const cache = new Map<string, string>();

/** Reads `templates/<path>` once per process. */
export function readTemplate(path: string): string {
  let text = cache.get(path);
  if (text === undefined) {
    text = readFileSync(join(TEMPLATES_DIR, path), "utf8");
    cache.set(path, text);
  }
  return text;
}

/** Characters a value may hold when it lands inside a double-quoted shell string. */
const SHELL_SAFE = /^[A-Za-z0-9 _./:@+,=-]*$/;

/**
 * Fills `{{name}}` placeholders. Every placeholder needs a value and every value a placeholder,
 * so a renamed variable fails loudly instead of rendering a half-filled file. With `shell: true`
 * each value must be safe inside a double-quoted shell string (callers validate user input first;
 * this guards against a bug letting one through).
 */
export function renderTemplate(path: string, values: Readonly<Record<string, string>>, options: { shell?: boolean } = {}): string {
  const text = readTemplate(path);
  const used = new Set<string>();
  const out = text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template ${path}: no value for {{${key}}}`);
    if (options.shell && !SHELL_SAFE.test(value)) {
      throw new Error(`template ${path}: value for {{${key}}} is not shell-safe: ${JSON.stringify(value)}`);
    }
    used.add(key);
    return value;
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length > 0) throw new Error(`template ${path}: unused values ${unused.join(", ")}`);
  return out;
}
