import type { Construct } from "constructs";
import { Annotations, Fn, dependable, type ITerraformDependable } from "cdktf";
import type { ApplicationSecurityGroup } from "@cdktf/provider-azurerm/lib/application-security-group/index.js";
import type { NetworkInterface, NetworkInterfaceIpConfiguration } from "@cdktf/provider-azurerm/lib/network-interface/index.js";
import { azureSize } from "../../lib/catalog/azure-sizes.ts";
import { loginUserFor } from "../../lib/catalog/images.ts";
import { hostAddress, hostIndex } from "../../lib/net/cidr.ts";
import { parseSshPublicKey } from "../../lib/net/ssh-key.ts";
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
  VolumeSpec,
} from "../cloud.ts";
import { markStateful } from "../stateful.ts";
import { azureBindings, type AzureBindings } from "./bindings.ts";
import { AzureFirewall, SecurityRules, fail } from "./firewall.ts";
import { AzureMachine, AzureVolume, customDataOf } from "./machine.ts";
import { AZURE_IMAGES, parseImageUrn, type AzureImageReference } from "./images.ts";
import type { AzureProfile, AzureSubnetLookup } from "./profile-type.ts";

/** Canonical's Ubuntu images bring a 30 GiB OS disk, and Azure cannot make a disk smaller than its image. */
export const DEFAULT_OS_DISK_GIB = 30;
/** Disk types that work without availability zones (Premium SSD v2 and Ultra Disk need one). */
export const AZURE_VOLUME_TYPES = ["StandardSSD_LRS", "Premium_LRS", "Standard_LRS", "StandardSSD_ZRS", "Premium_ZRS"] as const;
/** Azure caches reads and writes on the host only for disks smaller than 4 TiB. */
const HOST_CACHE_LIMIT_GIB = 4095;
/** A subnet resource ID, as the portal and `az network vnet subnet show` print it. */
const SUBNET_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i;

/** An SSH key the driver can put on a VM: Azure wants the key itself, not a name. */
interface AzureKeyPair extends IKeyPair {
  readonly publicKey: string;
}

/** What the driver knows of a subnet, kept by its ID's reference text. */
interface Placement {
  /** Identifies the virtual network: an application security group holds machines of one. */
  readonly vnetKey: string;
  /** Whether the subnet has default outbound access; undefined for a subnet the stack did not make. */
  readonly internetAccess?: boolean;
  /** The NICs on it so far, by how they get their address. */
  readonly nics: { readonly fixed: NetworkInterface[]; readonly dynamic: NetworkInterface[] };
}

/**
 * Implements the driver interface with hashicorp/azurerm 4.55 resources (@cdktf/provider-azurerm
 * 14.23). Everything goes in one resource group per stack. Firewalls are application security
 * groups under one network security group per stack; see firewall.ts for why and for how Azure's
 * defaults differ from the other clouds'.
 *
 * @example
 * // made by the stack from its profile; constructs reach it as `stack.driver`:
 * const stack = new DroverStack(app, "lab", { cloud: azure({ location: "eastus2" }) });
 * stack.driver.createVolume(stack, "Scratch", { name: "lab-scratch", sizeGiB: 100, protect: false });
 */
export class AzureDriver implements CloudDriver {
  /** DNS zones and held addresses; no managed Kubernetes, credentials, shares or cleanup steps yet. */
  readonly abilities: DriverAbilities = {
    dnsZones: { lookup: (scope, id, zoneName) => this.lookupDnsZone(scope, id, zoneName) },
    heldAddresses: {
      reserve: (scope, id, spec) => this.reservePublicAddress(scope, id, spec),
      attach: (scope, id, spec) => this.attachPublicAddress(scope, id, spec),
    },
  };
  private readonly b: AzureBindings;
  private readonly placements = new Map<string, Placement>();
  private readonly keyLookups = new Map<string, AzureKeyPair>();
  private readonly zones = new Map<string, { name: string; resourceGroup: string }>();
  private readonly reserved = new Map<string, string>();
  private group?: { name: string };
  private rules?: SecurityRules;

  constructor(
    private readonly context: DriverContext,
    readonly profile: AzureProfile,
  ) {
    // The bindings load here, when a stack on Azure is made, and never for stacks on other clouds.
    this.b = azureBindings();
  }

  /** `features` is required by the provider even when empty; the subscription only when given in code. */
  configureProvider(): void {
    new this.b.AzurermProvider(this.context.scope, "azurerm", {
      features: [{}],
      ...(this.profile.subscriptionId ? { subscriptionId: this.profile.subscriptionId } : {}),
    });
  }

