import { UsageError } from "../errors.ts";
import { orList } from "../naming.ts";
import { MACHINE_TYPES } from "../clouds/index.ts";

/**
 * `drover deploy --rebuild <target>`: the machines to replace on request (terraform's `-replace`),
 * since a change of configuration never rebuilds one. A target is a construct path (every machine
 * under it: `hpc/lab` rebuilds a whole cluster, `hpc/lab/cpu-2` one node) or a machine's name.
 */
export function rebuildAddresses(stack: string, config: Record<string, unknown>, targets: readonly string[]): string[] {
  const machines: Array<{ address: string; path: string; name: string }> = [];
  const resources = (config.resource ?? {}) as Record<string, Record<string, { name?: unknown; "//"?: { metadata?: { path?: string } } }>>;
  for (const [type, byName] of Object.entries(resources)) {
    if (!MACHINE_TYPES.has(type)) continue;
    for (const [key, body] of Object.entries(byName)) {
      machines.push({ address: `${type}.${key}`, path: body["//"]?.metadata?.path ?? "", name: typeof body.name === "string" ? body.name : key });
    }
  }
  const out = new Set<string>();
  for (const target of targets) {
    const t = target.replace(/\/+$/, "");
    const withStack = t.startsWith(`${stack}/`) ? t : `${stack}/${t}`;
    const hits = machines.filter((m) => m.name === t || m.path === withStack || m.path.startsWith(`${withStack}/`));
    if (hits.length === 0) {
      const known = machines.map((m) => `${m.name} (${m.path.replace(/\/Resource$/, "")})`);
      throw new UsageError(`--rebuild ${JSON.stringify(target)} names no machine of stack ${stack}`, [
        known.length ? `Name a machine or a construct holding machines: ${orList(known)}.` : `Stack ${stack} has no machines.`,
      ]);
    }
    for (const m of hits) out.add(m.address);
  }
  return [...out].sort();
}
