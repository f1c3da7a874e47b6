import { describe, expect, it } from "vitest";
import type { StackInfo } from "../../lib/app/stack-info.ts";
import { JETSTREAM2_QUOTA } from "../../lib/catalog/flavors.ts";
import {
  JETSTREAM2_QUOTA_PROFILES,
  OPENSTACK_DEFAULT_QUOTA,
  QUOTA_ITEMS,
  checkQuota,
  defaultQuotaFor,
  needsIncrease,
  renderQuotaCheck,
  stackNeeds,
  zeroCounts,
  type Counts,
  type Needs,
  type Quota,
  type QuotaItem,
} from "../../lib/quota/index.ts";
import { VirtualMachine } from "../../constructs/index.ts";
import { newStack, synthJson } from "../support/synth.ts";
import { testPublicKey } from "../support/keys.ts";

type Json = Record<string, unknown>;
const research = JETSTREAM2_QUOTA_PROFILES.research;

/** A Terraform JSON document holding these resources (type → name → body). */
function tf(resource: Record<string, Record<string, Json>>): Json {
  return { terraform: { required_providers: { openstack: { source: "terraform-provider-openstack/openstack" } } }, resource };
}

/** `n` copies of one resource, through Terraform's `count`. */
function many(type: string, n: number, body: Json = {}): Json {
  return tf({ [type]: { r: { ...body, count: n } } });
}

const instance = (flavor: string, extra: Json = {}): Json => ({
  name: "box",
  flavor_name: flavor,
  image_name: "Featured-Ubuntu24",
  network: [{ port: "${openstack_networking_port_v2.p.id}" }],
  ...extra,
});

/** Counts that are zero except for the given items. */
function counts(partial: Partial<Counts>): Counts {
  return { ...zeroCounts(), ...partial };
}

function needs(partial: Partial<Counts>): Needs {
  return { ...counts(partial), notCounted: [] };
}

const info = (extra: Partial<StackInfo> = {}): StackInfo => ({
  stack: "lab",
  cloud: { kind: "openstack", name: "jetstream2", region: "IU", summary: "Jetstream2 (OpenStack), region IU" },
  files: [],
  ...extra,
});

