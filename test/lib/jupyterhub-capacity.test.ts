import { describe, expect, it } from "vitest";
import { JETSTREAM2_FLAVORS, type Flavor } from "../../lib/catalog/flavors.ts";
import { planCapacity, type CapacityInput, type CapacityPlan } from "../../lib/jupyterhub/capacity.ts";

/*
 * Expected numbers are worked out by hand from the documented rules, not by the planner's
 * helpers. Per user node: allocatable CPU = vCPUs - 0.5; allocatable memory (MiB) =
 * GiB × 1024 - 1024 - ceil(5% of GiB × 1024). Users per node = the smaller of
 * floor(CPU / guarantee) and floor(memory / guarantee). Seats = users + ceil(10% of users).
 *
 * Jetstream2, worked once here and used below:
 *   flavor     vCPUs  GiB   SU/h  CPU for users  memory for users (MiB)
 *   m3.tiny      1      3     1     0.5           3072 - 1024 - 154 (153.6 up)  = 1894
 *   m3.small     2      6     2     1.5           6144 - 1024 - 308 (307.2 up)  = 4812
 *   m3.quad      4     15     4     3.5          15360 - 1024 - 768            = 13568 (13.25 GiB)
 *   m3.medium    8     30     8     7.5          30720 - 1024 - 1536           = 28160 (27.5 GiB)
 *   m3.large    16     60    16    15.5          61440 - 1024 - 3072           = 57344 (56 GiB)
 *   m3.xl       32    125    32    31.5         128000 - 1024 - 6400           = 120576 (117.75 GiB)
 *   m3.2xl      64    250    64    63.5         256000 - 1024 - 12800          = 242176 (236.5 GiB)
 *   r3.large    64    500   128    63.5         512000 - 1024 - 25600          = 485376 (474 GiB)
 *   r3.xl      128   1000   256   127.5        1024000 - 1024 - 51200          = 971776 (949 GiB)
 *   g3.small     4     15    16     3.5          13568, one vGPU device
 *   g3.medium    8     30    32     7.5          28160, one vGPU device
 */

const jetstream2 = { name: "jetstream2", flavors: JETSTREAM2_FLAVORS, quota: { cores: 150, memoryGiB: 585 } };

function plan(input: Omit<CapacityInput, "cloud"> & { cloud?: CapacityInput["cloud"] }): { plan: CapacityPlan; warnings: readonly string[] } {
  const r = planCapacity({ cloud: jetstream2, ...input });
  if (!r.ok) throw new Error(`expected a plan, got: ${r.issues.map((i) => i.message).join("; ")}`);
  return { plan: r.plan, warnings: r.warnings };
}

function issues(input: Omit<CapacityInput, "cloud"> & { cloud?: CapacityInput["cloud"] }): Array<{ code: string; message: string }> {
  const r = planCapacity({ cloud: jetstream2, ...input });
  if (r.ok) throw new Error(`expected issues, got the plan ${r.plan.summary}`);
  return r.issues.map((i) => ({ code: i.code, message: i.message }));
}

const numbers = (p: CapacityPlan) => ({
  flavor: p.userNodes.flavor.name,
  nodes: p.userNodes.count,
  usersPerNode: p.userNodes.usersPerNode,
  limitedBy: p.userNodes.limitedBy,
  seats: p.seats,
  controlPlane: p.controlPlane.flavor.name,
  suPerHour: p.suPerHour,
});

