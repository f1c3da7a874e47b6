import { describe, expect, it } from "vitest";
import { costChange, stackCost, type CostInfo } from "../../lib/cost/model.ts";
import { formatRate, formatRateDelta, formatTotal } from "../../lib/cost/format.ts";
import { renderCostChangeLine } from "../../lib/cost/render.ts";

// Every figure below is worked by hand from lib/catalog: Jetstream2 SU/h = vCPUs × 1 (m3),
// × 2 (r3, large memory), × 4 (g3, GPU); AWS, GCP and Azure USD/h as the catalogs list them.

type Json = Record<string, unknown>;
const JS2: CostInfo = { cloud: { kind: "openstack", name: "jetstream2", region: "IU" } };
const AWS: CostInfo = { cloud: { kind: "aws", name: "aws", region: "us-east-1" } };
const GCP: CostInfo = { cloud: { kind: "gcp", name: "gcp", region: "us-central1" } };
const AZURE: CostInfo = { cloud: { kind: "azure", name: "azure", region: "eastus" } };

const at = (path: string) => ({ "//": { metadata: { path } } });
const os = (path: string, flavor: unknown, extra: Json = {}) => ({ ...at(path), flavor_name: flavor, ...extra });
const config = (resource: Record<string, Record<string, Json>>): Json => ({ resource });
/** Jetstream2 instances, one construct each unless the path says otherwise. */
const instances = (vms: Record<string, Json>) => config({ openstack_compute_instance_v2: vms });

