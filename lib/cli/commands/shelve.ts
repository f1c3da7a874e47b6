import { loadProject } from "../../app/project.ts";
import { writePowerMarker } from "../../deploy/power.ts";
import { readPowerMarker, SHELVED } from "../../state/power.ts";
import { runStack, type RunOptions, type RunResult } from "../../deploy/run.ts";
import { UsageError } from "../../errors.ts";

export interface PowerResult extends RunResult {
  /** What was asked: the stack's machines shelved, or woken. */
  readonly power: "shelve" | "unshelve";
  /** The mark `.drover/power/<stack>.json` holds afterwards. */
  readonly shelved: boolean;
}

/**
 * `drover shelve <stack>`: marks the stack shelved, then previews, confirms and applies it like
 * a deploy. Every OpenStack machine of the stack gets `power_state = "shelved_offloaded"` (no
 * service units while shelved; volumes, ports and addresses stay), and later plans and deploys
 * keep it so until `drover unshelve`. Nothing applied (declined, failed before changing
 * anything, interrupted) leaves the mark as it was.
 */
export function shelve(options: RunOptions): Promise<PowerResult> {
  return setPower("shelve", options);
}

/** `drover unshelve <stack>`: removes the mark, then previews, confirms and applies the wake-up. */
export function unshelve(options: RunOptions): Promise<PowerResult> {
  return setPower("unshelve", options);
}

async function setPower(power: "shelve" | "unshelve", options: RunOptions): Promise<PowerResult> {
  if (!options.stack) throw new UsageError(`name the stack to ${power}`, [`drover ${power} <stack>`]);
  const root = loadProject(options.cwd).root;
  const before = readPowerMarker(root, options.stack);
  if (power === "unshelve" && !before) {
    throw new UsageError(`stack ${options.stack} is not shelved by drover (no .drover/power/${options.stack}.json)`, [`Its machines run as the code says: drover plan ${options.stack}`]);
  }
  writePowerMarker(root, options.stack, power === "shelve" ? { state: SHELVED, since: new Date().toISOString() } : undefined);
  let result: RunResult;
  try {
    result = await runStack("deploy", { ...options, requireDeployed: power === "shelve" ? "shelve" : "wake" });
  } catch (e) {
    writePowerMarker(root, options.stack, before);
    throw e;
  }
  // Applied, or nothing to change: the mark stands. Declined or failed: back as it was (a failed
  // apply may have changed some machines; the next shelve, unshelve or deploy converges them).
  const kept = result.outcome === "applied" || result.outcome === "no-changes";
  if (!kept) writePowerMarker(root, options.stack, before);
  return { ...result, power, shelved: kept ? power === "shelve" : Boolean(before) };
}
