import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { SlurmCluster, openstack, type SlurmClusterProps } from "../../constructs/index.ts";
import { ComputeInstanceV2 } from "../../.gen/providers/openstack/compute-instance-v2/index.ts";
import { ELASTIC_ACCESS_RULES } from "../../lib/slurm/access-rules.ts";
import { compact, fullSynthJson, newStack, only, resources, schemaFindings, synthJson, validationIssues, type Json } from "../support/synth.ts";
import { testPublicKey } from "../support/keys.ts";

const alice = testPublicKey("alice@laptop");
const admin = testPublicKey("admin@laptop");

const small: SlurmClusterProps = {
  controller: { size: "m3.medium" },
  partitions: [{ name: "cpu", size: "m3.quad", nodes: 2 }],
  allowSshFrom: ["203.0.113.0/24"],
  users: [{ name: "alice", publicKey: alice }],
};

function build(props: SlurmClusterProps, stackName = "hpc") {
  const { stack } = newStack(stackName);
  const cluster = new SlurmCluster(stack, "lab", props);
  const json = synthJson(stack);
  return { stack, cluster, json, text: Testing.synth(stack) };
}

const instances = (json: Json) => Object.values(resources(json, "openstack_compute_instance_v2"));
const byName = (json: Json, name: string) => instances(json).find((i) => i.name === name)!;
/** Every string value in the JSON, to look for secrets. */
const strings = (v: unknown): string[] => (typeof v === "string" ? [v] : v && typeof v === "object" ? Object.values(v).flatMap(strings) : []);

describe("SlurmCluster: a small static cluster", () => {
  it("GIVEN a controller and two static nodes WHEN synthesized THEN it builds one network, fixed addresses, and only the controller reachable on SSH", () => {
    const { json, cluster, text } = build(small);
    expect(
      instances(json)
        .map((i) => i.name)
        .sort(),
    ).toEqual(["hpc-cpu-1", "hpc-cpu-2", "hpc-lab-controller"]);
    expect(only(json, "openstack_networking_subnet_v2")).toMatchObject({ cidr: "10.42.0.0/16", allocation_pool: [{ start: "10.42.0.10", end: "10.42.3.254" }] });
    const ports = Object.values(resources(json, "openstack_networking_port_v2"));
    expect(ports.map((p) => [p.name, p.fixed_ip[0].ip_address]).sort()).toEqual([
      ["hpc-cpu-1-port", "10.42.4.1"],
      ["hpc-cpu-2-port", "10.42.4.2"],
      ["hpc-lab-controller-port", "10.42.0.4"],
    ]);
    // Members talk to each other; SSH from allowSshFrom reaches the controller only.
    const rules = Object.values(resources(json, "openstack_networking_secgroup_rule_v2"));
    expect(rules).toHaveLength(2);
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ description: "cluster members", remote_group_id: expect.stringMatching(/^\$\{openstack_networking_secgroup_v2\.lab_Internal_.+\.id\}$/) }),
        expect.objectContaining({ protocol: "tcp", port_range_min: 22, port_range_max: 22, remote_ip_prefix: "203.0.113.0/24" }),
      ]),
    );
    expect(rules.find((r) => r.description === "cluster members")).not.toHaveProperty("protocol");
    const withAccess = ports.filter((p) => p.security_group_ids.length === 2).map((p) => p.name);
    expect(withAccess).toEqual(["hpc-lab-controller-port"]);
    expect(Object.keys(resources(json, "openstack_networking_floatingip_v2"))).toHaveLength(1);
    // /home, /opt/software and slurmctld's state: protected volumes on the controller, announced in its metadata.
    const volumes = Object.values(resources(json, "openstack_blockstorage_volume_v3"));
    expect(volumes.map((v) => [v.name, v.size, v.lifecycle?.prevent_destroy]).sort()).toEqual([
      ["hpc-lab-home", 100, true],
      ["hpc-lab-software", 50, true],
      ["hpc-lab-state", 5, true],
    ]);
    expect(byName(json, "hpc-lab-controller").metadata).toMatchObject({
      drover_role: "controller",
      drover_volume_home: expect.stringMatching(/^\$\{openstack_blockstorage_volume_v3\..+\.id\}:\/home$/),
      drover_volume_software: expect.stringMatching(/:\/opt\/software$/),
      drover_volume_state: expect.stringMatching(/:\/var\/lib\/drover-state$/),
    });
    // No elastic nodes: no credential, no cleanup step.
    expect(resources(json, "openstack_identity_application_credential_v3")).toEqual({});
    // (Each machine has a step holding its image's name, for replace_triggered_by.)
    expect(Object.keys(resources(json, "terraform_data")).filter((name) => !name.includes("_ImageName_"))).toEqual([]);
    expect(text).toHaveResourceWithProperties(ComputeInstanceV2, { name: "hpc-cpu-1", flavor_name: "m3.quad", image_name: "Featured-Ubuntu24" });
    expect(json.output.lab_ssh.value).toBe("ssh alice@${" + json.output.lab_login_address.value.slice(2));
    expect(json.output.lab_summary.value).toBe("hpc_lab: cpu* 2×m3.quad; 8 compute cores, 2 compute nodes; 16 SU/hour idle, 16 SU/hour at full scale");
    expect(cluster.summary).toBe(json.output.lab_summary.value);
    expect(schemaFindings(json)).toEqual([]);
    expect(compact(json)).toMatchSnapshot();
  });

  it("gives every compute node the same user data, and the munge key only as a reference", () => {
    const { json } = build(small);
    const [a, b] = ["hpc-cpu-1", "hpc-cpu-2"].map((n) => byName(json, n).user_data);
    expect(a).toBe(b);
    expect(a).toContain("${random_bytes.");
    expect(only(json, "random_bytes")).toMatchObject({ length: 1024 });
  });

  it("puts a separate login node in front when asked, and SSH on it alone", () => {
    const { json } = build({ ...small, login: { size: "m3.small" } });
    const ports = Object.values(resources(json, "openstack_networking_port_v2"));
    expect(ports.filter((p) => p.security_group_ids.length === 2).map((p) => p.name)).toEqual(["hpc-lab-login-port"]);
    expect(ports.find((p) => p.name === "hpc-lab-login-port")!.fixed_ip[0].ip_address).toBe("10.42.0.5");
    expect(json.output.lab_login_address.description).toContain("login node");
  });

  it("has no public address without allowSshFrom", () => {
    const { json } = build({ ...small, allowSshFrom: [] });
    expect(resources(json, "openstack_networking_floatingip_v2")).toEqual({});
    expect(json.output).not.toHaveProperty("lab_login_address");
    expect(json.output.lab_ssh.value).toMatch(/^ssh alice@\$\{openstack_compute_instance_v2\..+\.access_ip_v4\}$/);
  });
});

