import { gunzipSync } from "node:zlib";
import { escapeTerraformText } from "../../lib/terraform/text.ts";

/** What tests read from a rendered cloud-config: a `write_files` entry. */
export interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  owner?: string;
  encoding?: string;
  defer?: boolean;
}

/**
 * What Terraform does to a template string: `$${` and `%%{` become `${` and `%{`, each
 * reference its value (from `values`). Anything else Terraform would read as an expression
 * (another `${...}`, a `%{...}` directive) fails here.
 */
export function deployTemplate(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$\{|%%\{|%\{[^}]*\}|\$\{[^}]*\}/g, (m) => {
    if (m === "$${") return "${";
    if (m === "%%{") return "%{";
    const value = values[m];
    if (value === undefined) throw new Error(`Terraform would read ${m} as an expression, and it is not one of the references`);
    return value;
  });
}

/**
 * A rendered text as synthesis writes it into the Terraform JSON: every `${` and `%{` escaped,
 * the given references kept (as synthesis keeps cdktf tokens, which lib tests stand in for with
 * plain references).
 */
export function asSynthesized(text: string, refs: readonly string[]): string {
  let out = escapeTerraformText(text);
  for (const ref of refs) out = out.split(escapeTerraformText(ref)).join(ref);
  return out;
}

/** A rendered text as the machine gets it: synthesized, then through Terraform with `values` for its references. */
export function deployText(text: string, values: Readonly<Record<string, string>>): string {
  return deployTemplate(asSynthesized(text, Object.keys(values)), values);
}

/** A file's content as the machine writes it. */
export function decoded(f: WriteFile): string {
  if (f.encoding === "gz+b64") return gunzipSync(Buffer.from(f.content, "base64")).toString();
  if (f.encoding === "b64") return Buffer.from(f.content, "base64").toString();
  return f.content;
}
