import type { CloudKind } from "./kind.ts";

/**
 * What a cloud *means* to drover, as data: which Terraform resource types are its machines,
 * volumes, networks, firewalls and rules, which hold data, which attribute holds a machine's
 * size or power state, how much user data a machine takes, where a machine reads its metadata,
 * and how its machines are priced. Cost, graph, policy, plan, quota and the cloud-neutral
 * constructs read these records (lib/clouds/index.ts) instead of switching on the kind.
 *
 * A record is cdktf-free: `lib/` reads it, and each profile in `constructs/<cloud>/` carries its
 * cloud's record as `profile.facts`.
 */

/** A resource type that is one machine (or one group of them). */
export interface MachineTypeFacts {
  /** The attribute naming the machine's size: `flavor_name`, `instance_type`, `machine_type`. */
  readonly size: string;
  /** The attribute holding the power state the configuration asks for, where the cloud has one. */
  readonly power?: string;
  /**
   * Why drover's catalog cannot price this type although it is a machine (a Windows VM: the
   * catalogs hold Linux prices): it is costed as unknown, with this note.
   */
  readonly unpriced?: string;
}

/**
 * A managed Kubernetes cluster's resource type, read as two groups of machines: the control
 * plane and the workers, each an attribute pair (count, size). Left-out attributes fall to the
 * cloud's cluster template, which is not in the stack.
 */
export interface KubernetesClusterFacts {
  readonly controlPlane: { readonly count: string; readonly size: string };
  readonly workers: { readonly count: string; readonly size: string };
  /** Where the autoscaler's switch and maximum live: labels on the cluster. */
  readonly autoscaling?: { readonly labels: string; readonly enabled: string; readonly max: string };
}

/** What a machine in a written power state costs, as a share of its rate. */
export interface PowerCost {
  readonly state: "active" | "shelved" | "stopped" | "suspended" | "paused";
  readonly factor: number;
  readonly note?: string;
}

/** A price catalog: machine sizes with their rate per hour. */
export interface PriceCatalog {
  /** For messages: "Jetstream2", "AWS". */
  readonly label: string;
  readonly sizes: ReadonlyArray<{ readonly name: string; readonly suPerHour: number; readonly usdPerHour?: number }>;
  /** Only the cloud of this profile name has the catalog (Jetstream2 among OpenStack clouds). */
  readonly onlyFor?: string;
  /** Where and when the prices were taken (commercial clouds). */
  readonly region?: string;
  readonly when?: string;
  /** How the rates are made, for the cost report. */
  readonly note?: string;
}

export interface PricingFacts {
  /** Jetstream2 counts service units; the commercial clouds' catalogs hold on-demand US dollars. */
  readonly currency: "SU" | "USD";
  readonly catalog: PriceCatalog;
  /** Written power states (`shutoff`, `TERMINATED`) and what each costs; absent means running. */
  readonly powerStates?: Readonly<Record<string, PowerCost>>;
}

/** Resource types by what they are. Each list holds this cloud's types only. */
export interface ResourceTypeFacts {
  readonly machines: Readonly<Record<string, MachineTypeFacts>>;
  readonly kubernetesClusters: Readonly<Record<string, KubernetesClusterFacts | null>>;
  /** Block-storage volumes (drawn as volumes; always stateful). */
  readonly volumes: readonly string[];
  readonly networks: readonly string[];
  readonly subnets: readonly string[];
  /** Routers and internet gateways. */
  readonly routers: readonly string[];
  readonly publicAddresses: readonly string[];
  /** Firewalls that group machines (security groups), drawn as such. */
  readonly securityGroups: readonly string[];
  /** Everything that is a firewall or its rule (never the glue between a firewall and a machine). */
  readonly firewalls: readonly string[];
  readonly dnsRecords: readonly string[];
  /** Types that hold data: deleting or replacing one loses it. */
  readonly stateful: readonly string[];
  /** The credential software in the cloud uses (OpenStack application credentials). */
  readonly credentials?: readonly string[];
}

export interface CloudFacts {
  readonly kind: CloudKind;
  /** For people: "OpenStack", "AWS". */
  readonly label: string;
  /** The Terraform provider's local name (`google` for GCP). */
  readonly provider: string;
  readonly types: ResourceTypeFacts;
  /**
   * The profile a plain cdktf stack's provider block points at, when it tells (an OpenStack
   * provider at Jetstream2's Keystone is `jetstream2`); the kind is the name otherwise.
   */
  readonly profileFromProvider?: (provider: Readonly<Record<string, unknown>>) => string | undefined;
  /** The most user data a machine takes, in bytes, where drover checks it at synthesis. */
  readonly userDataMaxBytes?: number;
  /** Where a machine reads its metadata at run time (`templates/cloud-init/drover-volumes.sh`). */
  readonly metadataSource: CloudKind;
  readonly pricing: PricingFacts;
  /** drover counts what a stack needs from the project's quota, and reads the live limits (lib/quota). */
  readonly projectQuota: boolean;
  /** `drover shelve` keeps machines shelved (Nova's shelve-offload). */
  readonly shelving: boolean;
  /**
   * k3s can hold users' homes on the cloud's block storage through its CSI driver (Cinder), and
   * export a shared home volume from the k3s server.
   */
  readonly k3sBlockStorage: boolean;
}
