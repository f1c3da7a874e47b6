import { describe, expect, it } from "vitest";
import { JETSTREAM2_FLAVORS, type Flavor } from "../../lib/catalog/flavors.ts";
import type { SlurmClusterPlan } from "../../lib/slurm/model.ts";
import { clusterSummary, defaultUid, gpusPerNode, planCluster, realMemoryMiB, type ClusterInput, type PartitionInput, type PlanResult } from "../../lib/slurm/plan.ts";
import { testPublicKey } from "../support/keys.ts";

const flavor = (name: string): Flavor => {
  const f = JETSTREAM2_FLAVORS.find((x) => x.name === name);
  if (!f) throw new Error(`no Jetstream2 flavor ${name}`);
  return f;
};

/** Jetstream2's default allocation quota (constructs/openstack/profiles.ts). */
const JETSTREAM2_QUOTA = { cores: 150, memoryGiB: 585 };

/** Stack "lab", construct "hpc": the stack name and the base name differ, so each shows where it is used. */
function input(extra: Partial<ClusterInput> = {}): ClusterInput {
  return {
    stackName: "lab",
    id: "hpc",
    cloudName: "jetstream2",
    flavors: JETSTREAM2_FLAVORS,
    controller: { size: "m3.medium" },
    login: { size: "m3.small" },
    partitions: [{ name: "cpu", size: "m3.quad", nodes: 2 }],
    image: "Featured-Ubuntu24",
    adminUser: "ubuntu",
    ...extra,
  };
}

function plan(extra: Partial<ClusterInput> = {}): SlurmClusterPlan {
  const r = planCluster(input(extra));
  if (!r.ok) throw new Error(`test plan is invalid: ${JSON.stringify(r.issues)}`);
  return r.plan;
}

/** The issues of an input that must fail (props of the wrong type are passed through `unknown`). */
function issues(extra: Record<string, unknown>): Array<{ code: string; message: string }> {
  const r = planCluster({ ...input(), ...extra } as unknown as ClusterInput);
  if (r.ok) throw new Error("expected the plan to fail, it succeeded");
  expect(r.warnings).toEqual([]);
  return r.issues.map((i) => ({ code: i.code, message: i.message }));
}

/** A partition, "cpu" on m3.quad with 2 nodes unless told otherwise; any prop may be of the wrong type. */
const part = (p: Record<string, unknown>): PartitionInput => ({ name: "cpu", size: "m3.quad", nodes: 2, ...p }) as PartitionInput;

const GPU_FLAVORS = "g3.small, g3.medium, g3.large or g3.xl";

describe("realMemoryMiB", () => {
  // total = GiB × 1024; reserve = ceil(5% of total) + 512; the rest rounded down to 64 MiB.
  it.each([
    // 3072 − 154 − 512 = 2406 → 37 × 64
    ["m3.tiny", 2368],
    // 6144 − ceil(307.2) = 308 − 512 = 5324 → 83 × 64
    ["m3.small", 5312],
    // 15360 − 768 − 512 = 14080, already a multiple of 64
    ["m3.quad", 14080],
    // 30720 − 1536 − 512 = 28672
    ["m3.medium", 28672],
    // 61440 − 3072 − 512 = 57856
    ["m3.large", 57856],
    // 128000 − 6400 − 512 = 121088
    ["m3.xl", 121088],
    // 512000 − 25600 − 512 = 485888
    ["r3.large", 485888],
    // GPU flavors have the same memory as their m3 counterparts.
    ["g3.small", 14080],
    ["g3.medium", 28672],
    ["g3.large", 57856],
    ["g3.xl", 121088],
  ])("%s: %i MiB", (name, expected) => {
    expect(realMemoryMiB(flavor(name))).toBe(expected);
  });

  it("is 0, not negative, for a flavor smaller than the reserve", () => {
    // 512 − 26 − 512 < 0
    const tiny: Flavor = { name: "x.half", vcpus: 1, memoryGiB: 0.5, rootDiskGiB: 0, gpu: 0, family: "cpu", suPerHour: 1 };
    expect(realMemoryMiB(tiny)).toBe(0);
  });

  it("is what the plan gives each partition", () => {
    const p = plan({
      partitions: [
        { name: "small", size: "m3.small", nodes: 1 },
        { name: "quad", size: "m3.quad", nodes: 1 },
        { name: "medium", size: "m3.medium", nodes: 1 },
        { name: "gpu", size: "g3.large", nodes: 1 },
      ],
    });
    expect(p.partitions.map((x) => [x.name, x.cpusPerNode, x.realMemoryMiB])).toEqual([
      ["small", 2, 5312],
      ["quad", 4, 14080],
      ["medium", 8, 28672],
      ["gpu", 16, 57856],
    ]);
  });
});

describe("gpusPerNode", () => {
  const withGpu = (gpu: number): Flavor => ({ name: "x", vcpus: 8, memoryGiB: 30, rootDiskGiB: 0, gpu, family: "gpu", suPerHour: 32 });
  it.each([
    ["a CPU flavor", flavor("m3.quad"), 0],
    ["a fifth of an A100 (g3.small)", flavor("g3.small"), 1],
    ["half an A100 (g3.large)", flavor("g3.large"), 1],
    ["a whole A100 (g3.xl)", flavor("g3.xl"), 1],
    ["two and a half GPUs", withGpu(2.5), 2],
    ["four GPUs", withGpu(4), 4],
  ])("%s: %i", (_, f, expected) => {
    expect(gpusPerNode(f)).toBe(expected);
  });
});

