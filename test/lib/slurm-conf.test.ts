import { describe, expect, it } from "vitest";
import { JETSTREAM2_FLAVORS, type Flavor } from "../../lib/catalog/flavors.ts";
import { renderSlurmFiles, SLURMDBD_PASSWORD_PLACEHOLDER } from "../../lib/slurm/conf.ts";
import { compressHostlist, hostlistPairs } from "../../lib/slurm/hostlist.ts";
import { PATHS, type SlurmClusterPlan } from "../../lib/slurm/model.ts";
import { planCluster, type ClusterInput, type PartitionInput } from "../../lib/slurm/plan.ts";

/** A four-GPU flavor (Jetstream2 has none) for gres.conf's device ranges. */
const GPU4: Flavor = { name: "gx.4gpu", vcpus: 32, memoryGiB: 240, rootDiskGiB: 60, gpu: 4, gpuModel: "A100", family: "gpu", suPerHour: 128 };

function plan(partitions: PartitionInput[], extra: Partial<ClusterInput> = {}): SlurmClusterPlan {
  const r = planCluster({
    stackName: "hpc",
    id: "hpc",
    cloudName: "jetstream2",
    flavors: [...JETSTREAM2_FLAVORS, GPU4],
    controller: { size: "m3.medium" },
    login: { size: "m3.small" },
    partitions,
    image: "Featured-Ubuntu24",
    adminUser: "ubuntu",
    ...extra,
  });
  if (!r.ok) throw new Error(`test plan is invalid: ${JSON.stringify(r.issues)}`);
  return r.plan;
}

/** The file's settings, comments and blank lines left out. */
const settings = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

/** A minimal reading of a hostlist expression, enough to check the renderer's output: `a-[1-3,5]` → a-1, a-2, a-3, a-5. */
function expand(hostlist: string): string[] {
  return [...hostlist.matchAll(/([^,[]+)(?:\[([^\]]+)\])?/g)].flatMap(([, prefix, ranges]) =>
    ranges === undefined
      ? [prefix!]
      : ranges.split(",").flatMap((r) => {
          const [a, b = a] = r.split("-").map(Number) as [number, number?];
          return Array.from({ length: b! - a + 1 }, (_, i) => `${prefix}${a + i}`);
        }),
  );
}

describe("compressHostlist", () => {
  it.each([
    [["hpc-cpu-1", "hpc-cpu-2", "hpc-cpu-3", "hpc-cpu-5"], "hpc-cpu-[1-3,5]"],
    [["hpc-cpu-7"], "hpc-cpu-7"],
    [[], ""],
    [["a-3", "a-1", "a-2", "a-2"], "a-[1-3]"],
    [["hpc-cpu-9", "hpc-cpu-10", "hpc-cpu-11"], "hpc-cpu-[9-11]"],
    [["hpc-cpu-1", "hpc-gpu-1", "hpc-cpu-2"], "hpc-cpu-[1-2],hpc-gpu-1"],
    [["login", "hpc-cpu-1", "login"], "login,hpc-cpu-1"],
    // A leading zero is a padded width to Slurm: such names are written as they are.
    [["n-01", "n-02"], "n-01,n-02"],
    [["10.42.4.1", "10.42.4.2", "10.42.4.3"], "10.42.4.[1-3]"],
  ])("%j → %j", (names, expected) => {
    expect(compressHostlist(names)).toBe(expected);
  });
});

