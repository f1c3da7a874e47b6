import { AGENT_PATHS, agentFiles } from "../agent/bundle.ts";
import { gzipBase64, metadataGuardBootcmd, renderVolumesScript, USER_DATA_MAX_BYTES, type MetadataSource } from "../cloud-init.ts";
import { readTemplate, renderTemplate } from "../templates.ts";
import { yaml } from "../vendor.ts";
import { SLURMDBD_PASSWORD_PLACEHOLDER, type SlurmFiles } from "./conf.ts";
import { hostlistPairs } from "./hostlist.ts";
import { MUNGE_KEY_PLACEHOLDER, PATHS, type CloudRefs, type SlurmClusterPlan } from "./model.ts";

/**
 * The cloud-init user data of each role of a Slurm cluster: controller, login node, compute
 * nodes. Each is a `#cloud-config` document built as a typed object and written with `yaml()`;
 * the first-boot logic lives in shell scripts under `templates/slurm/`.
 *
 * Values only Terraform knows (`CloudRefs`: the munge key, the cloud credential, network IDs,
 * share paths and keys) appear as the references given (cdktf tokens), and Terraform puts the
 * values in at deploy. Everything else is text: synthesis escapes its `${` and `%{` (shell
 * scripts are full of them) for Terraform, in one place (lib/terraform/text.ts).
 */

export interface ClusterCloudInit {
  readonly controller: string;
  /** Only when the plan has a login node. */
  readonly login?: string;
  /** User data of every static compute node: one text for all (a node takes its name from the cloud). */
  readonly compute: string;
  /**
   * The compute user data with `MUNGE_KEY_PLACEHOLDER` for the munge key, which ResumeProgram
   * fills when it creates an elastic node; with Manila shares, also with placeholders for their
   * export paths and CephFS keys (`sharePlaceholder`), which the controller fills at first boot.
   * It holds no reference: the controller's user data embeds it gzip+base64, and the controller
   * keeps it at `PATHS.computeUserData`. Only when the plan has elastic nodes.
   */
  readonly elasticCompute?: string;
}

/** The elastic nodes' table on the controller: `name\taddress\tflavor\tpartition`, one line per elastic node. */
export const NODE_TABLE_PATH = "/etc/drover/slurm-nodes.tsv";
/** Its source in the user data: the same as hostlists, one line per run of nodes, expanded at first boot. */
export const NODE_HOSTLISTS_PATH = "/etc/drover/slurm-nodes.hostlists";
/** Where the controller republishes the configuration bundle for elastic nodes (no metadata of their own from Terraform). */
export const PUBLISHED_BUNDLE = `${PATHS.software}/.drover/slurm-bundle.json`;
/** The munge key copy the elastic-node programs (which run as slurm) read. */
export const ELASTIC_MUNGE_KEY_PATH = "/etc/drover/munge.key";

type Role = "controller" | "login" | "compute";

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  owner?: string;
  encoding?: "b64" | "gz+b64";
  /** Written after the packages are installed (their users, e.g. munge and slurm, exist then). */
  defer?: boolean;
}

interface CloudUser {
  name: string;
  uid: number;
  primary_group: string;
  shell: string;
  homedir: string;
  lock_passwd: boolean;
  no_create_home: boolean;
}

interface CloudConfig {
  ssh_pwauth: false;
  disable_root: true;
  package_update: true;
  packages: string[];
  user: { name: string; homedir: string; ssh_authorized_keys?: string[] };
  users?: CloudUser[];
  bootcmd: string[][];
  write_files: WriteFile[];
  mounts?: string[][];
  runcmd: string[][];
}

