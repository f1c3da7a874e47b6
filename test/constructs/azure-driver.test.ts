import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { gunzipSync } from "node:zlib";
import { Testing, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { describe, expect, it } from "vitest";
import { DataAzurermDnsZone } from "@cdktf/provider-azurerm/lib/data-azurerm-dns-zone/index.js";
import { DnsARecord } from "@cdktf/provider-azurerm/lib/dns-a-record/index.js";
import { DataAzurermSshPublicKey } from "@cdktf/provider-azurerm/lib/data-azurerm-ssh-public-key/index.js";
import { DataAzurermSubnet } from "@cdktf/provider-azurerm/lib/data-azurerm-subnet/index.js";
import { Network, Peer, Port, VirtualMachine, type DriverAbilities, type MachineSpec, type VirtualMachineProps } from "../../constructs/index.ts";
import { AZURE_MODULES, azureBindings, type AzureBindings } from "../../constructs/azure/bindings.ts";
import { azure, type AzureProps } from "../../constructs/azure/profile.ts";
import { AZURE_CUSTOM_DATA_MAX_BYTES } from "../../constructs/azure/machine.ts";
import { namedFlavor } from "../../lib/catalog/resolve-size.ts";
import { gzipBase64 } from "../../lib/cloud-init.ts";
import { escapeTerraformText } from "../../lib/terraform/text.ts";
import { testPublicKey } from "../support/keys.ts";
import { newStack, only, resources, synthJson, validationIssues, type Json } from "../support/synth.ts";
import { TerraformDir } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";

const key = testPublicKey("me@laptop");
const base: VirtualMachineProps = { size: "Standard_D2s_v5", allowSshFrom: ["203.0.113.0/24"], publicKey: key, publicAddress: true };
const SUBNET_ID = "/subscriptions/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/lab-vnet/subnets/private";

function azureStack(name = "lab", props: Partial<AzureProps> = {}) {
  return newStack(name, { cloud: azure({ location: "eastus2", ...props }) });
}

let keys = 0;

/** A machine spec beside an existing VirtualMachine: same size, network and firewall. */
function specBeside(stack: ReturnType<typeof azureStack>["stack"], vm: VirtualMachine, extra: Partial<MachineSpec> = {}): MachineSpec {
  const keyPair = stack.driver.createKeyPair(stack, `Key-${++keys}`, { name: `lab-key-${keys}`, publicKey: key });
  return { name: "lab-extra", flavor: vm.flavor, image: "ubuntu-24.04", network: vm.network, firewalls: [vm.firewall], keyPair, userData: "#cloud-config\n", ...extra };
}

function warnings(stack: ReturnType<typeof azureStack>["stack"]): string[] {
  return stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => `${c.node.path}: ${String(m.data)}`));
}

/** Snapshot form: custom data becomes its decoded size. */
function compact(json: Json): Json {
  return JSON.parse(JSON.stringify(json, (k, v) => (k === "custom_data" && typeof v === "string" ? `<base64 of ${Buffer.from(v, "base64").length} bytes>` : v))) as Json;
}

function ecdsaKey(): string {
  const s = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([s(Buffer.from("ecdsa-sha2-nistp256")), s(Buffer.from("nistp256")), s(Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]))]);
  return `ecdsa-sha2-nistp256 ${blob.toString("base64")} ec@test`;
}