describe("stackNeeds", () => {
  it.each<[string, Json, Partial<Counts>]>([
    ["an instance with its own port: cores and RAM (MiB) from the flavor", tf({ openstack_compute_instance_v2: { box: instance("m3.quad") } }), { instances: 1, cores: 4, ramMiB: 15 * 1024 }],
    [
      "an instance without a network block: Nova makes one port",
      tf({ openstack_compute_instance_v2: { box: instance("m3.small", { network: undefined }) } }),
      { instances: 1, cores: 2, ramMiB: 6144, ports: 1 },
    ],
    [
      "an instance on two networks without ports: two ports",
      tf({ openstack_compute_instance_v2: { box: instance("m3.tiny", { network: [{ name: "a" }, { uuid: "b" }] }) } }),
      { instances: 1, cores: 1, ramMiB: 3072, ports: 2 },
    ],
    [
      "an instance booting from a new 80 GB volume",
      tf({
        openstack_compute_instance_v2: {
          box: instance("m3.small", { image_name: undefined, block_device: [{ uuid: "${data.x.id}", source_type: "image", destination_type: "volume", volume_size: 80, boot_index: 0 }] }),
        },
      }),
      { instances: 1, cores: 2, ramMiB: 6144, volumes: 1, gigabytes: 80 },
    ],
    [
      "an instance booting from an existing volume needs no new one",
      tf({ openstack_compute_instance_v2: { box: instance("m3.small", { block_device: [{ uuid: "v", source_type: "volume", destination_type: "volume", boot_index: 0 }] }) } }),
      { instances: 1, cores: 2, ramMiB: 6144 },
    ],
    ["a 100 GB volume", tf({ openstack_blockstorage_volume_v3: { data: { name: "data", size: 100 } } }), { volumes: 1, gigabytes: 100 }],
    ["a floating IP", tf({ openstack_networking_floatingip_v2: { ip: { pool: "public" } } }), { floatingIps: 1 }],
    [
      "a network, subnet and router, joined by an interface (a port)",
      tf({
        openstack_networking_network_v2: { n: {} },
        openstack_networking_subnet_v2: { s: {} },
        openstack_networking_router_v2: { r: {} },
        openstack_networking_router_interface_v2: { i: { router_id: "r", subnet_id: "s" } },
      }),
      { networks: 1, subnets: 1, routers: 1, ports: 1 },
    ],
    ["a router interface on an existing port adds none", tf({ openstack_networking_router_interface_v2: { i: { router_id: "r", port_id: "p" } } }), {}],
    ["a security group brings Neutron's two default egress rules", tf({ openstack_networking_secgroup_v2: { sg: { name: "sg" } } }), { securityGroups: 1, securityGroupRules: 2 }],
    ["a security group that deletes the default rules", tf({ openstack_networking_secgroup_v2: { sg: { name: "sg", delete_default_rules: true } } }), { securityGroups: 1 }],
    ["a rule", tf({ openstack_networking_secgroup_rule_v2: { ssh: { direction: "ingress" } } }), { securityGroupRules: 1 }],
    ["a port", tf({ openstack_networking_port_v2: { p: { network_id: "n" } } }), { ports: 1 }],
    ["count multiplies", many("openstack_compute_instance_v2", 3, instance("m3.medium")), { instances: 3, cores: 24, ramMiB: 3 * 30 * 1024 }],
    ["for_each counts its keys", tf({ openstack_blockstorage_volume_v3: { v: { for_each: { a: 1, b: 2 }, size: 10 } } }), { volumes: 2, gigabytes: 20 }],
    ["count 0 counts nothing", many("openstack_networking_router_v2", 0), {}],
    [
      "a Magnum cluster: masters plus workers at the autoscaler's max, each a machine with a port",
      tf({
        openstack_containerinfra_cluster_v1: {
          k8s: {
            master_count: 1,
            master_flavor: "m3.medium",
            flavor: "m3.quad",
            node_count: 2,
            fixed_network: "auto_allocated_network",
            labels: { auto_scaling_enabled: "true", min_node_count: "1", max_node_count: "5" },
          },
        },
      }),
      { instances: 6, cores: 8 + 5 * 4, ramMiB: (30 + 5 * 15) * 1024, ports: 6 },
    ],
    [
      "a Magnum cluster without autoscaling: node_count workers",
      tf({
        openstack_containerinfra_cluster_v1: {
          k8s: { master_count: 3, master_flavor: "m3.small", flavor: "m3.quad", node_count: 2, fixed_network: "n", labels: { auto_scaling_enabled: "false", max_node_count: "9" } },
        },
      }),
      { instances: 5, cores: 6 + 8, ramMiB: (18 + 30) * 1024, ports: 5 },
    ],
    [
      "resources of other types and data sources count for nothing",
      { resource: { terraform_data: { t: {} }, openstack_compute_keypair_v2: { k: {} } }, data: { openstack_networking_network_v2: { ext: { name: "public" } } } },
      {},
    ],
  ])("%s", (_, config, expected) => {
    const need = stackNeeds(config);
    expect({ ...need, notCounted: undefined }).toEqual({ ...counts(expected), notCounted: undefined });
  });

  it("counts elastic machines from drover.json at full scale, each with a port", () => {
    // GIVEN a controller, and a Slurm partition that may grow to 4 m3.xl nodes at run time
    const config = tf({ openstack_compute_instance_v2: { controller: instance("m3.medium") } });
    // WHEN counted
    const need = stackNeeds(config, info({ elastic: [{ construct: "lab/slurm/cpu", flavor: "m3.xl", max: 4 }] }));
    // THEN all four count, as if they ran at once
    expect(need).toMatchObject({ instances: 5, cores: 8 + 4 * 32, ramMiB: (30 + 4 * 125) * 1024, ports: 4 });
    expect(need.notCounted).toEqual([]);
  });

  it("counts the volumes Kubernetes creates (a hub's homes and database) from drover.json beside Terraform's own", () => {
    // GIVEN a stack with one 50 GB volume, and a hub whose CSI driver makes 127 homes of 10 GiB and a 1 GiB database
    const config = tf({ openstack_blockstorage_volume_v3: { data: { name: "data", size: 50 } } });
    const runtimeVolumes = [
      { construct: "lab/hub", what: "user home volumes", count: 127, sizeGiB: 10 },
      { construct: "lab/hub", what: "hub database", count: 1, sizeGiB: 1 },
    ];
    // WHEN counted
    const need = stackNeeds(config, info({ runtimeVolumes }));
    // THEN every one counts, against the volume count and the volume storage
    expect(need).toMatchObject({ volumes: 1 + 127 + 1, gigabytes: 50 + 1270 + 1 });
    expect(
      checkQuota(need, JETSTREAM2_QUOTA_PROFILES.research)
        .items.filter((i) => i.over)
        .map((i) => i.item),
    ).toEqual(["volumes", "gigabytes"]);
  });

  it("counts a shelved instance as an instance with no cores or RAM, its volume and port still held", () => {
    const config = tf({
      openstack_compute_instance_v2: {
        box: instance("m3.xl", { power_state: "shelved_offloaded", image_name: undefined, block_device: [{ source_type: "image", destination_type: "volume", volume_size: 60 }] }),
      },
    });
    expect(stackNeeds(config)).toMatchObject({ instances: 1, cores: 0, ramMiB: 0, volumes: 1, gigabytes: 60 });
  });

  it("reports, never guesses, the cores and RAM of an unknown, referenced or ID-named flavor", () => {
    const meta = (path: string) => ({ "//": { metadata: { path } } });
    const config = tf({
      openstack_compute_instance_v2: {
        a: instance("x9.huge", meta("lab/a")),
        b: instance("${var.flavor}", meta("lab/b")),
        c: { ...instance("m3.small"), flavor_name: undefined, flavor_id: "3" },
      },
    });
    const need = stackNeeds(config);
    expect(need).toMatchObject({ instances: 3, cores: 0, ramMiB: 0 });
    expect(need.notCounted).toEqual([
      { address: "openstack_compute_instance_v2.a", construct: "lab/a", what: "cores and RAM", reason: `flavor "x9.huge" is not in drover's flavor catalog` },
      { address: "openstack_compute_instance_v2.b", construct: "lab/b", what: "cores and RAM", reason: "flavor_name is an expression known only at apply (${var.flavor})" },
      { address: "openstack_compute_instance_v2.c", what: "cores and RAM", reason: `it names its flavor by ID ("3"); drover's catalog knows flavors by name` },
    ]);
  });

  it("reports an unknown elastic flavor, an expression count, a volume size known only at apply, and Magnum's own network", () => {
    const config = tf({
      openstack_networking_port_v2: { p: { count: "${var.n}" } },
      openstack_blockstorage_volume_v3: { v: { size: "${var.size}" } },
      openstack_containerinfra_cluster_v1: { k: { flavor: "m3.quad", node_count: 1 } },
    });
    const need = stackNeeds(config, info({ elastic: [{ construct: "lab/gpu", flavor: "g9.mystery", max: 2 }] }));
    expect(need).toMatchObject({ ports: 2 + 2, volumes: 1, gigabytes: 0, instances: 2 + 2, cores: 4 });
    expect(need.notCounted.map((u) => `${u.construct ?? u.address}: ${u.what} (${u.reason})`)).toEqual([
      "openstack_networking_port_v2.p: everything (its count or for_each is an expression known only at apply)",
      "openstack_blockstorage_volume_v3.v: volume gigabytes (size is an expression known only at apply (${var.size}))",
      "openstack_containerinfra_cluster_v1.k: master cores and RAM (master_flavor is not set: the cluster template's flavor applies)",
      "openstack_containerinfra_cluster_v1.k: network, subnet and router (Magnum creates them from the cluster template when no fixed_network is given)",
      `lab/gpu: cores and RAM (flavor "g9.mystery" is not in drover's flavor catalog)`,
    ]);
  });

  it("counts what the OpenStack driver synthesizes for a VirtualMachine with a volume and a public address", () => {
    // GIVEN a real Jetstream2 stack
    const { stack } = newStack("dev-vm");
    new VirtualMachine(stack, "box", { size: "m3.quad", allowSshFrom: ["203.0.113.0/24"], publicKey: testPublicKey("me@laptop"), publicAddress: true, volumes: [{ name: "data", sizeGiB: 100 }] });
    // WHEN its synthesis is counted
    const need = stackNeeds(synthJson(stack));
    // THEN the machine, its volume, address, network with router, firewall with its SSH rule, and ports count
    expect(need).toEqual({
      instances: 1,
      cores: 4,
      ramMiB: 15 * 1024,
      volumes: 1,
      gigabytes: 100,
      floatingIps: 1,
      networks: 1,
      subnets: 1,
      routers: 1,
      securityGroups: 1,
      securityGroupRules: 1 + 2,
      ports: 1 + 1,
      notCounted: [],
    });
  });

  it("needsIncrease subtracts the deployed stack's needs, item by item", () => {
    const before = needs({ instances: 2, cores: 8, routers: 1 });
    const after = needs({ instances: 3, cores: 6, routers: 1 });
    expect(needsIncrease(after, before)).toEqual({ ...counts({ instances: 1, cores: -2 }), notCounted: [] });
    expect(needsIncrease(after)).toEqual(after);
  });
});

