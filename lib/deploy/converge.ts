import { BUNDLE_KEY } from "../agent/bundle.ts";
import type { Plan } from "../plan/model.ts";
import { MACHINE_TYPES } from "../clouds/index.ts";
import { readConsoleLogs } from "../quota/live.ts";

/**
 * After a deploy, until each machine whose configuration changed has applied it: drover-agent
 * writes `drover-agent: configuration <sha12> applied` to the console when it has applied a
 * bundle, and the cloud's console log is readable with the deploying person's credentials, so
 * the deploy machine needs no way into the machines (a CI runner has none).
 */

/** How long a deploy waits for its machines' agents. */
export const CONVERGE_TIMEOUT_MS = 5 * 60_000;

export interface Awaited {
  /** The machine's name (its server's name). */
  readonly name: string;
  /** The first 12 hex digits of its new bundle's checksum. */
  readonly sha: string;
}

export interface Convergence {
  /** Machines that applied their configuration, with the seconds it took after the apply. */
  readonly converged: ReadonlyArray<{ readonly name: string; readonly seconds: number }>;
  /** Machines that did not within the time. */
  readonly pending: readonly string[];
  /** Why the console logs could not be read, when they could not. */
  readonly error?: string;
}

/** The machines a plan gives a new configuration (created, replaced, or updated with a new bundle), from the synthesized config. */
export function awaitedMachines(plan: Plan, config: Record<string, unknown>): Awaited[] {
  const resources = (config.resource ?? {}) as Record<string, Record<string, { name?: unknown; metadata?: Record<string, unknown> }>>;
  const out: Awaited[] = [];
  for (const r of plan.resources) {
    if (!MACHINE_TYPES.has(r.type) || r.mode !== "managed") continue;
    const newConfig = r.action === "create" || r.action === "replace" || (r.action === "update" && r.changes.some((c) => c.path === "configuration"));
    if (!newConfig) continue;
    const body = resources[r.type]?.[r.address.slice(r.type.length + 1).replace(/\[[^\]]*\]$/, "")];
    const header = body?.metadata?.[BUNDLE_KEY];
    if (typeof header !== "string" || typeof body?.name !== "string") continue;
    out.push({ name: body.name, sha: header.split(":")[1]!.slice(0, 12) });
  }
  return out;
}

/**
 * Polls the console logs until every machine says it applied its bundle, or the time is up.
 * Undefined when the environment has no OpenStack credentials to read them with.
 */
export async function waitForConvergence(
  env: NodeJS.ProcessEnv,
  machines: readonly Awaited[],
  options: { timeoutMs?: number; intervalMs?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<Convergence | undefined> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? CONVERGE_TIMEOUT_MS);
  const converged: Array<{ name: string; seconds: number }> = [];
  let waiting = [...machines];
  for (;;) {
    let logs: Map<string, string | undefined> | undefined;
    try {
      logs = await readConsoleLogs(
        env,
        waiting.map((m) => m.name),
      );
    } catch (e) {
      return { converged, pending: waiting.map((m) => m.name), error: e instanceof Error ? e.message : String(e) };
    }
    if (!logs) return undefined;
    const seconds = Math.round((Date.now() - started) / 1000);
    const done = waiting.filter((m) => logs.get(m.name)?.includes(`drover-agent: configuration ${m.sha} applied`));
    for (const m of done) converged.push({ name: m.name, seconds });
    waiting = waiting.filter((m) => !done.includes(m));
    options.onProgress?.(converged.length, machines.length);
    if (waiting.length === 0 || Date.now() >= deadline || options.signal?.aborted) return { converged, pending: waiting.map((m) => m.name) };
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs ?? 10_000, Math.max(0, deadline - Date.now()))));
  }
}