/** Where scripts and units land on the nodes. */
export const SLURM_FILES = {
  hostsProgram: "/usr/local/sbin/drover-slurm-hosts",
  hostsUnit: "/etc/systemd/system/drover-slurm-hosts.service",
  controllerProgram: "/usr/local/sbin/drover-slurm-controller",
  nodeProgram: "/usr/local/sbin/drover-slurm-node",
  waitProgram: "/usr/local/sbin/drover-wait-shared",
  gpuWaitProgram: "/usr/local/sbin/drover-wait-gpus",
  stateWaitProgram: "/usr/local/sbin/drover-wait-state",
  pamProgram: "/usr/local/sbin/drover-slurm-pam",
  dbdSetupProgram: "/usr/local/sbin/drover-slurmdbd-setup",
  sharedHook: "/etc/drover/volumes.d/50-slurm-shared",
  reconcileProgram: "/usr/local/sbin/drover-slurm-reconcile",
  /** What the resume, suspend and reconcile programs share; they source it from here. */
  elasticLib: "/usr/local/lib/drover/drover-elastic-lib.sh",
  nodeTableProgram: "/usr/local/sbin/drover-slurm-node-table",
  sshdDropIn: "/etc/ssh/sshd_config.d/10-drover-authorized-keys.conf",
  mungeKey: "/etc/munge/munge.key",
  elasticLogrotate: "/etc/logrotate.d/drover-slurm-elastic",
} as const;

/** Options of the shared trees on login and compute nodes (and everywhere with shares). */
const SHARED_MOUNT_OPTIONS = [
  "rw",
  // Mounted on first use, not at boot: a node that boots before the controller (or while a
  // share is unreachable) neither hangs its boot nor gives up; the next access retries.
  // noauto keeps cloud-init's own `mount -a` away from them (the client packages are not
  // installed yet at that point); the automount unit is still started with remote-fs.target.
  "noauto",
  "x-systemd.automount",
  "x-systemd.mount-timeout=120",
  "nofail",
  "_netdev",
].join(",");

/** Deployed length allowed for a reference's value when the size of the user data is checked. */
const MUNGE_KEY_B64_CHARS = 1368; // a 1,024-byte key (constructs/private/random.ts), base64
const SHARE_PATH_CHARS = 512; // several monitor addresses and a path
const OTHER_REF_CHARS = 255;

/** A ref-free file above this size is compressed when a user data must shrink to fit. */
const COMPRESS_ABOVE_BYTES = 512;

const REF_MARK = /@@DROVER_REF_(\d+)@@/g;
/** A reference marker, or a placeholder filled on the machine (munge key, share path and key). */
const VALUE_SLOT = /@@DROVER_[A-Z0-9_]+@@/;
const HAS_REF = /@@DROVER_REF_\d+@@/;

/**
 * Deploy-time values stand in the documents as markers while they are built (a marker is plain
 * text for YAML and gzip alike) and become the references in `finish`.
 */
class RefTable {
  private readonly refs: Array<{ text: string; maxChars: number }> = [];