describe("Azure driver: DNS and addresses", () => {
  it("GIVEN a DNS zone WHEN a construct names its address THEN Azure DNS finds the zone in its resource group and holds an A record", () => {
    const { stack } = azureStack("web", { dnsZone: { name: "lab.example.org", resourceGroup: "dns-rg" } });
    const vm = new VirtualMachine(stack, "box", base);
    const zoneName = stack.cloud.dnsZone!;
    expect(zoneName).toBe("lab.example.org.");
    const zoneId = stack.driver.abilities.dnsZones!.lookup(stack, "Zone", zoneName);
    const record = stack.driver.createDnsRecord(stack, "BoxName", { zoneId, zoneName, name: "box", type: "A", values: [vm.publicAddress!] });
    expect(record.fqdn).toBe("box.lab.example.org.");
    const synth = Testing.synth(stack);
    expect(synth).toHaveDataSourceWithProperties(DataAzurermDnsZone, { name: "lab.example.org", resource_group_name: "dns-rg" });
    expect(synth).toHaveResourceWithProperties(DnsARecord, {
      name: "box",
      zone_name: "${data.azurerm_dns_zone.Zone.name}",
      resource_group_name: "${data.azurerm_dns_zone.Zone.resource_group_name}",
      ttl: 300,
      records: ["${azurerm_public_ip.box_PublicAddress_D358138D.ip_address}"],
      tags: { drover_stack: "web", drover_owner: "tester@example.edu" },
    });
    expect(compact(synthJson(stack))).toMatchSnapshot();
  });

  it("writes CNAME and AAAA records, looks other zones up across the subscription, and refuses a zone it cannot place", () => {
    const { stack } = azureStack("web", { dnsZone: { name: "lab.example.org", resourceGroup: "dns-rg" } });
    const d = stack.driver;
    d.createDnsRecord(stack, "Www", { zoneId: "unused", zoneName: "lab.example.org.", name: "www", type: "CNAME", values: ["portal.lab.example.org"], ttlSeconds: 60 });
    const other = d.abilities.dnsZones!.lookup(stack, "Other", "other.org.");
    d.createDnsRecord(stack, "V6", { zoneId: other, zoneName: "other.org.", name: "v6", type: "AAAA", values: ["2001:db8::1"] });
    const json = synthJson(stack);
    expect(only(json, "azurerm_dns_cname_record")).toMatchObject({ name: "www", zone_name: "lab.example.org", resource_group_name: "dns-rg", ttl: 60, record: "portal.lab.example.org" });
    expect(json.data.azurerm_dns_zone.Other).toEqual({ name: "other.org" });
    expect(only(json, "azurerm_dns_aaaa_record")).toMatchObject({
      zone_name: "${data.azurerm_dns_zone.Other.name}",
      resource_group_name: "${data.azurerm_dns_zone.Other.resource_group_name}",
      records: ["2001:db8::1"],
    });
    expect(() => d.createDnsRecord(stack, "Rec", { zoneId: "x", zoneName: "elsewhere.org.", name: "a", type: "A", values: ["192.0.2.1"] })).toThrow(
      "web/Rec: DNS zone elsewhere.org. was not looked up by this stack (lookupDnsZone) and is not the dnsZone of azure(): the driver cannot tell its resource group",
    );
    expect(() => d.createDnsRecord(stack, "C", { zoneId: other, zoneName: "other.org.", name: "c", type: "CNAME", values: ["a.org", "b.org"] })).toThrow(
      "web/C: a CNAME record holds exactly one name, got 2",
    );
  });

  it("reserves a public IP and binds it to a machine later, through its NIC, one address per machine", () => {
    const { stack } = azureStack();
    const vm = new VirtualMachine(stack, "box", { ...base, publicAddress: false });
    const ip = stack.driver.abilities.heldAddresses!.reserve(stack, "Held", { name: "lab-held-ip" });
    stack.driver.abilities.heldAddresses!.attach(stack, "HeldToBox", { address: ip.address, machine: vm.machine });
    const json = synthJson(stack);
    expect(only(json, "azurerm_public_ip")).toMatchObject({ name: "lab-held-ip", sku: "Standard", allocation_method: "Static" });
    expect(only(json, "azurerm_network_interface").ip_configuration[0].public_ip_address_id).toBe("${azurerm_public_ip.Held.id}");
    expect(() => stack.driver.abilities.heldAddresses!.attach(stack, "Other", { address: "198.51.100.7", machine: vm.machine })).toThrow(
      "lab/Other: the address was not reserved by this stack's reservePublicAddress",
    );
    expect(() => stack.driver.createPublicAddress(stack, "Again", { name: "lab-again-ip", machine: vm.machine })).toThrow(
      "lab/Again: machine lab-box has a public address already; drover binds one per machine",
    );
  });

  it("offers no managed Kubernetes, credentials, shares or cleanup step", () => {
    const { stack } = azureStack();
    const optional: Array<keyof DriverAbilities> = ["kubernetes", "credentials", "shares", "elasticCleanup", "volumeCleanup"];
    for (const ability of optional) expect(stack.driver.abilities[ability]).toBeUndefined();
    expect(Object.keys(stack.driver.abilities).sort()).toEqual(["dnsZones", "heldAddresses"]);
  });
});

