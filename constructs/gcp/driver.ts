import { createHash } from "node:crypto";
import { escapeTerraformText } from "../../lib/terraform/text.ts";
import type { Construct } from "constructs";
import { Lazy, Token, type IResolveContext } from "cdktf";
import type { ComputeInstance, ComputeInstanceNetworkInterface } from "@cdktf/provider-google/lib/compute-instance/index.js";
import type { ComputeFirewallAllow } from "@cdktf/provider-google/lib/compute-firewall/index.js";
import type { ComputeDisk } from "@cdktf/provider-google/lib/compute-disk/index.js";
import type { GcpMachineType } from "../../lib/catalog/gcp-machines.ts";
import { loginUserFor } from "../../lib/catalog/images.ts";
import { ValidationError } from "../../lib/errors.ts";
import type { Port } from "../../lib/net/port.ts";
import type {
  DriverAbilities,
  CloudDriver,
  DnsRecordSpec,
  DriverContext,
  IDnsRecord,
  IFirewall,
  IKeyPair,
  IMachine,
  INetwork,
  IPublicAddress,
  IVolume,
  MachineSpec,
  NetworkLookup,
  NetworkSpec,
  PeerSpec,
  VolumeSpec,
} from "../cloud.ts";
import { markStateful } from "../stateful.ts";
import { TerraformData } from "../private/terraform-data.ts";
import { gcpBindings, type GcpBindings } from "./bindings.ts";
import { GCP_IMAGE_PATH, GCP_IMAGES } from "./images.ts";
import { GCP_NAME, type GcpProfile } from "./profile-type.ts";

/** Compute Engine takes metadata values of up to 256 KB each, and 512 KB in all. */
export const GCP_METADATA_VALUE_MAX_BYTES = 262_144;
export const GCP_METADATA_TOTAL_MAX_BYTES = 524_288;
/** Boot disk of a machine that asks for no size: Ubuntu's images bring 10 GB, too little for work. */
export const DEFAULT_BOOT_DISK_GIB = 20;
/** Metadata keys the driver writes itself; a construct may not set them. */
const RESERVED_KEYS = new Set(["user-data", "ssh-keys", "block-project-ssh-keys"]);
const METADATA_KEY = /^[A-Za-z0-9_-]{1,128}$/;
const SUBNETWORK_PATH = /^(?:https:\/\/www\.googleapis\.com\/compute\/v1\/)?projects\/[^/]+\/regions\/[^/]+\/subnetworks\/[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

function fail(path: string, code: string, message: string): never {
  throw new ValidationError([{ code, path, message }]);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * A Compute Engine name (at most 63 characters) from a name already made of [a-z0-9-] and
 * starting with a letter: as it is when it fits; otherwise cut, with a hash of the whole, so
 * two long names that share a beginning stay apart and a name never changes between runs.
 */
export function gcpName(text: string): string {
  if (GCP_NAME.test(text)) return text;
  return `${text.slice(0, 54).replace(/-+$/, "")}-${sha256(text).slice(0, 8)}`;
}

/**
 * GCP labels from drover's tags: keys and values take lower-case letters, digits, `_` and `-`
 * only (at most 63 characters, keys starting with a letter), so an owner's e-mail address
 * becomes `me_example_edu`. Labels are for finding and billing; nothing reads them back.
 */
export function gcpLabels(tags: Readonly<Record<string, string>>): Record<string, string> {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, "_")
      .slice(0, 63);
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [/^[a-z]/.test(clean(k)) ? clean(k) : `k_${clean(k)}`.slice(0, 63), clean(v)]));
}

/** What the driver knows of a subnetwork it made or looked up, by its self link's token. */
interface Placement {
  readonly networkId: string;
  /** Routed to the internet by a network this stack made; undefined for one looked up. */
  readonly internet?: boolean;
}

/**
 * A firewall as GCP has them: a network tag. Machines carry the tag; each opening is a
 * firewall rule of the network that admits traffic to machines with the tag.
 */
