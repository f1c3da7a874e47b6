import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { fileWriteFailure } from "../app/fs-errors.ts";

/**
 * Whether a stack's machines are shelved: an operational state, not part of the code, kept in
 * `.drover/power/<stack>.json` (git-ignored, beside the deploy baselines) by `drover shelve`
 * and removed by `drover unshelve`. Synthesis reads it, so every plan and deploy of the stack
 * keeps the machines shelved until it is removed: a deploy never wakes them by surprise.
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

const pathOf = (root: string, stack: string) => join(root, ".drover", "power", `${stack}.json`);

export function readPowerMarker(root: string, stack: string): PowerMarker | undefined {
  const path = pathOf(root, stack);
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

export function writePowerMarker(root: string, stack: string, marker: PowerMarker | undefined): void {
  try {
    writeMarker(root, stack, marker);
  } catch (e) {
    throw fileWriteFailure(e, `the shelved mark .drover/power/${stack}.json`, "Make .drover a directory drover may write (git-ignore it), then run the command again; nothing was applied.") ?? e;
  }
}

function writeMarker(root: string, stack: string, marker: PowerMarker | undefined): void {
  const path = pathOf(root, stack);
  if (!marker) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(join(root, ".drover", "power"), { recursive: true });
  writeFileSync(path, `${JSON.stringify(marker, null, 2)}\n`);
}
