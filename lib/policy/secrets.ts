/**
 * DRV004: credentials and private keys written as literal text into the Terraform JSON or a
 * rendered file. A finding says where and gives a masked hint; it never repeats the secret.
 */
import { finding, type Finding } from "./checks.ts";
import { isObject, stringsIn, type ConfigIndex, type Json } from "./config.ts";
import { RenderedTexts, YamlReader, decodeUserData, fileConstruct, isLiteral, lineOf, looksLikeYaml, unescapeTerraform, writeFile } from "./text.ts";

export type SecretKind =
  | "private key"
  | "AWS access key ID"
  | "AWS secret access key"
  | "OpenStack application-credential secret"
  | "password"
  | "token"
  | "access key"
  | "OAuth client secret"
  | "secret";

interface Hit {
  readonly kind: SecretKind;
  readonly value: string;
  /** Inside the scanned text: an attribute or YAML path, a line. */
  readonly at?: string;
}

/** Attribute and YAML key names that hold a secret, compared lower-case with `-` as `_`. */
const SECRET_NAME =
  /^(?:.*_)?(?:password|passwd|pass|password_wo|plain_text_passwd|secret|secret_key|secret_access_key|access_key|access_key_id|account_key|private_key|private_key_pem|api_key|token|auth_token|access_token|refresh_token|sas_token)$/;
/** Names that match the pattern but hold no secret. */
const NOT_SECRET_NAMES = new Set(["creation_token", "client_token", "idempotency_token"]);

/** Environment and file variables that name credentials however they are written (`OS_PASSWORD=...`, `AWS_SECRET_ACCESS_KEY = ...` in any case). */
const ASSIGNMENT =
  /(?<![A-Za-z0-9_])(OS_PASSWORD|OS_APPLICATION_CREDENTIAL_SECRET|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|ARM_CLIENT_SECRET|ARM_ACCESS_KEY|GOOGLE_OAUTH_ACCESS_TOKEN|TF_HTTP_PASSWORD|PGPASSWORD|application[_-]credential[_-]secret)["']?[ \t]*[=:][ \t]*("[^"\n]*"|'[^'\n]*'|[^\s"',;]+)/gi;
