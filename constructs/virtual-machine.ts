import { Construct } from "constructs";
import { describeValue } from "../lib/props/check.ts";
import type { Flavor } from "../lib/catalog/flavors.ts";
import { loginUserFor } from "../lib/catalog/images.ts";
import { resolveSize } from "../lib/catalog/resolve-size.ts";
import { encodeBundle, type Bundle } from "../lib/agent/bundle.ts";
import { machineBundle, renderMachineCloudInit, type MachineCloudInit } from "../lib/cloud-init.ts";
import { IssueCollector } from "../lib/errors.ts";
import { MAX_HOSTNAME_LENGTH, checkName, nearestMatches, orList } from "../lib/naming.ts";
import { parseCidr, type Cidr } from "../lib/net/cidr.ts";
import { Port } from "../lib/net/port.ts";
import { parseSshPublicKey } from "../lib/net/ssh-key.ts";
import type { IFirewall, IKeyPair, IMachine, INetwork, Size } from "./cloud.ts";
import { keyRequiredMessage, requireShape } from "./private/context.ts";
import { outputsOf } from "./private/outputs.ts";
import { attachVolume } from "./private/volume.ts";
import { Connections } from "./connections.ts";
import { DroverStack } from "./drover-stack.ts";

export interface VolumeProps {
  /** Name, unique within the machine: part of the volume's cloud name and its default mount path. */
  readonly name: string;
  /** Size in GiB, from 1 to 10240. */
  readonly sizeGiB: number;
  /**
   * Where the volume is mounted; it is formatted (ext4) the first time only.
   * @default "/media/volume/<name>" (where Jetstream2's Exosphere mounts volumes)
   */
  readonly mountPath?: string;
  /**
   * The cloud's volume type.
   * @default - the cloud's default type
   */
  readonly volumeType?: string;
  /**
   * Protect the volume from being destroyed by Terraform (it holds data).
   * @default true
   */
  readonly protect?: boolean;
}

export interface VirtualMachineProps {
  /** A flavor name (`"m3.small"`) or what the machine needs (`{ vcpus: 4, memoryGiB: 16 }`), resolved to the cheapest flavor that fits. */
  readonly size: Size;
  /**
   * Image name.
   * @default - the cloud's default image ("Featured-Ubuntu24" on Jetstream2)
   */
  readonly image?: string;
  /**
   * Network the machine joins.
   * @default - the stack's default network (one per stack: new, or the allocation's existing one)
   */
  readonly network?: INetwork;
  /**
   * Address ranges (CIDR) allowed to reach SSH (tcp/22).
   * @default [] - SSH closed
   */
  readonly allowSshFrom?: readonly string[];
  /**
   * Address ranges (CIDR) allowed to ping the machine.
   * @default [] - ICMP closed
   */
  readonly allowPingFrom?: readonly string[];
  /**
   * OpenSSH public key for the login account (the content of a `.pub` file); registered as a
   * key pair, once per stack for all machines that use the same key.
   * @default - none; see keyPairName
   */
  readonly publicKey?: string;
  /**
   * Name of a key pair already registered with the cloud, instead of `publicKey`.
   * @default - none
   */
  readonly keyPairName?: string;
  /**
   * Give the machine a public address (a floating IP on OpenStack).
   * @default false
   */
  readonly publicAddress?: boolean;
  /**
   * Block-storage volumes attached to the machine, formatted and mounted at first sight.
   * @default []
   */
  readonly volumes?: readonly VolumeProps[];
  /**
   * Boot from a new volume of this size (GiB) instead of the flavor's root disk.
   * @default - the flavor's root disk
   */
  readonly rootVolumeGiB?: number;
  /**
   * Distribution packages installed at first boot.
   * @default []
   */
  readonly packages?: readonly string[];
  /**
   * Shell commands run once, in order, at the end of first boot.
   * @default []
   */
  readonly bootCommands?: readonly string[];
  /**
   * The image's login account, for the `ssh` output and volume ownership.
   * @default - known for featured images, guessed from the image name otherwise
   */
  readonly sshUser?: string;
}

const MAX_VOLUME_GIB = 10240;
const MIN_ROOT_VOLUME_GIB = 20;
const VOLUME_NAME = /^[a-z][a-z0-9-]{0,30}$/;
const MOUNT_PATH = /^\/[A-Za-z0-9._/-]+$/;
/** Directories a volume must not hide: the system's, and everything under them. */
const SYSTEM_TREES = ["/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/lost+found", "/proc", "/root", "/run", "/sbin", "/snap", "/sys", "/tmp", "/usr", "/var"];
/** Top-level directories that hold other mounts or software: a volume goes beneath them, never on them. */
const MOUNT_ROOTS = ["/", "/media", "/mnt", "/opt"];

