import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";

/**
 * Whether a stack's machines are shelved: an operational state, not part of the code, kept in
 * `.drover/power/<stack>.json` (git-ignored, beside the deploy baselines) by `drover shelve`
 * and removed by `drover unshelve` (lib/deploy/power.ts writes it). Synthesis reads it, so every
 * plan and deploy of the stack keeps the machines shelved until it is removed: a deploy never
 * wakes them by surprise. It lives here, below both, so that synthesis reads it without
 * importing the deploy layer.
 *
 * Shelving uses the OpenStack provider's `power_state` argument: "shelved_offloaded" frees the
 * hypervisor, and a shelved instance burns no service units on Jetstream2; its volumes, ports
 * and addresses stay.
 */
export const SHELVED = "shelved_offloaded";

export interface PowerMarker {
  readonly state: typeof SHELVED;
  /** When `drover shelve` asked for it (ISO time). */
  readonly since: string;
}

/** `.drover/power/<stack>.json` under the project's root. */
export const powerMarkerPath = (root: string, stack: string) => join(root, ".drover", "power", `${stack}.json`);

export function readPowerMarker(root: string, stack: string): PowerMarker | undefined {
  const path = powerMarkerPath(root, stack);
  if (!existsSync(path)) return undefined;
  let marker: unknown;
  try {
    marker = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(`.drover/power/${stack}.json, the mark drover shelve leaves, cannot be read: ${(e as Error).message}`, [
      `Delete it to run ${stack}'s machines as its code says (the next deploy wakes them), or run drover shelve ${stack} again to write it afresh.`,
    ]);
  }
  if (typeof marker !== "object" || marker === null || Array.isArray(marker)) {
    throw new ConfigError(`.drover/power/${stack}.json, the mark drover shelve leaves, holds ${JSON.stringify(marker)} instead of { "state": "${SHELVED}", "since": ... }`, [
      `Delete it to run ${stack}'s machines as its code says, or run drover shelve ${stack} again to write it afresh.`,
    ]);
  }
  return (marker as Partial<PowerMarker>).state === SHELVED ? (marker as PowerMarker) : undefined;
}
