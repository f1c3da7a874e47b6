import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JETSTREAM2_FLAVORS } from "../../lib/catalog/flavors.ts";
import { USER_DATA_MAX_BYTES } from "../../lib/cloud-init.ts";
import { withoutHeaderComment } from "../../lib/slurm/cloud-init.ts";
import { ELASTIC_MUNGE_KEY_PATH, NODE_HOSTLISTS_PATH, NODE_TABLE_PATH, renderClusterCloudInit, sharePlaceholder, type ClusterCloudInit } from "../../lib/slurm/cloud-init.ts";
import { renderSlurmFiles, SLURMDBD_PASSWORD_PLACEHOLDER, type SlurmFiles } from "../../lib/slurm/conf.ts";
import { MUNGE_KEY_PLACEHOLDER, PATHS, type CloudRefs, type SlurmClusterPlan } from "../../lib/slurm/model.ts";
import { defaultUid, planCluster, type ClusterInput } from "../../lib/slurm/plan.ts";
import { readTemplate, renderTemplate } from "../../lib/templates.ts";
import { yaml } from "../../lib/vendor.ts";
import { testPublicKey } from "../support/keys.ts";
import { TerraformDir } from "../support/terraform.ts";
import { hasTool, runTool } from "../support/tools.ts";
import { asSynthesized, decoded, deployText, type WriteFile } from "../support/cloud-init.ts";

const dir = mkdtempSync(join(tmpdir(), "drover-slurm-cloud-init-"));

// GIVEN clusters of every kind the renderer distinguishes.
const BASE: ClusterInput = {
  stackName: "hpc",
  id: "lab",
  cloudName: "jetstream2",
  flavors: JETSTREAM2_FLAVORS,
  controller: { size: "m3.medium" },
  partitions: [],
  image: "Featured-Ubuntu24",
  adminUser: "ubuntu",
};
const USERS = [
  { name: "alice", publicKey: testPublicKey("alice@lab", 1) },
  { name: "bob", publicKey: [testPublicKey("bob@lab", 2), testPublicKey("bob@laptop", 3)] },
];
const SCENARIOS: Record<string, Partial<ClusterInput>> = {
  "small NFS cluster with users": { login: { size: "m3.small" }, partitions: [{ name: "cpu", size: "m3.quad", nodes: 2 }], users: USERS },
  "GPU cluster": {
    partitions: [
      { name: "cpu", size: "m3.quad", nodes: 1 },
      { name: "gpu", size: "g3.medium", nodes: 2 },
    ],
    users: USERS,
  },
  "elastic-only cluster": { partitions: [{ name: "cpu", size: "m3.quad", elastic: { max: 8 } }], users: USERS },
  "cluster with accounting": { partitions: [{ name: "cpu", size: "m3.quad", nodes: 1, elastic: { max: 4 } }], accounting: true },
  "Manila CEPHFS cluster": {
    login: { size: "m3.small" },
    partitions: [{ name: "cpu", size: "m3.quad", nodes: 1, elastic: { max: 4 } }],
    users: USERS,
    sharedStorage: { kind: "manila", protocol: "CEPHFS" },
  },
  "Manila NFS cluster": { partitions: [{ name: "cpu", size: "m3.quad", nodes: 2 }], users: USERS, sharedStorage: { kind: "manila", protocol: "NFS" } },
};

/** Fake references, shaped like the construct's; the values only Terraform would know. */
const REF = {
  munge: "${random_bytes.munge.base64}",
  authUrl: "${data.openstack_identity_auth_scope_v3.scope.auth_url}",
  region: "${data.openstack_identity_auth_scope_v3.scope.region}",
  credId: "${openstack_identity_application_credential_v3.slurm.id}",
  credSecret: "${openstack_identity_application_credential_v3.slurm.secret}",
  network: "${openstack_networking_network_v2.net.id}",
  subnet: "${openstack_networking_subnet_v2.subnet.id}",
  secgroup: "${openstack_networking_secgroup_v2.internal.id}",
  homePath: "${openstack_sharedfilesystem_share_v2.home.export_locations[0].path}",
  homeKey: "${openstack_sharedfilesystem_share_access_v2.home.access_key}",
  softwarePath: "${openstack_sharedfilesystem_share_v2.software.export_locations[0].path}",
  softwareKey: "${openstack_sharedfilesystem_share_access_v2.software.access_key}",
};
const SECRET_REFS = [REF.munge, REF.credSecret, REF.homeKey, REF.softwareKey];
const FAKE_VALUES: Record<string, string> = {
  [REF.munge]: "RkFLRS1NVU5HRS1LRVk=".repeat(68) + "AAAAAAAA",
  [REF.authUrl]: "https://js2.jetstream-cloud.org:5000/v3/",
  [REF.region]: "FAKE-REGION-IU",
  [REF.credId]: "0f3c9a4e7b2d4c1e8a6f5b3d2c1e0f9a",
  [REF.credSecret]: "FAKE-CREDENTIAL-SECRET-" + "x".repeat(63),
  [REF.network]: "6a1b2c3d-0000-4000-8000-000000000001",
  [REF.subnet]: "6a1b2c3d-0000-4000-8000-000000000002",
  [REF.secgroup]: "6a1b2c3d-0000-4000-8000-000000000003",
  [REF.homePath]: "149.165.158.38:6789,149.165.158.22:6789,149.165.158.54:6789:/volumes/_nogroup/3f1e/9a2b",
  [REF.homeKey]: "AQBFAKEHOMEKEYFAKEHOMEKEYFAKEHOMEKEY==",
  [REF.softwarePath]: "149.165.158.38:6789,149.165.158.22:6789,149.165.158.54:6789:/volumes/_nogroup/7c4d/1e5f",
  [REF.softwareKey]: "AQBFAKESOFTKEYFAKESOFTKEYFAKESOFTKEY==",
};