describe("Azure driver: disks", () => {
  it("attaches a disk to one machine only, takes only zone-free disk types, and stops at the size's data disk count", () => {
    const { stack } = azureStack();
    const a = new VirtualMachine(stack, "a", base);
    const b = new VirtualMachine(stack, "b", base);
    const volume = stack.driver.createVolume(stack, "Shared", { name: "lab-shared", sizeGiB: 10, protect: true });
    stack.driver.attachVolume(stack, "ToA", a.machine, volume);
    expect(() => stack.driver.attachVolume(stack, "ToB", b.machine, volume)).toThrow("lab/ToB: volume lab-shared is attached to lab-a already; an Azure disk attaches to one machine");
    expect(validationIssues(() => new VirtualMachine(stack, "c", { ...base, volumes: [{ name: "data", sizeGiB: 10, volumeType: "PremiumV2_LRS" }] }))).toEqual([
      `lab/c/Volume-data: 'volumeType' "PremiumV2_LRS" is not a disk type drover can attach on Azure: use "StandardSSD_LRS", "Premium_LRS", "Standard_LRS", "StandardSSD_ZRS", "Premium_ZRS" (Premium SSD v2 and Ultra Disk need an availability zone)`,
    ]);
    const five = Array.from({ length: 5 }, (_, i) => ({ name: `v${i}`, sizeGiB: 1 }));
    expect(validationIssues(() => new VirtualMachine(stack, "d", { ...base, volumes: five }))).toEqual([
      "lab/d/Attach-v4: machine lab-d has more than 4 volumes attached; size Standard_D2s_v5 takes 4 data disks: pick a larger size or fewer volumes",
    ]);
  });

  it("measures a volume tag with the disk ID's final length, as Azure takes 256 characters a tag", () => {
    // /subscriptions/<36>/resourceGroups/lab-rg/providers/Microsoft.Compute/disks/lab-box-data: 15 + 36 + 16 + 6 + 35 + 12 = 120.
    const { stack } = azureStack();
    expect(() => new VirtualMachine(stack, "box", { ...base, volumes: [{ name: "data", sizeGiB: 1, mountPath: `/${"a".repeat(134)}` }] })).not.toThrow();
    const { stack: other } = azureStack();
    expect(validationIssues(() => new VirtualMachine(other, "box", { ...base, volumes: [{ name: "data", sizeGiB: 1, mountPath: `/${"a".repeat(135)}` }] }))).toEqual([
      "lab/box/Resource: tag drover_volume_data of machine lab-box would be 257 characters, and Azure takes 256: shorten the volume's name or its mount path",
    ]);
  });

  it("puts a size outside the catalog on Standard SSD, and refuses it a Premium disk", () => {
    const { stack } = azureStack();
    const vm = new VirtualMachine(stack, "a", base);
    const old = stack.driver.createMachine(stack, "Old", specBeside(stack, vm, { name: "lab-old", flavor: namedFlavor("Standard_A2_v2") }));
    expect(resources(synthJson(stack), "azurerm_linux_virtual_machine").Old.os_disk.storage_account_type).toBe("StandardSSD_LRS");
    const fast = stack.driver.createVolume(stack, "Fast", { name: "lab-fast", sizeGiB: 10, protect: false, volumeType: "Premium_LRS" });
    expect(() => stack.driver.attachVolume(stack, "P", old, fast)).toThrow(
      `lab/P: volume lab-fast is Premium_LRS, and machine lab-old (size Standard_A2_v2) takes no Premium SSD: use "StandardSSD_LRS"`,
    );
  });
});

