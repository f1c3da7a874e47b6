import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Filling in what Terraform would: a synthesized stack's strings hold Terraform templates
 * (`${openstack_networking_subnet_v2.x.id}`, `$${HOME}` for a literal `${HOME}`, expressions in
 * locals). The lab gives every resource and data source a value, as an apply would, and lets the
 * real `terraform` evaluate the templates against them: escapes, functions and for-expressions
 * mean exactly what they mean on a real deploy. Only the references are rewritten (to locals
 * holding the lab's values); the text around them is Terraform's to read.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keys of a resource's JSON that are not attributes (meta-arguments and cdktf's comments). */
const META_KEYS = new Set(["//", "depends_on", "lifecycle", "provisioner", "connection", "count", "for_each", "provider"]);

/** A reference's rewritten name: `local.<name>`. Terraform names allow letters, digits, `_`, `-`. */
export const resourceLocal = (type: string, name: string) => `r__${type}__${name}`;
export const dataLocal = (type: string, name: string) => `d__${type}__${name}`;
export const configLocal = (name: string) => `l__${name}`;
export const variableLocal = (name: string) => `v__${name}`;

export interface Addresses {
  /** `type.name` of every resource. */
  readonly resources: ReadonlySet<string>;
  /** `type.name` of every data source. */
  readonly data: ReadonlySet<string>;
}

/**
 * Finds the end of the interpolation or directive that starts at `open` (the index of `{`):
 * braces nest, and quoted strings inside the expression are skipped.
 */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "{") {
      depth++;
    } else if (c === "}") {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new Error(`unterminated template sequence at ${open - 1}: ${text.slice(open - 1, open + 40)}`);
}

/** Rewrites the references in one Terraform expression (the text inside `${...}` or `%{...}`). */
export function rewriteExpression(expression: string, addresses: Addresses): string {
  return expression.replace(/(?<![\w.\-"])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)/g, (whole, data: string | undefined, head: string, name: string) => {
    if (data) return addresses.data.has(`${head}.${name}`) ? `local.${dataLocal(head, name)}` : whole;
    if (head === "local") return `local.${configLocal(name)}`;
    if (head === "var") return `local.${variableLocal(name)}`;
    return addresses.resources.has(`${head}.${name}`) ? `local.${resourceLocal(head, name)}` : whole;
  });
}

/**
 * Rewrites every reference in a Terraform template string, leaving the literal text (and its
 * `$${` and `%%{` escapes) exactly as it was for Terraform to read.
 */
export function rewriteTemplate(text: string, addresses: Addresses): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const two = text.slice(i, i + 3);
    if (two === "$${" || two === "%%{") {
      out += two;
      i += 3;
      continue;
    }
    if ((text[i] === "$" || text[i] === "%") && text[i + 1] === "{") {
      const end = closingBrace(text, i + 1);
      out += `${text[i]}{${rewriteExpression(text.slice(i + 2, end), addresses)}}`;
      i = end + 1;
      continue;
    }
    out += text[i];
    i++;
  }
  return out;
}

/** Rewrites the references in every string of a JSON value. */
export function rewriteValue(value: Json, addresses: Addresses): Json {
  if (typeof value === "string") return rewriteTemplate(value, addresses);
  if (Array.isArray(value)) return value.map((v) => rewriteValue(v, addresses));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteValue(v, addresses)]));
  return value;
}

/** A resource's or data source's attributes as written in the configuration (meta-arguments left out). */
export function configAttributes(body: Record<string, Json>): Record<string, Json> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !META_KEYS.has(k)));
}

export interface StackConfig {
  readonly resource?: Record<string, Record<string, Record<string, Json>>>;
  readonly data?: Record<string, Record<string, Record<string, Json>>>;
  readonly locals?: Record<string, Json>;
  readonly variable?: Record<string, Record<string, Json>>;
}

export function addressesOf(config: StackConfig): Addresses {
  const list = (section: StackConfig["resource"]) => new Set(Object.entries(section ?? {}).flatMap(([type, items]) => Object.keys(items).map((name) => `${type}.${name}`)));
  return { resources: list(config.resource), data: list(config.data) };
}

/**
 * The values an apply would give: for each resource and data source, the attributes Terraform
 * computes (IDs, addresses, secrets). The configuration's own attributes are added to them.
 */
export interface ComputedValues {
  resource(type: string, name: string, config: Record<string, Json>): Record<string, Json>;
  data(type: string, name: string, config: Record<string, Json>): Record<string, Json>;
  variable(name: string, declaration: Record<string, Json>): Json;
}

/** The Terraform JSON that evaluates `wanted` (any JSON holding templates) against the lab's values. */
export function evaluationConfig(config: StackConfig, values: ComputedValues, wanted: Record<string, Json>): Record<string, Json> {
  const addresses = addressesOf(config);
  const locals: Record<string, Json> = {};
  for (const [type, items] of Object.entries(config.resource ?? {})) {
    for (const [name, body] of Object.entries(items)) {
      const attributes = configAttributes(body);
      locals[resourceLocal(type, name)] = rewriteValue({ ...attributes, ...values.resource(type, name, attributes) }, addresses);
    }
  }
  for (const [type, items] of Object.entries(config.data ?? {})) {
    for (const [name, body] of Object.entries(items)) {
      const attributes = configAttributes(body);
      locals[dataLocal(type, name)] = rewriteValue({ ...attributes, ...values.data(type, name, attributes) }, addresses);
    }
  }
  for (const [name, value] of Object.entries(config.locals ?? {})) locals[configLocal(name)] = rewriteValue(value, addresses);
  for (const [name, declaration] of Object.entries(config.variable ?? {})) locals[variableLocal(name)] = values.variable(name, declaration);
  // One output holding everything: output names cannot hold the dots of resource addresses.
  return { locals, output: { lab: { value: rewriteValue(wanted, addresses) } } };
}

const run = promisify(execFile);

/**
 * Evaluates `wanted` with the real terraform (an apply of outputs only: no provider, no init, no
 * network) in a scratch directory under `workDir`, which is removed afterwards: its state holds
 * the lab's secrets.
 */
export async function evaluateWithTerraform(terraform: string, workDir: string, config: StackConfig, values: ComputedValues, wanted: Record<string, Json>): Promise<Record<string, Json>> {
  const dir = await mkdtemp(join(workDir, "terraform-eval-"));
  try {
    await writeFile(join(dir, "main.tf.json"), JSON.stringify(evaluationConfig(config, values, wanted), null, 1));
    await writeFile(join(dir, "none.tfrc"), "");
    const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_CLI_CONFIG_FILE: join(dir, "none.tfrc") };
    const state = join(dir, "terraform.tfstate");
    try {
      await run(terraform, ["apply", "-auto-approve", "-input=false", "-no-color", `-state=${state}`], { cwd: dir, env, maxBuffer: 64 << 20 });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`terraform could not fill in the stack's values:\n${err.stderr || err.stdout || String(e)}`);
    }
    const { stdout } = await run(terraform, ["output", "-json", `-state=${state}`], { cwd: dir, env, maxBuffer: 64 << 20 });
    const outputs = JSON.parse(stdout) as { lab: { value: Record<string, Json> } };
    return outputs.lab.value;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
