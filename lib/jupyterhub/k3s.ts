import { agentFiles, secretPath, secretSlot, type Bundle } from "../agent/bundle.ts";
import { gzipBase64, metadataGuardBootcmd, renderVolumesScript, USER_DATA_MAX_BYTES } from "../cloud-init.ts";
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
 * - bootcmd: lets only root reach the metadata service (`templates/cloud-init/drover-metadata-guard.sh`),
 *   which hands out the user data and so the join token and, on the server, the cloud credential.
 * - write_files: k3s's configuration, the join token (0600), the systemd unit and, on the
 *   server, the auto-deploy manifests k3s applies when it starts (all 0600: some hold secrets).
 * - runcmd: `drover-k3s-install` fetches the pinned k3s release from GitHub, checks it against the
 *   release's SHA-256 list and starts the unit without waiting for it.
 *
 * Decisions, each for a reason:
 * - The server's own token is made by k3s at first start and never leaves the server; agents join
 *   with a separate agent token (`agentTokenRef`), which admits agents only, never servers. With
 *   `serverCa` (the construct always gives it) Terraform makes the cluster's server CA and the
 *   server's user data puts it where k3s looks before it first starts, so the CA is known before
 *   any machine boots: the agents get the token in its full form, `K10<sha256 of the CA>::node:<secret>`,
 *   and check the CA the server hands out at /cacerts against it before they send the secret; a
 *   machine that answers at the server's address with another CA learns nothing. (Without
 *   `serverCa` the token is the short form, and an agent trusts whatever answers first.) k3s
 *   makes its other CAs (client, request-header, etcd) itself, as it does for any it does not find.
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
 * - GPUs (`agentGpu`): the image brings the NVIDIA driver (Jetstream2's Featured images do; their
 *   vGPU slices need NVIDIA's licensed guest driver, which no public package provides), so drover
 *   installs none. Before k3s first starts, `drover-nvidia-setup` installs the pinned NVIDIA
 *   Container Toolkit from NVIDIA's apt repository (key checked against its fingerprint); k3s then
 *   finds `nvidia-container-runtime` and adds an `nvidia` runtime to containerd, and k3s (v1.28.4
 *   and later) ships the `nvidia` RuntimeClass itself. The script labels the node
 *   `nvidia.com/gpu.present=true` only when the driver answers and the toolkit is in, and NVIDIA's
 *   device plugin (a HelmChart on the server, run with that RuntimeClass) goes to labelled nodes
 *   only, tolerating the user taint: an agent whose GPU setup fails still joins, without GPUs.
 *   Containers get a GPU only when they name the RuntimeClass (the GPU profile must), never by
 *   default, so CPU users on a GPU node see none.
 * - Secrets at rest: Kubernetes Secrets are encrypted in k3s's datastore (`secrets-encryption`).
 *   The metadata guard covers processes on the machines; pods reach the metadata service through
 *   the pod network, where the chart blocks user pods (`singleuser.cloudMetadata` and its network
 *   policies, which k3s enforces): the values must keep those on.
 *
 * Like `renderClusterCloudInit`'s, the texts hold the references given (the agent token, the
 * credential, any in the chart values) for Terraform to fill; everything else is text, escaped
 * for Terraform at synthesis (lib/terraform/text.ts). A text is plain YAML when it fits Nova's
 * limit; when not, its files larger than 1 KiB that hold no reference are written gzip+base64
 * (Terraform cannot fill a reference inside a compressed file).
 */

export * from "./k3s-input.ts";
import {
  CINDER_CSI_CHART,
  COMPRESS_ABOVE_BYTES,
  CSI_VOLUMES_PER_NODE,
  DEFAULT_HUB_NAMESPACE,
  DEFAULT_POD_CIDR,
  DEFAULT_SERVICE_CIDR,
  DEFAULT_STORAGE_CLASS,
  GPU_NODE_LABEL,
  K3S_MANIFESTS,
  K3S_NAMES,
  K3S_PATHS,
  K3S_VERSION,
  type K3sAgentGpuInput,
  type K3sCloudInit,
  type K3sInput,
  type K3sOpenStackInput,
  NODE_PURPOSE_LABEL,
  NVIDIA_CONTAINER_TOOLKIT,
  NVIDIA_DEVICE_PLUGIN_CHART,
  NVIDIA_RUNTIME_CLASS,
  REFERENCE,
  REF_MAX_CHARS,
  SERVICELB_LABEL,
  SHARED_HOMES,
  USER_NODE_TAINT,
  checkK3sInput,
  readValuesTemplate,
} from "./k3s-input.ts";

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
 *   openstack: { authUrlRef: "${data.<auth scope>.scope.auth_url}", ... },
 * });
 * driver.createMachine(this, "Server", { ..., userData: userData.server });
 */
