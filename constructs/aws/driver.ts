import type { Construct } from "constructs";
import { Fn, Lazy, TerraformLocal, type ITerraformDependable } from "cdktf";
import type { Instance } from "@cdktf/provider-aws/lib/instance/index.js";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group/index.js";
import type { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume/index.js";
import { gzipBase64 } from "../../lib/cloud-init.ts";
import { ValidationError } from "../../lib/errors.ts";
import { blocksCovering, hostIndex } from "../../lib/net/cidr.ts";
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
import { awsBindings, type AwsBindings } from "./bindings.ts";
import { AMI_ID, AWS_IMAGES } from "./images.ts";
import type { AwsProfile } from "./profile-type.ts";

/** EC2 takes at most 16 KB of user data (before base64). */
export const AWS_USER_DATA_MAX_BYTES = 16_384;
/** Root volume of a machine that asks for no size: Ubuntu's AMIs bring 8 GiB, too little for work. */
export const DEFAULT_ROOT_VOLUME_GIB = 20;
/** Device names AWS recommends for EBS data volumes, in the order volumes are attached. */
const DEVICE_LETTERS = "fghijklmnop";

/** Characters EC2 accepts in security-group and rule descriptions. */
const DESCRIPTION_UNSAFE = /[^A-Za-z0-9. _\-:/()#,@[\]+=&;{}!$*]/g;

function fail(path: string, code: string, message: string): never {
  throw new ValidationError([{ code, path, message }]);
}

/** Where a subnet is: its VPC and availability zone (references), kept by the subnet ID's token. */
interface Placement {
  readonly vpcId: string;
  readonly availabilityZone: string;
}

class AwsFirewall implements IFirewall {
  readonly firewallId: string;
  private readonly ruleIds = new Set<string>();
  private vpcId?: string;
  constructor(
    private readonly b: AwsBindings,
    private readonly scope: Construct,
    private readonly id: string,
    readonly displayName: string,
    private readonly group: SecurityGroup,
  ) {
    this.firewallId = group.id;
  }

  /**
   * A security group belongs to one VPC, and the driver's `createFirewall` is not told which:
   * the first machine that carries the group decides.
   */
  placeIn(vpcId: string, machinePath: string): void {
    if (this.vpcId === undefined) {
      this.vpcId = vpcId;
      this.group.vpcId = vpcId;
    } else if (this.vpcId !== vpcId) {
      fail(machinePath, "aws.firewall-two-vpcs", `firewall ${this.displayName} is used by machines on two networks; on AWS a security group belongs to one VPC: give each network its own firewall`);
    }
  }

  allowIngress(peer: PeerSpec, port: Port, description: string): void {
    const ipv6 = peer.kind === "cidr" && peer.cidr.version === 6;
    const source = peer.kind === "cidr" ? peer.cidr.text : peer.firewall.displayName;
    // Named after what it opens, so reordering rules in code does not replace them.
    const ruleId = [this.id, port.label, source].join("-").replace(/[^A-Za-z0-9-]+/g, "-");
    if (this.ruleIds.has(ruleId)) return;
    this.ruleIds.add(ruleId);
    new this.b.VpcSecurityGroupIngressRule(this.scope, ruleId, {
      securityGroupId: this.group.id,
      description: description.replace(DESCRIPTION_UNSAFE, "").slice(0, 255),
      ...protocolAndPorts(port, ipv6),
      ...(peer.kind === "firewall" ? { referencedSecurityGroupId: peer.firewall.firewallId } : ipv6 ? { cidrIpv6: peer.cidr.text } : { cidrIpv4: peer.cidr.text }),
    });
  }
}

/** EC2's form of a port: `-1` for every protocol; for ICMP, from_port is the type and to_port the code. */
function protocolAndPorts(port: Port, ipv6: boolean): { ipProtocol: string; fromPort?: number; toPort?: number } {
  switch (port.protocol) {
    case "any":
      return { ipProtocol: "-1" };
    case "icmp": {
      const type = port.icmpType === 8 && ipv6 ? 128 : port.icmpType;
      return { ipProtocol: ipv6 ? "icmpv6" : "icmp", fromPort: type ?? -1, toPort: type === undefined ? -1 : 0 };
    }
    default:
      return { ipProtocol: port.protocol, fromPort: port.from!, toPort: port.to ?? port.from! };
  }
}

class AwsMachine implements IMachine {
  readonly machineId: string;
  readonly privateAddress: string;
  private tags: Record<string, string>;
  private attached = 0;
  /** An Elastic IP is bound to it: its only way to the internet, as drover makes no NAT gateway. */
  hasPublicAddress = false;
  constructor(
    readonly name: string,
    readonly instance: Instance,
    readonly placement: Placement,
    readonly internetReady: ITerraformDependable | undefined,
    tags: Record<string, string>,
  ) {
    this.machineId = instance.id;
    this.privateAddress = instance.privateIp;
    this.tags = tags;
  }

  /** Instance tags, which the machine reads from the metadata service (instance_metadata_tags). */
  addMetadata(key: string, value: string): void {
    this.tags = { ...this.tags, [key]: value };
    this.instance.tags = this.tags;
  }

  nextDeviceName(path: string): string {
    const letter = DEVICE_LETTERS[this.attached++];
    if (!letter) fail(path, "aws.too-many-volumes", `machine ${this.name} has more than ${DEVICE_LETTERS.length} volumes attached; drover names them /dev/sdf to /dev/sdp`);
    return `/dev/sd${letter}`;
  }
}

class AwsVolume implements IVolume {
  readonly volumeId: string;
  /** The availability zone, known when the volume is attached: an EBS volume lives in one zone. */
  zone?: string;
  constructor(
    readonly name: string,
    readonly resource: EbsVolume,
  ) {
    this.volumeId = resource.id;
  }
}

/** Implements the driver interface with hashicorp/aws 5.100 resources (@cdktf/provider-aws 20.1). */
export class AwsDriver implements CloudDriver {
  /** DNS zones and held addresses; no managed Kubernetes, credentials, shares or cleanup steps yet. */
  readonly abilities: DriverAbilities = {
    dnsZones: { lookup: (scope, id, zoneName) => this.lookupDnsZone(scope, id, zoneName) },
    heldAddresses: {
      reserve: (scope, id, spec) => this.reservePublicAddress(scope, id, spec),
      attach: (scope, id, spec) => this.attachPublicAddress(scope, id, spec),
    },
  };
  private readonly b: AwsBindings;
  private readonly placements = new Map<string, Placement>();
  private readonly amis = new Map<string, string>();
  private readonly reserved = new Map<string, string>();

  constructor(
    private readonly context: DriverContext,
    readonly profile: AwsProfile,
  ) {
    // The bindings load here, when a stack on AWS is made, and never for stacks on other clouds.
    this.b = awsBindings();
  }

  /** Region and profile from the cloud profile; the stack's tags on every resource as default tags. */
  configureProvider(): void {
    new this.b.AwsProvider(this.context.scope, "aws", {
      region: this.profile.region,
      ...(this.profile.awsProfile ? { profile: this.profile.awsProfile } : {}),
      defaultTags: [{ tags: { ...this.context.tags } }],
    });
  }

  /**
   * A VPC with one subnet spanning its range. With internet access the subnet is public: an
   * internet gateway and a default route, so Elastic IPs work. There is no NAT gateway (it bills
   * by the hour): a machine without a public address has no way out to the internet.
   */
  createNetwork(scope: Construct, id: string, spec: NetworkSpec): INetwork {
    const b = this.b;
    const name = (role: string) => ({ Name: `${spec.name}-${role}` });
    const vpc = new b.Vpc(scope, id, { cidrBlock: spec.cidr.text, enableDnsSupport: true, enableDnsHostnames: true, tags: name("vpc") });
    // No zone is named: EC2 picks one, and volumes follow the subnet's (see attachVolume).
    const subnet = new b.Subnet(scope, "Subnet", { vpcId: vpc.id, cidrBlock: spec.cidr.text, mapPublicIpOnLaunch: false, tags: name("subnet") });
    this.reserveFixedRanges(scope, subnet.id, spec);
    if (spec.dnsNameservers?.length) {
      const options = new b.VpcDhcpOptions(scope, "DhcpOptions", { domainNameServers: [...spec.dnsNameservers], tags: name("dhcp") });
      new b.VpcDhcpOptionsAssociation(scope, "DhcpOptionsAssociation", { vpcId: vpc.id, dhcpOptionsId: options.id });
    }
    let ready: ITerraformDependable | undefined;
    if (spec.internetAccess) {
      const gateway = new b.InternetGateway(scope, "InternetGateway", { vpcId: vpc.id, tags: name("igw") });
      const table = new b.RouteTable(scope, "RouteTable", { vpcId: vpc.id, tags: name("rt") });
      const route = new b.Route(scope, "InternetRoute", { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: gateway.id });
      ready = new b.RouteTableAssociation(scope, "RouteTableAssociation", { subnetId: subnet.id, routeTableId: table.id, dependsOn: [route] });
    }
    // Keyed by the reference text, which every copy of this INetwork carries.
    const subnetId = subnet.id;
    const vpcId = vpc.id;
    this.placements.set(subnetId, { vpcId, availabilityZone: subnet.availabilityZone });
    return {
      networkId: vpcId,
      subnetId,
      cidr: spec.cidr,
      displayName: `${spec.name}-vpc`,
      ...(ready ? { internetReady: ready } : {}),
    };
  }

  /**
   * EC2 hands out private addresses from the whole subnet, not from a pool: a machine created
   * first could take the fixed address of one created later. The addresses outside the spec's
   * DHCP pool are held as "explicit" subnet CIDR reservations, which EC2 assigns only when asked
   * for by address. (EC2 keeps the first four addresses and the last one for itself.)
   */
  private reserveFixedRanges(scope: Construct, subnetId: string, spec: NetworkSpec): void {
    if (!spec.dhcpPool || spec.cidr.version !== 4) return;
    const size = 2 ** (32 - spec.cidr.prefix);
    const first = hostIndex(spec.cidr, spec.dhcpPool.start);
    const last = hostIndex(spec.cidr, spec.dhcpPool.end);
    if (first === undefined || last === undefined) return;
    const blocks = [...(first > 4 ? blocksCovering(spec.cidr, 4, first - 1) : []), ...(last < size - 2 ? blocksCovering(spec.cidr, last + 1, size - 2) : [])];
    for (const block of blocks) {
      new this.b.Ec2SubnetCidrReservation(scope, `Fixed-${block.replace(/[./]/g, "-")}`, {
        subnetId,
        cidrBlock: block,
        reservationType: "explicit",
        description: `${spec.name}: fixed addresses`,
      });
    }
  }

  /** An existing subnet, by ID (`subnet-...`) or by its Name tag; the network is its VPC. */
  importNetwork(scope: Construct, id: string, lookup: NetworkLookup): INetwork {
    if (lookup.id !== undefined && !lookup.id.startsWith("subnet-")) {
      fail(`${scope.node.path}/${id}`, "aws.bad-network", `on AWS an existing network is named by its subnet: { id: "subnet-..." } or { name: "<the subnet's Name tag>" }, got { id: "${lookup.id}" }`);
    }
    const subnet = new this.b.DataAwsSubnet(scope, id, lookup.id ? { id: lookup.id } : { filter: [{ name: "tag:Name", values: [lookup.name!] }] });
    const placement = { vpcId: subnet.vpcId, availabilityZone: subnet.availabilityZone };
    const subnetId = subnet.id;
    this.placements.set(subnetId, placement);
    return { networkId: placement.vpcId, subnetId, displayName: lookup.id ?? lookup.name! };
  }

  /** A security group: no ingress until rules are added; all egress, which AWS would otherwise open and Terraform removes. */
  createFirewall(scope: Construct, id: string, spec: { name: string; description: string }): IFirewall {
    const group = new this.b.SecurityGroup(scope, id, {
      name: spec.name,
      description: spec.description.replace(DESCRIPTION_UNSAFE, "").slice(0, 255),
      tags: { Name: spec.name },
    });
    new this.b.VpcSecurityGroupEgressRule(scope, `${id}-egress`, {
      securityGroupId: group.id,
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
      description: "all outbound",
    });
    return new AwsFirewall(this.b, scope, id, spec.name, group);
  }

  createKeyPair(scope: Construct, id: string, spec: { name: string; publicKey: string }): IKeyPair {
    const key = new this.b.KeyPair(scope, id, { keyName: spec.name, publicKey: spec.publicKey, tags: { Name: spec.name } });
    return { keyPairName: key.keyName };
  }

  importKeyPair(name: string): IKeyPair {
    return { keyPairName: name };
  }

  /**
   * An EC2 instance: the metadata service only with a session token (IMDSv2) and one hop, so
   * containers on the machine cannot reach it; instance tags readable from it (the machine's
   * metadata); an encrypted gp3 root volume. New user data replaces the machine, as on
   * OpenStack: cloud-init reads it at first boot only.
   */
  createMachine(scope: Construct, id: string, spec: MachineSpec): IMachine {
    const path = `${scope.node.path}/${id}`;
    const placement = this.placementOf(spec.network, path);
    const userData = this.userDataOf(scope, id, spec.userData, path);
    for (const f of spec.firewalls) {
      if (!(f instanceof AwsFirewall)) fail(path, "aws.foreign-firewall", `firewall ${f.displayName} was not made by the AWS driver`);
      f.placeIn(placement.vpcId, path);
    }
    const image = this.imageOf(scope, spec.image, path);
    const tags = { Name: spec.name, ...spec.metadata };
    const instance = new this.b.Instance(scope, id, {
      ami: image.ami,
      instanceType: spec.flavor.name,
      subnetId: spec.network.subnetId!,
      vpcSecurityGroupIds: spec.firewalls.map((f) => f.firewallId),
      ...(spec.keyPair ? { keyName: spec.keyPair.keyPairName } : {}),
      ...(spec.fixedAddress ? { privateIp: spec.fixedAddress } : {}),
      ...userData,
      userDataReplaceOnChange: true,
      // On Jetstream2 every machine on a routed network reaches the internet through its router.
      // On AWS that takes a public address: each gets one of EC2's pool at launch, so first-boot
      // downloads work before an Elastic IP is bound (which then takes its place). Its security
      // groups still close it to everything they do not open. A NAT gateway would do it too, at
      // many times the price for a handful of machines.
      ...(spec.network.internetReady ? { associatePublicIpAddress: true } : {}),
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "enabled" },
      rootBlockDevice: {
        volumeType: "gp3",
        volumeSize: spec.rootVolumeGiB ?? DEFAULT_ROOT_VOLUME_GIB,
        encrypted: true,
        deleteOnTermination: true,
        tags: { Name: `${spec.name}-root` },
      },
      tags,
      ...(image.trigger ? { lifecycle: { ignoreChanges: ["ami"], replaceTriggeredBy: [image.trigger] } } : {}),
      ...(spec.dependsOn?.length ? { dependsOn: [...spec.dependsOn] } : {}),
    });
    return new AwsMachine(spec.name, instance, placement, spec.network.internetReady, tags);
  }

  /**
   * User data as it is when it fits EC2's 16 KB; larger (a cluster role), gzip-compressed by
   * Terraform after it fills in the references, which cloud-init unpacks. The compressed size
   * is measured here on the template (references as written, a few bytes each).
   */
  private userDataOf(scope: Construct, id: string, template: string, path: string): { userData: string } | { userDataBase64: string } {
    const bytes = Buffer.byteLength(template);
    if (bytes <= AWS_USER_DATA_MAX_BYTES) return { userData: template };
    const compressed = Buffer.from(gzipBase64(template), "base64").length;
    if (compressed > AWS_USER_DATA_MAX_BYTES - 1024) {
      fail(path, "aws.user-data-too-big", `the user data is ${bytes} bytes, ${compressed} compressed; EC2 accepts ${AWS_USER_DATA_MAX_BYTES}: move large files to a volume or download them at boot`);
    }
    // The text as a local value (escaped as text at synthesis, its references kept); written
    // inside a function call instead, cdktf would turn its references into plain text.
    const local = new TerraformLocal(scope, id === "Resource" ? "UserData" : `${id}-UserData`, template);
    return { userDataBase64: Fn.base64gzip(local.asString) };
  }

  private placementOf(network: INetwork, path: string): Placement {
    const placement = network.subnetId ? this.placements.get(network.subnetId) : undefined;
    if (!placement) fail(path, "aws.foreign-network", `network ${network.displayName} was not made or looked up by this stack's AWS driver: use a Network of the stack or Network.fromExisting`);
    return placement;
  }

  /**
   * The AMI for an image name: an AMI ID as it is, or the newest AMI of a known image, looked up
   * once per stack. Its publisher refreshes the image every few weeks under the same name, which
   * must not rebuild running machines: the AMI is ignored after creation, and a trigger holding
   * the image *name* replaces the machine when the name changes.
   */
  private imageOf(scope: Construct, image: string, path: string): { ami: string; trigger?: string } {
    if (AMI_ID.test(image)) return { ami: image };
    const known = AWS_IMAGES.find((i) => i.name === image);
    if (!known) {
      fail(
        path,
        "aws.unknown-image",
        `'image' "${image}" is not an image drover knows on AWS: use ${AWS_IMAGES.map((i) => `"${i.name}"`).join(" or ")}, or an AMI ID ("ami-0123456789abcdef0") with 'sshUser'`,
      );
    }
    let ami = this.amis.get(image);
    if (!ami) {
      ami = new this.b.DataAwsAmi(this.context.scope, `Image-${image.replace(/[^A-Za-z0-9]+/g, "-")}`, {
        owners: [known.owner],
        mostRecent: true,
        filter: [
          { name: "name", values: [known.namePattern] },
          { name: "state", values: ["available"] },
        ],
      }).id;
      this.amis.set(image, ami);
    }
    const trigger = new TerraformData(scope, "ImageName", { input: image });
    // A plain address: cdktf would write a resource object as "${...}", which Terraform's JSON
    // syntax rejects in replace_triggered_by.
    return { ami, trigger: `${TerraformData.tfResourceType}.${trigger.friendlyUniqueId}` };
  }

  /** An encrypted EBS volume (gp3 unless a type is named), in the zone of the machine it is attached to. */
  createVolume(scope: Construct, id: string, spec: VolumeSpec): IVolume {
    let volume: AwsVolume | undefined;
    const resource = new this.b.EbsVolume(scope, id, {
      availabilityZone: Lazy.stringValue({ produce: () => volume?.zone ?? "" }),
      size: spec.sizeGiB,
      type: spec.volumeType ?? "gp3",
      encrypted: true,
      tags: { Name: spec.name },
      ...(spec.protect && !this.context.allowDestroy ? { lifecycle: { preventDestroy: true } } : {}),
    });
    volume = new AwsVolume(spec.name, resource);
    resource.node.addValidation({
      validate: () => (volume?.zone ? [] : [`volume ${spec.name} is attached to no machine; on AWS a volume is made in the availability zone of its machine`]),
    });
    markStateful(resource);
    return volume;
  }

  /** Attaches at the machine's next free device name, /dev/sdf first. */
  attachVolume(scope: Construct, id: string, machine: IMachine, volume: IVolume): void {
    const path = `${scope.node.path}/${id}`;
    if (!(machine instanceof AwsMachine) || !(volume instanceof AwsVolume)) fail(path, "aws.foreign-volume", "the machine and the volume must both come from the AWS driver");
    const zone = machine.placement.availabilityZone;
    if (volume.zone !== undefined && volume.zone !== zone) {
      fail(path, "aws.volume-two-zones", `volume ${volume.name} is attached to machines on two subnets; an EBS volume lives in one availability zone`);
    }
    volume.zone = zone;
    new this.b.VolumeAttachment(scope, id, { deviceName: machine.nextDeviceName(path), instanceId: machine.machineId, volumeId: volume.volumeId });
  }

  /** An Elastic IP bound to the machine, once its subnet routes to the internet gateway. */
  createPublicAddress(scope: Construct, id: string, spec: { name: string; machine: IMachine }): IPublicAddress {
    if (!(spec.machine instanceof AwsMachine)) fail(`${scope.node.path}/${id}`, "aws.foreign-machine", "the machine must come from the AWS driver");
    const ready = spec.machine.internetReady;
    spec.machine.hasPublicAddress = true;
    const ip = new this.b.Eip(scope, id, {
      domain: "vpc",
      instance: spec.machine.machineId,
      tags: { Name: spec.name },
      ...(ready ? { dependsOn: [ready] } : {}),
    });
    return { address: ip.publicIp };
  }

  /** An Elastic IP held for a machine named later (`attachPublicAddress`). */
  reservePublicAddress(scope: Construct, id: string, spec: { name: string }): IPublicAddress {
    const ip = new this.b.Eip(scope, id, { domain: "vpc", tags: { Name: spec.name } });
    const address = ip.publicIp;
    this.reserved.set(address, ip.allocationId);
    return { address };
  }

  attachPublicAddress(scope: Construct, id: string, spec: { address: string; machine: IMachine }): void {
    const path = `${scope.node.path}/${id}`;
    const allocationId = this.reserved.get(spec.address);
    if (!allocationId) fail(path, "aws.unknown-address", "the address was not reserved by this stack's reservePublicAddress");
    if (!(spec.machine instanceof AwsMachine)) fail(path, "aws.foreign-machine", "the machine must come from the AWS driver");
    const ready = spec.machine.internetReady;
    spec.machine.hasPublicAddress = true;
    new this.b.EipAssociation(scope, id, { allocationId, instanceId: spec.machine.machineId, ...(ready ? { dependsOn: [ready] } : {}) });
  }

  /** A Route 53 public hosted zone, by name. */
  lookupDnsZone(scope: Construct, id: string, zoneName: string): string {
    return new this.b.DataAwsRoute53Zone(scope, id, { name: zoneName.replace(/\.$/, ""), privateZone: false }).zoneId;
  }

  createDnsRecord(scope: Construct, id: string, spec: DnsRecordSpec): IDnsRecord {
    new this.b.Route53Record(scope, id, {
      zoneId: spec.zoneId,
      name: `${spec.name}.${spec.zoneName.replace(/\.$/, "")}`,
      type: spec.type,
      ttl: spec.ttlSeconds ?? 300,
      records: [...spec.values],
    });
    return { fqdn: `${spec.name}.${spec.zoneName}` };
  }
}
