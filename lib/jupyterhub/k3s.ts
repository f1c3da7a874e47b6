import { createRequire } from "node:module";
import { isIPv4 } from "node:net";
import { asTerraformLiteral, USER_DATA_MAX_BYTES } from "../cloud-init.ts";
import type { Issue } from "../errors.ts";
import { hostAddress, parseCidr, type Cidr } from "../net/cidr.ts";
import { parseSshPublicKey } from "../net/ssh-key.ts";
import { readTemplate, renderTemplate } from "../templates.ts";
import { yaml } from "../vendor.ts";
import { CHART_NAME, CHART_REPO, CHART_VERSION } from "./values-schema.ts";

/**
 * The cloud-init user data of a JupyterHub cluster's machines: one k3s server, which also runs
 * the hub, and any number of k3s agents, which run the users' servers. Each is a `#cloud-config`
 * document built as a typed object and written with `yaml()`; first-boot logic lives in
 * `templates/jupyterhub/`.
 *
 * What a machine does at first boot:
 * - bootcmd: lets only root reach the metadata service (`templates/slurm/drover-metadata-guard.sh`),
 *   which hands out the user data and so the join token and, on the server, the cloud credential.
 * - write_files: k3s's configuration, the join token (0600), the systemd unit and, on the
 *   server, the auto-deploy manifests k3s applies when it starts (all 0600: some hold secrets).
 * - runcmd: `drover-k3s-install` fetches the pinned k3s release from GitHub, checks it against the
 *   release's SHA-256 list and starts the unit without waiting for it.
 *
 * Decisions, each for a reason:
 * - The server's own token is made by k3s at first start and never leaves the server; agents join
 *   with a separate agent token (`agentTokenRef`), which admits agents only, never servers. It is a
 *   short token (no CA hash: the CA is made on the server at its first boot), so an agent trusts
 *   whatever answers at the server's fixed private address on first contact; that network is the
 *   cluster's own.
 * - Placement follows zero-to-jupyterhub's node labels: the server is `node-purpose=core` and
 *   untainted (k3s's own pods, the chart installers and the hub run there); agents are
 *   `node-purpose=user` and tainted `hub.jupyter.org/dedicated=user:NoSchedule`, which only the
 *   chart's user pods (and DaemonSets that tolerate everything, like Cinder's node plugin)
 *   tolerate. Agents join with a node ID appended to their name, so a rebuilt agent joins again
 *   without its old node first being deleted.
 * - Traefik is disabled: the chart's own proxy (`proxy-public`, a LoadBalancer service) serves
 *   80/443 and gets Let's Encrypt certificates itself (autohttps); with Traefik also claiming
 *   80/443, ServiceLB could place neither. ServiceLB stays, restricted (by its `enablelb` label)
 *   to the server, the machine the public address points at.
 * - On OpenStack the Cinder CSI driver serves every volume (the hub's database, each user's home)
 *   through a default StorageClass (reclaim Delete, expandable, bound where the pod lands), and
 *   k3s's local-path storage is disabled, so no volume lands on a node's disk. Elsewhere
 *   local-path stays the default.
 * - Secrets at rest: Kubernetes Secrets are encrypted in k3s's datastore (`secrets-encryption`).
 *   The metadata guard covers processes on the machines; pods reach the metadata service through
 *   the pod network, where the chart blocks user pods (`singleuser.cloudMetadata` and its network
 *   policies, which k3s enforces): the values must keep those on.
 *
 * The texts are Terraform templates, like `renderClusterCloudInit`'s: the references given (the
 * agent token, the credential, any in the chart values) stay for Terraform to fill, every other
 * `${` and `%{` is written `$${` and `%%{`. A text is plain YAML when it fits Nova's limit; when
 * not, its files larger than 1 KiB that hold no reference are written gzip+base64 (Terraform
 * cannot fill a reference inside a compressed file).
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
} as const;

/** The auto-deploy manifests on the server (file names must not clash with k3s's own). */
export const K3S_MANIFESTS = {
  hub: `${K3S_PATHS.manifests}/drover-jupyterhub.yaml`,
  cinder: `${K3S_PATHS.manifests}/drover-cinder-csi.yaml`,
  /** The Secret with cloud.conf, apart from the rest: it holds references, so it is never compressed. */
  cinderCloudConfig: `${K3S_PATHS.manifests}/drover-cinder-csi-cloud-config.yaml`,
} as const;