describe("planCluster: names", () => {
  it("derives the cluster name and base name from stack and id, and names nodes after the stack", () => {
    const p = plan({ stackName: "my-lab", id: "hpc-1", partitions: [{ name: "big_mem", size: "r3.large", nodes: 1 }] });
    expect(p.clusterName).toBe("my_lab_hpc_1");
    expect(p.baseName).toBe("my-lab-hpc-1");
    expect(p.stackName).toBe("my-lab");
    expect(p.controller.name).toBe("my-lab-hpc-1-controller");
    expect(p.login?.name).toBe("my-lab-hpc-1-login");
    // '_' in a partition name becomes '-' in its hostnames.
    expect(p.partitions[0]!.nodes.map((n) => n.name)).toEqual(["my-lab-big-mem-1"]);
  });

  it("reports a controller name over 63 characters", () => {
    const id = "c".repeat(49); // "lab-" + 49 = 53; + "-controller" = 64; "-login" = 59
    const found = issues({ id });
    expect(found).toContainEqual({
      code: "slurm.name-too-long",
      message: `the controller node's name "lab-${id}-controller" is 64 characters; hostnames allow 63: shorten the stack name or the construct id`,
    });
    expect(found.filter((i) => i.message.includes("login"))).toEqual([]);
  });

  it("reports the login node's name too when both are too long", () => {
    const id = "c".repeat(54); // base 58: controller 69, login 64
    expect(issues({ id }).filter((i) => i.message.includes("node's name"))).toEqual([
      { code: "slurm.name-too-long", message: `the controller node's name "lab-${id}-controller" is 69 characters; hostnames allow 63: shorten the stack name or the construct id` },
      { code: "slurm.name-too-long", message: `the login node's name "lab-${id}-login" is 64 characters; hostnames allow 63: shorten the stack name or the construct id` },
    ]);
  });

  describe("node names, the longest counted at the partition's maximum (elastic) size", () => {
    const stackName = "a".repeat(38);
    const name = "abcdefghijklmnopqrst"; // 20 characters, the most a partition name may have

    it("accepts 63 characters", () => {
      const p = plan({ stackName, id: "x", partitions: [{ name, size: "m3.tiny", nodes: 2, elastic: { max: 999 } }] });
      const last = p.partitions[0]!.nodes.at(-1)!.name;
      expect(last).toBe(`${stackName}-${name}-999`);
      expect(last).toHaveLength(63);
    });

    it("reports 64 characters", () => {
      expect(issues({ stackName, id: "x", partitions: [{ name, size: "m3.tiny", nodes: 2, elastic: { max: 1000 } }] })).toEqual([
        {
          code: "slurm.name-too-long",
          message: `node names like "${stackName}-${name}-1000" are 64 characters; hostnames allow 63: shorten the stack or partition name`,
        },
      ]);
    });
  });

  // slurm.conf(5): "The cluster name must be 40 characters or less in order to comply with the limit
  // on the maximum length for table names in MySQL/MariaDB."
  describe("the Slurm ClusterName, at most 40 characters", () => {
    it("accepts 40 characters", () => {
      const p = plan({ id: "c".repeat(36), accounting: true });
      expect(p.clusterName).toBe(`lab_${"c".repeat(36)}`);
      expect(p.clusterName).toHaveLength(40);
    });

    it("reports 41 characters", () => {
      const id = "c".repeat(37);
      const r = planCluster(input({ id, accounting: true }));
      expect(r.ok).toBe(false);
      const found = r.ok ? [] : r.issues;
      expect(found).toEqual([
        {
          code: "slurm.name-too-long",
          message: `the Slurm cluster name "lab_${id}" (stack name and construct id) is 41 characters; Slurm allows 40 (accounting names database tables after it): shorten the stack name or the construct id`,
        },
      ]);
    });
  });
});

