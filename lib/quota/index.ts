/**
 * Quota: what a synthesized OpenStack stack needs from a project, the default quotas of
 * Jetstream2's allocation types, the project's live limits, and the check between them.
 *
 * ```ts
 * const need = stackNeeds(config, info);
 * const live = await readLiveQuota(process.env);
 * const check = live
 *   ? checkQuota(need, live.quota, live.inUse, needsIncrease(need, deployedNeed))
 *   : checkQuota(need, defaultQuotaFor(info) ?? JETSTREAM2_QUOTA_PROFILES.research);
 * if (!check.ok) console.error(check.text);
 * ```
 */
export { QUOTA_ITEMS, stackNeeds, needsIncrease, zeroCounts, type Counts, type Needs, type QuotaItem, type StackNeedsOptions, type Uncounted } from "./needs.ts";
export { JETSTREAM2_QUOTA, JETSTREAM2_QUOTA_PROFILES, OPENSTACK_DEFAULT_QUOTA, defaultQuotaFor, type Quota } from "./profiles.ts";
export { QUOTA_LABELS, checkQuota, renderQuotaCheck, type QuotaCheck, type QuotaFinding, type Usage } from "./check.ts";
export { hasOpenStackCredentials, openStackCredentialsFrom, readLiveQuota, type LiveQuota, type LiveQuotaOptions, type OpenStackCredentials } from "./live.ts";
