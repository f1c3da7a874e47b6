import type { Construct } from "constructs";
import { SHELVED } from "../../lib/state/power.ts";
import { TerraformLocal, type ITerraformDependable } from "cdktf";
import { OpenstackProvider } from "../../.gen/providers/openstack/provider/index.ts";
import { NetworkingNetworkV2 } from "../../.gen/providers/openstack/networking-network-v2/index.ts";
import { NetworkingSubnetV2 } from "../../.gen/providers/openstack/networking-subnet-v2/index.ts";
import { NetworkingRouterV2 } from "../../.gen/providers/openstack/networking-router-v2/index.ts";
import { NetworkingRouterInterfaceV2 } from "../../.gen/providers/openstack/networking-router-interface-v2/index.ts";
import { NetworkingPortV2 } from "../../.gen/providers/openstack/networking-port-v2/index.ts";
import { NetworkingSecgroupV2 } from "../../.gen/providers/openstack/networking-secgroup-v2/index.ts";
import { NetworkingSecgroupRuleV2 } from "../../.gen/providers/openstack/networking-secgroup-rule-v2/index.ts";
import { NetworkingFloatingipV2 } from "../../.gen/providers/openstack/networking-floatingip-v2/index.ts";
import { NetworkingFloatingipAssociateV2 } from "../../.gen/providers/openstack/networking-floatingip-associate-v2/index.ts";
import { ComputeInstanceV2 } from "../../.gen/providers/openstack/compute-instance-v2/index.ts";
import { ComputeKeypairV2 } from "../../.gen/providers/openstack/compute-keypair-v2/index.ts";
import { ComputeVolumeAttachV2 } from "../../.gen/providers/openstack/compute-volume-attach-v2/index.ts";
import { BlockstorageVolumeV3 } from "../../.gen/providers/openstack/blockstorage-volume-v3/index.ts";
import { DnsRecordsetV2 } from "../../.gen/providers/openstack/dns-recordset-v2/index.ts";
import { DataOpenstackDnsZoneV2 } from "../../.gen/providers/openstack/data-openstack-dns-zone-v2/index.ts";
import { ContainerinfraClusterV1 } from "../../.gen/providers/openstack/containerinfra-cluster-v1/index.ts";
import { DataOpenstackContainerinfraClustertemplateV1 } from "../../.gen/providers/openstack/data-openstack-containerinfra-clustertemplate-v1/index.ts";
import { DataOpenstackNetworkingNetworkV2 } from "../../.gen/providers/openstack/data-openstack-networking-network-v2/index.ts";
import { DataOpenstackNetworkingRouterV2 } from "../../.gen/providers/openstack/data-openstack-networking-router-v2/index.ts";
import { DataOpenstackImagesImageV2 } from "../../.gen/providers/openstack/data-openstack-images-image-v2/index.ts";
import { DataOpenstackIdentityAuthScopeV3 } from "../../.gen/providers/openstack/data-openstack-identity-auth-scope-v3/index.ts";
import { IdentityApplicationCredentialV3 } from "../../.gen/providers/openstack/identity-application-credential-v3/index.ts";
import { SharedfilesystemShareV2 } from "../../.gen/providers/openstack/sharedfilesystem-share-v2/index.ts";
import { SharedfilesystemShareAccessV2 } from "../../.gen/providers/openstack/sharedfilesystem-share-access-v2/index.ts";
import type { Port } from "../../lib/net/port.ts";
import type {
  DriverAbilities,
  CloudDriver,
  CredentialSpec,
  DnsRecordSpec,
  DriverContext,
  ElasticCleanupSpec,
  VolumeCleanupSpec,
  ICloudCredential,
  IShare,
  ShareSpec,
  IDnsRecord,
  IFirewall,
  IKubernetesCluster,
  KubernetesClusterSpec,
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
import { terraformExpression } from "../private/expression.ts";
import type { OpenStackProfile } from "./profile-type.ts";

/** OpenStack `tags` are plain strings: the stack's tags as `key=value`. */
function tagList(tags: Readonly<Record<string, string>>): string[] {
  return Object.entries(tags).map(([k, v]) => `${k}=${v}`);
}

class OpenStackFirewall implements IFirewall {
  readonly firewallId: string;
  private readonly ruleIds = new Set<string>();
  constructor(
    private readonly scope: Construct,
    private readonly id: string,
    readonly displayName: string,
    private readonly group: NetworkingSecgroupV2,
  ) {
    this.firewallId = group.id;
  }

  allowIngress(peer: PeerSpec, port: Port, description: string): void {
    const ipv6 = peer.kind === "cidr" && peer.cidr.version === 6;
    const source = peer.kind === "cidr" ? peer.cidr.text : peer.firewall.displayName;
    // The rule's ID comes from what it opens, so reordering rules in code does not churn them.
    const ruleId = `${this.id}-${port.label}-${source}`.replace(/[^A-Za-z0-9-]+/g, "-");
    if (this.ruleIds.has(ruleId)) return;
    this.ruleIds.add(ruleId);
    const protocol = port.protocol === "any" ? undefined : port.protocol === "icmp" && ipv6 ? "ipv6-icmp" : port.protocol;
    // For ICMP, Neutron reads port_range_min as the ICMP type and port_range_max as the code.
    const icmpType = port.icmpType === 8 && ipv6 ? 128 : port.icmpType;
    const range =
      port.protocol === "icmp"
        ? icmpType !== undefined
          ? { portRangeMin: icmpType, portRangeMax: 0 }
          : {}
        : port.from !== undefined
          ? { portRangeMin: port.from, portRangeMax: port.to ?? port.from }
          : {};
    new NetworkingSecgroupRuleV2(this.scope, ruleId, {
      securityGroupId: this.group.id,
      direction: "ingress",
      ethertype: ipv6 ? "IPv6" : "IPv4",
      description,
      ...(protocol ? { protocol } : {}),
      ...range,
      ...(peer.kind === "cidr" ? { remoteIpPrefix: peer.cidr.text } : { remoteGroupId: peer.firewall.firewallId }),
    });
  }
}

class OpenStackMachine implements IMachine {
  readonly machineId: string;
  readonly privateAddress: string;
  private metadata: Record<string, string>;
  constructor(
    readonly name: string,
    readonly instance: ComputeInstanceV2,
    readonly port: NetworkingPortV2,
    readonly network: INetwork,
    metadata: Record<string, string>,
  ) {
    this.machineId = instance.id;
    this.privateAddress = instance.accessIpV4;
    this.metadata = metadata;
  }

  addMetadata(key: string, value: string): void {
    this.metadata = { ...this.metadata, [key]: value };
    this.instance.metadata = this.metadata;
  }
}

/** Implements the driver interface with terraform-provider-openstack 3.4 resources. */
export class OpenStackDriver implements CloudDriver {
  /** Everything drover can ask of a cloud: Designate, held floating IPs, Magnum, application credentials, Manila, cleanup steps. */
  readonly abilities: DriverAbilities;
  /** Nova updates a server's metadata in place, and the agent reads it from the metadata service. */
  readonly configInPlace = true;
  constructor(
    private readonly context: DriverContext,
    readonly profile: OpenStackProfile,
  ) {
    this.abilities = {
      dnsZones: { lookup: (scope, id, zoneName) => this.lookupDnsZone(scope, id, zoneName) },
      heldAddresses: {
        reserve: (scope, id, spec) => this.reservePublicAddress(scope, id, spec),
        attach: (scope, id, spec) => this.attachPublicAddress(scope, id, spec),
      },
      kubernetes: {
        ...(this.profile.kubernetesTemplate !== undefined ? { template: this.profile.kubernetesTemplate } : {}),
        createCluster: (scope, id, spec) => this.createKubernetesCluster(scope, id, spec),
      },
      credentials: { create: (scope, id, spec) => this.createCredential(scope, id, spec) },
      shares: { create: (scope, id, spec) => this.createShare(scope, id, spec) },
      elasticCleanup: { create: (scope, id, spec) => this.createElasticCleanup(scope, id, spec) },
      volumeCleanup: { create: (scope, id, spec) => this.createVolumeCleanup(scope, id, spec) },
    };
  }

  configureProvider(): void {
    new OpenstackProvider(this.context.scope, "openstack", {
      ...(this.profile.providerRegion ? { region: this.profile.providerRegion } : {}),
      ...(this.profile.cloudName ? { cloud: this.profile.cloudName } : {}),
    });
  }

  createNetwork(scope: Construct, id: string, spec: NetworkSpec): INetwork {
    const tags = tagList(this.context.tags);
    const network = new NetworkingNetworkV2(scope, id, { name: `${spec.name}-net`, adminStateUp: true, tags });
    const subnet = new NetworkingSubnetV2(scope, "Subnet", {
      name: `${spec.name}-subnet`,
      networkId: network.id,
      cidr: spec.cidr.text,
      ipVersion: 4,
      ...(spec.dnsNameservers?.length ? { dnsNameservers: [...spec.dnsNameservers] } : {}),
      ...(spec.dhcpPool ? { allocationPool: [{ start: spec.dhcpPool.start, end: spec.dhcpPool.end }] } : {}),
      tags,
    });
    let ready: ITerraformDependable | undefined;
    if (spec.internetAccess && spec.router) {
      // An existing router (the allocation's own): the subnet joins it, no router is created.
      const shared = new DataOpenstackNetworkingRouterV2(scope, "Router", { name: spec.router.name });
      ready = new NetworkingRouterInterfaceV2(scope, "RouterInterface", { routerId: shared.id, subnetId: subnet.id });
    } else if (spec.internetAccess) {
      const external = new DataOpenstackNetworkingNetworkV2(scope, "ExternalNetwork", {
        name: this.profile.externalNetwork,
        external: true,
      });
      const router = new NetworkingRouterV2(scope, "Router", {
        name: `${spec.name}-router`,
        adminStateUp: true,
        externalNetworkId: external.id,
        tags,
      });
      ready = new NetworkingRouterInterfaceV2(scope, "RouterInterface", { routerId: router.id, subnetId: subnet.id });
    }
    return {
      networkId: network.id,
      subnetId: subnet.id,
      cidr: spec.cidr,
      displayName: `${spec.name}-net`,
      ...(ready ? { internetReady: ready } : {}),
    };
  }

  importNetwork(scope: Construct, id: string, lookup: NetworkLookup): INetwork {
    if (lookup.id) return { networkId: lookup.id, displayName: lookup.id };
    const data = new DataOpenstackNetworkingNetworkV2(scope, id, { name: lookup.name! });
    return { networkId: data.id, displayName: lookup.name! };
  }

  createFirewall(scope: Construct, id: string, spec: { name: string; description: string }): IFirewall {
    const group = new NetworkingSecgroupV2(scope, id, {
      name: spec.name,
      description: spec.description,
      tags: tagList(this.context.tags),
    });
    return new OpenStackFirewall(scope, id, spec.name, group);
  }

  createKeyPair(scope: Construct, id: string, spec: { name: string; publicKey: string }): IKeyPair {
    const key = new ComputeKeypairV2(scope, id, { name: spec.name, publicKey: spec.publicKey });
    return { keyPairName: key.name };
  }

  importKeyPair(name: string): IKeyPair {
    return { keyPairName: name };
  }

  createMachine(scope: Construct, id: string, spec: MachineSpec): IMachine {
    const network = spec.network;
    const tags = tagList(this.context.tags);
    const port = new NetworkingPortV2(scope, "Port", {
      name: `${spec.name}-port`,
      networkId: network.networkId,
      adminStateUp: true,
      securityGroupIds: spec.firewalls.map((f) => f.firewallId),
      ...(network.subnetId ? { fixedIp: [{ subnetId: network.subnetId, ...(spec.fixedAddress ? { ipAddress: spec.fixedAddress } : {}) }] } : {}),
      tags,
    });
    const metadata = { ...this.context.tags, ...spec.metadata };
    const boot = spec.rootVolumeGiB ? this.bootVolume(scope, spec.image, spec.rootVolumeGiB) : undefined;
    // Featured images are refreshed weekly under the same name and the old ones renamed: read
    // back, the server's image then has another name, which would rebuild it. The image is
    // ignored after creation; a change of the name in the code still rebuilds (the trigger).
    const lifecycle = boot ? boot.lifecycle : { ignoreChanges: ["image_name", "image_id"], replaceTriggeredBy: [this.imageNameTrigger(scope, spec.image)] };
    // Bootstrap-only user data: its changes travel in the metadata (the configuration bundle).
    if (spec.bootstrapOnly) lifecycle.ignoreChanges = [...lifecycle.ignoreChanges, "user_data"];
    const guarded = spec.holdsState !== undefined && !this.context.allowDestroy;
    const instance = new ComputeInstanceV2(scope, id, {
      name: spec.name,
      flavorName: spec.flavor.name,
      ...(boot ? { blockDevice: [boot.device] } : { imageName: spec.image }),
      ...(spec.keyPair ? { keyPair: spec.keyPair.keyPairName } : {}),
      userData: spec.userData,
      network: [{ port: port.id }],
      metadata,
      tags,
      // Shelved by `drover shelve`: set only then, so a stack never shelved keeps its configuration.
      ...(this.context.shelved ? { powerState: SHELVED } : {}),
      lifecycle: { ...lifecycle, ...(guarded ? { preventDestroy: true } : {}) },
      ...(spec.dependsOn?.length ? { dependsOn: [...spec.dependsOn] } : {}),
    });
    if (spec.holdsState !== undefined) {
      markStateful(instance);
      instance.addOverride("//.drover.loses", spec.holdsState);
    }
    return new OpenStackMachine(spec.name, instance, port, network, metadata);
  }

  /**
   * A root volume made from the newest image of that name. A refreshed image (featured images
   * are rebuilt regularly under the same name) must not rebuild the machine, so the image ID is
   * ignored; changing the image *name* still replaces it, through a trigger holding the name.
   */
  private bootVolume(scope: Construct, image: string, sizeGiB: number) {
    const lookup = new DataOpenstackImagesImageV2(scope, "Image", { name: image, mostRecent: true });
    return {
      device: {
        uuid: lookup.id,
        sourceType: "image",
        destinationType: "volume",
        volumeSize: sizeGiB,
        bootIndex: 0,
        deleteOnTermination: true,
      },
      lifecycle: { ignoreChanges: ["block_device[0].uuid"], replaceTriggeredBy: [this.imageNameTrigger(scope, image)] },
    };
  }

  /**
   * A step holding the image's name, for `replace_triggered_by`: the machine is rebuilt when
   * the name in the code changes, not when the cloud renames or refreshes the image.
   */
  private imageNameTrigger(scope: Construct, image: string): string {
    const trigger = new TerraformData(scope, "ImageName", { input: image });
    // A plain reference: cdktf would write a resource object here as "${...}", which
    // Terraform's JSON syntax rejects in replace_triggered_by.
    return `${TerraformData.tfResourceType}.${trigger.friendlyUniqueId}`;
  }

  createVolume(scope: Construct, id: string, spec: VolumeSpec): IVolume {
    const volume = new BlockstorageVolumeV3(scope, id, {
      name: spec.name,
      size: spec.sizeGiB,
      ...(spec.volumeType ? { volumeType: spec.volumeType } : {}),
      metadata: { ...this.context.tags },
      ...(spec.protect && !this.context.allowDestroy ? { lifecycle: { preventDestroy: true } } : {}),
    });
    markStateful(volume);
    return { volumeId: volume.id, name: spec.name };
  }

  attachVolume(scope: Construct, id: string, machine: IMachine, volume: IVolume): void {
    new ComputeVolumeAttachV2(scope, id, { instanceId: machine.machineId, volumeId: volume.volumeId });
  }

  createPublicAddress(scope: Construct, id: string, spec: { name: string; machine: IMachine }): IPublicAddress {
    const ip = this.reservePublicAddress(scope, id, { name: spec.name });
    this.attachPublicAddress(scope, `${id}-association`, { address: ip.address, machine: spec.machine });
    return ip;
  }

  /** Binds a reserved floating IP to a machine's port. */
  attachPublicAddress(scope: Construct, id: string, spec: { address: string; machine: IMachine }): void {
    const machine = spec.machine as OpenStackMachine;
    // The port's subnet must be routed to the external network before the address can bind.
    const ready = machine.network.internetReady;
    new NetworkingFloatingipAssociateV2(scope, id, {
      floatingIp: spec.address,
      portId: machine.port.id,
      ...(ready ? { dependsOn: [ready] } : {}),
    });
  }

  /** A floating IP held for something the cloud attaches later (a Kubernetes load balancer). */
  reservePublicAddress(scope: Construct, id: string, spec: { name: string }): IPublicAddress {
    const ip = new NetworkingFloatingipV2(scope, id, { pool: this.profile.externalNetwork, description: spec.name, tags: tagList(this.context.tags) });
    return { address: ip.address };
  }

  /**
   * A Keystone application credential in the project the stack deploys to. It cannot create
   * other credentials or trusts (unrestricted: false), and with access rules it can make only
   * the listed API calls. Its secret is generated by Keystone and kept in the Terraform state.
   * The identity URL comes from the service catalog of the deploying person's own token.
   */
  createCredential(scope: Construct, id: string, spec: CredentialSpec): ICloudCredential {
    const auth = new DataOpenstackIdentityAuthScopeV3(scope, `${id}-scope`, { name: spec.name });
    const credential = spec.provided
      ? { id: spec.provided.id, secret: spec.provided.secret }
      : new IdentityApplicationCredentialV3(scope, id, {
          name: spec.name,
          description: spec.description,
          unrestricted: false,
          ...(spec.accessRules ? { accessRules: spec.accessRules.map((r) => ({ service: r.service, method: r.method, path: r.path })) } : {}),
        });
    const catalog = `data.${DataOpenstackIdentityAuthScopeV3.tfResourceType}.${auth.friendlyUniqueId}.service_catalog`;
    // Locals keep the expressions (with their quotes) out of the strings that use them.
    const endpoint = (localId: string, type: string, field: "url" | "region") =>
      new TerraformLocal(scope, `${id}-${localId}`, terraformExpression(`[for s in ${catalog} : [for e in s.endpoints : e.${field} if e.interface == "public"][0] if s.type == "${type}"][0]`))
        .asString;
    return {
      credentialId: credential.id,
      secret: credential.secret,
      authUrl: endpoint("auth-url", "identity", "url"),
      region: this.profile.providerRegion ?? endpoint("region", "compute", "region"),
    };
  }

  /** A Manila share with its access rule; protected like a volume. */
  createShare(scope: Construct, id: string, spec: ShareSpec): IShare {
    const share = new SharedfilesystemShareV2(scope, id, {
      name: spec.name,
      shareProto: spec.protocol,
      size: spec.sizeGiB,
      ...(this.profile.shareType ? { shareType: this.profile.shareType } : {}),
      metadata: { ...this.context.tags },
      ...(spec.protect && !this.context.allowDestroy ? { lifecycle: { preventDestroy: true } } : {}),
    });
    markStateful(share);
    const access = new SharedfilesystemShareAccessV2(scope, `${id}-access`, {
      shareId: share.id,
      accessType: spec.protocol === "CEPHFS" ? "cephx" : "ip",
      accessTo: spec.accessTo,
      accessLevel: "rw",
    });
    return {
      exportPath: share.exportLocations.get(0).path,
      ...(spec.protocol === "CEPHFS" ? { accessKey: access.accessKey } : {}),
    };
  }

  /**
   * A terraform_data whose destroy-time step runs the cleanup script on the machine running
   * `drover destroy` (plain Node, no packages): it deletes the instances and ports tagged with
   * the cluster through the OpenStack APIs, with the stack's own credential, and fails the
   * destroy if any is left. The credential's secret reaches it as a sensitive trigger; a new
   * credential replaces the step (running it) as it replaces the controller, whose user data holds it.
   */
  createElasticCleanup(scope: Construct, id: string, spec: ElasticCleanupSpec): ITerraformDependable {
    return destroyStep(scope, id, spec.credential, "DROVER_CLUSTER", spec.clusterTag, spec.scriptPath);
  }

  /**
   * The same kind of step for the volumes a Kubernetes cluster's Cinder CSI driver created
   * (templates/jupyterhub/drover-reap-volumes.mjs), found by the metadata the driver sets.
   */
  createVolumeCleanup(scope: Construct, id: string, spec: VolumeCleanupSpec): ITerraformDependable {
    return destroyStep(scope, id, spec.credential, "DROVER_CSI_CLUSTER", spec.csiCluster, spec.scriptPath);
  }

  lookupDnsZone(scope: Construct, id: string, zoneName: string): string {
    return new DataOpenstackDnsZoneV2(scope, id, { name: zoneName }).id;
  }

  /**
   * A Magnum cluster from the cloud's template, found by name. Autoscaling is the template's
   * (Jetstream2 runs the cluster autoscaler outside the cluster), bounded by the labels
   * `min_node_count`/`max_node_count`; `merge_labels` keeps the template's other labels.
   */
  createKubernetesCluster(scope: Construct, id: string, spec: KubernetesClusterSpec): IKubernetesCluster {
    const template = new DataOpenstackContainerinfraClustertemplateV1(scope, `${id}Template`, { name: spec.template });
    const cluster = new ContainerinfraClusterV1(scope, id, {
      name: spec.name,
      clusterTemplateId: template.id,
      masterCount: spec.controlPlaneCount,
      masterFlavor: spec.controlPlaneFlavor.name,
      flavor: spec.workerFlavor.name,
      nodeCount: spec.workers.initial,
      mergeLabels: true,
      labels: {
        auto_scaling_enabled: String(spec.workers.max > spec.workers.min),
        min_node_count: String(spec.workers.min),
        max_node_count: String(spec.workers.max),
      },
      ...(spec.keyPair ? { keypair: spec.keyPair.keyPairName } : {}),
      ...(spec.networkName ? { fixedNetwork: spec.networkName } : {}),
      // Clusters take 10 minutes, and far longer when the cloud has not cached the images.
      createTimeout: 180,
      // The autoscaler changes the worker count: a plan must not undo it.
      lifecycle: { ignoreChanges: ["node_count"] },
    });
    return { clusterId: cluster.id, kubeconfig: cluster.kubeconfig.lookup("raw_config"), apiAddress: cluster.apiAddress };
  }

  createDnsRecord(scope: Construct, id: string, spec: DnsRecordSpec): IDnsRecord {
    new DnsRecordsetV2(scope, id, {
      zoneId: spec.zoneId,
      name: `${spec.name}.${spec.zoneName}`,
      type: spec.type,
      records: [...spec.values],
      ...(spec.ttlSeconds ? { ttl: spec.ttlSeconds } : {}),
    });
    return { fqdn: `${spec.name}.${spec.zoneName}` };
  }
}

/**
 * A terraform_data whose destroy-time `local-exec` runs `node <scriptPath>` with the credential
 * and the cluster (in the environment variable `variable`) taken from its own triggers, as a
 * destroy-time step may reference nothing else.
 */
function destroyStep(scope: Construct, id: string, credential: ICloudCredential, variable: string, value: string, scriptPath: string): ITerraformDependable {
  return new TerraformData(scope, id, {
    // Not `input`: terraform_data copies it to `output`, where Terraform keeps no sensitive
    // mark, and every later plan would print the secret.
    triggersReplace: {
      auth_url: credential.authUrl,
      region: credential.region,
      id: credential.credentialId,
      secret: credential.secret,
      cluster: value,
    },
    provisioners: [
      {
        type: "local-exec",
        when: "destroy",
        command: `node ${scriptPath}`,
        environment: {
          DROVER_AUTH_URL: terraformExpression("self.triggers_replace.auth_url"),
          DROVER_REGION: terraformExpression("self.triggers_replace.region"),
          DROVER_APP_CRED_ID: terraformExpression("self.triggers_replace.id"),
          DROVER_APP_CRED_SECRET: terraformExpression("self.triggers_replace.secret"),
          [variable]: terraformExpression("self.triggers_replace.cluster"),
        },
      },
    ],
  });
}
