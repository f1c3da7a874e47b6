import { isIPv4 } from "node:net";
import type { Issue } from "../errors.ts";
import { parseCidr, type Cidr } from "../net/cidr.ts";
import { parseSshPublicKey } from "../net/ssh-key.ts";

/**
 * The k3s cluster's input: pinned versions, names and paths, the input types, and the checks
 * `renderK3sCloudInit` (k3s.ts) runs first. Split from the renderer to keep each file readable.
 */

/**
 * k3s v1.35.4+k3s1 (released 2026-04-27; Kubernetes 1.35.4, helm-controller v0.17.1). The chart's
 * `kubeVersion` (>=1.28) and the Cinder CSI chart below (made for 1.35) both fit it.
 */
export const K3S_VERSION = "v1.35.4+k3s1";

/** The OpenStack Cinder CSI chart: 2.35.0 ships cinder-csi-plugin v1.35.0, for Kubernetes 1.35. */
export const CINDER_CSI_CHART = {
  repo: "https://kubernetes.github.io/cloud-provider-openstack",
  name: "openstack-cinder-csi",
  version: "2.35.0",
  provisioner: "cinder.csi.openstack.org",
} as const;

/**
 * NVIDIA's k8s-device-plugin chart, which offers each node's GPUs to pods as `nvidia.com/gpu`.
 * 0.19.3 (2026-06-16, per the chart repository's index) is built on Container Toolkit 1.19.1, the
 * version the agents install; 0.20.0 was two days old when this pin was chosen.
 */
export const NVIDIA_DEVICE_PLUGIN_CHART = {
  repo: "https://nvidia.github.io/k8s-device-plugin",
  name: "nvidia-device-plugin",
  version: "0.19.3",
} as const;

/**
 * The NVIDIA Container Toolkit from NVIDIA's apt repository, as NVIDIA's installation guide sets it
 * up (docs.nvidia.com/datacenter/cloud-native/container-toolkit, install-guide): 1.19.1 is the
 * guide's current version (1.20.0 came out 2026-08-12). NVIDIA signs the repository (InRelease)
 * with the primary key of `keyUrl`, whose fingerprint is `keyFingerprint`.
 */
export const NVIDIA_CONTAINER_TOOLKIT = {
  version: "1.19.1-1",
  repo: "https://nvidia.github.io/libnvidia-container/stable/deb",
  keyUrl: "https://nvidia.github.io/libnvidia-container/gpgkey",
  keyFingerprint: "C95B321B61E88C1809C4F759DDCAE044F796ECB0",
} as const;

/** The label on agents whose GPUs work; NVIDIA's chart honours it, and drover's runs only there. */
export const GPU_NODE_LABEL = { key: "nvidia.com/gpu.present", value: "true" } as const;
/** k3s's RuntimeClass for the NVIDIA runtime; a container gets GPUs only when its pod names it. */
export const NVIDIA_RUNTIME_CLASS = "nvidia";
/** The first k3s release that creates RuntimeClasses for the runtimes it detects. */
export const K3S_RUNTIME_CLASSES_SINCE = [1, 28, 4] as const;

/** zero-to-jupyterhub's node label: `core` on the server, `user` on agents. */
export const NODE_PURPOSE_LABEL = "hub.jupyter.org/node-purpose";
/** The taint on agents; the chart's user pods tolerate it. */
export const USER_NODE_TAINT = "hub.jupyter.org/dedicated=user:NoSchedule";
/** With this label on some node, k3s's ServiceLB puts LoadBalancer ports on labelled nodes only. */
export const SERVICELB_LABEL = "svccontroller.k3s.cattle.io/enablelb";

/** Where things live on the machines. */
export const K3S_PATHS = {
  config: "/etc/rancher/k3s/config.yaml",
  /** On the server: the token agents join with. */
  agentToken: "/etc/rancher/k3s/agent-token",
  /** On an agent: the same token. */
  token: "/etc/rancher/k3s/token",
  manifests: "/var/lib/rancher/k3s/server/manifests",
  installProgram: "/usr/local/sbin/drover-k3s-install",
  statusProgram: "/usr/local/sbin/drover-hub-status",
  /** On a GPU agent: installs the container toolkit and labels the node. */
  nvidiaProgram: "/usr/local/sbin/drover-nvidia-setup",
  /** On the server: the cluster's server CA, when Terraform makes it (`serverCa`). */
  serverCaCert: "/var/lib/rancher/k3s/server/tls/server-ca.crt",
  serverCaKey: "/var/lib/rancher/k3s/server/tls/server-ca.key",
  /** On a GPU agent: the drop-in with the GPU label, written by `nvidiaProgram` once GPUs work. */
  gpuConfig: "/etc/rancher/k3s/config.yaml.d/50-drover-nvidia.yaml",
} as const;