/** Whether a (normalized) mount path would hide part of the system. */
function hidesSystem(path: string): boolean {
  return MOUNT_ROOTS.includes(path) || SYSTEM_TREES.some((d) => path === d || path.startsWith(`${d}/`));
}
const LOGIN_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9+._:-]*$/;

/** What the checks found usable in the props; a problem leaves its part undefined and adds an issue. */
interface Checked {
  readonly name: string;
  readonly size: ReturnType<typeof resolveSize>;
  readonly image: string;
  readonly loginUser?: string;
  readonly sshFrom: Cidr[];
  readonly pingFrom: Cidr[];
  readonly publicKey?: { line: string; fingerprint: string };
  readonly volumes: Array<VolumeProps & { mountPath: string }>;
  readonly network: INetwork;
}

/** The machine as it will be built, every check passed. */
interface MachinePlan extends Omit<Checked, "size" | "loginUser"> {
  readonly flavor: Flavor;
  readonly loginUser: string;
  readonly cloudInit?: MachineCloudInit;
  readonly userData: string;
}

/**
 * A virtual machine with what it needs around it: a network (the stack's default unless given),
 * a firewall that opens SSH only to `allowSshFrom` (nothing when it is empty), a key pair,
 * optional public address, volumes formatted and mounted at boot, cloud-init user data, tags,
 * and outputs for its addresses and the `ssh` command.
 *
 * @example
 * new VirtualMachine(stack, "box", {
 *   size: "m3.small",
 *   allowSshFrom: ["203.0.113.0/24"],
 *   publicKey: "ssh-ed25519 AAAA... me@laptop",
 *   publicAddress: true,
 *   volumes: [{ name: "data", sizeGiB: 100 }],
 * });
 */
export class VirtualMachine extends Construct {
  /** Cloud name of the machine, also its hostname: `<stack>-<construct>`. */
  readonly name: string;
  readonly flavor: Flavor;
  readonly image: string;
  readonly loginUser: string;
  readonly machine: IMachine;
  readonly firewall: IFirewall;
  readonly connections: Connections;
  readonly network: INetwork;
  readonly privateAddress: string;
  /** Undefined unless `publicAddress` was set. */
  readonly publicAddress?: string;
  /** `ssh <user>@<address>`, the public address when there is one. */
  readonly sshCommand: string;
  /** The rendered cloud-init user data. */
  readonly userData: string;

  constructor(scope: Construct, id: string, props: VirtualMachineProps) {
    super(scope, id);
    const stack = DroverStack.of(this);
    const issues = new IssueCollector(this.node.path);
    const plan = this.makePlan(stack, props, this.check(stack, id, props, issues), issues);

    // Every check passed: build.
    this.name = plan.name;
    this.flavor = plan.flavor;
    this.image = plan.image;
    this.loginUser = plan.loginUser;
    this.network = plan.network;
    this.userData = plan.userData;
    stack.addRenderedFile(this, "cloud-init.yaml", plan.userData);
    const bundle = plan.cloudInit?.agent ? machineBundle(plan.cloudInit, this.node.path) : undefined;
    const { firewall, connections } = this.buildFirewall(stack, plan);
    this.firewall = firewall;
    this.connections = connections;
    this.machine = this.buildMachine(stack, props, plan, bundle);
    this.privateAddress = this.machine.privateAddress;
    this.buildVolumes(stack, plan);
    if (props.publicAddress) {
      this.publicAddress = stack.driver.createPublicAddress(this, "PublicAddress", { name: `${plan.name}-ip`, machine: this.machine }).address;
    }
    this.sshCommand = `ssh ${this.loginUser}@${this.publicAddress ?? this.privateAddress}`;
    this.outputs(stack);
  }

