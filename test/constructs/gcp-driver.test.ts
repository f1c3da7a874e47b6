import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set/index.js";
import { DataGoogleDnsManagedZone } from "@cdktf/provider-google/lib/data-google-dns-managed-zone/index.js";
import { Network, Peer, Port, SlurmCluster, VirtualMachine, type DriverAbilities, type IMachine, type VirtualMachineProps } from "../../constructs/index.ts";
import { GCP_MODULES } from "../../constructs/gcp/bindings.ts";
import { GCP_METADATA_TOTAL_MAX_BYTES, GCP_METADATA_VALUE_MAX_BYTES, gcpLabels, gcpName } from "../../constructs/gcp/driver.ts";
import { gcp, type GcpProps } from "../../constructs/gcp/profile.ts";
import { testPublicKey } from "../support/keys.ts";
import { newStack, only, resources, synthJson, validationIssues, type Json } from "../support/synth.ts";

const key = testPublicKey("me@laptop");
const base: VirtualMachineProps = { size: "e2-standard-2", allowSshFrom: ["203.0.113.0/24"], publicKey: key, publicAddress: true };

function gcpStack(name = "web", props: Partial<GcpProps> = {}) {
  return newStack(name, { cloud: gcp({ project: "my-lab-123456", region: "us-central1", ...props }) });
}

const withZone = { dnsZone: { name: "lab-example-org", domain: "lab.example.org" } };

/** Snapshot form: the user data in the instance metadata becomes its size and hash (cloud-init has its own snapshot). */
function compactGcp(json: Json): Json {
  return JSON.parse(
    JSON.stringify(json, (k, v) => (k === "user-data" && typeof v === "string" ? `<cloud-init ${Buffer.byteLength(v)} bytes sha256:${createHash("sha256").update(v).digest("hex").slice(0, 12)}>` : v)),
  ) as Json;
}

function warningsOf(stack: TerraformStack): string[] {
  return stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => `${c.node.path}: ${m.data}`));
}