describe("planCapacity: the workshop from the issue (127 students, 1 vCPU and 2 GiB each)", () => {
  it("GIVEN 127 users WHEN sized THEN 5 × m3.xl + m3.small, cheaper than the 40 six-core VMs that ran it", () => {
    // Seats: 127 + ceil(12.7) = 140. Users per node = min(floor(CPU / 1), floor(MiB / 2048)):
    //   m3.small 1 → 140 nodes × 2 = 280 SU/h      m3.quad 3 → 47 × 4 = 188
    //   m3.medium 7 → 20 × 8 = 160                   m3.large 15 → 10 × 16 = 160
    //   m3.xl 31 → 5 × 32 = 160                      m3.2xl 63 → 3 × 64 = 192
    //   m3.tiny: 0.5 vCPU holds no one; r3.* cost twice as much per vCPU.
    // A three-way tie at 160 goes to the fewest nodes: m3.xl. Control plane m3.small, 2 SU/h.
    // The workshop's 40 × 6 cores = 240 vCPU-hours an hour; this is 162.
    const { plan: p, warnings } = plan({ users: 127, profile: { cpu: 1, memoryGiB: 2 }, hours: { perDay: 6, days: 3 } });
    expect(numbers(p)).toEqual({ flavor: "m3.xl", nodes: 5, usersPerNode: 31, limitedBy: "cpu", seats: 140, controlPlane: "m3.small", suPerHour: 162 });
    expect(p.headroomUsers).toBe(13);
    expect(p.userNodes.capacity).toBe(155);
    expect(p.userNodes.reserve).toEqual({ cpu: 0.5, memoryGiB: 7.25 });
    expect(p.userNodes.allocatable).toEqual({ cpu: 31.5, memoryGiB: 117.75, gpus: 0 });
    expect(p.userNodes.suPerHour).toBe(160);
    expect(p.totals).toEqual({ nodes: 6, cores: 162, memoryGiB: 5 * 125 + 6, gpus: 0 });
    // 162 SU/h × 6 h × 3 days = 2,916 SU.
    expect(p.period).toEqual({ hoursPerDay: 6, days: 3, hours: 18, su: 2916 });
    expect(p.alternatives).toEqual([
      { flavor: "m3.large", count: 10, suPerHour: 160 },
      { flavor: "m3.medium", count: 20, suPerHour: 160 },
      { flavor: "m3.quad", count: 47, suPerHour: 188 },
    ]);
    expect(p.summary).toBe("5 × m3.xl for 127 users (31 per node) + m3.small control plane: 162 SU/hour, 2,916 SU for 3 days of 6 hours");
    expect(p.breakdown).toEqual([
      "127 users + 13 headroom (10%, rounded up) = 140 seats of 1 vCPU and 2 GiB each",
      "m3.xl (32 vCPUs, 125 GiB) less 0.5 vCPU and 7.25 GiB for the system = 31.5 vCPUs, 117.75 GiB for users: 31 per node (CPU is the limit)",
      "140 seats ÷ 31 per node = 5 nodes (rounded up), holding 155 users",
      "5 × 32 SU/hour + control plane m3.small (k3s server, hub, proxy) 2 SU/hour = 162 SU/hour",
      "162 SU/hour × 6 hours × 3 days = 2,916 SU",
    ]);
    // 162 cores and 631 GiB are over a default Jetstream2 allocation (150 cores, 585 GiB).
    expect(warnings).toEqual([
      "the cluster uses 162 cores (5 × m3.xl + m3.small), more than jetstream2's default allocation quota of 150 cores: ask for a quota increase before the event",
      "the cluster uses 631 GiB of memory (5 × m3.xl + m3.small), more than jetstream2's default allocation quota of 585 GiB: ask for a quota increase before the event",
    ]);
  });
});

