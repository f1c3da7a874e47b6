import type { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { Flavor, SizeRequirement } from "../lib/catalog/flavors.ts";
import type { ImageInfo } from "../lib/catalog/images.ts";
import type { CloudFacts } from "../lib/clouds/facts.ts";
import type { CloudKind } from "../lib/clouds/kind.ts";
import type { Cidr } from "../lib/net/cidr.ts";
import type { Port } from "../lib/net/port.ts";

/**
 * The driver interface: what the cloud-neutral constructs (`VirtualMachine`, and later
 * `SlurmCluster`, `JupyterHubCluster`, `GatewayHost`) ask of a cloud. Each cloud implements it in
 * `constructs/<cloud>/`; nothing outside those folders names a provider's resource type.
 */

export type { CloudKind } from "../lib/clouds/kind.ts";

/** What a person passes as `cloud:` to a stack: `jetstream2()`, `openstack({...})`. */
export interface CloudProfile {
  readonly kind: CloudKind;
  /**
   * What the cloud means to drover (lib/clouds/<cloud>/facts.ts): its resource types, user-data
   * limit, metadata source, price catalog. Constructs ask these instead of testing `kind`.
   */
  readonly facts: CloudFacts;
  /** Short name for listings: `jetstream2`, `openstack`. */
  readonly name: string;
  readonly region: string;
  /** One line for people: "Jetstream2 (OpenStack), region IU". */
  readonly summary: string;
  /** The machine sizes this cloud offers. */
  readonly flavors: readonly Flavor[];
  /** Images the cloud features, with their login accounts. */
  readonly images: readonly ImageInfo[];
  /** The image a machine gets when none is named. */
  readonly defaultImage: string;
  /** The network machines join when none is given: a new one per stack, or an existing one. */
  readonly defaultNetwork: "new" | NetworkLookup;
  /**
   * An existing router every network a construct creates joins, instead of a router of its own
   * (Jetstream2's `auto_allocated_router` with `network: "auto-allocated"`: an allocation holds
   * one router by default).
   * @default - each network gets its own router
   */
  readonly sharedRouter?: string;
  /** A project's default quota, when the cloud publishes one: checks warn before a deploy hits it. */
  readonly quota?: {
    readonly cores: number;
    readonly memoryGiB: number;
    readonly floatingIps: number;
    /** Volumes, and their storage in GB, when the cloud publishes them: a hub's homes are planned to fit. */
    readonly volumes?: number;
    readonly gigabytes?: number;
  };
  /**
   * The DNS zone the cloud hosts for the project (Jetstream2: `<allocation>.projects.jetstream-cloud.org.`),
   * where constructs may create records; undefined when drover does not know one.
   */
  readonly dnsZone?: string;
  /**
   * Every machine must carry an SSH key (Azure creates no Linux machine without one when
   * password login is off), even one whose SSH stays closed.
   */
  readonly requiresSshKey?: boolean;
  /** The project (Jetstream2 allocation) when named (`jetstream2({ allocation })`): stacks in one share its quota. */
  readonly project?: string;
  /** Jetstream2's allocation type when named (`jetstream2({ allocationType })`): its default quota and policy. */
  readonly allocationType?: "research" | "education" | "trial";
  /** Creates the driver for one stack; called once by `DroverStack`. */
  createDriver(context: DriverContext): CloudDriver;
}

/**
 * What a driver knows of the stack it serves, handed over by `DroverStack` when it creates the
 * driver: the few facts drivers read, so that no driver (nor this file) imports the stack.
 */
export interface DriverContext {
  /** The stack: scope of the provider and of what the driver makes once per stack (image lookups, a resource group). */
  readonly scope: Construct;
  /** The stack's name: the base of names the driver makes per stack (`<stack>-rg`), and the path of its errors. */
  readonly stackName: string;
  /** Tags every resource of the stack carries (as OpenStack metadata or tags, AWS tags, GCP labels). */
  readonly tags: Readonly<Record<string, string>>;
  /** The run may destroy data (`--allow-destroy`): protected resources get no `prevent_destroy`. */
  readonly allowDestroy: boolean;
  /** The stack's machines are shelved (`drover shelve`): the driver keeps them so. */
  readonly shelved: boolean;
}

/** A size: a flavor name, or what the machine needs (resolved to the cheapest flavor that fits). */
export type Size = string | SizeRequirement;

/** A private network machines attach to. */
export interface INetwork {
  /** Network ID (a token until deploy). */
  readonly networkId: string;
  /** Subnet ID, when the network was created by the stack or looked up with its subnet. */
  readonly subnetId?: string;
  /** The subnet's range when the stack knows it (not for a network looked up by name). */
  readonly cidr?: Cidr;
  /** For messages and previews. */
  readonly displayName: string;
  /**
   * What must exist before a machine on this network can take a public address (the router
   * interface on OpenStack, the internet route on AWS); undefined when nothing needs waiting for.
   */
  readonly internetReady?: ITerraformDependable;
}

/** Who a firewall rule admits. */
export type PeerSpec = { readonly kind: "cidr"; readonly cidr: Cidr } | { readonly kind: "firewall"; readonly firewall: IFirewall };

/** A firewall (an OpenStack security group, an AWS security group): ingress closed unless opened. */
export interface IFirewall {
  readonly firewallId: string;
  readonly displayName: string;
  /** Opens `port` to `peer`. `description` ends up on the rule in the cloud. */
  allowIngress(peer: PeerSpec, port: Port, description: string): void;
}

/** An SSH key pair registered with the cloud. */
export interface IKeyPair {
  readonly keyPairName: string;
}

export interface MachineSpec {
  /** Cloud name of the machine (also its hostname). */
  readonly name: string;
  readonly flavor: Flavor;
  readonly image: string;
  readonly network: INetwork;
  readonly firewalls: readonly IFirewall[];
  readonly keyPair?: IKeyPair;
  /**
   * The image's login account, as the construct knows it (its `sshUser`, or the catalog's):
   * clouds that create the account or write the key into metadata (Azure, GCP) need it.
   */
  readonly loginUser?: string;
  readonly userData: string;
  /** Boot from a new volume of this size instead of the flavor's root disk. */
  readonly rootVolumeGiB?: number;
  /** Extra metadata for the machine (the cloud's tags/metadata), on top of the stack's tags. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** A fixed private address inside the network's subnet (the network's cidr must be known). */
  readonly fixedAddress?: string;
  /** Resources this machine is created after (and destroyed before). */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * The user data only bootstraps the machine: later changes to it rebuild nothing (they reach
   * the running machine as a configuration bundle in its metadata, lib/agent/bundle.ts), and
   * `drover deploy --rebuild` replaces it on request. Only where the driver has `configInPlace`.
   */
  readonly bootstrapOnly?: boolean;
  /**
   * What rebuilding this machine loses (its queue, its certificates): the machine is marked
   * stateful, so replacing it needs `--allow-destroy` like any data loss.
   */
  readonly holdsState?: string;
}

/** A machine. */
export interface IMachine {
  readonly machineId: string;
  readonly name: string;
  /** Private IPv4 address (a token until deploy). */
  readonly privateAddress: string;
  /** Adds a metadata entry the machine can read at run time; updates in place. */
  addMetadata(key: string, value: string): void;
}

export interface VolumeSpec {
  readonly name: string;
  readonly sizeGiB: number;
  /** Cloud volume type; the cloud's default when undefined. */
  readonly volumeType?: string;
  /** Guard the volume against `terraform destroy` (stateful data). */
  readonly protect: boolean;
}

export interface IVolume {
  readonly volumeId: string;
  readonly name: string;
}

/** A public address bound to a machine. */
export interface IPublicAddress {
  readonly address: string;
}

/** A DNS record in a zone the cloud manages. */
export interface DnsRecordSpec {
  /** ID of the zone the record goes in (a token when looked up). */
  readonly zoneId: string;
  /** Fully qualified zone name with the trailing dot, e.g. `myalloc.projects.jetstream-cloud.org.`. */
  readonly zoneName: string;
  /** Record name inside the zone, e.g. `portal`. */
  readonly name: string;
  readonly type: "A" | "AAAA" | "CNAME";
  readonly values: readonly string[];
  readonly ttlSeconds?: number;
}

export interface IDnsRecord {
  readonly fqdn: string;
}

export interface NetworkSpec {
  /** Base of the network's resource names (`<stack>-<construct>`). */
  readonly name: string;
  readonly cidr: Cidr;
  /** Connect the network to the internet through a router (needed for public addresses). */
  readonly internetAccess: boolean;
  readonly dnsNameservers?: readonly string[];
  /** The range DHCP hands addresses out from; the rest of the subnet is left for fixed addresses. */
  readonly dhcpPool?: { readonly start: string; readonly end: string };
  /** Join this existing router (by name) for internet access instead of creating one. */
  readonly router?: { readonly name: string };
}

/**
 * A credential the stack creates for software running in the cloud (Slurm's ResumeProgram on
 * the controller), scoped to the stack's project. Its secret is a sensitive reference.
 */
export interface ICloudCredential {
  readonly credentialId: string;
  /** Sensitive: a Terraform reference, never a value. */
  readonly secret: string;
  /** The identity service's public URL (a reference, from the token's service catalog). */
  readonly authUrl: string;
  readonly region: string;
}

export interface CredentialSpec {
  readonly name: string;
  readonly description: string;
  /**
   * Restrict the credential to these API calls (OpenStack access rules); undefined for the
   * project-wide rights of the person deploying (still unable to create other credentials).
   */
  readonly accessRules?: ReadonlyArray<{ readonly service: string; readonly method: string; readonly path: string }>;
  /**
   * A credential the person created, by reference (sensitive variables): the driver creates
   * none, only finds the cloud's endpoints for it.
   */
  readonly provided?: { readonly id: string; readonly secret: string };
}

export interface ShareSpec {
  readonly name: string;
  readonly sizeGiB: number;
  readonly protocol: "NFS" | "CEPHFS";
  /** Who may mount it: an address range (NFS) or a cephx user name (CEPHFS). */
  readonly accessTo: string;
  /** Guard the share against `terraform destroy` (stateful data). */
  readonly protect: boolean;
}

/** A shared file system (a Manila share on OpenStack). */
export interface IShare {
  /** What to mount: `host:/path` (NFS) or `mon1,mon2:/volumes/...` (CephFS); a reference. */
  readonly exportPath: string;
  /** CephFS only: the cephx key for `accessTo` (sensitive reference). */
  readonly accessKey?: string;
}

export interface ElasticCleanupSpec {
  readonly credential: ICloudCredential;
  /** Value of the `drover_cluster=` tag every instance and port created at run time carries. */
  readonly clusterTag: string;
  /** Path of the cleanup script, relative to the stack's directory (a rendered file). */
  readonly scriptPath: string;
}

export interface VolumeCleanupSpec {
  readonly credential: ICloudCredential;
  /** The cluster ID the Cinder CSI driver marks its volumes with (metadata `cinder.csi.openstack.org/cluster`). */
  readonly csiCluster: string;
  /** Path of the cleanup script, relative to the stack's directory (a rendered file). */
  readonly scriptPath: string;
}

/** A managed Kubernetes cluster (OpenStack Magnum), workers scaled by the cloud's autoscaler. */
export interface KubernetesClusterSpec {
  readonly name: string;
  /** The cloud's cluster template, by name (Jetstream2: "kubernetes-1-33-jammy"); empty when the profile names none. */
  readonly template: string;
  readonly controlPlaneFlavor: Flavor;
  readonly controlPlaneCount: number;
  readonly workerFlavor: Flavor;
  /** Workers at creation; the autoscaler keeps the count between min and max. */
  readonly workers: { readonly initial: number; readonly min: number; readonly max: number };
  readonly keyPair?: IKeyPair;
  /** Network the nodes join, by name; the template's when undefined. */
  readonly networkName?: string;
}

export interface IKubernetesCluster {
  readonly clusterId: string;
  /** The kubeconfig file's text (a sensitive Terraform reference). */
  readonly kubeconfig: string;
  /** Address of the Kubernetes API. */
  readonly apiAddress: string;
}

/** An existing network, by name or by ID. */
export interface NetworkLookup {
  readonly name?: string;
  readonly id?: string;
}

export interface CloudDriver {
  readonly profile: CloudProfile;
  /**
   * Machines read their instance metadata at run time and the cloud updates it in place, so a
   * configuration bundle reaches a running machine (lib/agent/bundle.ts). Without it, a change
   * of configuration travels in the user data and rebuilds the machine.
   */
  readonly configInPlace?: boolean;
  /** Configures the provider on the stack; called once by `DroverStack`. */
  configureProvider(): void;
  createNetwork(scope: Construct, id: string, spec: NetworkSpec): INetwork;
  importNetwork(scope: Construct, id: string, lookup: NetworkLookup): INetwork;
  createFirewall(scope: Construct, id: string, spec: { readonly name: string; readonly description: string }): IFirewall;
  createKeyPair(scope: Construct, id: string, spec: { readonly name: string; readonly publicKey: string }): IKeyPair;
  importKeyPair(name: string): IKeyPair;
  createMachine(scope: Construct, id: string, spec: MachineSpec): IMachine;
  createVolume(scope: Construct, id: string, spec: VolumeSpec): IVolume;
  attachVolume(scope: Construct, id: string, machine: IMachine, volume: IVolume): void;
  createPublicAddress(scope: Construct, id: string, spec: { readonly name: string; readonly machine: IMachine }): IPublicAddress;
  createDnsRecord(scope: Construct, id: string, spec: DnsRecordSpec): IDnsRecord;
  /** What only some clouds can do: ask for an ability, and get it or not. */
  readonly abilities: DriverAbilities;
}

/**
 * Abilities a cloud may lack. A construct asks for the ones its props need while it checks them
 * (`driver.abilities.shares`), reports a clear error for a missing one, and builds with what it
 * got: never a method called on the hope that it exists.
 */
export interface DriverAbilities {
  /** Existing DNS zones, looked up by name. */
  readonly dnsZones?: DnsZoneAbility;
  /** Public addresses held apart from a machine and bound to one later. */
  readonly heldAddresses?: HeldAddressAbility;
  /** A managed Kubernetes cluster (OpenStack Magnum). */
  readonly kubernetes?: KubernetesAbility;
  /** Credentials for software in the cloud. */
  readonly credentials?: CredentialAbility;
  /** Shared file systems (OpenStack Manila). */
  readonly shares?: ShareAbility;
  /**
   * A step that runs when the stack is destroyed, before the network and the credential go:
   * deletes every instance and port tagged with the cluster, which software in the cloud created
   * outside Terraform. Resources that create such instances should depend on it, so they are
   * destroyed (and stop creating instances) first.
   */
  readonly elasticCleanup?: ElasticCleanupAbility;
  /**
   * A step that runs when the stack is destroyed, after the machines that depend on it are gone:
   * deletes every volume a Kubernetes cluster's CSI driver created, which Terraform never held.
   */
  readonly volumeCleanup?: VolumeCleanupAbility;
}

export interface DnsZoneAbility {
  /** The ID of an existing DNS zone, by name (with its trailing dot). */
  lookup(scope: Construct, id: string, zoneName: string): string;
}

export interface HeldAddressAbility {
  /** A public address not bound to a machine, for the cloud to attach later. */
  reserve(scope: Construct, id: string, spec: { readonly name: string }): IPublicAddress;
  /** Binds an address from `reserve` to a machine. */
  attach(scope: Construct, id: string, spec: { readonly address: string; readonly machine: IMachine }): void;
}

export interface KubernetesAbility {
  /** The cloud's cluster template, by name (Jetstream2: "kubernetes-1-33-jammy"), when the profile names one. */
  readonly template?: string;
  createCluster(scope: Construct, id: string, spec: KubernetesClusterSpec): IKubernetesCluster;
}

export interface CredentialAbility {
  create(scope: Construct, id: string, spec: CredentialSpec): ICloudCredential;
}

export interface ShareAbility {
  create(scope: Construct, id: string, spec: ShareSpec): IShare;
}

export interface ElasticCleanupAbility {
  create(scope: Construct, id: string, spec: ElasticCleanupSpec): ITerraformDependable;
}

export interface VolumeCleanupAbility {
  create(scope: Construct, id: string, spec: VolumeCleanupSpec): ITerraformDependable;
}
