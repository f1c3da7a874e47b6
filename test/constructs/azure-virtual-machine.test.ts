import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider/index.js";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine/index.js";
import { ManagedDisk } from "@cdktf/provider-azurerm/lib/managed-disk/index.js";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule/index.js";
import { DataAzurermSubnet } from "@cdktf/provider-azurerm/lib/data-azurerm-subnet/index.js";
import { DataAzurermResourceGroup } from "@cdktf/provider-azurerm/lib/data-azurerm-resource-group/index.js";
import { Network, Peer, Port, VirtualMachine, type VirtualMachineProps } from "../../constructs/index.ts";
import { azure, type AzureProps } from "../../constructs/azure/profile.ts";
import { testPublicKey } from "../support/keys.ts";
import { fullSynthJson, newStack, only, resources, synthJson, validationIssues, type Json } from "../support/synth.ts";
import { ALLOW_DESTROY_CONTEXT } from "../../lib/app/synth-context.ts";

const key = testPublicKey("me@laptop");
const base: VirtualMachineProps = { size: "Standard_D2s_v5", allowSshFrom: ["203.0.113.0/24"], publicKey: key };
const onAzure = (props: Partial<AzureProps> = {}) => ({ cloud: azure({ location: "eastus2", ...props }) });

function build(props: Partial<VirtualMachineProps> = {}, profile: Partial<AzureProps> = {}) {
  const { stack } = newStack("dev-vm", onAzure(profile));
  const vm = new VirtualMachine(stack, "box", { ...base, ...props });
  return { stack, vm, json: synthJson(stack) };
}

/** Snapshot form: custom data becomes its decoded size (its text has a snapshot of its own). */
function compact(json: Json): Json {
  return JSON.parse(JSON.stringify(json, (k, v) => (k === "custom_data" && typeof v === "string" ? `<base64 of ${Buffer.from(v, "base64").length} bytes>` : v))) as Json;
}

const decoded = (json: Json) => Buffer.from(only(json, "azurerm_linux_virtual_machine").custom_data as string, "base64").toString();
const warnings = (stack: { node: { findAll(): Array<{ node: { path: string; metadata: Array<{ type: string; data: unknown }> } }> } }) =>
  stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => `${c.node.path}: ${String(m.data)}`));

const TAGS = { drover_stack: "dev-vm", drover_owner: "tester@example.edu" };
const RG = "${azurerm_resource_group.ResourceGroup.name}";