describe("stackCost on Jetstream2", () => {
  it.each<[string, Json, number]>([
    // 2 vCPUs × 1 SU × 2 machines = 4
    ["two m3.small instances", instances({ a: os("s/box/a/Resource", "m3.small"), b: os("s/box/b/Resource", "m3.small") }), 4],
    // count 2 is the same two machines
    ["one m3.small block with count 2", instances({ a: os("s/box/Resource", "m3.small", { count: 2 }) }), 4],
    // for_each over three keys: 3 × 1 vCPU = 3
    ["m3.tiny for_each over three keys", instances({ a: os("s/box/Resource", "m3.tiny", { for_each: { x: 1, y: 2, z: 3 } }) }), 3],
    // 8 vCPUs × 4 (GPU) = 32
    ["g3.medium", instances({ a: os("s/gpu/Resource", "g3.medium") }), 32],
    // 4 vCPUs × 4 (GPU) = 16
    ["g3.small", instances({ a: os("s/gpu/Resource", "g3.small") }), 16],
    // 64 vCPUs × 2 (large memory) = 128
    ["r3.large", instances({ a: os("s/big/Resource", "r3.large") }), 128],
    // 128 vCPUs × 2 (large memory) = 256
    ["r3.xl", instances({ a: os("s/big/Resource", "r3.xl") }), 256],
    // 5 × 32 + 2 = 162: the workshop example
    [
      "five m3.xl and an m3.small",
      instances({
        ...Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`agent${i}`, os(`w/hub/agent-${i}/Resource`, "m3.xl")])),
        server: os("w/hub/server/Resource", "m3.small"),
      }),
      162,
    ],
    // Shelved instances cost nothing (js2docs docs/general/access.md: SHELVED 0%).
    ["a shelved m3.xl", instances({ a: os("s/box/Resource", "m3.xl", { power_state: "shelved_offloaded" }) }), 0],
    // Stopped ("shutoff") instances are charged half: 32 × 0.5 = 16 (STOPPED 50%).
    ["a stopped m3.xl", instances({ a: os("s/box/Resource", "m3.xl", { power_state: "shutoff" }) }), 16],
    // "active" as written is the full rate: 4
    ["an m3.quad written active", instances({ a: os("s/box/Resource", "m3.quad", { power_state: "active" }) }), 4],
  ])("%s costs %s SU/h idle and at full scale", (_, cfg, su) => {
    const cost = stackCost(cfg, JS2);
    expect(cost.currency).toBe("SU");
    expect(cost.perHour).toEqual({ idle: su, fullScale: su });
    expect(cost.unknown).toEqual([]);
  });

  it("groups machines by top-level construct, each with its address, name, flavor, count and rate", () => {
    const cost = stackCost(
      instances({
        ctl: os("lab/hpc/controller/Resource", "m3.medium"),
        box: os("lab/box/Resource", "m3.quad", { count: 3 }),
      }),
      JS2,
    );
    expect(cost.byConstruct).toEqual([
      {
        construct: "lab/box",
        idle: 12,
        fullScale: 12,
        unknown: 0,
        machines: [{ address: "openstack_compute_instance_v2.box", name: "box", flavor: "m3.quad", count: 3, maxCount: 3, rate: 4, state: "active", perHour: { idle: 12, fullScale: 12 } }],
      },
      {
        construct: "lab/hpc",
        idle: 8,
        fullScale: 8,
        unknown: 0,
        machines: [{ address: "openstack_compute_instance_v2.ctl", name: "controller", flavor: "m3.medium", count: 1, maxCount: 1, rate: 8, state: "active", perHour: { idle: 8, fullScale: 8 } }],
      },
    ]);
    expect(cost.pricesNote).toBe("Jetstream2 service units: 1 SU per vCPU-hour, large-memory flavors ×2, GPU flavors ×4; shelved instances cost 0, stopped ones half");
  });

  it("notes a shelved or stopped machine's state, and counts a paused one at the full rate with a note", () => {
    const cost = stackCost(
      instances({
        a: os("s/a/Resource", "m3.small", { power_state: "shelved_offloaded" }),
        b: os("s/b/Resource", "m3.small", { power_state: "shutoff" }),
        c: os("s/c/Resource", "m3.small", { power_state: "paused" }),
      }),
      JS2,
    );
    const machines = cost.byConstruct.flatMap((c) => c.machines);
    expect(machines.map((m) => [m.state, m.perHour.idle, m.note])).toEqual([
      ["shelved", 0, "shelved: Jetstream2 charges nothing"],
      ["stopped", 1, "stopped (shutoff): Jetstream2 charges half"],
      ["paused", 2, "paused: Jetstream2 gives no rate for it, counted as active"],
    ]);
    // 0 + 1 + 2
    expect(cost.perHour.idle).toBe(3);
  });

  describe("an elastic Slurm cluster", () => {
    // The virtual-slurm example: controller m3.medium (8), two static m3.quad nodes (2 × 4), login
    // m3.small (2) = 18 SU/h idle. Slurm may add 14 m3.quad (56) and 2 g3.medium (2 × 32 = 64):
    // 18 + 56 + 64 = 138 SU/h at full scale.
    const slurm = (power?: string) =>
      instances({
        controller: os("hpc-stack/hpc/controller/Resource", "m3.medium", power ? { power_state: power } : {}),
        cpu1: os("hpc-stack/hpc/cpu-1/Resource", "m3.quad", power ? { power_state: power } : {}),
        cpu2: os("hpc-stack/hpc/cpu-2/Resource", "m3.quad", power ? { power_state: power } : {}),
        login: os("hpc-stack/hpc/login/Resource", "m3.small", power ? { power_state: power } : {}),
      });
    const info: CostInfo = {
      ...JS2,
      elastic: [
        { construct: "hpc-stack/hpc", flavor: "m3.quad", max: 14 },
        { construct: "hpc-stack/hpc", flavor: "g3.medium", max: 2 },
      ],
    };

    it("costs 18 SU/h idle and 138 at full scale", () => {
      const cost = stackCost(slurm(), info);
      expect(cost.perHour).toEqual({ idle: 18, fullScale: 138 });
      expect(cost.byConstruct[0]!.machines.filter((m) => m.elastic)).toEqual([
        { name: "elastic", flavor: "m3.quad", count: 0, maxCount: 14, rate: 4, state: "active", perHour: { idle: 0, fullScale: 56 }, elastic: true },
        { name: "elastic", flavor: "g3.medium", count: 0, maxCount: 2, rate: 32, state: "active", perHour: { idle: 0, fullScale: 64 }, elastic: true },
      ]);
    });

    it("costs nothing when shelved: no elastic node can start without the controller", () => {
      const cost = stackCost(slurm("shelved_offloaded"), info);
      expect(cost.perHour).toEqual({ idle: 0, fullScale: 0 });
      expect(cost.byConstruct[0]!.machines.filter((m) => m.elastic).map((m) => m.note)).toEqual([
        "the construct's machines are shelved: no elastic node can start",
        "the construct's machines are shelved: no elastic node can start",
      ]);
    });

    it("lists an elastic flavor the catalog does not have as unknown, at full scale only", () => {
      const cost = stackCost(slurm(), { ...JS2, elastic: [{ construct: "hpc-stack/hpc", flavor: "m9.huge", max: 4 }] });
      expect(cost.perHour).toEqual({ idle: 18, fullScale: 18 });
      expect(cost.unknown).toEqual([
        { construct: "hpc-stack/hpc", name: "elastic", flavor: "m9.huge", count: 4, elastic: true, note: `"m9.huge" is not in drover's Jetstream2 catalog: its price is unknown` },
      ]);
    });
  });

  describe("a Magnum cluster", () => {
    const cluster = (extra: Json) => config({ openstack_containerinfra_cluster_v1: { hub_Cluster: { ...at("class/hub/Cluster"), cluster_template_id: "${data.x.y.id}", ...extra } } });

    it.each<[string, Json, number, number]>([
      // control plane 1 × m3.small (2) + workers 5 × m3.xl (160) = 162; autoscaling to 8 adds 3 × 32 = 96: 258
      [
        "autoscaling from 5 to 8 m3.xl workers: 162 SU/h idle, 258 at full scale",
        { master_count: 1, master_flavor: "m3.small", flavor: "m3.xl", node_count: 5, labels: { auto_scaling_enabled: "true", min_node_count: "5", max_node_count: "8" } },
        162,
        258,
      ],
      // the same without autoscaling: the maximum is never reached
      [
        "fixed at 5 workers (autoscaling off): 162 SU/h, also at full scale",
        { master_count: 1, master_flavor: "m3.small", flavor: "m3.xl", node_count: 5, labels: { auto_scaling_enabled: "false", max_node_count: "8" } },
        162,
        162,
      ],
      // three control-plane m3.medium (24) + two g3.large workers (2 × 16 × 4 = 128) = 152
      ["three control-plane nodes and GPU workers: 152 SU/h", { master_count: 3, master_flavor: "m3.medium", flavor: "g3.large", node_count: 2 }, 152, 152],
      // Magnum makes one of each when the counts are left out: m3.medium 8 + m3.large 16 = 24
      ["counts left to Magnum's defaults (one of each): 24 SU/h", { master_flavor: "m3.medium", flavor: "m3.large" }, 24, 24],
    ])("%s", (_, body, idle, fullScale) => {
      const cost = stackCost(cluster(body), JS2);
      expect(cost.perHour).toEqual({ idle, fullScale });
      expect(cost.byConstruct.map((c) => c.construct)).toEqual(["class/hub"]);
      expect(cost.unknown).toEqual([]);
    });

    it("names the control plane and the workers apart", () => {
      const cost = stackCost(cluster({ master_flavor: "m3.small", flavor: "m3.xl", node_count: 5, labels: { auto_scaling_enabled: "true", max_node_count: "8" } }), JS2);
      expect(cost.byConstruct[0]!.machines.map((m) => [m.name, m.flavor, m.count, m.maxCount])).toEqual([
        ["Cluster control plane", "m3.small", 1, 1],
        ["Cluster workers", "m3.xl", 5, 8],
      ]);
    });

    it("lists flavors left to the cluster template as unknown", () => {
      const cost = stackCost(cluster({ node_count: 2 }), JS2);
      expect(cost.perHour).toEqual({ idle: 0, fullScale: 0 });
      expect(cost.unknown.map((u) => [u.name, u.note])).toEqual([
        ["Cluster control plane", "'master_flavor' is left to the cluster template, which is not in the stack"],
        ["Cluster workers", "'flavor' is left to the cluster template, which is not in the stack"],
      ]);
    });
  });

  it.each<[string, Json, string]>([
    ["a flavor the catalog lacks", os("s/box/Resource", "m3.huge"), `"m3.huge" is not in drover's Jetstream2 catalog (did you mean m3.large or m3.quad?): its price is unknown`],
    ["a flavor that is a reference", os("s/box/Resource", "${var.flavor}"), `'flavor_name' is "\${var.flavor}", known only when Terraform plans`],
    ["a flavor given by ID", { ...at("s/box/Resource"), flavor_id: "abc123" }, "'flavor_name' is not set"],
    ["a count that is a reference", os("s/box/Resource", "m3.small", { count: "${var.n}" }), `'count' is "\${var.n}", known only when Terraform plans`],
  ])("lists %s under unknown, named, and counts it nowhere", (_, body, note) => {
    const cost = stackCost(instances({ box: body, other: os("s/other/Resource", "m3.small") }), JS2);
    expect(cost.perHour).toEqual({ idle: 2, fullScale: 2 });
    expect(cost.unknown).toHaveLength(1);
    expect(cost.unknown[0]).toMatchObject({ construct: "s/box", address: "openstack_compute_instance_v2.box", name: "box", note });
    expect(cost.byConstruct.find((c) => c.construct === "s/box")).toMatchObject({ machines: [], idle: 0, unknown: 1 });
  });

  it("prices nothing on an OpenStack cloud drover has no catalog for", () => {
    const cost = stackCost(instances({ box: os("s/box/Resource", "m1.large") }), { cloud: { kind: "openstack", name: "campus", region: "RegionOne" } });
    expect(cost.currency).toBe("SU");
    expect(cost.perHour).toEqual({ idle: 0, fullScale: 0 });
    expect(cost.unknown[0]!.note).toBe(`the OpenStack cloud "campus" has no flavor catalog in drover (only Jetstream2 has)`);
    expect(cost.pricesNote).toBe("campus has no flavor catalog in drover: machine costs are unknown");
  });
});