class GcpFirewall implements IFirewall {
  private readonly ruleIds = new Set<string>();
  private networkId?: string;
  constructor(
    private readonly b: GcpBindings,
    private readonly scope: Construct,
    private readonly id: string,
    readonly displayName: string,
    /** The network tag. */
    readonly firewallId: string,
  ) {}

  /** A firewall rule belongs to one network, and `createFirewall` is not told which: the first machine that carries the tag decides. */
  placeIn(networkId: string, machinePath: string): void {
    if (this.networkId === undefined) this.networkId = networkId;
    else if (this.networkId !== networkId) {
      fail(
        machinePath,
        "gcp.firewall-two-networks",
        `firewall ${this.displayName} is used by machines on two networks; on GCP a firewall rule belongs to one network: give each network its own firewall`,
      );
    }
  }

  allowIngress(peer: PeerSpec, port: Port, description: string): void {
    const source = peer.kind === "cidr" ? peer.cidr.text : peer.firewall.displayName;
    // Named after what it opens, so reordering rules in code does not replace them.
    const ruleId = [this.id, port.label, source].join("-").replace(/[^A-Za-z0-9-]+/g, "-");
    if (this.ruleIds.has(ruleId)) return;
    if (peer.kind === "firewall" && !(peer.firewall instanceof GcpFirewall)) fail(this.scope.node.path, "gcp.foreign-firewall", `firewall ${source} was not made by the GCP driver`);
    this.ruleIds.add(ruleId);
    // Rule names are unique in the whole project: the tag carries the stack and construct.
    // Every character outside [a-z0-9-] becomes one '-', which keeps different ranges apart.
    const from = peer.kind === "cidr" ? peer.cidr.text : peer.firewall.firewallId;
    const name = gcpName(`${this.firewallId}-${port.label}-${from}`.toLowerCase().replace(/[^a-z0-9-]/g, "-"));
    const rule = new this.b.ComputeFirewall(this.scope, ruleId, {
      name,
      network: Lazy.stringValue({ produce: () => this.networkId ?? "" }),
      direction: "INGRESS",
      description: description.slice(0, 2048),
      targetTags: [this.firewallId],
      allow: [allowOf(port, peer.kind === "cidr" && peer.cidr.version === 6)],
      ...(peer.kind === "cidr" ? { sourceRanges: [peer.cidr.text] } : { sourceTags: [peer.firewall.firewallId] }),
    });
    rule.node.addValidation({
      validate: () =>
        this.networkId ? [] : [`firewall ${this.displayName} is carried by no machine; on GCP a firewall rule belongs to a network, which drover takes from the first machine with the firewall`],
    });
  }
}

/** GCP's form of a port. Its rules cannot pick an ICMP type: "ping" admits all ICMP from the peer. */
function allowOf(port: Port, ipv6: boolean): ComputeFirewallAllow {
  switch (port.protocol) {
    case "any":
      return { protocol: "all" };
    case "icmp":
      // ICMPv6 has no name in GCP's rules, only its protocol number.
      return { protocol: ipv6 ? "58" : "icmp" };
    default:
      return { protocol: port.protocol, ports: [port.to === undefined || port.to === port.from ? `${port.from}` : `${port.from}-${port.to}`] };
  }
}

class GcpMachine implements IMachine {
  readonly machineId: string;
  readonly privateAddress: string;
  /** An external address is bound to it: its only way to the internet, as drover makes no Cloud NAT. */
  hasPublicAddress = false;
  constructor(
    readonly name: string,
    readonly instance: ComputeInstance,
    private readonly nic: ComputeInstanceNetworkInterface,
    private metadata: Record<string, string>,
    private readonly path: string,
  ) {
    this.machineId = instance.id;
    this.privateAddress = instance.networkInterface.get(0).networkIp;
  }

  /** Instance metadata, which the machine reads from the metadata server; Compute Engine updates it in place. */
  addMetadata(key: string, value: string): void {
    checkMetadataEntry(this.path, key, value);
    this.metadata = { ...this.metadata, [key]: value };
    checkMetadataTotal(this.path, this.metadata);
    this.instance.metadata = this.metadata;
  }