  /** Every prop, each problem added to `issues`; none is thrown yet (the user data is checked next). */
  private check(stack: DroverStack, id: string, props: VirtualMachineProps, issues: IssueCollector): Checked {
    const cloud = stack.cloud;
    const { name, size, image, loginUser } = this.checkMachine(stack, id, props, issues);
    const sshFrom = this.checkCidrs("allowSshFrom", props.allowSshFrom, issues);
    const pingFrom = this.checkCidrs("allowPingFrom", props.allowPingFrom, issues);

    let publicKey: { line: string; fingerprint: string } | undefined;
    if (props.publicKey !== undefined && props.keyPairName !== undefined) {
      issues.add("vm.two-keys", "give 'publicKey' or 'keyPairName', not both");
    } else if (props.publicKey !== undefined) {
      const key = parseSshPublicKey(String(props.publicKey));
      if (key.ok) publicKey = key.key;
      else issues.add("vm.bad-key", `'publicKey' ${key.reason}`);
    } else if (props.keyPairName !== undefined && (typeof props.keyPairName !== "string" || !/^[A-Za-z0-9._ -]{1,255}$/.test(props.keyPairName))) {
      issues.add("vm.bad-keypair", `'keyPairName' ${JSON.stringify(props.keyPairName)} is not a key pair name (letters, digits, space, . _ -)`);
    } else if (props.keyPairName === undefined && cloud.requiresSshKey) {
      issues.add("vm.key-required", keyRequiredMessage("publicKey", cloud));
    } else if (props.keyPairName === undefined && sshFrom.length > 0) {
      issues.add("vm.no-key", "'allowSshFrom' opens SSH but no key is given, and password login is off: set 'publicKey' (the content of ~/.ssh/id_ed25519.pub) or 'keyPairName'");
    }

    const volumes = this.checkVolumes(props.volumes ?? [], issues);

    if (props.rootVolumeGiB !== undefined && (!Number.isInteger(props.rootVolumeGiB) || props.rootVolumeGiB < MIN_ROOT_VOLUME_GIB || props.rootVolumeGiB > MAX_VOLUME_GIB)) {
      issues.add("vm.bad-root-volume", `'rootVolumeGiB' must be a whole number from ${MIN_ROOT_VOLUME_GIB} to ${MAX_VOLUME_GIB}, got ${describeValue(props.rootVolumeGiB)}`);
    }

    (props.packages ?? []).forEach((p, i) => {
      if (typeof p !== "string" || !PACKAGE_NAME.test(p))
        issues.add("vm.bad-package", `'packages[${i}]' ${JSON.stringify(p)} is not a package name: use the distribution's name for it (letters, digits and + . _ : -), e.g. "htop"`);
    });
    (props.bootCommands ?? []).forEach((c, i) => {
      if (typeof c !== "string" || c.trim() === "") issues.add("vm.bad-command", `'bootCommands[${i}]' must be a non-empty shell command`);
    });

    const network = props.network ?? stack.defaultNetwork();
    if (props.publicAddress && "internetAccess" in network && (network as { internetAccess?: boolean }).internetAccess === false) {
      issues.add("vm.public-without-internet", `'publicAddress' needs a network routed to the internet, and ${network.displayName} has internetAccess: false`);
    }
    return { name, size, image, loginUser, sshFrom, pingFrom, publicKey, volumes, network };
  }

  /** The machine's name (from its construct ids), shape, size, image and login account. */
  private checkMachine(stack: DroverStack, id: string, props: VirtualMachineProps, issues: IssueCollector): Pick<Checked, "name" | "size" | "image" | "loginUser"> {
    const cloud = stack.cloud;
    const name = stack.resourceName(this);
    // The id as given: constructs replaces a "/" with "--" on its own, which would rename it silently.
    for (const part of [...this.node.scopes.slice(this.node.scopes.indexOf(stack) + 1, -1).map((s) => s.node.id), id]) {
      const bad = checkName(part, "construct id");
      if (bad) issues.add("vm.bad-id", bad);
    }
    requireShape(issues, "virtualMachine", props, "vm");
    if (name.length > MAX_HOSTNAME_LENGTH) {
      issues.add(
        "vm.name-too-long",
        `the machine's name "${name}" (stack + construct) is ${name.length} characters; hostnames allow ${MAX_HOSTNAME_LENGTH}: shorten the stack name or the construct id`,
      );
    }

    const size = resolveSize(props.size, cloud.flavors, cloud.name);
    if (!size.ok) issues.add("vm.bad-size", size.message);

    const image = props.image ?? cloud.defaultImage;
    if (typeof image !== "string" || image.trim() === "") {
      issues.add("vm.bad-image", `'image' must be a non-empty image name, got ${describeValue(image)}`);
    } else if (image.startsWith("Featured-") && cloud.images.length > 0 && !cloud.images.some((i) => i.name === image)) {
      const near = nearestMatches(
        image,
        cloud.images.map((i) => i.name),
      );
      issues.add(
        "vm.unknown-image",
        `'image' "${image}" is not a featured image of ${cloud.name}${near.length ? `: did you mean ${orList(near)}?` : ""} Featured: ${cloud.images.map((i) => i.name).join(", ")}.`,
      );
    }

    const loginUser = props.sshUser ?? loginUserFor(image, cloud.images);
    if (loginUser === undefined) {
      issues.add("vm.unknown-user", `cannot tell the login account of image "${image}": set 'sshUser' (e.g. "ubuntu", "rocky")`);
    } else if (!LOGIN_USER.test(loginUser)) {
      issues.add("vm.bad-user", `'sshUser' "${loginUser}" is not a valid account name (lower-case letters, digits, _ and -, at most 32): use the image's account, e.g. "ubuntu"`);
    } else if (loginUser === "root") {
      issues.add(
        "vm.root-user",
        `'sshUser' "root" cannot log in: drover machines disable root login over SSH. Use the image's own account (${loginUserFor(image, cloud.images) ?? "e.g. ubuntu"}) and sudo`,
      );
    }
    return { name, size, image, loginUser };
  }

