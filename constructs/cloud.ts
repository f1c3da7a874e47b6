import type { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { Flavor, SizeRequirement } from "../lib/catalog/flavors.ts";
import type { ImageInfo } from "../lib/catalog/images.ts";
import type { Cidr } from "../lib/net/cidr.ts";
import type { Port } from "../lib/net/port.ts";
import type { DroverStack } from "./drover-stack.ts";

/**
 * The driver interface: what the cloud-neutral constructs (`VirtualMachine`, and later
 * `SlurmCluster`, `JupyterHubCluster`, `GatewayHost`) ask of a cloud. Each cloud implements it in
 * `constructs/<cloud>/`; nothing outside those folders names a provider's resource type.
 */

export type CloudKind = "openstack" | "aws" | "gcp" | "azure";

/** What a person passes as `cloud:` to a stack: `jetstream2()`, `openstack({...})`. */
export interface CloudProfile {
  readonly kind: CloudKind;
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
  /** Creates the driver for one stack; called once by `DroverStack`. */
  createDriver(stack: DroverStack): CloudDriver;
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
export type PeerSpec =
  | { readonly kind: "cidr"; readonly cidr: Cidr }
  | { readonly kind: "firewall"; readonly firewall: IFirewall };

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
  readonly userData: string;
  /** Boot from a new volume of this size instead of the flavor's root disk. */
  readonly rootVolumeGiB?: number;
  /** Extra metadata for the machine (the cloud's tags/metadata), on top of the stack's tags. */
  readonly metadata?: Readonly<Record<string, string>>;
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
}

/** An existing network, by name or by ID. */
export interface NetworkLookup {
  readonly name?: string;
  readonly id?: string;
}

export interface CloudDriver {
  readonly profile: CloudProfile;
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
}