  /** The stack's tags plus `extra`: azurerm has no default tags, so each resource gets them. */
  private tags(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return { ...this.context.tags, ...extra };
  }

  /** The resource group: "<stack>-rg", made on first use, or the existing one the profile names. */
  private resourceGroup(): string {
    if (!this.group) {
      this.group = this.profile.resourceGroup
        ? new this.b.DataAzurermResourceGroup(this.context.scope, "ResourceGroup", { name: this.profile.resourceGroup })
        : new this.b.ResourceGroup(this.context.scope, "ResourceGroup", { name: `${this.context.stackName}-rg`, location: this.profile.location, tags: this.tags() });
    }
    return this.group.name;
  }

  private where(): { resourceGroupName: string; location: string } {
    return { resourceGroupName: this.resourceGroup(), location: this.profile.location };
  }

  private securityRules(): SecurityRules {
    this.rules ??= new SecurityRules(this.b, this.context.scope, `${this.context.stackName}-nsg`, this.where(), this.tags());
    return this.rules;
  }

  /**
   * A virtual network with one subnet spanning its range. The spec's DHCP pool has no Azure
   * counterpart (see orderAddresses). `default_outbound_access_enabled` is always written: the
   * provider's default follows the Azure API version, and newer versions make subnets private.
   */
  createNetwork(scope: Construct, id: string, spec: NetworkSpec): INetwork {
    const vnet = new this.b.VirtualNetwork(scope, id, {
      name: `${spec.name}-vnet`,
      ...this.where(),
      addressSpace: [spec.cidr.text],
      ...(spec.dnsNameservers?.length ? { dnsServers: [...spec.dnsNameservers] } : {}),
      tags: this.tags(),
    });
    const subnet = new this.b.Subnet(scope, "Subnet", {
      name: `${spec.name}-subnet`,
      resourceGroupName: this.resourceGroup(),
      virtualNetworkName: vnet.name,
      addressPrefixes: [spec.cidr.text],
      defaultOutboundAccessEnabled: spec.internetAccess,
    });
    const subnetId = subnet.id;
    this.placements.set(subnetId, { vnetKey: vnet.id, internetAccess: spec.internetAccess, nics: { fixed: [], dynamic: [] } });
    return { networkId: vnet.id, subnetId, cidr: spec.cidr, displayName: `${spec.name}-vnet` };
  }

  /**
   * An existing subnet: from the profile ({ name, virtualNetwork, resourceGroup }), by resource
   * ID, or `{ name: "<virtual network>/<subnet>" }` in the stack's existing resource group.
   */
  importNetwork(scope: Construct, id: string, lookup: NetworkLookup): INetwork {
    const path = `${scope.node.path}/${id}`;
    const full = lookup as Partial<AzureSubnetLookup>;
    let where: { name: string; virtualNetworkName: string; resourceGroupName: string } | undefined;
    const byId = lookup.id !== undefined ? SUBNET_ID.exec(lookup.id) : null;
    if (full.virtualNetwork && full.resourceGroup && lookup.name) {
      where = { name: lookup.name, virtualNetworkName: full.virtualNetwork, resourceGroupName: full.resourceGroup };
    } else if (byId) {
      where = { name: byId[3]!, virtualNetworkName: byId[2]!, resourceGroupName: byId[1]! };
    } else if (lookup.name && /^[^/]+\/[^/]+$/.test(lookup.name) && this.profile.resourceGroup) {
      const [vnet, name] = lookup.name.split("/") as [string, string];
      where = { name, virtualNetworkName: vnet, resourceGroupName: this.profile.resourceGroup };
    }
    if (!where) {
      const got = lookup.id !== undefined ? `{ id: "${lookup.id}" }` : `{ name: "${lookup.name}" }`;
      fail(
        path,
        "azure.bad-network",
        `on Azure an existing network is named by its subnet: { id: "/subscriptions/.../virtualNetworks/<network>/subnets/<subnet>" }, or { name: "<network>/<subnet>" } when azure() names an existing 'resourceGroup' that holds it; got ${got}`,
      );
    }
    const subnet = new this.b.DataAzurermSubnet(scope, id, where);
    const subnetId = subnet.id;
    this.placements.set(subnetId, { vnetKey: `${where.resourceGroupName}/${where.virtualNetworkName}`.toLowerCase(), nics: { fixed: [], dynamic: [] } });
    // The network is the subnet ID without its last two parts.
    return { networkId: Fn.replace(subnetId, "//subnets/[^/]+$/", ""), subnetId, displayName: `${where.virtualNetworkName}/${where.name}` };
  }