/** The file on the server holding the value of the chart values' n-th reference (a secret). */
const hubSecretName = (n: number) => `hub-value-${n}`;

/**
 * What of a k3s JupyterHub may change while it runs: the hub chart's manifest, values included
 * (profile, image, auth lists, admins, culling). drover-agent on the server writes it when it
 * differs, and k3s's helm-controller upgrades the release in place; user nodes added later are
 * new machines that join. The values' references (secrets) stay out of the bundle: the server's
 * user data writes each to a root-only file once, and the bundle names those files.
 */
export function hubBundle(input: K3sInput, construct: string): Bundle {
  const manifest = new Renderer(input, new References()).hubManifestForBundle();
  return { construct, files: [{ path: K3S_MANIFESTS.hub, content: manifest, mode: "0600", roles: ["k3s-server"] }] };
}

export function renderK3sCloudInit(input: K3sInput): K3sCloudInit {
  const problems = checkK3sInput(input);
  if (problems.length > 0) throw new Error(`k3s cluster input has problems:\n${problems.map((p) => `  ${p.code}: ${p.message}`).join("\n")}`);
  const refs = new References();
  const r = new Renderer(input, refs);
  const fit = (role: "server" | "agent", build: (compact: boolean) => string): string => {
    const plain = build(false);
    if (refs.deployedBytes(plain) <= USER_DATA_MAX_BYTES) return plain;
    const compact = build(true);
    const bytes = refs.deployedBytes(compact);
    if (bytes > USER_DATA_MAX_BYTES) {
      const values = Buffer.byteLength(input.hubValuesYaml);
      const why =
        r.valueRefs.length > 0
          ? `the chart values (${values} bytes) hold Terraform references, so they travel uncompressed`
          : `the chart values take ${values} bytes, ${gzipBase64(input.hubValuesYaml).length} compressed`;
      throw new Error(
        `the ${role} user data of JupyterHub cluster ${input.clusterName} takes up to ${bytes} bytes even compressed, more than the ${USER_DATA_MAX_BYTES} OpenStack accepts: ${why}; shorten them`,
      );
    }
    return compact;
  };
  return { server: fit("server", (c) => r.server(c)), agent: fit("agent", (c) => r.agent(c)) };
}

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  encoding?: "gz+b64" | "b64";
}

class Renderer {
  readonly valueRefs: readonly string[];
  private readonly values: string;

