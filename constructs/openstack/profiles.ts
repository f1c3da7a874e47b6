import { OPENSTACK } from "../../lib/clouds/openstack/facts.ts";
import { JETSTREAM2_FLAVORS, JETSTREAM2_QUOTA, type Flavor } from "../../lib/catalog/flavors.ts";
import { JETSTREAM2_QUOTA_PROFILES } from "../../lib/quota/profiles.ts";
import { JETSTREAM2_FEATURED_IMAGES, type ImageInfo } from "../../lib/catalog/images.ts";
import { IssueCollector } from "../../lib/errors.ts";
import { checkProps } from "../../lib/props/schemas.ts";
import { describeValue } from "../../lib/props/check.ts";
import type { DriverContext, NetworkLookup } from "../cloud.ts";
import { OpenStackDriver } from "./driver.ts";
import type { OpenStackProfile } from "./profile-type.ts";

// Exported from here as before: `drover` (constructs/index.ts) exports this file.
export type { OpenStackProfile };

export interface OpenStackProps {
  /**
   * Region of the cloud.
   * @default - the OS_REGION_NAME environment variable (or the clouds.yaml entry)
   */
  readonly region?: string;
  /**
   * Entry of `clouds.yaml` to authenticate with.
   * @default - OS_CLOUD, or the OS_* variables of an openrc file
   */
  readonly cloud?: string;
  /**
   * External network that routers connect to and floating IPs come from.
   * @default "public"
   */
  readonly externalNetwork?: string;
  /**
   * Flavors the cloud offers; needed to size machines by requirement (`{ vcpus, memoryGiB }`).
   * @default - none: machines must name a flavor
   */
  readonly flavors?: readonly Flavor[];
  /**
   * Images with their login accounts.
   * @default - none: the login account is guessed from the image name
   */
  readonly images?: readonly ImageInfo[];
  /**
   * Image a machine gets when it names none.
   * @default "Ubuntu 24.04"
   */
  readonly defaultImage?: string;
  /**
   * Network machines join when none is given: `"new"` creates one network, subnet and router
   * per stack; `{ name }` or `{ id }` uses an existing network.
   * @default "new"
   */
  readonly network?: "new" | NetworkLookup;
  /**
   * Short name for listings.
   * @default "openstack"
   */
  readonly name?: string;
}

function makeProfile(fields: Omit<OpenStackProfile, "kind" | "facts" | "createDriver">): OpenStackProfile {
  return {
    kind: "openstack",
    facts: OPENSTACK,
    ...fields,
    createDriver(context: DriverContext) {
      return new OpenStackDriver(context, this as OpenStackProfile);
    },
  };
}

function checkLookup(network: "new" | NetworkLookup, where: string, issues: IssueCollector): void {
  if (network === "new") return;
  if (typeof network !== "object" || network === null || (!network.name && !network.id)) {
    issues.add("profile.bad-network", `'network' must be "new", { name: "..." } or { id: "..." }, got ${describeValue(network)}`, where);
  } else if (network.name && network.id) {
    issues.add("profile.bad-network", `'network' names both an existing network's name and its id: give one`, where);
  }
}

/** A custom flavor catalog's numbers: costs and sizing divide and compare by them. */
function checkFlavors(flavors: readonly Flavor[], issues: IssueCollector): void {
  const names = new Set<string>();
  flavors.forEach((f, i) => {
    const at = `'flavors[${i}]`;
    const need = (ok: boolean, field: string, what: string) => {
      if (!ok) issues.add("profile.bad-flavor", `${at}.${field}' ${describeValue((f as unknown as Record<string, unknown>)[field])} must be ${what}`);
    };
    need(f.name.trim() !== "" && !names.has(f.name), "name", "a flavor name used once");
    names.add(f.name);
    need(Number.isInteger(f.vcpus) && f.vcpus >= 1, "vcpus", "a whole number of vCPUs, at least 1");
    need(Number.isFinite(f.memoryGiB) && f.memoryGiB > 0, "memoryGiB", "GiB of memory above 0");
    need(Number.isFinite(f.rootDiskGiB) && f.rootDiskGiB >= 0, "rootDiskGiB", "GiB of root disk, 0 or more");
    need(Number.isFinite(f.gpu) && f.gpu >= 0 && f.gpu <= 8, "gpu", "a share of GPUs from 0 to 8 (0 for none)");
    need(Number.isFinite(f.suPerHour) && f.suPerHour >= 0, "suPerHour", "the units charged per hour, 0 or more");
  });
}

/**
 * Any OpenStack cloud. Authentication is the provider's: an openrc file's OS_* variables or a
 * `clouds.yaml` entry (OS_CLOUD, or `cloud` here). Nothing is specific to Jetstream2.
 *
 * @example
 * new DroverStack(app, "lab", { cloud: openstack({ cloud: "mycloud", externalNetwork: "ext-net" }) });
 */
export function openstack(props: OpenStackProps = {}): OpenStackProfile {
  const issues = new IssueCollector("openstack()");
  for (const p of checkProps("openstack", props, "profile")) issues.add(p.code, p.message);
  issues.throwIfAny();
  checkFlavors(props.flavors ?? [], issues);
  for (const key of ["region", "cloud", "externalNetwork", "defaultImage", "name"] as const) {
    const v = props[key];
    if (v !== undefined && (typeof v !== "string" || v.trim() === "")) {
      issues.add("profile.empty", `'${key}' must be a non-empty string, got ${describeValue(v)}`);
    }
  }
  checkLookup(props.network ?? "new", "openstack()", issues);
  issues.throwIfAny();
  const region = props.region;
  return makeProfile({
    name: props.name ?? "openstack",
    region: region ?? "(from OS_REGION_NAME)",
    summary: `OpenStack${props.cloud ? ` cloud "${props.cloud}"` : ""}${region ? `, region ${region}` : ""}`,
    flavors: props.flavors ?? [],
    images: props.images ?? [],
    defaultImage: props.defaultImage ?? "Ubuntu 24.04",
    defaultNetwork: props.network ?? "new",
    externalNetwork: props.externalNetwork ?? "public",
    ...(props.cloud ? { cloudName: props.cloud } : {}),
    ...(region ? { providerRegion: region } : {}),
  });
}

