import { Testing } from "cdktf";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Network, VirtualMachine, jetstream2, type VirtualMachineProps } from "../../constructs/index.ts";
import { ComputeInstanceV2 } from "../../.gen/providers/openstack/compute-instance-v2/index.ts";
import { NetworkingSecgroupRuleV2 } from "../../.gen/providers/openstack/networking-secgroup-rule-v2/index.ts";
import { BlockstorageVolumeV3 } from "../../.gen/providers/openstack/blockstorage-volume-v3/index.ts";
import { DataOpenstackNetworkingNetworkV2 } from "../../.gen/providers/openstack/data-openstack-networking-network-v2/index.ts";
import { settleWrites } from "../../lib/app/pending-writes.ts";
import { compact, newStack, only, resources, schemaFindings, synthJson, validationIssues } from "../support/synth.ts";
import { testPublicKey } from "../support/keys.ts";

const key = testPublicKey("me@laptop");
const base: VirtualMachineProps = { size: "m3.small", allowSshFrom: ["203.0.113.0/24"], publicKey: key };

function build(props: Partial<VirtualMachineProps> = {}, stackName = "dev-vm") {
  const { stack } = newStack(stackName);
  const vm = new VirtualMachine(stack, "box", { ...base, ...props });
  return { stack, vm, json: synthJson(stack) };
}