describe("Azure driver: machines", () => {
  it("gives a fixed address as a static one, creating NICs with fixed addresses before those Azure numbers itself", () => {
    const { stack } = azureStack();
    const vm = new VirtualMachine(stack, "a", base);
    const m = stack.driver.createMachine(stack, "Fixed", specBeside(stack, vm, { fixedAddress: "10.0.0.10" }));
    new VirtualMachine(stack, "b", base);
    expect(m.name).toBe("lab-extra");
    const nics = resources(synthJson(stack), "azurerm_network_interface");
    expect(nics["Fixed-Nic"]!.ip_configuration[0]).toMatchObject({ private_ip_address_allocation: "Static", private_ip_address: "10.0.0.10" });
    expect(nics["Fixed-Nic"]).not.toHaveProperty("depends_on");
    expect(nics.a_Nic_96AA5C52!.depends_on).toEqual(["azurerm_network_interface.Fixed-Nic"]);
    expect(Object.entries(nics).find(([id]) => id.startsWith("b_Nic_"))![1].depends_on).toEqual(["azurerm_network_interface.Fixed-Nic"]);
    expect(() => stack.driver.createMachine(stack, "Low", specBeside(stack, vm, { fixedAddress: "10.0.0.3" }))).toThrow(
      "lab/Low: 'fixedAddress' 10.0.0.3 is one of the addresses Azure keeps in every subnet (the first four of 10.0.0.0/24 and its last): use 10.0.0.4 to 10.0.0.254",
    );
    expect(() => stack.driver.createMachine(stack, "Last", specBeside(stack, vm, { fixedAddress: "10.0.0.255" }))).toThrow(
      /^lab\/Last: 'fixedAddress' 10\.0\.0\.255 is one of the addresses Azure keeps/,
    );
    expect(() => stack.driver.createMachine(stack, "Out", specBeside(stack, vm, { fixedAddress: "10.0.1.5" }))).toThrow(
      "lab/Out: 'fixedAddress' 10.0.1.5 is outside 10.0.0.0/24, the subnet of lab-network-vnet",
    );
  });

  it("names its NIC and associations after the machine's ID when it is not the scope's main resource", () => {
    const { stack } = azureStack();
    const vm = new VirtualMachine(stack, "a", base);
    stack.driver.createMachine(stack, "Extra", specBeside(stack, vm));
    const json = synthJson(stack);
    expect(Object.keys(resources(json, "azurerm_network_interface")).sort()).toEqual(["Extra-Nic", "a_Nic_96AA5C52"]);
    expect(Object.keys(resources(json, "azurerm_network_interface_security_group_association"))).toContain("Extra-NicSecurityGroup");
    expect(Object.keys(resources(json, "azurerm_network_interface_application_security_group_association"))).toContain("Extra-Joins-lab-a-sg");
  });

  it("takes only the SSH key types Azure accepts", () => {
    const { stack } = azureStack();
    expect(() => stack.driver.createKeyPair(stack, "Mine", { name: "lab-key", publicKey: ecdsaKey() })).toThrow(
      "lab/Mine: 'publicKey' is a ecdsa-sha2-nistp256 key, and Azure takes only ssh-ed25519 and ssh-rsa (2048 bits or more) keys: make one with ssh-keygen -t ed25519",
    );
  });

  it("looks a key up by name in an existing resource group, once per name, and refuses to in a new one", () => {
    const { stack } = azureStack("lab", { resourceGroup: "lab-shared" });
    new VirtualMachine(stack, "a", { ...base, publicKey: undefined, keyPairName: "team" });
    new VirtualMachine(stack, "b", { ...base, publicKey: undefined, keyPairName: "team" });
    const json = synthJson(stack);
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataAzurermSshPublicKey, { name: "team", resource_group_name: "${data.azurerm_resource_group.ResourceGroup.name}" });
    expect(Object.keys(json.data.azurerm_ssh_public_key)).toEqual(["KeyPair-team"]);
    for (const vm of Object.values(resources(json, "azurerm_linux_virtual_machine"))) {
      expect(vm.admin_ssh_key).toEqual([{ username: "ubuntu", public_key: "${data.azurerm_ssh_public_key.KeyPair-team.public_key}" }]);
    }
    const { stack: fresh } = azureStack("fresh");
    expect(validationIssues(() => new VirtualMachine(fresh, "a", { ...base, publicKey: undefined, keyPairName: "team" }))).toEqual([
      `fresh: 'keyPairName' "team": on Azure drover looks a key up in the stack's resource group, and this stack's (fresh-rg) is new, so it holds none: pass 'publicKey' instead, or name an existing 'resourceGroup' in azure()`,
    ]);
  });

  it("refuses networks, firewalls, machines and volumes the Azure driver did not make", () => {
    const { stack } = azureStack();
    const vm = new VirtualMachine(stack, "a", base);
    const d = stack.driver;
    const network = { networkId: "n", subnetId: "subnet-0123", displayName: "elsewhere" };
    const firewall = { firewallId: "sg-1", displayName: "their-sg", allowIngress() {} };
    const machine = { machineId: "i-1", name: "their-vm", privateAddress: "10.0.0.9", addMetadata() {} };
    const volume = d.createVolume(stack, "V", { name: "lab-v", sizeGiB: 1, protect: false });
    expect(() => d.createMachine(stack, "N", specBeside(stack, vm, { network }))).toThrow(
      "lab/N: network elsewhere was not made or looked up by this stack's Azure driver: use a Network of the stack or Network.fromExisting",
    );
    expect(() => d.createMachine(stack, "F", specBeside(stack, vm, { firewalls: [firewall] }))).toThrow("lab/F: firewall their-sg was not made by the Azure driver");
    expect(() => vm.firewall.allowIngress(Peer.firewall(firewall), Port.tcp(22), "ssh")).toThrow("lab/a/Firewall-tcp-22-their-sg: firewall their-sg was not made by the Azure driver");
    expect(() => d.attachVolume(stack, "A", machine, volume)).toThrow("lab/A: the machine and the volume must both come from the Azure driver");
    expect(() => d.createPublicAddress(stack, "P", { name: "lab-p-ip", machine })).toThrow("lab/P: the machine must come from the Azure driver");
    const held = d.abilities.heldAddresses!.reserve(stack, "Held", { name: "lab-held-ip" });
    expect(() => d.abilities.heldAddresses!.attach(stack, "H", { address: held.address, machine })).toThrow("lab/H: the machine must come from the Azure driver");
  });

  it("refuses a firewall shared by machines on two networks, and a rule between firewalls on two networks", () => {
    const { stack } = azureStack();
    const a = new VirtualMachine(stack, "a", base);
    const b = new VirtualMachine(stack, "b", { ...base, network: new Network(stack, "other", { cidr: "10.9.0.0/24" }) });
    expect(() => stack.driver.createMachine(stack, "c", specBeside(stack, a, { network: b.network }))).toThrow(
      "lab/c: firewall lab-a-sg is used by machines on two networks; on Azure an application security group holds machines of one virtual network: give each network its own firewall",
    );
    b.connections.allowFrom(Peer.firewall(a.firewall), Port.tcp(80));
    expect(() => synthJson(stack)).toThrow(
      "[lab/b/Firewall-tcp-80-lab-a-sg] firewall lab-b-sg admits lab-a-sg, whose machines are on another network; on Azure such a rule works inside one virtual network: admit their address range instead\n",
    );
  });

  it("numbers rules 100 to 3980 and says so when the stack's security group is full", () => {
    const { stack } = azureStack();
    const vm = new VirtualMachine(stack, "box", { ...base, allowSshFrom: [] });
    const peer = Peer.cidr("10.0.0.0/24");
    for (let i = 0; i < 389; i++) vm.firewall.allowIngress(peer, Port.tcp(1000 + i), `port ${1000 + i}`);
    const priorities = Object.values(resources(synthJson(stack), "azurerm_network_security_rule")).map((r) => r.priority as number);
    expect(Math.max(...priorities.filter((p) => p < 3990))).toBe(3980);
    expect(new Set(priorities).size).toBe(391);
    expect(() => vm.firewall.allowIngress(peer, Port.tcp(1389), "one too many")).toThrow(
      "lab/box/Firewall-tcp-1389-10-0-0-0-24: the stack's network security group is full: drover gives firewall rules priorities 100 to 3980, every 10 (389 rules): open wider ranges with fewer rules, or split the stack",
    );
  });

  it("keeps to Azure's limit of 100 application security groups named in one security group's rules", () => {
    const { stack } = azureStack();
    const peer = Peer.cidr("10.0.0.0/24");
    const firewalls = Array.from({ length: 101 }, (_, i) => stack.driver.createFirewall(stack, `F${i}`, { name: `lab-f${i}-sg`, description: "test" }));
    for (const f of firewalls.slice(0, 100)) f.allowIngress(peer, Port.tcp(22), "ssh");
    firewalls[0]!.allowIngress(Peer.firewall(firewalls[1]!), Port.tcp(80), "web from f1");
    expect(() => firewalls[100]!.allowIngress(peer, Port.tcp(22), "ssh")).toThrow(
      "lab/F100-tcp-22-10-0-0-0-24: this rule would make 101 firewalls named in the rules of the stack's network security group, and Azure allows 100: split the stack, or let machines share a firewall",
    );
  });

  it("warns once at synthesis about machines left on default outbound access, and not about those with an address bound later or on a private network", () => {
    const { stack } = azureStack();
    new VirtualMachine(stack, "public", base);
    new VirtualMachine(stack, "private", { ...base, publicAddress: false });
    const later = new VirtualMachine(stack, "later", { ...base, publicAddress: false });
    const held = stack.driver.abilities.heldAddresses!.reserve(stack, "Held", { name: "lab-held-ip" });
    stack.driver.abilities.heldAddresses!.attach(stack, "HeldToLater", { address: held.address, machine: later.machine });
    new VirtualMachine(stack, "offline", { ...base, publicAddress: false, network: new Network(stack, "closed", { cidr: "10.1.0.0/24", internetAccess: false }) });
    new VirtualMachine(stack, "shared", { ...base, publicAddress: false, network: Network.fromExisting(stack, "existing", { id: SUBNET_ID }) });
    synthJson(stack);
    synthJson(stack);
    expect(warnings(stack)).toEqual([
      "lab/private: lab-private has no public address: on Azure it reaches the internet only through default outbound access, which Azure is retiring and whose address may change. Give it a public address, or ignore this if it needs none.",
    ]);
  });
});

