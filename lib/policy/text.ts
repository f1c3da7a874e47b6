/**
 * Reading the text a stack carries — rendered files, user data, cloud-init's write_files — for
 * the checks that look inside it.
 */
import { gunzipSync } from "node:zlib";
import { yaml } from "../vendor.ts";
import { isObject } from "./config.ts";

/**
 * A value written as literal text, not a reference Terraform or the machine fills in: Terraform
 * interpolations (`${var.x}`, and the `${TfToken[...]}` a rendered file shows for them), shell
 * variables, `@@PLACEHOLDER@@`s filled at boot, templates, empty and already-masked values.
 */
export function isLiteral(raw: string): boolean {
  const v = raw
    .trim()
    .replace(/^(["'])([\s\S]*)\1$/, "$2")
    .trim();
  if (v === "") return false;
  if (v.includes("${") || v.includes("TfToken[")) return false;
  if (/^(\$|@@|\{\{|%\()/.test(v) || /^<[A-Za-z0-9 _-]+>$/.test(v)) return false;
  if (/^(null|none|nil|~|true|false|yes|no|undefined)$/i.test(v)) return false;
  if (/^\*+$|^x{3,}$|^\[?redacted\]?$/i.test(v)) return false;
  return true;
}

/** The YAML documents of a text, or undefined when it is not YAML. */
export function parseYamlDocs(text: string): unknown[] | undefined {
  try {
    const docs = yaml().parseAllDocuments(text);
    if (!Array.isArray(docs)) return undefined;
    if (docs.some((d) => d.errors.length > 0)) return undefined;
    return docs.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);
  } catch {
    return undefined;
  }
}

/**
 * Parses YAML once per content: machines of one kind carry the same cloud-init under a
 * different header comment ("# drover: lab/node-7"), so the comment and blank lines before the
 * first content line (comments, whatever follows) are left out of the key.
 *
 * @example
 * const reader = new YamlReader();
 * reader.docs("#cloud-config\n# node 1\nssh_pwauth: false\n"); // parsed
 * reader.docs("#cloud-config\n# node 2\nssh_pwauth: false\n"); // the same result, not parsed again
 */
export class YamlReader {
  private readonly cache = new Map<string, unknown[] | undefined>();

  docs(text: string): unknown[] | undefined {
    const key = text.replace(/^(?:[ \t]*(?:#.*)?\r?\n)+/, "");
    if (!this.cache.has(key)) this.cache.set(key, parseYamlDocs(key));
    return this.cache.get(key);
  }
}

/** A rendered file or a string that is YAML by name or by its cloud-config header. */
export function looksLikeYaml(text: string, name = ""): boolean {
  return /\.ya?ml$/i.test(name) || /^#cloud-config\b/.test(text.trimStart());
}

/** cloud-init's `write_files` encodings, decoded; undefined for an encoding it cannot read. */
export function decodeContent(content: string, encoding: unknown): string | undefined {
  const e = typeof encoding === "string" ? encoding.toLowerCase() : "";
  try {
    if (e === "" || e === "text/plain") return content;
    if (e === "b64" || e === "base64") return Buffer.from(content, "base64").toString("utf8");
    if (["gz+b64", "gzip+base64", "gz+base64", "gzip+b64"].includes(e)) return gunzipSync(Buffer.from(content, "base64")).toString("utf8");
  } catch {
    return undefined;
  }
  return undefined;
}

/** User data written base64 (`user_data_base64`, Azure's `custom_data`), gzip-compressed or not. */
export function decodeUserData(value: string): string | undefined {
  const t = value.trim();
  if (t.length < 8 || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]+=*$/.test(t)) return undefined;
  const bytes = Buffer.from(t, "base64");
  try {
    const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
    // Binary that happens to be base64 is not user data.
    return /^[\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]*$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** A `write_files` entry: its path and decoded content. */
export function writeFile(entry: unknown): { path: string; content: string | undefined } | undefined {
  if (!isObject(entry) || typeof entry.content !== "string") return undefined;
  return { path: typeof entry.path === "string" ? entry.path : "", content: decodeContent(entry.content, entry.encoding) };
}

/** The 1-based line of the first line of `needle` in `text`, when it is there. */
export function lineOf(text: string, needle: string): number | undefined {
  const first = needle
    .split("\n")
    .find((l) => l.trim() !== "")
    ?.trim();
  if (!first) return undefined;
  const at = text.indexOf(first);
  return at < 0 ? undefined : text.slice(0, at).split("\n").length;
}

/** The construct a rendered file belongs to: `files/hub/values.yaml` → `<stack>/hub`. */
export function fileConstruct(stack: string, path: string): string {
  const parts = path
    .replace(/^files\//, "")
    .split("/")
    .slice(0, -1);
  return [stack, ...parts].join("/");
}

/**
 * The rendered files' texts, to tell user data that is one of them (read once, as the file).
 * The JSON holds Terraform references and escapes a literal `${` as `$${` (`%{` as `%%{`); a
 * file shows a reference as `${TfToken[...]}`, and holds the escapes or not depending on the
 * construct. Both sides are compared with references blanked and escapes undone.
 *
 * @example
 * const rendered = new RenderedTexts(new Map([["files/box/cloud-init.yaml", text]]));
 * rendered.has(instance.user_data); // true: read the file, not the attribute
 */
export class RenderedTexts {
  private readonly texts = new Set<string>();

  constructor(files: ReadonlyMap<string, string>) {
    for (const t of files.values()) {
      this.texts.add(unescapeTerraform(t.replace(/\$\{TfToken\[[^\]]*\]\}/g, BLANK)).trim());
      this.texts.add(unescapeTerraform(t, BLANK).trim());
    }
  }

  /** Whether a string of the Terraform JSON is a rendered file. */
  has(jsonText: string): boolean {
    return this.texts.size > 0 && this.texts.has(unescapeTerraform(jsonText, BLANK).trim());
  }

  /** Whether text decoded from the JSON (base64 user data: no references, no escapes) is a rendered file. */
  hasDecoded(text: string): boolean {
    return this.texts.has(text.trim());
  }
}

const BLANK = "\u0001";

/** A Terraform JSON string as the machine gets it: `$${` → `${`, `%%{` → `%{`; references replaced by `blank` when given. */
export function unescapeTerraform(text: string, blank?: string): string {
  const blanked = blank === undefined ? text : text.replace(/(?<!\$)\$\{(?:[^{}]|\{[^{}]*\})*\}/g, blank);
  return blanked.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}