/** Names inside the cluster. */
export const K3S_NAMES = {
  /** The HelmChart (in kube-system), and so the Helm release, of zero-to-jupyterhub. */
  hubChart: "jupyterhub",
  cinderChart: CINDER_CSI_CHART.name,
  cinderSecret: "cinder-csi-cloud-config",
} as const;

export const DEFAULT_POD_CIDR = "10.42.0.0/16";
export const DEFAULT_SERVICE_CIDR = "10.43.0.0/16";
export const DEFAULT_HUB_NAMESPACE = "jhub";
export const DEFAULT_STORAGE_CLASS = "cinder";

/** OpenStack access for the Cinder CSI driver: an application credential of the project. */
export interface K3sOpenStackInput {
  /** Keystone's URL: a Terraform reference, or the URL itself. */
  readonly authUrlRef: string;
  /** The region: a Terraform reference, or its name (Jetstream2: "IU"). */
  readonly regionRef: string;
  /** The application credential's ID: a Terraform reference, or the ID itself (it is not secret). */
  readonly applicationCredentialIdRef: string;
  /** The application credential's secret: a Terraform reference only (`${openstack_identity_application_credential_v3.hub.secret}`). */
  readonly applicationCredentialSecretRef: string;
  /** The default StorageClass, Cinder volumes. @default "cinder" */
  readonly storageClassName?: string;
  /** Version of the openstack-cinder-csi chart. @default CINDER_CSI_CHART.version */
  readonly cinderCsiChartVersion?: string;
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
   * The zero-to-jupyterhub values, as `renderHubValues(...).yaml` gives them: a Terraform template
   * (literal `${` written `$${`; references `${...}` left for Terraform). They reach the HelmChart
   * as they are; references keep that manifest uncompressed, so keep secrets few.
   */
  readonly hubValuesYaml: string;
  /** The zero-to-jupyterhub chart version. @default CHART_VERSION */
  readonly hubChartVersion?: string;
  /** The namespace the chart is installed in. @default "jhub" */
  readonly hubNamespace?: string;
  /** OpenStack only: Cinder volumes for the hub and the users. @default - k3s's local-path storage */
  readonly openstack?: K3sOpenStackInput;
}

export interface K3sCloudInit {
  /** The server's user data. */
  readonly server: string;
  /** Every agent's user data: one text for all (an agent takes its name from the cloud). */
  readonly agent: string;
}

/** Longest value a reference may have when the size of a user data is checked. */
const REF_MAX_CHARS = 255;
/** A file above this size, holding no reference, is compressed when a user data must shrink. */
const COMPRESS_ABOVE_BYTES = 1024;
/**
 * One Terraform reference (`${var.x}`, `${resource.name.attr[0]}`), or a cdktf token standing for
 * one (`${TfToken[TOKEN.12]}`): no function call, nothing that could yield a line break.
 */
