import { App, LocalBackend, Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { DroverStack, Network, SlurmCluster, VirtualMachine, jetstream2, openstack } from "../../constructs/index.ts";
import { OpenstackProvider } from "../../.gen/providers/openstack/provider/index.ts";
import { fullSynthJson, newStack, only, resources, synthJson, validationIssues } from "../support/synth.ts";

describe("DroverStack", () => {
  it("configures the OpenStack provider from the profile and pins local state to the project", () => {
    const { app, stack } = newStack("dev-vm", { cloud: jetstream2({ region: "TACC", cloud: "js2-tacc" }) });
    expect(Testing.synth(stack)).toHaveProviderWithProperties(OpenstackProvider, { region: "TACC", cloud: "js2-tacc" });
    const json = fullSynthJson(app, stack);
    expect(json.terraform.required_providers.openstack).toEqual({ source: "terraform-provider-openstack/openstack", version: "3.4.0" });
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.dev-vm.tfstate" } });
  });

  it("keeps a backend the person configured", () => {
    const { app, stack } = newStack("dev-vm");
    new LocalBackend(stack, { path: "/srv/state/dev-vm.tfstate" });
    expect(fullSynthJson(app, stack).terraform.backend).toEqual({ local: { path: "/srv/state/dev-vm.tfstate" } });
  });

  it("names resources <stack>-<construct path>-<role> and tags them with stack, owner and expiry", () => {
    const { stack } = newStack("lab", { owner: "pi@uni.edu", expiresAt: "2027-02-28" });
    const group = new Construct(stack, "team");
    expect(stack.resourceName(group, "sg")).toBe("lab-team-sg");
    expect(stack.tags).toEqual({ drover_stack: "lab", drover_owner: "pi@uni.edu", drover_expires: "2027-02-28" });
  });

  it("takes the owner from DROVER_OWNER when none is given", () => {
    process.env.DROVER_OWNER = "env-owner";
    try {
      const stack = new DroverStack(Testing.app(), "lab", { cloud: jetstream2() });
      expect(stack.owner).toBe("env-owner");
    } finally {
      delete process.env.DROVER_OWNER;
    }
  });

  it.each([
    ["Lab_1", {}, `Lab_1: stack name "Lab_1" is not a valid name (lower-case letters, digits and '-', starting with a letter, at most 63 characters): try "lab-1"`],
    ["lab", { expiresAt: "31/12/2026" }, `lab: 'expiresAt' "31/12/2026" is not a date in YYYY-MM-DD form, e.g. "2026-12-31"`],
    ["lab", { expiresAt: "2026-02-30" }, `lab: 'expiresAt' "2026-02-30" is not a date in YYYY-MM-DD form, e.g. "2026-12-31"`],
    ["lab", { owner: "Dr. Who?" }, `lab: 'owner' "Dr. Who?" may hold letters, digits and . _ @ + - only (1-64 characters): use a user name or an e-mail address`],
  ])("refuses stack %j %j", (name, props, message) => {
    expect(validationIssues(() => new DroverStack(new App(), name, { cloud: jetstream2(), ...props }))).toEqual([message]);
  });

  it("tells a person who puts a construct outside a DroverStack what to do", () => {
    const plain = new TerraformStack(Testing.app(), "plain");
    expect(() => new VirtualMachine(plain, "box", { size: "m3.small" })).toThrow(
      'plain/box: drover constructs must be created inside a DroverStack (new DroverStack(app, "name", { cloud: jetstream2() }))',
    );
  });
});

describe("names unique in a stack", () => {
  const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINH2gSAOn1cA4cEz2KFpcLmZMATCb7oziHDevBdnwgaK a@b";
  const cluster = (scope: Construct, id: string) =>
    new SlurmCluster(scope, id, { controller: { size: "m3.small" }, partitions: [{ name: "cpu", size: "m3.small", nodes: 1, elastic: { max: 2 } }], adminPublicKey: KEY });

  it("refuses two clusters whose partitions give their nodes the same names, naming both", () => {
    // GIVEN two clusters in one stack, each with a partition cpu
    const { stack } = newStack("lab");
    cluster(stack, "a");
    cluster(stack, "b");

    // WHEN the tree is validated (synth does it)
    const problems = stack.node.validate();

    // THEN each shared name is reported once, with both construct paths and the fix
    expect(problems).toEqual([
      // A static node is the partition's construct; an elastic one, the cluster's.
      "'lab-cpu-1' is the machine name of both lab/a/cpu-1 and lab/b/cpu-1: machine names come from the stack, the construct's id (and a partition's name): give one of them another id or partition name",
      "'lab-cpu-2' is the machine name of both lab/a and lab/b: machine names come from the stack, the construct's id (and a partition's name): give one of them another id or partition name",
    ]);
    expect(() => synthJson(stack)).toThrow(/\[lab\] 'lab-cpu-2' is the machine name of both lab\/a and lab\/b/);
  });

  it("refuses same-id clusters under different parents: their outputs and their cluster tag would be shared", () => {
    const { stack } = newStack("lab");
    cluster(new Construct(stack, "team1"), "hpc");
    cluster(new Construct(stack, "team2"), "hpc");
    const problems = stack.node.validate();
    expect(problems).toContain("'hpc_ssh' is the output of both lab/team1/hpc and lab/team2/hpc: outputs are named after the construct's id: give one of them another id");
    expect(problems).toContain(
      "'lab_hpc' is the cluster name of both lab/team1/hpc and lab/team2/hpc: a cluster's name comes from the stack and its id, and its machines are tagged with it: give one of them another id",
    );
  });

  it("tells apart two VMs of one id under different parents (their names and outputs follow the path)", () => {
    const { stack } = newStack("lab");
    for (const parent of ["x", "y"]) new VirtualMachine(new Construct(stack, parent), "box", { size: "m3.small" });
    // Their machines are told apart by path (lab-x-box, lab-y-box); their outputs are not.
    expect(stack.node.validate()).toEqual([]);
  });

  it("passes distinct names", () => {
    const { stack } = newStack("lab");
    cluster(stack, "a");
    new VirtualMachine(stack, "box", { size: "m3.small" });
    expect(stack.node.validate()).toEqual([]);
  });
});

describe("cloud profiles", () => {
  it("jetstream2() holds the Jetstream2 facts", () => {
    const p = jetstream2();
    expect(p).toMatchObject({ kind: "openstack", name: "jetstream2", region: "IU", externalNetwork: "public", defaultImage: "Featured-Ubuntu24", defaultNetwork: "new" });
    expect(p.flavors.map((f) => f.name)).toContain("g3.xl");
    expect(jetstream2({ network: "auto-allocated" }).defaultNetwork).toEqual({ name: "auto_allocated_network" });
    // The allocation's DNS zone, only when the allocation is named.
    expect(jetstream2().dnsZone).toBeUndefined();
    expect(jetstream2({ allocation: "bio230123" }).dnsZone).toBe("bio230123.projects.jetstream-cloud.org.");
  });

  it.each([
    [() => jetstream2({ network: "shared" as "new" }), `jetstream2(): 'network' "shared": must be "new" or "auto-allocated"`],
    [() => jetstream2({ region: "I U" }), `jetstream2(): 'region' "I U" is not a region name (e.g. "IU")`],
    [() => jetstream2({ allocation: "BIO 23" }), `jetstream2(): 'allocation' "BIO 23" is not an allocation name: lower-case letters, digits and '-', as in "bio230123"`],
    [() => openstack({ externalNetwork: " " }), `openstack(): 'externalNetwork' must be a non-empty string, got " "`],
    [() => openstack({ network: { name: "a", id: "b" } }), "openstack(): 'network' names both an existing network's name and its id: give one"],
  ])("refuses bad profile props %#", (make, message) => {
    expect(validationIssues(make)).toEqual([message]);
  });

  it("openstack() hard-codes nothing about Jetstream2 and leaves auth and region to the OS_* variables", () => {
    const { stack } = newStack("lab", { cloud: openstack({ externalNetwork: "ext-net", network: { name: "lab-net" } }) });
    new VirtualMachine(stack, "box", { size: "m1.large", image: "Ubuntu 24.04" });
    const json = synthJson(stack);
    expect(json.provider.openstack).toEqual([{}]);
    expect(only(json, "openstack_compute_instance_v2")).toMatchObject({ flavor_name: "m1.large", image_name: "Ubuntu 24.04" });
    expect(Object.values(json.data.openstack_networking_network_v2)).toEqual([expect.objectContaining({ name: "lab-net" })]);
    expect(JSON.stringify(json)).not.toMatch(/jetstream|Featured-|"public"/i);
  });

  it("openstack() with a flavor catalog sizes machines by requirement", () => {
    const flavors = [
      { name: "m1.small", vcpus: 1, memoryGiB: 2, rootDiskGiB: 20, gpu: 0, family: "cpu" as const, suPerHour: 1 },
      { name: "m1.large", vcpus: 4, memoryGiB: 8, rootDiskGiB: 40, gpu: 0, family: "cpu" as const, suPerHour: 4 },
    ];
    const { stack } = newStack("lab", { cloud: openstack({ flavors }) });
    new VirtualMachine(stack, "box", { size: { vcpus: 2, memoryGiB: 4 } });
    expect(only(synthJson(stack), "openstack_compute_instance_v2").flavor_name).toBe("m1.large");
  });
});

describe("Network", () => {
  it("creates network, subnet, router and interface with the given range", () => {
    const { stack } = newStack("lab");
    new Network(stack, "private", { cidr: "192.168.10.0/24", dnsNameservers: ["10.0.0.2"] });
    const json = synthJson(stack);
    expect(only(json, "openstack_networking_subnet_v2")).toMatchObject({ name: "lab-private-subnet", cidr: "192.168.10.0/24", dns_nameservers: ["10.0.0.2"] });
    expect(Object.keys(resources(json, "openstack_networking_router_interface_v2"))).toHaveLength(1);
  });

  it("stays off the internet with internetAccess: false, and then refuses public addresses", () => {
    const { stack } = newStack("lab");
    const net = new Network(stack, "isolated", { internetAccess: false });
    expect(resources(synthJson(stack), "openstack_networking_router_v2")).toEqual({});
    expect(validationIssues(() => new VirtualMachine(stack, "box", { size: "m3.small", network: net, publicAddress: true }))).toEqual([
      "lab/box: 'publicAddress' needs a network routed to the internet, and lab-isolated-net has internetAccess: false",
    ]);
  });

  it.each([
    ["10.0.0.0/8", `lab/n: 'cidr' "10.0.0.0/8" must be an IPv4 range from /16 to /28, e.g. "10.0.0.0/24"`],
    ["8.8.8.0/24", `lab/n: 'cidr' "8.8.8.0/24" is not a private range: use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16`],
    ["10.0.0.1/24", `lab/n: 'cidr' "10.0.0.1/24" has host bits set: did you mean 10.0.0.0/24?`],
    ["fd00::/64", `lab/n: 'cidr' "fd00::/64" must be an IPv4 range from /16 to /28, e.g. "10.0.0.0/24"`],
  ])("refuses cidr %s", (cidr, message) => {
    const { stack } = newStack("lab");
    expect(validationIssues(() => new Network(stack, "n", { cidr }))).toEqual([message]);
  });

  it("refuses a lookup that names nothing or both", () => {
    const { stack } = newStack("lab");
    expect(validationIssues(() => Network.fromExisting(stack, "x", {}))).toEqual(["lab/x: give the existing network's 'name' or 'id'"]);
  });
});