describe("planCluster: addresses", () => {
  const p = plan({
    partitions: [
      { name: "cpu", size: "m3.quad", nodes: 2, elastic: { max: 4 } },
      { name: "gpu", size: "g3.small", elastic: { max: 2, idleMinutes: 30 } },
      { name: "big_mem", size: "r3.large", nodes: 1 },
    ],
  });

  it("puts the controller at .4 and the login node at .5 of the first block", () => {
    expect(p.cidr).toBe("10.42.0.0/16");
    expect(p.controller).toEqual({ name: "lab-hpc-controller", address: "10.42.0.4", flavor: flavor("m3.medium") });
    expect(p.login).toEqual({ name: "lab-hpc-login", address: "10.42.0.5", flavor: flavor("m3.small") });
  });

  it("gives partition i the block of 1,024 addresses i + 1, static nodes first, then elastic ones", () => {
    expect(p.partitions.map((x) => x.nodes)).toEqual([
      [
        { name: "lab-cpu-1", address: "10.42.4.1", elastic: false },
        { name: "lab-cpu-2", address: "10.42.4.2", elastic: false },
        { name: "lab-cpu-3", address: "10.42.4.3", elastic: true },
        { name: "lab-cpu-4", address: "10.42.4.4", elastic: true },
      ],
      [
        { name: "lab-gpu-1", address: "10.42.8.1", elastic: true },
        { name: "lab-gpu-2", address: "10.42.8.2", elastic: true },
      ],
      [{ name: "lab-big-mem-1", address: "10.42.12.1", elastic: false }],
    ]);
  });

  it("describes each partition: default, CPUs, RealMemory, GPUs, idle minutes of elastic ones", () => {
    const [cpu, gpu, big] = p.partitions;
    expect(cpu).toMatchObject({ name: "cpu", flavor: flavor("m3.quad"), isDefault: true, idleMinutes: 10, cpusPerNode: 4, realMemoryMiB: 14080, gpusPerNode: 0 });
    expect(gpu).toMatchObject({ name: "gpu", flavor: flavor("g3.small"), isDefault: false, idleMinutes: 30, cpusPerNode: 4, realMemoryMiB: 14080, gpusPerNode: 1 });
    expect(big).toMatchObject({ name: "big_mem", flavor: flavor("r3.large"), isDefault: false, cpusPerNode: 64, realMemoryMiB: 485888, gpusPerNode: 0 });
    expect(big).not.toHaveProperty("idleMinutes");
  });

  it("fills in the rest of the plan", () => {
    expect(p).toMatchObject({
      clusterName: "lab_hpc",
      baseName: "lab-hpc",
      stackName: "lab",
      accounting: false,
      sharedStorage: { kind: "nfs", homeGiB: 100, softwareGiB: 50 },
      users: [],
      adminUser: "ubuntu",
      image: "Featured-Ubuntu24",
      resumeTimeoutSeconds: 1200,
      suspendTimeoutSeconds: 300,
    });
  });

  it("leaves out idleMinutes when elastic.max equals nodes (no elastic node)", () => {
    const q = plan({ partitions: [{ name: "cpu", size: "m3.quad", nodes: 3, elastic: { max: 3, idleMinutes: 5 } }] });
    expect(q.partitions[0]!.nodes.map((n) => n.elastic)).toEqual([false, false, false]);
    expect(q.partitions[0]).not.toHaveProperty("idleMinutes");
  });

  it("makes the partition marked default the only default", () => {
    const q = plan({ partitions: [part({ name: "a" }), part({ name: "b", default: true }), part({ name: "c", default: false })] });
    expect(q.partitions.map((x) => x.isDefault)).toEqual([false, true, false]);
  });

  it("has no login node when none is asked for: the controller's address is unchanged", () => {
    const q = plan({ login: undefined });
    expect(q).not.toHaveProperty("login");
    expect(q.controller.address).toBe("10.42.0.4");
  });

  it("does not move a partition's nodes when another partition is added at the end", () => {
    const one = plan({ partitions: [part({ name: "cpu", nodes: 3 })] });
    const two = plan({ partitions: [part({ name: "cpu", nodes: 3 }), part({ name: "gpu", size: "g3.small", nodes: 1 })] });
    expect(two.partitions[0]!.nodes).toEqual(one.partitions[0]!.nodes);
    expect(two.partitions[1]!.nodes).toEqual([{ name: "lab-gpu-1", address: "10.42.8.1", elastic: false }]);
  });

  it("fits a partition of 1,000 nodes in its block, ending before the next partition's", () => {
    const q = plan({ partitions: [part({ name: "cpu", size: "m3.tiny", nodes: 1000 }), part({ name: "next", size: "m3.tiny", nodes: 0, elastic: { max: 1000 } })] });
    const [cpu, next] = q.partitions;
    expect(cpu!.nodes).toHaveLength(1000);
    expect(cpu!.nodes[0]).toEqual({ name: "lab-cpu-1", address: "10.42.4.1", elastic: false });
    // 1024 + 1000 = 2024 = 7 × 256 + 232
    expect(cpu!.nodes[999]).toEqual({ name: "lab-cpu-1000", address: "10.42.7.232", elastic: false });
    expect(next!.nodes[0]).toEqual({ name: "lab-next-1", address: "10.42.8.1", elastic: true });
    expect(next!.nodes[999]).toEqual({ name: "lab-next-1000", address: "10.42.11.232", elastic: true });
  });

  it("gives every host of a large cluster its own address, none in the first block's DHCP pool", () => {
    const q = plan({
      partitions: [
        part({ name: "a", size: "m3.tiny", nodes: 1000 }),
        part({ name: "b", size: "m3.tiny", nodes: 10, elastic: { max: 1000 } }),
        part({ name: "c", size: "m3.tiny", nodes: 0, elastic: { max: 1000 } }),
      ],
    });
    const nodes = q.partitions.flatMap((x) => x.nodes);
    expect(nodes).toHaveLength(3000);
    const addresses = [q.controller.address, q.login!.address, ...nodes.map((n) => n.address)];
    expect(new Set(addresses).size).toBe(3002);
    expect(new Set(nodes.map((n) => n.name)).size).toBe(3000);
    // Block 0 is 10.42.0.0-10.42.3.255; the pool runs from .10 to its end.
    const third = (a: string) => Number(a.split(".")[2]);
    expect(nodes.filter((n) => third(n.address) < 4)).toEqual([]);
  });

  it("uses the given range: a /21 holds one partition of 1,000 nodes", () => {
    const q = plan({ cidr: "192.168.8.0/21", partitions: [part({ name: "cpu", size: "m3.tiny", nodes: 1000 })] });
    expect(q.cidr).toBe("192.168.8.0/21");
    expect(q.controller.address).toBe("192.168.8.4");
    expect(q.login!.address).toBe("192.168.8.5");
    expect(q.partitions[0]!.nodes[0]!.address).toBe("192.168.12.1");
    expect(q.partitions[0]!.nodes[999]!.address).toBe("192.168.15.232");
  });

  it("fits 63 partitions in a /16, the last ending at 10.42.255.232", () => {
    const partitions = Array.from({ length: 63 }, (_, i) => part({ name: `p${i}`, size: "m3.tiny", nodes: i === 62 ? 1000 : 1 }));
    const q = plan({ partitions });
    expect(q.partitions).toHaveLength(63);
    expect(q.partitions[1]!.nodes[0]!.address).toBe("10.42.8.1");
    // Block 63 starts at 63 × 1024 = 64512 = 10.42.252.0.
    expect(q.partitions[62]!.nodes[0]).toEqual({ name: "lab-p62-1", address: "10.42.252.1", elastic: false });
    expect(q.partitions[62]!.nodes[999]!.address).toBe("10.42.255.232");
  });

  it("accepts the private ranges 172.16.0.0/12 and 192.168.0.0/16, from /16 to /21", () => {
    expect(plan({ cidr: "172.16.0.0/16" }).partitions[0]!.nodes[0]!.address).toBe("172.16.4.1");
    expect(plan({ cidr: "192.168.0.0/20" }).controller.address).toBe("192.168.0.4");
  });
});