/** The auto-deploy manifests on the server (file names must not clash with k3s's own). */
export const K3S_MANIFESTS = {
  hub: `${K3S_PATHS.manifests}/drover-jupyterhub.yaml`,
  homes: `${K3S_PATHS.manifests}/drover-homes.yaml`,
  cinder: `${K3S_PATHS.manifests}/drover-cinder-csi.yaml`,
  /** The Secret with cloud.conf, apart from the rest: it holds references, so it is never compressed. */
  cinderCloudConfig: `${K3S_PATHS.manifests}/drover-cinder-csi-cloud-config.yaml`,
  devicePlugin: `${K3S_PATHS.manifests}/drover-nvidia-device-plugin.yaml`,
} as const;

/** Names inside the cluster. */
export const K3S_NAMES = {
  /** The HelmChart (in kube-system), and so the Helm release, of zero-to-jupyterhub. */
  hubChart: "jupyterhub",
  cinderChart: CINDER_CSI_CHART.name,
  cinderSecret: "cinder-csi-cloud-config",
  devicePluginChart: NVIDIA_DEVICE_PLUGIN_CHART.name,
} as const;

export const DEFAULT_POD_CIDR = "10.42.0.0/16";
export const DEFAULT_SERVICE_CIDR = "10.43.0.0/16";
export const DEFAULT_HUB_NAMESPACE = "jhub";
export const DEFAULT_STORAGE_CLASS = "cinder";
/** Volumes the Cinder CSI driver attaches to one node at most: a KVM guest takes about 25 disks, its root disk one. */
export const CSI_VOLUMES_PER_NODE = 24;

/** OpenStack access for the Cinder CSI driver: an application credential of the project. */
export interface K3sOpenStackInput {
  /** Keystone's URL: a Terraform reference, or the URL itself. */
  readonly authUrlRef: string;
  /** The region: a Terraform reference, or its name (Jetstream2: "IU"). */
  readonly regionRef: string;
  /** The application credential's ID: a Terraform reference, or the ID itself (it is not secret). */
  readonly applicationCredentialIdRef: string;
  /** The application credential's secret: a Terraform reference only (`${<credential type>.hub.secret}`). */
  readonly applicationCredentialSecretRef: string;
  /** The default StorageClass, Cinder volumes. @default "cinder" */
  readonly storageClassName?: string;
  /** Version of the openstack-cinder-csi chart. @default CINDER_CSI_CHART.version */
  readonly cinderCsiChartVersion?: string;
}

/** NVIDIA GPUs on the agents, made schedulable as the `nvidia.com/gpu` resource. */
export interface K3sAgentGpuInput {
  /** Version of NVIDIA's nvidia-device-plugin chart. @default NVIDIA_DEVICE_PLUGIN_CHART.version */
  readonly devicePluginChartVersion?: string;
  /**
   * Version of the NVIDIA Container Toolkit packages, as apt writes it ("1.19.1-1"): to take a fix
   * before drover's pin moves. @default NVIDIA_CONTAINER_TOOLKIT.version
   */
  readonly containerToolkitVersion?: string;
}