  /** Gives the network interface an external address (one access config: GCP takes one per interface). */
  bindAddress(address: string, path: string): void {
    if (this.hasPublicAddress) fail(path, "gcp.two-public-addresses", `machine ${this.name} has a public address already; on GCP a network interface takes one`);
    this.hasPublicAddress = true;
    this.instance.putNetworkInterface([{ ...this.nic, accessConfig: [{ natIp: address }] }]);
  }
}

function checkMetadataEntry(path: string, key: string, value: string): void {
  if (!METADATA_KEY.test(key)) fail(path, "gcp.bad-metadata-key", `metadata key "${key}" is not one Compute Engine takes (letters, digits, '_' and '-', at most 128 characters)`);
  if (RESERVED_KEYS.has(key)) fail(path, "gcp.reserved-metadata-key", `metadata key "${key}" is written by drover's GCP driver: use another key`);
  const bytes = Buffer.byteLength(value);
  if (bytes > GCP_METADATA_VALUE_MAX_BYTES) {
    fail(path, "gcp.metadata-too-big", `metadata "${key}" is ${bytes} bytes; Compute Engine takes ${GCP_METADATA_VALUE_MAX_BYTES} per value: keep large data on a volume`);
  }
}

function checkMetadataTotal(path: string, metadata: Readonly<Record<string, string>>): void {
  const bytes = Object.entries(metadata).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (bytes > GCP_METADATA_TOTAL_MAX_BYTES) {
    fail(path, "gcp.metadata-too-big", `the machine's metadata is ${bytes} bytes in all; Compute Engine takes ${GCP_METADATA_TOTAL_MAX_BYTES}: move large files to a volume or download them at boot`);
  }
}

class GcpVolume implements IVolume {
  attachedTo?: string;
  constructor(
    readonly name: string,
    readonly disk: ComputeDisk,
    /** The disk's name: the attachment's device name is the same, so the machine finds the disk at /dev/disk/by-id/google-<name>. */
    readonly volumeId: string,
  ) {}
}

/** Implements the driver interface with hashicorp/google 6.50 resources (@cdktf/provider-google 16.12). */
export class GcpDriver implements CloudDriver {
  /** DNS zones and held addresses; no managed Kubernetes, credentials, shares or cleanup steps yet. */
  readonly abilities: DriverAbilities = {
    dnsZones: { lookup: (scope, id, zoneName) => this.lookupDnsZone(scope, id, zoneName) },
    heldAddresses: {
      reserve: (scope, id, spec) => this.reservePublicAddress(scope, id, spec),
      attach: (scope, id, spec) => this.attachPublicAddress(scope, id, spec),
    },
  };
  private readonly b: GcpBindings;
  private readonly placements = new Map<string, Placement>();
  private readonly images = new Map<string, string>();
  private readonly keys = new Map<string, string>();
  private readonly reserved = new Set<string>();

  constructor(
    private readonly context: DriverContext,
    readonly profile: GcpProfile,
  ) {
    // The bindings load here, when a stack on GCP is made, and never for stacks on other clouds.
    this.b = gcpBindings();
  }

  /** Project, region and zone from the cloud profile; the stack's tags as labels on every resource that takes them. */
  configureProvider(): void {
    new this.b.GoogleProvider(this.context.scope, "google", {
      project: this.profile.project,
      region: this.profile.region,
      zone: this.profile.zone,
      ...(this.profile.credentialsFile ? { credentials: this.profile.credentialsFile } : {}),
      defaultLabels: gcpLabels(this.context.tags),
    });
  }