  /** An application security group: machines join it, and rules name it as their destination. */
  createFirewall(scope: Construct, id: string, spec: { name: string; description: string }): IFirewall {
    const rules = this.securityRules();
    const group: ApplicationSecurityGroup = new this.b.ApplicationSecurityGroup(scope, id, { name: spec.name, ...this.where(), tags: this.tags() });
    return new AzureFirewall(rules, scope, id, spec.name, group);
  }

  /**
   * The key is registered as an SSH public key resource (so a person finds it in the portal and
   * other stacks can look it up by name), and each VM carries the key itself, which is what
   * Azure puts in the admin account's authorized_keys. Azure takes RSA and ed25519 keys only.
   */
  createKeyPair(scope: Construct, id: string, spec: { name: string; publicKey: string }): IKeyPair {
    const parsed = parseSshPublicKey(spec.publicKey);
    if (parsed.ok && parsed.key.type !== "ssh-ed25519" && parsed.key.type !== "ssh-rsa") {
      fail(
        `${scope.node.path}/${id}`,
        "azure.key-type",
        `'publicKey' is a ${parsed.key.type} key, and Azure takes only ssh-ed25519 and ssh-rsa (2048 bits or more) keys: make one with ssh-keygen -t ed25519`,
      );
    }
    const key = new this.b.SshPublicKey(scope, id, { name: spec.name, ...this.where(), publicKey: spec.publicKey, tags: this.tags() });
    const pair: AzureKeyPair = { keyPairName: key.name, publicKey: spec.publicKey };
    return pair;
  }

  /**
   * An SSH public key resource of the stack's resource group, by name. A new resource group
   * holds none yet, so the lookup is only offered with an existing one.
   */
  importKeyPair(name: string): IKeyPair {
    if (!this.profile.resourceGroup) {
      fail(
        this.context.stackName,
        "azure.key-lookup",
        `'keyPairName' "${name}": on Azure drover looks a key up in the stack's resource group, and this stack's (${this.context.stackName}-rg) is new, so it holds none: pass 'publicKey' instead, or name an existing 'resourceGroup' in azure()`,
      );
    }
    let pair = this.keyLookups.get(name);
    if (!pair) {
      const key = new this.b.DataAzurermSshPublicKey(this.context.scope, `KeyPair-${name.replace(/[^A-Za-z0-9-]+/g, "-")}`, { name, resourceGroupName: this.resourceGroup() });
      pair = { keyPairName: name, publicKey: key.publicKey };
      this.keyLookups.set(name, pair);
    }
    return pair;
  }