const hasElastic = (plan: SlurmClusterPlan) => plan.partitions.some((p) => p.nodes.some((n) => n.elastic));

function refsFor(plan: SlurmClusterPlan, ref: typeof REF = REF): CloudRefs {
  const storage = plan.sharedStorage;
  const cephfs = storage.kind === "manila" && storage.protocol === "CEPHFS";
  return {
    mungeKeyB64: ref.munge,
    ...(hasElastic(plan)
      ? {
          elastic: {
            authUrl: ref.authUrl,
            region: ref.region,
            applicationCredentialId: ref.credId,
            applicationCredentialSecret: ref.credSecret,
            networkId: ref.network,
            subnetId: ref.subnet,
            securityGroupId: ref.secgroup,
          },
        }
      : {}),
    ...(storage.kind === "manila"
      ? {
          shares: {
            home: { exportPath: ref.homePath, ...(cephfs ? { accessTo: plan.baseName, accessKey: ref.homeKey } : {}) },
            software: { exportPath: ref.softwarePath, ...(cephfs ? { accessTo: plan.baseName, accessKey: ref.softwareKey } : {}) },
          },
        }
      : {}),
  };
}

interface Built {
  readonly plan: SlurmClusterPlan;
  readonly files: SlurmFiles;
  readonly out: ClusterCloudInit;
}

function build(input: Partial<ClusterInput>, ref: typeof REF = REF): Built {
  const r = planCluster({ ...BASE, ...input });
  if (!r.ok) throw new Error(`test plan is invalid: ${JSON.stringify(r.issues)}`);
  const files = renderSlurmFiles(r.plan);
  return { plan: r.plan, files, out: renderClusterCloudInit(r.plan, refsFor(r.plan, ref), files) };
}

const deploy = (text: string, values: Record<string, string> = FAKE_VALUES): string => deployText(text, values);

interface Doc {
  packages: string[];
  user: { name: string; homedir: string };
  users?: Array<Record<string, unknown>>;
  bootcmd: unknown[][];
  write_files: WriteFile[];
  mounts?: string[][];
  runcmd: string[][];
  [key: string]: unknown;
}

const parse = (text: string): Doc => yaml().parse(text) as Doc;
const fileAt = (doc: Doc, path: string) => doc.write_files.find((f) => f.path === path);
/** The node's first-boot program as it lands on the machine. */
const decodedNodeProgram = (doc: Doc) => decoded(fileAt(doc, "/usr/local/sbin/drover-slurm-node")!);
/** The elastic compute user data as the controller keeps it. */
const embeddedCompute = (controller: string): string => decoded(fileAt(parse(deploy(controller)), PATHS.computeUserData)!);

const roles = (out: ClusterCloudInit) => Object.entries(out).filter((e): e is [string, string] => typeof e[1] === "string");
const built = Object.fromEntries(Object.entries(SCENARIOS).map(([name, input]) => [name, build(input)]));
const small = built["small NFS cluster with users"]!;
const elastic = built["elastic-only cluster"]!;
const accounting = built["cluster with accounting"]!;
const cephfs = built["Manila CEPHFS cluster"]!;