describe("SlurmCluster: GPU and elastic partitions", () => {
  const elastic: SlurmClusterProps = {
    ...small,
    adminPublicKey: admin,
    partitions: [
      { name: "cpu", size: "m3.quad", nodes: 0, elastic: { max: 8, idleMinutes: 15 } },
      { name: "gpu", size: "g3.medium", nodes: 1, elastic: { max: 2 } },
    ],
  };

  it("GIVEN a GPU partition THEN its static node is a g3 instance and slurm.conf gets Gres", () => {
    const { json, cluster } = build({ ...small, partitions: [{ name: "gpu", size: "g3.large", nodes: 1 }] });
    expect(byName(json, "hpc-gpu-1")).toMatchObject({ flavor_name: "g3.large", metadata: expect.objectContaining({ drover_partition: "gpu" }) });
    expect(cluster.plan.partitions[0]!.gpusPerNode).toBe(1);
    expect(json.output.lab_summary.value).toContain("16 compute cores, 1 GPU, 1 compute node");
  });

  it("GIVEN elastic partitions THEN only static nodes are instances, and a restricted credential and a cleanup step exist", () => {
    const { json } = build(elastic);
    expect(
      instances(json)
        .map((i) => i.name)
        .sort(),
    ).toEqual(["hpc-gpu-1", "hpc-lab-controller"]);
    const credential = only(json, "openstack_identity_application_credential_v3");
    expect(credential).toMatchObject({ name: "hpc-lab-slurm", unrestricted: false });
    expect(credential.access_rules).toEqual(ELASTIC_ACCESS_RULES.map((r) => ({ service: r.service, method: r.method, path: r.path })));
    const cleanup = Object.entries(resources(json, "terraform_data")).find(([name]) => name.includes("ElasticCleanup"))![1];
    expect(cleanup).not.toHaveProperty("input");
    expect(cleanup.triggers_replace).toMatchObject({ cluster: "hpc_lab", region: "IU", secret: expect.stringMatching(/^\$\{openstack_identity_application_credential_v3\..+\.secret\}$/) });
    expect(cleanup.provisioner[0]["local-exec"]).toMatchObject({
      when: "destroy",
      command: "node files/lab/drover-reap-elastic.mjs",
      environment: { DROVER_APP_CRED_SECRET: "${self.triggers_replace.secret}" },
    });
    // The controller is destroyed first (it creates nodes), then the cleanup runs, then the rest.
    expect(byName(json, "hpc-lab-controller").depends_on).toEqual([expect.stringMatching(/^terraform_data\./)]);
    expect(json.locals).toBeDefined();
    expect(Object.values(json.locals as Record<string, string>)[0]).toContain('s.type == "identity"');
    // The secret travels only as references: to the cleanup step and the controller's clouds.yaml.
    const holders = strings(json).filter((s) => /application_credential_v3\.[^.]+\.secret\}/.test(s));
    expect(holders).toHaveLength(2);
    expect(holders).toContain(cleanup.triggers_replace.secret);
    expect(holders).toContain(byName(json, "hpc-lab-controller").user_data);
    expect(byName(json, "hpc-gpu-1").user_data).not.toContain("application_credential");
    expect(schemaFindings(json)).toEqual([]);
    expect(compact(json)).toMatchSnapshot();
  });

  it("GIVEN an elastic-only cluster THEN it creates no compute instance at all and the summary counts from 0", () => {
    const { json } = build({ ...small, partitions: [{ name: "cpu", size: "m3.quad", elastic: { max: 4 } }] });
    expect(instances(json).map((i) => i.name)).toEqual(["hpc-lab-controller"]);
    expect(json.output.lab_summary.value).toBe("hpc_lab: cpu* 0-4×m3.quad; 0-16 compute cores, up to 4 compute nodes; 8 SU/hour idle, 24 SU/hour at full scale");
  });

  it("can leave the credential unrestricted where Keystone has no access rules", () => {
    const { json } = build({ ...elastic, restrictCredential: false });
    expect(only(json, "openstack_identity_application_credential_v3")).not.toHaveProperty("access_rules");
  });

  it("uses Manila CephFS shares instead of controller volumes when asked", () => {
    const { json } = build({ ...small, sharedStorage: { kind: "manila", protocol: "CEPHFS", homeGiB: 200, softwareGiB: 20 } });
    // Only slurmctld's state volume: the homes and software are shares.
    expect(Object.values(resources(json, "openstack_blockstorage_volume_v3")).map((v) => v.name)).toEqual(["hpc-lab-state"]);
    const shares = Object.values(resources(json, "openstack_sharedfilesystem_share_v2"));
    expect(shares.map((s) => [s.name, s.size, s.share_proto, s.share_type, s.lifecycle?.prevent_destroy]).sort()).toEqual([
      ["hpc-lab-home", 200, "CEPHFS", "cephfsnativetype", true],
      ["hpc-lab-software", 20, "CEPHFS", "cephfsnativetype", true],
    ]);
    const access = Object.values(resources(json, "openstack_sharedfilesystem_share_access_v2"));
    expect(access.map((a) => [a.access_type, a.access_to, a.access_level])).toEqual([
      ["cephx", "hpc-lab", "rw"],
      ["cephx", "hpc-lab", "rw"],
    ]);
    expect(schemaFindings(json)).toEqual([]);
  });

  it("marks volumes and shares as stateful", () => {
    for (const storage of [undefined, { kind: "manila" as const }]) {
      const { app, stack } = newStack("hpc");
      new SlurmCluster(stack, "lab", { ...small, ...(storage ? { sharedStorage: storage } : {}) });
      const json = fullSynthJson(app, stack);
      const held = [...Object.values(resources(json, "openstack_blockstorage_volume_v3")), ...Object.values(resources(json, "openstack_sharedfilesystem_share_v2"))];
      // home and software (volumes or shares), and slurmctld's state volume.
      expect(held).toHaveLength(3);
      for (const v of held) expect(v["//"].drover).toEqual({ stateful: true });
    }
  });
});