  /**
   * A Linux VM behind a NIC: the stack's network security group on the NIC, the NIC in the
   * application security group of each firewall, and the VM created only once both hold (it is
   * never up without its rules). Trusted launch (Secure Boot, vTPM) on drover's images, except
   * Secure Boot on GPU sizes, where a driver built on the machine would not load. The OS disk is
   * Premium SSD on sizes that take it. New custom data replaces the machine, as on OpenStack:
   * cloud-init reads it at first boot only.
   */
  createMachine(scope: Construct, id: string, spec: MachineSpec): IMachine {
    const path = `${scope.node.path}/${id}`;
    // One machine per scope is the constructs' habit ("Resource"); other IDs keep theirs apart.
    const child = (role: string) => (id === "Resource" ? role : `${id}-${role}`);
    const placement = this.placementOf(spec.network, path);
    const keyPair = spec.keyPair as Partial<AzureKeyPair> | undefined;
    if (!keyPair?.publicKey) {
      fail(
        path,
        "azure.no-key",
        `machine ${spec.name} has no SSH key, and Azure makes no Linux VM without a key when password login is off: set 'publicKey' (the content of ~/.ssh/id_ed25519.pub), even if SSH stays closed`,
      );
    }
    const image = this.imageOf(spec, path);
    const osDiskGiB = spec.rootVolumeGiB ?? DEFAULT_OS_DISK_GIB;
    if (osDiskGiB < DEFAULT_OS_DISK_GIB) {
      fail(
        path,
        "azure.small-os-disk",
        `'rootVolumeGiB' ${osDiskGiB} is smaller than the ${DEFAULT_OS_DISK_GIB} GiB disk of the image, and Azure cannot shrink it: use ${DEFAULT_OS_DISK_GIB} or more`,
      );
    }
    if (spec.fixedAddress) this.checkFixedAddress(spec, path);
    const firewalls = spec.firewalls.map((f) => {
      if (!(f instanceof AzureFirewall)) fail(path, "azure.foreign-firewall", `firewall ${f.displayName} was not made by the Azure driver`);
      return f;
    });
    const customData = customDataOf(scope, child("UserData"), spec.userData, path);
    for (const f of firewalls) f.placeIn(placement.vnetKey, path);

    const size = azureSize(spec.flavor.name);
    const ipConfiguration: NetworkInterfaceIpConfiguration = {
      name: "primary",
      subnetId: spec.network.subnetId!,
      privateIpAddressAllocation: spec.fixedAddress ? "Static" : "Dynamic",
      ...(spec.fixedAddress ? { privateIpAddress: spec.fixedAddress } : {}),
    };
    const nic = new this.b.NetworkInterface(scope, child("Nic"), { name: `${spec.name}-nic`, ...this.where(), ipConfiguration: [ipConfiguration], tags: this.tags() });
    this.orderAddresses(placement, nic, spec.fixedAddress !== undefined);
    const rules = this.securityRules();
    const ready: ITerraformDependable[] = [
      new this.b.NetworkInterfaceSecurityGroupAssociation(scope, child("NicSecurityGroup"), { networkInterfaceId: nic.id, networkSecurityGroupId: rules.groupId }),
      ...rules.closedByDefault,
      ...firewalls.map(
        (f) => new this.b.NetworkInterfaceApplicationSecurityGroupAssociation(scope, child(`Joins-${f.displayName}`), { networkInterfaceId: nic.id, applicationSecurityGroupId: f.firewallId }),
      ),
    ];
    const tags = this.tags(spec.metadata);
    const gpu = (size?.gpu ?? spec.flavor.gpu) > 0;
    const vm = new this.b.LinuxVirtualMachine(scope, id, {
      name: spec.name,
      ...this.where(),
      size: spec.flavor.name,
      networkInterfaceIds: [nic.id],
      adminUsername: image.loginUser,
      adminSshKey: [{ username: image.loginUser, publicKey: keyPair.publicKey }],
      disablePasswordAuthentication: true,
      customData,
      osDisk: {
        name: `${spec.name}-os`,
        caching: "ReadWrite",
        storageAccountType: size?.premiumStorage ? "Premium_LRS" : "StandardSSD_LRS",
        diskSizeGb: osDiskGiB,
      },
      sourceImageReference: image.reference,
      ...(image.generation2 ? { secureBootEnabled: !gpu, vtpmEnabled: true } : {}),
      tags,
      dependsOn: [...ready, ...(spec.dependsOn ?? [])],
    });
    const machine = new AzureMachine(path, spec.name, vm, nic, ipConfiguration, spec.flavor.name, size, tags);
    if (placement.internetAccess) this.warnIfOnDefaultOutbound(scope, machine);
    return machine;
  }

  /**
   * Azure has no DHCP range: a NIC without a fixed address gets the lowest free one of the
   * subnet, which may be one a machine created in the same run asks for. NICs with fixed
   * addresses on a subnet are therefore created before those without, whatever the order in code.
   */
  private orderAddresses(placement: Placement, nic: NetworkInterface, fixed: boolean): void {
    const { nics } = placement;
    if (fixed) {
      for (const other of nics.dynamic) other.dependsOn = [...(other.dependsOn ?? []), dependable(nic)];
      nics.fixed.push(nic);
    } else {
      if (nics.fixed.length) nic.dependsOn = nics.fixed.map((n) => dependable(n));
      nics.dynamic.push(nic);
    }
  }

  /**
   * Default outbound access gives a machine without a public IP a way out through an address
   * Microsoft owns and may change; Azure is retiring it (subnets made with its newer API
   * versions are private unless told otherwise). drover asks for it on the subnets it makes, so
   * packages install at first boot today, and says so. Checked at synthesis, when every address
   * has been bound.
   */
  private warnIfOnDefaultOutbound(scope: Construct, machine: AzureMachine): void {
    let warned = false;
    machine.vm.node.addValidation({
      validate: () => {
        if (!machine.hasPublicAddress && !warned) {
          warned = true;
          Annotations.of(scope).addWarning(
            `${machine.name} has no public address: on Azure it reaches the internet only through default outbound access, which Azure is retiring and whose address may change. Give it a public address, or ignore this if it needs none.`,
          );
        }
        return [];
      },
    });
  }

