import { gzipBase64, type MetadataSource } from "../cloud-init.ts";
import { yaml } from "../vendor.ts";
import type { SlurmFiles } from "./conf.ts";
import { PATHS, type CloudRefs, type SlurmClusterPlan } from "./model.ts";

/**
 * What every role's user data (lib/slurm/cloud-init.ts) is built from: where drover's files land
 * on the nodes, the table of deploy-time references, the YAML writer, and the compression that
 * makes a large user data fit.
 */

/** The elastic nodes' table on the controller: `name\taddress\tflavor\tpartition`, one line per elastic node. */
export const NODE_TABLE_PATH = "/etc/drover/slurm-nodes.tsv";
/** Its source in the user data: the same as hostlists, one line per run of nodes, expanded at first boot. */
export const NODE_HOSTLISTS_PATH = "/etc/drover/slurm-nodes.hostlists";
/** Where the controller republishes the configuration bundle for elastic nodes (no metadata of their own from Terraform). */
export const PUBLISHED_BUNDLE = `${PATHS.software}/.drover/slurm-bundle.json`;
/** The munge key copy the elastic-node programs (which run as slurm) read. */
export const ELASTIC_MUNGE_KEY_PATH = "/etc/drover/munge.key";

export type Role = "controller" | "login" | "compute";

export interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  owner?: string;
  encoding?: "b64" | "gz+b64";
  /** Written after the packages are installed (their users, e.g. munge and slurm, exist then). */
  defer?: boolean;
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

/** Deployed length allowed for a reference's value when the size of the user data is checked. */
export const MUNGE_KEY_B64_CHARS = 1368; // a 1,024-byte key (constructs/private/random.ts), base64
export const SHARE_PATH_CHARS = 512; // several monitor addresses and a path
const OTHER_REF_CHARS = 255;

/** A ref-free file above this size is compressed when a user data must shrink to fit. */
const COMPRESS_ABOVE_BYTES = 512;

const REF_MARK = /@@DROVER_REF_(\d+)@@/g;
/** A reference marker, or a placeholder filled on the machine (munge key, share path and key). */
const VALUE_SLOT = /@@DROVER_[A-Z0-9_]+@@/;
export const HAS_REF = /@@DROVER_REF_\d+@@/;

/**
 * Deploy-time values stand in the documents as markers while they are built (a marker is plain
 * text for YAML and gzip alike) and become the references in `finish`.
 */
export class RefTable {
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

/** What the renderers of every role read: the plan, its references and Slurm files, and the options. */
export interface RenderContext {
  readonly plan: SlurmClusterPlan;
  readonly refs: CloudRefs;
  readonly files: SlurmFiles;
  readonly table: RefTable;
  readonly metadataSource: MetadataSource;
  /** The admin's public key, for the elastic nodes' user data. */
  readonly adminPublicKey: string | undefined;
  /** Whether drover-agent is installed. */
  readonly agent: boolean;
  /** Whether the plan has elastic nodes (created by Slurm on the controller). */
  readonly elastic: boolean;
}

/** Where a CephFS share's key is kept for mount.ceph (its secretfile option). */
export const cephSecretPath = (share: string) => `/etc/ceph/drover-${share}.secret`;

/**
 * Stands for a share's export path or CephFS key in the elastic compute user data: the
 * controller keeps that copy compressed, where Terraform cannot put values, so the controller
 * fills these from its own mounts and keys at first boot (drover-slurm-controller).
 */
export const sharePlaceholder = (what: "PATH" | "KEY", share: "home" | "software") => `@@DROVER_SHARE_${what}_${share.toUpperCase()}@@`;

/** A value from the plan written into a KEY=value line or mount options: no blanks, quotes or shell syntax. */
export function plainValue(what: string, value: string): string {
  if (!/^[A-Za-z0-9_.:/@+,=-]+$/.test(value)) throw new Error(`${what} ${JSON.stringify(value)} cannot be written into the cluster's configuration: use letters, digits and . _ - only`);
  return value;
}

/** The Manila shares' references, home first. */
export function shares(refs: CloudRefs): Array<["home" | "software", { exportPath: string; accessTo?: string; accessKey?: string }]> {
  const s = refs.shares!;
  return [
    ["home", s.home],
    ["software", s.software],
  ];
}

/**
 * A ref-free file above COMPRESS_ABOVE_BYTES, gzip+base64 (deterministic: no time stamp in the
 * header). A program loses the comment block under its first line on the way: it explains the
 * program to a reader of templates/ (and of the rendered files), not to the machine.
 */
export function compress(file: WriteFile): WriteFile {
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
export function toYaml(doc: object): string {
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