describe("stackCost in US dollars", () => {
  it.each<[string, CostInfo, Json, number]>([
    // m7i.large 0.1008 × 2 + g5.xlarge 1.006 = 1.2076
    [
      "AWS: two m7i.large and a g5.xlarge cost $1.2076 an hour",
      AWS,
      config({ aws_instance: { a: { ...at("s/a/Resource"), instance_type: "m7i.large", count: 2 }, g: { ...at("s/g/Resource"), instance_type: "g5.xlarge" } } }),
      1.2076,
    ],
    // e2-standard-2 0.067006 + n2-standard-2 0.097118 = 0.164124; a stopped (TERMINATED) VM costs 0
    [
      "GCP: an e2-standard-2, an n2-standard-2 and a stopped n2-standard-8 cost $0.164124 an hour",
      GCP,
      config({
        google_compute_instance: {
          a: { ...at("s/a/Resource"), machine_type: "e2-standard-2" },
          b: { ...at("s/b/Resource"), machine_type: "n2-standard-2" },
          c: { ...at("s/c/Resource"), machine_type: "n2-standard-8", desired_status: "TERMINATED" },
        },
      }),
      0.164124,
    ],
    // Standard_D2s_v5 0.096 × 3 = 0.288
    ["Azure: three Standard_D2s_v5 cost $0.288 an hour", AZURE, config({ azurerm_linux_virtual_machine: { a: { ...at("s/a/Resource"), size: "Standard_D2s_v5", count: 3 } } }), 0.288],
  ])("%s", (_, info, cfg, usd) => {
    const cost = stackCost(cfg, info);
    expect(cost.currency).toBe("USD");
    expect(cost.perHour).toEqual({ idle: usd, fullScale: usd });
    expect(cost.unknown).toEqual([]);
  });

  it.each<[string, CostInfo, string]>([
    ["AWS", AWS, "AWS on-demand Linux prices in us-east-1 on 2026-01-19, machines only (disks, addresses and traffic are billed apart)"],
    ["GCP", GCP, "GCP on-demand Linux prices in us-central1 on 2026-11-22, machines only (disks, addresses and traffic are billed apart)"],
    ["Azure", AZURE, "Azure on-demand Linux prices in eastus as of 2025, machines only (disks, addresses and traffic are billed apart)"],
    [
      "AWS in another region",
      { cloud: { kind: "aws", name: "aws", region: "us-east-2" } },
      "AWS on-demand Linux prices in us-east-1 on 2026-01-19, machines only (disks, addresses and traffic are billed apart); this stack is in us-east-2, where prices differ",
    ],
  ])("names the region and date of the catalog: %s", (_, info, note) => {
    expect(stackCost(config({}), info).pricesNote).toBe(note);
  });

  it("lists a Jetstream2 flavor on AWS, and an OpenStack machine on AWS, as unknown", () => {
    const cost = stackCost(
      config({
        aws_instance: { a: { ...at("s/a/Resource"), instance_type: "m3.small" } },
        openstack_compute_instance_v2: { b: os("s/b/Resource", "m3.small") },
      }),
      AWS,
    );
    expect(cost.perHour).toEqual({ idle: 0, fullScale: 0 });
    expect(cost.unknown.map((u) => u.note)).toEqual([
      `"m3.small" is not in drover's AWS catalog (did you mean t3.small?): its price is unknown`,
      "an OpenStack machine in a stack on aws, which has no catalog for it",
    ]);
  });

  it("infers the cloud of a plain cdktf stack from its providers", () => {
    const aws = { terraform: { required_providers: { aws: { source: "hashicorp/aws" } } }, resource: { aws_instance: { a: { instance_type: "m7i.large" } } } };
    // No construct path: the address stands for the construct.
    expect(stackCost(aws)).toMatchObject({ currency: "USD", cloud: { kind: "aws" }, perHour: { idle: 0.1008 }, byConstruct: [{ construct: "aws_instance.a" }] });
    const js2 = {
      terraform: { required_providers: { openstack: { source: "terraform-provider-openstack/openstack" } } },
      provider: { openstack: [{ auth_url: "https://js2.jetstream-cloud.org:5000/v3/" }] },
      resource: { openstack_compute_instance_v2: { a: { flavor_name: "m3.quad" } } },
    };
    expect(stackCost(js2)).toMatchObject({ currency: "SU", cloud: { name: "jetstream2" }, perHour: { idle: 4 } });
    // Another OpenStack: no catalog, nothing guessed.
    const other = { ...js2, provider: { openstack: [{ auth_url: "https://keystone.example.edu/v3" }] } };
    expect(stackCost(other)).toMatchObject({ currency: "SU", perHour: { idle: 0 }, unknown: [{ flavor: "m3.quad" }] });
  });
});