describe("hostlistPairs", () => {
  const nodes = (list: Array<[number, string]>, prefix = "hpc-cpu-") => list.map(([n, address]) => ({ name: `${prefix}${n}`, address }));
  it.each([
    ["no nodes", [], []],
    [
      "a contiguous run",
      nodes([
        [1, "10.42.4.1"],
        [2, "10.42.4.2"],
        [3, "10.42.4.3"],
      ]),
      [["hpc-cpu-[1-3]", "10.42.4.[1-3]"]],
    ],
    [
      "the same gap in both",
      nodes([
        [1, "10.42.4.1"],
        [2, "10.42.4.2"],
        [3, "10.42.4.3"],
        [5, "10.42.4.5"],
      ]),
      [["hpc-cpu-[1-3,5]", "10.42.4.[1-3,5]"]],
    ],
    // Both still expand in ascending, hence the same, order.
    [
      "different gaps",
      nodes([
        [1, "10.42.4.1"],
        [2, "10.42.4.5"],
        [3, "10.42.4.9"],
      ]),
      [["hpc-cpu-[1-3]", "10.42.4.[1,5,9]"]],
    ],
    [
      "addresses crossing a /24",
      nodes([
        [254, "10.42.4.254"],
        [255, "10.42.4.255"],
        [256, "10.42.5.0"],
        [257, "10.42.5.1"],
      ]),
      [
        ["hpc-cpu-[254-255]", "10.42.4.[254-255]"],
        ["hpc-cpu-[256-257]", "10.42.5.[0-1]"],
      ],
    ],
    [
      "numbers going down",
      nodes([
        [2, "10.42.4.2"],
        [1, "10.42.4.1"],
      ]),
      [
        ["hpc-cpu-2", "10.42.4.2"],
        ["hpc-cpu-1", "10.42.4.1"],
      ],
    ],
    [
      "addresses going down",
      nodes([
        [1, "10.42.4.9"],
        [2, "10.42.4.3"],
      ]),
      [
        ["hpc-cpu-1", "10.42.4.9"],
        ["hpc-cpu-2", "10.42.4.3"],
      ],
    ],
    [
      "another prefix",
      [...nodes([[1, "10.42.4.1"]]), ...nodes([[2, "10.42.4.2"]], "hpc-gpu-")],
      [
        ["hpc-cpu-1", "10.42.4.1"],
        ["hpc-gpu-2", "10.42.4.2"],
      ],
    ],
    [
      "addresses that are not IPv4",
      nodes([
        [1, "fd00::1"],
        [2, "fd00::2"],
      ]),
      [
        ["hpc-cpu-1", "fd00::1"],
        ["hpc-cpu-2", "fd00::2"],
      ],
    ],
  ] as const)("%s", (_, input, expected) => {
    const pairs = hostlistPairs(input);
    expect(pairs.map((p) => [p.names, p.addresses])).toEqual(expected);
    // Each pair expands to its nodes in their order, the same count on both sides.
    expect(pairs.flatMap((p) => expand(p.names))).toEqual(input.map((n) => n.name));
    expect(pairs.flatMap((p) => expand(p.addresses))).toEqual(input.map((n) => n.address));
    for (const p of pairs) expect(expand(p.names)).toHaveLength(p.count);
  });

  it("needs one pair per /24 for a partition of 1,000 nodes", () => {
    const p = plan([{ name: "cpu", size: "m3.tiny", nodes: 1000 }]).partitions[0]!;
    const pairs = hostlistPairs(p.nodes);
    expect(pairs.map((x) => [x.names, x.addresses])).toEqual([
      ["hpc-cpu-[1-255]", "10.42.4.[1-255]"],
      ["hpc-cpu-[256-511]", "10.42.5.[0-255]"],
      ["hpc-cpu-[512-767]", "10.42.6.[0-255]"],
      ["hpc-cpu-[768-1000]", "10.42.7.[0-232]"],
    ]);
  });
});

