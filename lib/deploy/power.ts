import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileWriteFailure } from "../app/fs-errors.ts";
import { powerMarkerPath, type PowerMarker } from "../state/power.ts";

/**
 * Writes (or, with `undefined`, removes) the mark `drover shelve` leaves for a stack; its format,
 * and the reading synthesis does, are in lib/state/power.ts.
 */
export function writePowerMarker(root: string, stack: string, marker: PowerMarker | undefined): void {
  try {
    writeMarker(root, stack, marker);
  } catch (e) {
    throw fileWriteFailure(e, `the shelved mark .drover/power/${stack}.json`, "Make .drover a directory drover may write (git-ignore it), then run the command again; nothing was applied.") ?? e;
  }
}

function writeMarker(root: string, stack: string, marker: PowerMarker | undefined): void {
  const path = powerMarkerPath(root, stack);
  if (!marker) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(join(root, ".drover", "power"), { recursive: true });
  writeFileSync(path, `${JSON.stringify(marker, null, 2)}\n`);
}
