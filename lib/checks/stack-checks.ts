import { CREDENTIAL_TYPES, cloudFacts } from "../clouds/index.ts";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { StackInfo } from "../app/stack-info.ts";
import { costChange, type CostChange } from "../cost/model.ts";
import { CheckFailedError } from "../errors.ts";
import { policyOutcome, renderFindings, runPolicy, type Finding, type PolicyLevel } from "../policy/index.ts";
import { checkQuota, renderQuotaCheck, type QuotaCheck } from "../quota/check.ts";
import { readLiveQuota } from "../quota/live.ts";
import { QUOTA_ITEMS, needsIncrease, stackNeeds, type Counts } from "../quota/needs.ts";
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
  /**
   * Constructs that create an application credential while the deploying one is restricted
   * (Keystone refuses it that, so the apply would stop halfway): known only with live credentials.
   */
  readonly credential?: { readonly restricted: true; readonly creators: readonly string[] };
}

/** Top-level constructs of the stack that create a credential for software in the cloud (an OpenStack application credential). */
export function credentialCreators(config: Record<string, unknown>): string[] {
  const resources = (config.resource ?? {}) as Record<string, Record<string, { "//"?: { metadata?: { path?: string } } }> | undefined>;
  const paths = [...CREDENTIAL_TYPES].flatMap((type) => Object.values(resources[type] ?? {})).map((r) => r["//"]?.metadata?.path ?? "");
  // "stack/hpc/Credential" → "stack/hpc": the construct a person wrote.
  return [...new Set(paths.filter(Boolean).map((p) => p.split("/").slice(0, 2).join("/")))].sort();
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
  /**
   * The app's other stacks: those on the same project share its quota, so offline their needs
   * are counted with this stack's (two stacks with a router each need two routers).
   */
  readonly others?: ReadonlyArray<{ readonly name: string; readonly config: Record<string, unknown>; readonly info?: StackInfo }>;
}

/** Whether two stacks draw on one project's quota: the same cloud, region and project (or none named). */
function sameProject(a: StackInfo, b: StackInfo): boolean {
  return a.cloud.kind === b.cloud.kind && a.cloud.name === b.cloud.name && a.cloud.region === b.cloud.region && (a.cloud.project ?? "") === (b.cloud.project ?? "");
}

export async function checkStack(input: StackCheckInput): Promise<StackChecks> {
  const info = input.info;
  const cost = costChange(input.baseline, input.config, info, info);
  let quota: QuotaCheck | undefined;
  let credential: StackChecks["credential"];
  if (info && cloudFacts(info.cloud.kind)?.projectQuota) {
    const after = stackNeeds(input.config, info);
    const live = input.live ? await readLiveQuota(input.env ?? process.env) : undefined;
    const creators = credentialCreators(input.config);
    if (live?.applicationCredential?.restricted && creators.length > 0) credential = { restricted: true, creators };
    if (live) {
      const before = input.baseline ? stackNeeds(input.baseline, info) : undefined;
      quota = checkQuota(after, live.quota, live.inUse, needsIncrease(after, before));
    } else {
      const limits = defaultQuotaFor(info);
      const siblings = (input.others ?? []).filter((o) => o.name !== input.stack && o.info && sameProject(o.info, info));
      let total = after;
      for (const o of siblings) {
        const n = stackNeeds(o.config, o.info);
        total = { ...(Object.fromEntries(QUOTA_ITEMS.map((k) => [k, total[k] + n[k]])) as Counts), notCounted: [...total.notCounted, ...n.notCounted] };
      }
      if (limits)
        quota = checkQuota(
          total,
          limits,
          undefined,
          undefined,
          siblings.map((o) => o.name),
        );
    }
  }
  let findings: readonly Finding[] = [];
  if (input.policyLevel !== "off" && info) {
    const files = new Map<string, string>();
    for (const f of info.files) files.set(f, await readFile(join(input.dir, f), "utf8").catch(() => ""));
    findings = runPolicy({ config: input.config, info, files, ...(input.allowDestroy ? { allowDestroy: true } : {}) }).findings;
  }
  const { failed } = policyOutcome(findings, input.policyLevel);
  return { cost, ...(quota ? { quota } : {}), policy: { level: input.policyLevel, findings, failed }, ...(credential ? { credential } : {}) };
}

/** The lines `drover plan` prints under a stack's plan. */
export function renderStackChecks(checks: StackChecks): string {
  const lines = [`Cost: ${checks.cost.text}`];
  if (checks.quota) {
    lines.push(checks.quota.ok ? `Quota${checks.quota.quotaName ? ` (${checks.quota.quotaName})` : ""}: within` : renderQuotaCheck(checks.quota).trimEnd());
  }
  if (checks.policy.level !== "off") lines.push(`Policy (level ${checks.policy.level}):`, renderFindings(checks.policy.findings).trimEnd().replace(/^/gm, "  "));
  if (checks.credential)
    lines.push(`Credential: restricted, and ${checks.credential.creators.join(", ")} ${checks.credential.creators.length === 1 ? "creates" : "create"} an application credential (see below)`);
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
  const fixes: string[] = [];
  if (reasons.length > 0)
    fixes.push("Make the stack smaller or ask for a quota increase; fix the policy findings, suppress one in code with suppressPolicy(scope, id, reason), or lower --policy-level.");
  if (checks.credential) {
    for (const c of checks.credential.creators) {
      reasons.push(`credential: ${c} creates an application credential, and the one you deploy with is restricted, which Keystone forbids: terraform apply would stop halfway with a 403`);
    }
    const id = (c: string) => c.split("/").pop()!.replace(/-/g, "_");
    fixes.push(
      "Either deploy with an unrestricted application credential (openstack application credential create --unrestricted <name>, or tick Unrestricted in Horizon; then source its openrc),",
      `or give ${checks.credential.creators.join(" and ")} applicationCredential: "provided" and pass one you created (restricted is fine): ${checks.credential.creators
        .map((c) => `TF_VAR_${id(c)}_application_credential_id and TF_VAR_${id(c)}_application_credential_secret`)
        .join("; ")}; the access rules it needs are in cdktf.out/stacks/${stack}/files/<construct>/access-rules.json.`,
    );
  }
  if (reasons.length === 0) return;
  throw new CheckFailedError(`stack ${stack} does not pass the checks before apply; nothing was applied`, [...reasons, ...fixes]);
}