  /**
   * A VPC network with one subnetwork spanning the range. GCP networks route to the internet
   * unless their default route is deleted, which `internetAccess: false` does. Only machines
   * with an external address use that route: drover makes no Cloud NAT (it bills by the hour).
   * Private Google access lets the others reach Google's APIs. Subnetworks hand out Google's
   * resolver and take no other DNS servers, and GCP reserves fixed addresses itself, so no
   * DHCP range is set aside.
   */
  createNetwork(scope: Construct, id: string, spec: NetworkSpec): INetwork {
    if (spec.dnsNameservers?.length) {
      fail(
        scope.node.path,
        "gcp.no-subnet-dns",
        `'dnsNameservers' ${JSON.stringify(spec.dnsNameservers)} cannot be set on GCP: a subnetwork always hands out Google's resolver (169.254.169.254): remove 'dnsNameservers', or point the machines at other servers in bootCommands`,
      );
    }
    const network = new this.b.ComputeNetwork(scope, id, {
      name: gcpName(`${spec.name}-vpc`),
      description: `drover: network of ${scope.node.path}`,
      autoCreateSubnetworks: false,
      routingMode: "REGIONAL",
      deleteDefaultRoutesOnCreate: !spec.internetAccess,
    });
    const subnet = new this.b.ComputeSubnetwork(scope, "Subnetwork", {
      name: gcpName(`${spec.name}-subnet`),
      network: network.selfLink,
      region: this.profile.region,
      ipCidrRange: spec.cidr.text,
      privateIpGoogleAccess: true,
    });
    // Keyed by the reference text, which every copy of this INetwork carries.
    const subnetId = subnet.selfLink;
    this.placements.set(subnetId, { networkId: network.selfLink, internet: spec.internetAccess });
    return { networkId: network.selfLink, subnetId, cidr: spec.cidr, displayName: `${spec.name}-vpc` };
  }

  /** An existing subnetwork of the profile's region, by name or by its path; the network is the subnetwork's. */
  importNetwork(scope: Construct, id: string, lookup: NetworkLookup): INetwork {
    const path = `${scope.node.path}/${id}`;
    if (lookup.id !== undefined && !SUBNETWORK_PATH.test(lookup.id)) {
      fail(
        path,
        "gcp.bad-network",
        `on GCP an existing network is named by its subnetwork: { name: "<subnetwork name>" } or { id: "projects/<project>/regions/<region>/subnetworks/<name>" }, got { id: "${lookup.id}" }`,
      );
    }
    if (lookup.name !== undefined && !GCP_NAME.test(lookup.name)) {
      fail(path, "gcp.bad-network", `"${lookup.name}" is not a subnetwork name (lower-case letters, digits and '-', starting with a letter, at most 63 characters)`);
    }
    const subnet = new this.b.DataGoogleComputeSubnetwork(scope, id, lookup.id ? { selfLink: lookup.id } : { name: lookup.name!, region: this.profile.region });
    const subnetId = subnet.selfLink;
    this.placements.set(subnetId, { networkId: subnet.network });
    return { networkId: subnet.network, subnetId, displayName: lookup.id ?? lookup.name! };
  }

  /**
   * A network tag (no resource until a rule is added). Ingress is closed: a network drover makes
   * has no rules but GCP's implied ones (deny all ingress, allow all egress); on a network looked
   * up, the rules it already has apply too.
   */
  createFirewall(scope: Construct, id: string, spec: { name: string; description: string }): IFirewall {
    return new GcpFirewall(this.b, scope, id, spec.name, gcpName(spec.name));
  }

  /** GCP has no key pairs: the driver remembers the key and writes it into each machine's metadata. */
  createKeyPair(_scope: Construct, _id: string, spec: { name: string; publicKey: string }): IKeyPair {
    this.keys.set(spec.name, spec.publicKey.trim());
    return { keyPairName: spec.name };
  }

  importKeyPair(name: string): IKeyPair {
    fail(
      this.context.stackName,
      "gcp.no-key-pairs",
      `'keyPairName' "${name}" names a key pair, and GCP has none: pass the public key itself as 'publicKey' (the content of ~/.ssh/id_ed25519.pub); drover puts it in the machine's metadata`,
    );
  }