describe("renderClusterCloudInit", () => {
  describe.each(Object.keys(SCENARIOS))("%s", (name) => {
    const { out } = built[name]!;

    it("gives every role a #cloud-config that turns off password and root logins", () => {
      for (const [, text] of roles(out)) {
        expect(text.startsWith("#cloud-config\n")).toBe(true);
        expect(parse(text)).toMatchObject({ ssh_pwauth: false, disable_root: true, package_update: true });
      }
    });

    it("is a Terraform template whose only expressions are the references", () => {
      for (const [, text] of roles(out)) expect(() => deploy(text)).not.toThrow();
    });

    it("matches the reviewed summary", () => {
      // What each role writes, mounts and runs; the scripts themselves are checked below.
      const summary = Object.fromEntries(
        roles(out).map(([role, text]) => {
          const doc = parse(text);
          return [
            role,
            {
              packages: doc.packages.join(" "),
              files: doc.write_files.map((f) => [f.path, f.owner ?? "root", f.permissions, f.encoding, f.defer ? "defer" : undefined].filter(Boolean).join(" ")),
              mounts: (doc.mounts ?? []).map((m) => m.join(" ")),
              runcmd: doc.runcmd.map((c) => c.join(" ")),
            },
          ];
        }),
      );
      expect(summary).toMatchSnapshot();
    });
  });

  it("installs each role's packages", () => {
    const pkgs = (b: Built) => Object.fromEntries(roles(b.out).map(([role, text]) => [role, parse(text).packages]));
    expect(pkgs(small)).toEqual({
      controller: ["slurmctld", "slurm-client", "munge", "nfs-kernel-server"],
      login: ["slurm-client", "munge", "nfs-common"],
      compute: ["slurmd", "slurm-client", "munge", "nfs-common", "libpam-slurm-adopt"],
    });
    expect(pkgs(accounting).controller).toEqual(["slurmctld", "slurm-client", "munge", "nfs-kernel-server", "python3-openstackclient", "slurmdbd", "mariadb-server"]);
    expect(pkgs(cephfs)).toMatchObject({
      controller: ["slurmctld", "slurm-client", "munge", "ceph-common", "python3-openstackclient"],
      login: ["slurm-client", "munge", "ceph-common"],
      compute: ["slurmd", "slurm-client", "munge", "ceph-common", "libpam-slurm-adopt"],
    });
    expect(pkgs(built["Manila NFS cluster"]!).controller).toEqual(["slurmctld", "slurm-client", "munge", "nfs-common"]);
  });

  it("keeps the image's account out of the shared /home and gives cluster users the same UID everywhere", () => {
    for (const [, text] of roles(small.out)) {
      const doc = parse(text);
      expect(doc.user).toEqual({ name: "ubuntu", homedir: `${PATHS.adminHomeBase}/ubuntu` });
      expect(doc.bootcmd[0]).toEqual(["mkdir", "-p", PATHS.adminHomeBase]);
      expect(doc.users).toEqual([
        { name: "alice", uid: defaultUid("alice"), primary_group: "users", shell: "/bin/bash", homedir: "/home/alice", lock_passwd: true, no_create_home: true },
        { name: "bob", uid: defaultUid("bob"), primary_group: "users", shell: "/bin/bash", homedir: "/home/bob", lock_passwd: true, no_create_home: true },
      ]);
      // Keys on every node, root's, read by sshd besides ~/.ssh.
      expect(fileAt(doc, `${PATHS.authorizedKeysDir}/bob`)).toEqual({
        path: `${PATHS.authorizedKeysDir}/bob`,
        content: `${testPublicKey("bob@lab", 2)}\n${testPublicKey("bob@laptop", 3)}\n`,
        permissions: "0644",
      });
      const sshd = doc.write_files.find((f) => f.path.startsWith("/etc/ssh/sshd_config.d/"));
      expect(sshd?.content).toContain(`\nAuthorizedKeysFile .ssh/authorized_keys ${PATHS.authorizedKeysDir}/%u\n`);
    }
  });

  it("writes the munge key from its reference, for munge only, after the packages", () => {
    for (const [role, text] of roles(small.out)) {
      expect({ role, key: fileAt(parse(text), "/etc/munge/munge.key") }).toEqual({
        role,
        key: { path: "/etc/munge/munge.key", content: REF.munge, encoding: "b64", owner: "munge:munge", permissions: "0400", defer: true },
      });
    }
  });

  it("writes the Slurm files on every role, gres.conf only with GPUs", () => {
    const gpu = built["GPU cluster"]!;
    for (const b of [small, gpu]) {
      for (const [, text] of roles(b.out)) {
        const doc = parse(text);
        expect(decoded(fileAt(doc, PATHS.slurmConf)!)).toBe(b.files.slurmConf);
        expect(fileAt(doc, PATHS.slurmConf)!.permissions).toBe("0644");
        expect(decoded(fileAt(doc, PATHS.cgroupConf)!)).toBe(b.files.cgroupConf);
        if (b.files.gresConf) expect(decoded(fileAt(doc, PATHS.gresConf)!)).toBe(b.files.gresConf);
        else expect(fileAt(doc, PATHS.gresConf)).toBeUndefined();
      }
    }
    expect(gpu.files.gresConf).toBeDefined();
  });

  it("blocks the metadata service for everyone but root at every boot, from bootcmd", () => {
    for (const [, text] of roles(small.out)) {
      const last = parse(deploy(text)).bootcmd.at(-1)!;
      expect(last).toEqual(["bash", "-c", readTemplate("cloud-init/drover-metadata-guard.sh"), "drover-metadata-guard"]);
    }
  });

  it("names every node in /etc/hosts at boot from slurm.conf, not in the user data", () => {
    const doc = parse(small.out.compute);
    const hosts = decoded(fileAt(doc, "/usr/local/sbin/drover-slurm-hosts")!);
    expect(hosts).toContain(`conf="${PATHS.slurmConf}"`);
    expect(hosts).toContain(`extra="${small.plan.login!.address} ${small.plan.login!.name}"`);
    expect(fileAt(doc, "/etc/systemd/system/drover-slurm-hosts.service")).toBeDefined();
    expect(small.out.compute).not.toMatch(/hpc-cpu-2\b/);
  });

  it("gives every compute node the same user data, and elastic nodes the same with a placeholder for the munge key", () => {
    const b = accounting;
    const doc = parse(b.out.compute);
    for (const key of ["hostname", "fqdn", "prefer_fqdn_over_hostname"]) expect(doc).not.toHaveProperty(key);
    expect(b.out.elasticCompute).toBe(b.out.compute.replace(`"${REF.munge}"`, `"${MUNGE_KEY_PLACEHOLDER}"`));
    // The placeholder is in the elastic copy only.
    for (const [role, text] of roles(b.out)) expect({ role, has: text.includes(MUNGE_KEY_PLACEHOLDER) }).toEqual({ role, has: role === "elasticCompute" });
    expect(embeddedCompute(b.out.controller)).toBe(deploy(b.out.elasticCompute!));
  });

  it("lets users SSH to a compute node only into a job of theirs there (pam_slurm_adopt), the admin always", () => {
    const compute = parse(small.out.compute);
    expect(compute.packages).toContain("libpam-slurm-adopt");
    const pam = fileAt(compute, "/usr/local/sbin/drover-slurm-pam")!;
    expect(pam.permissions).toBe("0755");
    expect(pam.content).toContain('admin="ubuntu"');
    expect(decodedNodeProgram(compute)).toContain("/usr/local/sbin/drover-slurm-pam");
    // Login nodes and the controller keep ordinary SSH.
    for (const role of [small.out.login!, small.out.controller]) expect(parse(role).packages).not.toContain("libpam-slurm-adopt");
    // Jobs get their extern step at once, for the sessions to join.
    expect(small.files.slurmConf).toMatch(/^PrologFlags=contain$/m);
  });

  it("makes slurmd on a GPU cluster wait for the node's GPUs and come back when it exits; a CPU cluster only restarts", () => {
    const gpu = parse(built["GPU cluster"]!.out.compute);
    const dropIn = fileAt(gpu, "/etc/systemd/system/slurmd.service.d/drover.conf")!.content;
    expect(dropIn).toContain("After=munge.service drover-slurm-hosts.service remote-fs.target nvidia-persistenced.service\n");
    expect(dropIn).toContain("ExecStartPre=/usr/local/sbin/drover-wait-shared\nExecStartPre=/usr/local/sbin/drover-wait-gpus\n");
    expect(dropIn).toContain("Restart=on-failure\nRestartSec=30\n");
    expect(fileAt(gpu, "/usr/local/sbin/drover-wait-gpus")).toMatchObject({ permissions: "0755" });
    const cpu = parse(small.out.compute);
    const cpuDropIn = fileAt(cpu, "/etc/systemd/system/slurmd.service.d/drover.conf")!.content;
    expect(cpuDropIn).not.toMatch(/nvidia|drover-wait-gpus/);
    expect(cpuDropIn).toContain("Restart=on-failure\n");
    expect(fileAt(cpu, "/usr/local/sbin/drover-wait-gpus")).toBeUndefined();
  });

  it("gives elastic nodes the admin's key in their user data (static nodes have the key pair), and nobody else's", () => {
    // GIVEN an admin key
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINH2gSAOn1cA4cEz2KFpcLmZMATCb7oziHDevBdnwgaK admin@laptop";
    const r = planCluster({ ...BASE, partitions: [{ name: "cpu", size: "m3.quad", elastic: { max: 2 } }] });
    if (!r.ok) throw new Error("plan");
    const files = renderSlurmFiles(r.plan);

    // WHEN
    const out = renderClusterCloudInit(r.plan, refsFor(r.plan), files, { adminPublicKey: key });

    // THEN the image's account on an elastic node takes the key; the static roles' documents do not carry it
    expect((parse(out.elasticCompute!) as unknown as { user: unknown }).user).toEqual({ name: "ubuntu", homedir: "/var/lib/drover-admin/ubuntu", ssh_authorized_keys: [key] });
    for (const role of ["controller", "compute"] as const) expect(out[role]).not.toContain(key);
    expect(parse(embeddedCompute(out.controller)).user).toMatchObject({ ssh_authorized_keys: [key] });
  });

  describe("the controller", () => {
    it("exports /home and /opt/software from its volumes once both are mounted, and creates the homes", () => {
      const doc = parse(small.out.controller);
      const hook = fileAt(doc, "/etc/drover/volumes.d/50-slurm-shared")!;
      expect(hook.permissions).toBe("0755");
      const script = decoded(hook);
      expect(script).toContain('storage="nfs"');
      expect(script).toContain(`cidr="${small.plan.cidr}"`);
      expect(script).toContain(`users="alice:${defaultUid("alice")} bob:${defaultUid("bob")}"`);
      expect(script).toContain("(rw,sync,no_subtree_check,root_squash,mp)");
      expect(decoded(fileAt(doc, "/usr/local/sbin/drover-volumes")!)).toContain('owner="root"');
      expect(doc.mounts).toBeUndefined();
    });

    it("mounts NFS on login and compute nodes on demand, tolerating a late controller", () => {
      for (const role of ["login", "compute"] as const) {
        expect(parse(small.out[role]!).mounts).toEqual([
          [`${small.plan.controller.address}:/home`, "/home", "nfs", "rw,noauto,x-systemd.automount,x-systemd.mount-timeout=120,nofail,_netdev", "0", "0"],
          [`${small.plan.controller.address}:/opt/software`, "/opt/software", "nfs", "rw,noauto,x-systemd.automount,x-systemd.mount-timeout=120,nofail,_netdev", "0", "0"],
        ]);
      }
      const compute = parse(small.out.compute);
      const dropIn = fileAt(compute, "/etc/systemd/system/slurmd.service.d/drover.conf")!;
      expect(dropIn).toMatchObject({ permissions: "0644", defer: true });
      expect(dropIn.content).toContain("\nExecStartPre=/usr/local/sbin/drover-wait-shared\n");
      expect(decoded(fileAt(compute, "/usr/local/sbin/drover-wait-shared")!)).toContain('paths="/home /opt/software"');
    });

    it("with accounting: slurmdbd.conf for slurm only, with the password left for the machine to make", () => {
      const doc = parse(accounting.out.controller);
      const conf = fileAt(doc, PATHS.slurmdbdConf)!;
      expect(conf).toMatchObject({ owner: "slurm:slurm", permissions: "0600", defer: true });
      expect(decoded(conf)).toContain(`StoragePass=${SLURMDBD_PASSWORD_PLACEHOLDER}\n`);
      const setup = decoded(fileAt(doc, "/usr/local/sbin/drover-slurmdbd-setup")!);
      expect(setup).toContain(`placeholder="${SLURMDBD_PASSWORD_PLACEHOLDER}"`);
      expect(setup).toContain(`cluster="${accounting.plan.clusterName}"`);
      expect(decoded(fileAt(doc, "/etc/systemd/system/slurmctld.service.d/drover.conf")!)).toContain("After=munge.service drover-slurm-hosts.service slurmdbd.service\n");
      expect(decoded(fileAt(doc, "/usr/local/sbin/drover-slurm-controller")!)).toContain('accounting="yes"');
    });

    it("with elastic nodes: the cloud environment, clouds.yaml, node table, compute user data and Slurm's programs", () => {
      const doc = parse(deploy(elastic.out.controller));
      expect(decoded(fileAt(doc, PATHS.cloudEnv)!)).toBe(
        [
          `DROVER_CLUSTER=${elastic.plan.clusterName}`,
          "DROVER_STACK=hpc",
          "OS_CLOUD=drover",
          `DROVER_NETWORK_ID=${FAKE_VALUES[REF.network]}`,
          `DROVER_SUBNET_ID=${FAKE_VALUES[REF.subnet]}`,
          `DROVER_SECURITY_GROUP_ID=${FAKE_VALUES[REF.secgroup]}`,
          "DROVER_IMAGE=Featured-Ubuntu24",
          "DROVER_KEY_NAME=",
          `DROVER_NODE_TABLE=${NODE_TABLE_PATH}`,
          `DROVER_COMPUTE_USER_DATA=${PATHS.computeUserData}`,
          `DROVER_MUNGE_KEY_FILE=${ELASTIC_MUNGE_KEY_PATH}`,
          "",
        ].join("\n"),
      );
      const clouds = fileAt(doc, PATHS.cloudsYaml)!;
      expect(clouds).toMatchObject({ owner: "slurm:slurm", permissions: "0400", defer: true });
      expect(yaml().parse(decoded(clouds))).toEqual({
        clouds: {
          drover: {
            auth_type: "v3applicationcredential",
            auth: { auth_url: FAKE_VALUES[REF.authUrl], application_credential_id: FAKE_VALUES[REF.credId], application_credential_secret: FAKE_VALUES[REF.credSecret] },
            region_name: FAKE_VALUES[REF.region],
            interface: "public",
            identity_api_version: 3,
          },
        },
      });
      expect(decoded(fileAt(doc, NODE_HOSTLISTS_PATH)!)).toBe("hpc-cpu-[1-8]\t10.42.4.[1-8]\tm3.quad\tcpu\n");
      expect(fileAt(doc, PATHS.computeUserData)).toMatchObject({ owner: "slurm:slurm", permissions: "0400", encoding: "gz+b64", defer: true });
      for (const [path, template] of [
        [PATHS.resumeProgram, "slurm/drover-slurm-resume.sh"],
        [PATHS.suspendProgram, "slurm/drover-slurm-suspend.sh"],
        [PATHS.resumeFailProgram, "slurm/drover-slurm-resume-fail.sh"],
        ["/usr/local/sbin/drover-slurm-reconcile", "slurm/drover-slurm-reconcile.sh"],
        ["/etc/systemd/system/drover-slurm-reconcile.timer", "slurm/drover-slurm-reconcile.timer"],
        // Sourced by the three programs above from this path (their default).
        ["/usr/local/lib/drover/drover-elastic-lib.sh", "slurm/drover-elastic-lib.sh"],
      ] as const) {
        const f = fileAt(doc, path)!;
        // In a user data that must shrink, a program loses its header comment (for readers of templates/).
        const want = f.encoding === "gz+b64" ? withoutHeaderComment(readTemplate(template)) : readTemplate(template);
        expect({ path, content: decoded(f) }).toEqual({ path, content: want });
        expect(f.permissions).toBe(path.startsWith("/etc/systemd/") || path.startsWith("/usr/local/lib/") ? "0644" : "0755");
      }
      for (const program of ["drover-slurm-resume.sh", "drover-slurm-suspend.sh", "drover-slurm-reconcile.sh"]) {
        expect(readTemplate(`slurm/${program}`)).toContain('. "${DROVER_ELASTIC_LIB:-/usr/local/lib/drover/drover-elastic-lib.sh}"');
      }
      expect(decoded(fileAt(doc, "/usr/local/sbin/drover-slurm-controller")!)).toContain('elastic="yes"');
      expect(fileAt(parse(small.out.controller), PATHS.cloudEnv)).toBeUndefined();
    });
  });

  describe("with Manila shares", () => {
    it("mounts the CephFS shares on every node with a root-only key file, and serves no NFS", () => {
      for (const [role, text] of roles(cephfs.out).filter(([r]) => r !== "elasticCompute")) {
        const doc = parse(text);
        const options = (share: string) => `name=${cephfs.plan.baseName},secretfile=/etc/ceph/drover-${share}.secret,rw,noauto,x-systemd.automount,x-systemd.mount-timeout=120,nofail,_netdev`;
        expect({ role, mounts: doc.mounts }).toEqual({
          role,
          mounts: [
            [REF.homePath, "/home", "ceph", options("home"), "0", "0"],
            [REF.softwarePath, "/opt/software", "ceph", options("software"), "0", "0"],
          ],
        });
        expect(fileAt(doc, "/etc/ceph/drover-home.secret")).toEqual({ path: "/etc/ceph/drover-home.secret", content: REF.homeKey, permissions: "0600" });
      }
      const hook = decoded(fileAt(parse(cephfs.out.controller), "/etc/drover/volumes.d/50-slurm-shared")!);
      expect(hook).toContain('storage="manila"');
      expect(hook).toContain(`users="alice:${defaultUid("alice")} bob:${defaultUid("bob")}"`);
    });

    it("mounts Manila NFS shares from their export paths", () => {
      const b = built["Manila NFS cluster"]!;
      for (const [, text] of roles(b.out)) {
        expect(parse(text).mounts?.map((m) => m.slice(0, 3))).toEqual([
          [REF.homePath, "/home", "nfs"],
          [REF.softwarePath, "/opt/software", "nfs"],
        ]);
      }
    });

    it("leaves the shares' paths and keys for the controller to fill in the elastic copy, which holds no reference", () => {
      const e = cephfs.out.elasticCompute!;
      expect(() => deploy(e, {})).not.toThrow();
      for (const share of ["home", "software"] as const) {
        expect(e).toContain(`"${sharePlaceholder("PATH", share)}"`);
        expect(e).toContain(`content: "${sharePlaceholder("KEY", share)}"`);
      }
      const controller = decoded(fileAt(parse(cephfs.out.controller), "/usr/local/sbin/drover-slurm-controller")!);
      expect(controller).toContain('shares="home:/home software:/opt/software"');
    });
  });

  it("pastes every reference verbatim, and secrets only into their root-, munge- or slurm-only files", () => {
    const b = cephfs;
    const controller = b.out.controller;
    for (const ref of Object.values(REF)) expect({ ref, found: controller.includes(ref) }).toEqual({ ref, found: true });
    const secretFiles: Record<string, string> = {
      "/etc/munge/munge.key": "munge:munge 0400",
      [PATHS.cloudsYaml]: "slurm:slurm 0400",
      "/etc/ceph/drover-home.secret": "root 0600",
      "/etc/ceph/drover-software.secret": "root 0600",
    };
    for (const [role, text] of roles(b.out)) {
      const doc = parse(text);
      for (const f of doc.write_files) {
        const mode = secretFiles[f.path];
        if (mode) {
          expect({ role, path: f.path, mode: `${f.owner ?? "root"} ${f.permissions}` }).toEqual({ role, path: f.path, mode });
          continue;
        }
        for (const ref of SECRET_REFS) expect({ role, path: f.path, leaks: decoded(f).includes(ref) }).toEqual({ role, path: f.path, leaks: false });
      }
      // No value Terraform fills ever appears in the rendered text.
      for (const value of Object.values(FAKE_VALUES)) expect(text.includes(value)).toBe(false);
    }
  });

  it("is the same text for the same input", () => {
    expect(build(SCENARIOS["Manila CEPHFS cluster"]!)).toEqual(cephfs);
  });

  describe("sizes", () => {
    /** Each reference at the longest value the renderer allows for it. */
    const LONGEST: Record<string, string> = Object.fromEntries(Object.values(REF).map((ref) => [ref, "x".repeat(ref === REF.munge ? 1368 : ref.endsWith(".path}") ? 512 : 255)]));
    const big = {
      "500 static nodes": {
        login: { size: "m3.small" },
        partitions: [
          { name: "cpu", size: "m3.quad", nodes: 500 },
          { name: "gpu", size: "g3.medium", nodes: 10 },
        ],
        users: USERS,
        accounting: true,
      },
      "500 elastic nodes": {
        login: { size: "m3.small" },
        partitions: [
          { name: "cpu", size: "m3.quad", nodes: 2, elastic: { max: 500 } },
          { name: "gpu", size: "g3.medium", elastic: { max: 10 } },
        ],
        users: USERS,
        accounting: true,
      },
      "500 elastic nodes on CephFS": {
        partitions: [{ name: "cpu", size: "m3.quad", elastic: { max: 500 } }],
        users: USERS,
        accounting: true,
        sharedStorage: { kind: "manila" as const, protocol: "CEPHFS" as const },
      },
    } satisfies Record<string, Partial<ClusterInput>>;

    it.each(Object.entries(big))("%s: every user data fits OpenStack's limit (under 64 KiB)", (_, input) => {
      const { out } = build(input);
      for (const [role, text] of roles(out)) {
        const bytes = Buffer.byteLength(deploy(text, LONGEST));
        expect({ role, fits: bytes <= USER_DATA_MAX_BYTES }).toEqual({ role, fits: true });
        expect(Math.ceil(bytes / 3) * 4).toBeLessThanOrEqual(65535);
      }
    });

    it("keeps a small cluster's user data plain text, and compresses only what must shrink", () => {
      for (const [, text] of roles(small.out)) expect(parse(text).write_files.filter((f) => f.encoding === "gz+b64")).toEqual([]);
      const controller = parse(build(big["500 elastic nodes"]).out.controller);
      const compressed = controller.write_files.filter((f) => f.encoding === "gz+b64").map((f) => f.path);
      expect(compressed).toContain(PATHS.computeUserData);
      expect(compressed).toContain(PATHS.resumeProgram);
      // Files holding references stay plain: Terraform cannot reach into a compressed one.
      expect(compressed).not.toContain(PATHS.cloudsYaml);
      expect(compressed).not.toContain(PATHS.cloudEnv);
    });

    it("refuses, with the size, a user data OpenStack would not take", () => {
      // About 350 bytes a user (account, keys file): the controller of an elastic cluster, which
      // carries Slurm's programs and the compute user data too, reaches the limit first.
      const many = Array.from({ length: 60 }, (_, i) => ({ name: `user${i}`, publicKey: testPublicKey(`u${i}@lab`, 1 + (i % 3)) }));
      expect(() => build({ partitions: [{ name: "cpu", size: "m3.quad", elastic: { max: 4 } }], users: many })).toThrow(
        /^the controller user data of cluster hpc_lab takes up to \d+ bytes, more than the 49149 OpenStack accepts: each of the 60 users takes about 350 bytes, so list fewer users \(add the others on the machines\) or fewer partitions$/,
      );
    });
  });

  describe.runIf(hasTool("cloud-init", "apt-get install cloud-init"))("checked by the real cloud-init", () => {
    const cases = Object.entries(built).flatMap(([name, b]) => roles(b.out).map(([role, text]) => [`${name}: ${role}`, text] as const));
    it.each(cases)("%s passes cloud-init schema", (label, text) => {
      const file = join(dir, `${label.replace(/[^a-z0-9]+/gi, "-")}.yaml`);
      writeFileSync(file, text);
      expect(runTool("cloud-init", ["schema", "--config-file", file])).toContain("Valid");
    });

    it.each(Object.entries(built).filter(([, b]) => b.out.elasticCompute !== undefined))("%s: the elastic compute user data the controller keeps passes cloud-init schema", (name, b) => {
      const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, "-")}-embedded.yaml`);
      writeFileSync(file, embeddedCompute(b.out.controller));
      expect(runTool("cloud-init", ["schema", "--config-file", file])).toContain("Valid");
    });
  });

  describe.runIf(hasTool("logrotate", "apt-get install logrotate"))("the elastic programs' log, rotated by the real logrotate", () => {
    it("is rotated on the controller of an elastic cluster only, and logrotate accepts and applies the rule", () => {
      // GIVEN the rule the controller gets, pointed at a log in a scratch directory
      const rule = fileAt(parse(elastic.out.controller), "/etc/logrotate.d/drover-slurm-elastic");
      expect(rule).toMatchObject({ permissions: "0644" });
      expect(fileAt(parse(small.out.controller), "/etc/logrotate.d/drover-slurm-elastic")).toBeUndefined();
      const scratch = mkdtempSync(join(tmpdir(), "drover-logrotate-"));
      const log = join(scratch, "drover-elastic.log");
      writeFileSync(log, "2026-12-06T13:30:18Z drover-slurm-resume: resuming 1 node(s)\n");
      const config = join(scratch, "rule");
      writeFileSync(config, rule!.content.replace("/var/log/slurm/drover-elastic.log", log).replace(/^\s*su .*$/m, ""));

      // WHEN logrotate runs it (forced: the weekly period has not passed)
      const r = spawnSync("logrotate", ["-f", "-s", join(scratch, "state"), config], { encoding: "utf8" });

      // THEN the old lines moved aside and a new, empty log is there for the programs
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(`${log}.1`, "utf8")).toContain("drover-slurm-resume");
      expect(readFileSync(log, "utf8")).toBe("");
    });
  });

  describe.runIf(hasTool("shellcheck", "apt-get install shellcheck"))("checked by the real shellcheck", () => {
    // The scripts as the machines get them, values filled (templates/ is checked as is by test/repo).
    // Each with the library the elastic programs source, as the same machine gets it.
    const scripts = new Map<string, { content: string; lib?: string }>();
    for (const name of ["small NFS cluster with users", "cluster with accounting", "Manila CEPHFS cluster"]) {
      for (const [role, text] of roles(built[name]!.out)) {
        const doc = parse(deploy(text));
        const libFile = fileAt(doc, "/usr/local/lib/drover/drover-elastic-lib.sh");
        for (const f of doc.write_files) {
          const content = decoded(f);
          if (content.startsWith("#!/usr/bin/env bash")) scripts.set(`${name}: ${role} ${f.path}`, { content, ...(libFile ? { lib: decoded(libFile) } : {}) });
        }
      }
    }
    it.each([...scripts])("%s passes shellcheck", (label, { content, lib }) => {
      const at = join(dir, label.replace(/[^a-z0-9]+/gi, "-"));
      mkdirSync(at, { recursive: true });
      writeFileSync(join(at, "script"), content);
      if (lib !== undefined) writeFileSync(join(at, "drover-elastic-lib.sh"), lib);
      expect(runTool("shellcheck", ["--severity=style", "-x", "--source-path=SCRIPTDIR", join(at, "script")])).toBe("");
    });
  });

  describe.runIf(hasTool("scontrol", "apt-get install slurm-client"))("scripts run with the real scontrol", () => {
    const conf = join(dir, "slurm.conf");
    writeFileSync(conf, accounting.files.slurmConf);
    const env = { ...process.env, SLURM_CONF: conf };

    it("drover-slurm-hosts names the controller, the login node and every node, and keeps the rest of /etc/hosts", () => {
      const hosts = join(dir, "hosts");
      writeFileSync(hosts, "127.0.0.1 localhost\n");
      const script = join(dir, "drover-slurm-hosts");
      writeFileSync(script, renderTemplate("slurm/drover-slurm-hosts.sh", { slurmConf: conf, extraHosts: "10.42.0.5 hpc-lab-login" }, { shell: true }));
      for (let i = 0; i < 2; i++) {
        const run = spawnSync("bash", [script], { env: { ...env, DROVER_HOSTS_FILE: hosts }, encoding: "utf8" });
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
      }
      expect(readFileSync(hosts, "utf8")).toBe(
        [
          "127.0.0.1 localhost",
          `# BEGIN drover-slurm: generated from ${conf} at boot, do not edit`,
          "10.42.0.5 hpc-lab-login",
          "10.42.0.4 hpc-lab-controller",
          "10.42.4.1 hpc-cpu-1",
          "10.42.4.2 hpc-cpu-2",
          "10.42.4.3 hpc-cpu-3",
          "10.42.4.4 hpc-cpu-4",
          "# END drover-slurm",
          "",
        ].join("\n"),
      );
    });

    it("drover-wait-gpus waits for the devices gres.conf names for this node, passes nodes it does not name, and gives up with the reason", () => {
      // GIVEN a gres.conf naming this machine (by its short hostname) with two devices, and one for other nodes
      const me = hostname().split(".")[0]!;
      const devices = join(dir, "dev-nvidia");
      const gres = join(dir, "gres-wait.conf");
      writeFileSync(gres, `# comment\nNodeName=${me} Name=gpu File=${devices}[0-1]\nNodeName=hpc-gpu-[1-2] Name=gpu File=/dev/nvidia0\n`);
      const script = join(dir, "drover-wait-gpus");
      writeFileSync(script, renderTemplate("slurm/drover-wait-gpus.sh", { gresConf: gres, timeoutSeconds: "5" }, { shell: true }));
      const wait = () => spawnSync("bash", [script], { env, encoding: "utf8", timeout: 30_000 });

      // WHEN the devices are missing THEN it fails after the wait, naming the first
      const missing = wait();
      expect(missing.status).toBe(1);
      expect(missing.stderr).toBe(`drover-wait-gpus: ${devices}0 is still missing after 5s: is the NVIDIA driver installed and loaded (nvidia-smi)? slurmd is started again later\n`);

      // WHEN both exist THEN it passes at once
      writeFileSync(`${devices}0`, "");
      writeFileSync(`${devices}1`, "");
      expect(wait()).toMatchObject({ status: 0, stderr: "" });

      // A node gres.conf does not name (a CPU node) passes whatever exists.
      writeFileSync(gres, "NodeName=hpc-gpu-[1-2] Name=gpu File=/dev/nvidia-missing\n");
      expect(wait()).toMatchObject({ status: 0, stdout: "", stderr: "" });
    });

    it("drover-slurm-node-table expands the elastic nodes' hostlists into ResumeProgram's table", () => {
      const source = join(dir, "nodes.hostlists");
      const table = join(dir, "nodes.tsv");
      writeFileSync(
        source,
        decoded(fileAt(parse(build(SCENARIOS["elastic-only cluster"]!).out.controller), NODE_HOSTLISTS_PATH)!) + "hpc-gpu-[254-256]\t10.42.8.[254-255],10.42.9.0\tg3.medium\tgpu\n",
      );
      const script = join(dir, "drover-slurm-node-table");
      writeFileSync(script, renderTemplate("slurm/drover-slurm-node-table.sh", { source, table }, { shell: true }));
      const run = spawnSync("bash", [script], { env, encoding: "utf8" });
      expect(run.stderr).toBe("");
      expect(readFileSync(table, "utf8")).toBe(
        [
          ...Array.from({ length: 8 }, (_, i) => `hpc-cpu-${i + 1}\t10.42.4.${i + 1}\tm3.quad\tcpu`),
          "hpc-gpu-254\t10.42.8.254\tg3.medium\tgpu",
          "hpc-gpu-255\t10.42.8.255\tg3.medium\tgpu",
          "hpc-gpu-256\t10.42.9.0\tg3.medium\tgpu",
          "",
        ].join("\n"),
      );
    });
  });

  describe.runIf(hasTool("nft", "apt-get install nftables"))("the metadata rule, checked by the real nft", () => {
    // `nft --check` needs the netlink socket, which only root may open; it changes nothing.
    const root = process.getuid?.() === 0;
    if (!root) console.warn("[skip] nft --check needs root, so the metadata rule's syntax is not checked here.");
    it.runIf(root)("is a valid nftables ruleset", () => {
      const rules = /<<'NFT'\n([\s\S]*?)\nNFT\n/.exec(readTemplate("cloud-init/drover-metadata-guard.sh"))![1]!;
      const file = join(dir, "metadata.nft");
      writeFileSync(file, rules + "\n");
      expect(runTool("nft", ["--check", "-f", file])).toBe("");
    });
  });

  describe.runIf(hasTool("terraform", "see README: terraform or tofu on PATH"))("through the real Terraform", () => {
    it("comes out of Terraform as the text the tests deploy: synthesized, escapes undone, references filled", () => {
      // References to locals, so Terraform can fill them without a provider.
      const names = Object.keys(REF) as Array<keyof typeof REF>;
      const localRef = Object.fromEntries(names.map((n) => [n, `\${local.${n}}`])) as typeof REF;
      const values = Object.fromEntries(names.map((n) => [localRef[n], FAKE_VALUES[REF[n]]!]));
      const b = build(SCENARIOS["Manila CEPHFS cluster"]!, localRef);
      const tf = new TerraformDir().write({
        locals: Object.fromEntries(names.map((n) => [n, FAKE_VALUES[REF[n]]])),
        output: Object.fromEntries(roles(b.out).map(([role, text]) => [role, { value: asSynthesized(text, Object.keys(values)) }])),
      });
      const outputs = JSON.parse(tf.init().apply().run("output", "-json")) as Record<string, { value: string }>;
      for (const [role, text] of roles(b.out)) expect({ role, text: outputs[role]!.value }).toEqual({ role, text: deploy(text, values) });
    });
  });
});