describe("Azure driver: existing networks", () => {
  it("finds a subnet by resource ID, with its virtual network's ID worked out by Terraform", () => {
    const { stack } = azureStack();
    const net = Network.fromExisting(stack, "shared", { id: SUBNET_ID });
    expect(net.displayName).toBe("lab-vnet/private");
    new TerraformOutput(stack, "network_id", { value: net.networkId });
    const json = synthJson(stack);
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataAzurermSubnet, { name: "private", virtual_network_name: "lab-vnet", resource_group_name: "net-rg" });
    expect(json.output.network_id.value).toBe('${replace(data.azurerm_subnet.shared.id, "//subnets/[^/]+$/", "")}');
  });

  it("finds '<network>/<subnet>' in the stack's existing resource group, and explains the forms it takes otherwise", () => {
    const { stack } = azureStack("lab", { resourceGroup: "lab-shared" });
    Network.fromExisting(stack, "shared", { name: "lab-vnet/private" });
    expect(synthJson(stack).data.azurerm_subnet.shared).toEqual({ name: "private", virtual_network_name: "lab-vnet", resource_group_name: "lab-shared" });
    const { stack: fresh } = azureStack();
    const forms = `on Azure an existing network is named by its subnet: { id: "/subscriptions/.../virtualNetworks/<network>/subnets/<subnet>" }, or { name: "<network>/<subnet>" } when azure() names an existing 'resourceGroup' that holds it`;
    expect(() => Network.fromExisting(fresh, "a", { name: "lab-vnet/private" })).toThrow(`lab/a: ${forms}; got { name: "lab-vnet/private" }`);
    expect(() => Network.fromExisting(fresh, "b", { id: "subnet-0123456789abcdef0" })).toThrow(`lab/b: ${forms}; got { id: "subnet-0123456789abcdef0" }`);
  });
});

