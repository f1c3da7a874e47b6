import type { Construct } from "constructs";
import { ValidationError } from "../lib/errors.ts";
import { nearestMatches, orList } from "../lib/naming.ts";
import { POLICY_CHECKS } from "../lib/policy/checks.ts";
import { describeValue } from "../lib/props/check.ts";
import { DroverStack } from "./drover-stack.ts";

/**
 * Suppresses one policy finding on a construct and everything under it, with the reason a
 * reviewer reads: `drover validate` and `drover plan` still list the finding, marked suppressed
 * with the reason, and do not count it. Findings can be suppressed only here, in code, so the
 * reason is reviewed with the change that needs it. The ID must be one of drover's checks: a
 * misspelt ID would suppress nothing and say nothing.
 *
 * @example
 * // A public tutorial server: SSH from anywhere, fail2ban and keys only.
 * suppressPolicy(tutorialVm, "DRV002", "workshop attendees connect from hotel networks; keys only, fail2ban");
 */
export function suppressPolicy(scope: Construct, id: string, reason: string): void {
  const problems: Array<{ code: string; path: string; message: string }> = [];
  const ids = POLICY_CHECKS.map((c) => c.id);
  if (typeof id !== "string" || !ids.includes(id)) {
    const near = typeof id === "string" ? nearestMatches(id.toUpperCase(), ids) : [];
    problems.push({
      code: "policy.bad-id",
      path: scope.node.path,
      message:
        `suppressPolicy: ${describeValue(id)} is not one of drover's policy checks` +
        (near.length ? `: did you mean ${orList(near)}?` : "") +
        ` Checks: ${POLICY_CHECKS.map((c) => `${c.id} (${c.title})`).join(", ")}.`,
    });
  }
  if (typeof reason !== "string" || reason.trim().length < 10) {
    problems.push({ code: "policy.no-reason", path: scope.node.path, message: `suppressPolicy: give the reason the finding does not apply (at least 10 characters), got ${describeValue(reason)}` });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  DroverStack.of(scope).addPolicySuppression(scope, id, reason.trim());
}