  /**
   * A shielded VM (secure boot, vTPM, integrity monitoring) with a balanced persistent boot disk
   * and no service account, so software on it holds no Google credentials. Its metadata carries
   * the user data (cloud-init reads `user-data`), the SSH key for the image's login account, and
   * the construct's entries; project-wide SSH keys are blocked, so only the stack's key logs in.
   * New user data replaces the machine, as on the other clouds (cloud-init reads it at first
   * boot only); other metadata changes in place. GPU types stop for host maintenance, as GCP
   * cannot live-migrate them.
   */
  createMachine(scope: Construct, id: string, spec: MachineSpec): IMachine {
    const path = `${scope.node.path}/${id}`;
    const placement = this.placementOf(spec.network, path);
    const userDataBytes = Buffer.byteLength(spec.userData);
    if (userDataBytes > GCP_METADATA_VALUE_MAX_BYTES) {
      fail(
        path,
        "gcp.user-data-too-big",
        `the user data is ${userDataBytes} bytes; Compute Engine takes ${GCP_METADATA_VALUE_MAX_BYTES} per metadata value: move large files to a volume or download them at boot`,
      );
    }
    for (const f of spec.firewalls) {
      if (!(f instanceof GcpFirewall)) fail(path, "gcp.foreign-firewall", `firewall ${f.displayName} was not made by the GCP driver`);
      f.placeIn(placement.networkId, path);
    }
    // The helpers' IDs: beside a construct's main machine ("Resource") plain, else after the machine's ID.
    const helperId = (role: string) => (id === "Resource" ? role : `${id}-${role}`);
    const image = this.imageOf(scope, spec.image, path, helperId("ImageName"));
    for (const [k, v] of Object.entries(spec.metadata ?? {})) checkMetadataEntry(path, k, v);
    const sshKeys: Record<string, string> = {};
    if (spec.keyPair) {
      const key = this.keys.get(spec.keyPair.keyPairName);
      if (!key) fail(path, "gcp.unknown-key", `key pair ${spec.keyPair.keyPairName} was not made by this stack's GCP driver: pass the public key ('publicKey')`);
      const loginUser = spec.loginUser ?? image.loginUser;
      if (!loginUser)
        fail(
          path,
          "gcp.unknown-login",
          `cannot tell the login account of image "${spec.image}" for its SSH key: use ${GCP_IMAGES.map((i) => `"${i.name}"`).join(" or ")}, or an image whose path names its distribution`,
        );
      sshKeys["ssh-keys"] = `${loginUser}:${key}`;
    }
    const metadata = { ...spec.metadata, "user-data": spec.userData, ...sshKeys, "block-project-ssh-keys": "true" };
    checkMetadataTotal(path, metadata);
    const flavor = spec.flavor as Partial<GcpMachineType> & MachineSpec["flavor"];
    const nic: ComputeInstanceNetworkInterface = {
      subnetwork: spec.network.subnetId!,
      ...(spec.fixedAddress ? { networkIp: spec.fixedAddress } : {}),
      ...(flavor.gvnicOnly ? { nicType: "GVNIC" } : {}),
      // On Jetstream2 every machine on a routed network reaches the internet through its router.
      // On GCP that takes an external address: until a static one is bound (bindAddress), the
      // machine gets an ephemeral one; its firewall rules still admit only what they open.
      // Cloud NAT would do it too, billed by the hour.
      ...(placement.internet ? { accessConfig: [{}] } : {}),
    };
    // Metadata updates in place, so a trigger holds the user data's hash (references as written).
    const hash = Lazy.stringValue({ produce: (ctx: IResolveContext) => `sha256:${sha256(String(ctx.resolve(escapeTerraformText(spec.userData))))}` });
    const userData = new TerraformData(scope, helperId("UserData"), { input: hash });
    const triggers = [...(image.trigger ? [image.trigger] : []), `${TerraformData.tfResourceType}.${userData.friendlyUniqueId}`];
    const instance = new this.b.ComputeInstance(scope, id, {
      name: spec.name,
      machineType: spec.flavor.name,
      zone: this.profile.zone,
      // A new size stops and starts the machine instead of failing the apply.
      allowStoppingForUpdate: true,
      bootDisk: { autoDelete: true, initializeParams: { image: image.self, size: spec.rootVolumeGiB ?? DEFAULT_BOOT_DISK_GIB, type: "pd-balanced" } },
      shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
      networkInterface: [nic],
      tags: spec.firewalls.map((f) => f.firewallId),
      metadata,
      // References have no label form: only literal entries become labels.
      labels: gcpLabels(Object.fromEntries(Object.entries(spec.metadata ?? {}).filter(([, v]) => !Token.isUnresolved(v)))),
      ...(spec.flavor.gpu > 0 ? { scheduling: { onHostMaintenance: "TERMINATE", automaticRestart: true } } : {}),
      lifecycle: {
        // Data disks are attached by their own resources (attachVolume): the instance must not detach them.
        ignoreChanges: [...(image.trigger ? ["boot_disk[0].initialize_params[0].image"] : []), "attached_disk"],
        replaceTriggeredBy: triggers,
      },
      ...(spec.dependsOn?.length ? { dependsOn: [...spec.dependsOn] } : {}),
    });
    const machine = new GcpMachine(spec.name, instance, nic, metadata, path);
    return machine;
  }