  constructor(
    private readonly input: K3sInput,
    private readonly refs: References,
  ) {
    const values = readValuesTemplate(input.hubValuesYaml);
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
    const charts = [K3S_NAMES.hubChart, ...(input.openstack ? [K3S_NAMES.cinderChart] : []), ...(input.agentGpu ? [K3S_NAMES.devicePluginChart] : [])];
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
      ...(input.agentGpu ? [this.devicePluginManifest(input.agentGpu)] : []),
      ...(input.sharedHomes ? this.sharedHomesFiles(input.sharedHomes) : []),
      ...(input.serverCa
        ? [
            { path: K3S_PATHS.serverCaCert, content: this.refs.add(input.serverCa.certB64Ref), permissions: "0644", encoding: "b64" as const },
            { path: K3S_PATHS.serverCaKey, content: this.refs.add(input.serverCa.keyB64Ref), permissions: "0600", encoding: "b64" as const },
          ]
        : []),
    ];
    // drover-agent keeps the chart's manifest as the stack says (hubBundle): k3s upgrades the
    // release whenever the file changes. The values' references are secrets: root's files here.
    const agent = input.agent ? agentFiles("k3s-server", "openstack") : undefined;
    if (agent) {
      files.push(...this.valueRefs.map((ref, i) => ({ path: secretPath(hubSecretName(i)), content: ref, permissions: "0600" })), ...agent.files);
    }
    // Before the install, which stays the last command: its failure is cloud-init's. The agent's
    // service waits for cloud-init's end (After=cloud-final).
    const start = agent ? [agent.start.join(" ")] : [];
    if (!input.sharedHomes) return this.document("server", files, [...start, K3S_PATHS.installProgram], compact);
    return this.document("server", files, ["systemctl enable --now drover-volumes.timer", ...start, K3S_PATHS.installProgram], compact, ["nfs-kernel-server"]);
  }

  /** The hub chart's manifest with its values' references named as the machine's secret files. */
  hubManifestForBundle(): string {
    return this.valueRefs.reduce((text, ref, i) => text.split(ref).join(secretSlot(hubSecretName(i))), this.hubManifest());
  }

  /**
   * Shared homes on the server: the volume service (templates/cloud-init/drover-volumes.sh)
   * mounts the home volume, its hook exports it to the subnet once mounted, and k3s applies a
   * PersistentVolume for the export with the claim the hub's values name. The PersistentVolume
   * is Retain, so no Kubernetes deletion touches the users' files; the volume itself is
   * Terraform's, protected like every stateful volume.
   */
  private sharedHomesFiles(homes: { readonly sizeGiB: number }): WriteFile[] {
    const namespace = this.input.hubNamespace ?? DEFAULT_HUB_NAMESPACE;
    const capacity = `${homes.sizeGiB}Gi`;
    // A cluster-wide name, so the cluster's own: Kubernetes names are lower case.
    const volumeName = `${this.input.clusterName.toLowerCase().replace(/[^a-z0-9-]/g, "-")}-homes`;
    const docs = [
      // The chart's release creates it too; the claim needs it first.
      { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: volumeName },
        spec: {
          capacity: { storage: capacity },
          accessModes: ["ReadWriteMany"],
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: "",
          mountOptions: ["nfsvers=4.2", "hard"],
          nfs: { server: this.input.serverAddress, path: SHARED_HOMES.exportPath },
          claimRef: { namespace, name: SHARED_HOMES.pvcName },
        },
      },
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: SHARED_HOMES.pvcName, namespace },
        spec: { accessModes: ["ReadWriteMany"], storageClassName: "", volumeName, resources: { requests: { storage: capacity } } },
      },
    ];
    const hook = renderTemplate(
      "jupyterhub/drover-hub-homes.sh",
      { exportPath: SHARED_HOMES.exportPath, cidr: this.input.subnetCidr, uid: String(SHARED_HOMES.uid), gid: String(SHARED_HOMES.gid) },
      { shell: true },
    );
    return [
      { path: "/usr/local/sbin/drover-volumes", content: renderVolumesScript("root", "openstack"), permissions: "0755" },
      { path: "/etc/systemd/system/drover-volumes.service", content: readTemplate("cloud-init/drover-volumes.service"), permissions: "0644" },
      { path: "/etc/systemd/system/drover-volumes.timer", content: readTemplate("cloud-init/drover-volumes.timer"), permissions: "0644" },
      { path: SHARED_HOMES.hook, content: hook, permissions: "0755" },
      { path: K3S_MANIFESTS.homes, content: this.manifest(`the users' shared homes of JupyterHub cluster ${this.input.clusterName}`, docs), permissions: "0600" },
    ];
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
    const files = [this.configFile("agent", config), this.tokenFile(K3S_PATHS.token, input.serverCa?.hashRef), this.unitFile("agent"), this.installProgram("agent")];
    // The kubelet mounts the shared homes' NFS export for the users' pods: it needs the client.
    const packages = input.sharedHomes ? ["nfs-common"] : [];
    if (!input.agentGpu) return this.document("agent", files, [K3S_PATHS.installProgram], compact, packages);
    // Before k3s: k3s looks for the NVIDIA runtime, and reads the label drop-in, when it first
    // starts. Two commands, so that k3s starts (without GPUs) when the GPU setup fails.
    files.push(this.nvidiaProgram(input.agentGpu));
    return this.document("agent", files, [K3S_PATHS.nvidiaProgram, K3S_PATHS.installProgram], compact, packages);
  }

  private document(role: "server" | "agent", files: WriteFile[], runcmd: string[], compact: boolean, packages: string[] = []): string {
    const keys = (this.input.adminSshKeys ?? []).map((k) => (parseSshPublicKey(k) as { key: { line: string } }).key.line);
    const doc = {
      ssh_pwauth: false,
      disable_root: true,
      ...(keys.length > 0 ? { ssh_authorized_keys: keys } : {}),
      // At every boot, in cloud-init's network stage: before any login or service.
      bootcmd: [metadataGuardBootcmd()],
      ...(packages.length > 0 ? { packages } : {}),
      write_files: compact ? files.map((f) => this.compress(f)) : files,
      runcmd,
    };
    const header = `#cloud-config\n# drover: k3s ${role} of JupyterHub cluster ${this.input.clusterName}\n`;
    return header + this.toYaml(doc);
  }

  private configFile(role: "server" | "agent", config: object): WriteFile {
    const comment = `drover: k3s ${role} of JupyterHub cluster ${this.input.clusterName} (flags of \`k3s ${role}\`, without the dashes)`;
    return { path: K3S_PATHS.config, content: `# ${comment}\n${this.toYaml(config)}`, permissions: "0644" };
  }

  /**
   * The join token alone, no line break: k3s takes the file's content as the token. With the
   * CA's hash (an agent's), the full form `K10<hash>::node:<secret>` (k3s's user for agent tokens).
   */
  private tokenFile(path: string, caHashRef?: string): WriteFile {
    const secret = this.refs.add(this.input.agentTokenRef);
    return { path, content: caHashRef ? `K10${this.refs.add(caHashRef)}::node:${secret}` : secret, permissions: "0600" };
  }

  private unitFile(role: "server" | "agent"): WriteFile {
    return { path: `/etc/systemd/system/${unitName(role)}.service`, content: renderTemplate("jupyterhub/k3s.service", { role }), permissions: "0644" };
  }

  private installProgram(role: "server" | "agent"): WriteFile {
    const content = renderTemplate("jupyterhub/drover-k3s-install.sh", { version: this.input.k3sVersion ?? K3S_VERSION, unit: unitName(role) }, { shell: true });
    return { path: K3S_PATHS.installProgram, content, permissions: "0755" };
  }

  private nvidiaProgram(gpu: K3sAgentGpuInput): WriteFile {
    const values = {
      version: gpu.containerToolkitVersion ?? NVIDIA_CONTAINER_TOOLKIT.version,
      repo: NVIDIA_CONTAINER_TOOLKIT.repo,
      keyUrl: NVIDIA_CONTAINER_TOOLKIT.keyUrl,
      keyFingerprint: NVIDIA_CONTAINER_TOOLKIT.keyFingerprint,
      label: `${GPU_NODE_LABEL.key}=${GPU_NODE_LABEL.value}`,
      dropIn: K3S_PATHS.gpuConfig,
    };
    return { path: K3S_PATHS.nvidiaProgram, content: renderTemplate("jupyterhub/drover-nvidia-setup.sh", values, { shell: true }), permissions: "0755" };
  }

  /**
   * NVIDIA's device plugin, on the labelled agents only: it must run with the NVIDIA runtime to see
   * the GPUs, and tolerate the taint that keeps everything but user pods off the agents.
   */
  private devicePluginManifest(gpu: K3sAgentGpuInput): WriteFile {
    const [, key, value, effect] = /^([^=]+)=([^:]+):(\w+)$/.exec(USER_NODE_TAINT)!;
    const chartValues = {
      runtimeClassName: NVIDIA_RUNTIME_CLASS,
      nodeSelector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
      // The chart's own two, which a list given here would otherwise drop, and the user taint.
      tolerations: [
        { key: "CriticalAddonsOnly", operator: "Exists" },
        { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
        { key, operator: "Equal", value, effect },
      ],
    };
    const chart = {
      apiVersion: "helm.cattle.io/v1",
      kind: "HelmChart",
      metadata: { name: K3S_NAMES.devicePluginChart, namespace: "kube-system" },
      spec: {
        repo: NVIDIA_DEVICE_PLUGIN_CHART.repo,
        chart: NVIDIA_DEVICE_PLUGIN_CHART.name,
        version: gpu.devicePluginChartVersion ?? NVIDIA_DEVICE_PLUGIN_CHART.version,
        // The chart refuses the default namespace; system-node-critical pods belong here.
        targetNamespace: "kube-system",
        valuesContent: this.toYaml(chartValues),
      },
    };
    const content = this.manifest(`NVIDIA's device plugin on the GPU agents of JupyterHub cluster ${this.input.clusterName}`, [chart]);
    return { path: K3S_MANIFESTS.devicePlugin, content, permissions: "0600" };
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
    const CSI_ATTACH_LIMIT = CSI_VOLUMES_PER_NODE;
    const value = (v: string) => `"${REFERENCE.test(v) ? this.refs.add(v) : v}"`;
    // gcfg (the driver's INI reader) takes quoted values literally: ';' and '#' stay.
    const cloudConf = [
      "[Global]",
      `auth-url=${value(os.authUrlRef)}`,
      `application-credential-id=${value(os.applicationCredentialIdRef)}`,
      `application-credential-secret=${value(os.applicationCredentialSecretRef)}`,
      `region=${value(os.regionRef)}`,
      // A KVM guest takes about 25 disks, its root disk one of them: the scheduler then puts no
      // more home volumes on a node than it can attach (the driver's default is 256).
      "[BlockStorage]",
      `node-volume-attach-limit=${CSI_ATTACH_LIMIT}`,
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

/**
 * The Terraform references in the texts. They stand in the documents as they are (the text the
 * machine gets holds the value there).
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

  /** The most bytes the machine can receive for this text: each reference at its longest value. */
  deployedBytes(text: string): number {
    return this.split(text).reduce((sum, part, i) => sum + (i % 2 === 1 ? REF_MAX_CHARS : Buffer.byteLength(part)), 0);
  }
}