describe("VirtualMachine on Azure", () => {
  it("GIVEN defaults WHEN synthesized THEN a resource group, network, security groups, key and VM named after stack and construct", () => {
    const { stack, vm, json } = build();
    expect(Testing.synth(stack)).toHaveProviderWithProperties(AzurermProvider, { features: [{}] });
    expect(json.provider.azurerm).toEqual([{ features: [{}] }]);
    expect(only(json, "azurerm_resource_group")).toEqual({ name: "dev-vm-rg", location: "eastus2", tags: TAGS });
    expect(only(json, "azurerm_virtual_network")).toEqual({ name: "dev-vm-network-vnet", location: "eastus2", resource_group_name: RG, address_space: ["10.0.0.0/24"], tags: TAGS });
    expect(only(json, "azurerm_subnet")).toEqual({
      name: "dev-vm-network-subnet",
      resource_group_name: RG,
      virtual_network_name: "${azurerm_virtual_network.network_39EEAA36.name}",
      address_prefixes: ["10.0.0.0/24"],
      default_outbound_access_enabled: true,
    });
    expect(only(json, "azurerm_network_security_group")).toEqual({ name: "dev-vm-nsg", location: "eastus2", resource_group_name: RG, tags: TAGS });
    expect(only(json, "azurerm_application_security_group")).toEqual({ name: "dev-vm-box-sg", location: "eastus2", resource_group_name: RG, tags: TAGS });
    expect(only(json, "azurerm_ssh_public_key")).toMatchObject({ name: expect.stringMatching(/^dev-vm-key-[a-z0-9]{8}$/), public_key: key, tags: TAGS });
    expect(only(json, "azurerm_network_interface")).toEqual({
      name: "dev-vm-box-nic",
      location: "eastus2",
      resource_group_name: RG,
      ip_configuration: [{ name: "primary", subnet_id: "${azurerm_subnet.network_Subnet_2C525437.id}", private_ip_address_allocation: "Dynamic" }],
      tags: TAGS,
    });
    expect(only(json, "azurerm_network_interface_security_group_association")).toEqual({
      network_interface_id: "${azurerm_network_interface.box_Nic_660CB30A.id}",
      network_security_group_id: "${azurerm_network_security_group.SecurityGroup.id}",
    });
    expect(only(json, "azurerm_network_interface_application_security_group_association")).toEqual({
      network_interface_id: "${azurerm_network_interface.box_Nic_660CB30A.id}",
      application_security_group_id: "${azurerm_application_security_group.box_Firewall_2C041FCA.id}",
    });
    const machine = only(json, "azurerm_linux_virtual_machine");
    expect(machine).toMatchObject({
      name: "dev-vm-box",
      location: "eastus2",
      resource_group_name: RG,
      size: "Standard_D2s_v5",
      network_interface_ids: ["${azurerm_network_interface.box_Nic_660CB30A.id}"],
      admin_username: "ubuntu",
      admin_ssh_key: [{ username: "ubuntu", public_key: key }],
      disable_password_authentication: true,
      source_image_reference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      secure_boot_enabled: true,
      vtpm_enabled: true,
      tags: { ...TAGS, drover_construct: "dev-vm/box" },
    });
    expect(vm.loginUser).toBe("ubuntu");
    expect(json.output.box_ssh.value).toBe("ssh ubuntu@${azurerm_linux_virtual_machine.box_45895026.private_ip_address}");
    expect(compact(json)).toMatchSnapshot();
  });

  it("starts the VM only once its NIC has the security group, its firewall's group and the closing rules", () => {
    expect(only(build().json, "azurerm_linux_virtual_machine").depends_on).toEqual([
      "azurerm_network_interface_security_group_association.box_NicSecurityGroup_8BA7F889",
      "azurerm_network_security_rule.SecurityGroup-AllowAzureLoadBalancer",
      "azurerm_network_security_rule.SecurityGroup-DenyVirtualNetwork",
      "azurerm_network_interface_application_security_group_association.box_Joins-dev-vm-box-sg_5AEC352A",
    ]);
  });

  it("closes the virtual network too, after every firewall rule: Azure's own rules would let it in", () => {
    const rules = resources(build().json, "azurerm_network_security_rule");
    const common = {
      resource_group_name: RG,
      network_security_group_name: "${azurerm_network_security_group.SecurityGroup.name}",
      direction: "Inbound",
      protocol: "*",
      source_port_range: "*",
      destination_port_range: "*",
      destination_address_prefix: "*",
    };
    expect(rules["SecurityGroup-AllowAzureLoadBalancer"]).toEqual({
      ...common,
      name: "drover-allow-azure-load-balancer",
      priority: 3990,
      access: "Allow",
      source_address_prefix: "AzureLoadBalancer",
      description: "drover: Azure's load balancer probes, as Azure's default rules allow",
    });
    expect(rules["SecurityGroup-DenyVirtualNetwork"]).toEqual({
      ...common,
      name: "drover-deny-virtual-network",
      priority: 4000,
      access: "Deny",
      source_address_prefix: "VirtualNetwork",
      description: "drover: closed by default, even inside the virtual network; firewalls open what they need",
    });
  });

  it("opens SSH and ping only to the ranges given, IPv4 and IPv6, to this machine's group, at priorities in the order added", () => {
    const { stack, json } = build({ allowSshFrom: ["203.0.113.0/24", "2001:db8::/32"], allowPingFrom: ["198.51.100.0/24"] });
    const mine = Object.entries(resources(json, "azurerm_network_security_rule"))
      .filter(([id]) => id.startsWith("box_"))
      .sort(([, a], [, b]) => a.priority - b.priority);
    expect(mine.map(([id, r]) => [id.replace(/_[0-9A-F]{8}$/, ""), r.name, r.priority, r.protocol, r.destination_port_range, r.source_address_prefix])).toEqual([
      ["box_Firewall-tcp-22-203-0-113-0-24", "dev-vm-box-sg-tcp-22-203.0.113.0-24", 100, "Tcp", "22", "203.0.113.0/24"],
      ["box_Firewall-tcp-22-2001-db8-32", "dev-vm-box-sg-tcp-22-2001-db8-32", 110, "Tcp", "22", "2001:db8::/32"],
      ["box_Firewall-icmp-echo-198-51-100-0-24", "dev-vm-box-sg-icmp-echo-198.51.100.0-24", 120, "Icmp", "*", "198.51.100.0/24"],
    ]);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(NetworkSecurityRule, {
      name: "dev-vm-box-sg-tcp-22-203.0.113.0-24",
      access: "Allow",
      direction: "Inbound",
      source_port_range: "*",
      destination_application_security_group_ids: ["${azurerm_application_security_group.box_Firewall_2C041FCA.id}"],
      description: "ssh from 203.0.113.0/24",
    });
  });

  it("opens nothing when allowSshFrom is empty, but still needs a key: Azure makes no Linux VM without one", () => {
    const { json } = build({ allowSshFrom: [] });
    expect(Object.keys(resources(json, "azurerm_network_security_rule")).sort()).toEqual(["SecurityGroup-AllowAzureLoadBalancer", "SecurityGroup-DenyVirtualNetwork"]);
    const { stack } = newStack("dev-vm", onAzure());
    expect(validationIssues(() => new VirtualMachine(stack, "box", { ...base, allowSshFrom: [], publicKey: undefined }))).toEqual([
      "dev-vm/box: 'publicKey' is required on azure: it creates no Linux machine without an SSH key (password login stays off). Give the content of ~/.ssh/id_ed25519.pub; SSH stays closed unless allowSshFrom opens it",
    ]);
    // The driver keeps its own check for callers that build machines themselves.
    const vm = new VirtualMachine(stack, "keyed", base);
    expect(() => stack.driver.createMachine(stack, "bare", { name: "dev-vm-bare", flavor: vm.flavor, image: "ubuntu-24.04", network: vm.network, firewalls: [], userData: "#cloud-config\n" })).toThrow(
      "dev-vm/bare: machine dev-vm-bare has no SSH key, and Azure makes no Linux VM without a key when password login is off: set 'publicKey' (the content of ~/.ssh/id_ed25519.pub), even if SSH stays closed",
    );
  });

  it("admits another machine's firewall by its application security group, any port or a UDP range", () => {
    const { stack } = newStack("lab", onAzure());
    const a = new VirtualMachine(stack, "a", base);
    const b = new VirtualMachine(stack, "b", base);
    b.connections.allowFrom(Peer.firewall(a.firewall), Port.allTraffic(), "all from a");
    b.connections.allowFrom(Peer.cidr("10.0.0.0/24"), Port.udpRange(60000, 61000), "mosh");
    const rules = Object.values(resources(synthJson(stack), "azurerm_network_security_rule"));
    expect(rules.find((r) => r.description === "all from a")).toMatchObject({
      name: "lab-b-sg-all-traffic-lab-a-sg",
      priority: 120,
      protocol: "*",
      destination_port_range: "*",
      source_application_security_group_ids: ["${azurerm_application_security_group.a_Firewall_153E7603.id}"],
      destination_application_security_group_ids: ["${azurerm_application_security_group.b_Firewall_B5469E65.id}"],
    });
    expect(rules.find((r) => r.description === "mosh")).toMatchObject({ priority: 130, protocol: "Udp", destination_port_range: "60000-61000", source_address_prefix: "10.0.0.0/24" });
  });

  it("has no public address unless asked, and warns that the machine is left on Azure's default outbound access", () => {
    const { stack, json } = build();
    expect(resources(json, "azurerm_public_ip")).toEqual({});
    expect(warnings(stack)).toEqual([
      "dev-vm/box: dev-vm-box has no public address: on Azure it reaches the internet only through default outbound access, which Azure is retiring and whose address may change. Give it a public address, or ignore this if it needs none.",
    ]);
  });

  it("binds a static Standard public IP through the NIC when asked, and then does not warn", () => {
    const { stack, json } = build({ publicAddress: true });
    expect(only(json, "azurerm_public_ip")).toEqual({ name: "dev-vm-box-ip", location: "eastus2", resource_group_name: RG, sku: "Standard", allocation_method: "Static", tags: TAGS });
    expect(only(json, "azurerm_network_interface").ip_configuration).toEqual([
      {
        name: "primary",
        subnet_id: "${azurerm_subnet.network_Subnet_2C525437.id}",
        private_ip_address_allocation: "Dynamic",
        public_ip_address_id: "${azurerm_public_ip.box_PublicAddress_D358138D.id}",
      },
    ]);
    expect(json.output.box_public_address.value).toBe("${azurerm_public_ip.box_PublicAddress_D358138D.ip_address}");
    expect(json.output.box_ssh.value).toBe("ssh ubuntu@${azurerm_public_ip.box_PublicAddress_D358138D.ip_address}");
    expect(warnings(stack)).toEqual([]);
  });

  it("creates protected Standard SSD disks, attached at LUN 0 onwards with host caching, and lists them in the VM's tags", () => {
    const { stack, json } = build({
      publicAddress: true,
      volumes: [
        { name: "data", sizeGiB: 100 },
        { name: "scratch", sizeGiB: 5000, mountPath: "/scratch", protect: false, volumeType: "Premium_LRS" },
      ],
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ManagedDisk, {
      name: "dev-vm-box-data",
      storage_account_type: "StandardSSD_LRS",
      create_option: "Empty",
      disk_size_gb: 100,
      location: "eastus2",
      tags: TAGS,
      lifecycle: { prevent_destroy: true },
    });
    const scratch = Object.values(resources(json, "azurerm_managed_disk")).find((d) => d.name === "dev-vm-box-scratch")!;
    expect(scratch).toMatchObject({ storage_account_type: "Premium_LRS", disk_size_gb: 5000 });
    expect(scratch).not.toHaveProperty("lifecycle");
    expect(Object.values(resources(json, "azurerm_virtual_machine_data_disk_attachment"))).toEqual([
      { managed_disk_id: "${azurerm_managed_disk.box_Volume-data_BB659E7B.id}", virtual_machine_id: "${azurerm_linux_virtual_machine.box_45895026.id}", lun: 0, caching: "ReadWrite" },
      { managed_disk_id: expect.stringContaining("azurerm_managed_disk.box_Volume-scratch_"), virtual_machine_id: "${azurerm_linux_virtual_machine.box_45895026.id}", lun: 1, caching: "None" },
    ]);
    const tags = only(json, "azurerm_linux_virtual_machine").tags;
    expect(tags.drover_volume_data).toBe("${azurerm_managed_disk.box_Volume-data_BB659E7B.id}:/media/volume/data");
    expect(tags.drover_volume_scratch).toMatch(/^\$\{azurerm_managed_disk\.box_Volume-scratch_\w+\.id\}:\/scratch$/);
    expect(compact(json)).toMatchSnapshot();
  });

  it("marks disks as stateful, and drops their destroy guard in a run that may destroy data", () => {
    const { app, stack } = newStack("dev-vm", onAzure());
    new VirtualMachine(stack, "box", { ...base, volumes: [{ name: "data", sizeGiB: 10 }] });
    expect(only(fullSynthJson(app, stack), "azurerm_managed_disk")["//"].drover).toEqual({ stateful: true });
    const destroying = newStack("dev-vm", onAzure(), { [ALLOW_DESTROY_CONTEXT]: true }).stack;
    new VirtualMachine(destroying, "box", { ...base, volumes: [{ name: "data", sizeGiB: 10 }] });
    expect(only(synthJson(destroying), "azurerm_managed_disk")).not.toHaveProperty("lifecycle");
  });

  it("passes the cloud-init user data as base64 custom data, reading volumes from Azure's metadata, unchanged when a volume is added", () => {
    const before = decoded(build().json);
    expect(before.startsWith("#cloud-config\n# drover: dev-vm/box\n")).toBe(true);
    expect(before).toContain('metadata_source="azure"');
    expect(before).toContain("http://169.254.169.254/metadata/instance/compute?api-version=2021-02-01");
    expect(only(build({ volumes: [{ name: "data", sizeGiB: 10 }] }).json, "azurerm_linux_virtual_machine").custom_data).toBe(Buffer.from(before).toString("base64"));
  });

  it("puts the OS on a Premium SSD of 30 GiB unless rootVolumeGiB says more, and cannot shrink the image's disk", () => {
    expect(only(build().json, "azurerm_linux_virtual_machine").os_disk).toEqual({ name: "dev-vm-box-os", caching: "ReadWrite", storage_account_type: "Premium_LRS", disk_size_gb: 30 });
    expect(only(build({ rootVolumeGiB: 200 }).json, "azurerm_linux_virtual_machine").os_disk.disk_size_gb).toBe(200);
    const { stack } = newStack("dev-vm", onAzure());
    expect(validationIssues(() => new VirtualMachine(stack, "box", { ...base, rootVolumeGiB: 20 }))).toEqual([
      "dev-vm/box/Resource: 'rootVolumeGiB' 20 is smaller than the 30 GiB disk of the image, and Azure cannot shrink it: use 30 or more",
    ]);
  });

  it("takes Ubuntu 22.04 or a Marketplace URN, turns Secure Boot off on GPU sizes, and names the images it knows otherwise", () => {
    expect(only(build({ image: "ubuntu-22.04" }).json, "azurerm_linux_virtual_machine").source_image_reference).toEqual({
      publisher: "Canonical",
      offer: "0001-com-ubuntu-server-jammy",
      sku: "22_04-lts-gen2",
      version: "latest",
    });
    const urn = only(build({ image: "Debian:debian-12:12-gen2:latest" }).json, "azurerm_linux_virtual_machine");
    expect(urn).toMatchObject({ admin_username: "debian", source_image_reference: { publisher: "Debian", offer: "debian-12", sku: "12-gen2", version: "latest" } });
    expect(urn).not.toHaveProperty("secure_boot_enabled");
    expect(urn).not.toHaveProperty("vtpm_enabled");
    expect(only(build({ size: "Standard_NC4as_T4_v3" }).json, "azurerm_linux_virtual_machine")).toMatchObject({ secure_boot_enabled: false, vtpm_enabled: true });
    const { stack } = newStack("lab", onAzure());
    expect(validationIssues(() => new VirtualMachine(stack, "box", { ...base, image: "rocky-9", sshUser: "rocky" }))).toEqual([
      `lab/box/Resource: 'image' "rocky-9" is not an image drover knows on Azure: use "ubuntu-24.04" or "ubuntu-22.04", or a Marketplace URN of an Ubuntu, Debian, Rocky or AlmaLinux image ("Canonical:ubuntu-24_04-lts:server:latest")`,
    ]);
  });

  it("resolves a requirement to the cheapest fitting size, and rejects a Jetstream2 flavor with the nearest size", () => {
    expect(only(build({ size: { vcpus: 2, memoryGiB: 4 } }).json, "azurerm_linux_virtual_machine").size).toBe("Standard_F2s_v2");
    expect(only(build({ size: { vcpus: 4, memoryGiB: 8, gpu: 0.25 } }).json, "azurerm_linux_virtual_machine").size).toBe("Standard_NC4as_T4_v3");
    const { stack } = newStack("lab", onAzure());
    expect(validationIssues(() => new VirtualMachine(stack, "box", { ...base, size: "m3.small" }))).toEqual([
      `lab/box: 'size' "m3.small" is a Jetstream2 flavor, and this stack is on azure: use Standard_D2s_v5 (2 vCPUs, 8 GiB), the closest azure size, or size by need: { vcpus: 2, memoryGiB: 6 }`,
    ]);
  });

  it("joins the profile's existing subnet in an existing resource group, and does not warn about a network it did not make", () => {
    const { stack, json } = build(
      { volumes: [{ name: "data", sizeGiB: 10 }] },
      { resourceGroup: "lab-shared", network: { name: "private", virtualNetwork: "lab-vnet", resourceGroup: "lab-network" } },
    );
    const synth = Testing.synth(stack);
    expect(synth).toHaveDataSourceWithProperties(DataAzurermResourceGroup, { name: "lab-shared" });
    expect(synth).toHaveDataSourceWithProperties(DataAzurermSubnet, { name: "private", virtual_network_name: "lab-vnet", resource_group_name: "lab-network" });
    expect(resources(json, "azurerm_resource_group")).toEqual({});
    expect(resources(json, "azurerm_virtual_network")).toEqual({});
    expect(only(json, "azurerm_network_interface").ip_configuration[0].subnet_id).toBe("${data.azurerm_subnet.network.id}");
    expect(only(json, "azurerm_managed_disk").resource_group_name).toBe("${data.azurerm_resource_group.ResourceGroup.name}");
    expect(warnings(stack)).toEqual([]);
  });

  it("joins a Network of its own: DNS servers on the virtual network, and a private subnet when internetAccess is false", () => {
    const { stack } = newStack("lab", onAzure());
    const net = new Network(stack, "private", { cidr: "10.20.0.0/24", internetAccess: false, dnsNameservers: ["10.20.0.10"] });
    new VirtualMachine(stack, "box", { ...base, network: net });
    const json = synthJson(stack);
    const vnet = Object.values(resources(json, "azurerm_virtual_network")).find((v) => v.name === "lab-private-vnet")!;
    expect(vnet).toMatchObject({ address_space: ["10.20.0.0/24"], dns_servers: ["10.20.0.10"] });
    const subnet = Object.values(resources(json, "azurerm_subnet")).find((s) => s.name === "lab-private-subnet")!;
    expect(subnet.default_outbound_access_enabled).toBe(false);
    expect(warnings(stack)).toEqual([]);
  });

  it("checks Testing's view of the VM too: custom data, size and network interface", () => {
    const { stack } = build();
    expect(Testing.synth(stack)).toHaveResourceWithProperties(LinuxVirtualMachine, { size: "Standard_D2s_v5", custom_data: expect.stringMatching(/^I2Nsb3VkLWNvbmZpZw/) });
  });
});