describe("Azure driver: custom data", () => {
  const vmSpec = () => {
    const { stack } = azureStack();
    const vm = new VirtualMachine(stack, "a", base);
    return { stack, vm };
  };
  const customData = (json: Json, id: string) => resources(json, "azurerm_linux_virtual_machine")[id]!.custom_data as string;

  it("encodes plain text here, and text with references through a local value Terraform fills in and encodes", () => {
    const { stack, vm } = vmSpec();
    const secret = new TerraformVariable(stack, "secret", { type: "string", default: 'p"a\\ss' });
    const text = `#cloud-config\n# "quoted" \\ back \${HOME} %{ if } {json: 1} \ttab\n`;
    stack.driver.createMachine(stack, "Plain", specBeside(stack, vm, { name: "lab-plain", userData: text }));
    stack.driver.createMachine(stack, "Ref", specBeside(stack, vm, { name: "lab-ref", userData: `${text}token: ${secret.stringValue}\n` }));
    const json = synthJson(stack);
    expect(Buffer.from(customData(json, "Plain"), "base64").toString()).toBe(text);
    expect(customData(json, "Ref")).toBe("${base64encode(local.Ref-UserData)}");
    expect(json.locals["Ref-UserData"]).toBe(`${escapeTerraformText(text)}token: \${var.secret}\n`);
    expect(json.locals).not.toHaveProperty("Plain-UserData");
    if (!hasTool("terraform", "apt-get install terraform, or see https://developer.hashicorp.com/terraform/install")) return;
    const tf = new TerraformDir()
      .write({ variable: json.variable, locals: json.locals, output: { data: { value: customData(json, "Ref") } } })
      .init()
      .apply();
    expect(Buffer.from(tf.run("output", "-raw", "data"), "base64").toString()).toBe(`${text}token: p"a\\ss\n`);
  });

  it("compresses text past Azure's 65,535 bytes, and refuses text that does not fit even then", () => {
    const { stack, vm } = vmSpec();
    const secret = new TerraformVariable(stack, "secret", { type: "string", default: "s3cret" });
    const big = `#cloud-config\n# ${"padding ".repeat(AZURE_CUSTOM_DATA_MAX_BYTES / 8)}\n`;
    stack.driver.createMachine(stack, "Big", specBeside(stack, vm, { name: "lab-big", userData: big }));
    stack.driver.createMachine(stack, "BigRef", specBeside(stack, vm, { name: "lab-big-ref", userData: `${big}token: ${secret.stringValue}\n` }));
    const json = synthJson(stack);
    expect(gunzipSync(Buffer.from(customData(json, "Big"), "base64")).toString()).toBe(big);
    expect(customData(json, "BigRef")).toBe("${base64gzip(local.BigRef-UserData)}");
    if (hasTool("terraform", "apt-get install terraform")) {
      const tf = new TerraformDir()
        .write({ variable: json.variable, locals: json.locals, output: { data: { value: customData(json, "BigRef") } } })
        .init()
        .apply();
      expect(gunzipSync(Buffer.from(tf.run("output", "-raw", "data"), "base64")).toString()).toBe(`${big}token: s3cret\n`);
    }
    // Text that does not compress: a chain of hashes.
    let noise = "";
    for (let h = "seed"; noise.length < 140_000; ) noise += h = createHash("sha256").update(h).digest("base64");
    const bytes = Buffer.byteLength(noise);
    const compressed = Buffer.from(gzipBase64(noise), "base64").length;
    expect(compressed).toBeGreaterThan(AZURE_CUSTOM_DATA_MAX_BYTES);
    expect(validationIssues(() => stack.driver.createMachine(stack, "Huge", specBeside(stack, vm, { name: "lab-huge", userData: noise })))).toEqual([
      `lab/Huge: the user data is ${bytes} bytes, ${compressed} compressed; Azure takes 65535: move large files to a volume or download them at boot`,
    ]);
  });
});

