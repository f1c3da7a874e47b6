import { BUNDLE_KEY, decodeBundle, REF_KEY } from "../agent/bundle.ts";
import type { AttributeChange } from "./model.ts";
import { textDiff } from "./values.ts";

/**
 * A machine's configuration bundle (lib/agent/bundle.ts) shows in a plan as what it says, not as
 * dozens of changed base64 chunks: the chunk changes fold into one change, `configuration`, whose
 * text diff is the bundle's JSON before and after, and the update is said to apply in place.
 */

/** Why an update that carries a new bundle changes nothing else on the machine. */
export const IN_PLACE_REASON = "in place: drover-agent applies the new configuration on the running machine within about 2 minutes";

const isBundlePath = (path: string) => path === `metadata.${BUNDLE_KEY}` || path.startsWith(`metadata.${BUNDLE_KEY}_`) || path.startsWith(`metadata.${REF_KEY}`);

function readable(metadata: unknown): string {
  if (metadata === null || typeof metadata !== "object") return "";
  try {
    return `${JSON.stringify(decodeBundle(metadata as Record<string, string>), null, 2)}\n`;
  } catch {
    return "";
  }
}

/**
 * The changes with the bundle's folded into one, and whether the bundle changed. `before` and
 * `after` are the machine's whole metadata maps (undefined when absent or not known).
 */
export function foldBundleChanges(changes: readonly AttributeChange[], before: unknown, after: unknown): { changes: AttributeChange[]; bundleChanged: boolean } {
  const bundle = changes.filter((c) => isBundlePath(c.path));
  if (bundle.length === 0) return { changes: [...changes], bundleChanged: false };
  const rest = changes.filter((c) => !isBundlePath(c.path));
  const was = readable(before);
  const now = readable(after);
  const header = (m: unknown) => (m && typeof m === "object" ? (m as Record<string, string>)[BUNDLE_KEY] : undefined);
  const sha = (m: unknown) => header(m)?.split(":")[1]?.slice(0, 12);
  const folded: AttributeChange = {
    path: "configuration",
    before: sha(before) ? { kind: "known", value: `bundle ${sha(before)}` } : { kind: "absent" },
    after: sha(after) ? { kind: "known", value: `bundle ${sha(after)}` } : { kind: "absent" },
    forcesReplacement: bundle.some((c) => c.forcesReplacement),
    ...(was !== now ? { textDiff: textDiff("configuration", was, now) } : {}),
  };
  return { changes: [...rest, folded], bundleChanged: true };
}
