import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { JupyterHubCluster, jetstream2, type JupyterHubClusterProps } from "../../constructs/index.ts";
import { settleWrites } from "../../lib/app/pending-writes.ts";
import { parseHubValues } from "../../lib/jupyterhub/values-schema.ts";
import { yaml } from "../../lib/vendor.ts";
import { testPublicKey } from "../support/keys.ts";
import { compact, fullSynthJson, newStack, only, resources, schemaFindings, synthJson, validationIssues, type Json } from "../support/synth.ts";

const workshop: JupyterHubClusterProps = {
  users: 127,
  profile: { cpu: 1, memoryGiB: 2, storageGiB: 10 },
  image: "quay.io/jupyter/scipy-notebook:2025-10-20",
  auth: { kind: "github", clientId: "Ov23liExample", allowedOrganizations: ["unidata-workshop"], admins: ["instructor1"] },
  https: { letsEncryptEmail: "ops@example.org" },
  idleCullMinutes: 60,
};

function build(props: JupyterHubClusterProps, cloud = jetstream2({ allocation: "atm240001" })) {
  const { app, stack } = newStack("class", { cloud });
  const hub = new JupyterHubCluster(stack, "hub", props);
  return { app, stack, hub, json: synthJson(stack), text: Testing.synth(stack) };
}

const instances = (json: Json) => Object.values(resources(json, "openstack_compute_instance_v2"));
const rules = (json: Json) => Object.values(resources(json, "openstack_networking_secgroup_rule_v2"));

