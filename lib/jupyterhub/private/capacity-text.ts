import type { Flavor } from "../../catalog/flavors.ts";
import type { CapacityField, CapacityInput, CapacityIssue } from "../capacity-model.ts";

/**
 * How the capacity planner (lib/jupyterhub/capacity.ts) words what it finds: the number formats
 * of its messages and breakdown, and the findings its steps add to, with the inputs named as the
 * caller names them (field paths for the construct, flags for `drover size`).
 */

/** A value as a message quotes it: `nothing` for a missing one. */
export const show = (v: unknown): string => (v === undefined ? "nothing" : typeof v === "number" && !Number.isFinite(v) ? String(v) : (JSON.stringify(v) ?? String(v)));
/** Up to two decimals: 7.25, 117.75, 1.3. */
export const num = (n: number): string => String(Math.round(n * 100) / 100);
/** Service units, thousands separated: 2,916. */
export const su = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 2 });
/** "1 vCPU", "0.5 vCPU", "2 vCPUs". */
export const plural = (n: number, word: string) => `${num(n)} ${word}${n > 0 && n <= 1 ? "" : "s"}`;
export const vcpus = (n: number) => plural(n, "vCPU");
export const describeFlavor = (f: Flavor) => `${f.name} (${vcpus(f.vcpus)}, ${num(f.memoryGiB)} GiB${f.gpu ? `, ${num(f.gpu)} ${f.gpuModel ?? "GPU"}` : ""})`;

/** What the planner's steps find, gathered into the one result, and how messages name the inputs. */
export interface Findings {
  readonly issues: CapacityIssue[];
  readonly warnings: string[];
  /** The cloud's name, for messages. */
  readonly cloud: string;
  add(code: string, message: string): void;
  /** An input's name in messages: its field path, or what the caller calls it (a CLI flag). */
  label(f: CapacityField): string;
  /** The same, quoted. */
  q(f: CapacityField): string;
}

export function findingsFor(input: CapacityInput): Findings {
  const issues: CapacityIssue[] = [];
  const label = (f: CapacityField) => input.fieldNames?.[f] ?? f;
  return {
    issues,
    warnings: [],
    cloud: input.cloud?.name ?? "the cloud",
    add: (code, message) => issues.push({ code, message }),
    label,
    q: (f) => `'${label(f)}'`,
  };
}