  private placementOf(network: INetwork, path: string): Placement {
    const placement = network.subnetId ? this.placements.get(network.subnetId) : undefined;
    if (!placement) fail(path, "azure.foreign-network", `network ${network.displayName} was not made or looked up by this stack's Azure driver: use a Network of the stack or Network.fromExisting`);
    return placement;
  }

  /** Azure keeps the first four addresses of every subnet and its last one. */
  private checkFixedAddress(spec: MachineSpec, path: string): void {
    const cidr = spec.network.cidr;
    if (cidr?.version !== 4) return;
    const index = hostIndex(cidr, spec.fixedAddress!);
    const last = 2 ** (32 - cidr.prefix) - 1;
    if (index === undefined) fail(path, "azure.fixed-address", `'fixedAddress' ${spec.fixedAddress} is outside ${cidr.text}, the subnet of ${spec.network.displayName}`);
    if (index < 4 || index === last) {
      fail(
        path,
        "azure.fixed-address",
        `'fixedAddress' ${spec.fixedAddress} is one of the addresses Azure keeps in every subnet (the first four of ${cidr.text} and its last): use ${hostAddress(cidr, 4)} to ${hostAddress(cidr, last - 1)}`,
      );
    }
  }

  /** A Marketplace image: one drover knows by name, or a URN (`publisher:offer:sku:version`). */
  private imageOf(spec: MachineSpec, path: string): { reference: AzureImageReference; loginUser: string; generation2: boolean } {
    const known = AZURE_IMAGES.find((i) => i.name === spec.image);
    const urn = known ? undefined : parseImageUrn(spec.image);
    // The construct's login account, once MachineSpec carries it; until then the image's.
    const loginUser = spec.loginUser ?? known?.loginUser ?? loginUserFor(spec.image, []);
    if ((!known && !urn) || !loginUser) {
      const names = AZURE_IMAGES.map((i) => `"${i.name}"`).join(" or ");
      fail(
        path,
        "azure.unknown-image",
        `'image' "${spec.image}" is not an image drover knows on Azure: use ${names}, or a Marketplace URN of an Ubuntu, Debian, Rocky or AlmaLinux image ("Canonical:ubuntu-24_04-lts:server:latest")`,
      );
    }
    const { publisher, offer, sku, version } = known ?? urn!;
    return { reference: { publisher, offer, sku, version }, loginUser, generation2: known?.generation2 ?? false };
  }

  /** A managed disk (Standard SSD unless a type is named), guarded against destroy when asked. */
  createVolume(scope: Construct, id: string, spec: VolumeSpec): IVolume {
    const type = spec.volumeType ?? "StandardSSD_LRS";
    if (!(AZURE_VOLUME_TYPES as readonly string[]).includes(type)) {
      fail(
        `${scope.node.path}/${id}`,
        "azure.volume-type",
        `'volumeType' "${type}" is not a disk type drover can attach on Azure: use ${AZURE_VOLUME_TYPES.map((t) => `"${t}"`).join(", ")} (Premium SSD v2 and Ultra Disk need an availability zone)`,
      );
    }
    const disk = new this.b.ManagedDisk(scope, id, {
      name: spec.name,
      ...this.where(),
      storageAccountType: type,
      createOption: "Empty",
      diskSizeGb: spec.sizeGiB,
      tags: this.tags(),
      ...(spec.protect && !this.context.allowDestroy ? { lifecycle: { preventDestroy: true } } : {}),
    });
    markStateful(disk);
    const group = this.profile.resourceGroup ?? `${this.context.stackName}-rg`;
    const idLength = "/subscriptions/".length + 36 + "/resourceGroups/".length + group.length + "/providers/Microsoft.Compute/disks/".length + spec.name.length;
    return new AzureVolume(spec.name, spec.sizeGiB, type, disk.id, idLength);
  }

  /** Attaches at the machine's next LUN; the machine finds the disk by LUN (see drover-volumes.sh). */
  attachVolume(scope: Construct, id: string, machine: IMachine, volume: IVolume): void {
    const path = `${scope.node.path}/${id}`;
    if (!(machine instanceof AzureMachine) || !(volume instanceof AzureVolume)) fail(path, "azure.foreign-volume", "the machine and the volume must both come from the Azure driver");
    if (volume.attachedTo !== undefined) fail(path, "azure.volume-attached", `volume ${volume.name} is attached to ${volume.attachedTo} already; an Azure disk attaches to one machine`);
    if (volume.storageType.startsWith("Premium") && !machine.size?.premiumStorage) {
      fail(path, "azure.premium-disk", `volume ${volume.name} is ${volume.storageType}, and machine ${machine.name} (size ${machine.sizeName}) takes no Premium SSD: use "StandardSSD_LRS"`);
    }
    volume.attachedTo = machine.name;
    new this.b.VirtualMachineDataDiskAttachment(scope, id, {
      managedDiskId: volume.volumeId,
      virtualMachineId: machine.machineId,
      lun: machine.takeLun(path, volume),
      caching: volume.sizeGiB <= HOST_CACHE_LIMIT_GIB ? "ReadWrite" : "None",
    });
  }

