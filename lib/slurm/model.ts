import type { Flavor } from "../catalog/flavors.ts";

/**
 * A virtual Slurm cluster as the renderers see it: every name, address and size decided, all
 * plain data. `planCluster` (plan.ts) builds it from the construct's props; slurm.conf
 * (conf.ts), the cloud-init of each role (cloud-init.ts) and the summary read it. Nothing here
 * knows about cdktf or a cloud; values the cloud decides at deploy time (IDs, secrets) reach the
 * renderers as opaque strings (Terraform references) in `CloudRefs`.
 */

/** One compute node: static (a Terraform resource) or elastic (created by Slurm's ResumeProgram). */
export interface SlurmNode {
  /** Hostname and Slurm NodeName: `<stack>-<partition>-<n>`, n from 1. */
  readonly name: string;
  /** Fixed private IPv4 address (the node's port is created with it). */
  readonly address: string;
  readonly elastic: boolean;
}

export interface SlurmPartition {
  /** Slurm PartitionName; lower-case letters, digits, '-' and '_'. */
  readonly name: string;
  readonly flavor: Flavor;
  /** Slurm's default partition (exactly one per cluster). */
  readonly isDefault: boolean;
  /** Static nodes first, then elastic ones; `nodes.length` is the partition's maximum size. */
  readonly nodes: readonly SlurmNode[];
  /** Minutes an elastic node may sit idle before Slurm powers it down (deletes it); undefined without elastic nodes. */
  readonly idleMinutes?: number;
  /** CPUs Slurm may schedule on each node (the flavor's vCPUs). */
  readonly cpusPerNode: number;
  /** RealMemory in MiB: the flavor's memory minus the reserve (see `realMemoryMiB`). */
  readonly realMemoryMiB: number;
  /** GPUs (Gres gpu count) per node; 0 for a CPU partition. */
  readonly gpusPerNode: number;
}

export interface SlurmHost {
  /** Hostname (also the cloud machine's name). */
  readonly name: string;
  readonly address: string;
  readonly flavor: Flavor;
}

/** A cluster account, the same on every node. */
export interface SlurmUser {
  readonly name: string;
  /** Same number on every node: the user's `uid`, or one from the name alone (`defaultUid`). */
  readonly uid: number;
  /** OpenSSH public key lines. */
  readonly publicKeys: readonly string[];
}

export type SharedStorage =
  | {
      /** `/home` and `/opt/software` on volumes attached to the controller, exported over NFS to the cluster subnet. */
      readonly kind: "nfs";
      readonly homeGiB: number;
      readonly softwareGiB: number;
    }
  | {
      /** Two Manila shares (home, software), mounted by every node. */
      readonly kind: "manila";
      readonly protocol: "NFS" | "CEPHFS";
      readonly homeGiB: number;
      readonly softwareGiB: number;
    };

export interface SlurmClusterPlan {
  /** Slurm ClusterName: lower-case letters, digits and '_' (`<stack>_<id>`). */
  readonly clusterName: string;
  /** `<stack>-<id>`: prefix of the cluster's own resources (controller, network, shares). */
  readonly baseName: string;
  /** The stack's name: elastic nodes are tagged with it and named `<stack>-<partition>-<n>`. */
  readonly stackName: string;
  /** The cluster subnet (CIDR text), e.g. "10.42.0.0/16". */
  readonly cidr: string;
  readonly controller: SlurmHost;
  /** Undefined when the controller is also the login node. */
  readonly login?: SlurmHost;
  readonly partitions: readonly SlurmPartition[];
  /** slurmdbd and MariaDB on the controller. */
  readonly accounting: boolean;
  readonly sharedStorage: SharedStorage;
  readonly users: readonly SlurmUser[];
  /** The image's login account (kept out of /home, which is shared). */
  readonly adminUser: string;
  /** Image name every node boots. */
  readonly image: string;
  /** Seconds Slurm waits for an elastic node to boot and register before marking it down. */
  readonly resumeTimeoutSeconds: number;
  /** Seconds Slurm allows for an elastic node's deletion. */
  readonly suspendTimeoutSeconds: number;
}

/**
 * Values known only at deploy time, as Terraform references (`${...}`) the renderers paste in
 * verbatim. Rendered files show the references, never the values.
 */
export interface CloudRefs {
  /** The munge key, base64-encoded (sensitive). */
  readonly mungeKeyB64: string;
  /** Elastic nodes only (undefined when the cluster has none): what ResumeProgram needs. */
  readonly elastic?: {
    readonly authUrl: string;
    readonly region: string;
    readonly applicationCredentialId: string;
    /** Sensitive. */
    readonly applicationCredentialSecret: string;
    readonly networkId: string;
    readonly subnetId: string;
    readonly securityGroupId: string;
  };
  /** Manila only: each share's export path, and for CephFS the access name and key (sensitive). */
  readonly shares?: {
    readonly home: { readonly exportPath: string; readonly accessTo?: string; readonly accessKey?: string };
    readonly software: { readonly exportPath: string; readonly accessTo?: string; readonly accessKey?: string };
  };
}

/** Where things live on the nodes (Debian/Ubuntu Slurm packages). */
export const PATHS = {
  slurmConf: "/etc/slurm/slurm.conf",
  cgroupConf: "/etc/slurm/cgroup.conf",
  gresConf: "/etc/slurm/gres.conf",
  slurmdbdConf: "/etc/slurm/slurmdbd.conf",
  /** The controller's state volume (protected): what a rebuilt controller takes over. */
  stateVolume: "/var/lib/drover-state",
  /** slurmctld's StateSaveLocation, on the state volume: queued and running jobs survive a rebuild. */
  stateSave: "/var/lib/drover-state/slurmctld",
  slurmdSpool: "/var/lib/slurm/slurmd",
  logDir: "/var/log/slurm",
  resumeProgram: "/usr/local/sbin/drover-slurm-resume",
  suspendProgram: "/usr/local/sbin/drover-slurm-suspend",
  resumeFailProgram: "/usr/local/sbin/drover-slurm-resume-fail",
  /** Environment for the resume/suspend programs: IDs of network, subnet, security group, image. */
  cloudEnv: "/etc/drover/slurm-cloud.env",
  /** clouds.yaml with the application credential (0400, owned by slurm). */
  cloudsYaml: "/etc/openstack/clouds.yaml",
  /** The compute role's user data, with a placeholder for the munge key, for elastic nodes. */
  computeUserData: "/etc/drover/compute-user-data.yaml",
  home: "/home",
  software: "/opt/software",
  /** The image's login account lives here, not in the shared /home. */
  adminHomeBase: "/var/lib/drover-admin",
  /** Per-user authorized keys, local to each node (independent of the shared /home). */
  authorizedKeysDir: "/etc/ssh/drover-authorized-keys",
} as const;

/** The placeholder ResumeProgram replaces with the munge key (base64) in `computeUserData`. */
export const MUNGE_KEY_PLACEHOLDER = "@@DROVER_MUNGE_KEY_B64@@";
