import { AWS } from "./aws/facts.ts";
import { AZURE } from "./azure/facts.ts";
import type { CloudFacts, KubernetesClusterFacts, MachineTypeFacts, ResourceTypeFacts } from "./facts.ts";
import { GCP } from "./gcp/facts.ts";
import { CLOUD_KINDS, type CloudKind } from "./kind.ts";
import { OPENSTACK } from "./openstack/facts.ts";

/**
 * The registry of every cloud's facts (one record per cloud, `lib/clouds/<cloud>/facts.ts`),
 * and the questions the cloud-neutral code asks of them: is this resource type a machine, a
 * firewall, a holder of data; which cloud's catalog prices it. Adding a cloud adds its record
 * here and nowhere else in `lib/`.
 */

export type { CloudFacts, KubernetesClusterFacts, MachineTypeFacts, PowerCost, PriceCatalog, PricingFacts, ResourceTypeFacts } from "./facts.ts";
export { CLOUD_KINDS, isCloudKind, type CloudKind } from "./kind.ts";

/** Every cloud's record, by kind. */
export const CLOUD_FACTS: Readonly<Record<CloudKind, CloudFacts>> = { openstack: OPENSTACK, aws: AWS, gcp: GCP, azure: AZURE };

/** The records in the order of `CLOUD_KINDS` (readers run, and lists join, in this order). */
export const ALL_CLOUDS: readonly CloudFacts[] = CLOUD_KINDS.map((k) => CLOUD_FACTS[k]);

/** One cloud's record; undefined for a kind drover does not know (`none` when no provider is required). */
export function cloudFacts(kind: string): CloudFacts | undefined {
  return (CLOUD_FACTS as Record<string, CloudFacts | undefined>)[kind];
}

type ListRole = { [K in keyof ResourceTypeFacts]-?: ResourceTypeFacts[K] extends readonly string[] | undefined ? K : never }[keyof ResourceTypeFacts];

/** Every cloud's types of one role, joined: `typesOf("volumes")`. */
export function typesOf(role: ListRole): ReadonlySet<string> {
  return new Set(ALL_CLOUDS.flatMap((c) => c.types[role] ?? []));
}

/** Resource types that are machines: what carries firewalls and user data. */
export const MACHINE_TYPES: ReadonlySet<string> = new Set(ALL_CLOUDS.flatMap((c) => Object.keys(c.types.machines)));

/** Firewalls and their rules. */
export const FIREWALL_TYPES: ReadonlySet<string> = typesOf("firewalls");

/** Resource types that hold data: deleting or replacing one loses it. */
export const STATEFUL_TYPES: ReadonlySet<string> = typesOf("stateful");

/** The credentials software in the cloud uses. */
export const CREDENTIAL_TYPES: ReadonlySet<string> = typesOf("credentials");

const OWNER = new Map<string, CloudFacts>();
for (const cloud of ALL_CLOUDS) {
  const t = cloud.types;
  for (const type of [
    ...Object.keys(t.machines),
    ...Object.keys(t.kubernetesClusters),
    ...t.volumes,
    ...t.networks,
    ...t.subnets,
    ...t.routers,
    ...t.publicAddresses,
    ...t.firewalls,
    ...t.dnsRecords,
    ...t.stateful,
    ...(t.credentials ?? []),
  ]) {
    OWNER.set(type, cloud);
  }
}

/** The cloud a resource type belongs to, when drover knows the type. */
export function cloudOfType(type: string): CloudFacts | undefined {
  return OWNER.get(type);
}

/** A machine type's facts with its cloud; undefined for anything else. */
export function machineType(type: string): (MachineTypeFacts & { readonly cloud: CloudFacts }) | undefined {
  const cloud = OWNER.get(type);
  const facts = cloud?.types.machines[type];
  return cloud && facts ? { ...facts, cloud } : undefined;
}

/** A managed Kubernetes cluster type's facts with its cloud; undefined for anything else (null facts: drawn, not read as machines). */
export function kubernetesClusterType(type: string): { readonly facts: KubernetesClusterFacts | null; readonly cloud: CloudFacts } | undefined {
  const cloud = OWNER.get(type);
  if (!cloud || !(type in cloud.types.kubernetesClusters)) return undefined;
  return { facts: cloud.types.kubernetesClusters[type] ?? null, cloud };
}

/** The cloud whose Terraform provider has this local name (`google` → GCP). */
export function cloudOfProvider(provider: string): CloudFacts | undefined {
  return ALL_CLOUDS.find((c) => c.provider === provider);
}