describe("JupyterHubCluster on k3s (the default)", () => {
  it("GIVEN a 127-user workshop THEN it builds the planned nodes, one public address on the server, and a DNS name in the allocation's zone", () => {
    const { json, hub } = build(workshop);
    // The capacity planner's answer (lib/jupyterhub/capacity.ts, checked by hand in its own tests).
    expect(hub.capacity.userNodes.flavor.name).toBe("m3.xl");
    expect(hub.capacity.userNodes.count).toBe(5);
    expect(hub.capacity.controlPlane.flavor.name).toBe("m3.small");
    const vms = instances(json);
    expect(vms.map((v) => [v.name, v.flavor_name]).sort()).toEqual([
      ["class-hub-agent-1", "m3.xl"],
      ["class-hub-agent-2", "m3.xl"],
      ["class-hub-agent-3", "m3.xl"],
      ["class-hub-agent-4", "m3.xl"],
      ["class-hub-agent-5", "m3.xl"],
      ["class-hub-server", "m3.small"],
    ]);
    // The server sits at its fixed address, the agents join it there.
    const ports = Object.values(resources(json, "openstack_networking_port_v2"));
    expect(ports.find((p) => p.name === "class-hub-server-port")!.fixed_ip[0].ip_address).toBe("10.44.0.4");
    const ip = only(json, "openstack_networking_floatingip_v2");
    expect(ip.pool).toBe("public");
    const association = only(json, "openstack_networking_floatingip_associate_v2");
    expect(association.port_id).toMatch(/openstack_networking_port_v2\.hub_server_Port_[^.]+\.id/);
    const record = only(json, "openstack_dns_recordset_v2");
    expect(record).toMatchObject({
      name: "class-hub.atm240001.projects.jetstream-cloud.org.",
      type: "A",
      ttl: 300,
      records: [expect.stringMatching(/openstack_networking_floatingip_v2\.hub_PublicAddress_[^.]+\.address/)],
    });
    expect(Object.values(json.data.openstack_dns_zone_v2)).toEqual([expect.objectContaining({ name: "atm240001.projects.jetstream-cloud.org." })]);
    expect(json.output.hub_url.value).toBe("https://class-hub.atm240001.projects.jetstream-cloud.org");
    expect(json.output.hub_nodes.value).toBe("5 × m3.xl (31 users each) + m3.small control plane");
    expect(json.output.hub_su_per_hour.value).toBe("162");
    expect(json.output).not.toHaveProperty("hub_ssh");
    expect(schemaFindings(json)).toEqual([]);
    expect(compact(json)).toMatchSnapshot();
  });

  it("opens 80 and 443 to everyone on the server only, SSH only from allowSshFrom, and everything between members", () => {
    const { json } = build({ ...workshop, allowSshFrom: ["203.0.113.0/24"], adminPublicKey: testPublicKey("admin@laptop") });
    const open = rules(json)
      .map((r) => [r.protocol ?? "any", r.port_range_min ?? "-", r.remote_ip_prefix ?? "members"])
      .sort();
    expect(open).toEqual([
      ["any", "-", "members"],
      ["tcp", 22, "203.0.113.0/24"],
      ["tcp", 443, "0.0.0.0/0"],
      ["tcp", 80, "0.0.0.0/0"],
    ]);
    const withWeb = Object.values(resources(json, "openstack_networking_port_v2"))
      .filter((p) => p.security_group_ids.length === 2)
      .map((p) => p.name);
    expect(withWeb).toEqual(["class-hub-server-port"]);
    expect(json.output.hub_ssh.value).toMatch(/^ssh ubuntu@\$\{openstack_networking_floatingip_v2\./);
  });

  it("keeps every secret a reference: the OAuth secret a sensitive variable, the join token and the Cinder credential from Terraform", () => {
    const { json, text } = build(workshop);
    expect(json.variable.hub_oauth_client_secret).toEqual(expect.objectContaining({ type: "string", sensitive: true, nullable: false }));
    expect(Object.keys(resources(json, "random_password"))).toHaveLength(1);
    expect(only(json, "openstack_identity_application_credential_v3")).toMatchObject({ name: "class-hub-cinder", unrestricted: false });
    const server = instances(json).find((v) => v.name === "class-hub-server")!;
    expect(server.user_data).toContain("${var.hub_oauth_client_secret}");
    expect(server.user_data).toMatch(/\$\{openstack_identity_application_credential_v3\.[^.]+\.secret\}/);
    expect(server.user_data).toMatch(/\$\{random_password\.[^.]+\.result\}/);
    const agent = instances(json).find((v) => v.name === "class-hub-agent-1")!;
    expect(agent.user_data).not.toContain("application_credential");
    expect(agent.user_data).not.toContain("oauth_client_secret");
    // No literal that looks like a secret anywhere: the only client value in code is the (public) ID.
    expect(text).not.toMatch(/client_secret["']?\s*[:=]\s*["'][^$]/);
  });

  it("renders chart values that pass the chart's schema, sized from the class", async () => {
    const { app, stack, hub } = build({ ...workshop, homes: "per-user" });
    fullSynthJson(app, stack);
    await settleWrites();
    const text = readFileSync(join(app.outdir, "stacks", "class", "files", "hub", "values.yaml"), "utf8");
    const values = yaml().parse(text);
    expect(parseHubValues(values)).toEqual({ ok: true, values });
    expect(values.singleuser).toMatchObject({
      image: { name: "quay.io/jupyter/scipy-notebook", tag: "2025-10-20" },
      cpu: { guarantee: 1, limit: 1 },
      storage: { type: "dynamic", capacity: "10Gi" },
      startTimeout: 600,
    });
    expect(values.hub.config.GitHubOAuthenticator).toMatchObject({
      allowed_organizations: ["unidata-workshop"],
      admin_users: ["instructor1"],
      oauth_callback_url: "https://class-hub.atm240001.projects.jetstream-cloud.org/hub/oauth_callback",
    });
    expect(values.proxy.https).toMatchObject({ enabled: true, hosts: ["class-hub.atm240001.projects.jetstream-cloud.org"], letsencrypt: { contactEmail: "ops@example.org" } });
    expect(values.cull).toMatchObject({ enabled: true, timeout: 3600 });
    expect(hub.values.sensitive.map((s) => s.path)).toEqual(["hub.config.GitHubOAuthenticator.client_secret"]);
  });

  it("GIVEN a class whose per-user volumes exceed the volume quota THEN it gets shared homes: one protected volume on the server, exported over NFS, each user a sub-directory", () => {
    // 127 × 10 GiB and the hub's database would be 128 volumes and 1271 GB; the allocation holds 10 and 1000 GB.
    const { json, hub } = build(workshop);
    expect(hub.homes).toBe("shared");
    const volume = only(json, "openstack_blockstorage_volume_v3");
    expect(volume).toMatchObject({ name: "class-hub-homes", size: 999, lifecycle: { prevent_destroy: true } });
    const attach = only(json, "openstack_compute_volume_attach_v2");
    expect(attach.instance_id).toMatch(/^\$\{openstack_compute_instance_v2\.hub_server_[^.]+\.id\}$/);
    const server = instances(json).find((v) => v.name === "class-hub-server")!;
    expect(server.metadata.drover_volume_homes).toMatch(/^\$\{openstack_blockstorage_volume_v3\.hub_server_Volume-homes_[^.]+\.id\}:\/srv\/drover-homes$/);
    const warnings = hub.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toContain(
      "the 127 users' homes share one 999 GiB volume, not 1270 GiB (127 × profile.storageGiB 10): the quota's volume storage (1000 GB) holds no more beside the hub's database. That is 7.9 GiB each on average; ask for more volume storage (Jetstream2: help@jetstream-cloud.org), or lower profile.storageGiB",
    );
    // The chart's static storage: one claim, a sub-directory per user.
    expect(yaml().parse(hub.values.yaml).singleuser.storage).toEqual({ type: "static", static: { pvcName: "drover-homes", subPath: "{username}" } });
    // The server installs the NFS server, mounts the volume and exports it; the claim is bound to it.
    const serverData = yaml().parse(server.user_data) as { packages?: string[]; runcmd: string[]; write_files: Array<{ path: string; content: string }> };
    expect(serverData.packages).toEqual(["nfs-kernel-server"]);
    expect(serverData.runcmd).toEqual(["systemctl enable --now drover-volumes.timer", "systemctl enable --now drover-agent.timer", "/usr/local/sbin/drover-k3s-install"]);
    const file = (path: string) => serverData.write_files.find((f) => f.path === path)?.content ?? "";
    expect(file("/etc/drover/volumes.d/50-drover-hub-homes")).toContain('exports="$export_path $cidr(rw,sync,no_subtree_check,all_squash,anonuid=1000,anongid=100,mp)"');
    expect(file("/etc/drover/volumes.d/50-drover-hub-homes")).toContain('cidr="10.44.0.0/22"');
    const manifests = yaml()
      .parseAllDocuments(file("/var/lib/rancher/k3s/server/manifests/drover-homes.yaml"))
      .map((d) => d.toJS());
    expect(manifests.map((m) => `${m.kind} ${m.metadata.name}`)).toEqual(["Namespace jhub", "PersistentVolume class-hub-homes", "PersistentVolumeClaim drover-homes"]);
    expect(manifests[1].spec).toMatchObject({
      capacity: { storage: "999Gi" },
      accessModes: ["ReadWriteMany"],
      persistentVolumeReclaimPolicy: "Retain",
      nfs: { server: "10.44.0.4", path: "/srv/drover-homes" },
    });
    expect(manifests[2]).toMatchObject({ metadata: { namespace: "jhub" }, spec: { volumeName: "class-hub-homes", storageClassName: "" } });
    // Agents mount the export for their pods: they need the NFS client.
    const agent = yaml().parse(instances(json).find((v) => v.name === "class-hub-agent-1")!.user_data) as { packages?: string[] };
    expect(agent.packages).toEqual(["nfs-common"]);
    expect(schemaFindings(json)).toEqual([]);
  });

  it("GIVEN homes: per-user, or a class that fits the quota THEN each user gets a volume of their own and nothing is exported", () => {
    for (const props of [
      { ...workshop, homes: "per-user" as const },
      { ...workshop, users: 5 },
    ]) {
      const { json, hub } = build(props);
      expect(hub.homes).toBe("per-user");
      expect(resources(json, "openstack_blockstorage_volume_v3")).toEqual({});
      expect(yaml().parse(hub.values.yaml).singleuser.storage).toEqual({ type: "dynamic", capacity: "10Gi" });
      const server = yaml().parse(instances(json).find((v) => v.name === "class-hub-server")!.user_data) as { packages?: string[] };
      expect(server.packages).toBeUndefined();
    }
  });

  it("deletes the volumes the CSI driver made when the stack is destroyed: a destroy-time step after every machine, said in the plan", async () => {
    const { app, stack } = build(workshop);
    const json = fullSynthJson(app, stack);
    await settleWrites();
    const [name, step] = Object.entries(resources(json, "terraform_data")).find(([n]) => n.includes("VolumeCleanup"))!;
    // The credential reaches the step through its own triggers, the secret as a reference (a destroy-time step may reference nothing else).
    expect(step.triggers_replace).toMatchObject({ cluster: "class-hub", secret: expect.stringMatching(/^\$\{openstack_identity_application_credential_v3\.[^.]+\.secret\}$/) });
    expect(step.provisioner).toEqual([
      {
        "local-exec": {
          when: "destroy",
          command: "node files/hub/drover-reap-volumes.mjs",
          environment: {
            DROVER_AUTH_URL: "${self.triggers_replace.auth_url}",
            DROVER_REGION: "${self.triggers_replace.region}",
            DROVER_APP_CRED_ID: "${self.triggers_replace.id}",
            DROVER_APP_CRED_SECRET: "${self.triggers_replace.secret}",
            DROVER_CSI_CLUSTER: "${self.triggers_replace.cluster}",
          },
        },
      },
    ]);
    // Every machine depends on it, so it runs after they are gone (their volumes detached).
    for (const vm of instances(json)) expect(vm.depends_on).toContain(`terraform_data.${name}`);
    // The CSI driver marks its volumes with the cluster ID the step looks for.
    const server = instances(json).find((v) => v.name === "class-hub-server")!;
    const csi = (yaml().parse(server.user_data) as { write_files: Array<{ path: string; content: string }> }).write_files.find((f) => f.path.endsWith("drover-cinder-csi.yaml"))!;
    expect(csi.content).toContain("clusterID: class-hub");
    // What it deletes, in words, for the plan: in the resource's comment, which Terraform ignores.
    expect(step["//"]).toMatchObject({
      drover_destroy_step: "the volumes the Cinder CSI driver created for users' homes and the hub's database (metadata cinder.csi.openstack.org/cluster=class-hub)",
    });
    expect(readFileSync(join(app.outdir, "stacks", "class", "files", "hub", "drover-reap-volumes.mjs"), "utf8")).toContain("cinder.csi.openstack.org/cluster");
  });

  it("makes the k3s server's CA in Terraform, so agents join with a token that pins it (K10<CA hash>::node:<secret>)", () => {
    const { json } = build(workshop);
    expect(only(json, "tls_private_key")).toEqual(expect.objectContaining({ algorithm: "ECDSA", ecdsa_curve: "P256" }));
    const cert = only(json, "tls_self_signed_cert");
    expect(cert).toMatchObject({
      is_ca_certificate: true,
      subject: [{ common_name: "class-hub-server-ca" }],
      private_key_pem: expect.stringMatching(/^\$\{tls_private_key\.hub_ServerCaKey_[^.]+\.private_key_pem\}$/),
    });
    const certRef = cert && Object.keys(resources(json, "tls_self_signed_cert"))[0];
    expect(json.locals).toMatchObject({
      hub_ca_hash: `\${sha256(tls_self_signed_cert.${certRef}.cert_pem)}`,
      hub_ca_cert_b64: `\${base64encode(tls_self_signed_cert.${certRef}.cert_pem)}`,
      hub_ca_key_b64: expect.stringMatching(/^\$\{base64encode\(tls_private_key\.hub_ServerCaKey_[^.]+\.private_key_pem\)\}$/),
    });
    const files = (name: string) =>
      (yaml().parse(instances(json).find((v) => v.name === name)!.user_data) as { write_files: Array<{ path: string; content: string; permissions: string; encoding?: string }> }).write_files;
    expect(files("class-hub-agent-1").find((f) => f.path === "/etc/rancher/k3s/token")!.content).toMatch(/^K10\$\{local\.hub_ca_hash\}::node:\$\{random_password\.hub_AgentToken_[^.]+\.result\}$/);
    expect(files("class-hub-server").filter((f) => f.path.startsWith("/var/lib/rancher/k3s/server/tls/"))).toEqual([
      { path: "/var/lib/rancher/k3s/server/tls/server-ca.crt", content: "${local.hub_ca_cert_b64}", permissions: "0644", encoding: "b64" },
      { path: "/var/lib/rancher/k3s/server/tls/server-ca.key", content: "${local.hub_ca_key_b64}", permissions: "0600", encoding: "b64" },
    ]);
    expect(json.terraform.required_providers.tls).toEqual({ source: "hashicorp/tls", version: "~> 4.0" });
    // The tls resources are checked against providers/tls/schema.json like the OpenStack ones.
    expect(schemaFindings(json)).toEqual([]);
  });

  it("gives a workshop one generated password, as a sensitive output, and warns", () => {
    const { json, hub } = build({ ...workshop, auth: { kind: "workshop" } });
    expect(json.output.hub_workshop_password).toEqual(expect.objectContaining({ sensitive: true, value: expect.stringMatching(/^\$\{random_password\.[^.]+\.result\}$/) }));
    expect(Object.keys(resources(json, "random_password"))).toHaveLength(2);
    expect(json.variable).toBeUndefined();
    expect(hub.values.warnings.some((w) => /password/i.test(w))).toBe(true);
    expect(hub.node.metadata.some((m) => String(m.data).includes("password"))).toBe(true);
  });

  it("GIVEN a GPU profile THEN user nodes are GPU flavors that set up NVIDIA's runtime, and users get a GPU profile", () => {
    const { json, hub } = build({ ...workshop, users: 8, profile: { cpu: 2, memoryGiB: 8, gpus: 1 } });
    expect(hub.capacity.userNodes.flavor.gpu).toBeGreaterThan(0);
    const agents = instances(json).filter((v) => v.name.startsWith("class-hub-agent-"));
    expect(agents).toHaveLength(hub.capacity.userNodes.count);
    for (const a of agents) expect(a.flavor_name).toMatch(/^g3\./);
    expect(instances(json).find((v) => v.name === "class-hub-server")!.flavor_name).toMatch(/^m3\./);
    const gpuProfile = (hub.values.values as Json).singleuser.profileList.find((p: Json) => p.slug === "gpu");
    expect(gpuProfile.kubespawner_override).toMatchObject({ extra_resource_limits: { "nvidia.com/gpu": "1" }, extra_pod_config: { runtimeClassName: "nvidia" } });
    expect(schemaFindings(json)).toEqual([]);
  });

  it("serves plain HTTP on the address itself without a host name when https is false, with a warning", () => {
    const { json } = build({ ...workshop, https: false, auth: { kind: "workshop" } }, jetstream2());
    expect(resources(json, "openstack_dns_recordset_v2")).toEqual({});
    expect(json.output.hub_url.value).toMatch(/^http:\/\/\$\{openstack_networking_floatingip_v2\.[^.]+\.address\}$/);
  });
});

describe("JupyterHubCluster on Magnum", () => {
  it("GIVEN kubernetes: magnum THEN it asks the cloud for a cluster from its template, holds the address for the load balancer, and installs the chart with helm", async () => {
    const { json, app, stack } = build({ ...workshop, kubernetes: "magnum", nodes: { max: 8 } });
    expect(instances(json)).toEqual([]);
    expect(Object.values(json.data.openstack_containerinfra_clustertemplate_v1)).toEqual([expect.objectContaining({ name: "kubernetes-1-33-jammy" })]);
    const cluster = only(json, "openstack_containerinfra_cluster_v1");
    expect(cluster).toMatchObject({
      name: "class-hub",
      master_count: 1,
      master_flavor: "m3.small",
      flavor: "m3.xl",
      node_count: 5,
      merge_labels: true,
      labels: { auto_scaling_enabled: "true", min_node_count: "5", max_node_count: "8" },
      lifecycle: { ignore_changes: ["node_count"] },
    });
    expect(resources(json, "openstack_networking_floatingip_associate_v2")).toEqual({});
    const install = only(json, "terraform_data");
    expect(install).not.toHaveProperty("input");
    expect(install.triggers_replace).toMatchObject({ chart: "jupyterhub-4.4.0", values_sha256: "${sha256(local.hub_values)}" });
    // The values, references and all, once: Terraform fills them in for the hash and the step.
    expect(json.locals.hub_values).toContain("${var.hub_oauth_client_secret}");
    const step = install.provisioner[0]["local-exec"];
    expect(step.command).toBe("bash files/hub/drover-helm-install.sh https://hub.jupyter.org/helm-chart/ jupyterhub 4.4.0");
    expect(step.environment.DROVER_KUBECONFIG).toMatch(/openstack_containerinfra_cluster_v1\.[^.]+\.kubeconfig\["raw_config"\]/);
    expect(step.environment.DROVER_VALUES).toBe("${local.hub_values}");
    expect(json.locals.hub_values).toMatch(/loadBalancerIP: .*openstack_networking_floatingip_v2/);
    expect(schemaFindings(json)).toEqual([]);
    // drover deploy checks for helm before it changes anything.
    fullSynthJson(app, stack);
    await settleWrites();
    const info = JSON.parse(readFileSync(join(app.outdir, "stacks", "class", "drover.json"), "utf8"));
    expect(info.tools).toEqual([{ name: "helm", why: "class/hub", install: expect.stringContaining("https://helm.sh/docs/intro/install/") }]);
    expect(compact(json)).toMatchSnapshot();
  });
});

describe("JupyterHubCluster without a DNS name", () => {
  it("GIVEN GitHub sign-in over plain HTTP on a cloud without a zone THEN the callback uses the address Terraform fills in (it used to crash the values check)", () => {
    const { json } = build({ ...workshop, https: false }, jetstream2());
    const userData = Object.values(resources(json, "openstack_compute_instance_v2")).find((v) => v.name === "class-hub-server")!.user_data as string;
    expect(userData).toMatch(/oauth_callback_url: "http:\/\/\$\{openstack_networking_floatingip_v2\.hub_PublicAddress_[0-9A-F]+\.address\}\/hub\/oauth_callback"/);
  });
});

describe("JupyterHubCluster validation", () => {
  const issues = (props: Partial<JupyterHubClusterProps> & Record<string, unknown>, cloud = jetstream2({ allocation: "atm240001" })) =>
    validationIssues(() => {
      const { stack } = newStack("class", { cloud });
      new JupyterHubCluster(stack, "hub", { ...workshop, ...props } as JupyterHubClusterProps);
    });

  it("refuses fewer than one user", () => {
    expect(issues({ users: 0 })).toEqual(["class/hub: 'users' 0 must be a whole number of at least 1"]);
  });

  it("refuses a guarantee above its limit", () => {
    expect(issues({ profile: { cpu: 2, cpuLimit: 1, memoryGiB: 2 } })).toEqual([expect.stringMatching(/^class\/hub: 'profile\.cpu' 2 .*cpuLimit.*1/)]);
  });

  it("refuses HTTPS without an email, and without a host name", () => {
    expect(issues({ https: { letsEncryptEmail: "" } })).toEqual(["class/hub: 'https.letsEncryptEmail' \"\" must be an email address: Let's Encrypt sends expiry notices there"]);
    expect(issues({}, jetstream2())).toEqual([
      "class/hub: 'https' needs a host name for the certificate: give 'domain', or name the allocation (jetstream2({ allocation: \"...\" })) so drover names the hub in its DNS zone, or set https: false",
    ]);
  });

  it("refuses GitHub sign-in that names nobody, unless told to let everyone in", () => {
    expect(issues({ auth: { kind: "github", clientId: "x" } })).toEqual([
      "class/hub: 'auth' signs in with GitHub but names no 'allowedOrganizations' or 'allowedUsers': any GitHub account could start a server; name who may, or set allowAllAuthenticated: true",
    ]);
    expect(() => build({ ...workshop, auth: { kind: "github", clientId: "x", allowAllAuthenticated: true } })).not.toThrow();
  });

  it("refuses a profile that fits no flavor, naming the largest", () => {
    const found = issues({ profile: { cpu: 1, memoryGiB: 1000 } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^class\/hub: 'profile\.memoryGiB' 1000 .*r3\.xl/);
  });

  it("refuses shared homes where there is no k3s server on OpenStack to export them from", () => {
    expect(issues({ homes: "shared", kubernetes: "magnum" })).toEqual([
      `class/hub: 'homes' "shared" needs k3s on OpenStack (a volume on the k3s server, exported over NFS), and this hub is kubernetes "magnum": use homes: "per-user", or kubernetes: "k3s"`,
    ]);
  });

  it("names a misspelt prop and an image without a tag", () => {
    expect(issues({ idleCulMinutes: 30 })).toEqual([
      "class/hub: the props have an unknown key 'idleCulMinutes': did you mean 'idleCullMinutes'? Known: users, profile, image, auth, domain, https, idleCullMinutes, kubernetes, nodes, controlPlane, allowSshFrom, adminPublicKey, hours, homes, applicationCredential.",
    ]);
    expect(issues({ image: "quay.io/jupyter/scipy-notebook" })).toEqual([
      'class/hub: \'image\' "quay.io/jupyter/scipy-notebook" must be an image with a pinned tag, e.g. "quay.io/jupyter/scipy-notebook:2025-10-20" (a digest may follow the tag)',
    ]);
  });
});