describe("GCP driver", () => {
  it("GIVEN a Cloud DNS zone WHEN a construct names its address THEN the zone is found by its resource name and holds an A record", () => {
    const { stack } = gcpStack("web", withZone);
    const vm = new VirtualMachine(stack, "box", base);
    const zoneName = stack.cloud.dnsZone!;
    expect(zoneName).toBe("lab.example.org.");
    const zoneId = stack.driver.abilities.dnsZones!.lookup(stack, "Zone", zoneName);
    const record = stack.driver.createDnsRecord(stack, "BoxName", { zoneId, zoneName, name: "box", type: "A", values: [vm.publicAddress!] });
    expect(record.fqdn).toBe("box.lab.example.org.");
    const synth = Testing.synth(stack);
    expect(synth).toHaveDataSourceWithProperties(DataGoogleDnsManagedZone, { name: "lab-example-org" });
    expect(only(synthJson(stack), "google_dns_record_set")).toEqual({
      managed_zone: "${data.google_dns_managed_zone.Zone.name}",
      name: "box.lab.example.org.",
      type: "A",
      ttl: 300,
      rrdatas: ["${google_compute_address.box_PublicAddress_D358138D.address}"],
    });
    expect(synth).toHaveResourceWithProperties(DnsRecordSet, { ttl: 300 });
    expect(compactGcp(synthJson(stack))).toMatchSnapshot();
  });

  it("finds only the zone the profile names, which it knows by resource name", () => {
    expect(() => gcpStack("web").stack.driver.abilities.dnsZones!.lookup(gcpStack("a").stack, "Zone", "lab.example.org.")).toThrow(
      `a/Zone: on GCP a Cloud DNS zone is found by its resource name, and this profile names none: pass dnsZone: { name: "<the managed zone's resource name>", domain: "lab.example.org" } to gcp()`,
    );
    const { stack } = gcpStack("web", withZone);
    expect(() => stack.driver.abilities.dnsZones!.lookup(stack, "Other", "example.com")).toThrow(
      "web/Other: zone example.com. is not the profile's DNS zone (lab.example.org.): drover knows the Cloud DNS resource name of that one only",
    );
    expect(() => stack.driver.abilities.dnsZones!.lookup(stack, "Same", "lab.example.org")).not.toThrow();
  });

  it("reserves a static address and binds it to a machine later, on the machine's interface", () => {
    const { stack } = gcpStack();
    const vm = new VirtualMachine(stack, "box", { ...base, publicAddress: false });
    const ip = stack.driver.abilities.heldAddresses!.reserve(stack, "Held", { name: "web-held-ip" });
    stack.driver.abilities.heldAddresses!.attach(stack, "HeldToBox", { address: ip.address, machine: vm.machine });
    const json = synthJson(stack);
    expect(only(json, "google_compute_address")).toEqual({ name: "web-held-ip", address_type: "EXTERNAL", region: "us-central1" });
    expect(only(json, "google_compute_instance").network_interface[0].access_config).toEqual([{ nat_ip: "${google_compute_address.Held.address}" }]);
    expect(() => stack.driver.abilities.heldAddresses!.attach(stack, "Other", { address: "198.51.100.7", machine: vm.machine })).toThrow(
      "web/Other: the address was not reserved by this stack's reservePublicAddress",
    );
    const second = stack.driver.abilities.heldAddresses!.reserve(stack, "Second", { name: "web-second-ip" });
    expect(() => stack.driver.abilities.heldAddresses!.attach(stack, "SecondToBox", { address: second.address, machine: vm.machine })).toThrow(
      "web/SecondToBox: machine web-box has a public address already; on GCP a network interface takes one",
    );
  });

  it("keeps a fixed private address, and the metadata the machine reads updates in place", () => {
    const { stack } = gcpStack();
    const vm = new VirtualMachine(stack, "box", { ...base, publicAddress: false });
    const machine = stack.driver.createMachine(stack, "fixed", {
      name: "web-fixed",
      flavor: vm.flavor,
      image: "ubuntu-24.04",
      network: vm.network,
      firewalls: [vm.firewall],
      userData: "#cloud-config\n",
      fixedAddress: "10.0.0.10",
      metadata: { role: "controller" },
    });
    machine.addMetadata("drover_munge", "ref");
    const fixed = synthJson(stack).resource.google_compute_instance.fixed;
    expect(fixed.network_interface[0].network_ip).toBe("10.0.0.10");
    expect(fixed.metadata).toEqual({ role: "controller", drover_munge: "ref", "user-data": "#cloud-config\n", "block-project-ssh-keys": "true" });
    expect(fixed.labels).toEqual({ role: "controller" });
    expect(machine.privateAddress).toMatch(/^\$\{TfToken\[/);
    expect(() => machine.addMetadata("ssh-keys", "root:x")).toThrow(`web/fixed: metadata key "ssh-keys" is written by drover's GCP driver: use another key`);
    expect(() => machine.addMetadata("drover volume", "x")).toThrow(`web/fixed: metadata key "drover volume" is not one Compute Engine takes (letters, digits, '_' and '-', at most 128 characters)`);
    expect(() => machine.addMetadata("blob", "x".repeat(GCP_METADATA_VALUE_MAX_BYTES + 1))).toThrow(
      `web/fixed: metadata "blob" is ${GCP_METADATA_VALUE_MAX_BYTES + 1} bytes; Compute Engine takes ${GCP_METADATA_VALUE_MAX_BYTES} per value: keep large data on a volume`,
    );
    machine.addMetadata("blob1", "x".repeat(GCP_METADATA_VALUE_MAX_BYTES - 5));
    expect(() => machine.addMetadata("blob2", "x".repeat(GCP_METADATA_VALUE_MAX_BYTES - 5))).toThrow(
      // role/controller 14, drover_munge/ref 15, user-data 23, block-project-ssh-keys 26, blob1 and blob2 5 + 262139 each.
      "web/fixed: the machine's metadata is 524366 bytes in all; Compute Engine takes 524288: move large files to a volume or download them at boot",
    );
    expect(GCP_METADATA_TOTAL_MAX_BYTES).toBe(2 * GCP_METADATA_VALUE_MAX_BYTES);
  });

  it("refuses user data over 256 KB, counting it as Terraform will deliver it", () => {
    const { stack } = gcpStack();
    const vm = new VirtualMachine(stack, "box", { ...base, publicAddress: false });
    const spec = { name: "web-big", flavor: vm.flavor, image: "ubuntu-24.04", network: vm.network, firewalls: [vm.firewall] };
    // Each "${x}" is written "$${x}" (Terraform's escape for a literal "${"): 4 bytes reach the machine, not 5.
    const text = `#cloud-config\n# ${"${x}".repeat((GCP_METADATA_VALUE_MAX_BYTES - 20) / 4)}\n`;
    expect(() => stack.driver.createMachine(stack, "fits", { ...spec, userData: text })).not.toThrow();
    expect(() => stack.driver.createMachine(stack, "big", { ...spec, userData: "x".repeat(GCP_METADATA_VALUE_MAX_BYTES + 1) })).toThrow(
      `web/big: the user data is ${GCP_METADATA_VALUE_MAX_BYTES + 1} bytes; Compute Engine takes ${GCP_METADATA_VALUE_MAX_BYTES} per metadata value: move large files to a volume or download them at boot`,
    );
  });

  it("offers no managed Kubernetes, credentials, shares or cleanup step, and the constructs that need one say so", () => {
    const { stack } = gcpStack();
    const optional: Array<keyof DriverAbilities> = ["kubernetes", "credentials", "shares", "elasticCleanup", "volumeCleanup"];
    for (const ability of optional) expect(stack.driver.abilities[ability]).toBeUndefined();
    const issues = validationIssues(
      () => new SlurmCluster(stack, "elastic", { controller: { size: "e2-standard-4" }, partitions: [{ name: "cpu", size: "e2-standard-4", nodes: 1, elastic: { max: 4 } }] }),
    );
    expect(issues).toContain("web/elastic: elastic nodes need a credential drover can create on gcp, which it cannot yet: use static nodes only");
  });

  it("refuses a firewall shared across networks, one carried by no machine, and a disk attached twice", () => {
    const { stack } = gcpStack();
    const a = new VirtualMachine(stack, "a", { ...base, publicAddress: false });
    const b = new VirtualMachine(stack, "b", { ...base, publicAddress: false, network: new Network(stack, "other", { cidr: "10.9.0.0/24" }) });
    expect(() => stack.driver.createMachine(stack, "c", { name: "web-c", flavor: a.flavor, image: "ubuntu-24.04", network: b.network, firewalls: [a.firewall], userData: "#cloud-config\n" })).toThrow(
      "web/c: firewall web-a-sg is used by machines on two networks; on GCP a firewall rule belongs to one network: give each network its own firewall",
    );
    const volume = stack.driver.createVolume(stack, "Shared", { name: "web-shared", sizeGiB: 10, protect: true });
    stack.driver.attachVolume(stack, "ToA", a.machine, volume);
    expect(() => stack.driver.attachVolume(stack, "ToB", b.machine, volume)).toThrow(
      "web/ToB: volume web-shared is attached to web-a already; a persistent disk is attached read-write to one machine",
    );
    const loose = stack.driver.createFirewall(stack, "Loose", { name: "web-loose-sg", description: "nobody carries it" });
    loose.allowIngress(Peer.cidr("203.0.113.0/24"), Port.tcp(443), "https");
    expect(() => synthJson(stack)).toThrow(/firewall web-loose-sg is carried by no machine; on GCP a firewall rule belongs to a network, which drover takes from the first machine with the firewall/);
  });

  it("gives a machine on a routed network without a static address an ephemeral one (no Cloud NAT), and none to the others", () => {
    const { stack } = gcpStack();
    new VirtualMachine(stack, "public", base);
    new VirtualMachine(stack, "private", { ...base, publicAddress: false });
    const later = new VirtualMachine(stack, "later", { ...base, publicAddress: false });
    const held = stack.driver.abilities.heldAddresses!.reserve(stack, "Held", { name: "web-held-ip" });
    stack.driver.abilities.heldAddresses!.attach(stack, "HeldToLater", { address: held.address, machine: later.machine });
    new VirtualMachine(stack, "offline", { ...base, publicAddress: false, network: new Network(stack, "closed", { cidr: "10.1.0.0/24", internetAccess: false }) });
    const instances = synthJson(stack).resource.google_compute_instance as Record<string, { network_interface: Array<{ access_config?: unknown }> }>;
    const access = Object.fromEntries(Object.entries(instances).map(([k, v]) => [k.split("_")[0], v.network_interface[0].access_config ?? "none"]));
    expect(access).toEqual({
      public: [{ nat_ip: "${google_compute_address.public_PublicAddress_185BEA26.address}" }],
      private: [{}],
      later: [{ nat_ip: "${google_compute_address.Held.address}" }],
      offline: "none",
    });
    expect(warningsOf(stack)).toEqual([]);
  });

  it("labels every resource with the stack's tags through the provider, made into GCP label form", () => {
    const { stack } = newStack("web", {
      cloud: gcp({ project: "my-lab-123456", region: "europe-west1", credentialsFile: "/etc/drover/key.json" }),
      owner: "Me.Myself+lab@Example.edu",
      expiresAt: "2026-12-31",
    });
    new VirtualMachine(stack, "box", { ...base, volumes: [{ name: "data", sizeGiB: 10 }] });
    expect(synthJson(stack).provider.google).toEqual([
      {
        project: "my-lab-123456",
        region: "europe-west1",
        zone: "europe-west1-b",
        credentials: "/etc/drover/key.json",
        default_labels: { drover_stack: "web", drover_owner: "me_myself_lab_example_edu", drover_expires: "2026-12-31" },
      },
    ]);
    expect(gcpLabels({ "Drover Stack": "x".repeat(70), "9lives": "ok" })).toEqual({ drover_stack: "x".repeat(63), k_9lives: "ok" });
  });

  it("keeps names within GCP's 63 characters, cutting long ones with a hash so they stay apart and stable", () => {
    expect(gcpName("web-box-sg")).toBe("web-box-sg");
    const long = `${"a".repeat(61)}-sg`;
    expect(gcpName(long)).toMatch(/^a{54}-[0-9a-f]{8}$/);
    expect(gcpName(long)).toBe(gcpName(long));
    expect(gcpName(`${"a".repeat(61)}-xx`)).not.toBe(gcpName(long));
    expect(gcpName(long).length).toBe(63);
    const { stack } = gcpStack("a-rather-long-stack-name-for-a-workshop");
    new VirtualMachine(stack, "jupyter-notebook-server", { ...base, allowSshFrom: ["2001:db8:1234:5678::/64"], volumes: [{ name: "course-materials-and-data", sizeGiB: 10 }] });
    const json = synthJson(stack);
    const names = Object.values(json.resource as Record<string, Record<string, { name?: string }>>).flatMap((all) =>
      Object.values(all)
        .map((r) => r.name)
        .filter((n): n is string => n !== undefined),
    );
    expect(names.length).toBeGreaterThan(5);
    for (const n of names) expect(n).toMatch(/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/);
    const disk = only(json, "google_compute_disk").name as string;
    expect(only(json, "google_compute_attached_disk").device_name).toBe(disk);
    expect(only(json, "google_compute_instance").metadata["drover_volume_course-materials-and-data"]).toBe(`${disk}:/media/volume/course-materials-and-data`);
  });

  it("remembers a key pair's public key, as GCP has no key pairs, and refuses a key it did not make", () => {
    const { stack } = gcpStack();
    expect(stack.driver.createKeyPair(stack, "Key", { name: "web-key-abc", publicKey: `${key}\n` })).toEqual({ keyPairName: "web-key-abc" });
    const vm = new VirtualMachine(stack, "box", { ...base, publicAddress: false });
    stack.driver.createMachine(stack, "keyed", {
      name: "web-keyed",
      flavor: vm.flavor,
      image: "ubuntu-22.04",
      network: vm.network,
      firewalls: [],
      userData: "#cloud-config\n",
      keyPair: { keyPairName: "web-key-abc" },
    });
    expect(synthJson(stack).resource.google_compute_instance.keyed.metadata["ssh-keys"]).toBe(`ubuntu:${key}`);
    expect(() =>
      stack.driver.createMachine(stack, "stranger", {
        name: "web-stranger",
        flavor: vm.flavor,
        image: "ubuntu-24.04",
        network: vm.network,
        firewalls: [],
        userData: "",
        keyPair: { keyPairName: "laptop" },
      }),
    ).toThrow("web/stranger: key pair laptop was not made by this stack's GCP driver: pass the public key ('publicKey')");
  });

  it("refuses machines, volumes and networks another driver made", () => {
    const { stack } = gcpStack();
    const foreign: IMachine = { machineId: "i-0", name: "other", privateAddress: "10.0.0.9", addMetadata: () => undefined };
    expect(() => stack.driver.createPublicAddress(stack, "Ip", { name: "web-ip", machine: foreign })).toThrow("web/Ip: the machine must come from the GCP driver");
    expect(() => stack.driver.attachVolume(stack, "Att", foreign, { volumeId: "vol-1", name: "v" })).toThrow("web/Att: the machine and the volume must both come from the GCP driver");
    const vm = new VirtualMachine(stack, "box", { ...base, publicAddress: false });
    expect(() =>
      stack.driver.createMachine(stack, "x", {
        name: "web-x",
        flavor: vm.flavor,
        image: "ubuntu-24.04",
        network: { networkId: "net", subnetId: "sub", displayName: "elsewhere" },
        firewalls: [],
        userData: "",
      }),
    ).toThrow("web/x: network elsewhere was not made or looked up by this stack's GCP driver: use a Network of the stack or Network.fromExisting");
    const stranger = { firewallId: "sg-0", displayName: "aws-sg", allowIngress: () => undefined };
    expect(() => vm.firewall.allowIngress(Peer.firewall(stranger), Port.tcp(22), "ssh")).toThrow("web/box: firewall aws-sg was not made by the GCP driver");
    expect(() => stack.driver.createMachine(stack, "y", { name: "web-y", flavor: vm.flavor, image: "ubuntu-24.04", network: vm.network, firewalls: [stranger], userData: "" })).toThrow(
      "web/y: firewall aws-sg was not made by the GCP driver",
    );
  });

  it("needs to know the login account of an image it writes a key for", () => {
    const { stack } = gcpStack();
    stack.driver.createKeyPair(stack, "Key", { name: "web-key-abc", publicKey: key });
    const vm = new VirtualMachine(stack, "box", { ...base, publicAddress: false });
    expect(() =>
      stack.driver.createMachine(stack, "golden", {
        name: "web-golden",
        flavor: vm.flavor,
        image: "projects/my-lab-123456/global/images/golden-2026",
        network: vm.network,
        firewalls: [],
        userData: "",
        keyPair: { keyPairName: "web-key-abc" },
      }),
    ).toThrow(
      `web/golden: cannot tell the login account of image "projects/my-lab-123456/global/images/golden-2026" for its SSH key: use "ubuntu-24.04" or "ubuntu-22.04", or an image whose path names its distribution`,
    );
  });
});

/**
 * hashicorp/google has no binary on this machine, so `terraform validate` cannot run. The
 * generated bindings are the provider's schema in code: each resource class maps every top-level
 * argument in `synthesizeAttributes`, and the package exports one `<type><Block>ToTerraform`
 * function per nested block, mapping every argument of that block. Every key the driver emits
 * (overrides included) must appear in those maps.
 */
describe("GCP driver output against the provider schema of @cdktf/provider-google 16.12.1", () => {
  const META = new Set(["lifecycle", "depends_on", "provider", "count", "for_each", "//", "provisioner", "connection"]);
  const requireHere = createRequire(import.meta.url);
  type Module = Record<string, unknown>;
  const classes = Object.entries(GCP_MODULES).map(([name, folder]) => {
    const mod = requireHere(`@cdktf/provider-google/lib/${folder}/index.js`) as Module;
    const cls = mod[name] as { tfResourceType: string; new (scope: TerraformStack, id: string, config: unknown): unknown };
    return { name, mod, cls, prefix: name[0]!.toLowerCase() + name.slice(1), kind: name === "GoogleProvider" ? "provider" : name.startsWith("Data") ? "data" : "resource" };
  });
  const pascal = (key: string) => key.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

  /** Keys of `body` the schema does not know, as paths; nested blocks are followed. */
  function unknownKeys(mod: Module, prefix: string, body: Json, known: Record<string, unknown>, at: string): string[] {
    const out: string[] = [];
    for (const [key, value] of Object.entries(body)) {
      if (!(key in known)) {
        out.push(`${at}.${key}`);
        continue;
      }
      const block = mod[`${prefix}${pascal(key)}ToTerraform`] as ((s: object) => Record<string, unknown>) | undefined;
      if (typeof block !== "function") continue; // an attribute: a value, a list of values or a map
      for (const [i, item] of (Array.isArray(value) ? value : [value]).entries()) out.push(...unknownKeys(mod, `${prefix}${pascal(key)}`, item, block({}), `${at}.${key}[${i}]`));
    }
    return out;
  }

  function check(json: Json): { types: string[]; unknown: string[] } {
    const probe = new TerraformStack(Testing.app(), "probe");
    const types: string[] = [];
    const unknown: string[] = [];
    const sections: Array<[string, Record<string, Json | Json[]>]> = [
      ["provider", json.provider],
      ["data", json.data],
      ["resource", json.resource],
    ];
    for (const [kind, section] of sections) {
      for (const [type, bodies] of Object.entries(section ?? {})) {
        if (kind === "resource" && type === "terraform_data") continue; // Terraform's own
        const entry = classes.find((c) => c.kind === kind && (kind === "provider" ? type === "google" : c.cls.tfResourceType === type));
        if (!entry) {
          unknown.push(`${kind}.${type}`);
          continue;
        }
        types.push(`${kind}.${type}`);
        const fresh = new entry.cls(probe, `${entry.name}-${types.length}`, {}) as { synthesizeAttributes(): Record<string, unknown> };
        const known = fresh.synthesizeAttributes();
        const all = Array.isArray(bodies) ? bodies : Object.values(bodies);
        for (const body of all) unknown.push(...unknownKeys(entry.mod, entry.prefix, Object.fromEntries(Object.entries(body).filter(([k]) => !META.has(k))), known, `${kind}.${type}`));
      }
    }
    return { types: types.sort(), unknown };
  }

  /** A stack that makes the driver emit everything it can. */
  function everything() {
    const { stack } = gcpStack("all", { ...withZone, credentialsFile: "/etc/drover/key.json" });
    const a = new VirtualMachine(stack, "a", { ...base, allowPingFrom: ["2001:db8::/48"], volumes: [{ name: "data", sizeGiB: 10 }] });
    const b = new VirtualMachine(stack, "b", { ...base, publicAddress: false, size: "g2-standard-4", network: Network.fromExisting(stack, "shared", { name: "lab-private" }) });
    new VirtualMachine(stack, "c", { ...base, publicAddress: false, size: "c3-standard-4", network: new Network(stack, "closed", { cidr: "10.1.0.0/24", internetAccess: false }) });
    a.connections.allowFrom(Peer.firewall(a.firewall), Port.udpRange(60000, 61000));
    stack.driver.createMachine(stack, "fixed", { name: "all-fixed", flavor: a.flavor, image: "ubuntu-24.04", network: a.network, firewalls: [], userData: "", fixedAddress: "10.0.0.10" });
    const held = stack.driver.abilities.heldAddresses!.reserve(stack, "Held", { name: "all-held-ip" });
    stack.driver.abilities.heldAddresses!.attach(stack, "HeldToB", { address: held.address, machine: b.machine });
    const zoneId = stack.driver.abilities.dnsZones!.lookup(stack, "Zone", stack.cloud.dnsZone!);
    stack.driver.createDnsRecord(stack, "Name", { zoneId, zoneName: stack.cloud.dnsZone!, name: "a", type: "A", values: [a.publicAddress!] });
    return { stack, a };
  }

  it("emits only types and arguments the provider has, and exercises every class the bindings load", () => {
    const { stack } = everything();
    const { types, unknown } = check(synthJson(stack));
    expect(unknown).toEqual([]);
    const expected = classes.map((c) => (c.kind === "provider" ? "provider.google" : `${c.kind}.${c.cls.tfResourceType}`)).sort();
    expect(types).toEqual(expected);
  });

  it("catches an argument the provider does not have, at any depth", () => {
    const { stack, a } = everything();
    const instance = a.node.findChild("Resource") as unknown as { addOverride(path: string, value: unknown): void };
    instance.addOverride("network_interface.0.acces_config", [{ nat_ip: "x" }]);
    instance.addOverride("boot_disk.initialize_params.sise", 10);
    instance.addOverride("metadata_startup", "x");
    expect(check(synthJson(stack)).unknown.sort()).toEqual([
      "resource.google_compute_instance.boot_disk[0].initialize_params[0].sise",
      "resource.google_compute_instance.metadata_startup",
      "resource.google_compute_instance.network_interface[0].acces_config",
    ]);
    expect(resources(synthJson(stack), "google_compute_instance")).not.toEqual({});
  });
});