describe("planCluster: sizes, storage and users", () => {
  it("resolves a size given as a requirement to the cheapest flavor that fits", () => {
    const p = plan({ controller: { size: { vcpus: 8, memoryGiB: 30 } }, partitions: [{ name: "gpu", size: { vcpus: 4, memoryGiB: 8, gpu: 0.2 }, nodes: 1 }] });
    expect(p.controller.flavor).toEqual(flavor("m3.medium"));
    expect(p.partitions[0]!.flavor).toEqual(flavor("g3.small"));
  });

  it("gives a flavor with four GPUs four Gres GPUs", () => {
    const gx: Flavor = { name: "gx.4gpu", vcpus: 32, memoryGiB: 240, rootDiskGiB: 60, gpu: 4, gpuModel: "A100", family: "gpu", suPerHour: 128 };
    const p = plan({ flavors: [...JETSTREAM2_FLAVORS, gx], partitions: [{ name: "gpu", size: "gx.4gpu", nodes: 1 }] });
    // 245760 − 12288 − 512 = 232960
    expect(p.partitions[0]).toMatchObject({ gpusPerNode: 4, cpusPerNode: 32, realMemoryMiB: 232960 });
  });

  it("accepts gpu: false on a partition named gpu with a CPU flavor", () => {
    expect(plan({ partitions: [{ name: "gpu", size: "m3.quad", nodes: 1, gpu: false }] }).partitions[0]!.gpusPerNode).toBe(0);
  });

  it("takes storage sizes and Manila shares, NFS by default", () => {
    expect(plan({ sharedStorage: { homeGiB: 500, softwareGiB: 10240 } }).sharedStorage).toEqual({ kind: "nfs", homeGiB: 500, softwareGiB: 10240 });
    expect(plan({ sharedStorage: { kind: "manila" } }).sharedStorage).toEqual({ kind: "manila", protocol: "NFS", homeGiB: 100, softwareGiB: 50 });
    expect(plan({ sharedStorage: { kind: "manila", protocol: "CEPHFS", homeGiB: 1 } }).sharedStorage).toEqual({ kind: "manila", protocol: "CEPHFS", homeGiB: 1, softwareGiB: 50 });
  });

  it("gives each user a UID from the name alone, or the one given, and keeps their key lines", () => {
    const p = plan({
      accounting: true,
      users: [
        { name: "alice", publicKey: `  ${testPublicKey("alice@lab", 1)}  ` },
        { name: "bob-2", publicKey: [testPublicKey("bob@lab", 2), testPublicKey("bob@laptop", 3)], uid: 5005 },
      ],
    });
    expect(p.accounting).toBe(true);
    expect(p.users).toEqual([
      { name: "alice", uid: defaultUid("alice"), publicKeys: [testPublicKey("alice@lab", 1)] },
      { name: "bob-2", uid: 5005, publicKeys: [testPublicKey("bob@lab", 2), testPublicKey("bob@laptop", 3)] },
    ]);
    expect(defaultUid("alice")).toBeGreaterThanOrEqual(100_000);
  });

  it("renumbers nobody when a user is added before, or removed from before, the others (day 2)", () => {
    const key = testPublicKey("x@lab", 1);
    const before = plan({
      users: [
        { name: "alice", publicKey: key },
        { name: "carol", publicKey: key },
      ],
    }).users;
    const after = plan({
      users: [
        { name: "bob", publicKey: key },
        { name: "carol", publicKey: key },
      ],
    }).users;
    expect(after.find((u) => u.name === "carol")!.uid).toBe(before.find((u) => u.name === "carol")!.uid);
  });

  it("refuses two users with one UID, and a UID of a system account, naming the fix", () => {
    const key = testPublicKey("x@lab", 1);
    const same = planCluster({
      ...input(),
      users: [
        { name: "alice", publicKey: key, uid: 20000 },
        { name: "bob", publicKey: key, uid: 20000 },
      ],
    });
    expect(same.ok ? [] : same.issues.map((i) => i.message)).toEqual([expect.stringContaining(`"bob" would get UID 20000, which "alice" has: give one of them its own 'uid'`)]);
    const system = planCluster({ ...input(), users: [{ name: "alice", publicKey: key, uid: 33 }] });
    expect(system.ok ? [] : system.issues.map((i) => i.code)).toEqual(["slurm.bad-uid"]);
  });
});

