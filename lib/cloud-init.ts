import type { CloudKind } from "./clouds/index.ts";
import { OPENSTACK } from "./clouds/openstack/facts.ts";
import { yaml } from "./vendor.ts";
import { agentFiles, onceSteps, type Bundle } from "./agent/bundle.ts";
import { readTemplate, renderTemplate } from "./templates.ts";

/**
 * Cloud-init user data for drover machines, built as a typed object and written as YAML (never
 * by string pasting, so the output is always valid YAML). `cloud-init schema` checks it in tests.
 */

/**
 * Where a machine reads its metadata: OpenStack's metadata service, EC2's or Azure's instance
 * tags, GCP's instance attributes (each cloud's `metadataSource` in lib/clouds).
 */
export type MetadataSource = CloudKind;

export interface MachineCloudInit {
  /** The image's login account; owns freshly formatted volumes. */
  readonly loginUser: string;
  /** Extra distribution packages to install at first boot. */
  readonly packages?: readonly string[];
  /** Shell commands run once at the end of first boot, in order. */
  readonly commands?: readonly string[];
  /** Where the machine finds the list of its volumes. */
  readonly metadataSource: MetadataSource;
  /** Written as a comment on top, e.g. the construct path. */
  readonly comment?: string;
  /**
   * Install drover-agent, which applies packages and commands added later, in place (the
   * construct puts them in the machine's configuration bundle, `machineBundle`).
   */
  readonly agent?: boolean;
}

/**
 * The most user data OpenStack accepts (49,149 bytes, lib/clouds/openstack/facts.ts): the
 * clusters' renderers keep every role under it, the tightest limit of the clouds drover checks.
 */
export const USER_DATA_MAX_BYTES: number = OPENSTACK.userDataMaxBytes;

export { gzipBase64 } from "./gzip.ts";

/**
 * The bootcmd entry every drover role with secrets in its user data starts with: only root may
 * reach the metadata service (templates/cloud-init/drover-metadata-guard.sh, run inline because
 * bootcmd runs before write_files).
 */
export function metadataGuardBootcmd(): string[] {
  return ["bash", "-c", readTemplate("cloud-init/drover-metadata-guard.sh"), "drover-metadata-guard"];
}

/** Where GCP and Azure machines find a disk by the ID `list_volumes` prints (see the snippets). */
const MORE_DEVICES: Partial<Record<MetadataSource, string>> = {
  gcp: ' /dev/disk/by-id/google-"${id}"',
  azure: ' /dev/disk/azure/scsi1/"${id}"',
};

/**
 * The volume service's script (templates/cloud-init/drover-volumes.sh) for machines of `owner`
 * on a cloud. The script knows OpenStack's and EC2's metadata; for GCP and Azure the branch of
 * `list_volumes` and the device path come from a snippet each, so the script of machines on
 * the first two clouds stays byte for byte what it was (new user data would replace them).
 */
export function renderVolumesScript(owner: string, source: MetadataSource): string {
  const script = renderTemplate("cloud-init/drover-volumes.sh", { owner, metadataSource: source }, { shell: true });
  const devices = MORE_DEVICES[source];
  if (devices === undefined) return script;
  const branch = readTemplate(`cloud-init/drover-volumes-${source}.snippet`).replace(/^#.*\n/, "");
  const fallback = '    *)\n      log "unknown metadata source';
  const deviceList = '_"${id/-/}"; do';
  if (!script.includes(fallback) || !script.includes(deviceList)) throw new Error("templates/cloud-init/drover-volumes.sh lost the places the GCP and Azure snippets go");
  return script.replace(fallback, () => branch + fallback).replace(deviceList, () => `_"\${id/-/}"${devices}; do`);
}

/** Bodies already rendered: machines of one kind share everything but the comment line. */
const bodies = new Map<string, string>();

export function renderMachineCloudInit(input: MachineCloudInit): string {
  const header = ["#cloud-config", ...(input.comment ? [`# ${input.comment}`] : [])].join("\n");
  const key = JSON.stringify([input.loginUser, input.metadataSource, input.packages ?? [], input.commands ?? [], input.agent === true]);
  let body = bodies.get(key);
  if (body === undefined) {
    body = renderBody(input);
    bodies.set(key, body);
  }
  return `${header}\n${body}`;
}

function renderBody(input: MachineCloudInit): string {
  const agent = input.agent ? agentFiles("machine", "openstack", { doneOnce: onceSteps(input.commands ?? []).map((s) => s.id) }) : undefined;
  const doc = {
    // Safe defaults: keys only, no root login over SSH.
    ssh_pwauth: false,
    disable_root: true,
    package_update: true,
    ...(input.packages && input.packages.length > 0 ? { packages: [...input.packages] } : {}),
    write_files: [
      {
        path: "/usr/local/sbin/drover-volumes",
        permissions: "0755",
        content: renderVolumesScript(input.loginUser, input.metadataSource),
      },
      { path: "/etc/systemd/system/drover-volumes.service", permissions: "0644", content: readTemplate("cloud-init/drover-volumes.service") },
      { path: "/etc/systemd/system/drover-volumes.timer", permissions: "0644", content: readTemplate("cloud-init/drover-volumes.timer") },
      ...(agent ? agent.files : []),
    ],
    runcmd: [
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "drover-volumes.timer"],
      // Before the person's commands, so the last one's failure stays cloud-init's; the agent's
      // service waits for cloud-init's end (After=cloud-final).
      ...(agent ? [agent.start] : []),
      ...(input.commands ?? []),
    ],
  };
  return yaml().stringify(doc, { lineWidth: 0, blockQuote: "literal" });
}

/**
 * What of a VirtualMachine may change while it runs: its packages (installed when missing) and
 * its boot commands (one added later runs once; the first boot's do not run again).
 */
export function machineBundle(input: MachineCloudInit, construct: string): Bundle {
  return {
    construct,
    packages: (input.packages ?? []).map((name) => ({ name })),
    once: onceSteps(input.commands ?? []),
  };
}