  private placementOf(network: INetwork, path: string): Placement {
    const placement = network.subnetId ? this.placements.get(network.subnetId) : undefined;
    if (!placement) fail(path, "gcp.foreign-network", `network ${network.displayName} was not made or looked up by this stack's GCP driver: use a Network of the stack or Network.fromExisting`);
    return placement;
  }

  /**
   * The boot image for an image name: an image path as it is, or the newest image of a known
   * family, looked up once per stack. Canonical adds images to a family every few weeks, which
   * must not rebuild running machines: the image is ignored after creation, and a trigger
   * holding the image *name* replaces the machine when the name changes.
   */
  private imageOf(scope: Construct, image: string, path: string, triggerId: string): { self: string; loginUser?: string; trigger?: string } {
    if (GCP_IMAGE_PATH.test(image)) {
      const loginUser = loginUserFor(image, []);
      return { self: image, ...(loginUser ? { loginUser } : {}) };
    }
    const known = GCP_IMAGES.find((i) => i.name === image);
    if (!known) {
      fail(
        path,
        "gcp.unknown-image",
        `'image' "${image}" is not an image drover knows on GCP: use ${GCP_IMAGES.map((i) => `"${i.name}"`).join(" or ")}, or an image path ("projects/<project>/global/images/family/<family>") with 'sshUser'`,
      );
    }
    let self = this.images.get(image);
    if (!self) {
      self = new this.b.DataGoogleComputeImage(this.context.scope, `Image-${image.replace(/[^A-Za-z0-9]+/g, "-")}`, { project: known.project, family: known.imageFamily }).selfLink;
      this.images.set(image, self);
    }
    const trigger = new TerraformData(scope, triggerId, { input: image });
    // A plain address: cdktf would write a resource object as "${...}", which Terraform's JSON
    // syntax rejects in replace_triggered_by.
    return { self, loginUser: known.loginUser, trigger: `${TerraformData.tfResourceType}.${trigger.friendlyUniqueId}` };
  }

  /** A persistent disk (balanced unless a type is named) in the profile's zone, where every machine of the stack is. */
  createVolume(scope: Construct, id: string, spec: VolumeSpec): IVolume {
    const name = gcpName(spec.name);
    const disk = new this.b.ComputeDisk(scope, id, {
      name,
      zone: this.profile.zone,
      size: spec.sizeGiB,
      type: spec.volumeType ?? "pd-balanced",
      ...(spec.protect && !this.context.allowDestroy ? { lifecycle: { preventDestroy: true } } : {}),
    });
    markStateful(disk);
    return new GcpVolume(spec.name, disk, name);
  }

