/**
 * The resources and data sources of a synthesized stack's Terraform JSON (`cdk.tf.json`), with
 * the construct path cdktf writes beside each: what the graph and the policy checks both read.
 *
 * @example
 * const resources = resourcesOf(JSON.parse(readFileSync("cdk.tf.json", "utf8")));
 * resources.map((r) => `${r.address} ${r.constructPath ?? "-"}`);
 */

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** One `resource` or `data` block of the configuration. */
export interface ConfigResource {
  /** `<type>.box_45895026`, or `data.<type>.ext`. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly mode: "managed" | "data";
  readonly body: Json;
  /** The construct path cdktf writes into `//`.metadata.path; absent for JSON it did not write. */
  readonly constructPath?: string;
}

/** Resources, then data sources, in the order the configuration lists them. */
export function resourcesOf(config: Json): ConfigResource[] {
  const out: ConfigResource[] = [];
  for (const [mode, section] of [
    ["managed", config.resource],
    ["data", config.data],
  ] as const) {
    if (!isObject(section)) continue;
    for (const [type, named] of Object.entries(section)) {
      if (!isObject(named)) continue;
      for (const [name, body] of Object.entries(named)) {
        if (!isObject(body)) continue;
        const meta = isObject(body["//"]) && isObject(body["//"].metadata) ? body["//"].metadata : undefined;
        const path = meta?.path;
        const address = `${mode === "data" ? "data." : ""}${type}.${name}`;
        out.push({ address, type, name, mode, body, ...(typeof path === "string" ? { constructPath: path } : {}) });
      }
    }
  }
  return out;
}
