import { Bytes } from "@cdktf/provider-random/lib/bytes/index.js";
import { Password } from "@cdktf/provider-random/lib/password/index.js";
import { RandomProvider } from "@cdktf/provider-random/lib/provider/index.js";
import type { Construct } from "constructs";
import { DroverStack } from "../drover-stack.ts";

/**
 * Secrets Terraform generates (hashicorp/random) and keeps in its state: each returns a
 * reference, sensitive in every plan, so synthesized files hold only the reference.
 */
function ensureProvider(scope: Construct): void {
  const stack = DroverStack.of(scope);
  if (!stack.node.tryFindChild("random")) new RandomProvider(stack, "random");
}

/** Bytes in a munge key: munged wants at least 32; 1024 is what `mungekey` creates by default. */
const MUNGE_KEY_BYTES = 1024;

/** A munge key for a cluster, base64-encoded, which the nodes' user data decode at boot. */
export function mungeKey(scope: Construct): string {
  ensureProvider(scope);
  return new Bytes(scope, "MungeKey", { length: MUNGE_KEY_BYTES }).base64;
}

/**
 * A password of letters and digits only: it is pasted into YAML, cloud.conf and k3s's token
 * file, where quotes, backslashes, ':' or '.' would change its meaning.
 */
export function randomPassword(scope: Construct, id: string, length: number): string {
  ensureProvider(scope);
  return new Password(scope, id, { length, special: false }).result;
}