describe("planCapacity: flavor choice and counts", () => {
  it.each([
    // 30 users, 0.5 vCPU, 1 GiB: seats 33. m3.small min(floor(1.5/0.5)=3, floor(4812/1024)=4) = 3 → 11 × 2 = 22;
    // m3.quad min(7, 13) = 7 → 5 × 4 = 20; m3.medium min(15, 27) = 15 → 3 × 8 = 24; m3.tiny 1 → 33 × 1 = 33.
    ["fractional CPU", { users: 30, profile: { cpu: 0.5, memoryGiB: 1 } }, { flavor: "m3.quad", nodes: 5, usersPerNode: 7, limitedBy: "cpu", seats: 33, controlPlane: "m3.small", suPerHour: 22 }],
    // 40 users, 1 vCPU, 8 GiB: seats 44. m3.quad floor(13568/8192) = 1 → 44 × 4 = 176; m3.medium 3 → 15 × 8 = 120;
    // m3.large 57344/8192 = exactly 7 → 7 × 16 = 112; m3.xl 14 → 4 × 32 = 128; m3.2xl 29 → 2 × 64 = 128.
    ["memory-bound", { users: 40, profile: { cpu: 1, memoryGiB: 8 } }, { flavor: "m3.large", nodes: 7, usersPerNode: 7, limitedBy: "memory", seats: 44, controlPlane: "m3.small", suPerHour: 114 }],
    // 1 user: seats 1 + ceil(0.1) = 2. m3.small holds 1 → 2 × 2 = 4; m3.quad holds 3 → 1 × 4 = 4: tie, fewer nodes.
    ["one user", { users: 1, profile: { cpu: 1, memoryGiB: 2 } }, { flavor: "m3.quad", nodes: 1, usersPerNode: 3, limitedBy: "cpu", seats: 2, controlPlane: "m3.small", suPerHour: 6 }],
    // 1.5 GiB is 1536 MiB; 0.1 vCPU is 100 m. 10 users, seats 11. m3.tiny: min(floor(500/100)=5, floor(1894/1536)=1) = 1 → 11 SU;
    // m3.small: min(15, 3) = 3 → 4 × 2 = 8; m3.quad: min(35, 8) = 8 → 2 × 4 = 8; m3.medium: min(75, 18) = 18 → 1 × 8 = 8:
    // a three-way tie, fewest nodes.
    [
      "fractional memory",
      { users: 10, profile: { cpu: 0.1, memoryGiB: 1.5 } },
      { flavor: "m3.medium", nodes: 1, usersPerNode: 18, limitedBy: "memory", seats: 11, controlPlane: "m3.small", suPerHour: 10 },
    ],
    // 301 users, 0.5 vCPU, 1 GiB: seats 301 + 31 = 332. m3.quad 7 → 48 × 4 = 192; m3.medium 15 → 23 × 8 = 184;
    // m3.large 31 → 11 × 16 = 176; m3.xl 63 → 6 × 32 = 192. Over 300 users the control plane is m3.quad (4 SU/h).
    ["a large class", { users: 301, profile: { cpu: 0.5, memoryGiB: 1 } }, { flavor: "m3.large", nodes: 11, usersPerNode: 31, limitedBy: "cpu", seats: 332, controlPlane: "m3.quad", suPerHour: 180 }],
    // 20 GPU users, 2 vCPU, 8 GiB: one vGPU device per node, so 1 user per node (the GPU named on a tie
    // with CPU: floor(3.5/2) = 1). Seats 22 → 22 × g3.small (16 SU/h) = 352 + 2.
    ["GPU", { users: 20, profile: { cpu: 2, memoryGiB: 8, gpus: 1 } }, { flavor: "g3.small", nodes: 22, usersPerNode: 1, limitedBy: "gpu", seats: 22, controlPlane: "m3.small", suPerHour: 354 }],
    // 4 vCPU per GPU user: g3.small offers 3.5 → g3.medium (7.5 vCPUs, 32 SU/h): 22 × 32 + 2 = 706.
    [
      "GPU, 4 vCPUs",
      { users: 20, profile: { cpu: 4, memoryGiB: 8, gpus: 1 } },
      { flavor: "g3.medium", nodes: 22, usersPerNode: 1, limitedBy: "gpu", seats: 22, controlPlane: "m3.small", suPerHour: 706 },
    ],
    // A named flavor: m3.quad holds 3 → ceil(140 / 3) = 47 × 4 + 2 = 190.
    [
      "named flavor",
      { users: 127, profile: { cpu: 1, memoryGiB: 2 }, nodes: { size: "m3.quad" } },
      { flavor: "m3.quad", nodes: 47, usersPerNode: 3, limitedBy: "cpu", seats: 140, controlPlane: "m3.small", suPerHour: 190 },
    ],
    // A named count: 5 nodes must hold 140, so at least 28 per node: m3.xl (31) at 5 × 32, not m3.2xl at 5 × 64.
    [
      "named count",
      { users: 127, profile: { cpu: 1, memoryGiB: 2 }, nodes: { count: 5 } },
      { flavor: "m3.xl", nodes: 5, usersPerNode: 31, limitedBy: "cpu", seats: 140, controlPlane: "m3.small", suPerHour: 162 },
    ],
  ] as const)("%s", (_name, input, expected) => {
    expect(numbers(plan(input as Omit<CapacityInput, "cloud">).plan)).toEqual(expected);
  });

  it("never picks an on-request flavor itself, but takes one when named (with a warning)", () => {
    // 100 vCPUs fit m3.3xl (128, 128 SU/h, on request) and r3.xl (128, 256 SU/h): only r3.xl may be chosen.
    expect(plan({ users: 1, profile: { cpu: 100, memoryGiB: 100 } }).plan.userNodes.flavor.name).toBe("r3.xl");
    const named = plan({ users: 1, profile: { cpu: 100, memoryGiB: 100 }, nodes: { size: "m3.3xl" } });
    expect(named.plan.userNodes.flavor.name).toBe("m3.3xl");
    expect(named.warnings).toContain(`'nodes.size' "m3.3xl" is offered by jetstream2 on request only: ask the cloud's help desk for it before deploying`);
  });

  it("never picks a GPU flavor for a CPU profile, even a cheaper one or the only one that fits", () => {
    const base = { rootDiskGiB: 20, memoryGiB: 32, vcpus: 8 };
    const cheapGpu: Flavor[] = [
      { ...base, name: "c.big", family: "cpu", gpu: 0, suPerHour: 100 },
      { ...base, name: "g.cheap", family: "gpu", gpu: 1, suPerHour: 1 },
    ];
    expect(plan({ users: 5, profile: { cpu: 1, memoryGiB: 2 }, cloud: { name: "test", flavors: cheapGpu } }).plan.userNodes.flavor.name).toBe("c.big");
    expect(plan({ users: 5, profile: { cpu: 1, memoryGiB: 2, gpus: 1 }, cloud: { name: "test", flavors: cheapGpu } }).plan.userNodes.flavor.name).toBe("g.cheap");
    const onlyGpu: Flavor[] = JETSTREAM2_FLAVORS.filter((f) => f.gpu > 0 || f.name === "m3.small");
    expect(issues({ users: 1, profile: { cpu: 4, memoryGiB: 2 }, cloud: { name: "jetstream2", flavors: onlyGpu } })).toEqual([
      {
        code: "capacity.no-fit",
        message: "'profile.cpu' 4 fits no jetstream2 flavor: the most a node offers users is 1.5 vCPUs (m3.small: 2 vCPUs less 0.5 for the system); lower profile.cpu to 1.5 or less",
      },
    ]);
  });

  it("reads hours alone as one day, days alone as 24 hours a day", () => {
    // 162 SU/h (the workshop) × 6 h = 972; × 24 h × 2 days = 7,776.
    const base = { users: 127, profile: { cpu: 1, memoryGiB: 2 } };
    expect(plan({ ...base, hours: { perDay: 6 } }).plan.period).toEqual({ hoursPerDay: 6, days: 1, hours: 6, su: 972 });
    expect(plan({ ...base, hours: { days: 2 } }).plan.period).toEqual({ hoursPerDay: 24, days: 2, hours: 48, su: 7776 });
    expect(plan(base).plan.period).toBeUndefined();
  });

  it("counts the named control plane, and warns when it is small", () => {
    // 30 users on 5 × m3.quad (20 SU/h, see above) + m3.medium (8) = 28.
    const r = plan({ users: 30, profile: { cpu: 0.5, memoryGiB: 1 }, controlPlane: { size: "m3.medium" } });
    expect([r.plan.controlPlane.flavor.name, r.plan.suPerHour, r.warnings]).toEqual(["m3.medium", 28, []]);
    const tiny = plan({ users: 30, profile: { cpu: 0.5, memoryGiB: 1 }, controlPlane: { size: "m3.tiny" } });
    expect(tiny.plan.suPerHour).toBe(21);
    expect(tiny.warnings).toEqual([`'controlPlane.size' "m3.tiny" (1 vCPU, 3 GiB) is smaller than the 2 vCPUs, 4 GiB the k3s server, hub and proxy need for 30 users: expect a slow hub`]);
  });
});