describe("checkQuota offline: the stack's whole need against the limit (Jetstream2 research defaults)", () => {
  // Each row: the item, a stack builder, how many fit, how many do not, and the line naming it.
  const rows: Array<[QuotaItem, (n: number) => Json, number, number, string]> = [
    ["instances", (n) => many("openstack_compute_instance_v2", n, instance("m3.tiny")), 10, 11, "instances: need 11, limit 10"],
    ["cores", (n) => many("openstack_compute_instance_v2", n, instance("m3.medium")), 18, 19, "cores: need 152, limit 150"],
    ["ramMiB", (n) => many("openstack_compute_instance_v2", n, instance("r3.large")), 1, 2, "RAM: need 1000 GiB, limit 585 GiB"],
    ["volumes", (n) => many("openstack_blockstorage_volume_v3", n, { size: 10 }), 10, 11, "volumes: need 11, limit 10"],
    ["gigabytes", (n) => many("openstack_blockstorage_volume_v3", 1, { size: n }), 1000, 1001, "volume storage: need 1001 GB, limit 1000 GB"],
    ["floatingIps", (n) => many("openstack_networking_floatingip_v2", n), 10, 11, "floating IPs: need 11, limit 10"],
    ["networks", (n) => many("openstack_networking_network_v2", n), 100, 101, "networks: need 101, limit 100"],
    ["subnets", (n) => many("openstack_networking_subnet_v2", n), 100, 101, "subnets: need 101, limit 100"],
    ["routers", (n) => many("openstack_networking_router_v2", n), 1, 2, "routers: need 2, limit 1"],
    ["securityGroups", (n) => many("openstack_networking_secgroup_v2", n, { delete_default_rules: true }), 10, 11, "security groups: need 11, limit 10"],
    // one group (with its two default egress rules) and n - 2 rules of our own
    [
      "securityGroupRules",
      (n) => tf({ openstack_networking_secgroup_v2: { sg: {} }, openstack_networking_secgroup_rule_v2: { r: { count: n - 2 } } }),
      100,
      101,
      "security group rules: need 101, limit 100",
    ],
    ["ports", (n) => many("openstack_networking_port_v2", n), 500, 501, "ports: need 501, limit 500"],
  ];

  it.each(rows)("%s: fits at the limit, is named when over", (item, stack, fitting, exceeding, line) => {
    const fits = checkQuota(stackNeeds(stack(fitting)), research);
    expect(fits.items.find((i) => i.item === item)).toMatchObject({ over: false, limit: research[item] });

    const exceeds = checkQuota(stackNeeds(stack(exceeding)), research);
    expect(exceeds.ok).toBe(false);
    expect(exceeds.items.find((i) => i.item === item)).toMatchObject({ over: true, limit: research[item] });
    expect(exceeds.text.split("\n")).toContain(`  ${line}`);
  });

  it("says the stack fits, and lists every item on request", () => {
    const check = checkQuota(needs({ instances: 2, cores: 8, ramMiB: 30 * 1024 }), research);
    expect(check.ok).toBe(true);
    expect(check.live).toBe(false);
    expect(check.text).toBe("Quota: the stack fits Jetstream2 research allocation (default quota).");
    expect(renderQuotaCheck(check, { all: true }).split("\n").slice(1, 4)).toEqual(["  instances: need 2, limit 10", "  cores: need 8, limit 150", "  RAM: need 30 GiB, limit 585 GiB"]);
  });

  it("renders the exceeded items, what to do, and what was not counted", () => {
    const need: Needs = {
      ...counts({ cores: 168, routers: 2 }),
      notCounted: [{ address: "openstack_compute_instance_v2.a", construct: "lab/a", what: "cores and RAM", reason: `flavor "x9.huge" is not in drover's flavor catalog` }],
    };
    expect(checkQuota(need, research).text).toBe(
      [
        "Quota: the stack needs more than Jetstream2 research allocation (default quota) allows:",
        "  cores: need 168, limit 150",
        "  routers: need 2, limit 1",
        `A Jetstream2 allocation holds one router by default, often its auto_allocated_router: reuse its network with jetstream2({ network: "auto-allocated" }), or ask for a larger router quota.`,
        "Make the stack smaller, or ask the cloud's operators to raise the quota (Jetstream2: help@jetstream-cloud.org, with a justification).",
        "Not counted:",
        `  lab/a: cores and RAM, because flavor "x9.huge" is not in drover's flavor catalog`,
      ].join("\n"),
    );
  });

  it("treats a negative (-1) limit as unlimited", () => {
    const unlimited: Quota = { ...research, cores: -1, ramMiB: -1 };
    const check = checkQuota(needs({ cores: 100_000, ramMiB: 1e9 }), unlimited);
    expect(check.ok).toBe(true);
    expect(renderQuotaCheck(check, { all: true })).toContain("  cores: need 100000, limit unlimited");
  });
});

