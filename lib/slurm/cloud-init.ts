import { agentFiles } from "../agent/bundle.ts";
import { metadataGuardBootcmd, USER_DATA_MAX_BYTES, type MetadataSource } from "../cloud-init.ts";
import { readTemplate, renderTemplate } from "../templates.ts";
import type { SlurmFiles } from "./conf.ts";
import {
  cephSecretPath,
  compress,
  HAS_REF,
  MUNGE_KEY_B64_CHARS,
  plainValue,
  PUBLISHED_BUNDLE,
  RefTable,
  SHARE_PATH_CHARS,
  sharePlaceholder,
  shares,
  SLURM_FILES,
  toYaml,
  type RenderContext,
  type Role,
  type WriteFile,
} from "./cloud-init-base.ts";
import { controllerFiles } from "./cloud-init-controller.ts";
import { computeFiles, nodeProgram } from "./cloud-init-nodes.ts";
import { MUNGE_KEY_PLACEHOLDER, PATHS, type CloudRefs, type SlurmClusterPlan } from "./model.ts";

export { ELASTIC_MUNGE_KEY_PATH, NODE_HOSTLISTS_PATH, NODE_TABLE_PATH, PUBLISHED_BUNDLE, SLURM_FILES, sharePlaceholder, withoutHeaderComment } from "./cloud-init-base.ts";
export { accountingFiles } from "./cloud-init-accounting.ts";
export { elasticHostlists } from "./cloud-init-elastic.ts";