  mark(text: string, maxChars = OTHER_REF_CHARS): string {
    if (/["\\\n]/.test(text)) throw new Error(`a cloud reference cannot hold a quote, a backslash or a line break: ${JSON.stringify(text)}`);
    this.refs.push({ text, maxChars });
    return `@@DROVER_REF_${this.refs.length - 1}@@`;
  }

  /** The text with the references put in. */
  finish(text: string): string {
    return text.replace(REF_MARK, (_, i: string) => this.refs[Number(i)]!.text);
  }

  /** The most bytes the machine can receive for this text: each reference at its longest value. */
  deployedBytes(text: string): number {
    let bytes = Buffer.byteLength(text);
    for (const m of text.matchAll(REF_MARK)) bytes += this.refs[Number(m[1])]!.maxChars - m[0].length;
    return bytes;
  }
}

/**
 * Renders the user data of every role of a cluster from its plan, the references Terraform
 * fills at deploy, and its Slurm files (`renderSlurmFiles`). Deterministic: the same input gives
 * the same text, so a synth changes no machine that did not change.
 *
 * Each text is plain YAML when it fits Nova's limit; when one would not, its files that hold no
 * reference and are larger than 1 KiB (mostly scripts) are written gzip+base64
 * (`encoding: gz+b64`). Throws when even that does not fit: the controller of an elastic
 * cluster, which also carries Slurm's programs, has room for a few dozen users.
 *
 * @example
 * const userData = renderClusterCloudInit(plan, refs, renderSlurmFiles(plan));
 * driver.createMachine(this, "Controller", { ..., userData: userData.controller });
 */
export function renderClusterCloudInit(
  plan: SlurmClusterPlan,
  refs: CloudRefs,
  files: SlurmFiles,
  options: {
    readonly metadataSource?: MetadataSource;
    /**
     * The admin's public key. Static nodes get it from the cloud's key pair; elastic nodes,
     * which Slurm creates without one, get it in their user data.
     */
    readonly adminPublicKey?: string;
    /**
     * Install drover-agent, which applies later changes in place (lib/slurm/bundle.ts), on
     * clouds whose drivers update instance metadata in place.
     */
    readonly agent?: boolean;
  } = {},
): ClusterCloudInit {
  const elastic = plan.partitions.some((p) => p.nodes.some((n) => n.elastic));
  if (elastic && !refs.elastic) throw new Error(`cluster ${plan.clusterName} has elastic nodes but no cloud references for them (refs.elastic)`);
  if (plan.sharedStorage.kind === "manila" && !refs.shares) throw new Error(`cluster ${plan.clusterName} uses Manila shares but has no share references (refs.shares)`);
  if (plan.accounting && !files.slurmdbdConf) throw new Error(`cluster ${plan.clusterName} keeps accounting but has no slurmdbd.conf`);

  const table = new RefTable();
  const r = new Renderer(plan, refs, files, table, options.metadataSource ?? "openstack", options.adminPublicKey, options.agent === true);
  const fit = (role: string, build: (compact: boolean) => string): string => {
    const plain = build(false);
    if (table.deployedBytes(plain) <= USER_DATA_MAX_BYTES) return plain;
    const compact = build(true);
    const bytes = table.deployedBytes(compact);
    if (bytes > USER_DATA_MAX_BYTES) {
      throw new Error(
        `the ${role} user data of cluster ${plan.clusterName} takes up to ${bytes} bytes, more than the ${USER_DATA_MAX_BYTES} OpenStack accepts: ` +
          `each of the ${plan.users.length} users takes about 350 bytes, so list fewer users (add the others on the machines) or fewer partitions`,
      );
    }
    return compact;
  };

  const compute = fit("compute", (compact) => r.document("compute", compact));
  // The elastic copy holds no reference (see sharePlaceholder), so the controller embeds it
  // compressed whole, as the text each elastic node receives once its placeholders are filled.
  const elasticCompute = elastic ? fit("elastic compute", (compact) => r.document("compute", compact, { elastic: true })) : undefined;
  if (elasticCompute !== undefined && HAS_REF.test(elasticCompute)) throw new Error("bug: the elastic compute user data holds a Terraform reference");
  const controller = fit("controller", (compact) => r.document("controller", compact, elasticCompute === undefined ? {} : { embedded: elasticCompute }));
  const login = plan.login ? fit("login", (compact) => r.document("login", compact)) : undefined;
  return {
    controller: table.finish(controller),
    ...(login !== undefined ? { login: table.finish(login) } : {}),
    compute: table.finish(compute),
    ...(elasticCompute !== undefined ? { elasticCompute: table.finish(elasticCompute) } : {}),
  };
}

class Renderer {
  /** Whether the plan has elastic nodes (created by Slurm on the controller). */
  private readonly elastic: boolean;

  constructor(
    private readonly plan: SlurmClusterPlan,
    private readonly refs: CloudRefs,
    private readonly files: SlurmFiles,
    private readonly table: RefTable,
    private readonly metadataSource: MetadataSource,
    private readonly adminPublicKey: string | undefined,
    private readonly agent: boolean,
  ) {
    this.elastic = plan.partitions.some((p) => p.nodes.some((n) => n.elastic));
  }

  /** One role's user data, with reference markers. */
  document(role: Role, compact: boolean, extra: { elastic?: boolean; embedded?: string } = {}): string {
    const { plan } = this;
    const elasticCopy = extra.elastic === true;
    // Elastic nodes read the bundle the controller republishes; every other machine its metadata.
    const agent = this.agent ? agentFiles(role, elasticCopy ? { file: PUBLISHED_BUNDLE } : "openstack") : undefined;
    const writeFiles = [...this.commonFiles(elasticCopy), ...this.roleFiles(role, extra.embedded), ...(agent?.files ?? [])];
    const mounts = this.mounts(role, elasticCopy);
    const doc: CloudConfig = {
      ssh_pwauth: false,
      disable_root: true,
      package_update: true,
      packages: this.packages(role),
      // The image's account keeps its home out of /home, which the cluster shares.
      user: {
        name: plan.adminUser,
        homedir: `${PATHS.adminHomeBase}/${plan.adminUser}`,
        ...(elasticCopy && this.adminPublicKey ? { ssh_authorized_keys: [this.adminPublicKey] } : {}),
      },
      ...(plan.users.length > 0
        ? {
            users: plan.users.map((u) => ({
              name: u.name,
              // The same UID (and group "users", GID 100 on every Debian and Ubuntu) on every node.
              uid: u.uid,
              primary_group: "users",
              shell: "/bin/bash",
              homedir: `${PATHS.home}/${u.name}`,
              lock_passwd: true,
              // The controller creates homes once /home is mounted (drover-slurm-shared).
              no_create_home: true,
            })),
          }
        : {}),
      bootcmd: [
        ["mkdir", "-p", PATHS.adminHomeBase],
        // Last, so its failure is the bootcmd module's.
        metadataGuardBootcmd(),
      ],
      write_files: compact ? writeFiles.map(compress) : writeFiles,
      ...(mounts.length > 0 ? { mounts } : {}),
      // The agent's timer first: its service waits for cloud-init's end (After=cloud-final), and
      // the role's program stays the last command, whose failure is cloud-init's.
      runcmd: [...(agent ? [agent.start] : []), [role === "controller" ? SLURM_FILES.controllerProgram : SLURM_FILES.nodeProgram]],
    };
    // The same header for static and elastic compute nodes: their user data differ only in values.
    const header = `#cloud-config\n# drover: Slurm ${role === "compute" ? "compute node" : role} of cluster ${plan.clusterName}\n`;
    return header + toYaml(doc);
  }

  private packages(role: Role): string[] {
    const { plan } = this;
    const storage = plan.sharedStorage;
    const client = storage.kind === "manila" && storage.protocol === "CEPHFS" ? "ceph-common" : "nfs-common";
    switch (role) {
      case "controller":
        return [
          "slurmctld",
          "slurm-client",
          "munge",
          storage.kind === "nfs" ? "nfs-kernel-server" : client,
          ...(this.elastic ? ["python3-openstackclient"] : []),
          ...(plan.accounting ? ["slurmdbd", "mariadb-server"] : []),
        ];
      case "login":
        return ["slurm-client", "munge", client];
      case "compute":
        return ["slurmd", "slurm-client", "munge", client, "libpam-slurm-adopt"];
    }
  }

  /** Files every role writes. */
  private commonFiles(elasticCopy: boolean): WriteFile[] {
    const { plan, files } = this;
    const out: WriteFile[] = [
      {
        path: SLURM_FILES.mungeKey,
        content: elasticCopy ? MUNGE_KEY_PLACEHOLDER : this.table.mark(this.refs.mungeKeyB64, MUNGE_KEY_B64_CHARS),
        encoding: "b64",
        owner: "munge:munge",
        permissions: "0400",
        defer: true,
      },
      { path: PATHS.slurmConf, content: files.slurmConf, permissions: "0644" },
      { path: PATHS.cgroupConf, content: files.cgroupConf, permissions: "0644" },
      ...(files.gresConf ? [{ path: PATHS.gresConf, content: files.gresConf, permissions: "0644" }] : []),
      { path: SLURM_FILES.sshdDropIn, content: renderTemplate("slurm/sshd-drover.conf", { keysDir: PATHS.authorizedKeysDir }), permissions: "0644" },
      ...plan.users.map((u) => ({ path: `${PATHS.authorizedKeysDir}/${u.name}`, content: u.publicKeys.map((k) => `${k}\n`).join(""), permissions: "0644" })),
      {
        path: SLURM_FILES.hostsProgram,
        content: renderTemplate("slurm/drover-slurm-hosts.sh", { slurmConf: PATHS.slurmConf, extraHosts: plan.login ? `${plan.login.address} ${plan.login.name}` : "" }, { shell: true }),
        permissions: "0755",
      },
      { path: SLURM_FILES.hostsUnit, content: readTemplate("slurm/drover-slurm-hosts.service"), permissions: "0644" },
    ];
    const storage = plan.sharedStorage;
    if (storage.kind === "manila" && storage.protocol === "CEPHFS") {
      for (const [name, share] of this.shares()) {
        if (!share.accessKey) throw new Error(`CephFS share "${name}" of cluster ${plan.clusterName} has no access key (refs.shares.${name}.accessKey)`);
        // Read by mount.ceph as root only.
        out.push({ path: cephSecretPath(name), content: elasticCopy ? sharePlaceholder("KEY", name) : this.table.mark(share.accessKey), permissions: "0600" });
      }
    }
    return out;
  }

  private roleFiles(role: Role, embedded: string | undefined): WriteFile[] {
    switch (role) {
      case "controller":
        return this.controllerFiles(embedded);
      case "login":
        return [this.nodeProgram("login")];
      case "compute":
        return [
          this.nodeProgram("compute"),
          { path: SLURM_FILES.pamProgram, content: renderTemplate("slurm/drover-slurm-pam.sh", { adminUser: plainValue("adminUser", this.plan.adminUser) }, { shell: true }), permissions: "0755" },
          { path: SLURM_FILES.waitProgram, content: renderTemplate("cloud-init/drover-wait-shared.sh", { paths: `${PATHS.home} ${PATHS.software}` }, { shell: true }), permissions: "0755" },
          ...(this.files.gresConf ? [{ path: SLURM_FILES.gpuWaitProgram, content: renderTemplate("slurm/drover-wait-gpus.sh", { gresConf: PATHS.gresConf, timeoutSeconds: "600" }, { shell: true }), permissions: "0755" }] : []),
          {
            path: "/etc/systemd/system/slurmd.service.d/drover.conf",
            content: renderTemplate("slurm/slurmd-drover.conf", {
              waitProgram: SLURM_FILES.waitProgram,
              // GPU nodes (the same user data on every compute node: the program finds its own).
              gpuComment: this.files.gresConf ? `\n# A node with GPUs also waits for them (${SLURM_FILES.gpuWaitProgram}), after the NVIDIA driver's own services.` : "",
              gpuAfter: this.files.gresConf ? " nvidia-persistenced.service" : "",
              gpuWait: this.files.gresConf ? `\nExecStartPre=${SLURM_FILES.gpuWaitProgram}` : "",
              // The configuration as it is now before slurmd starts: an elastic node boots from the
              // user data the controller was made with. "-": a failure leaves it to the timer.
              agentRun: this.agent ? `\nExecStartPre=-${AGENT_PATHS.boot}` : "",
            }),
            permissions: "0644",
            // After the packages: installing slurmd starts it, and this drop-in would hold the
            // package installation until /home is mounted, which this boot does only later.
            defer: true,
          },
        ];
    }
  }

  private nodeProgram(role: "login" | "compute"): WriteFile {
    const content = renderTemplate(
      "slurm/drover-slurm-node.sh",
      { role, slurmdSpool: PATHS.slurmdSpool, logDir: PATHS.logDir, automounts: `${PATHS.home} ${PATHS.software}` },
      { shell: true },
    );
    return { path: SLURM_FILES.nodeProgram, content, permissions: "0755" };
  }

  private controllerFiles(embedded: string | undefined): WriteFile[] {
    const { plan, files } = this;
    const storage = plan.sharedStorage;
    const out: WriteFile[] = [
      // The volumes of storage "nfs" are mounted by the same script as a VirtualMachine's; its
      // hook directory runs drover-slurm-shared once they are. Fresh volumes stay root's.
      { path: "/usr/local/sbin/drover-volumes", content: renderVolumesScript("root", this.metadataSource), permissions: "0755" },
      { path: "/etc/systemd/system/drover-volumes.service", content: readTemplate("cloud-init/drover-volumes.service"), permissions: "0644" },
      { path: "/etc/systemd/system/drover-volumes.timer", content: readTemplate("cloud-init/drover-volumes.timer"), permissions: "0644" },
      {
        path: SLURM_FILES.sharedHook,
        content: renderTemplate(
          "slurm/drover-slurm-shared.sh",
          { storage: storage.kind, cidr: plan.cidr, home: PATHS.home, software: PATHS.software, users: plan.users.map((u) => `${u.name}:${u.uid}`).join(" ") },
          { shell: true },
        ),
        permissions: "0755",
      },
      {
        path: "/etc/systemd/system/slurmctld.service.d/drover.conf",
        content: renderTemplate("slurm/slurmctld-drover.conf", { accountingUnits: plan.accounting ? " slurmdbd.service" : "", waitState: SLURM_FILES.stateWaitProgram }),
        permissions: "0644",
        // After the packages: installing slurmctld starts it, and this drop-in would hold the
        // installation until the state volume is mounted, which this boot does only later.
        defer: true,
      },
      { path: SLURM_FILES.stateWaitProgram, content: renderTemplate("cloud-init/drover-wait-shared.sh", { paths: PATHS.stateVolume }, { shell: true }), permissions: "0755" },
      {
        path: SLURM_FILES.controllerProgram,
        content: renderTemplate(
          "slurm/drover-slurm-controller.sh",
          {
            accounting: plan.accounting ? "yes" : "no",
            elastic: embedded !== undefined ? "yes" : "no",
            stateSave: PATHS.stateSave,
            logDir: PATHS.logDir,
            automounts: storage.kind === "manila" ? `${PATHS.home} ${PATHS.software}` : "",
            mungeCopy: ELASTIC_MUNGE_KEY_PATH,
            computeUserData: PATHS.computeUserData,
            shares: embedded !== undefined && storage.kind === "manila" ? `home:${PATHS.home} software:${PATHS.software}` : "",
          },
          { shell: true },
        ),
        permissions: "0755",
      },
    ];
    if (plan.accounting) out.push(...accountingFiles(plan, files));
    if (embedded !== undefined) out.push(...this.elasticFiles(embedded));
    return out;
  }

  /** What Slurm's ResumeProgram, SuspendProgram and the reconcile timer need on the controller. */
  private elasticFiles(embedded: string): WriteFile[] {
    const { plan } = this;
    const e = this.refs.elastic!;
    const env: Array<[string, string]> = [
      ["DROVER_CLUSTER", plainValue("clusterName", plan.clusterName)],
      ["DROVER_STACK", plainValue("stackName", plan.stackName)],
      ["OS_CLOUD", "drover"],
      ["DROVER_NETWORK_ID", this.table.mark(e.networkId)],
      ["DROVER_SUBNET_ID", this.table.mark(e.subnetId)],
      ["DROVER_SECURITY_GROUP_ID", this.table.mark(e.securityGroupId)],
      ["DROVER_IMAGE", plainValue("image", plan.image)],
      // No key pair: the admin's key is in the elastic nodes' user data instead (a key pair
      // belongs to the person who made it, and the credential may act for another).
      ["DROVER_KEY_NAME", ""],
      ["DROVER_NODE_TABLE", NODE_TABLE_PATH],
      ["DROVER_COMPUTE_USER_DATA", PATHS.computeUserData],
      ["DROVER_MUNGE_KEY_FILE", ELASTIC_MUNGE_KEY_PATH],
    ];
    const clouds = {
      clouds: {
        drover: {
          auth_type: "v3applicationcredential",
          auth: {
            auth_url: this.table.mark(e.authUrl),
            application_credential_id: this.table.mark(e.applicationCredentialId),
            application_credential_secret: this.table.mark(e.applicationCredentialSecret),
          },
          region_name: this.table.mark(e.region),
          interface: "public",
          identity_api_version: 3,
        },
      },
    };
    for (const p of plan.partitions) if (p.nodes.some((n) => n.elastic)) plainValue("flavor", p.flavor.name);
    const script = (path: string, template: string): WriteFile => ({ path, content: readTemplate(template), permissions: "0755" });
    return [
      { path: PATHS.cloudEnv, content: env.map(([k, v]) => `${k}=${v}\n`).join(""), permissions: "0644" },
      // The application credential: the slurm user (ResumeProgram, SuspendProgram) alone reads it.
      { path: PATHS.cloudsYaml, content: toYaml(clouds), owner: "slurm:slurm", permissions: "0400", defer: true },
      { path: NODE_HOSTLISTS_PATH, content: elasticHostlists(plan), permissions: "0644" },
      { path: SLURM_FILES.nodeTableProgram, content: renderTemplate("slurm/drover-slurm-node-table.sh", { source: NODE_HOSTLISTS_PATH, table: NODE_TABLE_PATH }, { shell: true }), permissions: "0755" },
      // Holds the munge key placeholder only; still the slurm user's alone (it names the shares).
      { path: PATHS.computeUserData, content: gzipBase64(embedded), encoding: "gz+b64", owner: "slurm:slurm", permissions: "0400", defer: true },
      { path: SLURM_FILES.elasticLib, content: readTemplate("slurm/drover-elastic-lib.sh"), permissions: "0644" },
      script(PATHS.resumeProgram, "slurm/drover-slurm-resume.sh"),
      script(PATHS.suspendProgram, "slurm/drover-slurm-suspend.sh"),
      script(PATHS.resumeFailProgram, "slurm/drover-slurm-resume-fail.sh"),
      script(SLURM_FILES.reconcileProgram, "slurm/drover-slurm-reconcile.sh"),
      { path: "/etc/systemd/system/drover-slurm-reconcile.service", content: readTemplate("slurm/drover-slurm-reconcile.service"), permissions: "0644" },
      { path: "/etc/systemd/system/drover-slurm-reconcile.timer", content: readTemplate("slurm/drover-slurm-reconcile.timer"), permissions: "0644" },
      { path: SLURM_FILES.elasticLogrotate, content: readTemplate("slurm/logrotate-drover-elastic"), permissions: "0644" },
    ];
  }

  private shares(): Array<["home" | "software", { exportPath: string; accessTo?: string; accessKey?: string }]> {
    const s = this.refs.shares!;
    return [
      ["home", s.home],
      ["software", s.software],
    ];
  }

  /** fstab entries cloud-init adds: the shared trees, for every role that mounts them. */
  private mounts(role: Role, elasticCopy: boolean): string[][] {
    const { plan } = this;
    const storage = plan.sharedStorage;
    const where = { home: PATHS.home, software: PATHS.software };
    if (storage.kind === "nfs") {
      // The controller serves them from its own volumes.
      if (role === "controller") return [];
      return (["home", "software"] as const).map((name) => [`${plan.controller.address}:${where[name]}`, where[name], "nfs", SHARED_MOUNT_OPTIONS, "0", "0"]);
    }
    return this.shares().map(([name, share]) => {
      const path = elasticCopy ? sharePlaceholder("PATH", name) : this.table.mark(share.exportPath, SHARE_PATH_CHARS);
      if (storage.protocol === "NFS") return [path, where[name], "nfs", SHARED_MOUNT_OPTIONS, "0", "0"];
      if (!share.accessTo) throw new Error(`CephFS share "${name}" of cluster ${plan.clusterName} has no access name (refs.shares.${name}.accessTo)`);
      const access = share.accessTo.includes("${") ? this.table.mark(share.accessTo) : plainValue(`shares.${name}.accessTo`, share.accessTo);
      return [path, where[name], "ceph", `name=${access},secretfile=${cephSecretPath(name)},${SHARED_MOUNT_OPTIONS}`, "0", "0"];
    });
  }
}

/** Accounting's files on the controller: slurmdbd.conf (with a password placeholder), its drop-in and its setup program. */
export function accountingFiles(plan: SlurmClusterPlan, files: SlurmFiles): Array<{ path: string; content: string; owner?: string; permissions: string; defer?: boolean }> {
  if (!files.slurmdbdConf) throw new Error(`cluster ${plan.clusterName} keeps accounting but has no slurmdbd.conf`);
  return [
    // The password placeholder is filled at first boot by drover-slurmdbd-setup.
    { path: PATHS.slurmdbdConf, content: files.slurmdbdConf, owner: "slurm:slurm", permissions: "0600", defer: true },
    { path: SLURMDBD_DROP_IN, content: readTemplate("slurm/slurmdbd-drover.conf"), permissions: "0644" },
    {
      path: SLURM_FILES.dbdSetupProgram,
      content: renderTemplate("slurm/drover-slurmdbd-setup.sh", { slurmdbdConf: PATHS.slurmdbdConf, placeholder: SLURMDBD_PASSWORD_PLACEHOLDER, clusterName: plan.clusterName }, { shell: true }),
      permissions: "0755",
    },
  ];
}

const SLURMDBD_DROP_IN = "/etc/systemd/system/slurmdbd.service.d/drover.conf";

/** The elastic nodes' table source: one line per run of nodes (`names\taddresses\tflavor\tpartition`). */
export function elasticHostlists(plan: SlurmClusterPlan): string {
  const runs: string[] = [];
  for (const p of plan.partitions) {
    for (const h of hostlistPairs(p.nodes.filter((n) => n.elastic))) runs.push(`${h.names}\t${h.addresses}\t${p.flavor.name}\t${p.name}\n`);
  }
  return runs.join("");
}

const cephSecretPath = (share: string) => `/etc/ceph/drover-${share}.secret`;

/**
 * Stands for a share's export path or CephFS key in the elastic compute user data: the
 * controller keeps that copy compressed, where Terraform cannot put values, so the controller
 * fills these from its own mounts and keys at first boot (drover-slurm-controller).
 */
export const sharePlaceholder = (what: "PATH" | "KEY", share: "home" | "software") => `@@DROVER_SHARE_${what}_${share.toUpperCase()}@@`;

/** A value from the plan written into a KEY=value line or mount options: no blanks, quotes or shell syntax. */
function plainValue(what: string, value: string): string {
  if (!/^[A-Za-z0-9_.:/@+,=-]+$/.test(value)) throw new Error(`${what} ${JSON.stringify(value)} cannot be written into the cluster's configuration: use letters, digits and . _ - only`);
  return value;
}

/**
 * A ref-free file above COMPRESS_ABOVE_BYTES, gzip+base64 (deterministic: no time stamp in the
 * header). A program loses the comment block under its first line on the way: it explains the
 * program to a reader of templates/ (and of the rendered files), not to the machine.
 */
function compress(file: WriteFile): WriteFile {
  if (file.encoding !== undefined || HAS_REF.test(file.content) || Buffer.byteLength(file.content) <= COMPRESS_ABOVE_BYTES) return file;
  return { ...file, content: gzipBase64(withoutHeaderComment(file.content)), encoding: "gz+b64" };
}

/** A program's text without the comment lines right after its `#!` line. */
export function withoutHeaderComment(text: string): string {
  if (!text.startsWith("#!")) return text;
  const lines = text.split("\n");
  let end = 1;
  while (end < lines.length && lines[end]!.startsWith("#")) end++;
  return [lines[0], ...lines.slice(end)].join("\n");
}


/**
 * YAML text of a document. A one-line string holding a reference or a placeholder is
 * double-quoted, so the value put there later (a path with colons and commas, a base64 key)
 * stays one scalar.
 */
function toYaml(doc: object): string {
  const Y = yaml();
  const document = new Y.Document(doc);
  Y.visit(document, {
    Scalar(_, node) {
      if (typeof node.value === "string" && !node.value.includes("\n") && VALUE_SLOT.test(node.value)) node.type = "QUOTE_DOUBLE";
    },
    Seq(_, node, path) {
      // Commands and fstab entries on one line each, unless one holds a script.
      const parent = path.at(-1);
      if (!Y.isPair(parent) || !Y.isScalar(parent.key) || !["bootcmd", "runcmd", "mounts"].includes(String(parent.key.value))) return;
      for (const item of node.items) {
        if (Y.isSeq(item) && item.items.every((i) => Y.isScalar(i) && !String(i.value).includes("\n"))) item.flow = true;
      }
    },
  });
  return document.toString({ lineWidth: 0, blockQuote: "literal" });
}
