import { createHash } from "node:crypto";
import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { ComputeInstance } from "@cdktf/provider-google/lib/compute-instance/index.js";
import { ComputeDisk } from "@cdktf/provider-google/lib/compute-disk/index.js";
import { ComputeFirewall } from "@cdktf/provider-google/lib/compute-firewall/index.js";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider/index.js";
import { DataGoogleComputeImage } from "@cdktf/provider-google/lib/data-google-compute-image/index.js";
import { DataGoogleComputeSubnetwork } from "@cdktf/provider-google/lib/data-google-compute-subnetwork/index.js";
import { Network, Peer, Port, VirtualMachine, type VirtualMachineProps } from "../../constructs/index.ts";
import { gcp, type GcpProps } from "../../constructs/gcp/profile.ts";
import { escapeTerraformText } from "../../lib/terraform/text.ts";
import { compact, fullSynthJson, newStack, only, resources, synthJson, validationIssues, type Json } from "../support/synth.ts";
import { ALLOW_DESTROY_CONTEXT } from "../../lib/app/synth-context.ts";
import { testPublicKey } from "../support/keys.ts";

const key = testPublicKey("me@laptop");
const base: VirtualMachineProps = { size: "e2-standard-2", allowSshFrom: ["203.0.113.0/24"], publicKey: key };
const onGcp = (props: Partial<GcpProps> = {}) => ({ cloud: gcp({ project: "my-lab-123456", region: "us-central1", ...props }) });

function build(props: Partial<VirtualMachineProps> = {}, stackName = "dev-vm") {
  const { stack } = newStack(stackName, onGcp());
  const vm = new VirtualMachine(stack, "box", { ...base, ...props });
  return { stack, vm, json: synthJson(stack) };
}

/** Snapshot form: the user data in the instance metadata becomes its size and hash (cloud-init has its own snapshot). */
function compactGcp(json: Json): Json {
  return compact(
    JSON.parse(
      JSON.stringify(json, (k, v) =>
        k === "user-data" && typeof v === "string" ? `<cloud-init ${Buffer.byteLength(v)} bytes sha256:${createHash("sha256").update(v).digest("hex").slice(0, 12)}>` : v,
      ),
    ) as Json,
  );
}

const rules = (json: Json) => Object.values(resources(json, "google_compute_firewall"));

