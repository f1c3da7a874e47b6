import { execFileSync, spawnSync } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { USER_DATA_MAX_BYTES } from "../../lib/cloud-init.ts";
import {
  CINDER_CSI_CHART,
  GPU_NODE_LABEL,
  K3S_MANIFESTS,
  K3S_PATHS,
  K3S_VERSION,
  NVIDIA_CONTAINER_TOOLKIT,
  NVIDIA_DEVICE_PLUGIN_CHART,
  checkK3sInput,
  renderK3sCloudInit,
  type K3sCloudInit,
  type K3sInput,
} from "../../lib/jupyterhub/k3s.ts";
import { CHART_VERSION } from "../../lib/jupyterhub/values-schema.ts";
import { readTemplate, renderTemplate } from "../../lib/templates.ts";
import { yaml } from "../../lib/vendor.ts";
import { testPublicKey } from "../support/keys.ts";
import { TerraformDir } from "../support/terraform.ts";
import { hasTool, runTool } from "../support/tools.ts";
import { asSynthesized, decoded, deployText, type WriteFile } from "../support/cloud-init.ts";

const dir = mkdtempSync(join(tmpdir(), "drover-k3s-cloud-init-"));

/** Fake references, shaped like the construct's; the values only Terraform would know. */
const REF = {
  token: "${random_password.agent_token.result}",
  authUrl: "${data.openstack_identity_auth_scope_v3.scope.auth_url}",
  region: "${data.openstack_identity_auth_scope_v3.scope.region}",
  credId: "${openstack_identity_application_credential_v3.hub.id}",
  credSecret: "${openstack_identity_application_credential_v3.hub.secret}",
  oauthSecret: "${var.github_client_secret}",
};
const SECRET_REFS = [REF.token, REF.credSecret, REF.oauthSecret];
const FAKE_VALUES: Record<string, string> = {
  [REF.token]: "FakeAgentToken0123456789abcdefghijklmnopqrstuvwxyz",
  [REF.authUrl]: "https://js2.jetstream-cloud.org:5000/v3/",
  [REF.region]: "FAKE-REGION-IU",
  [REF.credId]: "0f3c9a4e7b2d4c1e8a6f5b3d2c1e0f9a",
  // Characters an INI or YAML reader could trip on, as a Keystone-made secret never has them.
  [REF.credSecret]: "FAKE-CRED-SECRET;#: {x}-" + "y".repeat(60),
  [REF.oauthSecret]: "FAKE-OAUTH-SECRET-0123456789",
};

/** Chart values as `renderHubValues(...).yaml` gives them: text, with a reference. */
const VALUES = [
  "# zero-to-jupyterhub values, written by drover",
  "hub:",
  "  config:",
  "    GitHubOAuthenticator:",
  `      client_secret: "${REF.oauthSecret}"`,
  "    JupyterHub:",
  "      authenticator_class: github",
  "  extraConfig:",
  "    banner: |",
  '      c.JupyterHub.template_vars = {"greeting": "${USER} on %{host}"}',
  "proxy:",
  "  service:",
  "    type: LoadBalancer",
  "singleuser:",
  "  storage:",
  "    capacity: 10Gi",
  "",
].join("\n");

const BASE: K3sInput = {
  clusterName: "class-hub",
  serverAddress: "10.20.0.10",
  subnetCidr: "10.20.0.0/24",
  agentTokenRef: REF.token,
  adminSshKeys: [testPublicKey("ta@lab", 1), testPublicKey("prof@laptop", 2)],
  hubValuesYaml: VALUES,
  openstack: {
    authUrlRef: REF.authUrl,
    regionRef: REF.region,
    applicationCredentialIdRef: REF.credId,
    applicationCredentialSecretRef: REF.credSecret,
  },
};
const { openstack: _, ...PLAIN } = BASE;
/** Jetstream2 g3 agents: the defaults of NVIDIA's pieces. */
const GPU: K3sInput = { ...BASE, agentGpu: {} };
const SCENARIOS: Record<string, K3sInput> = {
  "OpenStack cluster": BASE,
  "cluster without cloud storage": { ...PLAIN, adminSshKeys: [], agentLabels: { "drover.dev/pool": "cpu" }, hubNamespace: "hub" },
  "OpenStack cluster with GPU agents": GPU,
};

const deploy = (text: string, values: Record<string, string> = FAKE_VALUES): string => deployText(text, values);

interface Doc {
  ssh_authorized_keys?: string[];
  bootcmd: unknown[][];
  write_files: WriteFile[];
  runcmd: string[];
  [key: string]: unknown;
}

const parse = (text: string): Doc => yaml().parse(text) as Doc;
const fileAt = (doc: Doc, path: string): WriteFile => {
  const f = doc.write_files.find((w) => w.path === path);
  if (!f) throw new Error(`no file ${path} in ${doc.write_files.map((w) => w.path).join(", ")}`);
  return f;
};
/** A file's content as the machine writes it. */
/** A role's user data as the machine gets it, parsed. */
const machine = (text: string, values = FAKE_VALUES): Doc => parse(deploy(text, values));
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects of every kind, read by the assertions
type KubeObject = Record<string, any>;
/** The Kubernetes objects in a manifest file. */
const objects = (f: WriteFile): KubeObject[] =>
  yaml()
    .parseAllDocuments(decoded(f))
    .map((d) => d.toJS() as KubeObject);
const roles = (out: K3sCloudInit) => Object.entries(out) as Array<[string, string]>;

const built = Object.fromEntries(Object.entries(SCENARIOS).map(([name, input]) => [name, renderK3sCloudInit(input)]));
const openstack = built["OpenStack cluster"]!;
const bare = built["cluster without cloud storage"]!;
const gpu = built["OpenStack cluster with GPU agents"]!;

/** Chart values of some 150 KB that hold no reference: a long profile list. */
function bigValues(withRef: boolean): string {
  const profiles = Array.from({ length: 700 }, (_, i) =>
    [
      `    - display_name: "Course ${i} environment (${(i * 7919) % 1000} MB)"`,
      `      description: "Section ${i}: ${(i * 104729).toString(36)} with ${i % 9} extras"`,
      "      kubespawner_override:",
      `        image: quay.io/jupyter/scipy-notebook:2025-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}`,
      `        mem_limit: ${(i % 16) + 1}G`,
    ].join("\n"),
  );
  return `${withRef ? `hub:\n  config:\n    GitHubOAuthenticator:\n      client_secret: "${REF.oauthSecret}"\n` : ""}singleuser:\n  profileList:\n${profiles.join("\n")}\n`;
}