describe("planCluster: validation", () => {
  const JS2_LIST = "m3.tiny, m3.small, m3.quad, m3.medium, m3.large, m3.xl, m3.2xl, m3.3xl, r3.large, r3.xl, g3.small, g3.medium, g3.large, g3.xl";

  describe("slurm.bad-cidr", () => {
    const rangeRule = (text: string) =>
      `'cidr' "${text}" must be a private IPv4 range (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) from /16 to /21 (a /21 holds one partition, a /20 three, a /16 sixty-three): e.g. "10.42.0.0/16"`;
    it.each([
      ["host bits set", "10.42.0.1/16", `'cidr' "10.42.0.1/16" has host bits set: did you mean 10.42.0.0/16?`],
      ["no prefix", "10.42.0.0", `'cidr' "10.42.0.0" has no prefix length: did you mean 10.42.0.0/32?`],
      ["not a range", "ten-forty-two", `'cidr' "ten-forty-two" is not an address range: write one in CIDR notation, e.g. 203.0.113.0/24`],
      ["a bad address", "10.42.0.300/16", `'cidr' "10.42.0.300/16" has an invalid address "10.42.0.300": write an IPv4 or IPv6 address before the "/", e.g. 203.0.113.0/24`],
      ["a prefix above /21", "10.42.0.0/24", rangeRule("10.42.0.0/24")],
      ["a prefix below /16", "10.0.0.0/8", rangeRule("10.0.0.0/8")],
      ["IPv6", "fd00::/64", rangeRule("fd00::/64")],
    ])("%s: %s", (_, cidr, message) => {
      expect(issues({ cidr })).toEqual([{ code: "slurm.bad-cidr", message }]);
    });

    it.each(["8.8.0.0/16"])("a public range: %s", (cidr) => {
      // The rule the message states (and SlurmClusterProps.cidr documents): a private range.
      // A public one would shadow real internet addresses (8.8.8.8 is Google's resolver) for every node.
      expect(issues({ cidr })).toEqual([{ code: "slurm.bad-cidr", message: rangeRule(cidr) }]);
    });
  });

  describe("slurm.bad-size", () => {
    it("names a flavor that is not in the catalog, with the nearest match", () => {
      expect(issues({ partitions: [part({ size: "m3.quadd" })] })).toEqual([
        { code: "slurm.bad-size", message: `'partitions[0].size' "m3.quadd" is not a jetstream2 flavor: did you mean m3.quad? Flavors: ${JS2_LIST}.` },
      ]);
    });

    it("reports a bad requirement for the login node", () => {
      expect(issues({ login: { size: { vcpus: 0, memoryGiB: 4 } } })).toEqual([{ code: "slurm.bad-size", message: "'login.size.vcpus' must be a whole number of at least 1, got 0" }]);
    });

    it("reports a requirement no flavor meets", () => {
      expect(issues({ controller: { size: { vcpus: 256, memoryGiB: 10 } } })).toEqual([
        {
          code: "slurm.bad-size",
          message: "no jetstream2 flavor has 256 vCPUs, 10 GiB memory; the largest flavor is r3.xl (128 vCPUs, 1000 GiB): lower the requirement or split the work across machines",
        },
      ]);
    });

    it("reports a size that is neither a name nor a requirement", () => {
      expect(issues({ partitions: [part({ size: 4 })] })).toEqual([{ code: "slurm.bad-size", message: "'partitions[0].size' must be a flavor name or { vcpus, memoryGiB, gpu? }, got 4" }]);
    });

    it("reports each flavor a cloud without a catalog knows by name only", () => {
      expect(issues({ cloudName: "mycloud", flavors: [], login: undefined, controller: { size: "m1.large" }, partitions: [part({ size: "m1.small" })] })).toEqual([
        {
          code: "slurm.bad-size",
          message: `'controller.size' "m1.large" is known to mycloud by name only, and Slurm needs its vCPUs and memory: pass 'flavors' to mycloud() (name, vcpus, memoryGiB)`,
        },
        {
          code: "slurm.bad-size",
          message: `'partitions[0].size' "m1.small" is known to mycloud by name only, and Slurm needs its vCPUs and memory: pass 'flavors' to mycloud() (name, vcpus, memoryGiB)`,
        },
      ]);
    });
  });

  it("slurm.no-controller", () => {
    expect(issues({ controller: undefined })).toEqual([{ code: "slurm.no-controller", message: `'controller' is required: { size: "m3.medium" } (the controller runs slurmctld and serves /home)` }]);
  });

  it.each([
    ["empty", []],
    ["missing", undefined],
  ])("slurm.no-partitions: %s", (_, partitions) => {
    expect(issues({ partitions })).toEqual([{ code: "slurm.no-partitions", message: `'partitions' is empty: give at least one, e.g. { name: "cpu", size: "m3.quad", nodes: 2 }` }]);
  });

  describe("slurm.too-many-partitions", () => {
    it("two partitions in a /21", () => {
      expect(issues({ cidr: "10.42.0.0/21", partitions: [part({ name: "a" }), part({ name: "b" })] })).toEqual([
        { code: "slurm.too-many-partitions", message: `'partitions' has 2 partitions; 'cidr' 10.42.0.0/21 holds 1: use a larger range (a smaller prefix, e.g. /16 holds 63)` },
      ]);
    });

    it("64 partitions in a /16", () => {
      const partitions = Array.from({ length: 64 }, (_, i) => part({ name: `p${i}`, size: "m3.tiny", nodes: 1 }));
      expect(issues({ partitions })).toEqual([
        { code: "slurm.too-many-partitions", message: `'partitions' has 64 partitions; 'cidr' 10.42.0.0/16 holds 63: use a larger range (a smaller prefix, e.g. /16 holds 63)` },
      ]);
    });

    it("four partitions in a /20", () => {
      const partitions = ["a", "b", "c", "d"].map((name) => part({ name }));
      expect(issues({ cidr: "10.42.0.0/20", partitions })).toEqual([
        { code: "slurm.too-many-partitions", message: `'partitions' has 4 partitions; 'cidr' 10.42.0.0/20 holds 3: use a larger range (a smaller prefix, e.g. /16 holds 63)` },
      ]);
    });
  });

  it("slurm.two-defaults", () => {
    expect(issues({ partitions: [part({ name: "a", default: true }), part({ name: "b" }), part({ name: "c", default: true })] })).toEqual([
      { code: "slurm.two-defaults", message: `'partitions[0]' and 'partitions[2]' are all marked default: Slurm has one default partition, mark one` },
    ]);
  });

  it.each([
    ["upper case", "CPU", `"CPU"`],
    ["a hyphen", "cpu-a", `"cpu-a"`],
    ["a leading digit", "1cpu", `"1cpu"`],
    ["21 characters", "abcdefghijklmnopqrstu", `"abcdefghijklmnopqrstu"`],
    ["no name", undefined, "undefined"],
  ])("slurm.bad-partition-name: %s", (_, name, shown) => {
    expect(issues({ partitions: [part({ name })] })).toEqual([
      { code: "slurm.bad-partition-name", message: `'partitions[0].name' ${shown} must be lower-case letters, digits and '_', starting with a letter, at most 20 characters` },
    ]);
  });

  it("slurm.duplicate-partition", () => {
    expect(issues({ partitions: [part({ name: "cpu" }), part({ name: "gpu", size: "g3.small" }), part({ name: "cpu", nodes: 1 })] })).toEqual([
      { code: "slurm.duplicate-partition", message: `'partitions[2].name' "cpu" is already the name of partitions[0]: partition names must be unique` },
    ]);
  });

  it.each([
    ["negative", -1, "-1"],
    ["over 1,000", 1001, "1001"],
    ["a fraction", 2.5, "2.5"],
    ["a string", "2", `"2"`],
  ])("slurm.bad-nodes: %s", (_, nodes, shown) => {
    expect(issues({ partitions: [part({ nodes })] })).toEqual([{ code: "slurm.bad-nodes", message: `'partitions[0].nodes' must be a whole number from 0 to 1000, got ${shown}` }]);
  });

  it.each([
    ["0", { max: 0 }, "0"],
    ["over 1,000", { max: 1001 }, "1001"],
    ["a fraction", { max: 3.5 }, "3.5"],
    ["missing", {}, "nothing"],
    ["NaN", { max: Number.NaN }, "NaN"],
  ])("slurm.bad-elastic-max: %s", (_, elastic, shown) => {
    expect(issues({ partitions: [part({ nodes: 0, elastic })] })).toEqual([
      { code: "slurm.bad-elastic-max", message: `'partitions[0].elastic.max' must be a whole number from 1 to 1000, got ${shown}` },
    ]);
  });

  it("slurm.elastic-below-static", () => {
    expect(issues({ partitions: [part({ nodes: 4, elastic: { max: 2 } })] })).toEqual([
      { code: "slurm.elastic-below-static", message: `'partitions[0].elastic.max' (2) must be at least 'partitions[0].nodes' (4): raise elastic.max or lower nodes` },
    ]);
  });

  it.each([
    ["0", 0, "0"],
    ["over a week", 10081, "10081"],
    ["a fraction", 2.5, "2.5"],
  ])("slurm.bad-idle: %s", (_, idleMinutes, shown) => {
    expect(issues({ partitions: [part({ elastic: { max: 4, idleMinutes } })] })).toEqual([
      { code: "slurm.bad-idle", message: `'partitions[0].elastic.idleMinutes' must be a whole number of minutes from 1 to 10080, got ${shown}` },
    ]);
  });

  it("accepts an idle time of exactly a week", () => {
    expect(plan({ partitions: [part({ elastic: { max: 4, idleMinutes: 10080 } })] }).partitions[0]!.idleMinutes).toBe(10080);
  });

  it.each([
    ["no nodes given", { name: "cpu", size: "m3.quad" }],
    ["nodes: 0", { name: "cpu", size: "m3.quad", nodes: 0 }],
  ])("slurm.empty-partition: %s", (_, p) => {
    expect(issues({ partitions: [p] })).toEqual([
      { code: "slurm.empty-partition", message: `'partitions[0]' has no nodes: give 'nodes' (static nodes) or 'elastic: { max }' (nodes created on demand)` },
    ]);
  });

  describe("slurm.gpu-without-gpu", () => {
    it("gpu: true on a CPU flavor", () => {
      expect(issues({ partitions: [part({ name: "ml", gpu: true })] })).toEqual([
        { code: "slurm.gpu-without-gpu", message: `'partitions[0].gpu' is true but m3.quad has no GPU: use a GPU flavor (${GPU_FLAVORS}) or drop gpu` },
      ]);
    });

    it("a partition named gpu on a CPU flavor", () => {
      expect(issues({ partitions: [part({ name: "gpu_big", size: "m3.xl" })] })).toEqual([
        { code: "slurm.gpu-without-gpu", message: `'partitions[0]' is named "gpu_big" but m3.xl has no GPU: use a GPU flavor (${GPU_FLAVORS}) or set gpu: false` },
      ]);
    });

    it("gpu given as a number (meant as the node's GPU) is refused with the size that says it", () => {
      expect(issues({ partitions: [part({ name: "ml", gpu: 1 as unknown as boolean })] })).toEqual([
        {
          code: "slurm.bad-gpu",
          message:
            "'partitions[0].gpu' 1 must be true or false (whether the partition is for GPU jobs); the GPU each node needs goes in its size: size: { vcpus, memoryGiB, gpu: 1 }, or a GPU flavor's name",
        },
      ]);
    });

    it("a cloud whose catalog has no GPU flavor", () => {
      const cpuOnly = JETSTREAM2_FLAVORS.filter((f) => f.gpu === 0);
      expect(issues({ flavors: cpuOnly, partitions: [part({ gpu: true })] })).toEqual([
        { code: "slurm.gpu-without-gpu", message: `'partitions[0].gpu' is true but m3.quad has no GPU: use a GPU flavor (none in this cloud's catalog) or drop gpu` },
      ]);
    });
  });

  describe("storage", () => {
    it("slurm.bad-storage-kind", () => {
      expect(issues({ sharedStorage: { kind: "ceph" } })).toEqual([
        { code: "slurm.bad-storage-kind", message: `'sharedStorage.kind' "ceph" must be "nfs" (volumes on the controller) or "manila" (shares)` },
      ]);
    });

    it("slurm.bad-storage-protocol: an unknown protocol for Manila", () => {
      expect(issues({ sharedStorage: { kind: "manila", protocol: "SMB" } })).toEqual([
        { code: "slurm.bad-storage-protocol", message: `'sharedStorage.protocol' "SMB" must be "NFS" or "CEPHFS" (Jetstream2's shares are CEPHFS)` },
      ]);
    });

    it.each([
      ["kind nfs", { kind: "nfs", protocol: "NFS" }],
      ["kind left to its default", { protocol: "CEPHFS" }],
    ])("slurm.bad-storage-protocol: a protocol with %s", (_, sharedStorage) => {
      expect(issues({ sharedStorage })).toEqual([{ code: "slurm.bad-storage-protocol", message: `'sharedStorage.protocol' applies to kind "manila" only: drop it or set kind: "manila"` }]);
    });

    it.each([
      ["homeGiB", 0, "0"],
      ["homeGiB", 1.5, "1.5"],
      ["softwareGiB", 10241, "10241"],
      ["softwareGiB", "50", `"50"`],
    ])("slurm.bad-storage-size: %s %j", (prop, value, shown) => {
      expect(issues({ sharedStorage: { [prop]: value } })).toEqual([
        { code: "slurm.bad-storage-size", message: `'sharedStorage.${prop}' must be a whole number of GiB from 1 to 10240, got ${shown}` },
      ]);
    });
  });

  describe("users", () => {
    const key = testPublicKey("alice@lab", 1);

    it.each([
      ["upper case", "Alice", `"Alice"`],
      ["a leading digit", "1alice", `"1alice"`],
      ["33 characters", "a".repeat(33), `"${"a".repeat(33)}"`],
      ["no name", undefined, "undefined"],
    ])("slurm.bad-user: %s", (_, name, shown) => {
      expect(issues({ users: [{ name, publicKey: key }] })).toEqual([
        { code: "slurm.bad-user", message: `'users[0].name' ${shown} must be lower-case letters, digits, '_' and '-', starting with a letter, at most 32 characters` },
      ]);
    });

    it.each([
      ["a system account", "root", "ubuntu"],
      ["a service account", "slurm", "ubuntu"],
      ["the image's admin account", "exouser", "exouser"],
    ])("slurm.reserved-user: %s", (_, name, adminUser) => {
      expect(issues({ adminUser, users: [{ name, publicKey: key }] })).toEqual([{ code: "slurm.reserved-user", message: `'users[0].name' "${name}" is a system or image account: pick another name` }]);
    });

    it("slurm.duplicate-user", () => {
      expect(
        issues({
          users: [
            { name: "alice", publicKey: key },
            { name: "bob", publicKey: key },
            { name: "alice", publicKey: key },
          ],
        }),
      ).toEqual([{ code: "slurm.duplicate-user", message: `'users[2].name' "alice" is already users[0]: user names must be unique` }]);
    });

    it.each([
      ["no key", undefined],
      ["an empty list", []],
    ])("slurm.user-without-key: %s", (_, publicKey) => {
      expect(issues({ users: [{ name: "alice", publicKey }] })).toEqual([
        { code: "slurm.user-without-key", message: `'users[0].publicKey' is missing: give the user's OpenSSH public key (the content of ~/.ssh/id_ed25519.pub)` },
      ]);
    });

    it("slurm.bad-user-key: a DSA key", () => {
      expect(issues({ users: [{ name: "alice", publicKey: "ssh-dss AAAAB3NzaC1kc3MAAACBAP alice@old" }] })).toEqual([
        { code: "slurm.bad-user-key", message: `'users[0].publicKey' is a DSA key, which OpenSSH no longer accepts: use an ed25519 key (ssh-keygen -t ed25519)` },
      ]);
    });

    it("slurm.bad-user-key: a private key", () => {
      expect(issues({ users: [{ name: "alice", publicKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----" }] })).toEqual([
        {
          code: "slurm.bad-user-key",
          message: `'users[0].publicKey' is a private key. Never put a private key in a stack: pass the public half (the .pub file, e.g. ~/.ssh/id_ed25519.pub)`,
        },
      ]);
    });

    it("slurm.bad-user-key: the second of two keys, named by its index", () => {
      expect(issues({ users: [{ name: "alice", publicKey: [key, "not a key"] }] })).toEqual([
        {
          code: "slurm.bad-user-key",
          message: `'users[0].publicKey[1]' does not start with a known key type (got "not"; allowed: ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com): give the whole line of your .pub file, e.g. the content of ~/.ssh/id_ed25519.pub`,
        },
      ]);
    });
  });

  it("reports every problem at once, in the order of the props", () => {
    expect(
      issues({
        controller: { size: "m3.mediun" },
        partitions: [part({ name: "CPU", size: "m3.quad", nodes: -1 }), part({ name: "gpu", size: "m3.quad", nodes: 0 })],
        sharedStorage: { homeGiB: 0, kind: "manila", protocol: "SMB" },
        users: [
          { name: "root", publicKey: testPublicKey() },
          { name: "alice", publicKey: [] },
        ],
      }),
    ).toEqual([
      { code: "slurm.bad-size", message: `'controller.size' "m3.mediun" is not a jetstream2 flavor: did you mean m3.medium? Flavors: ${JS2_LIST}.` },
      { code: "slurm.bad-partition-name", message: `'partitions[0].name' "CPU" must be lower-case letters, digits and '_', starting with a letter, at most 20 characters` },
      { code: "slurm.bad-nodes", message: "'partitions[0].nodes' must be a whole number from 0 to 1000, got -1" },
      { code: "slurm.empty-partition", message: `'partitions[1]' has no nodes: give 'nodes' (static nodes) or 'elastic: { max }' (nodes created on demand)` },
      { code: "slurm.gpu-without-gpu", message: `'partitions[1]' is named "gpu" but m3.quad has no GPU: use a GPU flavor (${GPU_FLAVORS}) or set gpu: false` },
      { code: "slurm.bad-storage-protocol", message: `'sharedStorage.protocol' "SMB" must be "NFS" or "CEPHFS" (Jetstream2's shares are CEPHFS)` },
      { code: "slurm.bad-storage-size", message: "'sharedStorage.homeGiB' must be a whole number of GiB from 1 to 10240, got 0" },
      { code: "slurm.reserved-user", message: `'users[0].name' "root" is a system or image account: pick another name` },
      { code: "slurm.user-without-key", message: `'users[1].publicKey' is missing: give the user's OpenSSH public key (the content of ~/.ssh/id_ed25519.pub)` },
    ]);
  });
});

describe("planCluster: quota warnings", () => {
  /** `quota: null` leaves the quota out. */
  const warnings = (partitions: PartitionInput[], quota: ClusterInput["quota"] | null = JETSTREAM2_QUOTA): readonly string[] => {
    const r: PlanResult = planCluster(input({ partitions, ...(quota ? { quota } : {}) }));
    if (!r.ok) throw new Error(`test plan is invalid: ${JSON.stringify(r.issues)}`);
    return r.warnings;
  };

  it("warns about cores and memory at full scale over the quota", () => {
    // Controller m3.medium (8, 30 GiB), login m3.small (2, 6 GiB), 5 × m3.xl (32, 125 GiB):
    // 8 + 2 + 160 = 170 cores; 30 + 6 + 625 = 661 GiB.
    expect(warnings([{ name: "cpu", size: "m3.xl", nodes: 1, elastic: { max: 5 } }])).toEqual([
      "at full scale the cluster uses 170 cores (controller 8 + login 2 + cpu 5×32), more than jetstream2's default allocation quota of 150 cores: lower elastic.max or ask for a quota increase",
      "at full scale the cluster uses 661 GiB of memory, more than jetstream2's default allocation quota of 585 GiB: lower elastic.max or ask for a quota increase",
    ]);
  });

  it("warns about cores alone", () => {
    // 10 + 36 × 4 = 154 cores; 36 + 36 × 15 = 576 GiB (within 585).
    expect(warnings([{ name: "cpu", size: "m3.quad", elastic: { max: 36 } }])).toEqual([
      "at full scale the cluster uses 154 cores (controller 8 + login 2 + cpu 36×4), more than jetstream2's default allocation quota of 150 cores: lower elastic.max or ask for a quota increase",
    ]);
  });

  it("warns about memory alone", () => {
    // 10 + 2 × 64 = 138 cores; 36 + 2 × 500 = 1036 GiB.
    expect(warnings([{ name: "bigmem", size: "r3.large", nodes: 2 }])).toEqual([
      "at full scale the cluster uses 1036 GiB of memory, more than jetstream2's default allocation quota of 585 GiB: lower elastic.max or ask for a quota increase",
    ]);
  });

  it("does not warn at exactly the quota", () => {
    // 10 + 35 × 4 = 150 cores; 36 + 35 × 15 = 561 GiB.
    expect(warnings([{ name: "cpu", size: "m3.quad", nodes: 5, elastic: { max: 35 } }])).toEqual([]);
  });

  it("does not warn without a quota", () => {
    expect(warnings([{ name: "cpu", size: "m3.2xl", elastic: { max: 1000 } }], null)).toEqual([]);
  });
});

describe("clusterSummary", () => {
  const p = plan({
    partitions: [
      { name: "cpu", size: "m3.quad", nodes: 2, elastic: { max: 6 } },
      { name: "gpu", size: "g3.small", nodes: 1, elastic: { max: 3 } },
      { name: "big", size: "m3.large", elastic: { max: 2 } },
    ],
  });
  const s = clusterSummary(p);

  // SU/hour: 1 per vCPU for m3 flavors, 4 per vCPU for g3 flavors.
  // controller m3.medium 8 vCPUs 30 GiB 8 SU; login m3.small 2, 6 GiB, 2 SU;
  // m3.quad 4, 15 GiB, 4 SU; g3.small 4, 15 GiB, 16 SU, 1 GPU; m3.large 16, 60 GiB, 16 SU.
  it("counts the idle cluster: controller, login and static nodes", () => {
    expect(s.idle).toEqual({
      nodes: 3,
      cores: 22, // 8 + 2 + 2 × 4 + 1 × 4
      computeCores: 12, // 2 × 4 + 1 × 4
      memoryGiB: 81, // 30 + 6 + 2 × 15 + 15
      gpus: 1,
      suPerHour: 34, // 8 + 2 + 2 × 4 + 16
      breakdown: "controller 8 + login 2 + cpu 2×4 + gpu 1×4",
    });
  });

  it("counts the cluster at full scale, elastic nodes included", () => {
    expect(s.fullScale).toEqual({
      nodes: 11, // 6 + 3 + 2
      cores: 78, // 10 + 6 × 4 + 3 × 4 + 2 × 16
      computeCores: 68, // 6 × 4 + 3 × 4 + 2 × 16
      memoryGiB: 291, // 36 + 6 × 15 + 3 × 15 + 2 × 60
      gpus: 3,
      suPerHour: 114, // 10 + 6 × 4 + 3 × 16 + 2 × 16
      breakdown: "controller 8 + login 2 + cpu 6×4 + gpu 3×4 + big 2×16",
    });
  });

  it("sums it up in one line, counting the cores jobs can use", () => {
    expect(s.line).toBe("lab_hpc: cpu* 2-6×m3.quad, gpu 1-3×g3.small, big 0-2×m3.large; 12-68 compute cores, 1-3 GPUs, up to 11 compute nodes; 34 SU/hour idle, 114 SU/hour at full scale");
  });

  it("leaves GPUs and the login node out when there are none, and a range when nothing grows", () => {
    const q = clusterSummary(plan({ login: undefined, partitions: [{ name: "cpu", size: "m3.quad", nodes: 2 }] }));
    expect(q.line).toBe("lab_hpc: cpu* 2×m3.quad; 8 compute cores, 2 compute nodes; 16 SU/hour idle, 16 SU/hour at full scale");
    expect(q.fullScale.breakdown).toBe("controller 8 + cpu 2×4");
  });

  it("marks the default partition and charges large-memory flavors 2 SU per vCPU", () => {
    const q = clusterSummary(
      plan({
        partitions: [
          { name: "cpu", size: "m3.quad", nodes: 1 },
          { name: "mem", size: "r3.large", elastic: { max: 1 }, default: true },
        ],
      }),
    );
    // Idle: 8 + 2 + 4 = 14 SU; full: + 64 × 2 = 142 SU.
    expect(q.line).toBe("lab_hpc: cpu 1×m3.quad, mem* 0-1×r3.large; 4-68 compute cores, up to 2 compute nodes; 14 SU/hour idle, 142 SU/hour at full scale");
  });

  it("says a one-node cluster's cores as one number (was '4-4 cores', the controller's counted in)", () => {
    const q = clusterSummary(plan({ login: undefined, partitions: [{ name: "cpu", size: "m3.small", nodes: 1 }] }));
    expect(q.line).toBe("lab_hpc: cpu* 1×m3.small; 2 compute cores, 1 compute node; 10 SU/hour idle, 10 SU/hour at full scale");
  });
});
