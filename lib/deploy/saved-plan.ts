import { createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { CheckFailedError, UsageError } from "../errors.ts";

/**
 * A plan saved for review (`drover plan <stack> --out <file>`) and applied exactly as reviewed
 * (`drover deploy <file>`), for pull-request workflows: the plan is made and posted on the pull
 * request, the same file is applied on merge. The file holds terraform's own binary plan, which
 * terraform refuses to apply once the state has changed since, and the SHA-256 of the stack's
 * synthesized Terraform, which drover compares before anything runs, so a file planned from
 * other code is refused too.
 *
 * Like terraform's plan file, it holds every value of the stack in clear text: it is written
 * readable by its owner only, and belongs with the state, not in git.
 */
export const SAVED_PLAN_FORMAT = "drover-saved-plan";

export interface SavedPlan {
  readonly format: typeof SAVED_PLAN_FORMAT;
  readonly version: 1;
  readonly stack: string;
  readonly createdAt: string;
  readonly terraformVersion: string;
  /** SHA-256 of the stack's `cdk.tf.json` the plan was made from. */
  readonly configSha256: string;
  /** Planned with `--allow-destroy` (which changes the synthesized stack too). */
  readonly allowDestroy: boolean;
  /** terraform's plan file, base64. */
  readonly terraformPlan: string;
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function writeSavedPlan(path: string, plan: Omit<SavedPlan, "format" | "version">): void {
  writeFileSync(path, `${JSON.stringify({ format: SAVED_PLAN_FORMAT, version: 1, ...plan })}\n`, { mode: 0o600 });
}

/** Whether `arg` (to `drover deploy`) names a file rather than a stack: stack names never hold '.' or '/'. */
export function isPlanFileArgument(arg: string, resolved: string): boolean {
  return /[./\\]/.test(arg) && statSync(resolved, { throwIfNoEntry: false })?.isFile() === true;
}

export function readSavedPlan(path: string, shown: string): SavedPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UsageError(`${shown} is not a plan drover saved: ${(e as Error).message}`, ["Save one with drover plan <stack> --out <file>, then apply it with drover deploy <file>."]);
  }
  const p = raw as Partial<SavedPlan>;
  if (p?.format !== SAVED_PLAN_FORMAT || p.version !== 1 || typeof p.stack !== "string" || typeof p.configSha256 !== "string" || typeof p.terraformPlan !== "string") {
    throw new UsageError(`${shown} is not a plan drover saved (format ${SAVED_PLAN_FORMAT}, version 1)`, ["Save one with drover plan <stack> --out <file>, then apply it with drover deploy <file>."]);
  }
  return p as SavedPlan;
}

/** Refuses a saved plan made from a stack other than the one the code synthesizes now. */
export function refuseStale(saved: SavedPlan, shown: string, configText: string): void {
  if (sha256(configText) === saved.configSha256) return;
  throw new CheckFailedError(`the saved plan ${shown} is stale: stack ${saved.stack} synthesizes differently now than when it was planned (${saved.createdAt}); nothing was applied`, [
    "The code (or its inputs: environment, drover.config.json) changed since the plan was reviewed.",
    `Plan again and review that: drover plan ${saved.stack} --out ${shown}`,
  ]);
}