const REFERENCE = /^\$\{[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[[\w.]+\]|\["[\w.-]*"\])*\}$/;
const K3S_RELEASE = /^v\d+\.\d+\.\d+\+k3s\d+$/;
const CHART_RELEASE = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** A value pasted between double quotes (cloud.conf) or into YAML as given. */
const PLAIN_VALUE = /^[^"\\\n]+$/;

type Problem = Pick<Issue, "code" | "message">;

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
  for (const [field, value] of [["hubChartVersion", input.hubChartVersion], ["openstack.cinderCsiChartVersion", input.openstack?.cinderCsiChartVersion]] as const) {
    if (value !== undefined) need(CHART_RELEASE.test(value), "k3s.chart-version", `'${field}' ("${value}") must be a chart version such as "1.2.3"`);
  }
  const namespace = input.hubNamespace ?? DEFAULT_HUB_NAMESPACE;
  need(DNS_LABEL.test(namespace), "k3s.namespace", `'hubNamespace' ("${namespace}") must be a Kubernetes namespace name: lower-case letters, digits and '-', at most 63`);

  problems.push(...checkNetwork(input));

  const reference = (value: string, field: string, example: string) =>
    need(REFERENCE.test(value), "k3s.secret-not-reference", `'${field}' must be one Terraform reference such as "${example}", not the secret itself: secrets never go into stack code or synthesized files`);
  const refOrValue = (value: string, field: string) =>
    need(REFERENCE.test(value) || (PLAIN_VALUE.test(value) && !value.includes("${")), "k3s.bad-value", `'${field}' ("${value}") must be a Terraform reference or a value without quotes, backslashes or line breaks`);
  reference(input.agentTokenRef, "agentTokenRef", "${random_password.agent_token.result}");
  const os = input.openstack;
  if (os) {
    refOrValue(os.authUrlRef, "openstack.authUrlRef");
    refOrValue(os.regionRef, "openstack.regionRef");
    refOrValue(os.applicationCredentialIdRef, "openstack.applicationCredentialIdRef");
    reference(os.applicationCredentialSecretRef, "openstack.applicationCredentialSecretRef", "${openstack_identity_application_credential_v3.hub.secret}");
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
    need(!/(^|\.)(kubernetes\.io|k8s\.io)$/.test(prefix) && key !== NODE_PURPOSE_LABEL, "k3s.label", `'agentLabels' cannot set "${key}": labels under kubernetes.io or k8s.io, and ${NODE_PURPOSE_LABEL}, are set by Kubernetes and drover`);
  }
  const values = readValuesTemplate(input.hubValuesYaml);
  if (!values.ok) problems.push({ code: "k3s.values", message: `'hubValuesYaml' ${values.reason}` });
  return problems;
}

function checkNetwork(input: K3sInput): Problem[] {
  const problems: Problem[] = [];
  const ranges: Array<[string, Cidr]> = [];
  for (const [field, text] of [["subnetCidr", input.subnetCidr], ["podCidr", input.podCidr ?? DEFAULT_POD_CIDR], ["serviceCidr", input.serviceCidr ?? DEFAULT_SERVICE_CIDR]] as const) {
    const r = parseCidr(text);
    if (!r.ok || r.cidr.version !== 4) {
      problems.push({ code: "k3s.cidr", message: `'${field}' ("${text}") ${r.ok ? "must be an IPv4 range" : r.reason}${!r.ok && r.suggestion ? `: did you mean "${r.suggestion}"?` : ""}` });
    } else {
      ranges.push([field, r.cidr]);
    }
  }
  for (const [i, [a, ca]] of ranges.entries()) {
    for (const [b, cb] of ranges.slice(i + 1)) {
      if (overlaps(ca, cb)) problems.push({ code: "k3s.cidr-overlap", message: `'${a}' (${ca.text}) and '${b}' (${cb.text}) overlap: pods, services and machines need separate ranges; set 'podCidr' or 'serviceCidr' to an unused range` });
    }
  }
  const subnet = ranges.find(([f]) => f === "subnetCidr")?.[1];
  const server = isIPv4(input.serverAddress) ? parseCidr(`${input.serverAddress}/32`) : undefined;
  if (!server?.ok) {
    problems.push({ code: "k3s.server-address", message: `'serverAddress' ("${input.serverAddress}") must be an IPv4 address` });
  } else if (subnet && !overlaps(subnet, server.cidr)) {
    problems.push({ code: "k3s.server-address", message: `'serverAddress' (${input.serverAddress}) is outside 'subnetCidr' (${subnet.text}): give the server's fixed address in the cluster's subnet` });
  }
  return problems;
}

