import { nearestMatches, orList } from "../naming.ts";
import { describeValue } from "../props/check.ts";
import { JETSTREAM2_FLAVORS, smallestFitting, type Flavor, type SizeRequirement } from "./flavors.ts";

export type SizeResult = { readonly ok: true; readonly flavor: Flavor } | { readonly ok: false; readonly message: string };

/** A flavor known only by name (a cloud without a catalog): its specs are unknown. */
export function namedFlavor(name: string): Flavor {
  return { name, vcpus: 0, memoryGiB: 0, rootDiskGiB: 0, gpu: 0, family: "cpu", suPerHour: 0, custom: true };
}

function describeNeed(need: SizeRequirement): string {
  const parts = [`${need.vcpus} vCPU${need.vcpus === 1 ? "" : "s"}`, `${need.memoryGiB} GiB memory`];
  if (need.gpu) parts.push(`${need.gpu} GPU`);
  return parts.join(", ");
}

function describeFlavor(f: Flavor): string {
  return `${f.name} (${f.vcpus} vCPUs, ${f.memoryGiB} GiB${f.gpu ? `, ${f.gpu} GPU` : ""})`;
}

/**
 * A Jetstream2 flavor named on another cloud (a stack moved from Jetstream2): suggests the
 * cheapest of the cloud's sizes that holds as much, else the one nearest in vCPUs and memory.
 */
function foreignFlavorMessage(prop: string, like: Flavor, flavors: readonly Flavor[], cloud: string): string {
  const need: SizeRequirement = { vcpus: like.vcpus, memoryGiB: like.memoryGiB, ...(like.gpu ? { gpu: like.gpu } : {}) };
  const pool = flavors.filter((f) => !f.onRequest && f.gpu > 0 === like.gpu > 0);
  const gap = (f: Flavor) => Math.abs(Math.log(f.vcpus / like.vcpus)) + Math.abs(Math.log(f.memoryGiB / like.memoryGiB));
  const closest = smallestFitting(flavors, need) ?? [...pool].sort((a, b) => gap(a) - gap(b))[0];
  return (
    `'${prop}' "${like.name}" is a Jetstream2 flavor, and this stack is on ${cloud}: ` +
    (closest ? `use ${describeFlavor(closest)}, the closest ${cloud} size, or ` : "") +
    `size by need: { vcpus: ${need.vcpus}, memoryGiB: ${need.memoryGiB}${need.gpu ? `, gpu: ${need.gpu}` : ""} }`
  );
}

/**
 * Turns a `size` prop into a flavor: a name must be in the catalog (unless the cloud has none);
 * a requirement picks the cheapest flavor that fits. Messages name the prop and the fix.
 */
export function resolveSize(size: unknown, flavors: readonly Flavor[], cloud: string, prop = "size"): SizeResult {
  if (typeof size === "string") {
    const name = size.trim();
    if (name === "") return { ok: false, message: `'${prop}' is empty: name a flavor${flavors.length ? ` (${orList(flavors.slice(0, 4).map((f) => f.name))}, ...)` : ""}` };
    if (flavors.length === 0) return { ok: true, flavor: namedFlavor(name) };
    const found = flavors.find((f) => f.name === name);
    if (found) return { ok: true, flavor: found };
    const jetstream2 = JETSTREAM2_FLAVORS.find((f) => f.name === name);
    if (jetstream2) return { ok: false, message: foreignFlavorMessage(prop, jetstream2, flavors, cloud) };
    const near = nearestMatches(
      name,
      flavors.map((f) => f.name),
    );
    return {
      ok: false,
      message: `'${prop}' "${name}" is not a ${cloud} flavor` + (near.length ? `: did you mean ${orList(near)}? Flavors: ` : `. Use one of: `) + `${flavors.map((f) => f.name).join(", ")}.`,
    };
  }
  if (typeof size !== "object" || size === null) {
    return { ok: false, message: `'${prop}' must be a flavor name or { vcpus, memoryGiB, gpu? }, got ${describeValue(size)}` };
  }
  const need = size as SizeRequirement;
  const problems: string[] = [];
  if (!Number.isInteger(need.vcpus) || need.vcpus < 1) problems.push(`'${prop}.vcpus' must be a whole number of at least 1, got ${describeValue(need.vcpus)}`);
  if (typeof need.memoryGiB !== "number" || !(need.memoryGiB > 0)) problems.push(`'${prop}.memoryGiB' must be a number above 0, got ${describeValue(need.memoryGiB)}`);
  if (need.gpu !== undefined && (typeof need.gpu !== "number" || need.gpu < 0 || need.gpu > 8)) {
    problems.push(`'${prop}.gpu' must be a share of GPUs from 0 to 8 (0.25 = a quarter of one), got ${describeValue(need.gpu)}`);
  }
  if (problems.length) return { ok: false, message: problems.join("; ") };
  if (flavors.length === 0) {
    return {
      ok: false,
      message: `'${prop}' ${JSON.stringify(need)} needs a flavor catalog, and this ${cloud} profile has none: name a flavor (size: "m1.large") or pass 'flavors' to the cloud profile`,
    };
  }
  const fit = smallestFitting(flavors, need);
  if (fit) return { ok: true, flavor: fit };
  const pool = flavors.filter((f) => !f.onRequest && ((need.gpu ?? 0) > 0 ? f.gpu > 0 : true));
  const largest = [...pool].sort((a, b) => b.vcpus - a.vcpus || b.memoryGiB - a.memoryGiB)[0];
  return {
    ok: false,
    message: `no ${cloud} flavor has ${describeNeed(need)}${largest ? `; the largest${(need.gpu ?? 0) > 0 ? " GPU" : ""} flavor is ${describeFlavor(largest)}` : ""}: lower the requirement or split the work across machines`,
  };
}