  /** A Standard static public IP, bound through the machine's NIC. */
  createPublicAddress(scope: Construct, id: string, spec: { name: string; machine: IMachine }): IPublicAddress {
    const path = `${scope.node.path}/${id}`;
    if (!(spec.machine instanceof AzureMachine)) fail(path, "azure.foreign-machine", "the machine must come from the Azure driver");
    const ip = this.publicIp(scope, id, spec.name);
    spec.machine.bindPublicAddress(ip.id, path);
    return { address: ip.ipAddress };
  }

  /** A public IP held for a machine named later (`attachPublicAddress`). */
  reservePublicAddress(scope: Construct, id: string, spec: { name: string }): IPublicAddress {
    const ip = this.publicIp(scope, id, spec.name);
    const address = ip.ipAddress;
    this.reserved.set(address, ip.id);
    return { address };
  }

  attachPublicAddress(scope: Construct, id: string, spec: { address: string; machine: IMachine }): void {
    const path = `${scope.node.path}/${id}`;
    const ipId = this.reserved.get(spec.address);
    if (!ipId) fail(path, "azure.unknown-address", "the address was not reserved by this stack's reservePublicAddress");
    if (!(spec.machine instanceof AzureMachine)) fail(path, "azure.foreign-machine", "the machine must come from the Azure driver");
    spec.machine.bindPublicAddress(ipId, path);
  }

  /** Standard SKU: static, and closed to inbound traffic unless a network security group opens it. */
  private publicIp(scope: Construct, id: string, name: string) {
    return new this.b.PublicIp(scope, id, { name, ...this.where(), sku: "Standard", allocationMethod: "Static", tags: this.tags() });
  }

  /**
   * An Azure DNS zone by name: in the resource group the profile gives for its zone, else
   * wherever the subscription holds it.
   */
  lookupDnsZone(scope: Construct, id: string, zoneName: string): string {
    const name = zoneName.replace(/\.$/, "");
    const group = zoneName === this.profile.dnsZone ? this.profile.dnsZoneResourceGroup : undefined;
    const zone = new this.b.DataAzurermDnsZone(scope, id, { name, ...(group ? { resourceGroupName: group } : {}) });
    // Kept by the reference text, which every copy of the zone ID carries.
    const zoneId = zone.id;
    this.zones.set(zoneId, { name: zone.name, resourceGroup: zone.resourceGroupName });
    return zoneId;
  }

  /** An A, AAAA or CNAME record; Azure addresses a zone by name and resource group, not by ID. */
  createDnsRecord(scope: Construct, id: string, spec: DnsRecordSpec): IDnsRecord {
    const path = `${scope.node.path}/${id}`;
    const zone =
      this.zones.get(spec.zoneId) ??
      (spec.zoneName === this.profile.dnsZone && this.profile.dnsZoneResourceGroup ? { name: spec.zoneName.replace(/\.$/, ""), resourceGroup: this.profile.dnsZoneResourceGroup } : undefined);
    if (!zone)
      fail(path, "azure.unknown-zone", `DNS zone ${spec.zoneName} was not looked up by this stack (lookupDnsZone) and is not the dnsZone of azure(): the driver cannot tell its resource group`);
    const common = { name: spec.name, zoneName: zone.name, resourceGroupName: zone.resourceGroup, ttl: spec.ttlSeconds ?? 300, tags: this.tags() };
    if (spec.type === "CNAME") {
      if (spec.values.length !== 1) fail(path, "azure.cname-values", `a CNAME record holds exactly one name, got ${spec.values.length}`);
      new this.b.DnsCnameRecord(scope, id, { ...common, record: spec.values[0]! });
    } else {
      new (spec.type === "A" ? this.b.DnsARecord : this.b.DnsAaaaRecord)(scope, id, { ...common, records: [...spec.values] });
    }
    return { fqdn: `${spec.name}.${spec.zoneName}` };
  }
}