describe("planCapacity: node counts that do not hold the class", () => {
  // Without a quota, so that only the warnings about the count show.
  const workshop = { users: 127, profile: { cpu: 1, memoryGiB: 2 }, cloud: { name: "jetstream2", flavors: JETSTREAM2_FLAVORS } };

  it("refuses too few nodes for the users themselves", () => {
    // 3 × m3.quad hold 9; 127 users need ceil(127/3) = 43 nodes, 140 seats need 47.
    expect(issues({ ...workshop, nodes: { size: "m3.quad", count: 3 } })).toEqual([
      {
        code: "capacity.too-few-nodes",
        message: "'nodes.count' 3 × m3.quad holds 9 users (3 per node); 127 users need 43 nodes, 47 with the 10% headroom: raise nodes.count to 47, or leave it out to let drover choose",
      },
    ]);
    // One node: the most any CPU flavor holds is r3.xl's 127 (127.5 vCPUs); 200 users + 20 need ceil(220/127) = 2.
    expect(issues({ users: 200, profile: { cpu: 1, memoryGiB: 2 }, nodes: { count: 1 } })).toEqual([
      {
        code: "capacity.too-few-nodes",
        message:
          "'nodes.count' 1 is too few for 200 users on any jetstream2 CPU flavor: the most one node holds is 127 users (r3.xl), 127 on 1 node; raise nodes.count to 2, or leave it out to let drover choose",
      },
    ]);
  });

  it("plans without headroom, with a warning, when the users fit but the headroom does not", () => {
    // 44 × m3.quad hold 132: at least 127, fewer than 140.
    const r = plan({ ...workshop, nodes: { size: "m3.quad", count: 44 } });
    expect([r.plan.userNodes.capacity, r.plan.suPerHour]).toEqual([132, 44 * 4 + 2]);
    expect(r.warnings).toEqual([
      "'nodes.count' 44 × m3.quad holds 132 users: enough for 127, but without the 10% headroom (140 seats) a late arrival or a restarting server may wait; 47 nodes give the headroom",
    ]);
  });

  it("warns when more nodes are asked for than the seats need", () => {
    // 60 × m3.quad hold 180; 47 hold the 140 seats: 13 × 4 SU/h = 52 SU/h to save.
    expect(plan({ ...workshop, nodes: { size: "m3.quad", count: 60 } }).warnings).toEqual([
      "'nodes.count' 60 × m3.quad holds 180 users; 47 nodes hold the 140 seats needed (127 users + 10% headroom): 13 fewer would save 52 SU/hour",
    ]);
  });
});

