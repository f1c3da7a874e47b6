import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { StackInfo } from "../app/stack-info.ts";
import { costChange, type CostChange } from "../cost/model.ts";
import { CheckFailedError } from "../errors.ts";
import { policyOutcome, renderFindings, runPolicy, type Finding, type PolicyLevel } from "../policy/index.ts";
import { checkQuota, renderQuotaCheck, type QuotaCheck } from "../quota/check.ts";
import { readLiveQuota } from "../quota/live.ts";
import { needsIncrease, stackNeeds } from "../quota/needs.ts";
import { defaultQuotaFor } from "../quota/profiles.ts";

/**
 * What drover tells before anything is applied, beyond the resource changes: the SU (or USD)
 * change, the quota the stack needs against what the project holds, and the policy findings.
 * `drover plan` shows it under each plan; `drover plan` and `drover deploy` stop (exit 1, nothing
 * applied) when the quota is exceeded or the policy fails at the chosen level.
 */
export interface StackChecks {
  readonly cost: CostChange;
  /** OpenStack stacks only: other clouds' quotas are the account's business, not drover's. */
  readonly quota?: QuotaCheck;
  readonly policy: {
    readonly level: PolicyLevel;
    readonly findings: readonly Finding[];
    readonly failed: boolean;
  };
}

export interface StackCheckInput {
  readonly stack: string;
  /** The stack directory (`cdktf.out/stacks/<stack>`): its rendered files are read from there. */
  readonly dir: string;
  readonly config: Record<string, unknown>;
  readonly info?: StackInfo;
  /** The configuration last deployed from here, when there is one: what the change is measured from. */
  readonly baseline?: Record<string, unknown>;
  readonly policyLevel: PolicyLevel;
  /** Read the project's live limits when OpenStack credentials are in the environment. */
  readonly live: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly allowDestroy?: boolean;
}

export async function checkStack(input: StackCheckInput): Promise<StackChecks> {
  const info = input.info;
  const cost = costChange(input.baseline, input.config, info, info);
  let quota: QuotaCheck | undefined;
  if (info?.cloud.kind === "openstack") {
    const after = stackNeeds(input.config, info);
    const live = input.live ? await readLiveQuota(input.env ?? process.env) : undefined;
    if (live) {
      const before = input.baseline ? stackNeeds(input.baseline, info) : undefined;
      quota = checkQuota(after, live.quota, live.inUse, needsIncrease(after, before));
    } else {
      const limits = defaultQuotaFor(info);
      if (limits) quota = checkQuota(after, limits);
    }
  }
  let findings: readonly Finding[] = [];
  if (input.policyLevel !== "off" && info) {
    const files = new Map<string, string>();
    for (const f of info.files) files.set(f, await readFile(join(input.dir, f), "utf8").catch(() => ""));
    findings = runPolicy({ config: input.config, info, files, ...(input.allowDestroy ? { allowDestroy: true } : {}) }).findings;
  }
  const { failed } = policyOutcome(findings, input.policyLevel);
  return { cost, ...(quota ? { quota } : {}), policy: { level: input.policyLevel, findings, failed } };
}

/** The lines `drover plan` prints under a stack's plan. */
export function renderStackChecks(checks: StackChecks): string {
  const lines = [`Cost: ${checks.cost.text}`];
  if (checks.quota) {
    lines.push(checks.quota.ok ? `Quota${checks.quota.quotaName ? ` (${checks.quota.quotaName})` : ""}: within` : renderQuotaCheck(checks.quota).trimEnd());
  }
  if (checks.policy.level !== "off") lines.push(`Policy (level ${checks.policy.level}):`, renderFindings(checks.policy.findings).trimEnd().replace(/^/gm, "  "));
  return lines.join("\n");
}

/** Stops a plan or deploy whose checks failed: exit 1, each reason on its line. */
export function refuseFailedChecks(stack: string, checks: StackChecks): void {
  const reasons: string[] = [];
  if (checks.quota && !checks.quota.ok) {
    // The check's own lines for each exceeded item ("  RAM: need 631 GiB, limit 585 GiB").
    for (const line of checks.quota.text.split("\n").filter((l) => /^\s+\S.*limit/.test(l))) reasons.push(`quota ${checks.quota.quotaName ?? ""}: ${line.trim()}`.replace(" :", ":"));
  }
  if (checks.policy.failed) {
    const counted = policyOutcome(checks.policy.findings, checks.policy.level).counted;
    for (const f of counted) reasons.push(`policy ${f.id} (${f.severity}) ${f.construct}: ${f.message}`);
  }
  if (reasons.length === 0) return;
  throw new CheckFailedError(`stack ${stack} does not pass the checks before apply; nothing was applied`, [
    ...reasons,
    "Make the stack smaller or ask for a quota increase; fix the policy findings, suppress one in code with suppressPolicy(scope, id, reason), or lower --policy-level.",
  ]);
}