/** Whether two ranges share an address: one holds the other's network address. */
function overlaps(a: Cidr, b: Cidr): boolean {
  const shift = BigInt(32 - Math.min(a.prefix, b.prefix));
  return a.network >> shift === b.network >> shift;
}

type ValuesTemplate = { readonly ok: true; readonly text: string; readonly refs: readonly string[] } | { readonly ok: false; readonly reason: string };

/**
 * A Terraform template as the text the machine gets: `$${` and `%%{` undone, references kept
 * (and listed). A directive (`%{if ...}`) or an expression that is not one reference is refused.
 */
function readValuesTemplate(template: string): ValuesTemplate {
  const refs: string[] = [];
  let bad: string | undefined;
  const text = template.replace(/\$\$\{|%%\{|%\{[^}]*\}?|\$\{[^}]*\}?/g, (m) => {
    if (m === "$${") return "${";
    if (m === "%%{") return "%{";
    if (!REFERENCE.test(m)) bad ??= m;
    else refs.push(m);
    return m;
  });
  if (bad !== undefined) {
    return { ok: false, reason: `holds ${JSON.stringify(bad)}, which Terraform would read as an expression: write a literal "\${" as "$\${" (renderHubValues does), and references as one plain \${...} each` };
  }
  return { ok: true, text, refs };
}

/**
 * Renders the server's and the agents' user data. Deterministic: the same input gives the same
 * texts, so a synth changes no machine whose input did not change.
 *
 * Throws, listing every problem, when `checkK3sInput` finds any; and when a user data would exceed
 * Nova's limit even compressed: the server's other files leave room for about 35 KB of compressed
 * (gzip+base64) chart values, some 100 KB of typical YAML; values that hold references travel
 * uncompressed, so then about 35 KB of values.
 *
 * @example
 * const values = renderHubValues({ ... });
 * const userData = renderK3sCloudInit({
 *   clusterName: "class-hub", serverAddress: "10.20.0.10", subnetCidr: "10.20.0.0/24",
 *   agentTokenRef: "${random_password.agent_token.result}", hubValuesYaml: values.yaml,
 *   openstack: { authUrlRef: "${data.openstack_identity_auth_scope_v3.scope.auth_url}", ... },
 * });
 * driver.createMachine(this, "Server", { ..., userData: userData.server });
 */
export function renderK3sCloudInit(input: K3sInput): K3sCloudInit {
  const problems = checkK3sInput(input);
  if (problems.length > 0) throw new Error(`k3s cluster input has problems:\n${problems.map((p) => `  ${p.code}: ${p.message}`).join("\n")}`);
  const refs = new References();
  const r = new Renderer(input, refs);
  const fit = (role: "server" | "agent", build: (compact: boolean) => string): string => {
    const plain = build(false);
    if (refs.deployedBytes(plain) <= USER_DATA_MAX_BYTES) return refs.template(plain);
    const compact = build(true);
    const bytes = refs.deployedBytes(compact);
    if (bytes > USER_DATA_MAX_BYTES) {
      const values = Buffer.byteLength(input.hubValuesYaml);
      const why =
        r.valueRefs.length > 0
          ? `the chart values (${values} bytes) hold Terraform references, so they travel uncompressed`
          : `the chart values take ${values} bytes, ${gzipBase64(input.hubValuesYaml).length} compressed`;
      throw new Error(`the ${role} user data of JupyterHub cluster ${input.clusterName} takes up to ${bytes} bytes even compressed, more than the ${USER_DATA_MAX_BYTES} OpenStack accepts: ${why}; shorten them`);
    }
    return refs.template(compact);
  };
  return { server: fit("server", (c) => r.server(c)), agent: fit("agent", (c) => r.agent(c)) };
}

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  encoding?: "gz+b64";
}