export interface K3sInput {
  /** Names the cluster in comments and on its Cinder volumes (`cinder.csi.openstack.org/cluster`). */
  readonly clusterName: string;
  /** The k3s release, e.g. "v1.35.4+k3s1". @default K3S_VERSION */
  readonly k3sVersion?: string;
  /** The server's fixed private IPv4 address; agents join `https://<address>:6443`. */
  readonly serverAddress: string;
  /** The machines' subnet; pods and services must use other ranges. */
  readonly subnetCidr: string;
  /** Pod addresses. @default "10.42.0.0/16" (k3s's) */
  readonly podCidr?: string;
  /** Service addresses; cluster DNS takes the tenth. @default "10.43.0.0/16" (k3s's) */
  readonly serviceCidr?: string;
  /**
   * The token agents join with, as a Terraform reference (`${random_password.agent_token.result}`).
   * Its value must be letters and digits (`random_password` with `special = false`): k3s reads a
   * token that starts with `K10`, or holds `:` or `.`, as one of its other token formats.
   */
  readonly agentTokenRef: string;
  /** Public keys for the image's account (ubuntu). @default - none (a key pair, or no SSH) */
  readonly adminSshKeys?: readonly string[];
  /** Labels for the agents besides `hub.jupyter.org/node-purpose=user`. @default - none */
  readonly agentLabels?: Readonly<Record<string, string>>;
  /**
   * What each agent's kubelet keeps from pods (`system-reserved`), the capacity planner's reserve:
   * the scheduler then packs no more users on a node than planned. @default - k3s's: nothing
   */
  readonly agentReserved?: { readonly cpuMilli: number; readonly memoryMiB: number };
  /**
   * The zero-to-jupyterhub values, as `renderHubValues(...).yaml` gives them: text, with the
   * references (`${...}`) Terraform fills. They reach the HelmChart as they are; references keep
   * that manifest uncompressed, so keep secrets few.
   */
  readonly hubValuesYaml: string;
  /**
   * Install drover-agent on the server, which keeps the hub chart's manifest as `hubBundle`
   * says (later changes of the values upgrade the release in place).
   */
  readonly agent?: boolean;
  /** The zero-to-jupyterhub chart version. @default CHART_VERSION */
  readonly hubChartVersion?: string;
  /** The namespace the chart is installed in. @default "jhub" */
  readonly hubNamespace?: string;
  /** OpenStack only: Cinder volumes for the hub and the users. @default - k3s's local-path storage */
  readonly openstack?: K3sOpenStackInput;
  /**
   * The agents have NVIDIA GPUs and an image with the NVIDIA driver (Jetstream2: g3 flavors and a
   * Featured image): agents get NVIDIA's container toolkit and the `nvidia.com/gpu.present=true`
   * label, the server NVIDIA's device plugin. Pods then request `nvidia.com/gpu` and must set
   * `runtimeClassName: nvidia` (NVIDIA_RUNTIME_CLASS). An agent whose driver does not answer joins
   * without GPUs (why: its /var/log/cloud-init-output.log). Needs k3s v1.28.4 or later.
   * @default - no GPU support: pods cannot request GPUs
   */
  readonly agentGpu?: K3sAgentGpuInput;
  /**
   * Shared homes: the volume the server mounts at `SHARED_HOMES.exportPath` (attached by
   * Terraform, listed in the server's metadata for drover-volumes), exported over NFS to the
   * subnet and offered to the hub as one PersistentVolumeClaim. The hub values must use it
   * (static storage, `SHARED_HOMES.pvcName`).
   */
  readonly sharedHomes?: { readonly sizeGiB: number };
  /**
   * The cluster's server CA, made by Terraform and put where k3s looks for it before it first
   * starts (`K3S_PATHS.serverCa*`), so k3s uses it instead of making its own. Known before boot,
   * its hash goes into the agents' token (`K10<hash>::node:<secret>`): an agent checks the CA the
   * server hands out against it before sending the secret. Each a reference: the certificate and
   * key base64-encoded (PEM spans lines, which a reference in YAML must not), and the SHA-256 of
   * the certificate's PEM text, which is how k3s hashes a single-certificate CA bundle.
   */
  readonly serverCa?: { readonly certB64Ref: string; readonly keyB64Ref: string; readonly hashRef: string };
}

/**
 * Shared homes (`sharedHomes`): where the server mounts and exports the volume, the claim the
 * hub's values name, and whom every request on the export is mapped to (Jupyter's images run
 * notebooks as jovyan, 1000, in the group users, 100).
 */
export const SHARED_HOMES = {
  volumeName: "homes",
  exportPath: "/srv/drover-homes",
  pvcName: "drover-homes",
  hook: "/etc/drover/volumes.d/50-drover-hub-homes",
  uid: 1000,
  gid: 100,
} as const;

export interface K3sCloudInit {
  /** The server's user data. */
  readonly server: string;
  /** Every agent's user data: one text for all (an agent takes its name from the cloud). */
  readonly agent: string;
}

/** Longest value a reference may have when the size of a user data is checked. */
export const REF_MAX_CHARS = 255;
/** A file above this size, holding no reference, is compressed when a user data must shrink. */
export const COMPRESS_ABOVE_BYTES = 1024;
/**
 * One Terraform reference (`${var.x}`, `${resource.name.attr[0]}`), or a cdktf token standing for
 * one (`${TfToken[TOKEN.12]}`): no function call, nothing that could yield a line break.
 */