describe("checkQuota live: what the deploy adds against what the project has left", () => {
  const inUse = (partial: Partial<Counts>) => counts(partial);

  it.each<[QuotaItem, Partial<Counts>, Partial<Counts>, boolean, string]>([
    ["routers", { routers: 1 }, { routers: 1 }, true, "routers: need 1 more, 1 in use, limit 1"],
    ["routers", { routers: 0 }, { routers: 1 }, false, "routers: need 1 more, 0 in use, limit 1"],
    ["cores", { cores: 140 }, { cores: 16 }, true, "cores: need 16 more, 140 in use, limit 150"],
    ["cores", { cores: 134 }, { cores: 16 }, false, "cores: need 16 more, 134 in use, limit 150"],
    ["ramMiB", { ramMiB: 580 * 1024 }, { ramMiB: 15 * 1024 }, true, "RAM: need 15 GiB more, 580 GiB in use, limit 585 GiB"],
    ["floatingIps", { floatingIps: 10 }, { floatingIps: 1 }, true, "floating IPs: need 1 more, 10 in use, limit 10"],
    ["gigabytes", { gigabytes: 950 }, { gigabytes: 100 }, true, "volume storage: need 100 GB more, 950 GB in use, limit 1000 GB"],
    ["securityGroupRules", { securityGroupRules: 97 }, { securityGroupRules: 3 }, false, "security group rules: need 3 more, 97 in use, limit 100"],
  ])("%s: %j in use, %j more: over=%s", (item, used, more, over, line) => {
    const check = checkQuota(needs(more), research, inUse(used), needs(more));
    expect(check.live).toBe(true);
    const finding = check.items.find((i) => i.item === item)!;
    expect(finding.over).toBe(over);
    expect(renderQuotaCheck(check, { all: true }).split("\n")).toContain(`  ${line}${over ? "  (over)" : ""}`);
  });

  it("a second router on an allocation that has one: the stack's router, not yet deployed, does not fit", () => {
    // GIVEN the allocation's auto_allocated_router, and a stack that makes its own network
    const after = stackNeeds(tf({ openstack_networking_network_v2: { n: {} }, openstack_networking_subnet_v2: { s: {} }, openstack_networking_router_v2: { r: {} } }));
    // WHEN checked live, the stack never deployed
    const check = checkQuota(after, research, inUse({ routers: 1, networks: 1, subnets: 1 }), needsIncrease(after));
    // THEN the router is named with what is in use
    expect(check.ok).toBe(false);
    expect(check.text.split("\n").slice(0, 2)).toEqual(["Quota: the deploy needs more than is left of Jetstream2 research allocation (default quota):", "  routers: need 1 more, 1 in use, limit 1"]);
  });

  it("a deployed stack that does not grow passes, even at the limit; one that shrinks frees", () => {
    const deployed = needs({ routers: 1, cores: 150 });
    const same = checkQuota(deployed, research, inUse({ routers: 1, cores: 150 }), needsIncrease(deployed, deployed));
    expect(same.ok).toBe(true);
    const smaller = needs({ routers: 1, cores: 100 });
    const shrink = checkQuota(smaller, research, inUse({ routers: 1, cores: 160 }), needsIncrease(smaller, deployed));
    expect(shrink.ok).toBe(true);
    expect(renderQuotaCheck(shrink, { all: true })).toContain("  cores: frees 50, 160 in use, limit 150");
  });

  it("treats an unlimited live limit as never exceeded", () => {
    const check = checkQuota(needs({ ports: 10_000 }), { ...research, ports: -1 }, inUse({ ports: 5_000 }));
    expect(check.ok).toBe(true);
  });
});