describe("renderK3sCloudInit", () => {
  describe.each(Object.keys(SCENARIOS))("%s", (name) => {
    const out = built[name]!;

    it("gives both roles a #cloud-config that turns off password and root logins", () => {
      for (const [, text] of roles(out)) {
        expect(text.startsWith("#cloud-config\n")).toBe(true);
        expect(parse(text)).toMatchObject({ ssh_pwauth: false, disable_root: true });
      }
    });

    it("is a Terraform template whose only expressions are the references", () => {
      for (const [, text] of roles(out)) expect(() => deploy(text)).not.toThrow();
    });

    it("matches the reviewed summary", () => {
      // What each role writes and runs; contents are checked below.
      const summary = Object.fromEntries(
        roles(out).map(([role, text]) => {
          const doc = parse(text);
          return [
            role,
            {
              keys: doc.ssh_authorized_keys?.length ?? 0,
              files: doc.write_files.map((f) => [f.path, f.permissions, f.encoding].filter(Boolean).join(" ")),
              config: decoded(fileAt(doc, K3S_PATHS.config)),
              runcmd: doc.runcmd,
            },
          ];
        }),
      );
      expect(summary).toMatchSnapshot();
    });
  });

  it("lets the image's account in with the admin keys only", () => {
    for (const [, text] of roles(openstack)) expect(parse(text).ssh_authorized_keys).toEqual([testPublicKey("ta@lab", 1), testPublicKey("prof@laptop", 2)]);
    for (const [, text] of roles(bare)) expect(parse(text)).not.toHaveProperty("ssh_authorized_keys");
  });

  it("blocks the metadata service for everyone but root at every boot, with the Slurm nodes' guard", () => {
    for (const [, text] of roles(openstack)) {
      expect(machine(text).bootcmd).toEqual([["bash", "-c", readTemplate("cloud-init/drover-metadata-guard.sh"), "drover-metadata-guard"]]);
    }
  });

  it("installs the pinned k3s release on both roles and starts each role's unit", () => {
    for (const [role, text] of roles(openstack)) {
      const doc = machine(text);
      const unit = role === "server" ? "k3s" : "k3s-agent";
      expect(doc.runcmd).toEqual([K3S_PATHS.installProgram]);
      expect(decoded(fileAt(doc, K3S_PATHS.installProgram))).toBe(renderTemplate("jupyterhub/drover-k3s-install.sh", { version: K3S_VERSION, unit }, { shell: true }));
      expect(fileAt(doc, K3S_PATHS.installProgram).permissions).toBe("0755");
      const service = decoded(fileAt(doc, `/etc/systemd/system/${unit}.service`));
      expect(service).toContain(`\nExecStart=/usr/local/bin/k3s ${role}\n`);
      expect(service).toContain("\nKillMode=process\n");
    }
    expect(parse(renderK3sCloudInit({ ...BASE, k3sVersion: "v1.34.2+k3s1" }).agent).write_files.find((f) => f.path === K3S_PATHS.installProgram)!.content).toContain('version="v1.34.2+k3s1"');
  });

  describe("the agents", () => {
    const doc = machine(openstack.agent);
    const config = yaml().parse(decoded(fileAt(doc, K3S_PATHS.config))) as Record<string, unknown>;

    it("join the server's fixed address with the agent token, from a root-only file", () => {
      expect(config).toMatchObject({ server: "https://10.20.0.10:6443", "token-file": K3S_PATHS.token, "with-node-id": true });
      // The reference alone, no line break: the file's content is the token.
      expect(fileAt(parse(openstack.agent), K3S_PATHS.token)).toEqual({ path: K3S_PATHS.token, content: REF.token, permissions: "0600" });
    });

    it("are user nodes, tainted so that only user pods land there", () => {
      expect(config["node-label"]).toEqual(["hub.jupyter.org/node-purpose=user"]);
      expect(config["node-taint"]).toEqual(["hub.jupyter.org/dedicated=user:NoSchedule"]);
      const pool = yaml().parse(decoded(fileAt(parse(bare.agent), K3S_PATHS.config))) as Record<string, unknown>;
      expect(pool["node-label"]).toEqual(["hub.jupyter.org/node-purpose=user", "drover.dev/pool=cpu"]);
    });

    it("keep the planner's system reserve from pods when given one, and k3s's default otherwise", () => {
      const reserved = renderK3sCloudInit({ ...PLAIN, agentReserved: { cpuMilli: 500, memoryMiB: 7424 } });
      const withReserve = yaml().parse(decoded(fileAt(parse(reserved.agent), K3S_PATHS.config))) as Record<string, unknown>;
      expect(withReserve["kubelet-arg"]).toEqual(["system-reserved=cpu=500m,memory=7424Mi"]);
      expect(config).not.toHaveProperty("kubelet-arg");
    });

    it("carry nothing of the server's: no manifests, no status program, no cloud credential", () => {
      expect(doc.write_files.map((f) => f.path)).toEqual([K3S_PATHS.config, K3S_PATHS.token, "/etc/systemd/system/k3s-agent.service", K3S_PATHS.installProgram]);
    });
  });

  describe("the server", () => {
    const doc = machine(openstack.server);
    const config = yaml().parse(decoded(fileAt(doc, K3S_PATHS.config))) as Record<string, unknown>;

    it("admits agents with the agent token, keeps its own, and encrypts Secrets at rest", () => {
      expect(config).toMatchObject({ "node-ip": "10.20.0.10", "agent-token-file": K3S_PATHS.agentToken, "secrets-encryption": true, "write-kubeconfig-mode": "0600" });
      expect(config).not.toHaveProperty("token");
      expect(fileAt(parse(openstack.server), K3S_PATHS.agentToken)).toEqual({ path: K3S_PATHS.agentToken, content: REF.token, permissions: "0600" });
    });

    it("is the core node and the only one ServiceLB puts the proxy's ports on", () => {
      expect(config["node-label"]).toEqual(["hub.jupyter.org/node-purpose=core", "svccontroller.k3s.cattle.io/enablelb=true"]);
      expect(config).not.toHaveProperty("node-taint");
    });

    it("leaves 80/443 to the chart's proxy (no Traefik), and local-path storage only where Cinder is missing", () => {
      expect(config.disable).toEqual(["traefik", "local-storage"]);
      expect((yaml().parse(decoded(fileAt(parse(bare.server), K3S_PATHS.config))) as Record<string, unknown>).disable).toEqual(["traefik"]);
    });

    it("gives pods and services k3s's ranges, with cluster DNS inside the services', or the ones asked for", () => {
      expect(config).toMatchObject({ "cluster-cidr": "10.42.0.0/16", "service-cidr": "10.43.0.0/16", "cluster-dns": "10.43.0.10" });
      const other = renderK3sCloudInit({ ...BASE, subnetCidr: "10.42.0.0/24", serverAddress: "10.42.0.5", podCidr: "10.100.0.0/16", serviceCidr: "10.101.0.0/20" });
      expect(yaml().parse(decoded(fileAt(machine(other.server), K3S_PATHS.config)))).toMatchObject({ "cluster-cidr": "10.100.0.0/16", "service-cidr": "10.101.0.0/20", "cluster-dns": "10.101.0.10" });
    });

    it("installs zero-to-jupyterhub with a HelmChart carrying the values verbatim", () => {
      const file = fileAt(doc, K3S_MANIFESTS.hub);
      expect(file.permissions).toBe("0600");
      const [chart, ...rest] = objects(file);
      expect(rest).toEqual([]);
      expect(chart).toEqual({
        apiVersion: "helm.cattle.io/v1",
        kind: "HelmChart",
        metadata: { name: "jupyterhub", namespace: "kube-system" },
        spec: {
          repo: "https://hub.jupyter.org/helm-chart/",
          chart: "jupyterhub",
          version: CHART_VERSION,
          targetNamespace: "jhub",
          createNamespace: true,
          failurePolicy: "abort",
          valuesContent: deploy(VALUES),
        },
      });
      // Literal "${" and "%{" reach the chart as written, and so does the secret's value.
      expect(chart!.spec.valuesContent).toContain('"${USER} on %{host}"');
      expect(chart!.spec.valuesContent).toContain(`client_secret: "${FAKE_VALUES[REF.oauthSecret]}"`);
      const other = objects(fileAt(machine(bare.server), K3S_MANIFESTS.hub))[0]!;
      expect(other.spec).toMatchObject({ targetNamespace: "hub", valuesContent: deploy(VALUES) });
    });

    it("on OpenStack: the Cinder CSI chart, its credential Secret and the default StorageClass", () => {
      const [secret, ...more] = objects(fileAt(doc, K3S_MANIFESTS.cinderCloudConfig));
      expect(more).toEqual([]);
      expect(secret).toEqual({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "cinder-csi-cloud-config", namespace: "kube-system" },
        type: "Opaque",
        stringData: {
          "cloud.conf": [
            "[Global]",
            `auth-url="${FAKE_VALUES[REF.authUrl]}"`,
            `application-credential-id="${FAKE_VALUES[REF.credId]}"`,
            `application-credential-secret="${FAKE_VALUES[REF.credSecret]}"`,
            `region="${FAKE_VALUES[REF.region]}"`,
            // No more home volumes on a node than a KVM guest can attach (about 25 disks, the root one included).
            "[BlockStorage]",
            "node-volume-attach-limit=24",
            "",
          ].join("\n"),
        },
      });
      const [chart, storageClass, ...rest] = objects(fileAt(doc, K3S_MANIFESTS.cinder));
      expect(rest).toEqual([]);
      expect(chart).toMatchObject({
        apiVersion: "helm.cattle.io/v1",
        kind: "HelmChart",
        metadata: { name: "openstack-cinder-csi", namespace: "kube-system" },
        spec: { repo: "https://kubernetes.github.io/cloud-provider-openstack", chart: "openstack-cinder-csi", version: CINDER_CSI_CHART.version, targetNamespace: "kube-system" },
      });
      // The chart mounts drover's Secret, makes no StorageClass of its own, and tags volumes with the cluster.
      expect(yaml().parse(chart!.spec.valuesContent)).toEqual({
        secret: { enabled: true, create: false, name: "cinder-csi-cloud-config", hostMount: false },
        storageClass: { enabled: false },
        clusterID: "class-hub",
      });
      expect(storageClass).toEqual({
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: "cinder", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: "cinder.csi.openstack.org",
        reclaimPolicy: "Delete",
        allowVolumeExpansion: true,
        volumeBindingMode: "WaitForFirstConsumer",
      });
      const named = renderK3sCloudInit({ ...BASE, openstack: { ...BASE.openstack!, regionRef: "IU", storageClassName: "volumes", cinderCsiChartVersion: "2.34.3" } });
      const [namedChart, namedClass] = objects(fileAt(machine(named.server), K3S_MANIFESTS.cinder));
      expect(namedChart!.spec.version).toBe("2.34.3");
      expect(namedClass!.metadata.name).toBe("volumes");
      expect(objects(fileAt(machine(named.server), K3S_MANIFESTS.cinderCloudConfig))[0]!.stringData["cloud.conf"]).toContain('\nregion="IU"\n');
    });

    it("without cloud storage: no Cinder files", () => {
      const paths = parse(bare.server).write_files.map((f) => f.path);
      expect(paths.filter((p) => p.startsWith(K3S_PATHS.manifests))).toEqual([K3S_MANIFESTS.hub]);
    });

    it("has drover-hub-status, naming the chart's namespace and the charts k3s installs", () => {
      const status = fileAt(doc, K3S_PATHS.statusProgram);
      expect(status.permissions).toBe("0755");
      expect(decoded(status)).toBe(renderTemplate("jupyterhub/drover-hub-status.sh", { namespace: "jhub", charts: "jupyterhub openstack-cinder-csi" }, { shell: true }));
      expect(decoded(fileAt(machine(bare.server), K3S_PATHS.statusProgram))).toContain('\nnamespace="hub"\ncharts="jupyterhub"\n');
    });
  });

  describe("with GPU agents", () => {
    const agent = machine(gpu.agent);
    const server = machine(gpu.server);
    const setupScript = (values: Partial<Record<string, string>> = {}) =>
      renderTemplate(
        "jupyterhub/drover-nvidia-setup.sh",
        {
          version: "1.19.1-1",
          repo: "https://nvidia.github.io/libnvidia-container/stable/deb",
          keyUrl: "https://nvidia.github.io/libnvidia-container/gpgkey",
          keyFingerprint: "C95B321B61E88C1809C4F759DDCAE044F796ECB0",
          label: "nvidia.com/gpu.present=true",
          dropIn: "/etc/rancher/k3s/config.yaml.d/50-drover-nvidia.yaml",
          ...values,
        } as Record<string, string>,
        { shell: true },
      );

    it("agents set up NVIDIA's container toolkit, pinned and key-checked, before k3s first starts", () => {
      expect(agent.runcmd).toEqual([K3S_PATHS.nvidiaProgram, K3S_PATHS.installProgram]);
      const setup = fileAt(agent, K3S_PATHS.nvidiaProgram);
      expect(setup.permissions).toBe("0755");
      expect(decoded(setup)).toBe(setupScript());
      const other = renderK3sCloudInit({ ...GPU, agentGpu: { containerToolkitVersion: "1.20.0-1" } });
      expect(decoded(fileAt(machine(other.agent), K3S_PATHS.nvidiaProgram))).toBe(setupScript({ version: "1.20.0-1" }));
    });

    it("agents get the GPU label from the setup script, once GPUs work, not from their configuration", () => {
      const config = yaml().parse(decoded(fileAt(agent, K3S_PATHS.config))) as Record<string, unknown>;
      expect(config["node-label"]).toEqual(["hub.jupyter.org/node-purpose=user"]);
      expect(config["node-taint"]).toEqual(["hub.jupyter.org/dedicated=user:NoSchedule"]);
      expect(agent.write_files.map((f) => f.path)).not.toContain(K3S_PATHS.gpuConfig);
      expect(decoded(fileAt(agent, K3S_PATHS.nvidiaProgram))).toContain('\nlabel="nvidia.com/gpu.present=true"\ndropin="/etc/rancher/k3s/config.yaml.d/50-drover-nvidia.yaml"\n');
    });

    it("the server installs NVIDIA's device plugin on the labelled, tainted agents, with the NVIDIA runtime", () => {
      const file = fileAt(server, K3S_MANIFESTS.devicePlugin);
      expect(file.permissions).toBe("0600");
      const [chart, ...rest] = objects(file);
      expect(rest).toEqual([]);
      expect(chart).toEqual({
        apiVersion: "helm.cattle.io/v1",
        kind: "HelmChart",
        metadata: { name: "nvidia-device-plugin", namespace: "kube-system" },
        spec: {
          repo: "https://nvidia.github.io/k8s-device-plugin",
          chart: "nvidia-device-plugin",
          version: "0.19.3",
          targetNamespace: "kube-system",
          valuesContent: expect.any(String),
        },
      });
      expect(yaml().parse(chart!.spec.valuesContent)).toEqual({
        runtimeClassName: "nvidia",
        nodeSelector: { "nvidia.com/gpu.present": "true" },
        tolerations: [
          { key: "CriticalAddonsOnly", operator: "Exists" },
          { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
          { key: "hub.jupyter.org/dedicated", operator: "Equal", value: "user", effect: "NoSchedule" },
        ],
      });
      const pinned = renderK3sCloudInit({ ...GPU, agentGpu: { devicePluginChartVersion: "0.20.0" } });
      expect(objects(fileAt(machine(pinned.server), K3S_MANIFESTS.devicePlugin))[0]!.spec.version).toBe("0.20.0");
    });

    it("leaves the nvidia RuntimeClass to k3s, which ships it: no manifest makes one", () => {
      const kinds = server.write_files.filter((f) => f.path.startsWith(K3S_PATHS.manifests)).flatMap((f) => objects(f).map((o) => `${f.path.split("/").pop()}: ${o.kind}`));
      expect(kinds).toEqual([
        "drover-jupyterhub.yaml: HelmChart",
        "drover-cinder-csi-cloud-config.yaml: Secret",
        "drover-cinder-csi.yaml: HelmChart",
        "drover-cinder-csi.yaml: StorageClass",
        "drover-nvidia-device-plugin.yaml: HelmChart",
      ]);
    });

    it("drover-hub-status also reports the device plugin's chart", () => {
      expect(decoded(fileAt(server, K3S_PATHS.statusProgram))).toContain('\ncharts="jupyterhub openstack-cinder-csi nvidia-device-plugin"\n');
    });

    it("without agentGpu, nothing of NVIDIA's: no setup, no label, no device plugin", () => {
      for (const out of [openstack, bare]) {
        for (const [role, text] of roles(out)) {
          const doc = machine(text);
          expect(doc.runcmd).toEqual([K3S_PATHS.installProgram]);
          // drover-hub-status shows GPU counts wherever a node has some; nothing else names NVIDIA.
          const naming = doc.write_files.filter((f) => f.path !== K3S_PATHS.statusProgram && /nvidia/i.test(decoded(f))).map((f) => f.path);
          expect({ role, naming }).toEqual({ role, naming: [] });
        }
      }
    });

    it("the constants are the pins the scripts and manifests use", () => {
      expect(NVIDIA_CONTAINER_TOOLKIT.version).toBe("1.19.1-1");
      expect(NVIDIA_DEVICE_PLUGIN_CHART.version).toBe("0.19.3");
      expect(GPU_NODE_LABEL).toEqual({ key: "nvidia.com/gpu.present", value: "true" });
    });
  });

  it("pastes every reference verbatim, and secrets only into root-only files", () => {
    const secretFiles = new Set<string>([K3S_PATHS.agentToken, K3S_PATHS.token, K3S_MANIFESTS.cinderCloudConfig, K3S_MANIFESTS.hub]);
    for (const ref of Object.values(REF)) expect({ ref, found: openstack.server.includes(ref) }).toEqual({ ref, found: true });
    for (const [role, text] of roles(openstack)) {
      for (const f of parse(text).write_files) {
        const content = decoded(f);
        const holds = SECRET_REFS.filter((ref) => content.includes(ref));
        if (holds.length > 0) expect({ role, path: f.path, rootOnly: f.permissions === "0600" && f.owner === undefined && secretFiles.has(f.path) }).toEqual({ role, path: f.path, rootOnly: true });
      }
      // No value Terraform fills ever appears in the rendered text.
      for (const value of Object.values(FAKE_VALUES)) expect({ role, value, found: text.includes(value) }).toEqual({ role, value, found: false });
    }
    expect(openstack.agent).not.toContain(REF.credSecret);
    expect(openstack.agent).not.toContain(REF.oauthSecret);
  });

  it("takes cdktf tokens as references: cdktf puts the Terraform expressions in at synth", () => {
    const token = (n: number) => `\${TfToken[TOKEN.${n}]}`;
    const input = { ...BASE, agentTokenRef: token(1), openstack: { ...BASE.openstack!, applicationCredentialSecretRef: token(2) } };
    expect(checkK3sInput(input)).toEqual([]);
    const out = renderK3sCloudInit(input);
    expect(fileAt(parse(out.agent), K3S_PATHS.token).content).toBe(token(1));
    expect(deploy(out.server, { ...FAKE_VALUES, [token(1)]: "t", [token(2)]: "s" })).toContain('application-credential-secret="s"');
  });

  describe("GIVEN the server CA from Terraform (serverCa) THEN agents join with the full token, which pins that CA", () => {
    // A real CA, as tls_self_signed_cert gives it: PEM text ending in a line break.
    const caDir = mkdtempSync(join(tmpdir(), "drover-k3s-ca-"));
    const caKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
    writeFileSync(join(caDir, "ca.key"), caKey);
    const caCert = execFileSync("openssl", ["req", "-x509", "-new", "-key", join(caDir, "ca.key"), "-subj", "/CN=class-hub-server-ca", "-days", "3650"], { encoding: "utf8" });
    const CA = { certB64Ref: "${local.hub_ca_cert_b64}", keyB64Ref: "${local.hub_ca_key_b64}", hashRef: "${local.hub_ca_hash}" };
    // What Terraform fills in: base64encode() of each PEM, sha256() of the certificate's PEM.
    const values = {
      ...FAKE_VALUES,
      [CA.certB64Ref]: Buffer.from(caCert).toString("base64"),
      [CA.keyB64Ref]: Buffer.from(caKey).toString("base64"),
      [CA.hashRef]: createHash("sha256").update(caCert).digest("hex"),
    };
    const out = renderK3sCloudInit({ ...BASE, serverCa: CA });
    const server = parse(deploy(out.server, values));
    const agent = parse(deploy(out.agent, values));

    it("puts the CA where k3s looks before it first starts, the key root-only", () => {
      expect(decoded(fileAt(server, K3S_PATHS.serverCaCert))).toBe(caCert);
      expect(decoded(fileAt(server, K3S_PATHS.serverCaKey))).toBe(caKey);
      expect(fileAt(server, K3S_PATHS.serverCaKey).permissions).toBe("0600");
      // The rendered text holds the references only.
      expect(out.server).not.toContain(values[CA.keyB64Ref]);
      expect(out.server).not.toContain("BEGIN EC PRIVATE KEY");
    });

    it("gives agents K10<sha256 of the CA file the server serves at /cacerts>::node:<secret>; the server keeps the secret alone", () => {
      // k3s hashes a single-certificate CA bundle over its bytes: the file's, as the server serves it.
      const served = decoded(fileAt(server, K3S_PATHS.serverCaCert));
      const hash = createHash("sha256").update(served).digest("hex");
      expect(decoded(fileAt(agent, K3S_PATHS.token))).toBe(`K10${hash}::node:${FAKE_VALUES[REF.token]}`);
      expect(decoded(fileAt(server, K3S_PATHS.agentToken))).toBe(FAKE_VALUES[REF.token]);
    });

    it("refuses a CA given as text instead of references", () => {
      const problems = checkK3sInput({ ...BASE, serverCa: { ...CA, keyB64Ref: Buffer.from(caKey).toString("base64") } });
      expect(problems.map((p) => p.message)).toEqual([
        "'serverCa.keyB64Ref' must be one Terraform reference such as \"${local.hub_ca_key_b64}\", not the secret itself: secrets never go into stack code or synthesized files",
      ]);
    });
  });

  it("is the same text for the same input", () => {
    expect(renderK3sCloudInit(BASE)).toEqual(openstack);
  });

  describe("refuses input it cannot render safely, naming every problem", () => {
    it.each([
      ["a secret given as its value", { agentTokenRef: "hunter2hunter2" }, "k3s.secret-not-reference"],
      ["a credential secret given as its value", { openstack: { ...BASE.openstack!, applicationCredentialSecretRef: "s3cr3t" } }, "k3s.secret-not-reference"],
      ["a region with a quote", { openstack: { ...BASE.openstack!, regionRef: 'I"U' } }, "k3s.bad-value"],
      ["a server outside its subnet", { serverAddress: "10.30.0.10" }, "k3s.server-address"],
      ["a server address that is not one", { serverAddress: "hub.example.org" }, "k3s.server-address"],
      ["pods in the machines' subnet", { subnetCidr: "10.42.0.0/24", serverAddress: "10.42.0.5" }, "k3s.cidr-overlap"],
      ["services inside the pods' range", { serviceCidr: "10.42.128.0/20" }, "k3s.cidr-overlap"],
      ["a range with host bits", { podCidr: "10.50.0.1/16" }, "k3s.cidr"],
      ["a version that is no k3s tag", { k3sVersion: "1.35.4" }, "k3s.version"],
      ["a chart version that is none", { hubChartVersion: "latest" }, "k3s.chart-version"],
      ["a namespace Kubernetes refuses", { hubNamespace: "JHub" }, "k3s.namespace"],
      ["a private key for a public one", { adminSshKeys: ["-----BEGIN OPENSSH PRIVATE KEY-----"] }, "k3s.bad-key"],
      ["a kubernetes.io label", { agentLabels: { "node-role.kubernetes.io/worker": "true" } }, "k3s.label"],
      ["a label with a space", { agentLabels: { pool: "big cpu" } }, "k3s.label"],
      ["a device plugin chart version that is none", { agentGpu: { devicePluginChartVersion: "v0.19" } }, "k3s.chart-version"],
      ["a toolkit version without the package revision", { agentGpu: { containerToolkitVersion: "1.19.1" } }, "k3s.gpu"],
      ["a toolkit version with shell in it", { agentGpu: { containerToolkitVersion: "1.19.1-1; reboot" } }, "k3s.gpu"],
      ["GPU agents on a k3s without the nvidia RuntimeClass", { agentGpu: {}, k3sVersion: "v1.28.3+k3s2" }, "k3s.gpu"],
    ] as Array<[string, Partial<K3sInput>, string]>)("%s", (_, change, code) => {
      const input = { ...BASE, ...change };
      expect(checkK3sInput(input).map((p) => p.code)).toEqual([code]);
      expect(() => renderK3sCloudInit(input)).toThrow(new RegExp(`^k3s cluster input has problems:\\n  ${code.replace(".", "\\.")}: `));
    });

    it("says which k3s GPU agents need, and takes it", () => {
      expect(checkK3sInput({ ...GPU, k3sVersion: "v1.27.16+k3s1" }).map((p) => p.message)).toEqual([
        `'agentGpu' needs k3s v1.28.4 or later, which creates the "nvidia" RuntimeClass; 'k3sVersion' is "v1.27.16+k3s1": raise it or leave it out`,
      ]);
      expect(checkK3sInput({ ...GPU, k3sVersion: "v1.28.4+k3s1" })).toEqual([]);
      expect(checkK3sInput({ ...BASE, k3sVersion: "v1.27.16+k3s1" })).toEqual([]);
    });

    it("reports all problems at once, with the values and the fix", () => {
      const problems = checkK3sInput({ ...BASE, serverAddress: "10.30.0.10", podCidr: "10.20.0.0/16", agentTokenRef: "plain" });
      expect(problems.map((p) => p.message)).toEqual([
        "'subnetCidr' (10.20.0.0/24) and 'podCidr' (10.20.0.0/16) overlap: pods, services and machines need separate ranges; set 'podCidr' or 'serviceCidr' to an unused range",
        "'serverAddress' (10.30.0.10) is outside 'subnetCidr' (10.20.0.0/24): give the server's fixed address in the cluster's subnet",
        "'agentTokenRef' must be one Terraform reference such as \"${random_password.agent_token.result}\", not the secret itself: secrets never go into stack code or synthesized files",
      ]);
    });
  });

  describe("sizes", () => {
    /** Each reference at the longest value the renderer allows for it. */
    const LONGEST = Object.fromEntries(Object.values(REF).map((ref) => [ref, "x".repeat(255)]));

    it("keeps a small cluster's user data plain text, GPU agents too", () => {
      for (const [, text] of [...roles(openstack), ...roles(gpu)]) expect(parse(text).write_files.filter((f) => f.encoding !== undefined)).toEqual([]);
      for (const [role, text] of roles(gpu)) {
        const bytes = Buffer.byteLength(deploy(text, LONGEST));
        expect({ role, fits: bytes <= USER_DATA_MAX_BYTES }).toEqual({ role, fits: true });
      }
    });

    it("fits large chart values by compressing the files that hold no reference", () => {
      const values = bigValues(false);
      expect(Buffer.byteLength(values)).toBeGreaterThan(2 * USER_DATA_MAX_BYTES);
      const out = renderK3sCloudInit({ ...BASE, hubValuesYaml: values });
      for (const [role, text] of roles(out)) {
        const bytes = Buffer.byteLength(deploy(text, LONGEST));
        expect({ role, fits: bytes <= USER_DATA_MAX_BYTES }).toEqual({ role, fits: true });
      }
      const doc = parse(out.server);
      const compressed = doc.write_files.filter((f) => f.encoding === "gz+b64").map((f) => f.path);
      expect(compressed).toEqual([K3S_PATHS.installProgram, K3S_PATHS.statusProgram, K3S_MANIFESTS.hub]);
      // Files holding references stay plain: Terraform cannot reach into a compressed one.
      expect(fileAt(doc, K3S_MANIFESTS.cinderCloudConfig).encoding).toBeUndefined();
      expect(fileAt(doc, K3S_PATHS.agentToken).encoding).toBeUndefined();
      expect(objects(fileAt(machine(out.server), K3S_MANIFESTS.hub))[0]!.spec.valuesContent).toBe(values);
      // The device plugin's manifest adds too little to matter, compressed or not.
      const withGpu = renderK3sCloudInit({ ...GPU, hubValuesYaml: values });
      for (const [role, text] of roles(withGpu)) {
        const bytes = Buffer.byteLength(deploy(text, LONGEST));
        expect({ role, fits: bytes <= USER_DATA_MAX_BYTES }).toEqual({ role, fits: true });
      }
      expect(objects(fileAt(machine(withGpu.server), K3S_MANIFESTS.devicePlugin))[0]!.kind).toBe("HelmChart");
    });

    it("refuses, with the sizes, a user data OpenStack would not take", () => {
      // Values that hardly compress (every line different), then values with a reference.
      const noise = `notes: |\n${Array.from({ length: 3000 }, (_, i) => `  ${i} ${((i * 7919) % 65521).toString(36)} ${((i * 104729) % 1048573).toString(16)}`).join("\n")}\n`;
      expect(() => renderK3sCloudInit({ ...BASE, hubValuesYaml: noise })).toThrow(
        /^the server user data of JupyterHub cluster class-hub takes up to \d+ bytes even compressed, more than the 49149 OpenStack accepts: the chart values take \d+ bytes, \d+ compressed; shorten them$/,
      );
      expect(() => renderK3sCloudInit({ ...BASE, hubValuesYaml: bigValues(true) })).toThrow(
        /^the server user data of JupyterHub cluster class-hub takes up to \d+ bytes even compressed, more than the 49149 OpenStack accepts: the chart values \(\d+ bytes\) hold Terraform references, so they travel uncompressed; shorten them$/,
      );
    });
  });

  describe.runIf(hasTool("cloud-init", "apt-get install cloud-init"))("checked by the real cloud-init", () => {
    const all = {
      ...built,
      "large chart values": renderK3sCloudInit({ ...BASE, hubValuesYaml: bigValues(false) }),
      "large chart values, GPU agents": renderK3sCloudInit({ ...GPU, hubValuesYaml: bigValues(false) }),
    };
    const cases = Object.entries(all).flatMap(([name, out]) => roles(out).map(([role, text]) => [`${name}: ${role}`, text] as const));
    it.each(cases)("%s passes cloud-init schema", (label, text) => {
      const file = join(dir, `${label.replace(/[^a-z0-9]+/gi, "-")}.yaml`);
      writeFileSync(file, deploy(text));
      expect(runTool("cloud-init", ["schema", "--config-file", file])).toContain("Valid");
    });
  });

  describe.runIf(hasTool("shellcheck", "apt-get install shellcheck"))("checked by the real shellcheck", () => {
    // The scripts as the machines get them, values filled (templates/ is checked as is by test/repo).
    const scripts = Object.entries(built).flatMap(([name, out]) =>
      roles(out).flatMap(([role, text]) =>
        machine(text)
          .write_files.filter((f) => decoded(f).startsWith("#!/usr/bin/env bash"))
          .map((f) => [`${name}: ${role} ${f.path}`, decoded(f)] as const),
      ),
    );
    // Each scenario: the server's installer and status program, each agent's installer, and
    // drover-nvidia-setup on GPU agents.
    it("finds the scripts", () => expect(scripts.length).toBe(3 * 3 + 1));
    it.each(scripts)("%s passes shellcheck", (label, content) => {
      const file = join(dir, label.replace(/[^a-z0-9]+/gi, "-"));
      writeFileSync(file, content);
      expect(runTool("shellcheck", ["--severity=style", "-x", "--source-path=SCRIPTDIR", file])).toBe("");
    });
  });

  describe("drover-hub-status, run with a stand-in for kubectl", () => {
    // What kubectl would print for each question the script asks; a missing answer is an error.
    const kubectl = join(dir, "kubectl");
    writeFileSync(
      kubectl,
      [
        "#!/usr/bin/env bash",
        'answer() { if [ -f "$FAKE/$1" ]; then cat "$FAKE/$1"; else echo "error: $1 not found" >&2; exit 1; fi; }',
        'case "$1 $2 $3 $4" in',
        '  "get nodes -o "*) answer nodes ;;',
        '  "-n kube-system get helmchart") answer "helmchart-$5" ;;',
        '  "-n kube-system get job") answer "job-$5" ;;',
        '  "-n jhub get pods") answer pods ;;',
        '  "-n jhub get service") answer address ;;',
        '  *) echo "unexpected: $*" >&2; exit 3 ;;',
        "esac",
        "",
      ].join("\n"),
    );
    chmodSync(kubectl, 0o755);
    const script = join(dir, "drover-hub-status");
    writeFileSync(script, decoded(fileAt(machine(openstack.server), K3S_PATHS.statusProgram)));

    const run = (answers: Record<string, string>, args: string[] = []) => {
      const fake = mkdtempSync(join(dir, "answers-"));
      for (const [name, text] of Object.entries(answers)) writeFileSync(join(fake, name), text);
      const r = spawnSync("bash", [script, ...args], { env: { ...process.env, DROVER_KUBECTL: kubectl, FAKE: fake }, encoding: "utf8" });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const NODES = "class-hub-server\tTrue\tcore\nclass-hub-user-1-8f3a2c1d\tTrue\tuser\n";
    const INSTALLED = {
      "helmchart-jupyterhub": "helm-install-jupyterhub\t",
      "job-helm-install-jupyterhub": "1",
      "helmchart-openstack-cinder-csi": "helm-install-openstack-cinder-csi\t",
      "job-helm-install-openstack-cinder-csi": "1",
    };

    it("says ready, and exits 0, when every node is Ready and the hub pod runs ready", () => {
      const r = run({ nodes: NODES, ...INSTALLED, pods: "hub-7c9d8-x2x4q\tRunning\ttrue\n", address: "10.20.0.10" });
      expect(r).toEqual({
        status: 0,
        stderr: "",
        stdout: [
          "nodes: 2 of 2 ready",
          `  ${"class-hub-server".padEnd(40)} Ready     core`,
          `  ${"class-hub-user-1-8f3a2c1d".padEnd(40)} Ready     user`,
          "charts:",
          `  ${"jupyterhub".padEnd(40)} installed`,
          `  ${"openstack-cinder-csi".padEnd(40)} installed`,
          "hub: hub-7c9d8-x2x4q Running, ready",
          "proxy-public: 10.20.0.10",
          "",
        ].join("\n"),
      });
    });

    it("says what is missing, and exits 1, while the cluster comes up", () => {
      const r = run({
        nodes: "class-hub-server\tTrue\tcore\nclass-hub-user-1-8f3a2c1d\tFalse\tuser\n",
        "helmchart-jupyterhub": "helm-install-jupyterhub\tTrue",
        "helmchart-openstack-cinder-csi": "helm-install-openstack-cinder-csi\t",
        "job-helm-install-openstack-cinder-csi": "",
        pods: "hub-7c9d8-x2x4q\tPending\tfalse\n",
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("nodes: 1 of 2 ready\n");
      expect(r.stdout).toContain(`  ${"class-hub-user-1-8f3a2c1d".padEnd(40)} NotReady  user\n`);
      expect(r.stdout).toContain("failed: k3s kubectl -n kube-system logs job/helm-install-jupyterhub\n");
      expect(r.stdout).toContain("installing: k3s kubectl -n kube-system logs -f job/helm-install-openstack-cinder-csi\n");
      expect(r.stdout).toContain("hub: hub-7c9d8-x2x4q Pending, not ready: k3s kubectl -n jhub describe pod hub-7c9d8-x2x4q\n");
      expect(r.stdout).toContain("proxy-public: no address yet\n");
    });

    it("shows the GPUs a node offers pods, once NVIDIA's device plugin runs there", () => {
      const r = run({ nodes: `${NODES}class-hub-user-2-0c4e9a7b\tTrue\tuser\t1\n`, ...INSTALLED, pods: "hub-7c9d8-x2x4q\tRunning\ttrue\n", address: "10.20.0.10" });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("nodes: 3 of 3 ready\n");
      expect(r.stdout).toContain(`  ${"class-hub-user-1-8f3a2c1d".padEnd(40)} Ready     user\n`);
      expect(r.stdout).toContain(`  ${"class-hub-user-2-0c4e9a7b".padEnd(40)} Ready     user, nvidia.com/gpu: 1\n`);
    });

    it("exits 2 when k3s does not answer, and 64 on bad usage", () => {
      const down = run({});
      expect(down.status).toBe(2);
      expect(down.stdout).toMatch(/^k3s does not answer \(yet\): error: nodes not found\n {2}see: systemctl status k3s; journalctl -u k3s\n$/);
      expect(run({}, ["--wait"]).status).toBe(64);
      expect(run({}, ["--wait", "soon"]).status).toBe(64);
      expect(run({}, ["--wait", "0"]).status).toBe(2);
    });
  });

  describe.runIf(hasTool("gpg", "apt-get install gpg"))("drover-nvidia-setup, run with stand-ins up to its first change to the machine", () => {
    // Stand-ins: nvidia-smi answers as told; curl logs the address and serves a key file; install,
    // the script's first write outside its own temporary directory, logs its arguments and stops
    // the script (status 42), so nothing here touches this machine's apt or k3s.
    const bin = mkdtempSync(join(dir, "nvidia-bin-"));
    const standIn = (name: string, body: string) => {
      writeFileSync(
        join(bin, name),
        `#!/usr/bin/env bash
${body}
`,
      );
      chmodSync(join(bin, name), 0o755);
    };
    standIn("nvidia-smi", 'if [ -n "$SMI_FAIL" ]; then echo "$SMI_FAIL"; exit 9; fi\nprintf "%s" "$SMI_OUT"');
    standIn("curl", 'echo "${*: -1}" >>"$LOG/curl"\nwhile [ $# -gt 1 ]; do if [ "$1" = --output ]; then cp "$KEY" "$2"; fi; shift; done');
    standIn("install", 'echo "install $*" >>"$LOG/install"\nexit 42');
    standIn("apt-get", 'echo "apt-get $*" >>"$LOG/apt-get"\nexit 1');

    // Two throwaway signing keys stand for NVIDIA's and another one.
    const gnupg = mkdtempSync(join(dir, "gnupg-"));
    chmodSync(gnupg, 0o700);
    const gpg = (...args: string[]) => runTool("gpg", ["--homedir", gnupg, "--batch", "--pinentry-mode", "loopback", "--passphrase", "", ...args]);
    gpg("--quick-gen-key", "drover test one <one@example.org>", "ed25519", "sign", "never");
    gpg("--quick-gen-key", "drover test two <two@example.org>", "ed25519", "sign", "never");
    const [one, two] = gpg("--list-keys", "--with-colons")
      .split("\n")
      .reduce<{ pub: boolean; fprs: string[] }>(
        (acc, line) => {
          const f = line.split(":");
          if (f[0] === "pub") acc.pub = true;
          else if (f[0] === "fpr" && acc.pub) acc.fprs.push(f[9]!), (acc.pub = false);
          return acc;
        },
        { pub: false, fprs: [] },
      ).fprs;
    const keyFile = (name: string, content: string) => (writeFileSync(join(dir, name), content), join(dir, name));
    const KEYS = {
      one: keyFile("key-one.asc", gpg("--armor", "--export", "one@example.org")),
      both: keyFile("key-both.asc", gpg("--armor", "--export", "one@example.org", "two@example.org")),
      page: keyFile("key-page.html", "<html><body>404 Not Found</body></html>\n"),
    };
    // Making keys started gpg's agent for that directory; nothing needs it any more.
    spawnSync("gpgconf", ["--homedir", gnupg, "--kill", "gpg-agent"]);
    const A100 = "GPU 0: GRID A100X-8C (UUID: GPU-1b2c3d4e-0000-1111-2222-333344445555)\n";

    const run = (script: string, env: Record<string, string>) => {
      const work = mkdtempSync(join(dir, "nvidia-run-"));
      const path = join(work, "drover-nvidia-setup");
      writeFileSync(path, script);
      const r = spawnSync("bash", [path], { env: { PATH: `${bin}:${process.env.PATH}`, TMPDIR: work, LOG: work, SMI_OUT: "", SMI_FAIL: "", KEY: KEYS.one, ...env }, encoding: "utf8" });
      const log = (name: string) => {
        try {
          return readFileSync(join(work, name), "utf8");
        } catch {
          return "";
        }
      };
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, curl: log("curl"), install: log("install"), aptGet: log("apt-get") };
    };
    const asShipped = decoded(fileAt(machine(gpu.agent), K3S_PATHS.nvidiaProgram));
    const pinnedTo = (fingerprint: string) => asShipped.replace(`fingerprint="${NVIDIA_CONTAINER_TOOLKIT.keyFingerprint}"`, `fingerprint="${fingerprint}"`);

    it("test keys were made", () => expect([one, two].every((f) => /^[0-9A-F]{40}$/.test(f ?? ""))).toBe(true));

    it("without a working driver: says so, exits 1, and fetches and installs nothing", () => {
      const r = run(asShipped, { SMI_FAIL: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        "drover-nvidia-setup: no working NVIDIA driver (nvidia-smi -L: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.): this agent joins without GPUs; use an image with the NVIDIA driver (Jetstream2: a Featured image) and rebuild it\n",
      );
      expect({ curl: r.curl, install: r.install, aptGet: r.aptGet }).toEqual({ curl: "", install: "", aptGet: "" });
      const none = run(asShipped, { SMI_OUT: "No devices were found\n" });
      expect(none.status).toBe(1);
      expect(none.stderr).toContain("no working NVIDIA driver (nvidia-smi -L: No devices were found)");
      expect(none.curl).toBe("");
    });

    it("refuses a key whose fingerprint is not NVIDIA's, fetched over HTTPS from NVIDIA", () => {
      const r = run(asShipped, { SMI_OUT: A100 });
      expect(r.status).toBe(1);
      expect(r.curl).toBe("https://nvidia.github.io/libnvidia-container/gpgkey\n");
      expect(r.stderr).toBe(
        `drover-nvidia-setup: https://nvidia.github.io/libnvidia-container/gpgkey holds the key(s) ${one} , not NVIDIA's C95B321B61E88C1809C4F759DDCAE044F796ECB0: nothing installed\n`,
      );
      expect(r.install).toBe("");
    });

    it("refuses a file with another key beside the pinned one, or with no key at all", () => {
      const both = run(pinnedTo(one!), { SMI_OUT: A100, KEY: KEYS.both });
      expect(both.status).toBe(1);
      expect(both.stderr).toContain(`holds the key(s) ${one} ${two} , not NVIDIA's ${one}: nothing installed`);
      const page = run(pinnedTo(one!), { SMI_OUT: A100, KEY: KEYS.page });
      expect(page.status).toBe(1);
      expect(page.stderr).toContain(`holds the key(s) none, not NVIDIA's ${one}: nothing installed`);
      expect(both.install + page.install).toBe("");
    });

    it("installs the pinned key, and only it, as apt's keyring for NVIDIA's repository", () => {
      const r = run(pinnedTo(one!), { SMI_OUT: A100 });
      expect(r.stdout).toBe(`drover-nvidia-setup: ${A100}`);
      expect(r.install).toMatch(/^install -m 0644 \S+\/keyring\.gpg \/usr\/share\/keyrings\/nvidia-container-toolkit-keyring\.gpg\n$/);
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 42, stderr: "" });
    });
  });

  describe.runIf(hasTool("terraform", "see README: terraform or tofu on PATH"))("through the real Terraform", () => {
    it("comes out of Terraform as the text the tests deploy: synthesized, escapes undone, references filled", () => {
      // References to locals, so Terraform can fill them without a provider.
      const names = Object.keys(REF) as Array<keyof typeof REF>;
      const local = Object.fromEntries(names.map((n) => [n, `\${local.${n}}`])) as typeof REF;
      const values = Object.fromEntries(names.map((n) => [local[n], FAKE_VALUES[REF[n]]!]));
      const out = renderK3sCloudInit({
        ...BASE,
        agentTokenRef: local.token,
        hubValuesYaml: VALUES.replace(REF.oauthSecret, local.oauthSecret),
        openstack: { authUrlRef: local.authUrl, regionRef: local.region, applicationCredentialIdRef: local.credId, applicationCredentialSecretRef: local.credSecret },
      });
      const tf = new TerraformDir().write({
        locals: Object.fromEntries(names.map((n) => [n, FAKE_VALUES[REF[n]]])),
        output: Object.fromEntries(roles(out).map(([role, text]) => [role, { value: asSynthesized(text, Object.keys(values)) }])),
      });
      const outputs = JSON.parse(tf.init().apply().run("output", "-json")) as Record<string, { value: string }>;
      for (const [role, text] of roles(out)) expect({ role, text: outputs[role]!.value }).toEqual({ role, text: deploy(text, values) });
    });
  });
});