  /** Attaches read-write under the disk's own name, which the machine sees as /dev/disk/by-id/google-<name>. */
  attachVolume(scope: Construct, id: string, machine: IMachine, volume: IVolume): void {
    const path = `${scope.node.path}/${id}`;
    if (!(machine instanceof GcpMachine) || !(volume instanceof GcpVolume)) fail(path, "gcp.foreign-volume", "the machine and the volume must both come from the GCP driver");
    if (volume.attachedTo !== undefined) {
      fail(path, "gcp.volume-attached-twice", `volume ${volume.name} is attached to ${volume.attachedTo} already; a persistent disk is attached read-write to one machine`);
    }
    volume.attachedTo = machine.name;
    new this.b.ComputeAttachedDisk(scope, id, { disk: volume.disk.selfLink, instance: machine.instance.selfLink, deviceName: volume.volumeId, mode: "READ_WRITE" });
  }

  /** A static external address in the profile's region, bound to the machine's network interface. */
  createPublicAddress(scope: Construct, id: string, spec: { name: string; machine: IMachine }): IPublicAddress {
    const path = `${scope.node.path}/${id}`;
    if (!(spec.machine instanceof GcpMachine)) fail(path, "gcp.foreign-machine", "the machine must come from the GCP driver");
    const address = this.addressResource(scope, id, spec.name);
    spec.machine.bindAddress(address, path);
    return { address };
  }

  /** A static external address held for a machine named later (`attachPublicAddress`). */
  reservePublicAddress(scope: Construct, id: string, spec: { name: string }): IPublicAddress {
    const address = this.addressResource(scope, id, spec.name);
    this.reserved.add(address);
    return { address };
  }

  /** Binds a reserved address: the machine's interface takes it in place (no resource of its own). */
  attachPublicAddress(scope: Construct, id: string, spec: { address: string; machine: IMachine }): void {
    const path = `${scope.node.path}/${id}`;
    if (!this.reserved.has(spec.address)) fail(path, "gcp.unknown-address", "the address was not reserved by this stack's reservePublicAddress");
    if (!(spec.machine instanceof GcpMachine)) fail(path, "gcp.foreign-machine", "the machine must come from the GCP driver");
    spec.machine.bindAddress(spec.address, path);
  }

  private addressResource(scope: Construct, id: string, name: string): string {
    return new this.b.ComputeAddress(scope, id, { name: gcpName(name), addressType: "EXTERNAL", region: this.profile.region }).address;
  }

  /**
   * A Cloud DNS managed zone is looked up by its resource name, not its domain: drover knows the
   * one the profile names (`dnsZone`), and only that one.
   */
  lookupDnsZone(scope: Construct, id: string, zoneName: string): string {
    const path = `${scope.node.path}/${id}`;
    const domain = zoneName.endsWith(".") ? zoneName : `${zoneName}.`;
    if (!this.profile.dnsManagedZone) {
      fail(
        path,
        "gcp.no-dns-zone",
        `on GCP a Cloud DNS zone is found by its resource name, and this profile names none: pass dnsZone: { name: "<the managed zone's resource name>", domain: "${domain.slice(0, -1)}" } to gcp()`,
      );
    }
    if (domain !== this.profile.dnsZone) {
      fail(path, "gcp.other-dns-zone", `zone ${domain} is not the profile's DNS zone (${this.profile.dnsZone}): drover knows the Cloud DNS resource name of that one only`);
    }
    return new this.b.DataGoogleDnsManagedZone(scope, id, { name: this.profile.dnsManagedZone }).name;
  }

  createDnsRecord(scope: Construct, id: string, spec: DnsRecordSpec): IDnsRecord {
    const fqdn = `${spec.name}.${spec.zoneName.endsWith(".") ? spec.zoneName : `${spec.zoneName}.`}`;
    new this.b.DnsRecordSet(scope, id, { managedZone: spec.zoneId, name: fqdn, type: spec.type, ttl: spec.ttlSeconds ?? 300, rrdatas: [...spec.values] });
    return { fqdn };
  }
}