export interface Jetstream2Props {
  /**
   * Jetstream2 region (cloud site).
   * @default "IU"
   */
  readonly region?: string;
  /**
   * Entry of `clouds.yaml` to authenticate with.
   * @default - OS_CLOUD, or the OS_* variables of the allocation's openrc file
   */
  readonly cloud?: string;
  /**
   * Network machines join when none is given. `"new"` creates a network, subnet and router for
   * the stack; `"auto-allocated"` reuses the allocation's `auto_allocated_network`, which
   * matters because an allocation may hold only one router by default.
   * @default "new"
   */
  readonly network?: "new" | "auto-allocated";
  /**
   * The allocation (project) name, e.g. "bio230123": Jetstream2 hosts the DNS zone
   * `<allocation>.projects.jetstream-cloud.org.` for it, where constructs can name their
   * public addresses (a JupyterHub's URL, a gateway's host).
   * @default - no DNS zone: constructs need a domain of their own
   */
  readonly allocation?: string;
  /**
   * The allocation's type: its default quota differs (education allocations hold more cores and
   * floating IPs, trial ones almost none), and policy asks education and trial stacks for an
   * `expiresAt`. Startup allocations count as "research".
   * @default - unknown: quota checks use the research defaults
   */
  readonly allocationType?: "research" | "education" | "trial";
}

/** The allocation type's default cores, memory, floating IPs and volumes, for the constructs' early warnings and plans. */
function allocationQuota(type: Jetstream2Props["allocationType"]): OpenStackProfile["quota"] {
  const q = JETSTREAM2_QUOTA_PROFILES[type ?? "research"];
  const volumes = { volumes: q.volumes, gigabytes: q.gigabytes };
  if (!type || type === "research") return { ...JETSTREAM2_QUOTA, ...volumes };
  return { cores: q.cores, memoryGiB: Math.round(q.ramMiB / 1024), floatingIps: q.floatingIps, ...volumes };
}

const JETSTREAM2_NETWORK_CHOICES = ["new", "auto-allocated"];

/**
 * Jetstream2, the NSF research cloud: its flavors with their service-unit rates, its featured
 * images, the external network `public`, region IU by default.
 *
 * @example
 * new DroverStack(app, "dev-vm", { cloud: jetstream2({ network: "auto-allocated" }) });
 */
export function jetstream2(props: Jetstream2Props = {}): OpenStackProfile {
  const issues = new IssueCollector("jetstream2()");
  for (const p of checkProps("jetstream2", props, "profile")) issues.add(p.code, p.message);
  issues.throwIfAny();
  if (props.region !== undefined && (typeof props.region !== "string" || !/^[A-Za-z0-9_-]+$/.test(props.region))) {
    issues.add("profile.bad-region", `'region' ${JSON.stringify(props.region)} is not a region name (e.g. "IU")`);
  }
  if (props.cloud !== undefined && (typeof props.cloud !== "string" || props.cloud.trim() === "")) {
    issues.add("profile.empty", `'cloud' must be a non-empty string, got ${describeValue(props.cloud)}`);
  }
  const network = props.network ?? "new";
  if (!JETSTREAM2_NETWORK_CHOICES.includes(network)) {
    issues.add("profile.bad-network", `'network' ${JSON.stringify(network)} is not one of "new", "auto-allocated"`);
  }
  if (props.allocation !== undefined && (typeof props.allocation !== "string" || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(props.allocation))) {
    issues.add("profile.bad-allocation", `'allocation' ${JSON.stringify(props.allocation)} is not an allocation name: lower-case letters, digits and '-', as in "bio230123"`);
  }
  if (props.allocationType !== undefined && !["research", "education", "trial"].includes(props.allocationType)) {
    issues.add("profile.bad-allocation-type", `'allocationType' ${JSON.stringify(props.allocationType)} is not one of "research", "education", "trial" (a startup allocation is "research")`);
  }
  issues.throwIfAny();
  const region = props.region ?? "IU";
  return makeProfile({
    name: "jetstream2",
    region,
    summary: `Jetstream2 (OpenStack), region ${region}${props.cloud ? `, cloud "${props.cloud}"` : ""}`,
    flavors: JETSTREAM2_FLAVORS,
    images: JETSTREAM2_FEATURED_IMAGES,
    defaultImage: "Featured-Ubuntu24",
    defaultNetwork: network === "auto-allocated" ? { name: "auto_allocated_network" } : "new",
    // The clusters' own networks then join the allocation's router instead of adding one.
    ...(network === "auto-allocated" ? { sharedRouter: "auto_allocated_router" } : {}),
    externalNetwork: "public",
    providerRegion: region,
    quota: allocationQuota(props.allocationType),
    // Jetstream2's Manila shares are CephFS, of this type.
    shareType: "cephfsnativetype",
    // Jetstream2's Magnum (Cluster API) template with the Cinder storage class and autoscaler.
    kubernetesTemplate: "kubernetes-1-33-jammy",
    ...(props.allocation ? { dnsZone: `${props.allocation}.projects.jetstream-cloud.org.` } : {}),
    ...(props.allocationType ? { allocationType: props.allocationType } : {}),
    ...(props.allocation ? { project: props.allocation } : {}),
    ...(props.cloud ? { cloudName: props.cloud } : {}),
  });
}
