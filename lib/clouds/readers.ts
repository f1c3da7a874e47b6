import type { GraphBuilder } from "../graph/builder.ts";
import type { RuleReader } from "../policy/openings.ts";
import type { QuotaCounter } from "../quota/counting.ts";
import { addAws } from "./aws/graph.ts";
import { AWS_RULES } from "./aws/ingress.ts";
import { addAzure } from "./azure/graph.ts";
import { AZURE_RULES } from "./azure/ingress.ts";
import { addGcp } from "./gcp/graph.ts";
import { GCP_RULES } from "./gcp/ingress.ts";
import { addOpenStack } from "./openstack/graph.ts";
import { OPENSTACK_RULES } from "./openstack/ingress.ts";
import { OPENSTACK_COUNTERS } from "./openstack/quota.ts";

/**
 * The code that reads each cloud's resources, beside its facts (lib/clouds/<cloud>/): how its
 * resources draw as a picture, and how its firewall rules read as openings. Kept apart from the facts registry (index.ts), which the readers'
 * own modules import, so no import runs in a circle. Run in the order of `CLOUD_KINDS`.
 */
export const GRAPH_READERS: ReadonlyArray<(builder: GraphBuilder) => void> = [addOpenStack, addAws, addGcp, addAzure];

/** Every cloud's inbound-rule readers, by resource type (lib/policy/ingress.ts). */
export const RULE_READERS: ReadonlyMap<string, RuleReader> = new Map([OPENSTACK_RULES, AWS_RULES, GCP_RULES, AZURE_RULES].flatMap((rules) => Object.entries(rules)));

/** What each resource type takes from a project's quota, for the clouds drover checks quota on (OpenStack). */
export const QUOTA_COUNTERS: ReadonlyMap<string, QuotaCounter> = new Map(Object.entries(OPENSTACK_COUNTERS));
