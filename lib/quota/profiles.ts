import type { AllocationType, StackInfo } from "../app/stack-info.ts";
import { JETSTREAM2_QUOTA } from "../catalog/flavors.ts";
import type { Counts } from "./needs.ts";

export { JETSTREAM2_QUOTA };

/**
 * A project's limits, one per quota item; a negative limit (OpenStack writes -1) is unlimited.
 * RAM is in MiB and volume storage in GB, as the OpenStack APIs count them.
 */
export interface Quota extends Counts {
  /** Whose limits these are, for reports: "Jetstream2 research allocation (default quota)". */
  readonly name?: string;
}

const GiB = 1024;

/**
 * OpenStack's upstream defaults, for items a cloud's documentation gives no figure for:
 * - Nova `[quota]` instances 10, cores 20, ram 51200 MiB (nova/conf/quota.py; nova docs "Quotas");
 * - Cinder volumes 10, gigabytes 1000 (cinder `quota_volumes`, `quota_gigabytes`);
 * - Neutron network 100, subnet 100, port 500, router 10, floatingip 50, security_group 10,
 *   security_group_rule 100 (neutron/conf/quota.py; neutron admin guide "Manage Networking
 *   service quotas"). Neutron's port default has been 500, not 50, since the Liberty era.
 */
export const OPENSTACK_DEFAULT_QUOTA: Quota = {
  name: "OpenStack's upstream default quota",
  instances: 10,
  cores: 20,
  ramMiB: 50 * GiB,
  volumes: 10,
  gigabytes: 1000,
  floatingIps: 50,
  networks: 100,
  subnets: 100,
  routers: 10,
  securityGroups: 10,
  securityGroupRules: 100,
  ports: 500,
};

/**
 * What every Jetstream2 allocation starts with beyond cores, RAM and floating IPs:
 * - one router ("Router Quota Policies", docs/general/policies.md);
 * - 10 volumes holding 1 TB (1000 GB) in all ("Cost and Size", docs/general/storage.md);
 * - the rest are OpenStack's upstream defaults: the documentation gives no figure.
 */
const JETSTREAM2_BASE: Omit<Quota, "cores" | "ramMiB" | "floatingIps"> = {
  ...OPENSTACK_DEFAULT_QUOTA,
  volumes: 10,
  gigabytes: 1000,
  routers: 1,
};

/**
 * Jetstream2's default quotas per allocation type, for the CPU resource (docs/general/quotas.md:
 * startup/research 150 cores, 585 GB RAM, 10 floating IPs; education 200 cores, 780 GB, 25;
 * Jetstream2 Trial Allocation 2 cores, 6 GB, 2). The documentation's "GB" of RAM are Nova's GiB
 * (3.9 GB per core is 15 GiB per m3.quad). A trial allocation also holds one instance and one
 * 10 GB volume (docs/alloc/trial.md), limits that are never raised.
 *
 * The cloud's real limits may differ (allocations get increases); `readLiveQuota` reads them.
 */
export const JETSTREAM2_QUOTA_PROFILES: Readonly<Record<AllocationType, Quota>> = {
  research: {
    ...JETSTREAM2_BASE,
    name: "Jetstream2 research allocation (default quota)",
    cores: JETSTREAM2_QUOTA.cores,
    ramMiB: JETSTREAM2_QUOTA.memoryGiB * GiB,
    floatingIps: JETSTREAM2_QUOTA.floatingIps,
  },
  education: {
    ...JETSTREAM2_BASE,
    name: "Jetstream2 education allocation (default quota)",
    cores: 200,
    ramMiB: 780 * GiB,
    floatingIps: 25,
  },
  trial: {
    ...JETSTREAM2_BASE,
    name: "Jetstream2 trial allocation (fixed quota)",
    instances: 1,
    cores: 2,
    ramMiB: 6 * GiB,
    floatingIps: 2,
    volumes: 1,
    gigabytes: 10,
  },
};

/**
 * The default quota for a stack, from its `drover.json`: the Jetstream2 profile of its allocation
 * type (research when unnamed); undefined for clouds without a published default.
 */
export function defaultQuotaFor(info: Pick<StackInfo, "cloud"> | undefined): Quota | undefined {
  if (info?.cloud.name !== "jetstream2") return undefined;
  return JETSTREAM2_QUOTA_PROFILES[info.cloud.allocationType ?? "research"];
}