describe("costChange", () => {
  // 12 SU/h = m3.medium 8 + m3.quad 4; 28 = m3.medium 8 + m3.large 16 + m3.quad 4.
  const twelve = instances({ a: os("s/a/Resource", "m3.medium"), b: os("s/b/Resource", "m3.quad") });
  const twentyEight = instances({ a: os("s/a/Resource", "m3.medium"), b: os("s/b/Resource", "m3.quad"), c: os("s/c/Resource", "m3.large") });
  const slurm = instances({ ctl: os("s/hpc/controller/Resource", "m3.medium"), n: os("s/hpc/cpu/Resource", "m3.quad", { count: 2 }), l: os("s/hpc/login/Resource", "m3.small") });
  const elastic = (max: number): CostInfo => ({ ...JS2, elastic: [{ construct: "s/hpc", flavor: "m3.quad", max }] });
  const aws = (vms: Record<string, string>) => config({ aws_instance: Object.fromEntries(Object.entries(vms).map(([k, t]) => [k, { ...at(`s/${k}/Resource`), instance_type: t }])) });
  const azure = (vms: Record<string, string>) => config({ azurerm_linux_virtual_machine: Object.fromEntries(Object.entries(vms).map(([k, t]) => [k, { ...at(`s/${k}/Resource`), size: t }])) });

  it.each<[string, Json | undefined, Json, CostInfo | undefined, CostInfo, string]>([
    // +16 SU/h × 720 h = 11,520 SU
    ["an increase", twelve, twentyEight, JS2, JS2, "SU/h 12 → 28, +16; 30 days ≈ 11,520 SU"],
    ["a decrease", twentyEight, twelve, JS2, JS2, "SU/h 28 → 12, -16; 30 days ≈ -11,520 SU"],
    ["no change", twelve, twelve, JS2, JS2, "SU/h 12, no change"],
    // a new stack: 0 → 2, 2 × 720 = 1,440
    ["a new stack", undefined, instances({ a: os("s/a/Resource", "m3.small") }), undefined, JS2, "SU/h 0 → 2, +2; 30 days ≈ 1,440 SU"],
    // 20 × m3.2xl = 1,280 SU/h; × 720 = 921,600
    ["thousands", undefined, instances({ a: os("s/a/Resource", "m3.2xl", { count: 20 }) }), undefined, JS2, "SU/h 0 → 1,280, +1,280; 30 days ≈ 921,600 SU"],
    // shelving: 12 → 0
    [
      "shelving",
      twelve,
      instances({ a: os("s/a/Resource", "m3.medium", { power_state: "shelved_offloaded" }), b: os("s/b/Resource", "m3.quad", { power_state: "shelved_offloaded" }) }),
      JS2,
      JS2,
      "SU/h 12 → 0, -12; 30 days ≈ -8,640 SU",
    ],
    // Slurm idle 8 + 2 × 4 + 2 = 18; elastic 14 → 30 m3.quad: full scale 18 + 56 = 74 → 18 + 120 = 138
    ["more elastic nodes only", slurm, slurm, elastic(14), elastic(30), "SU/h 18 idle, no change; full scale 74 → 138, +64"],
    ["elastic, unchanged", slurm, slurm, elastic(14), elastic(14), "SU/h 18, no change (full scale 74)"],
    // the baseline keeps no drover.json: the elastic nodes after stand for those before
    ["elastic, baseline without drover.json", slurm, slurm, undefined, elastic(14), "SU/h 18, no change (full scale 74)"],
    // one more static node: +4 idle and at full scale; 4 × 720 = 2,880
    [
      "a static node added to an elastic cluster",
      slurm,
      instances({ ctl: os("s/hpc/controller/Resource", "m3.medium"), n: os("s/hpc/cpu/Resource", "m3.quad", { count: 3 }), l: os("s/hpc/login/Resource", "m3.small") }),
      elastic(14),
      elastic(14),
      "SU/h 18 → 22, +4; 30 days ≈ 2,880 SU; full scale 74 → 78, +4",
    ],
    // m7i.large 0.1008 → + m7i.xlarge 0.2016 = 0.3024; 0.2016 × 720 = 145.152
    ["USD on AWS", aws({ a: "m7i.large" }), aws({ a: "m7i.large", b: "m7i.xlarge" }), AWS, AWS, "USD/h 0.1008 → 0.3024, +0.2016; 30 days ≈ $145.15"],
    // Standard_D2s_v5 0.096 → Standard_D4s_v5 0.192: +0.096 × 720 = 69.12
    ["USD on Azure", azure({ a: "Standard_D2s_v5" }), azure({ a: "Standard_D4s_v5" }), AZURE, AZURE, "USD/h 0.096 → 0.192, +0.096; 30 days ≈ $69.12"],
    ["a USD decrease", azure({ a: "Standard_D4s_v5" }), azure({ a: "Standard_D2s_v5" }), AZURE, AZURE, "USD/h 0.192 → 0.096, -0.096; 30 days ≈ -$69.12"],
    ["no USD change", azure({ a: "Standard_D4s_v5" }), azure({ a: "Standard_D4s_v5" }), AZURE, AZURE, "USD/h 0.192, no change"],
    // an unknown flavor after the change is said, not counted
    [
      "a machine of unknown cost",
      twelve,
      instances({ a: os("s/a/Resource", "m3.medium"), b: os("s/b/Resource", "m3.quad"), c: os("s/c/Resource", "${var.flavor}") }),
      JS2,
      JS2,
      "SU/h 12, no change; 1 machine of unknown cost not counted",
    ],
    ["a move between clouds", instances({ a: os("s/a/Resource", "m3.small") }), aws({ a: "m7i.large" }), JS2, AWS, "cost moves from SU/h 2 to USD/h 0.1008 (the stack changed clouds)"],
  ])("%s", (_, before, after, infoBefore, infoAfter, line) => {
    const change = costChange(before, after, infoBefore, infoAfter);
    expect(change.text).toBe(line);
    expect(renderCostChangeLine(change, change.beforeCost?.currency)).toBe(line);
  });

  it("returns the figures per hour, idle and at full scale, before, after and the difference", () => {
    const change = costChange(slurm, slurm, elastic(14), elastic(30));
    expect(change).toMatchObject({
      currency: "SU",
      before: { idle: 18, fullScale: 74 },
      after: { idle: 18, fullScale: 138 },
      delta: { idle: 0, fullScale: 64 },
      thirtyDays: 0,
      changed: true,
      unknownAfter: 0,
    });
    expect(costChange(twelve, twelve, JS2, JS2)).toMatchObject({ changed: false, delta: { idle: 0, fullScale: 0 } });
    expect(costChange(instances({}), aws({ a: "m7i.large" }), JS2, AWS)).toMatchObject({ delta: null, thirtyDays: null, changed: true });
  });
});

describe("cost figures", () => {
  it.each<[number, "SU" | "USD", string, string, string]>([
    // amount, currency, per hour, change, total
    [162, "SU", "162", "+162", "162 SU"],
    [11664, "SU", "11,664", "+11,664", "11,664 SU"],
    [0.5, "SU", "0.5", "+0.5", "1 SU"],
    [-16, "SU", "-16", "-16", "-16 SU"],
    [0, "SU", "0", "+0", "0 SU"],
    [0.0104, "USD", "0.0104", "+0.0104", "$0.01"],
    [0.2, "USD", "0.20", "+0.20", "$0.20"],
    [1.2076, "USD", "1.2076", "+1.2076", "$1.21"],
    [216, "USD", "216.00", "+216.00", "$216.00"],
    [1234.5, "USD", "1,234.50", "+1,234.50", "$1,234.50"],
    [-0.3, "USD", "-0.30", "-0.30", "-$0.30"],
  ])("%s %s: per hour %s, change %s, total %s", (amount, currency, rate, delta, total) => {
    expect(formatRate(amount, currency)).toBe(rate);
    expect(formatRateDelta(amount, currency)).toBe(delta);
    expect(formatTotal(amount, currency)).toBe(total);
  });
});