describe("renderSlurmFiles", () => {
  describe("a small static cluster", () => {
    const files = renderSlurmFiles(plan([{ name: "cpu", size: "m3.quad", nodes: 3 }]));
    const conf = settings(files.slurmConf);

    it("names the cluster, its controller and where state and logs live", () => {
      expect(files.slurmConf.startsWith("# slurm.conf for Slurm cluster hpc_hpc, generated by drover")).toBe(true);
      expect(conf).toEqual(
        expect.arrayContaining([
          "ClusterName=hpc_hpc",
          "SlurmctldHost=hpc-hpc-controller(10.42.0.4)",
          "SlurmUser=slurm",
          "AuthType=auth/munge",
          "SlurmctldPort=6817",
          "SlurmdPort=6818",
          `StateSaveLocation=${PATHS.stateSave}`,
          `SlurmdSpoolDir=${PATHS.slurmdSpool}`,
          `SlurmctldLogFile=${PATHS.logDir}/slurmctld.log`,
          `SlurmdLogFile=${PATHS.logDir}/slurmd.log`,
          "ProctrackType=proctrack/cgroup",
          "TaskPlugin=task/cgroup,task/affinity",
          "SelectType=select/cons_tres",
          "SelectTypeParameters=CR_Core_Memory",
          "SchedulerType=sched/backfill",
          "ReturnToService=2",
        ]),
      );
    });

    it("declares the nodes with their address, CPUs and memory, and the default partition", () => {
      // m3.quad: 15 GiB = 15360 MiB, less 5% (768) and 512, rounded down to 64.
      expect(conf).toContain("NodeName=hpc-cpu-[1-3] NodeAddr=10.42.4.[1-3] CPUs=4 RealMemory=14080");
      // A core's share of the node: 14080 / 4 = 3520 MiB for a job that names no memory.
      expect(conf).toContain("PartitionName=cpu Nodes=hpc-cpu-[1-3] Default=YES DefMemPerCPU=3520 MaxTime=INFINITE State=UP");
      expect(files.slurmConf).not.toMatch(/State=CLOUD|Gres/);
    });

    it("has no power saving, GPUs or accounting", () => {
      expect(files.slurmConf).not.toMatch(/^(ResumeProgram|SuspendProgram|SuspendTime|SuspendExcNodes|TreeWidth|PrivateData|GresTypes|Accounting|JobAcctGather)/m);
      expect(files.gresConf).toBeUndefined();
      expect(files.slurmdbdConf).toBeUndefined();
    });

    it("confines jobs with cgroups, in keywords Slurm 23.11 still reads", () => {
      expect(settings(files.cgroupConf)).toEqual(["ConstrainCores=yes", "ConstrainRAMSpace=yes", "ConstrainDevices=yes"]);
      expect(files.cgroupConf).toContain("# cgroup.conf for Slurm cluster hpc_hpc, generated by drover");
    });

    it("matches the reviewed snapshot", () => {
      expect(files).toMatchSnapshot();
    });
  });

  describe("a GPU cluster", () => {
    const p = plan([
      { name: "cpu", size: "m3.quad", nodes: 1 },
      { name: "gpu", size: "g3.medium", nodes: 2 },
      { name: "gpu4", size: "gx.4gpu", nodes: 1 },
    ]);
    const files = renderSlurmFiles(p);
    const conf = settings(files.slurmConf);

    it("declares the GPUs as generic resources", () => {
      expect(conf).toContain("GresTypes=gpu");
      // A quarter of an A100 is one device to Slurm.
      expect(conf).toContain("NodeName=hpc-gpu-[1-2] NodeAddr=10.42.8.[1-2] CPUs=8 RealMemory=28672 Gres=gpu:1");
      expect(conf).toContain("NodeName=hpc-gpu4-1 NodeAddr=10.42.12.1 CPUs=32 RealMemory=232960 Gres=gpu:4");
      expect(conf).toContain("NodeName=hpc-cpu-1 NodeAddr=10.42.4.1 CPUs=4 RealMemory=14080");
    });

    it("writes gres.conf with one device file per GPU", () => {
      expect(settings(files.gresConf!)).toEqual(["NodeName=hpc-gpu-[1-2] Name=gpu File=/dev/nvidia0", "NodeName=hpc-gpu4-1 Name=gpu File=/dev/nvidia[0-3]"]);
    });

    it("matches the reviewed snapshot", () => {
      expect(files.gresConf).toMatchSnapshot();
    });
  });

  describe("an elastic-only cluster", () => {
    const files = renderSlurmFiles(plan([{ name: "cpu", size: "m3.quad", nodes: 0, elastic: { max: 4, idleMinutes: 15 } }]));
    const conf = settings(files.slurmConf);

    it("declares every node as CLOUD, at its fixed address", () => {
      expect(conf).toContain("NodeName=hpc-cpu-[1-4] NodeAddr=10.42.4.[1-4] CPUs=4 RealMemory=14080 State=CLOUD");
      expect(conf).toContain("PartitionName=cpu Nodes=hpc-cpu-[1-4] Default=YES DefMemPerCPU=3520 MaxTime=INFINITE State=UP SuspendTime=900");
    });

    it("turns power saving on with drover's programs and the plan's timeouts", () => {
      expect(conf).toEqual(
        expect.arrayContaining([
          `ResumeProgram=${PATHS.resumeProgram}`,
          `SuspendProgram=${PATHS.suspendProgram}`,
          `ResumeFailProgram=${PATHS.resumeFailProgram}`,
          "ResumeTimeout=1200",
          "SuspendTimeout=300",
          "ResumeRate=100",
          "SuspendRate=100",
          "SlurmctldParameters=idle_on_node_suspend",
          "TreeWidth=65533",
          "PrivateData=cloud",
        ]),
      );
      // Idle time is per partition; no static node to exclude.
      expect(files.slurmConf).not.toMatch(/^(SuspendTime|SuspendExcNodes)=/m);
    });

    it("leaves out keywords Slurm 23.11 removed", () => {
      expect(files.slurmConf).not.toMatch(/NoAddrCache|CommunicationParameters|cloud_reg_addrs/);
      expect(files.cgroupConf).not.toMatch(/CgroupAutomount/);
    });

    it("matches the reviewed snapshot", () => {
      expect(files.slurmConf).toMatchSnapshot();
    });
  });

  describe("static and elastic nodes in one partition", () => {
    const files = renderSlurmFiles(
      plan([
        { name: "cpu", size: "m3.quad", nodes: 2, elastic: { max: 16, idleMinutes: 10 }, default: true },
        { name: "gpu", size: "g3.medium", nodes: 0, elastic: { max: 2 } },
        { name: "big", size: "m3.large", nodes: 1 },
      ]),
    );
    const conf = settings(files.slurmConf);

    it("keeps the static nodes out of power saving", () => {
      expect(conf).toContain("SuspendExcNodes=hpc-cpu-[1-2],hpc-big-1");
      expect(conf).toContain("NodeName=hpc-cpu-[1-2] NodeAddr=10.42.4.[1-2] CPUs=4 RealMemory=14080");
      expect(conf).toContain("NodeName=hpc-cpu-[3-16] NodeAddr=10.42.4.[3-16] CPUs=4 RealMemory=14080 State=CLOUD");
      expect(conf).toContain("NodeName=hpc-gpu-[1-2] NodeAddr=10.42.8.[1-2] CPUs=8 RealMemory=28672 Gres=gpu:1 State=CLOUD");
    });

    it("gives each elastic partition its idle time and a static one none", () => {
      expect(conf.filter((l) => l.startsWith("PartitionName="))).toEqual([
        "PartitionName=cpu Nodes=hpc-cpu-[1-16] Default=YES DefMemPerCPU=3520 MaxTime=INFINITE State=UP SuspendTime=600",
        // 28672 / 8 and, for m3.large, (61440 - 3072 - 512) / 16.
        "PartitionName=gpu Nodes=hpc-gpu-[1-2] DefMemPerCPU=3584 MaxTime=INFINITE State=UP SuspendTime=600",
        "PartitionName=big Nodes=hpc-big-1 DefMemPerCPU=3616 MaxTime=INFINITE State=UP",
      ]);
    });
  });

  describe("accounting on", () => {
    const p = plan([{ name: "cpu", size: "m3.quad", nodes: 1 }], { accounting: true });
    const files = renderSlurmFiles(p);

    it("sends accounting to slurmdbd on the controller", () => {
      expect(settings(files.slurmConf)).toEqual(
        expect.arrayContaining(["AccountingStorageType=accounting_storage/slurmdbd", "AccountingStorageHost=10.42.0.4", "AccountingStoragePort=6819", "JobAcctGatherType=jobacct_gather/cgroup"]),
      );
    });

    it("writes slurmdbd.conf with a placeholder for the database password", () => {
      expect(SLURMDBD_PASSWORD_PLACEHOLDER).toBe("@@DROVER_SLURMDBD_PASSWORD@@");
      expect(settings(files.slurmdbdConf!)).toEqual([
        "AuthType=auth/munge",
        "DbdHost=localhost",
        "DbdPort=6819",
        "SlurmUser=slurm",
        `LogFile=${PATHS.logDir}/slurmdbd.log`,
        "PidFile=/run/slurmdbd.pid",
        "StorageType=accounting_storage/mysql",
        "StorageHost=localhost",
        "StorageUser=slurm",
        `StoragePass=${SLURMDBD_PASSWORD_PLACEHOLDER}`,
        "StorageLoc=slurm_acct_db",
      ]);
    });

    it("matches the reviewed snapshot", () => {
      expect(files.slurmdbdConf).toMatchSnapshot();
    });
  });

  it("renders the same text for the same plan", () => {
    const input: PartitionInput[] = [{ name: "cpu", size: "m3.quad", nodes: 2, elastic: { max: 8 } }];
    expect(renderSlurmFiles(plan(input))).toEqual(renderSlurmFiles(plan(input)));
  });

  it("names 500 static nodes in a few lines", () => {
    const files = renderSlurmFiles(plan([{ name: "cpu", size: "m3.quad", nodes: 500 }]));
    const conf = settings(files.slurmConf);
    expect(conf.filter((l) => l.startsWith("NodeName="))).toEqual([
      "NodeName=hpc-cpu-[1-255] NodeAddr=10.42.4.[1-255] CPUs=4 RealMemory=14080",
      "NodeName=hpc-cpu-[256-500] NodeAddr=10.42.5.[0-244] CPUs=4 RealMemory=14080",
    ]);
    expect(conf).toContain("PartitionName=cpu Nodes=hpc-cpu-[1-500] Default=YES DefMemPerCPU=3520 MaxTime=INFINITE State=UP");
  });
});