const PEM = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----([\s\S]*?)-----END \1-----/g;
const AWS_KEY_ID = /(?<![A-Za-z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Za-z0-9])/g;
/** Tokens whose form gives them away wherever they are pasted (a client ID, an env value): GitHub, GitLab, Slack. */
const TOKEN = /(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,})(?![A-Za-z0-9_])/g;
/** A variable set on a line of its own (an env file, a shell script): `DB_PASSWORD=...`, `export SECRET_KEY='...'`. */
const ENV_LINE = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"\n]*"|'[^'\n]*'|[^\s"';]+)[ \t]*$/gm;
/** A password piped to chpasswd: `echo 'alice:s3cret' | chpasswd`. */
const CHPASSWD_PIPE = /echo[ \t]+(["']?)[a-z_][a-z0-9_-]*:([^\s"'|:]+)\1[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd/g;
/** A GitHub OAuth app's client secret: 40 hexadecimal digits (its client ID is shorter, "Ov23li..." or "Iv1."). */
const GITHUB_CLIENT_SECRET = /^[0-9a-f]{40}$/;

const normalName = (name: string) => name.toLowerCase().replace(/-/g, "_");

export function isSecretName(name: string): boolean {
  const n = normalName(name);
  return SECRET_NAME.test(n) && !NOT_SECRET_NAMES.has(n);
}

function kindOfName(name: string): SecretKind {
  const n = normalName(name);
  if (n.includes("application_credential_secret")) return "OpenStack application-credential secret";
  if (n.includes("secret_access_key") || n === "secret_key" || n === "aws_secret_key") return "AWS secret access key";
  if (n.includes("private_key")) return "private key";
  if (/pass/.test(n)) return "password";
  if (n.includes("token")) return "token";
  if (/access_key|account_key/.test(n)) return "access key";
  return "secret";
}

/** What a report may show of a secret: the kind's public prefix, never the secret. */
export function maskSecret(kind: SecretKind, value: string): string {
  if (kind === "private key") {
    const header = /-----BEGIN [A-Z0-9 ]+-----/.exec(value)?.[0];
    return header ? `${header}… (${value.length} characters)` : `******** (${value.length} characters)`;
  }
  // An access key ID is not itself secret; its last four characters tell which key to revoke.
  if (kind === "AWS access key ID") return `${value.slice(0, 4)}${"*".repeat(12)}${value.slice(-4)}`;
  return `******** (${value.length} characters)`;
}

/** Code that names a value rather than holding one: `env.SECRET`, `config.secret,`, `read()`. */
const isCode = (v: string) => /^[A-Za-z_$][\w$]*(\.[\w$]+)+[,;)]*$/.test(v) || /^[\w.$]+\(/.test(v);

const at = (hit: Hit, where: string | undefined): Hit => (where ? { ...hit, at: where } : hit);

/** Secrets recognizable in any text: private keys, AWS key IDs, credential variables. */
export function secretsInText(text: string): Hit[] {
  const hits: Hit[] = [];
  // A hit at the very start is the whole value: no line to point at.
  const line = (index: number) => (index === 0 ? undefined : `line ${text.slice(0, index).split("\n").length}`);
  for (const m of text.matchAll(PEM)) {
    const body = (m[2] ?? "").replace(/^[A-Za-z-]+:.*$/gm, "").replace(/\s+/g, "");
    // A reference in place of the key, or a mention in documentation, is not a key.
    if (body.includes("${") || body.includes("TfToken[") || body.length < 64) continue;
    hits.push(at({ kind: "private key", value: m[0] }, line(m.index)));
  }
  for (const m of text.matchAll(AWS_KEY_ID)) hits.push(at({ kind: "AWS access key ID", value: m[1]! }, line(m.index)));
  for (const m of text.matchAll(TOKEN)) hits.push(at({ kind: "token", value: m[1]! }, line(m.index)));
  for (const m of text.matchAll(CHPASSWD_PIPE)) if (isLiteral(m[2]!) && !m[2]!.startsWith("$")) hits.push(at({ kind: "password", value: m[2]! }, line(m.index)));
  for (const m of text.matchAll(ENV_LINE)) {
    const raw = m[2]!;
    const value = raw.replace(/^(["'])([\s\S]*)\1$/, "$2");
    if (!isSecretName(m[1]!) || !isLiteral(raw) || isCode(value) || hits.some((h) => h.value === value)) continue;
    hits.push(at({ kind: kindOfName(m[1]!), value }, line(m.index)));
  }
  for (const m of text.matchAll(ASSIGNMENT)) {
    const raw = m[2]!;
    const value = raw.replace(/^(["'])([\s\S]*)\1$/, "$2");
    if (!isLiteral(raw) || isCode(value) || hits.some((h) => h.value === value)) continue;
    hits.push(at({ kind: kindOfName(m[1]!), value }, line(m.index)));
  }
  return hits;
}

/** Secrets in a parsed YAML value: credential-named keys with literal values, and the text of every string. */
function secretsInYaml(value: unknown, path: string, out: Hit[], reader: YamlReader): void {
  if (typeof value === "string") {
    for (const h of secretsInText(value)) out.push({ ...h, at: path || h.at });
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) secretsInYaml(v, `${path}[${i}]`, out, reader);
    return;
  }
  if (!isObject(value)) return;
  // A file cloud-init writes: decoded, and read as YAML when it is (clouds.yaml, chart values).
  const file = writeFile(value);
  for (const [k, v] of Object.entries(value)) {
    const child = path ? `${path}.${k}` : k;
    if (file && k === "content") {
      if (file.content !== undefined) out.push(...secretsInString(file.content, file.path, reader).map((h) => ({ ...h, at: `${child} (${file.path || "content"})` })));
      continue;
    }
    // cloud-init's chpasswd: "user:password" lines (RANDOM and hashes are not passwords in the clear).
    if (k === "chpasswd" && isObject(v) && v.list !== undefined) {
      const lines = Array.isArray(v.list) ? v.list.map(String) : String(v.list).split("\n");
      for (const l of lines) {
        const password = l.trim().split(":").slice(1).join(":");
        if (password && !/^(R|RANDOM)$/.test(password) && !password.startsWith("$") && isLiteral(password)) out.push({ kind: "password", value: password, at: `${child}.list` });
      }
    }
    if (k === "client_id" && typeof v === "string" && GITHUB_CLIENT_SECRET.test(v)) {
      out.push({ kind: "OAuth client secret", value: v, at: `${child} (a client secret where the client ID goes)` });
      continue;
    }
    const before = out.length;
    secretsInYaml(v, child, out, reader);
    if (out.length === before && typeof v === "string" && isSecretName(k) && isLiteral(v)) out.push({ kind: kindOfName(k), value: v, at: child });
  }
}

/** Secrets in a string: walked as YAML when it is YAML (a cloud-config, a values file), else read as text. */
export function secretsInString(text: string, name = "", reader = new YamlReader()): Hit[] {
  if (looksLikeYaml(text, name)) {
    const docs = reader.docs(text);
    if (docs) {
      const out: Hit[] = [];
      for (const d of docs) secretsInYaml(d, "", out, reader);
      return out.map((h) => {
        const line = lineOf(text, h.value);
        return line !== undefined && !h.at?.startsWith("line") ? { ...h, at: `${h.at ? `${h.at}, ` : ""}line ${line}` } : h;
      });
    }
  }
  return secretsInText(text);
}

interface Located extends Hit {
  readonly construct: string;
  readonly resource?: string;
  readonly where: string;
}

/**
 * Every literal credential in the stack: resource and data-source attributes, providers, the
 * backend, locals, variable defaults and outputs, and every rendered file. User data that is a
 * rendered file is read once, as the file.
 */
export function credentialFindings(index: ConfigIndex, config: Json, stack: string, files: ReadonlyMap<string, string>, reader = new YamlReader()): Finding[] {
  const located: Located[] = [];
  const rendered = new RenderedTexts(files);
  // Machines of one kind share their user data: read each text once.
  const seen = new Map<string, Hit[]>();
  const scanText = (text: string) => {
    let hits = seen.get(text);
    if (!hits) seen.set(text, (hits = secretsInString(text, "", reader)));
    return hits;
  };

  for (const [path, text] of files) {
    const construct = fileConstruct(stack, path);
    for (const h of secretsInString(text, path, reader)) located.push({ ...h, construct, where: `${path}${h.at ? ` (${h.at})` : ""}` });
  }

  const scanBlock = (body: unknown, label: string, construct: string, resource: string | undefined, blockName?: string) => {
    for (const s of stringsIn(body)) {
      const where = `${label}${s.path === "" ? "" : s.path.startsWith("[") ? s.path : `.${s.path}`}`;
      const name = (s.key === "value" || s.key === "default") && blockName && s.path === s.key ? blockName : s.key;
      if (rendered.has(s.value)) continue;
      const decoded = /user_data|custom_data/.test(s.key) ? decodeUserData(s.value) : undefined;
      if (decoded !== undefined && rendered.hasDecoded(decoded)) continue;
      const hits = [...scanText(decoded ?? unescapeTerraform(s.value))];
      // A credential-named attribute: its value is the secret, unless the text says more (a key, a key ID).
      if (hits.length === 0 && isSecretName(name) && isLiteral(s.value)) hits.push({ kind: kindOfName(name), value: s.value });
      for (const h of hits) located.push({ ...h, construct, ...(resource ? { resource } : {}), where: `${where}${h.at ? ` (${h.at})` : ""}` });
    }
  };

  for (const r of index.resources) scanBlock(r.body, r.address, r.construct, r.address);
  const outputs = outputConstructs(config, stack);
  const each = (block: unknown, fn: (name: string, body: unknown) => void) => {
    if (isObject(block)) for (const [name, body] of Object.entries(block)) fn(name, body);
  };
  each(config.provider, (name, body) => scanBlock(body, `provider.${name}`, stack, undefined));
  each((config.terraform as Json | undefined)?.backend, (kind, body) => scanBlock(body, `terraform.backend.${kind}`, stack, undefined));
  each(config.locals, (name, body) => scanBlock({ [name]: body }, "local", stack, undefined));
  each(config.variable, (name, body) => {
    if (!isObject(body)) return;
    const d = body.default;
    // A sensitive variable's default is a secret whatever it is called.
    if (body.sensitive === true && typeof d === "string" && isLiteral(d)) {
      located.push({ kind: isSecretName(name) ? kindOfName(name) : "secret", value: d, construct: stack, where: `var.${name}.default` });
    } else scanBlock({ default: d }, `var.${name}`, stack, undefined, name);
  });
  each(config.output, (name, body) => {
    if (isObject(body)) scanBlock({ value: body.value }, `output.${name}`, outputs.get(name) ?? stack, undefined, name);
  });

  // One finding per secret per construct, however many places repeat it.
  const groups = new Map<string, Located[]>();
  for (const h of located) {
    const key = JSON.stringify([h.construct, h.kind, h.value.replace(/\s+/g, "")]);
    const list = groups.get(key);
    if (list) list.push(h);
    else groups.set(key, [h]);
  }
  return [...groups.values()].map((hits) => {
    const first = hits[0]!;
    const wheres = [...new Set(hits.map((h) => h.where))];
    const shown = wheres.slice(0, 3).join("; ") + (wheres.length > 3 ? `; and ${wheres.length - 3} more` : "");
    const article = /^[aeiouAEIO]/.test(first.kind) ? "an" : "a";
    return finding(
      "DRV004",
      { construct: first.construct, ...(first.resource ? { resource: first.resource } : {}) },
      `${article} ${first.kind} written as literal text in ${shown}: ${maskSecret(first.kind, first.value)}`,
    );
  });
}

/** Output name → construct path, from the `//` outputs tree cdktf writes. */
function outputConstructs(config: Json, stack: string): Map<string, string> {
  const map = new Map<string, string>();
  const tree = ((config["//"] as Json | undefined)?.outputs as Json | undefined)?.[stack];
  const walk = (node: unknown, path: string[]) => {
    if (typeof node === "string") map.set(node, [stack, ...path.slice(0, -1)].join("/"));
    else if (isObject(node)) for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(tree, []);
  return map;
}