describe("quota profiles", () => {
  it.each<["research" | "education" | "trial", number, number, number]>([
    ["research", 150, 585, 10],
    ["education", 200, 780, 25],
    ["trial", 2, 6, 2],
  ])("Jetstream2 %s: %i cores, %i GiB RAM, %i floating IPs, one router", (type, cores, ramGiB, fips) => {
    const q = JETSTREAM2_QUOTA_PROFILES[type];
    expect(q).toMatchObject({ cores, ramMiB: ramGiB * 1024, floatingIps: fips, routers: 1 });
    for (const item of QUOTA_ITEMS) expect(Number.isInteger(q[item])).toBe(true);
  });

  it("gives research and education allocations 10 volumes of 1 TB in all, a trial one volume of 10 GB and one instance", () => {
    expect(JETSTREAM2_QUOTA_PROFILES.research).toMatchObject({ volumes: 10, gigabytes: 1000, instances: 10 });
    expect(JETSTREAM2_QUOTA_PROFILES.education).toMatchObject({ volumes: 10, gigabytes: 1000 });
    expect(JETSTREAM2_QUOTA_PROFILES.trial).toMatchObject({ volumes: 1, gigabytes: 10, instances: 1 });
  });

  it("takes the other items from OpenStack's upstream defaults", () => {
    expect(OPENSTACK_DEFAULT_QUOTA).toMatchObject({
      instances: 10,
      cores: 20,
      ramMiB: 51200,
      volumes: 10,
      gigabytes: 1000,
      floatingIps: 50,
      networks: 100,
      subnets: 100,
      routers: 10,
      securityGroups: 10,
      securityGroupRules: 100,
      ports: 500,
    });
    expect(JETSTREAM2_QUOTA_PROFILES.research).toMatchObject({ networks: 100, subnets: 100, securityGroups: 10, securityGroupRules: 100, ports: 500 });
  });

  it("agrees with the catalog's JETSTREAM2_QUOTA, which other checks use", () => {
    expect(JETSTREAM2_QUOTA_PROFILES.research).toMatchObject({ cores: JETSTREAM2_QUOTA.cores, ramMiB: JETSTREAM2_QUOTA.memoryGiB * 1024, floatingIps: JETSTREAM2_QUOTA.floatingIps });
  });

  it("picks the profile from drover.json's allocation type, research when unnamed, none off Jetstream2", () => {
    expect(defaultQuotaFor(info())).toBe(JETSTREAM2_QUOTA_PROFILES.research);
    expect(defaultQuotaFor(info({ cloud: { ...info().cloud, allocationType: "education" } }))).toBe(JETSTREAM2_QUOTA_PROFILES.education);
    expect(defaultQuotaFor(info({ cloud: { kind: "aws", name: "aws", region: "us-east-2", summary: "AWS" } }))).toBeUndefined();
    expect(defaultQuotaFor(undefined)).toBeUndefined();
  });

  it("six m3.xl machines fit an education allocation but not a research one, and a trial holds one small machine", () => {
    // 9 × 32 = 288 cores: over both; 6 × 32 = 192: education only
    const workshop = stackNeeds(many("openstack_compute_instance_v2", 9, instance("m3.xl")));
    const six = stackNeeds(many("openstack_compute_instance_v2", 6, instance("m3.xl")));
    expect(checkQuota(workshop, JETSTREAM2_QUOTA_PROFILES.education).ok).toBe(false);
    expect(checkQuota(six, JETSTREAM2_QUOTA_PROFILES.education).ok).toBe(true);
    expect(checkQuota(six, JETSTREAM2_QUOTA_PROFILES.research).ok).toBe(false);
    expect(checkQuota(stackNeeds(many("openstack_compute_instance_v2", 1, instance("m3.small"))), JETSTREAM2_QUOTA_PROFILES.trial).ok).toBe(true);
    const trial = checkQuota(stackNeeds(many("openstack_compute_instance_v2", 1, instance("m3.quad"))), JETSTREAM2_QUOTA_PROFILES.trial);
    expect(trial.text.split("\n")).toEqual(expect.arrayContaining(["  cores: need 4, limit 2", "  RAM: need 15 GiB, limit 6 GiB"]));
  });
});