export const REFERENCE = /^\$\{[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[[\w.]+\]|\["[\w.-]*"\])*\}$/;
export const K3S_RELEASE = /^v(\d+)\.(\d+)\.(\d+)\+k3s\d+$/;
/** A Debian package version without epoch: upstream version, then the package revision. */
const DEB_VERSION = /^\d+\.\d+\.\d+-\d+$/;
const CHART_RELEASE = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** A value pasted between double quotes (cloud.conf) or into YAML as given. */
export const PLAIN_VALUE = /^[^"\\\n]+$/;

export type Problem = Pick<Issue, "code" | "message">;

/**
 * Every problem with the input, each naming the input's field, the value and the fix.
 * `renderK3sCloudInit` refuses input that has any.
 */
export function checkK3sInput(input: K3sInput): Problem[] {
  const problems: Problem[] = [];
  const need = (ok: boolean, code: string, message: string) => {
    if (!ok) problems.push({ code, message });
  };
  need(CLUSTER_NAME.test(input.clusterName), "k3s.cluster-name", `'clusterName' ("${input.clusterName}") must be 1 to 63 letters, digits, '.', '_' or '-'`);
  const version = input.k3sVersion ?? K3S_VERSION;
  need(K3S_RELEASE.test(version), "k3s.version", `'k3sVersion' ("${version}") must name a k3s release as its GitHub tag, e.g. "${K3S_VERSION}"`);
  const charts = [
    ["hubChartVersion", input.hubChartVersion],
    ["openstack.cinderCsiChartVersion", input.openstack?.cinderCsiChartVersion],
    ["agentGpu.devicePluginChartVersion", input.agentGpu?.devicePluginChartVersion],
  ] as const;
  for (const [field, value] of charts) {
    if (value !== undefined) need(CHART_RELEASE.test(value), "k3s.chart-version", `'${field}' ("${value}") must be a chart version such as "1.2.3"`);
  }
  if (input.agentGpu) {
    const toolkit = input.agentGpu.containerToolkitVersion;
    if (toolkit !== undefined)
      need(DEB_VERSION.test(toolkit), "k3s.gpu", `'agentGpu.containerToolkitVersion' ("${toolkit}") must be a package version of NVIDIA's repository such as "${NVIDIA_CONTAINER_TOOLKIT.version}"`);
    const release = K3S_RELEASE.exec(version);
    const older = release !== null && compareVersions(release.slice(1, 4).map(Number), K3S_RUNTIME_CLASSES_SINCE) < 0;
    need(
      !older,
      "k3s.gpu",
      `'agentGpu' needs k3s v${K3S_RUNTIME_CLASSES_SINCE.join(".")} or later, which creates the "${NVIDIA_RUNTIME_CLASS}" RuntimeClass; 'k3sVersion' is "${version}": raise it or leave it out`,
    );
  }
  const namespace = input.hubNamespace ?? DEFAULT_HUB_NAMESPACE;
  need(DNS_LABEL.test(namespace), "k3s.namespace", `'hubNamespace' ("${namespace}") must be a Kubernetes namespace name: lower-case letters, digits and '-', at most 63`);

  problems.push(...checkNetwork(input));

  const reference = (value: string, field: string, example: string) =>
    need(
      REFERENCE.test(value),
      "k3s.secret-not-reference",
      `'${field}' must be one Terraform reference such as "${example}", not the secret itself: secrets never go into stack code or synthesized files`,
    );
  const refOrValue = (value: string, field: string) =>
    need(
      REFERENCE.test(value) || (PLAIN_VALUE.test(value) && !value.includes("${")),
      "k3s.bad-value",
      `'${field}' ("${value}") must be a Terraform reference or a value without quotes, backslashes or line breaks`,
    );
  reference(input.agentTokenRef, "agentTokenRef", "${random_password.agent_token.result}");
  if (input.serverCa) {
    reference(input.serverCa.certB64Ref, "serverCa.certB64Ref", "${local.hub_ca_cert_b64}");
    reference(input.serverCa.keyB64Ref, "serverCa.keyB64Ref", "${local.hub_ca_key_b64}");
    reference(input.serverCa.hashRef, "serverCa.hashRef", "${local.hub_ca_hash}");
  }
  const os = input.openstack;
  if (os) {
    refOrValue(os.authUrlRef, "openstack.authUrlRef");
    refOrValue(os.regionRef, "openstack.regionRef");
    refOrValue(os.applicationCredentialIdRef, "openstack.applicationCredentialIdRef");
    reference(os.applicationCredentialSecretRef, "openstack.applicationCredentialSecretRef", "${var.hub_credential_secret}");
    const sc = os.storageClassName ?? DEFAULT_STORAGE_CLASS;
    need(DNS_SUBDOMAIN.test(sc), "k3s.storage-class", `'openstack.storageClassName' ("${sc}") must be a Kubernetes object name: lower-case letters, digits, '-' and '.'`);
  }

  for (const [i, key] of (input.adminSshKeys ?? []).entries()) {
    const parsed = parseSshPublicKey(key);
    if (!parsed.ok) problems.push({ code: "k3s.bad-key", message: `'adminSshKeys[${i}]' ${parsed.reason}` });
  }
  for (const [key, value] of Object.entries(input.agentLabels ?? {})) {
    const slash = key.lastIndexOf("/");
    const prefix = slash < 0 ? "" : key.slice(0, slash);
    const ok = LABEL_NAME.test(key.slice(slash + 1)) && (slash < 0 || DNS_SUBDOMAIN.test(prefix)) && LABEL_VALUE.test(value);
    need(ok, "k3s.label", `'agentLabels' entry "${key}=${value}" is not a Kubernetes label: a name (optionally "prefix/name") and a value of at most 63 letters, digits, '-', '_' and '.'`);
    // The kubelet refuses to set most labels of these namespaces, and node-purpose is drover's.
    need(
      !/(^|\.)(kubernetes\.io|k8s\.io)$/.test(prefix) && key !== NODE_PURPOSE_LABEL,
      "k3s.label",
      `'agentLabels' cannot set "${key}": labels under kubernetes.io or k8s.io, and ${NODE_PURPOSE_LABEL}, are set by Kubernetes and drover`,
    );
  }
  return problems;
}

function checkNetwork(input: K3sInput): Problem[] {
  const problems: Problem[] = [];
  const ranges: Array<[string, Cidr]> = [];
  for (const [field, text] of [
    ["subnetCidr", input.subnetCidr],
    ["podCidr", input.podCidr ?? DEFAULT_POD_CIDR],
    ["serviceCidr", input.serviceCidr ?? DEFAULT_SERVICE_CIDR],
  ] as const) {
    const r = parseCidr(text);
    if (!r.ok || r.cidr.version !== 4) {
      problems.push({ code: "k3s.cidr", message: `'${field}' ("${text}") ${r.ok ? "must be an IPv4 range" : r.reason}${!r.ok && r.suggestion ? `: did you mean "${r.suggestion}"?` : ""}` });
    } else {
      ranges.push([field, r.cidr]);
    }
  }
  for (const [i, [a, ca]] of ranges.entries()) {
    for (const [b, cb] of ranges.slice(i + 1)) {
      if (overlaps(ca, cb))
        problems.push({
          code: "k3s.cidr-overlap",
          message: `'${a}' (${ca.text}) and '${b}' (${cb.text}) overlap: pods, services and machines need separate ranges; set 'podCidr' or 'serviceCidr' to an unused range`,
        });
    }
  }
  const subnet = ranges.find(([f]) => f === "subnetCidr")?.[1];
  const server = isIPv4(input.serverAddress) ? parseCidr(`${input.serverAddress}/32`) : undefined;
  if (!server?.ok) {
    problems.push({ code: "k3s.server-address", message: `'serverAddress' ("${input.serverAddress}") must be an IPv4 address` });
  } else if (subnet && !overlaps(subnet, server.cidr)) {
    problems.push({
      code: "k3s.server-address",
      message: `'serverAddress' (${input.serverAddress}) is outside 'subnetCidr' (${subnet.text}): give the server's fixed address in the cluster's subnet`,
    });
  }
  return problems;
}

/** Negative, zero or positive as version `a` is older than, the same as or newer than `b`. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether two ranges share an address: one holds the other's network address. */
function overlaps(a: Cidr, b: Cidr): boolean {
  const shift = BigInt(32 - Math.min(a.prefix, b.prefix));
  return a.network >> shift === b.network >> shift;
}

/**
 * The chart values and the references they hold (each `${...}` shaped like one, cdktf tokens
 * included): they keep the manifest uncompressed and count at their longest when the user data
 * is measured. The text itself is text; synthesis escapes it for Terraform.
 */
export function readValuesTemplate(text: string): { readonly text: string; readonly refs: readonly string[] } {
  const refs = [...text.matchAll(/\$\{[^}\n]*\}/g)].map((m) => m[0]).filter((m) => REFERENCE.test(m));
  return { text, refs };
}