describe("SlurmCluster validation", () => {
  const issues = (props: Partial<SlurmClusterProps>, stackName = "hpc") => validationIssues(() => build({ ...small, ...props } as SlurmClusterProps, stackName));

  it("names duplicate partitions", () => {
    expect(
      issues({
        partitions: [
          { name: "cpu", size: "m3.quad", nodes: 1 },
          { name: "cpu", size: "m3.small", nodes: 1 },
        ],
      }),
    ).toEqual([`hpc/lab: 'partitions[1].name' "cpu" is already the name of partitions[0]: partition names must be unique`]);
  });

  it("refuses elastic.max below nodes", () => {
    expect(issues({ partitions: [{ name: "cpu", size: "m3.quad", nodes: 4, elastic: { max: 2 } }] })).toEqual([
      "hpc/lab: 'partitions[0].elastic.max' (2) must be at least 'partitions[0].nodes' (4): raise elastic.max or lower nodes",
    ]);
  });

  it("refuses a GPU partition on a flavor without a GPU", () => {
    expect(issues({ partitions: [{ name: "gpu", size: "m3.quad", nodes: 1 }] })).toEqual([
      `hpc/lab: 'partitions[0]' is named "gpu" but m3.quad has no GPU: use a GPU flavor (g3.small, g3.medium, g3.large or g3.xl) or set gpu: false`,
    ]);
    expect(issues({ partitions: [{ name: "big", size: "m3.quad", nodes: 1, gpu: true }] })).toEqual([
      "hpc/lab: 'partitions[0].gpu' is true but m3.quad has no GPU: use a GPU flavor (g3.small, g3.medium, g3.large or g3.xl) or drop gpu",
    ]);
  });

  it("refuses a size that does not exist, with the nearest names", () => {
    expect(issues({ controller: { size: "m3.meduim" } })).toEqual([
      expect.stringMatching(/^hpc\/lab: 'controller\.size' "m3\.meduim" is not a jetstream2 flavor: did you mean m3\.medium or g3\.medium\? Flavors: m3\.tiny, /),
    ]);
  });

  it("refuses storage sizes out of range", () => {
    expect(issues({ sharedStorage: { homeGiB: 0, softwareGiB: 20000 } })).toEqual([
      "hpc/lab: 'sharedStorage.homeGiB' must be a whole number of GiB from 1 to 10240, got 0",
      "hpc/lab: 'sharedStorage.softwareGiB' must be a whole number of GiB from 1 to 10240, got 20000",
    ]);
  });

  it("reports every problem at once, and refuses SSH without any key", () => {
    expect(issues({ users: [], partitions: [{ name: "Bad Name", size: "m3.quad", nodes: 1 }], cidr: "8.8.8.0/33" })).toHaveLength(3);
  });

  it("warns, with the numbers, when full scale exceeds Jetstream2's default quota", () => {
    const { stack } = newStack("hpc");
    new SlurmCluster(stack, "lab", { ...small, partitions: [{ name: "cpu", size: "m3.xl", nodes: 1, elastic: { max: 5 } }] });
    const annotations = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === "@cdktf/warn")
      .map((m) => m.data);
    expect(annotations).toContain(
      "at full scale the cluster uses 168 cores (controller 8 + cpu 5×32), more than jetstream2's default allocation quota of 150 cores: lower elastic.max or ask for a quota increase",
    );
  });

  it("needs the flavors' sizes on an OpenStack cloud without a catalog", () => {
    const cloud = openstack({ defaultImage: "Ubuntu 24.04" });
    expect(validationIssues(() => new SlurmCluster(newStack("hpc", { cloud }).stack, "lab", { ...small, partitions: [{ name: "cpu", size: "m1.xlarge", nodes: 1 }] }))).toEqual([
      "hpc/lab: 'controller.size' \"m3.medium\" is known to openstack by name only, and Slurm needs its vCPUs and memory: pass 'flavors' to openstack() (name, vcpus, memoryGiB)",
      "hpc/lab: 'partitions[0].size' \"m1.xlarge\" is known to openstack by name only, and Slurm needs its vCPUs and memory: pass 'flavors' to openstack() (name, vcpus, memoryGiB)",
    ]);
    const flavors = [
      { name: "m1.large", vcpus: 4, memoryGiB: 8, rootDiskGiB: 40, gpu: 0, family: "cpu" as const, suPerHour: 0 },
      { name: "m1.xlarge", vcpus: 8, memoryGiB: 16, rootDiskGiB: 80, gpu: 0, family: "cpu" as const, suPerHour: 0 },
    ];
    const { stack } = newStack("hpc", { cloud: openstack({ defaultImage: "Ubuntu 24.04", flavors }) });
    const cluster = new SlurmCluster(stack, "lab", { ...small, controller: { size: "m1.large" }, partitions: [{ name: "cpu", size: "m1.xlarge", nodes: 1 }] });
    expect(cluster.plan.partitions[0]).toMatchObject({ cpusPerNode: 8, realMemoryMiB: 15040 });
    expect(schemaFindings(synthJson(stack))).toEqual([]);
  });
});
