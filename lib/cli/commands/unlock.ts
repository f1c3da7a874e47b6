import { prepare, chooseStack } from "../../deploy/run.ts";
import { UsageError } from "../../errors.ts";

export interface UnlockOptions {
  readonly cwd: string;
  readonly stack: string;
  readonly lockId: string;
  readonly terraformBinary?: string;
  readonly pluginDir?: string;
}

/**
 * `drover unlock <stack> <lock-id>`: releases a state lock a crashed run left behind
 * (`terraform force-unlock`). Only for locks nobody holds any more: the error that reports a
 * lock says who holds it and since when.
 */
export async function unlock(options: UnlockOptions): Promise<{ stack: string; lockId: string; released: true }> {
  const [p] = await prepare({ ...options, stacks: [options.stack], pick: (all) => [chooseStack(options.stack, all, "unlock")], requireDeployed: "unlock" });
  if (p!.terraform.backend === "pg") {
    throw new UsageError(`stack ${options.stack} keeps its state in PostgreSQL, whose locks need no releasing`, [
      "PostgreSQL holds the lock only while the run that took it is connected: it is released when that run ends, even if it crashed.",
    ]);
  }
  const holder = await p!.terraform.lockHolder();
  if (!holder) throw new UsageError(`stack ${options.stack} is not locked: there is nothing to release`);
  if (holder.id && holder.id !== options.lockId) {
    throw new UsageError(`stack ${options.stack} is locked with ID ${holder.id}, not ${options.lockId}`, [
      "Check the ID in the lock message; releasing a lock that a live run holds can corrupt the state.",
    ]);
  }
  await p!.terraform.forceUnlock(options.lockId);
  return { stack: options.stack, lockId: options.lockId, released: true };
}
