import type { Construct } from "constructs";
import { ValidationError } from "../lib/errors.ts";
import { DroverStack } from "./drover-stack.ts";

/** Policy check IDs as drover writes them (`DRV001`). */
const POLICY_ID = /^DRV\d{3}$/;

/**
 * Suppresses one policy finding on a construct and everything under it, with the reason a
 * reviewer reads: `drover validate` and `drover plan` still list the finding, marked suppressed
 * with the reason, and do not count it. Findings can be suppressed only here, in code, so the
 * reason is reviewed with the change that needs it.
 *
 * @example
 * // A public tutorial server: SSH from anywhere, fail2ban and keys only.
 * suppressPolicy(tutorialVm, "DRV002", "workshop attendees connect from hotel networks; keys only, fail2ban");
 */
export function suppressPolicy(scope: Construct, id: string, reason: string): void {
  const problems: Array<{ code: string; path: string; message: string }> = [];
  if (typeof id !== "string" || !POLICY_ID.test(id)) {
    problems.push({ code: "policy.bad-id", path: scope.node.path, message: `suppressPolicy: ${JSON.stringify(id)} is not a policy check ID ("DRV" and three digits, as \`drover validate\` shows them)` });
  }
  if (typeof reason !== "string" || reason.trim().length < 10) {
    problems.push({ code: "policy.no-reason", path: scope.node.path, message: `suppressPolicy: give the reason the finding does not apply (at least 10 characters), got ${JSON.stringify(reason)}` });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  DroverStack.of(scope).addPolicySuppression(scope, id, reason.trim());
}
