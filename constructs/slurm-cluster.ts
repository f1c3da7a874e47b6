import { Annotations, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { loginUserFor } from "../lib/catalog/images.ts";
import { nearestMatches, orList } from "../lib/naming.ts";
import { describeValue } from "../lib/props/check.ts";
import { hostAddress, parseCidr, type Cidr } from "../lib/net/cidr.ts";
import { Port } from "../lib/net/port.ts";
import { ELASTIC_ACCESS_RULES } from "../lib/slurm/access-rules.ts";
import { encodeBundle } from "../lib/agent/bundle.ts";
import { slurmBundle } from "../lib/slurm/bundle.ts";
import { renderClusterCloudInit } from "../lib/slurm/cloud-init.ts";
import { renderSlurmFiles } from "../lib/slurm/conf.ts";
import { PATHS, type CloudRefs, type SlurmClusterPlan } from "../lib/slurm/model.ts";
import { ADDRESS_BLOCK, clusterSummary, planCluster } from "../lib/slurm/plan.ts";
import { readTemplate } from "../lib/templates.ts";
import type { CloudDriver, CredentialAbility, ElasticCleanupAbility, ICloudCredential, IFirewall, IKeyPair, IMachine, INetwork, IShare, ShareAbility, Size } from "./cloud.ts";
import { checkSshAccess, clusterContext, requireShape, type ClusterContext } from "./private/context.ts";
import { clusterCredential, type CredentialSource } from "./private/credential.ts";
import { membersFirewall } from "./private/firewall.ts";
import { outputsOf } from "./private/outputs.ts";
import { mungeKey } from "./private/random.ts";
import { checkGpuDriver } from "./private/slurm-gpu.ts";
import { attachVolume } from "./private/volume.ts";

/** Size of the controller's state volume (slurmctld's StateSaveLocation: a few MiB per thousand jobs). */
const STATE_VOLUME_GIB = 5;

export interface SlurmPartitionProps {
  /** Slurm partition name: lower-case letters, digits and '_'; nodes are named `<stack>-<name>-<n>`. */
  readonly name: string;
  /** Flavor of every node in the partition, or what a node needs. */
  readonly size: Size;
  /**
   * Static nodes: Terraform resources, always on.
   * @default 0
   */
  readonly nodes?: number;
  /**
   * Elastic nodes, created by Slurm when jobs wait and deleted after `idleMinutes` idle; `max`
   * counts the static nodes too (max 16 with nodes 2: up to 14 created on demand).
   * @default - no elastic nodes
   */
  readonly elastic?: {
    /** The partition's largest size, static nodes included. */
    readonly max: number;
    /**
     * Minutes a node may sit idle before it is deleted.
     * @default 10
     */
    readonly idleMinutes?: number;
  };
  /**
   * Slurm's default partition (jobs that name none run here).
   * @default - the first partition
   */
  readonly default?: boolean;
  /**
   * A partition for GPU jobs: its flavor must have a GPU.
   * @default - true when the flavor has a GPU
   */
  readonly gpu?: boolean;
}

export interface SlurmSharedStorageProps {
  /**
   * `"nfs"`: volumes attached to the controller, exported over NFS; `"manila"`: two shares.
   * @default "nfs"
   */
  readonly kind?: "nfs" | "manila";
  /**
   * Size of /home in GiB (1 to 10240).
   * @default 100
   */
  readonly homeGiB?: number;
  /**
   * Size of /opt/software in GiB (1 to 10240).
   * @default 50
   */
  readonly softwareGiB?: number;
  /**
   * Manila only: the share protocol.
   * @default "NFS" ("CEPHFS" on Jetstream2, whose shares are CephFS)
   */
  readonly protocol?: "NFS" | "CEPHFS";
}

export interface SlurmUserProps {
  /** Account name, the same on every node. */
  readonly name: string;
  /** OpenSSH public key(s) (the content of `~/.ssh/id_ed25519.pub`). */
  readonly publicKey: string | readonly string[];
  /**
   * The account's UID on every node (1000 to 2147483647): give the one it has elsewhere (a
   * campus file system) or keep the default.
   * @default - a number from the name alone (100000 and up), so adding or removing other users renumbers nobody
   */
  readonly uid?: number;
}

export interface SlurmClusterProps {
  /** The controller: slurmctld, munge and (with kind "nfs") the NFS server for /home and /opt/software. */
  readonly controller: { readonly size: Size };
  /**
   * A separate login node.
   * @default - none: the controller is the login node
   */
  readonly login?: { readonly size: Size };
  /** Slurm partitions, each of one flavor. */
  readonly partitions: readonly SlurmPartitionProps[];
  /**
   * /home and /opt/software, shared by every node.
   * @default { kind: "nfs", homeGiB: 100, softwareGiB: 50 }
   */
  readonly sharedStorage?: SlurmSharedStorageProps;
  /**
   * Address ranges (CIDR) allowed to reach SSH on the login node (the controller without one).
   * With none, the cluster gets no public address.
   * @default []
   */
  readonly allowSshFrom?: readonly string[];
  /**
   * Cluster accounts, created on every node with their keys.
   * @default []
   */
  readonly users?: readonly SlurmUserProps[];
  /**
   * Job accounting: slurmdbd and MariaDB on the controller.
   * @default false
   */
  readonly accounting?: boolean;
  /**
   * Image every node boots (an Ubuntu 24.04 image: the cluster uses its Slurm packages).
   * @default - the cloud's default image ("Featured-Ubuntu24" on Jetstream2)
   */
  readonly image?: string;
  /**
   * OpenSSH public key for the image's own account (`ubuntu`) on every node, for administration.
   * @default - none
   */
  readonly adminPublicKey?: string;
  /**
   * The cluster network's range, a private IPv4 range from /16 to /21; each partition takes a
   * block of 1,024 addresses in order, so add partitions at the end.
   * @default "10.42.0.0/16"
   */
  readonly cidr?: string;
  /**
   * Limit the credential elastic nodes are created with to the compute, network and image calls
   * Slurm's programs make (Keystone access rules). Set false on a cloud whose Keystone predates
   * access rules (OpenStack Train); the credential can then do what the deploying person can in
   * the project, except create other credentials.
   * @default true
   */
  readonly restrictCredential?: boolean;
  /**
   * The application credential elastic nodes are made with: `"create"` (the stack creates it,
   * which Keystone allows only when you deploy with an unrestricted credential) or `"provided"`
   * (you create one, restricted is fine, and pass it at deploy time as
   * `TF_VAR_<id>_application_credential_id` and `TF_VAR_<id>_application_credential_secret`; the
   * access rules it needs are written to `files/<id>/access-rules.json`).
   * @default "create"
   */
  readonly applicationCredential?: CredentialSource;
  /**
   * The image carries a working NVIDIA driver; GPU partitions need one (drover installs none).
   * Say true for your own image with the driver; a GPU partition on an image not known to have
   * one is refused at synth.
   * @default - what the cloud's image catalog says (true for Jetstream2's Featured images but the Minimal and Ubuntu 20.04 ones)
   */
  readonly imageHasNvidiaDriver?: boolean;
}

/** The props every step reads once checked: the image, its admin account, and who may reach SSH. */
/** The driver's abilities the plan was checked to need: elastic nodes' credential and cleanup, Manila shares. */
interface SlurmAbilities {
  readonly elastic?: { readonly credentials: CredentialAbility; readonly cleanup: ElasticCleanupAbility };
  readonly shares?: ShareAbility;
}

interface Checked {
  readonly image: string;
  readonly adminUser: string;
  readonly sshFrom: Cidr[];
  readonly adminKey?: { line: string; fingerprint: string };
}

/** What the machines boot with: each role's user data, and where the cloud updates metadata in place the bundle their agent applies. */
interface BootConfig {
  readonly userData: ReturnType<typeof renderClusterCloudInit>;
  readonly encoded?: ReturnType<typeof encodeBundle>;
  readonly inPlace: boolean;
}

const hasElasticNodes = (plan: SlurmClusterPlan): boolean => plan.partitions.some((p) => p.nodes.some((n) => n.elastic));

/**
 * A virtual Slurm cluster: a controller (slurmctld, munge; slurmdbd with accounting), an
 * optional login node, compute nodes per partition, all on one private network, with /home and
 * /opt/software shared by every node. Static nodes are Terraform resources; elastic nodes are
 * declared to Slurm as `State=CLOUD` and created and deleted by Slurm's power saving, with the
 * same image, flavor, network, firewall and naming, through a credential the stack creates.
 * `drover destroy` deletes any elastic node still running before it removes the network.
 *
 * Configuration (slurm.conf, cgroup.conf, gres.conf, cloud-init per role) is rendered at synth
 * into `cdktf.out/stacks/<stack>/files/<construct>/` for review.
 *
 * On AWS, GCP and Azure: static nodes only (elastic ones need an OpenStack credential with
 * access rules), and /home and /opt/software over NFS from the controller's volumes (there are
 * no Manila shares); Azure needs `adminPublicKey`. Every node gets an outbound way to the
 * internet as each cloud allows (see the cloud table in docs/clouds.md).
 *
 * @example
 * new SlurmCluster(stack, "hpc", {
 *   controller: { size: "m3.medium" },
 *   partitions: [{ name: "cpu", size: "m3.quad", nodes: 2, elastic: { max: 16 } }],
 *   allowSshFrom: ["203.0.113.0/24"],
 *   users: [{ name: "alice", publicKey: "ssh-ed25519 AAAA... alice@laptop" }],
 * });
 */
export class SlurmCluster extends Construct {
  readonly plan: SlurmClusterPlan;
  readonly network: INetwork;
  /** The firewall every cluster member carries: all traffic between members, nothing else. */
  readonly internalFirewall: IFirewall;
  readonly controller: IMachine;
  readonly login?: IMachine;
  /** Static compute nodes by name. */
  readonly nodes: ReadonlyMap<string, IMachine>;
  /** Public address of the login node (the controller without one); undefined without allowSshFrom. */
  readonly loginAddress?: string;
  readonly sshCommand: string;
  /** One line: partitions, cores, GPUs, nodes, SU per hour idle and at full scale. */
  readonly summary: string;

  constructor(scope: Construct, id: string, props: SlurmClusterProps) {
    super(scope, id);
    const ctx = clusterContext(this, id, "slurm");
    requireShape(ctx.issues, "slurmCluster", props, "slurm");
    const checked = this.check(ctx, props);
    const { plan, abilities } = this.makePlan(ctx, id, props, checked);
    this.plan = plan;

    const { network, internal, access } = this.buildNetwork(ctx, plan, checked.sshFrom);
    this.network = network;
    this.internalFirewall = internal;
    const credential = this.buildCredential(ctx, props, plan, abilities.elastic);
    const refs = this.cloudRefs(plan, credential, abilities.shares);
    const boot = this.renderConfig(ctx, plan, refs, checked.adminKey);
    const cleanup = this.buildElasticCleanup(ctx, plan, credential, abilities.elastic);
    const publicOn = plan.login ? "login" : "controller";
    const machines = this.buildMachines(ctx, plan, checked, boot, access, cleanup);
    this.controller = machines.controller;
    if (machines.login) this.login = machines.login;
    this.nodes = machines.nodes;

    const front = this.login ?? this.controller;
    if (checked.sshFrom.length > 0) {
      this.loginAddress = ctx.driver.createPublicAddress(this.node.findChild(publicOn), "PublicAddress", { name: `${plan.baseName}-${publicOn}-ip`, machine: front }).address;
    }
    this.sshCommand = `ssh ${plan.users[0]?.name ?? checked.adminUser}@${this.loginAddress ?? front.privateAddress}`;
    this.summary = clusterSummary(plan).line;
    this.outputs(ctx, id, publicOn);
  }

  /** The image and who may sign in; issues are added, not yet thrown (the plan adds its own). */
  private check(ctx: ClusterContext, props: SlurmClusterProps): Checked {
    const { cloud, issues } = ctx;
    const image = props.image ?? cloud.defaultImage;
    if (image.startsWith("Featured-") && cloud.images.length > 0 && !cloud.images.some((i) => i.name === image)) {
      const near = nearestMatches(
        image,
        cloud.images.map((i) => i.name),
      );
      issues.add("slurm.unknown-image", `'image' "${image}" is not a featured image of ${cloud.name}${near.length ? `: did you mean ${orList(near)}?` : ""}`);
    }
    const adminUser = loginUserFor(image, cloud.images) ?? "ubuntu";

    const { sshFrom, adminKey } = checkSshAccess(issues, "slurm", props.allowSshFrom, { prop: "adminPublicKey", value: props.adminPublicKey }, cloud);
    if (sshFrom.length > 0 && !adminKey && (props.users ?? []).length === 0) {
      issues.add("slurm.no-key", "'allowSshFrom' opens SSH but nobody has a key: add 'users' with their public keys, or 'adminPublicKey'");
    }
    return { image, adminUser, sshFrom, adminKey };
  }

  /**
   * The plan (lib/slurm/plan.ts) and what the cloud cannot do for it; every issue found so far is
   * thrown at once. The plan's names are then claimed in the stack.
   */
  private makePlan(ctx: ClusterContext, id: string, props: SlurmClusterProps, checked: Checked): { plan: SlurmClusterPlan; abilities: SlurmAbilities } {
    const { stack, cloud, driver, issues } = ctx;
    const { image, adminUser } = checked;
    const planned = planCluster({
      stackName: stack.node.id,
      id,
      cloudName: cloud.name,
      flavors: cloud.flavors,
      controller: props.controller,
      ...(props.login ? { login: props.login } : {}),
      partitions: props.partitions,
      ...(props.sharedStorage ? { sharedStorage: props.sharedStorage } : {}),
      ...(props.users ? { users: props.users } : {}),
      ...(props.accounting !== undefined ? { accounting: props.accounting } : {}),
      ...(props.cidr !== undefined ? { cidr: props.cidr } : {}),
      image,
      adminUser,
      ...(cloud.quota ? { quota: cloud.quota } : {}),
    });
    if (!planned.ok) for (const issue of planned.issues) issues.add(issue.code, issue.message);
    const hasElastic = planned.ok && hasElasticNodes(planned.plan);
    // The elastic nodes' programs take the image by name in a KEY=value file (lib/slurm/cloud-init-elastic.ts).
    if (hasElastic && !/^[A-Za-z0-9_.:/@+,=-]+$/.test(image)) {
      issues.add(
        "slurm.bad-image",
        `'image' ${describeValue(image)} cannot be handed to the programs that create elastic nodes: they take letters, digits and . _ - : / @ + , = only. Use an image so named, or static nodes only`,
      );
    }
    // Elastic nodes need a credential to be created with, and a destroy step that deletes them.
    const { credentials, elasticCleanup, shares } = driver.abilities;
    if (hasElastic && !(credentials && elasticCleanup))
      issues.add("slurm.no-elastic", `elastic nodes need a credential drover can create on ${cloud.name}, which it cannot yet: use static nodes only`);
    if (planned.ok && planned.plan.sharedStorage.kind === "manila" && !shares)
      issues.add("slurm.no-shares", `'sharedStorage.kind' "manila" needs shares, which ${cloud.name} does not offer: use kind "nfs"`);
    if (planned.ok) checkGpuDriver(issues, props, planned.plan, image, cloud);
    issues.throwIfAny();
    if (!planned.ok) throw new Error("unreachable: planCluster failed without issues");
    for (const w of planned.warnings) Annotations.of(this).addWarning(w);

    const plan = planned.plan;
    // Its tag marks what its reaper deletes; elastic nodes are named outside the driver.
    stack.claimUnique("cluster name", plan.clusterName, this);
    for (const p of plan.partitions) for (const n of p.nodes) if (n.elastic) stack.claimUnique("machine name", n.name, this);
    return {
      plan,
      abilities: {
        ...(hasElastic && credentials && elasticCleanup ? { elastic: { credentials, cleanup: elasticCleanup } } : {}),
        ...(plan.sharedStorage.kind === "manila" && shares ? { shares } : {}),
      },
    };
  }

  /** The cluster's network and its firewalls: one between members, one for SSH from `sshFrom`. */
  private buildNetwork(ctx: ClusterContext, plan: SlurmClusterPlan, sshFrom: readonly Cidr[]): { network: INetwork; internal: IFirewall; access: IFirewall } {
    const { driver } = ctx;
    const cidr = (parseCidr(plan.cidr) as { cidr: Cidr }).cidr;

    // The network: DHCP for other machines in the first block, fixed addresses for the cluster.
    const network = driver.createNetwork(this, "Network", {
      name: plan.baseName,
      cidr,
      internetAccess: true,
      dhcpPool: { start: hostAddress(cidr, 10), end: hostAddress(cidr, ADDRESS_BLOCK - 2) },
    });

    // A network the cluster creates always has its subnet: fixed addresses and elastic ports need it.
    if (!network.subnetId) throw new Error(`${this.node.path}: the cluster network has no subnet ID`);
    const internal = membersFirewall(driver, this, plan.baseName);
    const access = driver.createFirewall(this, "Access", { name: `${plan.baseName}-access`, description: `drover: SSH to ${this.node.path}` });
    for (const c of sshFrom) access.allowIngress({ kind: "cidr", cidr: c }, Port.tcp(22), `ssh from ${c.text}`);
    return { network, internal, access };
  }

  /** The credential elastic nodes are created with, when there are any. */
  private buildCredential(ctx: ClusterContext, props: SlurmClusterProps, plan: SlurmClusterPlan, elastic: SlurmAbilities["elastic"]): ICloudCredential | undefined {
    if (!elastic) return undefined;
    return clusterCredential(ctx.stack, this, elastic.credentials, props.applicationCredential ?? "create", {
      name: `${plan.baseName}-slurm`,
      description: `drover: Slurm on ${plan.controller.name} creates and deletes the elastic nodes of ${this.node.path}`,
      ...(props.restrictCredential === false ? {} : { accessRules: ELASTIC_ACCESS_RULES }),
    });
  }

  /** Values decided at deploy time: the munge key, the elastic nodes' credential and network, the Manila shares. */
  private cloudRefs(plan: SlurmClusterPlan, credential: ICloudCredential | undefined, manila: ShareAbility | undefined): CloudRefs {
    let shares: { home: IShare; software: IShare } | undefined;
    const storage = plan.sharedStorage;
    if (storage.kind === "manila" && manila) {
      const accessTo = storage.protocol === "CEPHFS" ? plan.baseName : plan.cidr;
      const share = (role: "home" | "software", sizeGiB: number) =>
        manila.create(this, `Share-${role}`, { name: `${plan.baseName}-${role}`, sizeGiB, protocol: storage.protocol, accessTo, protect: true });
      shares = { home: share("home", storage.homeGiB), software: share("software", storage.softwareGiB) };
    }
    const shareRef = (s: IShare) => ({ exportPath: s.exportPath, ...(s.accessKey ? { accessTo: plan.baseName, accessKey: s.accessKey } : {}) });
    return {
      mungeKeyB64: mungeKey(this),
      ...(credential
        ? {
            elastic: {
              authUrl: credential.authUrl,
              region: credential.region,
              applicationCredentialId: credential.credentialId,
              applicationCredentialSecret: credential.secret,
              networkId: this.network.networkId,
              subnetId: this.network.subnetId!,
              securityGroupId: this.internalFirewall.firewallId,
            },
          }
        : {}),
      ...(shares ? { shares: { home: shareRef(shares.home), software: shareRef(shares.software) } } : {}),
    };
  }

  /** Each role's user data, and the configuration files kept for review. */
  private renderConfig(ctx: ClusterContext, plan: SlurmClusterPlan, refs: CloudRefs, adminKey: Checked["adminKey"]): BootConfig {
    const { stack, cloud, driver } = ctx;
    // Rendered configuration, kept for review.
    const files = renderSlurmFiles(plan);
    // Where the cloud updates metadata in place, the user data only bootstraps the machines and
    // what may change later reaches them as a bundle their agent applies (lib/slurm/bundle.ts).
    const inPlace = driver.configInPlace === true;
    const userData = renderClusterCloudInit(plan, refs, files, { metadataSource: cloud.facts.metadataSource, agent: inPlace, ...(adminKey ? { adminPublicKey: adminKey.line } : {}) });
    const bundle = inPlace ? slurmBundle(plan, files, this.node.path) : undefined;
    const encoded = bundle ? encodeBundle(bundle) : undefined;
    if (bundle) stack.addRenderedFile(this, "config-bundle.json", `${JSON.stringify(bundle, null, 2)}\n`);
    stack.addRenderedFile(this, "slurm.conf", files.slurmConf);
    stack.addRenderedFile(this, "cgroup.conf", files.cgroupConf);
    if (files.gresConf) stack.addRenderedFile(this, "gres.conf", files.gresConf);
    if (files.slurmdbdConf) stack.addRenderedFile(this, "slurmdbd.conf", files.slurmdbdConf);
    stack.addRenderedFile(this, "cloud-init-controller.yaml", userData.controller);
    if (userData.login) stack.addRenderedFile(this, "cloud-init-login.yaml", userData.login);
    stack.addRenderedFile(this, "cloud-init-compute.yaml", userData.compute);
    return { userData, encoded, inPlace };
  }

  /**
   * Elastic nodes, recorded for cost and quota, and the destroy-time step that deletes those
   * still running: elastic nodes are deleted before the controller goes, and the controller goes first.
   */
  private buildElasticCleanup(ctx: ClusterContext, plan: SlurmClusterPlan, credential: ICloudCredential | undefined, elastic: SlurmAbilities["elastic"]): ITerraformDependable | undefined {
    const { stack } = ctx;
    for (const p of plan.partitions) {
      const elastic = p.nodes.filter((n) => n.elastic).length;
      if (elastic > 0) stack.recordElastic(this, { flavor: p.flavor.name, max: elastic });
    }
    if (!credential || !elastic) return undefined;
    stack.addRenderedFile(this, "drover-reap-elastic.mjs", readTemplate("slurm/drover-reap-elastic.mjs"));
    const cleanup = elastic.cleanup.create(this, "ElasticCleanup", {
      credential,
      clusterTag: plan.clusterName,
      scriptPath: stack.renderedFilePath(this, "drover-reap-elastic.mjs"),
    });
    stack.recordDestroyStep(cleanup, `the elastic nodes Slurm created (servers and ports tagged drover_cluster=${plan.clusterName})`);
    return cleanup;
  }

  /** The controller with its volumes, the login node, and the static compute nodes. */
  private buildMachines(ctx: ClusterContext, plan: SlurmClusterPlan, checked: Checked, boot: BootConfig, access: IFirewall, cleanup: ITerraformDependable | undefined) {
    const { stack, driver } = ctx;
    const { image, adminUser, adminKey } = checked;
    const { userData, encoded, inPlace } = boot;
    const keyPair: IKeyPair | undefined = adminKey ? stack.keyPairFor(adminKey.line, adminKey.fingerprint) : undefined;
    const machine = (
      scopeId: string,
      spec: {
        name: string;
        address: string;
        flavor: typeof plan.controller.flavor;
        userData: string;
        role: string;
        firewalls: IFirewall[];
        dependsOn?: ITerraformDependable[];
        partition?: string;
        holdsState?: string;
      },
    ) =>
      driver.createMachine(new Construct(this, scopeId), "Resource", {
        name: spec.name,
        flavor: spec.flavor,
        image,
        network: this.network,
        firewalls: spec.firewalls,
        loginUser: adminUser,
        userData: spec.userData,
        fixedAddress: spec.address,
        metadata: { drover_construct: this.node.path, drover_role: spec.role, ...(spec.partition ? { drover_partition: spec.partition } : {}), ...encoded?.metadata },
        ...(inPlace ? { bootstrapOnly: true } : {}),
        ...(inPlace && spec.holdsState ? { holdsState: spec.holdsState } : {}),
        ...(keyPair ? { keyPair } : {}),
        ...(spec.dependsOn ? { dependsOn: spec.dependsOn } : {}),
      });

    const controller = machine("controller", {
      ...plan.controller,
      userData: userData.controller,
      role: "controller",
      firewalls: plan.login ? [this.internalFirewall] : [this.internalFirewall, access],
      ...(plan.accounting ? { holdsState: "the accounting database (MariaDB, on its disk): every job's record" } : {}),
      ...(cleanup ? { dependsOn: [cleanup] } : {}),
    });
    this.attachControllerVolumes(driver, plan, controller);
    const login = plan.login && machine("login", { ...plan.login, userData: userData.login!, role: "login", firewalls: [this.internalFirewall, access] });
    const nodes = new Map<string, IMachine>();
    for (const p of plan.partitions) {
      for (const n of p.nodes) {
        if (n.elastic) continue;
        const scopeId = n.name.slice(stack.node.id.length + 1);
        nodes.set(n.name, machine(scopeId, { name: n.name, address: n.address, flavor: p.flavor, userData: userData.compute, role: "compute", partition: p.name, firewalls: [this.internalFirewall] }));
      }
    }
    return { controller, login, nodes };
  }

  /** The controller's volumes, each protected: slurmctld's state, and with kind "nfs" /home and /opt/software. */
  private attachControllerVolumes(driver: CloudDriver, plan: SlurmClusterPlan, controller: IMachine): void {
    // slurmctld's state on a protected volume: a rebuilt controller takes over the queue.
    const controllerScope = this.node.findChild("controller");
    attachVolume(driver, controllerScope, controller, "state", { name: `${plan.baseName}-state`, sizeGiB: STATE_VOLUME_GIB, protect: true }, PATHS.stateVolume);
    const storage = plan.sharedStorage;
    if (storage.kind === "nfs") {
      for (const [role, sizeGiB, mountPath] of [
        ["home", storage.homeGiB, "/home"],
        ["software", storage.softwareGiB, "/opt/software"],
      ] as const) {
        attachVolume(driver, controllerScope, controller, role, { name: `${plan.baseName}-${role}`, sizeGiB, protect: true }, mountPath);
      }
    }
  }

  private outputs(ctx: ClusterContext, id: string, publicOn: "login" | "controller"): void {
    const output = outputsOf(ctx.stack, this, id.replace(/-/g, "_"));
    if (this.loginAddress) output("login_address", this.loginAddress, `Public address of the ${publicOn} node of ${this.node.path}`);
    output("ssh", this.sshCommand, `SSH command for ${this.node.path}`);
    output("summary", this.summary, `Partitions, cores, GPUs, nodes and service units of ${this.node.path}`);
  }
}