describe("VirtualMachine on Jetstream2", () => {
  it("GIVEN defaults WHEN synthesized THEN it builds a network, firewall, key, port and machine named after stack and construct", () => {
    const { stack, vm, json } = build();
    const text = Testing.synth(stack);
    expect(text).toHaveResourceWithProperties(ComputeInstanceV2, {
      name: "dev-vm-box",
      flavor_name: "m3.small",
      image_name: "Featured-Ubuntu24",
      key_pair: expect.stringMatching(/^\$\{openstack_compute_keypair_v2\.KeyPair-[a-z0-9]+\.name\}$/),
      tags: ["drover_stack=dev-vm", "drover_owner=tester@example.edu"],
    });
    expect(only(json, "openstack_networking_network_v2")).toMatchObject({ name: "dev-vm-network-net", tags: ["drover_stack=dev-vm", "drover_owner=tester@example.edu"] });
    expect(only(json, "openstack_networking_subnet_v2")).toMatchObject({ name: "dev-vm-network-subnet", cidr: "10.0.0.0/24", ip_version: 4 });
    expect(only(json, "openstack_networking_router_v2")).toMatchObject({ name: "dev-vm-network-router", external_network_id: expect.stringContaining("data.openstack_networking_network_v2.") });
    expect(only(json, "openstack_networking_secgroup_v2")).toMatchObject({ name: "dev-vm-box-sg" });
    expect(only(json, "openstack_compute_keypair_v2")).toEqual(expect.objectContaining({ name: expect.stringMatching(/^dev-vm-key-[a-z0-9]{8}$/), public_key: key }));
    expect(only(json, "openstack_networking_port_v2")).toMatchObject({ name: "dev-vm-box-port", security_group_ids: [expect.stringContaining("openstack_networking_secgroup_v2.")] });
    const metadata = only(json, "openstack_compute_instance_v2").metadata as Record<string, string>;
    // The stack's tags, and the configuration bundle drover-agent applies (lib/agent/bundle.ts).
    expect(Object.fromEntries(Object.entries(metadata).filter(([k]) => !k.startsWith("drover_cfg")))).toEqual({
      drover_construct: "dev-vm/box",
      drover_owner: "tester@example.edu",
      drover_stack: "dev-vm",
    });
    expect(metadata.drover_cfg).toMatch(/^\d+:[0-9a-f]{64}$/);
    expect(vm.flavor.name).toBe("m3.small");
    expect(vm.loginUser).toBe("ubuntu");
    expect(compact(json)).toMatchSnapshot();
  });

  it("opens SSH only to allowSshFrom, one rule per range, and nothing else", () => {
    const { stack, json } = build({ allowSshFrom: ["203.0.113.0/24", "2001:db8::/32"] });
    const rules = Object.values(resources(json, "openstack_networking_secgroup_rule_v2"));
    expect(rules).toHaveLength(2);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(NetworkingSecgroupRuleV2, {
      direction: "ingress",
      ethertype: "IPv4",
      protocol: "tcp",
      port_range_min: 22,
      port_range_max: 22,
      remote_ip_prefix: "203.0.113.0/24",
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(NetworkingSecgroupRuleV2, { ethertype: "IPv6", remote_ip_prefix: "2001:db8::/32", port_range_min: 22 });
  });

  it("opens nothing when allowSshFrom is empty, and needs no key then", () => {
    const { json } = build({ allowSshFrom: [], publicKey: undefined });
    expect(resources(json, "openstack_networking_secgroup_rule_v2")).toEqual({});
    expect(resources(json, "openstack_compute_keypair_v2")).toEqual({});
    expect(only(json, "openstack_compute_instance_v2")).not.toHaveProperty("key_pair");
  });

  it("allows ping (ICMP echo) from allowPingFrom only", () => {
    const rules = Object.values(resources(build({ allowPingFrom: ["198.51.100.0/24", "2001:db8::/48"] }).json, "openstack_networking_secgroup_rule_v2"));
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ protocol: "icmp", port_range_min: 8, port_range_max: 0, remote_ip_prefix: "198.51.100.0/24", ethertype: "IPv4" }),
        expect.objectContaining({ protocol: "ipv6-icmp", port_range_min: 128, port_range_max: 0, remote_ip_prefix: "2001:db8::/48", ethertype: "IPv6" }),
      ]),
    );
  });

  it("has no public address unless asked, and then a floating IP bound to its port after the router", () => {
    const privateOnly = build().json;
    expect(resources(privateOnly, "openstack_networking_floatingip_v2")).toEqual({});
    expect(privateOnly.output.box_ssh.value).toBe("ssh ubuntu@${openstack_compute_instance_v2.box_45895026.access_ip_v4}");
    expect(privateOnly.output).not.toHaveProperty("box_public_address");

    const pub = build({ publicAddress: true }).json;
    expect(only(pub, "openstack_networking_floatingip_v2")).toMatchObject({ pool: "public", description: "dev-vm-box-ip" });
    const assoc = only(pub, "openstack_networking_floatingip_associate_v2");
    expect(assoc.port_id).toContain("openstack_networking_port_v2.");
    expect(assoc.depends_on).toEqual([expect.stringContaining("openstack_networking_router_interface_v2.")]);
    expect(pub.output.box_ssh.value).toBe("ssh ubuntu@${openstack_networking_floatingip_v2.box_PublicAddress_D358138D.address}");
    expect(compact(pub)).toMatchSnapshot();
  });

  it("creates, protects, attaches and announces volumes to the machine", () => {
    const { stack, json } = build({
      volumes: [
        { name: "data", sizeGiB: 100 },
        { name: "scratch", sizeGiB: 50, mountPath: "/scratch", protect: false, volumeType: "ceph" },
      ],
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(BlockstorageVolumeV3, { name: "dev-vm-box-data", size: 100, lifecycle: { prevent_destroy: true } });
    const scratch = Object.values(resources(json, "openstack_blockstorage_volume_v3")).find((v) => v.name === "dev-vm-box-scratch")!;
    expect(scratch).toMatchObject({ size: 50, volume_type: "ceph" });
    expect(scratch).not.toHaveProperty("lifecycle");
    expect(Object.keys(resources(json, "openstack_compute_volume_attach_v2"))).toHaveLength(2);
    const meta = only(json, "openstack_compute_instance_v2").metadata;
    expect(meta.drover_volume_data).toMatch(/^\$\{openstack_blockstorage_volume_v3\.box_Volume-data_\w+\.id\}:\/media\/volume\/data$/);
    expect(meta.drover_volume_scratch).toMatch(/:\/scratch$/);
    expect(compact(json)).toMatchSnapshot();
  });

  it("adding a volume later does not change the user data (which would rebuild the machine)", () => {
    const before = only(build().json, "openstack_compute_instance_v2").user_data;
    const after = only(build({ volumes: [{ name: "data", sizeGiB: 10 }] }).json, "openstack_compute_instance_v2").user_data;
    expect(after).toBe(before);
  });

  it("resolves a size requirement to the cheapest fitting flavor", () => {
    expect(only(build({ size: { vcpus: 6, memoryGiB: 20 } }).json, "openstack_compute_instance_v2").flavor_name).toBe("m3.medium");
    expect(only(build({ size: { vcpus: 4, memoryGiB: 8, gpu: 0.25 } }).json, "openstack_compute_instance_v2").flavor_name).toBe("g3.medium");
  });

  it("boots from a volume made from the newest image, without rebuilding when the image is refreshed", () => {
    const { json } = build({ rootVolumeGiB: 200, image: "Featured-RockyLinux9" });
    const vm = only(json, "openstack_compute_instance_v2");
    expect(vm).not.toHaveProperty("image_name");
    expect(vm.block_device).toEqual([
      { boot_index: 0, delete_on_termination: true, destination_type: "volume", source_type: "image", uuid: expect.stringContaining("data.openstack_images_image_v2."), volume_size: 200 },
    ]);
    expect(vm.lifecycle).toEqual({ ignore_changes: ["block_device[0].uuid", "user_data"], replace_triggered_by: [expect.stringMatching(/^terraform_data\./)] });
    expect(only(json, "terraform_data").input).toBe("Featured-RockyLinux9");
    expect(json.data.openstack_images_image_v2).toBeDefined();
    expect(json.output.box_ssh.value).toMatch(/^ssh rocky@/);
  });

  it("joins an existing network by name without creating a router", () => {
    const { stack } = newStack("lab");
    const net = Network.fromExisting(stack, "shared", { name: "auto_allocated_network" });
    new VirtualMachine(stack, "box", { ...base, network: net });
    const json = synthJson(stack);
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataOpenstackNetworkingNetworkV2, { name: "auto_allocated_network" });
    expect(resources(json, "openstack_networking_router_v2")).toEqual({});
    expect(resources(json, "openstack_networking_network_v2")).toEqual({});
    expect(only(json, "openstack_networking_port_v2")).not.toHaveProperty("fixed_ip");
    expect(compact(json)).toMatchSnapshot();
  });

  it("joins an existing network by ID with no lookup at all", () => {
    const { stack } = newStack("lab");
    new VirtualMachine(stack, "box", { ...base, network: Network.fromExisting(stack, "n", { id: "2f1c-net" }) });
    const json = synthJson(stack);
    expect(json.data).toBeUndefined();
    expect(only(json, "openstack_networking_port_v2").network_id).toBe("2f1c-net");
  });

  it("uses the allocation's auto-allocated network with jetstream2({ network: 'auto-allocated' })", () => {
    const { stack } = newStack("lab", { cloud: jetstream2({ network: "auto-allocated" }) });
    new VirtualMachine(stack, "a", base);
    new VirtualMachine(stack, "b", base);
    const json = synthJson(stack);
    expect(Object.values(json.data.openstack_networking_network_v2)).toEqual([expect.objectContaining({ name: "auto_allocated_network" })]);
    expect(resources(json, "openstack_networking_router_v2")).toEqual({});
  });

  it("registers each person's key once per stack, however many machines use it", () => {
    const { stack } = newStack("lab");
    new VirtualMachine(stack, "a", base);
    new VirtualMachine(stack, "b", base);
    new VirtualMachine(stack, "c", { ...base, publicKey: testPublicKey("someone-else", 2) });
    const json = synthJson(stack);
    const pairs = Object.values(resources(json, "openstack_compute_keypair_v2"));
    expect(pairs.map((p) => p.public_key).sort()).toEqual([key, testPublicKey("someone-else", 2)].sort());
    const keyOf = (name: string) => Object.values(resources(json, "openstack_compute_instance_v2")).find((i) => i.name === name)!.key_pair;
    expect(keyOf("lab-a")).toBe(keyOf("lab-b"));
    expect(keyOf("lab-c")).not.toBe(keyOf("lab-a"));
  });

  it("shares one default network (one router) between the machines of a stack", () => {
    const { stack } = newStack("lab");
    new VirtualMachine(stack, "a", base);
    new VirtualMachine(stack, "b", base);
    const json = synthJson(stack);
    expect(Object.keys(resources(json, "openstack_networking_router_v2"))).toHaveLength(1);
    expect(Object.keys(resources(json, "openstack_compute_instance_v2"))).toHaveLength(2);
  });

  it("writes its cloud-init for review and tags with owner and expiry", async () => {
    const { app, stack } = newStack("dev-vm", { expiresAt: "2026-12-31" });
    const vm = new VirtualMachine(stack, "box", base);
    app.synth();
    await settleWrites();
    const file = join(app.outdir, "stacks/dev-vm/files/box/cloud-init.yaml");
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toBe(vm.userData);
    const json = JSON.parse(readFileSync(join(app.outdir, "stacks/dev-vm/cdk.tf.json"), "utf8"));
    expect(only(json, "openstack_compute_instance_v2").tags).toContain("drover_expires=2026-12-31");
    expect(JSON.parse(readFileSync(join(app.outdir, "stacks/dev-vm/drover.json"), "utf8"))).toEqual({
      stack: "dev-vm",
      cloud: { kind: "openstack", name: "jetstream2", region: "IU", summary: "Jetstream2 (OpenStack), region IU" },
      owner: "tester@example.edu",
      expiresAt: "2026-12-31",
      files: ["files/box/cloud-init.yaml"],
      counts: { resources: 10, dataSources: 1, outputs: 2 },
    });
  });

  it.each([
    ["defaults", {}],
    ["public address and volumes", { publicAddress: true, volumes: [{ name: "data", sizeGiB: 10 }] }],
    ["boot volume and GPU size", { rootVolumeGiB: 100, size: { vcpus: 4, memoryGiB: 10, gpu: 0.2 } }],
    ["ping and IPv6", { allowPingFrom: ["203.0.113.0/24"], allowSshFrom: ["2001:db8::/32"] }],
  ] as Array<[string, Partial<VirtualMachineProps>]>)("passes the OpenStack schema validation: %s", (_, props) => {
    expect(schemaFindings(build(props).json)).toEqual([]);
  });
});