  /** The cloud-init user data (lib/cloud-init.ts) and its size: every issue thrown at once. */
  private makePlan(stack: DroverStack, props: VirtualMachineProps, checked: Checked, issues: IssueCollector): MachinePlan {
    const cloud = stack.cloud;
    const { loginUser } = checked;
    const metadataSource = cloud.facts.metadataSource;

    // Where the cloud updates metadata in place, packages and commands added later reach the
    // running machine (machineBundle) and the user data only bootstraps it.
    const inPlace = stack.driver.configInPlace === true;
    const cloudInit: MachineCloudInit | undefined =
      loginUser && metadataSource && LOGIN_USER.test(loginUser)
        ? { loginUser, metadataSource, packages: props.packages ?? [], commands: props.bootCommands ?? [], comment: `drover: ${this.node.path}`, ...(inPlace ? { agent: true } : {}) }
        : undefined;
    const userData = cloudInit ? renderMachineCloudInit(cloudInit) : "";
    // Clouds without a limit in their facts have drivers that check their own (EC2's is 16 KB, compressed if need be).
    const maxUserData = cloud.facts.userDataMaxBytes;
    if (maxUserData !== undefined && Buffer.byteLength(userData) > maxUserData) {
      issues.add(
        "vm.user-data-too-big",
        `the cloud-init user data is ${Buffer.byteLength(userData)} bytes; ${cloud.facts.label} accepts ${maxUserData}: move large files to a volume or download them at boot`,
      );
    }
    issues.throwIfAny();
    return { ...checked, flavor: (checked.size as { flavor: Flavor }).flavor, loginUser: loginUser!, cloudInit, userData };
  }

  /** The machine's firewall: SSH from `allowSshFrom`, ping from `allowPingFrom`, nothing else. */
  private buildFirewall(stack: DroverStack, plan: MachinePlan): { firewall: IFirewall; connections: Connections } {
    const firewall = stack.driver.createFirewall(this, "Firewall", { name: `${plan.name}-sg`, description: `drover: firewall of ${this.node.path}` });
    const connections = new Connections(this, firewall);
    for (const cidr of plan.sshFrom) connections.allowFrom({ kind: "cidr", cidr }, Port.tcp(22), `ssh from ${cidr.text}`);
    for (const cidr of plan.pingFrom) connections.allowFrom({ kind: "cidr", cidr }, Port.ping(), `ping from ${cidr.text}`);
    return { firewall, connections };
  }

  /** The machine, with its key pair: one registered from `publicKey`, or the one named. */
  private buildMachine(stack: DroverStack, props: VirtualMachineProps, plan: MachinePlan, bundle: Bundle | undefined): IMachine {
    const driver = stack.driver;
    let keyPair: IKeyPair | undefined;
    if (plan.publicKey) keyPair = stack.keyPairFor(plan.publicKey.line, plan.publicKey.fingerprint);
    else if (props.keyPairName) keyPair = driver.importKeyPair(props.keyPairName);

    return driver.createMachine(this, "Resource", {
      name: plan.name,
      flavor: this.flavor,
      image: plan.image,
      network: plan.network,
      firewalls: [this.firewall],
      loginUser: this.loginUser,
      userData: plan.userData,
      metadata: { drover_construct: this.node.path, ...(bundle ? encodeBundle(bundle).metadata : {}) },
      ...(bundle ? { bootstrapOnly: true } : {}),
      ...(keyPair ? { keyPair } : {}),
      ...(props.rootVolumeGiB ? { rootVolumeGiB: props.rootVolumeGiB } : {}),
    });
  }