describe("planCapacity: every input problem, with its exact message", () => {
  const ok = { users: 10, profile: { cpu: 1, memoryGiB: 2 } };
  it.each([
    [{ ...ok, users: 0 }, "capacity.bad-users", "'users' must be a whole number of at least 1, got 0"],
    [{ ...ok, users: 12.5 }, "capacity.bad-users", "'users' must be a whole number of at least 1, got 12.5"],
    [{ ...ok, users: 2001 }, "capacity.bad-users", "'users' must be at most 2000, got 2001: split a larger class over several hubs"],
    [{ ...ok, profile: { cpu: 0, memoryGiB: 2 } }, "capacity.bad-cpu", "'profile.cpu' must be a number of vCPUs above 0 (0.5 is half a vCPU), got 0"],
    [{ ...ok, profile: { cpu: 1, memoryGiB: -1 } }, "capacity.bad-memory", "'profile.memoryGiB' must be a number of GiB above 0 (0.5 is 512 MiB), got -1"],
    [{ ...ok, profile: { cpu: 1, memoryGiB: 2, cpuLimit: 0 } }, "capacity.bad-limit", "'profile.cpuLimit' must be a number of vCPUs above 0, got 0"],
    [
      { ...ok, profile: { cpu: 2, memoryGiB: 2, cpuLimit: 1 } },
      "capacity.guarantee-above-limit",
      "'profile.cpu' 2 is above 'profile.cpuLimit' 1: a guarantee cannot exceed its limit; raise profile.cpuLimit or lower profile.cpu",
    ],
    [
      { ...ok, profile: { cpu: 1, memoryGiB: 4, memoryLimitGiB: 2 } },
      "capacity.guarantee-above-limit",
      "'profile.memoryGiB' 4 is above 'profile.memoryLimitGiB' 2: a guarantee cannot exceed its limit; raise profile.memoryLimitGiB or lower profile.memoryGiB",
    ],
    [{ ...ok, profile: { cpu: 1, memoryGiB: 2, gpus: 0.5 } }, "capacity.bad-gpus", "'profile.gpus' must be a whole number of GPUs from 0 to 8, got 0.5"],
    [{ ...ok, nodes: { count: 0 } }, "capacity.bad-nodes", "'nodes.count' must be a whole number from 1 to 500, got 0"],
    [{ ...ok, nodes: { count: 501 } }, "capacity.bad-nodes", "'nodes.count' must be a whole number from 1 to 500, got 501"],
    [{ ...ok, hours: { perDay: 25, days: 1 } }, "capacity.bad-hours", "'hours.perDay' must be a number of hours above 0 and at most 24, got 25"],
    [{ ...ok, hours: { perDay: 6, days: 0 } }, "capacity.bad-days", "'hours.days' must be a whole number of days from 1 to 365, got 0"],
    [
      { ...ok, nodes: { size: "m3.quadd" } },
      "capacity.unknown-flavor",
      `'nodes.size' "m3.quadd" is not a jetstream2 flavor: did you mean m3.quad? Flavors: ${JETSTREAM2_FLAVORS.map((f) => f.name).join(", ")}.`,
    ],
    [
      { ...ok, profile: { cpu: 1, memoryGiB: 2, gpus: 1 }, nodes: { size: "m3.quad" } },
      "capacity.gpu-mismatch",
      `'nodes.size' "m3.quad" has no GPU, but each user gets 1 ('profile.gpus'): pick a GPU flavor (g3.small, g3.medium, g3.large or g3.xl) or drop profile.gpus`,
    ],
    [
      { ...ok, nodes: { size: "g3.small" } },
      "capacity.gpu-mismatch",
      `'nodes.size' "g3.small" is a GPU flavor (16 SU/hour), and the profile has no GPU: pick a CPU flavor, or give each user a GPU with profile.gpus`,
    ],
    // r3.xl: 1,024,000 MiB - 1,024 - 51,200 = 971,776 MiB = 949 GiB for users; 1000 GiB fits nowhere.
    [
      { ...ok, profile: { cpu: 1, memoryGiB: 1000 } },
      "capacity.no-fit",
      "'profile.memoryGiB' 1000 fits no jetstream2 flavor: the most a node offers users is 949 GiB (r3.xl: 1000 GiB less 51 for the system); lower profile.memoryGiB to 949 or less",
    ],
    [
      { ...ok, profile: { cpu: 200, memoryGiB: 2 } },
      "capacity.no-fit",
      "'profile.cpu' 200 fits no jetstream2 flavor: the most a node offers users is 127.5 vCPUs (r3.xl: 128 vCPUs less 0.5 for the system); lower profile.cpu to 127.5 or less",
    ],
    // The largest GPU flavor, g3.xl, has 32 vCPUs (31.5 for users) and one A100.
    [
      { ...ok, profile: { cpu: 40, memoryGiB: 2, gpus: 1 } },
      "capacity.no-fit",
      "'profile.cpu' 40 fits no jetstream2 GPU flavor: the most a node offers users is 31.5 vCPUs (g3.xl: 32 vCPUs less 0.5 for the system); lower profile.cpu to 31.5 or less",
    ],
    [
      { ...ok, profile: { cpu: 1, memoryGiB: 2, gpus: 2 } },
      "capacity.no-fit",
      "'profile.gpus' 2 fits no jetstream2 GPU flavor: the most GPUs a node has is 1 (g3.xl: 1 A100); lower profile.gpus to 1",
    ],
    // 20 GiB on m3.quad (13.25 for users). The cheapest plan for 11 seats of 20 GiB (20480 MiB): m3.medium holds
    // floor(28160/20480) = 1 → 11 × 8 = 88; m3.large 2 → 6 × 16 = 96; m3.xl 5 → 3 × 32 = 96; m3.2xl 11 → 1 × 64 = 64;
    // r3.large 23 → 1 × 128.
    [
      { ...ok, profile: { cpu: 1, memoryGiB: 20 }, nodes: { size: "m3.quad" } },
      "capacity.no-fit",
      `'profile.memoryGiB' 20 does not fit on 'nodes.size' "m3.quad": it offers users 13.25 GiB (15 GiB less 1.75 for the system); lower profile.memoryGiB to 13.25 or less, or pick a larger flavor (m3.2xl gives the cheapest plan)`,
    ],
    [
      { ...ok, cloud: { name: "mycloud", flavors: [] } },
      "capacity.no-catalog",
      "mycloud has no flavor catalog with vCPUs and memory, and sizing needs one: pass the cloud's flavors (name, vcpus, memoryGiB)",
    ],
  ] as const)("%j → %s", (input, code, message) => {
    expect(issues(input as Omit<CapacityInput, "cloud">)).toEqual([{ code, message }]);
  });

  it("reports every problem at once, in the caller's names", () => {
    expect(
      issues({
        users: 0,
        profile: { cpu: -1, memoryGiB: 2 },
        nodes: { count: 0 },
        fieldNames: { users: "--users", "profile.cpu": "--cpu", "nodes.count": "--nodes" },
      }).map((i) => i.message),
    ).toEqual([
      "'--users' must be a whole number of at least 1, got 0",
      "'--cpu' must be a number of vCPUs above 0 (0.5 is half a vCPU), got -1",
      "'--nodes' must be a whole number from 1 to 500, got 0",
    ]);
  });

  it("warns about limits no node can give", () => {
    // m3.quad offers users 3.5 vCPUs and 13.25 GiB.
    const r = plan({ users: 10, profile: { cpu: 1, memoryGiB: 2, cpuLimit: 8, memoryLimitGiB: 16 }, nodes: { size: "m3.quad" } });
    expect(r.warnings).toEqual([
      "'profile.cpuLimit' 8 is more than a m3.quad node offers users (3.5 vCPUs): no server can use it all; lower it to 3.5",
      "'profile.memoryLimitGiB' 16 is more than a m3.quad node offers users (13.25 GiB): a server growing that large is evicted; lower it to 13.25",
    ]);
    expect(r.plan.profile).toEqual({ cpu: 1, memoryGiB: 2, cpuLimit: 8, memoryLimitGiB: 16, gpus: 0 });
  });
});