describe("VirtualMachine props are checked with exact messages", () => {
  const issues = (props: Partial<VirtualMachineProps>, stackName = "dev-vm") =>
    validationIssues(() => {
      const { stack } = newStack(stackName);
      new VirtualMachine(stack, "box", { ...base, ...props } as VirtualMachineProps);
    });

  it.each([
    [
      "an unknown flavor, with near matches",
      { size: "m3.smal" },
      `dev-vm/box: 'size' "m3.smal" is not a jetstream2 flavor: did you mean m3.small? Flavors: m3.tiny, m3.small, m3.quad, m3.medium, m3.large, m3.xl, m3.2xl, m3.3xl, r3.large, r3.xl, g3.small, g3.medium, g3.large, g3.xl.`,
    ],
    ["a CIDR with host bits", { allowSshFrom: ["203.0.113.7/24"] }, `dev-vm/box: 'allowSshFrom[0]' "203.0.113.7/24" has host bits set: did you mean 203.0.113.0/24?`],
    ["a bare address", { allowPingFrom: ["198.51.100.4"] }, `dev-vm/box: 'allowPingFrom[0]' "198.51.100.4" has no prefix length: did you mean 198.51.100.4/32?`],
    ["a duplicate CIDR", { allowSshFrom: ["10.0.0.0/8", "10.0.0.0/8"] }, `dev-vm/box: 'allowSshFrom[1]' "10.0.0.0/8" is listed twice`],
    [
      "a private key",
      { publicKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----" },
      "dev-vm/box: 'publicKey' is a private key. Never put a private key in a stack: pass the public half (the .pub file, e.g. ~/.ssh/id_ed25519.pub)",
    ],
    [
      "SSH without a key",
      { publicKey: undefined },
      "dev-vm/box: 'allowSshFrom' opens SSH but no key is given, and password login is off: set 'publicKey' (the content of ~/.ssh/id_ed25519.pub) or 'keyPairName'",
    ],
    ["two keys", { keyPairName: "mine" }, "dev-vm/box: give 'publicKey' or 'keyPairName', not both"],
    ["a volume too big", { volumes: [{ name: "data", sizeGiB: 20000 }] }, "dev-vm/box: 'volumes[0].sizeGiB' must be a whole number from 1 to 10240, got 20000"],
    ["a volume of 0 GiB", { volumes: [{ name: "data", sizeGiB: 0 }] }, "dev-vm/box: 'volumes[0].sizeGiB' must be a whole number from 1 to 10240, got 0"],
    [
      "duplicate volume names",
      {
        volumes: [
          { name: "data", sizeGiB: 1 },
          { name: "data", sizeGiB: 2 },
        ],
      },
      `dev-vm/box: 'volumes[1].name' "data" is used by another volume of this machine: volume names must be unique`,
    ],
    [
      "a bad volume name",
      { volumes: [{ name: "My Data", sizeGiB: 1 }] },
      `dev-vm/box: 'volumes[0].name' "My Data" must be lower-case letters, digits and '-', starting with a letter, at most 31 characters`,
    ],
    [
      "a mount over a system directory",
      { volumes: [{ name: "data", sizeGiB: 1, mountPath: "/usr/" }] },
      `dev-vm/box: 'volumes[0].mountPath' "/usr/" would hide a system directory: mount beneath /media, /mnt, /data or /srv (e.g. "/mnt/data")`,
    ],
    [
      "two volumes on one mount path",
      {
        volumes: [
          { name: "a", sizeGiB: 1, mountPath: "/data" },
          { name: "b", sizeGiB: 1, mountPath: "/data/" },
        ],
      },
      `dev-vm/box: 'volumes[1].mountPath' "/data/" is used by another volume of this machine`,
    ],
    ["a root volume too small", { rootVolumeGiB: 5 }, "dev-vm/box: 'rootVolumeGiB' must be a whole number from 20 to 10240, got 5"],
    [
      "a misspelt featured image",
      { image: "Featured-Ubuntu-24" },
      `dev-vm/box: 'image' "Featured-Ubuntu-24" is not a featured image of jetstream2: did you mean Featured-Ubuntu24? Featured: Featured-Ubuntu24, Featured-Ubuntu22, Featured-Ubuntu20, Featured-Minimal-Ubuntu24, Featured-RockyLinux9, Featured-RockyLinux8, Featured-AlmaLinux9, Featured-AlmaLinux8.`,
    ],
    ["an image whose login is unknown", { image: "my-custom-image" }, `dev-vm/box: cannot tell the login account of image "my-custom-image": set 'sshUser' (e.g. "ubuntu", "rocky")`],
    [
      "a bad package name",
      { packages: ["htop; rm -rf /"] },
      `dev-vm/box: 'packages[0]' "htop; rm -rf /" is not a package name: use the distribution's name for it (letters, digits and + . _ : -), e.g. "htop"`,
    ],
  ] as Array<[string, Partial<VirtualMachineProps>, string]>)("%s", (_, props, message) => {
    expect(issues(props)).toEqual([message]);
  });

  it("reports every problem at once", () => {
    expect(issues({ size: "huge", allowSshFrom: ["nowhere"], volumes: [{ name: "d", sizeGiB: -1 }] })).toEqual([
      `dev-vm/box: 'size' "huge" is not a jetstream2 flavor. Use one of: m3.tiny, m3.small, m3.quad, m3.medium, m3.large, m3.xl, m3.2xl, m3.3xl, r3.large, r3.xl, g3.small, g3.medium, g3.large, g3.xl.`,
      `dev-vm/box: 'allowSshFrom[0]' "nowhere" is not an address range: write one in CIDR notation, e.g. 203.0.113.0/24`,
      "dev-vm/box: 'volumes[0].sizeGiB' must be a whole number from 1 to 10240, got -1",
    ]);
  });

  it("refuses construct ids that cannot be hostnames, and names that are too long", () => {
    expect(
      validationIssues(() => {
        const { stack } = newStack("dev-vm");
        new VirtualMachine(stack, "Web_Server", base);
      }),
    ).toEqual([`dev-vm/Web_Server: construct id "Web_Server" is not a valid name (lower-case letters, digits and '-', starting with a letter, at most 63 characters): try "web-server"`]);
    const long = "a".repeat(60);
    expect(issues({}, long)).toEqual([`${long}/box: the machine's name "${long}-box" (stack + construct) is 64 characters; hostnames allow 63: shorten the stack name or the construct id`]);
  });

  it("warns when SSH is opened to the whole internet", () => {
    const { stack } = newStack("dev-vm");
    new VirtualMachine(stack, "box", { ...base, allowSshFrom: ["0.0.0.0/0"] });
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data));
    expect(warnings).toContain("tcp/22 is open to the whole internet (0.0.0.0/0); only 80 and 443 should be. Name the networks that need it instead.");
  });
});