describe("Azure driver: what it emits exists in hashicorp/azurerm 4.55", () => {
  /** Every argument the package's generated class writes for a type: the keys of its synthesizeAttributes(). */
  function argumentsOf(cls: new (scope: TerraformStack, id: string, config: never) => unknown): string[] {
    const probe = new cls(new TerraformStack(Testing.app(), "probe"), "probe", {} as never) as { synthesizeAttributes(): Record<string, unknown> };
    return Object.keys(probe.synthesizeAttributes());
  }
  const META = ["depends_on", "lifecycle", "count", "for_each", "provider", "//"];
  const requireHere = createRequire(import.meta.url);

  function fullStacks() {
    const a = azureStack("one", { dnsZone: { name: "lab.example.org", resourceGroup: "dns-rg" } }).stack;
    const vm = new VirtualMachine(a, "box", { ...base, allowPingFrom: ["198.51.100.0/24"], volumes: [{ name: "data", sizeGiB: 10 }] });
    new VirtualMachine(a, "other", { ...base, network: new Network(a, "own", { cidr: "10.5.0.0/24", dnsNameservers: ["10.5.0.10"] }) });
    a.driver.abilities.heldAddresses!.reserve(a, "Held", { name: "one-held-ip" });
    const zoneId = a.driver.abilities.dnsZones!.lookup(a, "Zone", "lab.example.org.");
    for (const type of ["A", "AAAA", "CNAME"] as const) {
      a.driver.createDnsRecord(a, `Rec-${type}`, { zoneId, zoneName: "lab.example.org.", name: type.toLowerCase(), type, values: [type === "CNAME" ? "x.org" : vm.publicAddress!] });
    }
    const b = azureStack("two", {
      subscriptionId: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
      resourceGroup: "shared",
      network: { name: "private", virtualNetwork: "lab-vnet", resourceGroup: "net-rg" },
    }).stack;
    new VirtualMachine(b, "box", { ...base, publicKey: undefined, keyPairName: "team", image: "Debian:debian-12:12-gen2:latest" });
    return [a, b].map((s) => synthJson(s));
  }

  it("maps every binding to its module's Terraform type", () => {
    const b = azureBindings();
    for (const [name, folder] of Object.entries(AZURE_MODULES)) {
      const expected = folder === "provider" ? "azurerm" : folder.startsWith("data-azurerm-") ? folder.slice(5).replace(/-/g, "_") : `azurerm_${folder.replace(/-/g, "_")}`;
      expect((b[name as keyof AzureBindings] as unknown as { tfResourceType: string }).tfResourceType, name).toBe(expected);
    }
  });

  it("emits only resource and data source types of the package, with top-level and block arguments its classes know", () => {
    const b = azureBindings();
    // Resources and data sources share type names (azurerm_subnet): keyed by kind too.
    const byType = new Map(
      Object.entries(b).map(([name, cls]) => [
        `${name.startsWith("DataAzurerm") ? "data source" : name === "AzurermProvider" ? "provider" : "resource"} ${(cls as unknown as { tfResourceType: string }).tfResourceType}`,
        name as keyof AzureBindings,
      ]),
    );
    const problems: string[] = [];
    const seen = new Set<string>();
    const check = (type: string, bodies: Json[], kind: string) => {
      const name = byType.get(`${kind} ${type}`);
      if (!name) return void problems.push(`${kind} ${type} is not one of the driver's bindings`);
      seen.add(`${kind} ${type}`);
      const known = new Set([...argumentsOf(b[name] as never), ...META]);
      const mod = requireHere(`@cdktf/provider-azurerm/lib/${AZURE_MODULES[name]}/index.js`) as Record<string, unknown>;
      for (const body of bodies) {
        for (const [arg, value] of Object.entries(body)) {
          if (!known.has(arg)) problems.push(`${type}.${arg} is not an argument of ${name}`);
          const elements: unknown[] = Array.isArray(value) ? value : [value];
          if (arg === "tags" || META.includes(arg) || !elements.every((e) => typeof e === "object" && e !== null)) continue;
          // A block: its generated mapper writes every argument the block has.
          const mapper = mod[`${name[0]!.toLowerCase()}${name.slice(1)}${arg.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}ToTerraform`] as ((v: object) => object) | undefined;
          if (!mapper) {
            problems.push(`${type}.${arg} is not a block of ${name}`);
            continue;
          }
          const inner = new Set(Object.keys(mapper({})));
          for (const element of elements) {
            for (const k of Object.keys(element as object)) if (!inner.has(k)) problems.push(`${type}.${arg}.${k} is not an argument of that block`);
          }
        }
      }
    };
    for (const json of fullStacks()) {
      check("azurerm", json.provider.azurerm, "provider");
      for (const [type, all] of Object.entries(json.resource as Record<string, Record<string, Json>>)) check(type, Object.values(all), "resource");
      for (const [type, all] of Object.entries(json.data as Record<string, Record<string, Json>>)) check(type, Object.values(all), "data source");
    }
    expect(problems).toEqual([]);
    // The stacks above use every binding, so the check covers all of them.
    expect([...seen].sort()).toEqual([...byType.keys()].sort());
  });

  it("tags every resource that takes tags with the stack's tags", () => {
    const b = azureBindings();
    const taggable = new Set(
      Object.values(b)
        .filter((cls) => argumentsOf(cls as never).includes("tags"))
        .map((cls) => (cls as unknown as { tfResourceType: string }).tfResourceType),
    );
    const untagged = fullStacks().flatMap((json) =>
      Object.entries(json.resource as Record<string, Record<string, { tags?: Record<string, string> }>>)
        .filter(([type]) => taggable.has(type))
        .flatMap(([type, all]) =>
          Object.entries(all)
            .filter(([, r]) => !r.tags?.drover_stack || r.tags.drover_owner !== "tester@example.edu")
            .map(([id]) => `${type}.${id}`),
        ),
    );
    expect(untagged).toEqual([]);
    expect([...taggable].filter((t) => t.startsWith("azurerm_") && !t.includes("association") && !t.includes("attachment")).length).toBeGreaterThan(10);
  });
});