class Renderer {
  readonly valueRefs: readonly string[];
  private readonly values: string;

  constructor(
    private readonly input: K3sInput,
    private readonly refs: References,
  ) {
    const values = readValuesTemplate(input.hubValuesYaml);
    if (!values.ok) throw new Error(`bug: unchecked values: ${values.reason}`);
    this.values = values.text;
    this.valueRefs = values.refs;
    for (const ref of values.refs) refs.add(ref);
  }

  server(compact: boolean): string {
    const { input } = this;
    const service = parseCidr(input.serviceCidr ?? DEFAULT_SERVICE_CIDR) as { cidr: Cidr };
    const config = {
      "node-ip": input.serverAddress,
      "agent-token-file": K3S_PATHS.agentToken,
      "write-kubeconfig-mode": "0600",
      "secrets-encryption": true,
      "cluster-cidr": input.podCidr ?? DEFAULT_POD_CIDR,
      "service-cidr": service.cidr.text,
      "cluster-dns": hostAddress(service.cidr, 10),
      disable: ["traefik", ...(input.openstack ? ["local-storage"] : [])],
      "node-label": [`${NODE_PURPOSE_LABEL}=core`, `${SERVICELB_LABEL}=true`],
    };
    const charts = [K3S_NAMES.hubChart, ...(input.openstack ? [K3S_NAMES.cinderChart] : [])];
    const files: WriteFile[] = [
      this.configFile("server", config),
      this.tokenFile(K3S_PATHS.agentToken),
      this.unitFile("server"),
      this.installProgram("server"),
      {
        path: K3S_PATHS.statusProgram,
        content: renderTemplate("jupyterhub/drover-hub-status.sh", { namespace: input.hubNamespace ?? DEFAULT_HUB_NAMESPACE, charts: charts.join(" ") }, { shell: true }),
        permissions: "0755",
      },
      { path: K3S_MANIFESTS.hub, content: this.hubManifest(), permissions: "0600" },
      ...(input.openstack ? this.cinderManifests(input.openstack) : []),
    ];
    return this.document("server", files, compact);
  }

  agent(compact: boolean): string {
    const { input } = this;
    const config = {
      server: `https://${input.serverAddress}:6443`,
      "token-file": K3S_PATHS.token,
      // Rebuilt agents keep their hostname; with an ID the server takes them as new nodes.
      "with-node-id": true,
      "node-label": [`${NODE_PURPOSE_LABEL}=user`, ...Object.entries(input.agentLabels ?? {}).map(([k, v]) => `${k}=${v}`)],
      "node-taint": [USER_NODE_TAINT],
      ...(input.agentReserved ? { "kubelet-arg": [`system-reserved=cpu=${input.agentReserved.cpuMilli}m,memory=${input.agentReserved.memoryMiB}Mi`] } : {}),
    };
    const files = [this.configFile("agent", config), this.tokenFile(K3S_PATHS.token), this.unitFile("agent"), this.installProgram("agent")];
    return this.document("agent", files, compact);
  }

  private document(role: "server" | "agent", files: WriteFile[], compact: boolean): string {
    const keys = (this.input.adminSshKeys ?? []).map((k) => (parseSshPublicKey(k) as { key: { line: string } }).key.line);
    const doc = {
      ssh_pwauth: false,
      disable_root: true,
      ...(keys.length > 0 ? { ssh_authorized_keys: keys } : {}),
      // At every boot, in cloud-init's network stage: before any login or service.
      bootcmd: [["bash", "-c", readTemplate("slurm/drover-metadata-guard.sh"), "drover-metadata-guard"]],
      write_files: compact ? files.map((f) => this.compress(f)) : files,
      runcmd: [K3S_PATHS.installProgram],
    };
    const header = `#cloud-config\n# drover: k3s ${role} of JupyterHub cluster ${this.input.clusterName}\n`;
    return header + this.toYaml(doc);
  }