  private buildVolumes(stack: DroverStack, plan: MachinePlan): void {
    for (const v of plan.volumes) {
      const spec = { name: `${plan.name}-${v.name}`, sizeGiB: v.sizeGiB, protect: v.protect ?? true, ...(v.volumeType ? { volumeType: v.volumeType } : {}) };
      attachVolume(stack.driver, this, this.machine, v.name, spec, v.mountPath);
    }
  }

  private outputs(stack: DroverStack): void {
    const output = outputsOf(
      stack,
      this,
      stack
        .resourceName(this)
        .slice(stack.node.id.length + 1)
        .replace(/-/g, "_"),
    );
    output("private_address", this.privateAddress, `Private address of ${this.node.path}`);
    if (this.publicAddress) output("public_address", this.publicAddress, `Public address of ${this.node.path}`);
    output("ssh", this.sshCommand, `SSH command for ${this.node.path}`);
  }

  private checkCidrs(prop: string, values: readonly string[] | undefined, issues: IssueCollector): Cidr[] {
    const out: Cidr[] = [];
    const seen = new Set<string>();
    (values ?? []).forEach((text, i) => {
      const parsed = parseCidr(String(text));
      if (!parsed.ok) {
        issues.add("vm.bad-cidr", `'${prop}[${i}]' "${text}" ${parsed.reason}${parsed.suggestion ? `: did you mean ${parsed.suggestion}?` : ""}`);
      } else if (seen.has(parsed.cidr.text)) {
        issues.add("vm.duplicate-cidr", `'${prop}[${i}]' "${text}" is listed twice`);
      } else {
        seen.add(parsed.cidr.text);
        out.push(parsed.cidr);
      }
    });
    return out;
  }

  private checkVolumes(volumes: readonly VolumeProps[], issues: IssueCollector): Array<VolumeProps & { mountPath: string }> {
    const names = new Set<string>();
    const mounts = new Set<string>();
    const out: Array<VolumeProps & { mountPath: string }> = [];
    volumes.forEach((v, i) => {
      const at = `'volumes[${i}]`;
      let ok = true;
      let nameOk = true;
      if (typeof v.name !== "string" || !VOLUME_NAME.test(v.name)) {
        issues.add("vm.bad-volume-name", `${at}.name' ${JSON.stringify(v.name)} must be lower-case letters, digits and '-', starting with a letter, at most 31 characters`);
        ok = nameOk = false;
      } else if (names.has(v.name)) {
        issues.add("vm.duplicate-volume", `${at}.name' "${v.name}" is used by another volume of this machine: volume names must be unique`);
        ok = nameOk = false;
      }
      if (typeof v.name === "string") names.add(v.name);
      if (!Number.isInteger(v.sizeGiB) || v.sizeGiB < 1 || v.sizeGiB > MAX_VOLUME_GIB) {
        issues.add("vm.bad-volume-size", `${at}.sizeGiB' must be a whole number from 1 to ${MAX_VOLUME_GIB}, got ${describeValue(v.sizeGiB)}`);
        ok = false;
      }
      // The default mount path derives from the name: a bad name is reported once, above.
      if (!nameOk && v.mountPath === undefined) return;
      const mountPath = v.mountPath ?? `/media/volume/${v.name}`;
      const normalized = mountPath.replace(/\/+$/, "") || "/";
      if (!MOUNT_PATH.test(mountPath) || mountPath.includes("..")) {
        issues.add("vm.bad-mount-path", `${at}.mountPath' ${JSON.stringify(mountPath)} must be an absolute path of letters, digits and . _ - /`);
        ok = false;
      } else if (hidesSystem(normalized)) {
        issues.add(
          "vm.reserved-mount-path",
          `${at}.mountPath' "${mountPath}" would hide ${normalized === "/home" || normalized.startsWith("/home/") ? "the users' homes" : "a system directory"}: mount beneath /media, /mnt, /data or /srv (e.g. "/mnt/${v.name}")`,
        );
        ok = false;
      } else if (mounts.has(normalized)) {
        issues.add("vm.duplicate-mount-path", `${at}.mountPath' "${mountPath}" is used by another volume of this machine`);
        ok = false;
      }
      if (v.volumeType !== undefined && (typeof v.volumeType !== "string" || v.volumeType.trim() === "")) {
        issues.add("vm.bad-volume-type", `${at}.volumeType' must be a non-empty string`);
        ok = false;
      }
      mounts.add(normalized);
      if (ok) out.push({ ...v, mountPath: normalized });
    });
    return out;
  }
}
