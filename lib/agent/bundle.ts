import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { gzipBase64 } from "../gzip.ts";
import { readTemplate } from "../templates.ts";
import { tokensIn } from "../terraform/text.ts";

/**
 * Day 2: what may change on a running machine travels as a *configuration bundle*, applied in
 * place by `drover-agent` (templates/agent/drover-agent.py) on each machine; the user data only
 * bootstraps a machine and its changes rebuild nothing (the drivers ignore them after creation).
 *
 * A bundle is JSON, gzip+base64, split into instance metadata items, which OpenStack updates in
 * place: `drover_cfg` = "<chunks>:<sha256 of the payload>", `drover_cfg_00`, `drover_cfg_01`, …
 * (Nova's limit is 255 characters a value). It is not secret (anyone in the project reads
 * instance metadata): secrets stay in the user data, written once to `/etc/drover/secrets/`, and
 * a bundle's text names them as `secretSlot(name)`. Values only Terraform knows (another
 * machine's address) travel as their own metadata items, `drover_ref_<n>`, and the text names
 * them as slots too: the payload stays a constant Terraform can hash.
 */

/** A file the agent keeps as given (written atomically when it differs; removed when dropped). */
export interface BundleFile {
  readonly path: string;
  readonly content: string;
  /** @default "0644" */
  readonly mode?: string;
  /** @default "root:root" */
  readonly owner?: string;
  /** Roles that get it. @default - every role */
  readonly roles?: readonly string[];
  /** Written only when missing (the machine fills it in, say a password, and keeps it). */
  readonly initial?: boolean;
}

/** An account the agent keeps (created when missing; removed when dropped, its home kept). */
export interface BundleUser {
  readonly name: string;
  readonly uid: number;
  readonly home: string;
  /** @default "users" */
  readonly group?: string;
  /** @default "/bin/bash" */
  readonly shell?: string;
}

/** Commands run after a change to any of `on` (a file path, or "@users", "@packages"). */
export interface BundleHook {
  readonly on: readonly string[];
  readonly run: ReadonlyArray<readonly string[]>;
  /** @default - every role */
  readonly roles?: readonly string[];
}

export interface Bundle {
  /** The construct this configures, for people reading the metadata. */
  readonly construct: string;
  readonly files?: readonly BundleFile[];
  readonly users?: readonly BundleUser[];
  /** Homes made for `users` under `base` on these roles (only once `base` is mounted, with `mountpoint`). */
  readonly homes?: { readonly base: string; readonly roles: readonly string[]; readonly mountpoint?: boolean };
  /** Distribution packages kept installed. */
  readonly packages?: ReadonlyArray<{ readonly name: string; readonly roles?: readonly string[] }>;
  /** Commands each run once per machine (by id). */
  readonly once?: ReadonlyArray<{ readonly id: string; readonly run: readonly string[]; readonly roles?: readonly string[] }>;
  readonly hooks?: readonly BundleHook[];
  /** Where a role republishes the bundle for machines without metadata of their own. */
  readonly publish?: { readonly path: string; readonly roles: readonly string[] };
}

/** Nova's limit on a metadata value. */
export const METADATA_VALUE_MAX_CHARS = 255;
/** Nova's default quota of metadata items a server may have (`metadata_items`). */
export const METADATA_ITEMS_MAX = 128;
/** Items a machine's metadata holds besides the bundle (stack tags, role, volumes): room kept. */
const OTHER_ITEMS = 16;
/** The most chunks a bundle may take. */
export const BUNDLE_MAX_CHUNKS = METADATA_ITEMS_MAX - OTHER_ITEMS;

/** The metadata item key prefix of a bundle, and of the values only Terraform knows. */
export const BUNDLE_KEY = "drover_cfg";
export const REF_KEY = "drover_ref_";

export const secretSlot = (name: string) => `@@DROVER_SECRET_${name}@@`;
export const metaSlot = (key: string) => `@@DROVER_META_${key}@@`;
/** Where the user data puts a secret a bundle names. */
export const secretPath = (name: string) => `/etc/drover/secrets/${name}`;

/** Where the agent lands on a machine. */
export const AGENT_PATHS = {
  program: "/usr/local/sbin/drover-agent",
  /** What the units run: installs the agent from the bundle when it is missing, then runs it. */
  boot: "/usr/local/sbin/drover-agent-boot",
  conf: "/etc/drover/agent.conf",
  seed: "/etc/drover/agent-seed.json",
  service: "/etc/systemd/system/drover-agent.service",
  timer: "/etc/systemd/system/drover-agent.timer",
} as const;

export interface EncodedBundle {
  /** The metadata items: header, chunks and references. */
  readonly metadata: Readonly<Record<string, string>>;
  /** sha256 of the payload: what a machine reports once it has applied it. */
  readonly sha: string;
  readonly chunks: number;
}

/**
 * The metadata items of a bundle. References in file contents (cdktf tokens) become `drover_ref_<n>`
 * items of their own. Deterministic: the same bundle gives the same items. Throws when the
 * bundle needs more items than a machine may have, naming what to make smaller.
 */