  private configFile(role: "server" | "agent", config: object): WriteFile {
    const comment = `drover: k3s ${role} of JupyterHub cluster ${this.input.clusterName} (flags of \`k3s ${role}\`, without the dashes)`;
    return { path: K3S_PATHS.config, content: `# ${comment}\n${this.toYaml(config)}`, permissions: "0644" };
  }

  /** The join token alone, no line break: k3s takes the file's content as the token. */
  private tokenFile(path: string): WriteFile {
    return { path, content: this.refs.add(this.input.agentTokenRef), permissions: "0600" };
  }

  private unitFile(role: "server" | "agent"): WriteFile {
    return { path: `/etc/systemd/system/${unitName(role)}.service`, content: renderTemplate("jupyterhub/k3s.service", { role }), permissions: "0644" };
  }

  private installProgram(role: "server" | "agent"): WriteFile {
    const content = renderTemplate("jupyterhub/drover-k3s-install.sh", { version: this.input.k3sVersion ?? K3S_VERSION, unit: unitName(role) }, { shell: true });
    return { path: K3S_PATHS.installProgram, content, permissions: "0755" };
  }

  /** zero-to-jupyterhub, installed by k3s's helm-controller from the chart's repository. */
  private hubManifest(): string {
    const { input } = this;
    const chart = {
      apiVersion: "helm.cattle.io/v1",
      kind: "HelmChart",
      metadata: { name: K3S_NAMES.hubChart, namespace: "kube-system" },
      spec: {
        repo: CHART_REPO,
        chart: CHART_NAME,
        version: input.hubChartVersion ?? CHART_VERSION,
        targetNamespace: input.hubNamespace ?? DEFAULT_HUB_NAMESPACE,
        createNamespace: true,
        // A failed upgrade is left for a person: "reinstall" (the default) would uninstall the
        // release first, and with it the hub's database volume.
        failurePolicy: "abort",
        valuesContent: this.values,
      },
    };
    return this.manifest(`zero-to-jupyterhub for JupyterHub cluster ${input.clusterName}`, [chart]);
  }