/**
 * The cloud-init user data of each role of a Slurm cluster: controller, login node, compute
 * nodes. Each is a `#cloud-config` document built as a typed object and written with `yaml()`;
 * the first-boot logic lives in shell scripts under `templates/slurm/`. What every role shares is in
 * cloud-init-base.ts; each role's own files in cloud-init-controller.ts (with cloud-init-elastic.ts
 * and cloud-init-accounting.ts) and cloud-init-nodes.ts.
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
  const ctx: RenderContext = { plan, refs, files, table, metadataSource: options.metadataSource ?? "openstack", adminPublicKey: options.adminPublicKey, agent: options.agent === true, elastic };
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

  const compute = fit("compute", (compact) => renderDocument(ctx, "compute", compact));
  // The elastic copy holds no reference (see sharePlaceholder), so the controller embeds it
  // compressed whole, as the text each elastic node receives once its placeholders are filled.
  const elasticCompute = elastic ? fit("elastic compute", (compact) => renderDocument(ctx, "compute", compact, { elastic: true })) : undefined;
  if (elasticCompute !== undefined && HAS_REF.test(elasticCompute)) throw new Error("bug: the elastic compute user data holds a Terraform reference");
  const controller = fit("controller", (compact) => renderDocument(ctx, "controller", compact, elasticCompute === undefined ? {} : { embedded: elasticCompute }));
  const login = plan.login ? fit("login", (compact) => renderDocument(ctx, "login", compact)) : undefined;
  return {
    controller: table.finish(controller),
    ...(login !== undefined ? { login: table.finish(login) } : {}),
    compute: table.finish(compute),
    ...(elasticCompute !== undefined ? { elasticCompute: table.finish(elasticCompute) } : {}),
  };
}

/** One role's user data, with reference markers. */
function renderDocument(ctx: RenderContext, role: Role, compact: boolean, extra: { elastic?: boolean; embedded?: string } = {}): string {
  const { plan } = ctx;
  const elasticCopy = extra.elastic === true;
  // Elastic nodes read the bundle the controller republishes; every other machine its metadata.
  const agent = ctx.agent ? agentFiles(role, elasticCopy ? { file: PUBLISHED_BUNDLE } : "openstack") : undefined;
  const writeFiles = [...commonFiles(ctx, elasticCopy), ...roleFiles(ctx, role, extra.embedded), ...(agent?.files ?? [])];
  const mounts = sharedMounts(ctx, role, elasticCopy);
  const doc: CloudConfig = {
    ssh_pwauth: false,
    disable_root: true,
    package_update: true,
    packages: packages(ctx, role),
    // The image's account keeps its home out of /home, which the cluster shares.
    user: {
      name: plan.adminUser,
      homedir: `${PATHS.adminHomeBase}/${plan.adminUser}`,
      ...(elasticCopy && ctx.adminPublicKey ? { ssh_authorized_keys: [ctx.adminPublicKey] } : {}),
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

/** The role's packages. */
function packages(ctx: RenderContext, role: Role): string[] {
  const { plan } = ctx;
  const storage = plan.sharedStorage;
  const client = storage.kind === "manila" && storage.protocol === "CEPHFS" ? "ceph-common" : "nfs-common";
  switch (role) {
    case "controller":
      return [
        "slurmctld",
        "slurm-client",
        "munge",
        storage.kind === "nfs" ? "nfs-kernel-server" : client,
        ...(ctx.elastic ? ["python3-openstackclient"] : []),
        ...(plan.accounting ? ["slurmdbd", "mariadb-server"] : []),
      ];
    case "login":
      return ["slurm-client", "munge", client];
    case "compute":
      return ["slurmd", "slurm-client", "munge", client, "libpam-slurm-adopt"];
  }
}

/** Files every role writes. */
function commonFiles(ctx: RenderContext, elasticCopy: boolean): WriteFile[] {
  const { plan, files } = ctx;
  const out: WriteFile[] = [
    {
      path: SLURM_FILES.mungeKey,
      content: elasticCopy ? MUNGE_KEY_PLACEHOLDER : ctx.table.mark(ctx.refs.mungeKeyB64, MUNGE_KEY_B64_CHARS),
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
    for (const [name, share] of shares(ctx.refs)) {
      if (!share.accessKey) throw new Error(`CephFS share "${name}" of cluster ${plan.clusterName} has no access key (refs.shares.${name}.accessKey)`);
      // Read by mount.ceph as root only.
      out.push({ path: cephSecretPath(name), content: elasticCopy ? sharePlaceholder("KEY", name) : ctx.table.mark(share.accessKey), permissions: "0600" });
    }
  }
  return out;
}

/** The role's own files: lib/slurm/cloud-init-controller.ts, lib/slurm/cloud-init-nodes.ts. */
function roleFiles(ctx: RenderContext, role: Role, embedded: string | undefined): WriteFile[] {
  switch (role) {
    case "controller":
      return controllerFiles(ctx, embedded);
    case "login":
      return [nodeProgram("login")];
    case "compute":
      return computeFiles(ctx);
  }
}

/** fstab entries cloud-init adds: the shared trees, for every role that mounts them. */
function sharedMounts(ctx: RenderContext, role: Role, elasticCopy: boolean): string[][] {
  const { plan } = ctx;
  const storage = plan.sharedStorage;
  const where = { home: PATHS.home, software: PATHS.software };
  if (storage.kind === "nfs") {
    // The controller serves them from its own volumes.
    if (role === "controller") return [];
    return (["home", "software"] as const).map((name) => [`${plan.controller.address}:${where[name]}`, where[name], "nfs", SHARED_MOUNT_OPTIONS, "0", "0"]);
  }
  return shares(ctx.refs).map(([name, share]) => {
    const path = elasticCopy ? sharePlaceholder("PATH", name) : ctx.table.mark(share.exportPath, SHARE_PATH_CHARS);
    if (storage.protocol === "NFS") return [path, where[name], "nfs", SHARED_MOUNT_OPTIONS, "0", "0"];
    if (!share.accessTo) throw new Error(`CephFS share "${name}" of cluster ${plan.clusterName} has no access name (refs.shares.${name}.accessTo)`);
    const access = share.accessTo.includes("${") ? ctx.table.mark(share.accessTo) : plainValue(`shares.${name}.accessTo`, share.accessTo);
    return [path, where[name], "ceph", `name=${access},secretfile=${cephSecretPath(name)},${SHARED_MOUNT_OPTIONS}`, "0", "0"];
  });
}