describe("VirtualMachine on GCP", () => {
  it("GIVEN defaults WHEN synthesized THEN a network, subnetwork, SSH rule and shielded instance named after stack and construct", () => {
    const { stack, vm, json } = build();
    expect(Testing.synth(stack)).toHaveProviderWithProperties(GoogleProvider, {
      project: "my-lab-123456",
      region: "us-central1",
      zone: "us-central1-a",
      default_labels: { drover_stack: "dev-vm", drover_owner: "tester_example_edu" },
    });
    expect(only(json, "google_compute_network")).toEqual({
      name: "dev-vm-network-vpc",
      description: "drover: network of dev-vm/network",
      auto_create_subnetworks: false,
      routing_mode: "REGIONAL",
      delete_default_routes_on_create: false,
    });
    expect(only(json, "google_compute_subnetwork")).toEqual({
      name: "dev-vm-network-subnet",
      network: "${google_compute_network.network_39EEAA36.self_link}",
      region: "us-central1",
      ip_cidr_range: "10.0.0.0/24",
      private_ip_google_access: true,
    });
    expect(only(json, "google_compute_firewall")).toEqual({
      name: "dev-vm-box-sg-tcp-22-203-0-113-0-24",
      network: "${google_compute_network.network_39EEAA36.self_link}",
      direction: "INGRESS",
      description: "ssh from 203.0.113.0/24",
      target_tags: ["dev-vm-box-sg"],
      source_ranges: ["203.0.113.0/24"],
      allow: [{ protocol: "tcp", ports: ["22"] }],
    });
    const instance = only(json, "google_compute_instance");
    expect(instance).toMatchObject({
      name: "dev-vm-box",
      machine_type: "e2-standard-2",
      zone: "us-central1-a",
      allow_stopping_for_update: true,
      network_interface: [{ subnetwork: "${google_compute_subnetwork.network_Subnetwork_5E2B6D40.self_link}" }],
      tags: ["dev-vm-box-sg"],
      labels: { drover_construct: "dev-vm_box" },
    });
    expect(instance).not.toHaveProperty("service_account");
    expect(instance).not.toHaveProperty("scheduling");
    // No static address, on a routed network: an ephemeral external address, its way out.
    expect(instance.network_interface[0].access_config).toEqual([{}]);
    expect(Object.keys(json.resource).sort()).toEqual(["google_compute_firewall", "google_compute_instance", "google_compute_network", "google_compute_subnetwork", "terraform_data"]);
    expect(vm.loginUser).toBe("ubuntu");
    expect(json.output.box_ssh.value).toBe("ssh ubuntu@${google_compute_instance.box_45895026.network_interface[0].network_ip}");
    expect(compactGcp(json)).toMatchSnapshot();
  });

  it("puts the user data, the key of the image's login account and the construct in the metadata, and blocks project-wide keys", () => {
    const { vm, json } = build();
    const metadata = only(json, "google_compute_instance").metadata;
    expect(Object.keys(metadata).sort()).toEqual(["block-project-ssh-keys", "drover_construct", "ssh-keys", "user-data"]);
    expect(metadata["ssh-keys"]).toBe(`ubuntu:${key}`);
    expect(metadata["block-project-ssh-keys"]).toBe("true");
    expect(metadata.drover_construct).toBe("dev-vm/box");
    expect(metadata["user-data"]).toBe(escapeTerraformText(vm.userData));
    expect(metadata["user-data"]).toContain('metadata_source="gcp"');
  });

  it("boots a shielded VM from a balanced disk of 20 GiB unless rootVolumeGiB says otherwise", () => {
    const instance = only(build().json, "google_compute_instance");
    expect(instance.shielded_instance_config).toEqual({ enable_secure_boot: true, enable_vtpm: true, enable_integrity_monitoring: true });
    expect(instance.boot_disk).toEqual({ auto_delete: true, initialize_params: { image: "${data.google_compute_image.Image-ubuntu-24-04.self_link}", size: 20, type: "pd-balanced" } });
    expect(only(build({ rootVolumeGiB: 200 }).json, "google_compute_instance").boot_disk.initialize_params.size).toBe(200);
  });

  it("finds Ubuntu 24.04 as the newest of Canonical's family, and neither a refreshed image nor an attached disk rebuilds the machine", () => {
    const { stack, json } = build();
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataGoogleComputeImage, { project: "ubuntu-os-cloud", family: "ubuntu-2404-lts-amd64" });
    expect(only(json, "google_compute_instance").lifecycle).toEqual({
      ignore_changes: ["boot_disk[0].initialize_params[0].image", "attached_disk"],
      replace_triggered_by: [expect.stringMatching(/^terraform_data\.box_ImageName_\w+$/), expect.stringMatching(/^terraform_data\.box_UserData_\w+$/)],
    });
    const data = Object.entries(resources(json, "terraform_data"));
    expect(data.find(([name]) => name.startsWith("box_ImageName_"))![1]).toEqual({ input: "ubuntu-24.04" });
  });

  it("replaces the machine when its user data changes (cloud-init reads it at first boot only), and not when a volume is added", () => {
    const trigger = (json: Json) => Object.entries(resources(json, "terraform_data")).find(([name]) => name.startsWith("box_UserData_"))![1].input as string;
    const plain = build().json;
    const userData = only(plain, "google_compute_instance").metadata["user-data"] as string;
    expect(trigger(plain)).toBe(`sha256:${createHash("sha256").update(userData).digest("hex")}`);
    expect(trigger(build({ volumes: [{ name: "data", sizeGiB: 10 }] }).json)).toBe(trigger(plain));
    expect(only(build({ volumes: [{ name: "data", sizeGiB: 10 }] }).json, "google_compute_instance").metadata["user-data"]).toBe(userData);
    expect(trigger(build({ packages: ["htop"] }).json)).not.toBe(trigger(plain));
  });

  it("looks each image up once per stack, and takes an image path as it is", () => {
    const { stack } = newStack("lab", onGcp());
    new VirtualMachine(stack, "a", base);
    new VirtualMachine(stack, "b", base);
    new VirtualMachine(stack, "c", { ...base, image: "ubuntu-22.04" });
    new VirtualMachine(stack, "d", { ...base, image: "projects/debian-cloud/global/images/family/debian-12", sshUser: "debian" });
    const json = synthJson(stack);
    expect(json.data.google_compute_image).toEqual({
      "Image-ubuntu-24-04": { project: "ubuntu-os-cloud", family: "ubuntu-2404-lts-amd64" },
      "Image-ubuntu-22-04": { project: "ubuntu-os-cloud", family: "ubuntu-2204-lts" },
    });
    const byName = (n: string) => Object.values(resources(json, "google_compute_instance")).find((i) => i.name === n)!;
    expect(byName("lab-a").boot_disk.initialize_params.image).toBe(byName("lab-b").boot_disk.initialize_params.image);
    expect(byName("lab-d").boot_disk.initialize_params.image).toBe("projects/debian-cloud/global/images/family/debian-12");
    expect(byName("lab-d").metadata["ssh-keys"]).toBe(`debian:${key}`);
    expect(byName("lab-d").lifecycle).toEqual({ ignore_changes: ["attached_disk"], replace_triggered_by: [expect.stringMatching(/^terraform_data\.d_UserData_\w+$/)] });
  });

  it("rejects an image it cannot find, naming the ones it knows", () => {
    const { stack } = newStack("lab", onGcp());
    expect(validationIssues(() => new VirtualMachine(stack, "box", { ...base, image: "rocky-9" }))).toEqual([
      `lab/box/Resource: 'image' "rocky-9" is not an image drover knows on GCP: use "ubuntu-24.04" or "ubuntu-22.04", or an image path ("projects/<project>/global/images/family/<family>") with 'sshUser'`,
    ]);
  });

  it("opens SSH and ping only to the ranges given, IPv4 and IPv6, one rule each, named after what they open", () => {
    const { stack, json } = build({ allowSshFrom: ["203.0.113.0/24", "2001:db8::/32"], allowPingFrom: ["198.51.100.0/24", "2001:db8::/48"] });
    expect(
      rules(json)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["dev-vm-box-sg-icmp-echo-198-51-100-0-24", "dev-vm-box-sg-icmp-echo-2001-db8---48", "dev-vm-box-sg-tcp-22-2001-db8---32", "dev-vm-box-sg-tcp-22-203-0-113-0-24"]);
    expect(Object.keys(resources(json, "google_compute_firewall")).sort()).toEqual([
      expect.stringMatching(/^box_Firewall-icmp-echo-198-51-100-0-24_\w+$/),
      expect.stringMatching(/^box_Firewall-icmp-echo-2001-db8-48_\w+$/),
      expect.stringMatching(/^box_Firewall-tcp-22-2001-db8-32_\w+$/),
      expect.stringMatching(/^box_Firewall-tcp-22-203-0-113-0-24_\w+$/),
    ]);
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(ComputeFirewall, { allow: [{ protocol: "tcp", ports: ["22"] }], source_ranges: ["2001:db8::/32"], target_tags: ["dev-vm-box-sg"] });
    // GCP's rules cannot select an ICMP type: ping admits ICMP (ICMPv6 is protocol 58).
    expect(synth).toHaveResourceWithProperties(ComputeFirewall, { allow: [{ protocol: "icmp" }], source_ranges: ["198.51.100.0/24"], description: "ping from 198.51.100.0/24" });
    expect(synth).toHaveResourceWithProperties(ComputeFirewall, { allow: [{ protocol: "58" }], source_ranges: ["2001:db8::/48"] });
    expect(rules(json).every((r) => r.direction === "INGRESS" && r.name.length <= 63)).toBe(true);
  });

  it("opens nothing when allowSshFrom is empty, and writes no key then (project-wide keys stay blocked)", () => {
    const { json } = build({ allowSshFrom: [], publicKey: undefined });
    expect(resources(json, "google_compute_firewall")).toEqual({});
    const metadata = only(json, "google_compute_instance").metadata;
    expect(metadata).not.toHaveProperty("ssh-keys");
    expect(metadata["block-project-ssh-keys"]).toBe("true");
  });

  it("admits another machine's tag, any traffic, and port ranges", () => {
    const { stack } = newStack("lab", onGcp());
    const a = new VirtualMachine(stack, "a", base);
    const b = new VirtualMachine(stack, "b", base);
    b.connections.allowFrom(Peer.firewall(a.firewall), Port.allTraffic(), "all from a's group");
    b.connections.allowFrom(Peer.cidr("10.0.0.0/24"), Port.udpRange(60000, 61000), "mosh (client's side)");
    const all = rules(synthJson(stack));
    expect(all).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "lab-b-sg-all-traffic-lab-a-sg", allow: [{ protocol: "all" }], source_tags: ["lab-a-sg"], target_tags: ["lab-b-sg"], description: "all from a's group" }),
        expect.objectContaining({ name: "lab-b-sg-udp-60000-61000-10-0-0-0-24", allow: [{ protocol: "udp", ports: ["60000-61000"] }], source_ranges: ["10.0.0.0/24"] }),
      ]),
    );
    expect(all.find((r) => r.source_tags)).not.toHaveProperty("source_ranges");
  });

  it("has no public address unless asked, and then a static external address on its interface", () => {
    expect(resources(build().json, "google_compute_address")).toEqual({});
    const { json } = build({ publicAddress: true });
    expect(only(json, "google_compute_address")).toEqual({ name: "dev-vm-box-ip", address_type: "EXTERNAL", region: "us-central1" });
    expect(only(json, "google_compute_instance").network_interface).toEqual([
      {
        subnetwork: "${google_compute_subnetwork.network_Subnetwork_5E2B6D40.self_link}",
        access_config: [{ nat_ip: "${google_compute_address.box_PublicAddress_D358138D.address}" }],
      },
    ]);
    expect(json.output.box_public_address.value).toBe("${google_compute_address.box_PublicAddress_D358138D.address}");
    expect(json.output.box_ssh.value).toBe("ssh ubuntu@${google_compute_address.box_PublicAddress_D358138D.address}");
    expect(compactGcp(json)).toMatchSnapshot();
  });

  it("creates protected balanced disks in the stack's zone, attached under their own names, and lists them in the metadata by disk name", () => {
    const { stack, json } = build({
      volumes: [
        { name: "data", sizeGiB: 100 },
        { name: "scratch", sizeGiB: 50, mountPath: "/scratch", protect: false, volumeType: "pd-ssd" },
      ],
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ComputeDisk, { name: "dev-vm-box-data", size: 100, type: "pd-balanced", zone: "us-central1-a", lifecycle: { prevent_destroy: true } });
    const scratch = Object.values(resources(json, "google_compute_disk")).find((v) => v.name === "dev-vm-box-scratch")!;
    expect(scratch).toEqual({ name: "dev-vm-box-scratch", size: 50, type: "pd-ssd", zone: "us-central1-a" });
    const attached = Object.values(resources(json, "google_compute_attached_disk"));
    expect(attached).toEqual([
      {
        disk: expect.stringMatching(/^\$\{google_compute_disk\.box_Volume-data_\w+\.self_link\}$/),
        instance: "${google_compute_instance.box_45895026.self_link}",
        device_name: "dev-vm-box-data",
        mode: "READ_WRITE",
      },
      {
        disk: expect.stringMatching(/^\$\{google_compute_disk\.box_Volume-scratch_\w+\.self_link\}$/),
        instance: "${google_compute_instance.box_45895026.self_link}",
        device_name: "dev-vm-box-scratch",
        mode: "READ_WRITE",
      },
    ]);
    // The machine finds each at /dev/disk/by-id/google-<disk name> (templates/cloud-init/drover-volumes.sh).
    const metadata = only(json, "google_compute_instance").metadata;
    expect(metadata.drover_volume_data).toBe("dev-vm-box-data:/media/volume/data");
    expect(metadata.drover_volume_scratch).toBe("dev-vm-box-scratch:/scratch");
    expect(compactGcp(json)).toMatchSnapshot();
  });

  it("marks disks as stateful, so a plan that deletes one is flagged", () => {
    const { app, stack } = newStack("dev-vm", onGcp());
    new VirtualMachine(stack, "box", { ...base, volumes: [{ name: "data", sizeGiB: 10 }] });
    expect(only(fullSynthJson(app, stack), "google_compute_disk")["//"].drover).toEqual({ stateful: true });
  });

  it("drops the destroy guard on disks in a run that may destroy data", () => {
    const destroying = newStack("dev-vm", onGcp(), { [ALLOW_DESTROY_CONTEXT]: true }).stack;
    new VirtualMachine(destroying, "box", { ...base, volumes: [{ name: "data", sizeGiB: 10 }] });
    expect(only(synthJson(destroying), "google_compute_disk")).not.toHaveProperty("lifecycle");
  });

  it("resolves a requirement to the cheapest fitting machine type", () => {
    expect(only(build({ size: { vcpus: 2, memoryGiB: 4 } }).json, "google_compute_instance").machine_type).toBe("e2-standard-2");
    expect(only(build({ size: { vcpus: 6, memoryGiB: 20 } }).json, "google_compute_instance").machine_type).toBe("e2-standard-8");
  });

  it("stops a GPU machine for host maintenance, which GCP cannot live-migrate, and gives C3 the virtual NIC it requires", () => {
    const gpu = only(build({ size: { vcpus: 4, memoryGiB: 8, gpu: 0.25 } }).json, "google_compute_instance");
    expect(gpu).toMatchObject({ machine_type: "g2-standard-4", scheduling: { on_host_maintenance: "TERMINATE", automatic_restart: true } });
    const c3 = only(build({ size: "c3-standard-4" }).json, "google_compute_instance");
    expect(c3.network_interface[0].nic_type).toBe("GVNIC");
    expect(c3).not.toHaveProperty("scheduling");
    expect(Testing.synth(build().stack)).not.toHaveResourceWithProperties(ComputeInstance, { network_interface: [{ nic_type: "GVNIC" }] });
  });

  it("rejects a Jetstream2 flavor name with the nearest machine type", () => {
    const { stack } = newStack("lab", onGcp());
    expect(validationIssues(() => new VirtualMachine(stack, "box", { ...base, size: "m3.small" }))).toEqual([
      `lab/box: 'size' "m3.small" is a Jetstream2 flavor, and this stack is on gcp: use e2-standard-2 (2 vCPUs, 8 GiB), the closest gcp size, or size by need: { vcpus: 2, memoryGiB: 6 }`,
    ]);
  });

  it("refuses a key pair by name: GCP has none, the public key goes in the metadata", () => {
    const { stack } = newStack("lab", onGcp());
    expect(validationIssues(() => new VirtualMachine(stack, "box", { ...base, publicKey: undefined, keyPairName: "laptop" }))).toEqual([
      `lab: 'keyPairName' "laptop" names a key pair, and GCP has none: pass the public key itself as 'publicKey' (the content of ~/.ssh/id_ed25519.pub); drover puts it in the machine's metadata`,
    ]);
  });

  it("joins the profile's existing subnetwork by name, placing its rules on the subnetwork's network", () => {
    const { stack } = newStack("lab", onGcp({ network: { name: "lab-private" } }));
    new VirtualMachine(stack, "box", { ...base, volumes: [{ name: "data", sizeGiB: 10 }] });
    const json = synthJson(stack);
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataGoogleComputeSubnetwork, { name: "lab-private", region: "us-central1" });
    expect(resources(json, "google_compute_network")).toEqual({});
    expect(only(json, "google_compute_firewall").network).toBe("${data.google_compute_subnetwork.network.network}");
    expect(only(json, "google_compute_instance").network_interface[0].subnetwork).toBe("${data.google_compute_subnetwork.network.self_link}");
  });

  it("joins an existing subnetwork through Network.fromExisting, by name or by path", () => {
    const { stack } = newStack("lab", onGcp());
    new VirtualMachine(stack, "a", { ...base, network: Network.fromExisting(stack, "shared", { name: "lab-private" }) });
    new VirtualMachine(stack, "b", { ...base, network: Network.fromExisting(stack, "other", { id: "projects/other-proj-1/regions/us-central1/subnetworks/shared" }) });
    const synth = Testing.synth(stack);
    expect(synth).toHaveDataSourceWithProperties(DataGoogleComputeSubnetwork, { name: "lab-private", region: "us-central1" });
    expect(synth).toHaveDataSourceWithProperties(DataGoogleComputeSubnetwork, { self_link: "projects/other-proj-1/regions/us-central1/subnetworks/shared" });
    expect(() => Network.fromExisting(stack, "bad", { id: "subnet-0123456789abcdef0" })).toThrow(
      `lab/bad: on GCP an existing network is named by its subnetwork: { name: "<subnetwork name>" } or { id: "projects/<project>/regions/<region>/subnetworks/<name>" }, got { id: "subnet-0123456789abcdef0" }`,
    );
    expect(() => Network.fromExisting(stack, "worse", { name: "Lab_Net" })).toThrow(
      `lab/worse: "Lab_Net" is not a subnetwork name (lower-case letters, digits and '-', starting with a letter, at most 63 characters)`,
    );
  });

  it("joins a Network of its own; without internet access the network loses its default route", () => {
    const { stack } = newStack("lab", onGcp());
    new VirtualMachine(stack, "box", { ...base, network: new Network(stack, "private", { cidr: "10.20.0.0/24", internetAccess: false }) });
    const json = synthJson(stack);
    expect(only(json, "google_compute_network")).toMatchObject({ name: "lab-private-vpc", delete_default_routes_on_create: true });
    expect(only(json, "google_compute_subnetwork").ip_cidr_range).toBe("10.20.0.0/24");
  });

  it("refuses DNS servers for a network: GCP subnetworks always hand out Google's resolver", () => {
    const { stack } = newStack("lab", onGcp());
    expect(validationIssues(() => new Network(stack, "private", { dnsNameservers: ["10.20.0.2"] }))).toEqual([
      `lab/private: 'dnsNameservers' ["10.20.0.2"] cannot be set on GCP: a subnetwork always hands out Google's resolver (169.254.169.254): remove 'dnsNameservers', or point the machines at other servers in bootCommands`,
    ]);
  });
});