  /** The Cinder CSI driver with drover's credential Secret and the default StorageClass. */
  private cinderManifests(os: K3sOpenStackInput): WriteFile[] {
    const value = (v: string) => `"${REFERENCE.test(v) ? this.refs.add(v) : v}"`;
    // gcfg (the driver's INI reader) takes quoted values literally: ';' and '#' stay.
    const cloudConf = [
      "[Global]",
      `auth-url=${value(os.authUrlRef)}`,
      `application-credential-id=${value(os.applicationCredentialIdRef)}`,
      `application-credential-secret=${value(os.applicationCredentialSecretRef)}`,
      `region=${value(os.regionRef)}`,
      "",
    ].join("\n");
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: K3S_NAMES.cinderSecret, namespace: "kube-system" },
      type: "Opaque",
      stringData: { "cloud.conf": cloudConf },
    };
    const chartValues = {
      // The chart mounts drover's Secret as /etc/config/cloud.conf instead of making one.
      secret: { enabled: true, create: false, name: K3S_NAMES.cinderSecret, hostMount: false },
      // drover's own class below, the only default one.
      storageClass: { enabled: false },
      clusterID: this.input.clusterName,
    };
    const chart = {
      apiVersion: "helm.cattle.io/v1",
      kind: "HelmChart",
      metadata: { name: K3S_NAMES.cinderChart, namespace: "kube-system" },
      spec: {
        repo: CINDER_CSI_CHART.repo,
        chart: CINDER_CSI_CHART.name,
        version: os.cinderCsiChartVersion ?? CINDER_CSI_CHART.version,
        targetNamespace: "kube-system",
        valuesContent: this.toYaml(chartValues),
      },
    };
    const storageClass = {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: os.storageClassName ?? DEFAULT_STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: CINDER_CSI_CHART.provisioner,
      reclaimPolicy: "Delete",
      allowVolumeExpansion: true,
      // Created once a pod needs it, in the availability zone of the node the pod runs on.
      volumeBindingMode: "WaitForFirstConsumer",
    };
    const about = `for JupyterHub cluster ${this.input.clusterName}`;
    return [
      { path: K3S_MANIFESTS.cinderCloudConfig, content: this.manifest(`the Cinder CSI driver's OpenStack credential ${about}`, [secret]), permissions: "0600" },
      { path: K3S_MANIFESTS.cinder, content: this.manifest(`the Cinder CSI driver and the default StorageClass ${about}`, [chart, storageClass]), permissions: "0600" },
    ];
  }

  private manifest(what: string, docs: object[]): string {
    return `# drover: ${what}; k3s applies this file at start and whenever it changes\n${docs.map((d) => this.toYaml(d)).join("---\n")}`;
  }

  /** A file holding no reference and larger than 1 KiB, gzip+base64. */
  private compress(file: WriteFile): WriteFile {
    if (this.refs.holds(file.content) || Buffer.byteLength(file.content) <= COMPRESS_ABOVE_BYTES) return file;
    return { ...file, content: gzipBase64(file.content), encoding: "gz+b64" };
  }

  /**
   * YAML text for YAML 1.1 readers (cloud-init's PyYAML, k3s, Helm): strings such as "yes" or
   * "0600" are quoted. A string holding a reference is a literal block, where the value Terraform
   * puts in later stays one string whatever characters it has (a line break aside).
   */
  private toYaml(doc: object): string {
    const Y = yaml();
    const document = new Y.Document(doc, { version: "1.1" });
    Y.visit(document, {
      Scalar: (_, node) => {
        if (typeof node.value === "string" && this.refs.holds(node.value)) node.type = "BLOCK_LITERAL";
      },
    });
    return document.toString({ lineWidth: 0, blockQuote: "literal" });
  }
}

const unitName = (role: "server" | "agent") => (role === "server" ? "k3s" : "k3s-agent");

/** gzip+base64 with no time stamp in the header: deterministic. */
function gzipBase64(text: string): string {
  const { gzipSync } = createRequire(import.meta.url)("fflate") as typeof import("fflate");
  return Buffer.from(gzipSync(Buffer.from(text), { level: 9, mtime: 0 })).toString("base64");
}

/**
 * The Terraform references in the texts. They stand in the documents as they are (the text the
 * machine gets holds the value there); `template` escapes everything around them.
 */
class References {
  private readonly known = new Set<string>();
  private pattern: RegExp | undefined;

  add(ref: string): string {
    if (!this.known.has(ref)) {
      this.known.add(ref);
      // Longest first, so that no reference matches inside another.
      const alternatives = [...this.known].sort((a, b) => b.length - a.length).map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      this.pattern = new RegExp(`(${alternatives.join("|")})`);
    }
    return ref;
  }

  /** The text cut at each reference: literal text at even indices, references at odd ones. */
  private split(text: string): string[] {
    return this.pattern ? text.split(this.pattern) : [text];
  }

  holds(text: string): boolean {
    return this.split(text).length > 1;
  }

  /** The Terraform template that gives the text: literal `${`/`%{` escaped, references left. */
  template(text: string): string {
    const parts = this.split(text);
    return parts
      .map((part, i) => {
        if (i % 2 === 1) return part;
        // "$" right before a reference would make Terraform read "$${" as an escape.
        if (part.endsWith("$") && i < parts.length - 1) throw new Error(`bug: a "$" stands right before the reference ${parts[i + 1]}`);
        return asTerraformLiteral(part);
      })
      .join("");
  }

  /** The most bytes the machine can receive for this text: each reference at its longest value. */
  deployedBytes(text: string): number {
    return this.split(text).reduce((sum, part, i) => sum + (i % 2 === 1 ? REF_MAX_CHARS : Buffer.byteLength(part)), 0);
  }
}