export function encodeBundle(bundle: Bundle): EncodedBundle {
  const refs: string[] = [];
  const files = (bundle.files ?? []).map((f) => ({
    ...f,
    content: tokensIn(f.content).reduce((text, ref) => {
      let i = refs.indexOf(ref);
      if (i < 0) i = refs.push(ref) - 1;
      return text.replace(ref, () => metaSlot(`${REF_KEY}${i}`));
    }, f.content),
  }));
  // The agent travels in the bundle too: a newer drover's agent reaches running machines.
  const agent: BundleFile = { path: AGENT_PATHS.program, content: readTemplate("agent/drover-agent.py"), mode: "0755" };
  const payload = gzipBase64(JSON.stringify({ format: 1, ...bundle, files: [agent, ...files] }));
  const sha = createHash("sha256").update(payload).digest("hex");
  const chunks = Math.ceil(payload.length / METADATA_VALUE_MAX_CHARS);
  if (chunks + refs.length > BUNDLE_MAX_CHUNKS) {
    throw new Error(
      `the configuration of ${bundle.construct} takes ${chunks + refs.length} metadata items, more than the ${BUNDLE_MAX_CHUNKS} a machine has room for ` +
        `(${payload.length} characters compressed): list fewer users or keys, or put large files on a volume`,
    );
  }
  const metadata: Record<string, string> = { [BUNDLE_KEY]: `${chunks}:${sha}` };
  for (let i = 0; i < chunks; i++) metadata[`${BUNDLE_KEY}_${String(i).padStart(2, "0")}`] = payload.slice(i * METADATA_VALUE_MAX_CHARS, (i + 1) * METADATA_VALUE_MAX_CHARS);
  for (const [i, ref] of refs.entries()) metadata[`${REF_KEY}${i}`] = ref;
  return { metadata, sha, chunks };
}

/** Reads a bundle back from its metadata items (tests, the lab, `drover plan`'s description). */
export function decodeBundle(metadata: Readonly<Record<string, string>>): Bundle & { format: number } {
  const header = metadata[BUNDLE_KEY];
  if (!header) throw new Error(`no ${BUNDLE_KEY} item`);
  const [count, sha] = header.split(":") as [string, string];
  let payload = "";
  for (let i = 0; i < Number(count); i++) payload += metadata[`${BUNDLE_KEY}_${String(i).padStart(2, "0")}`] ?? "";
  if (createHash("sha256").update(payload).digest("hex") !== sha) throw new Error("the bundle's chunks do not match its checksum");
  return JSON.parse(gunzipSync(Buffer.from(payload, "base64")).toString("utf8"));
}

/** How the agent finds its bundle: the instance metadata, or a file the controller publishes. */
export type AgentSource = "openstack" | { readonly file: string };

/**
 * The agent's files for a machine's user data (its boot program, units and configuration: the
 * agent itself comes with the bundle), and the command that starts it at the end of the first
 * boot. The timer runs it every minute after.
 */
export function agentFiles(
  role: string,
  source: AgentSource,
  options: { readonly doneOnce?: readonly string[] } = {},
): { files: Array<{ path: string; content: string; permissions: string }>; start: string[] } {
  const conf = JSON.stringify({ role, source: source === "openstack" ? "openstack" : `file:${source.file}` });
  return {
    files: [
      // The bundle's run-once steps the first boot ran already (cloud-init's runcmd).
      ...(options.doneOnce && options.doneOnce.length > 0 ? [{ path: AGENT_PATHS.seed, content: `${JSON.stringify({ once: options.doneOnce })}\n`, permissions: "0644" }] : []),
      { path: AGENT_PATHS.boot, content: readTemplate("agent/drover-agent-boot.py"), permissions: "0755" },
      { path: AGENT_PATHS.service, content: readTemplate("agent/drover-agent.service"), permissions: "0644" },
      { path: AGENT_PATHS.timer, content: readTemplate("agent/drover-agent.timer"), permissions: "0644" },
      { path: AGENT_PATHS.conf, content: `${conf}\n`, permissions: "0644" },
    ],
    start: ["systemctl", "enable", "--now", "drover-agent.timer"],
  };
}

/**
 * Run-once steps from shell commands, each with an ID from its text (a repeated command gets
 * its count too): the same list gives the same IDs, so a command added later runs once, on
 * its own, and the ones the first boot ran do not run again.
 */
export function onceSteps(commands: readonly string[], roles?: readonly string[]): Array<{ id: string; run: string[]; roles?: readonly string[] }> {
  const seen = new Map<string, number>();
  return commands.map((command) => {
    const n = (seen.get(command) ?? 0) + 1;
    seen.set(command, n);
    const id = createHash("sha256").update(`${command}\0${n}`).digest("hex").slice(0, 16);
    return { id, run: ["sh", "-c", command], ...(roles ? { roles } : {}) };
  });
}
