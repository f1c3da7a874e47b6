/**
 * Text stays text: the one rule for every string drover writes into a stack's Terraform JSON.
 *
 * Terraform reads every string of a JSON configuration (object keys of values included) as a
 * template: `${...}` is an expression and `%{...}` a directive, evaluated on the machine that
 * runs terraform. A person's text (an image name, an SSH key's comment, a hub admin's name, a
 * shell script in user data) must reach the cloud exactly as written, so every `${` is written
 * `$${` and every `%{` is written `%%{`, which Terraform turns back into `${` and `%{`.
 *
 * The only references are the ones drover (or the person, through cdktf) builds as tokens: cdktf
 * writes a token into a string as `${TfToken[TOKEN.n]}` and replaces it with `${address}` when
 * it resolves the stack. Those markers are left alone, and nothing else is. The constructs'
 * synthesis (constructs/private/to-terraform.ts) applies this rule to every element of a
 * DroverStack before cdktf resolves its tokens; `addOverride` stays the raw escape hatch.
 */

/** cdktf's marker for a string token inside a string (tokens/private/encoding.js). */
const TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

/** Every cdktf token in a text, in order (each a reference Terraform fills in). */
export function tokensIn(text: string): string[] {
  return text.includes("${TfToken[") ? [...text.matchAll(TOKEN)].map((m) => m[0]) : [];
}

/** Whether a string holds a cdktf token (a reference Terraform fills in). */
export function holdsToken(text: string): boolean {
  return text.includes("${TfToken[") && new RegExp(TOKEN.source).test(text);
}

/** `${` → `$${`, `%{` → `%%{`, in text that holds no token. */
function escapeLiteral(text: string): string {
  // Replacement functions: in a replacement string, "$$" would stand for a single "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/**
 * A string as a Terraform template that evaluates to itself, its cdktf tokens left to become
 * references. A literal `$` right before a token would turn the reference's `${` into the
 * escape `$${`, so such a run of `$` is written as an expression of itself (`${"$"}`).
 *
 * @example
 * escapeTerraformText('ssh-ed25519 AAAA ${file("/etc/passwd")}') // 'ssh-ed25519 AAAA $${file("/etc/passwd")}'
 * escapeTerraformText("ssh ubuntu@${TfToken[TOKEN.7]}")          // unchanged: the token is a reference
 */
export function escapeTerraformText(text: string): string {
  if (!text.includes("{")) return text;
  if (!text.includes("${TfToken[")) return escapeLiteral(text);
  let out = "";
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    out += literalBeforeToken(text.slice(last, m.index));
    out += m[0];
    last = m.index + m[0].length;
  }
  return out + escapeLiteral(text.slice(last));
}

function literalBeforeToken(part: string): string {
  const dollars = /\$+$/.exec(part)?.[0] ?? "";
  const escaped = escapeLiteral(part.slice(0, part.length - dollars.length));
  return dollars ? `${escaped}\${"${dollars}"}` : escaped;
}

/** Every string of a JSON-like value (object keys included) through `escapeTerraformText`. */
export function escapeTerraformValue(value: unknown): unknown {
  if (typeof value === "string") return escapeTerraformText(value);
  if (Array.isArray(value)) return value.map(escapeTerraformValue);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[escapeTerraformText(k)] = escapeTerraformValue(v);
    return out;
  }
  // Numbers, booleans, null, and objects that stand for tokens (cdktf resolves them).
  return value;
}

/** What Terraform makes of an escaped literal (no references): `$${` → `${`, `%%{` → `%{`. */
export function unescapeTerraformText(template: string): string {
  return template.replace(/\$\$\{|%%\{/g, (m) => (m === "$${" ? "${" : "%{"));
}
