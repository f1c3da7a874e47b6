import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { GatewayHost, JupyterHubCluster, SlurmCluster, aws, azure, gcp, type CloudProfile } from "../../constructs/index.ts";
import type { GatewayHostProps, JupyterHubClusterProps, SlurmClusterProps } from "../../constructs/index.ts";
import { AWS_USER_DATA_MAX_BYTES } from "../../constructs/aws/driver.ts";
import { settleWrites } from "../../lib/app/pending-writes.ts";
import { ValidationError } from "../../lib/errors.ts";
import { yaml } from "../../lib/vendor.ts";
import { decoded, deployTemplate, type WriteFile } from "../support/cloud-init.ts";
import { testPublicKey } from "../support/keys.ts";
import { newStack, resources, synthJson, type Json } from "../support/synth.ts";

// The three cluster constructs on each commercial cloud. The drivers have their own tests; these
// check that each construct, written once, comes out whole on every cloud: the right machines,
// addresses, disks, firewall rules, DNS record and user data.

type CloudName = "aws" | "gcp" | "azure";
const CLOUDS: CloudName[] = ["aws", "gcp", "azure"];
const PROFILES: Record<CloudName, () => CloudProfile> = {
  aws: () => aws({ region: "us-east-2", hostedZone: "lab.example.org" }),
  gcp: () => gcp({ project: "my-lab-123456", region: "us-central1", dnsZone: { name: "lab", domain: "lab.example.org" } }),
  azure: () => azure({ location: "eastus2", dnsZone: { name: "lab.example.org", resourceGroup: "dns" } }),
};
const admin = testPublicKey("admin@laptop");
const SSH_FROM = "203.0.113.0/24";

// ---- One view of the JSON, whatever the cloud ----------------------------------------------

interface Machine {
  name: string;
  size: string;
  address?: string;
  meta: Record<string, string>;
  userData: string;
  launchAddress: boolean;
}
/** An ingress rule: the port ("all" for every protocol), where from ("members": the firewall's own machines), and the machines it admits to. */
interface Rule {
  port: string;
  from: string;
  to: string[];
}
interface Volume {
  name: string;
  sizeGiB: number;
  protect: boolean;
  attachedTo: string[];
  id: string;
}
interface DnsRecord {
  fqdn: string;
  type: string;
  ttl: number;
  values: string[];
  zone: string;
}
interface View {
  machines(json: Json): Machine[];
  /** Public addresses held apart from any machine's life, with the machine they are bound to. */
  reserved(json: Json): Array<{ holder: string; address: string }>;
  rules(json: Json): Rule[];
  volumes(json: Json): Volume[];
  records(json: Json): DnsRecord[];
}

/** The resource key a reference `${type.key.attribute}` names. */
const keyOf = (ref: string, type: string): string | undefined => new RegExp(`^\\$\\{${type.replace(/\./g, "\\.")}\\.([^.]+)\\.`).exec(ref)?.[1];
/** A machine's user data kept in a local value: `${base64gzip(local.x)}` or `${base64encode(local.x)}`. */
const fromLocal = (json: Json, expr: string): string | undefined => {
  const name = /^\$\{base64(?:gzip|encode)\(local\.([^)]+)\)\}$/.exec(expr)?.[1];
  return name === undefined ? undefined : (json.locals[name] as string);
};
const named = (json: Json, type: string, nameOf: (body: Json) => string) => (ref: string) => nameOf(resources(json, type)[keyOf(ref, type)!]!);
const sortRules = (rules: Rule[]) => rules.map((r) => ({ ...r, to: [...r.to].sort() })).sort((a, b) => a.port.localeCompare(b.port));
const disk = (name: string, sizeGiB: number, body: Json, attachedTo: string[], id: string): Volume => ({ name, sizeGiB, protect: body.lifecycle?.prevent_destroy === true, attachedTo, id });
const byName = <T extends { name: string }>(items: T[]) => [...items].sort((a, b) => a.name.localeCompare(b.name));

const awsView: View = {
  machines: (json) =>
    Object.values(resources(json, "aws_instance")).map((i) => ({
      name: i.tags.Name,
      size: i.instance_type,
      address: i.private_ip,
      meta: i.tags,
      userData: i.user_data ?? fromLocal(json, i.user_data_base64)!,
      launchAddress: i.associate_public_ip_address === true,
    })),
  reserved: (json) => {
    const machine = named(json, "aws_instance", (i) => i.tags.Name);
    const associations = Object.values(resources(json, "aws_eip_association"));
    return Object.entries(resources(json, "aws_eip")).map(([key, eip]) => ({
      holder: machine(eip.instance ?? associations.find((a) => keyOf(a.allocation_id, "aws_eip") === key)!.instance_id),
      address: `\${aws_eip.${key}.public_ip}`,
    }));
  },
  rules: (json) => {
    const carrying = (sg: string) =>
      Object.values(resources(json, "aws_instance"))
        .filter((i) => i.vpc_security_group_ids.includes(sg))
        .map((i) => i.tags.Name);
    return sortRules(
      Object.values(resources(json, "aws_vpc_security_group_ingress_rule")).map((r) => ({
        port: r.ip_protocol === "-1" ? "all" : r.from_port === r.to_port ? `${r.from_port}` : `${r.from_port}-${r.to_port}`,
        from: r.cidr_ipv4 ?? (r.referenced_security_group_id === r.security_group_id ? "members" : r.referenced_security_group_id),
        to: carrying(r.security_group_id),
      })),
    );
  },
  volumes: (json) => {
    const machine = named(json, "aws_instance", (i) => i.tags.Name);
    const attachments = Object.values(resources(json, "aws_volume_attachment"));
    const on = (key: string) => attachments.filter((a) => keyOf(a.volume_id, "aws_ebs_volume") === key).map((a) => machine(a.instance_id));
    return byName(Object.entries(resources(json, "aws_ebs_volume")).map(([key, v]) => disk(v.tags.Name, v.size, v, on(key), `\${aws_ebs_volume.${key}.id}`)));
  },
  records: (json) =>
    Object.values(resources(json, "aws_route53_record")).map((r) => ({
      fqdn: r.name,
      type: r.type,
      ttl: r.ttl,
      values: r.records,
      zone: json.data.aws_route53_zone[keyOf(r.zone_id, "data.aws_route53_zone")!].name,
    })),
};

const gcpView: View = {
  machines: (json) =>
    Object.values(resources(json, "google_compute_instance")).map((i) => ({
      name: i.name,
      size: i.machine_type,
      address: i.network_interface[0].network_ip,
      meta: i.metadata,
      userData: i.metadata["user-data"],
      // An external address Compute Engine picks at launch: an access config without a reserved nat_ip.
      launchAddress: (i.network_interface[0].access_config ?? []).some((c: Json) => c.nat_ip === undefined),
    })),
  reserved: (json) => {
    const instances = Object.values(resources(json, "google_compute_instance"));
    return Object.keys(resources(json, "google_compute_address")).map((key) => {
      const address = `\${google_compute_address.${key}.address}`;
      return { holder: instances.find((i) => i.network_interface[0].access_config?.[0]?.nat_ip === address)!.name, address };
    });
  },
  rules: (json) => {
    const carrying = (tag: string) =>
      Object.values(resources(json, "google_compute_instance"))
        .filter((i) => i.tags.includes(tag))
        .map((i) => i.name);
    return sortRules(
      Object.values(resources(json, "google_compute_firewall")).map((r) => ({
        port: r.allow[0].protocol === "all" ? "all" : r.allow[0].ports.join(","),
        from: r.source_ranges?.join(",") ?? (r.source_tags.join() === r.target_tags.join() ? "members" : r.source_tags.join(",")),
        to: carrying(r.target_tags[0]),
      })),
    );
  },
  volumes: (json) => {
    const machine = named(json, "google_compute_instance", (i) => i.name);
    const attachments = Object.values(resources(json, "google_compute_attached_disk"));
    const on = (key: string) => attachments.filter((a) => keyOf(a.disk, "google_compute_disk") === key).map((a) => machine(a.instance));
    // The machine knows a disk by its name, which is also its device name (/dev/disk/by-id/google-<name>).
    return byName(Object.entries(resources(json, "google_compute_disk")).map(([key, d]) => disk(d.name, d.size, d, on(key), d.name)));
  },
  records: (json) =>
    Object.values(resources(json, "google_dns_record_set")).map((r) => ({
      fqdn: r.name.replace(/\.$/, ""),
      type: r.type,
      ttl: r.ttl,
      values: r.rrdatas,
      zone: json.data.google_dns_managed_zone[keyOf(r.managed_zone, "data.google_dns_managed_zone")!].name,
    })),
};

/** Azure custom data: a local value Terraform encodes, or base64 (gzip-compressed when large). */
function azureUserData(json: Json, customData: string): string {
  const local = fromLocal(json, customData);
  if (local !== undefined) return local;
  const bytes = Buffer.from(customData, "base64");
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString();
}

const azureView: View = {
  machines: (json) =>
    Object.values(resources(json, "azurerm_linux_virtual_machine")).map((vm) => ({
      name: vm.name,
      size: vm.size,
      meta: vm.tags,
      userData: azureUserData(json, vm.custom_data),
      launchAddress: false,
      address: resources(json, "azurerm_network_interface")[keyOf(vm.network_interface_ids[0], "azurerm_network_interface")!]!.ip_configuration[0].private_ip_address,
    })),
  reserved: (json) => {
    const nics = Object.entries(resources(json, "azurerm_network_interface"));
    const vms = Object.values(resources(json, "azurerm_linux_virtual_machine"));
    return Object.keys(resources(json, "azurerm_public_ip")).map((key) => {
      const nic = nics.find(([, n]) => n.ip_configuration[0].public_ip_address_id === `\${azurerm_public_ip.${key}.id}`)![0];
      return { holder: vms.find((vm) => keyOf(vm.network_interface_ids[0], "azurerm_network_interface") === nic)!.name, address: `\${azurerm_public_ip.${key}.ip_address}` };
    });
  },
  rules: (json) => {
    const vms = Object.values(resources(json, "azurerm_linux_virtual_machine"));
    const joins = Object.values(resources(json, "azurerm_network_interface_application_security_group_association"));
    const carrying = (asg: string) => joins.filter((j) => j.application_security_group_id === asg).map((j) => vms.find((vm) => vm.network_interface_ids[0] === j.network_interface_id)!.name);
    const group = (ids: string[]) => ids.join(",");
    // The stack's NSG also holds drover's baseline (deny the virtual network, allow Azure's load
    // balancer); a firewall's rules are the ones aimed at its application security group.
    return sortRules(
      Object.values(resources(json, "azurerm_network_security_rule"))
        .filter((r) => r.destination_application_security_group_ids)
        .map((r) => ({
          port: r.destination_port_range === "*" ? "all" : r.destination_port_range,
          from:
            r.source_address_prefix ??
            (group(r.source_application_security_group_ids) === group(r.destination_application_security_group_ids) ? "members" : group(r.source_application_security_group_ids)),
          to: carrying(r.destination_application_security_group_ids[0]),
        })),
    );
  },
  volumes: (json) => {
    const machine = named(json, "azurerm_linux_virtual_machine", (vm) => vm.name);
    const attachments = Object.values(resources(json, "azurerm_virtual_machine_data_disk_attachment"));
    const on = (key: string) => attachments.filter((a) => keyOf(a.managed_disk_id, "azurerm_managed_disk") === key).map((a) => machine(a.virtual_machine_id));
    return byName(Object.entries(resources(json, "azurerm_managed_disk")).map(([key, d]) => disk(d.name, d.disk_size_gb, d, on(key), `\${azurerm_managed_disk.${key}.id}`)));
  },
  records: (json) =>
    Object.values(resources(json, "azurerm_dns_a_record")).map((r) => {
      const zone = json.data.azurerm_dns_zone[keyOf(r.zone_name, "data.azurerm_dns_zone")!];
      return { fqdn: `${r.name}.${zone.name}`, type: "A", ttl: r.ttl, values: r.records, zone: `${zone.resource_group_name}/${zone.name}` };
    }),
};

const VIEWS: Record<CloudName, View> = { aws: awsView, gcp: gcpView, azure: azureView };
/** What each cloud's record lookup names the zone by: Route 53 by domain, Cloud DNS by resource name, Azure DNS by resource group and domain. */
const ZONE: Record<CloudName, string> = { aws: "lab.example.org", gcp: "lab", azure: "dns/lab.example.org" };

/** The volume service script in a machine's cloud-config, as the machine writes it. */
function volumesScript(userData: string): string {
  const stand = Object.fromEntries([...userData.matchAll(/\$\{[^}]+\}/g)].map((m) => [m[0], "stand-in"]));
  const doc = yaml().parse(deployTemplate(userData, stand)) as { write_files: WriteFile[] };
  return decoded(doc.write_files.find((f) => f.path === "/usr/local/sbin/drover-volumes")!);
}

/**
 * Snapshot form: user data (plain, in locals, or base64) becomes its size and hash (cloud-init has
 * its own tests), and the provider blocks, which the driver tests own, are left out.
 */
function compact({ terraform: _t, provider: _p, ...json }: Json): Json {
  const long = (v: string) => `<${Buffer.byteLength(v)} bytes sha256:${createHash("sha256").update(v).digest("hex").slice(0, 12)}>`;
  return JSON.parse(JSON.stringify(json, (_, v) => (typeof v === "string" && v.length > 2000 ? long(v) : v))) as Json;
}

/** Every issue of the ValidationError `fn` throws, as [code, "path: message"]. */
function issuesOf(fn: () => unknown): Array<[string, string]> {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => [i.code, `${i.path}: ${i.message}`]);
    throw e;
  }
  throw new Error("expected a ValidationError, nothing was thrown");
}

const keyRequired = (prop: string) =>
  `'${prop}' is required on azure: it creates no Linux machine without an SSH key (password login stays off). Give the content of ~/.ssh/id_ed25519.pub; SSH stays closed unless allowSshFrom opens it`;

// ---- SlurmCluster -----------------------------------------------------------------------------

const slurm: SlurmClusterProps = {
  controller: { size: { vcpus: 8, memoryGiB: 30 } },
  login: { size: { vcpus: 2, memoryGiB: 6 } },
  partitions: [
    { name: "cpu", size: { vcpus: 4, memoryGiB: 15 }, nodes: 2 },
    { name: "gpu", size: { vcpus: 8, memoryGiB: 30, gpu: 1 }, nodes: 1 },
  ],
  sharedStorage: { homeGiB: 200, softwareGiB: 40 },
  allowSshFrom: [SSH_FROM],
  adminPublicKey: admin,
  // The stock image has no NVIDIA driver: as if the person had built one that has it.
  imageHasNvidiaDriver: true,
};

/**
 * The cheapest type that fits each need, worked out from the catalogs (burstable t3 and B-series
 * sizes are on request only and never chosen for a need; a CPU need never takes a GPU type):
 * - AWS (lib/catalog/aws-instances.ts): 8/30 → m7i.2xlarge $0.4032 (c7i.2xlarge has 16 GiB,
 *   r7i.2xlarge costs $0.5292); 2/6 → m7i.large $0.1008 (c7i.large has 4 GiB, r7i.large $0.1323);
 *   4/15 → m7i.xlarge $0.2016; GPU 8/30 → g6.2xlarge $0.9776 (g5.2xlarge $1.212).
 * - GCP (lib/catalog/gcp-machines.ts): E2 is the cheapest series per vCPU and GiB, so the
 *   smallest E2 that fits: e2-standard-8 (8/32), e2-standard-2 (2/8), e2-standard-4 (4/16); GPU
 *   8/30 → g2-standard-8, the smallest G2 with 8 vCPUs (g2-standard-4 has 4).
 * - Azure (lib/catalog/azure-sizes.ts): D8s_v5 $0.384 (F8s_v2 has 16 GiB); D2s_v5 $0.096 (F2s_v2
 *   has 4 GiB); D4s_v5 $0.192; GPU NC8as_T4_v3 (NC4as_T4_v3 has 4 vCPUs).
 * Cost per hour, in dollars: controller + login + 2 cpu + gpu.
 */
const SLURM: Record<CloudName, { controller: string; login: string; cpu: string; gpu: string; usd: string }> = {
  aws: { controller: "m7i.2xlarge", login: "m7i.large", cpu: "m7i.xlarge", gpu: "g6.2xlarge", usd: "1.8848" },
  gcp: { controller: "e2-standard-8", login: "e2-standard-2", cpu: "e2-standard-4", gpu: "g2-standard-8", usd: "1.456678312" },
  azure: { controller: "Standard_D8s_v5", login: "Standard_D2s_v5", cpu: "Standard_D4s_v5", gpu: "Standard_NC8as_T4_v3", usd: "1.616" },
};
/**
 * Nodes reach the internet: on AWS every one with an address from EC2's pool at launch (a
 * reserved Elastic IP takes its place once bound, so first-boot downloads never wait), on GCP with an ephemeral external address, on Azure through default outbound access
 * (docs/clouds.md, "way out to the internet"). Their firewalls admit only the cluster's members.
 */
const LAUNCH_ADDRESSES: Record<CloudName, string[]> = {
  aws: ["hpc-cpu-1", "hpc-cpu-2", "hpc-gpu-1", "hpc-lab-controller", "hpc-lab-login"],
  gcp: ["hpc-cpu-1", "hpc-cpu-2", "hpc-gpu-1", "hpc-lab-controller"],
  azure: [],
};

function buildSlurm(cloud: CloudName, props: Partial<SlurmClusterProps> = {}) {
  const { stack } = newStack("hpc", { cloud: PROFILES[cloud]() });
  const cluster = new SlurmCluster(stack, "lab", { ...slurm, ...props });
  return { cluster, json: synthJson(stack) };
}

describe("SlurmCluster on every cloud", () => {
  it.each(CLOUDS)(
    "GIVEN %s WHEN a cluster with a login node and a GPU partition is synthesized THEN it has the cheapest types at fixed addresses, protected storage on the controller, and SSH on the login node only",
    (cloud) => {
      const { json, cluster } = buildSlurm(cloud);
      const view = VIEWS[cloud];
      const want = SLURM[cloud];
      const machines = view.machines(json);
      // Controller .4 and login .5 of the cluster's /16; partition i takes block i + 1 of 1,024 addresses.
      expect(machines.map((m) => [m.name, m.size, m.address]).sort()).toEqual([
        ["hpc-cpu-1", want.cpu, "10.42.4.1"],
        ["hpc-cpu-2", want.cpu, "10.42.4.2"],
        ["hpc-gpu-1", want.gpu, "10.42.8.1"],
        ["hpc-lab-controller", want.controller, "10.42.0.4"],
        ["hpc-lab-login", want.login, "10.42.0.5"],
      ]);
      expect(cluster.plan.partitions.map((p) => [p.name, p.gpusPerNode])).toEqual([
        ["cpu", 0],
        ["gpu", 1],
      ]);

      // /home, /opt/software and slurmctld's state: protected disks on the controller, listed in its metadata.
      const volumes = view.volumes(json);
      expect(volumes.map(({ id: _, ...v }) => v)).toEqual([
        { name: "hpc-lab-home", sizeGiB: 200, protect: true, attachedTo: ["hpc-lab-controller"] },
        { name: "hpc-lab-software", sizeGiB: 40, protect: true, attachedTo: ["hpc-lab-controller"] },
        { name: "hpc-lab-state", sizeGiB: 5, protect: true, attachedTo: ["hpc-lab-controller"] },
      ]);
      const controller = machines.find((m) => m.name === "hpc-lab-controller")!;
      expect(controller.meta).toMatchObject({
        drover_volume_home: `${volumes[0]!.id}:/home`,
        drover_volume_software: `${volumes[1]!.id}:/opt/software`,
        drover_volume_state: `${volumes[2]!.id}:/var/lib/drover-state`,
      });
      // The volume service reads that list from this cloud's metadata service.
      expect(volumesScript(controller.userData)).toContain(`metadata_source="${cloud}"`);

      // One reserved address, on the login node; SSH from allowSshFrom to it alone; members talk freely.
      const reserved = view.reserved(json);
      expect(reserved.map((r) => r.holder)).toEqual(["hpc-lab-login"]);
      expect(view.rules(json)).toEqual([
        { port: "22", from: SSH_FROM, to: ["hpc-lab-login"] },
        { port: "all", from: "members", to: ["hpc-cpu-1", "hpc-cpu-2", "hpc-gpu-1", "hpc-lab-controller", "hpc-lab-login"] },
      ]);
      expect(
        machines
          .filter((m) => m.launchAddress)
          .map((m) => m.name)
          .sort(),
      ).toEqual(LAUNCH_ADDRESSES[cloud]);
      expect(json.output.lab_login_address.value).toBe(reserved[0]!.address);
      expect(json.output.lab_ssh.value).toBe(`ssh ubuntu@${reserved[0]!.address}`);
      // 8 + 2 + 2 × 4 + 8 cores; the catalogs count cost in dollars where Jetstream2 counts SU.
      expect(cluster.summary).toBe(`hpc_lab: cpu* 2×${want.cpu}, gpu 1×${want.gpu}; 16 compute cores, 1 GPU, 3 compute nodes; ${want.usd} SU/hour idle, ${want.usd} SU/hour at full scale`);
      expect(compact(json)).toMatchSnapshot();
    },
  );

  it("GIVEN AWS THEN every address outside the DHCP pool is reserved in the subnet, so EC2 never hands a node's address to another machine", () => {
    const { json } = buildSlurm("aws");
    const ranges = Object.values(resources(json, "aws_ec2_subnet_cidr_reservation"))
      .map((r) => {
        expect(r).toMatchObject({ reservation_type: "explicit", subnet_id: expect.stringMatching(/^\$\{aws_subnet\.lab_Subnet_[^.]+\.id\}$/) });
        const [ip, prefix] = (r.cidr_block as string).split("/");
        const [, , c, d] = ip!.split(".").map(Number);
        const first = c! * 256 + d!;
        return [first, first + 2 ** (32 - Number(prefix)) - 1] as const;
      })
      .sort((a, b) => a[0] - b[0]);
    // Merge adjacent ranges: what is left must be .4-.9 (controller, login, spare) and everything from
    // the end of the DHCP pool (10.42.3.254) up to 10.42.255.254 (EC2 keeps .0-.3 and .255.255).
    const merged: Array<[number, number]> = [];
    for (const [a, b] of ranges) {
      const last = merged[merged.length - 1];
      if (last && last[1] + 1 === a) last[1] = b;
      else merged.push([a, b]);
    }
    expect(merged).toEqual([
      [4, 9],
      [3 * 256 + 255, 255 * 256 + 254],
    ]);
  });

  it.each(CLOUDS)("GIVEN %s and its stock image (no NVIDIA driver) WHEN a partition has GPUs THEN synth refuses it, naming the partition, the image and the fix", (cloud) => {
    const { imageHasNvidiaDriver: _, ...stock } = slurm;
    const refused = (props: Partial<SlurmClusterProps>) => issuesOf(() => new SlurmCluster(newStack("hpc", { cloud: PROFILES[cloud]() }).stack, "lab", { ...stock, ...props }));
    const message = (why: string) =>
      `hpc/lab: 'partitions[1]' (gpu) has GPUs (${SLURM[cloud].gpu}), and 'image' "ubuntu-24.04" has no NVIDIA driver drover knows of (${why}): its nodes would wait for /dev/nvidia0 and never run a job. ` +
      "Allowed: an image with the driver. Fix: give 'image' such an image (your own: also set imageHasNvidiaDriver: true), or give the partition a size without a GPU";
    expect(refused({})).toEqual([["slurm.gpu-no-driver", message(`${cloud} does not list it as one with the driver`)]]);
    expect(refused({ imageHasNvidiaDriver: false })).toEqual([["slurm.gpu-no-driver", message("'imageHasNvidiaDriver' is false")]]);
    // Without a GPU partition, nothing is said.
    expect(() => new SlurmCluster(newStack("hpc", { cloud: PROFILES[cloud]() }).stack, "lab", { ...stock, partitions: [slurm.partitions[0]!] })).not.toThrow();
  });

  it.each(CLOUDS)("GIVEN %s THEN elastic partitions and Manila shares are refused, naming the cloud", (cloud) => {
    expect(issuesOf(() => buildSlurm(cloud, { partitions: [{ name: "cpu", size: { vcpus: 4, memoryGiB: 15 }, nodes: 1, elastic: { max: 4 } }] }))).toEqual([
      ["slurm.no-elastic", `hpc/lab: elastic nodes need a credential drover can create on ${cloud}, which it cannot yet: use static nodes only`],
    ]);
    expect(issuesOf(() => buildSlurm(cloud, { sharedStorage: { kind: "manila", homeGiB: 200 } }))).toEqual([
      ["slurm.no-shares", `hpc/lab: 'sharedStorage.kind' "manila" needs shares, which ${cloud} does not offer: use kind "nfs"`],
    ]);
  });
});

// ---- JupyterHubCluster ------------------------------------------------------------------------

const hubProps: JupyterHubClusterProps = {
  users: 30,
  profile: { cpu: 1, memoryGiB: 2 },
  auth: { kind: "workshop" },
  https: { letsEncryptEmail: "ops@example.org" },
  adminPublicKey: admin,
};

/**
 * 30 users and 10% headroom: 33 seats of 1 vCPU and 2 GiB. A user node keeps 0.5 vCPU and
 * 1 GiB + 5% for the system (lib/jupyterhub/capacity.ts), so an 8-vCPU node with 16 GiB or more
 * holds 7 users (7.5 vCPUs left): 5 nodes. That beats 11 nodes of 4 vCPUs (3 users each) and
 * 3 nodes of 16 vCPUs on each catalog:
 * - AWS: 5 × c7i.2xlarge $1.785; 11 × c7i.xlarge $1.9635; 3 × c7i.4xlarge $2.142; 5 × m7i.2xlarge $2.016.
 * - GCP: 5 × e2-standard-8 $1.34; 11 × e2-standard-4 $1.474; 3 × e2-standard-16 $1.608.
 * - Azure: 5 × F8s_v2 $1.69; 11 × F4s_v2 $1.859; 5 × D8s_v5 $1.92.
 * The control plane is the cheapest type with 2 vCPUs and 4 GiB.
 */
const HUB: Record<CloudName, { agent: string; server: string }> = {
  aws: { agent: "c7i.2xlarge", server: "c7i.large" },
  gcp: { agent: "e2-standard-8", server: "e2-standard-2" },
  azure: { agent: "Standard_F8s_v2", server: "Standard_F2s_v2" },
};

describe("JupyterHubCluster on every cloud", () => {
  it.each(CLOUDS)(
    "GIVEN %s WHEN a 30-user workshop hub is synthesized THEN the k3s server holds the reserved address at its fixed address, agents sit behind it, and the hub has its name",
    async (cloud) => {
      const { app, stack } = newStack("class", { cloud: PROFILES[cloud]() });
      const hub = new JupyterHubCluster(stack, "hub", hubProps);
      const json = synthJson(stack);
      const view = VIEWS[cloud];
      const agents = [1, 2, 3, 4, 5].map((n) => `class-hub-agent-${n}`);
      expect(
        view
          .machines(json)
          .map((m) => [m.name, m.size, m.address])
          .sort(),
      ).toEqual([...agents.map((a) => [a, HUB[cloud].agent, undefined]), ["class-hub-server", HUB[cloud].server, "10.44.0.4"]]);
      expect(hub.capacity.userNodes.usersPerNode).toBe(7);

      const reserved = view.reserved(json);
      expect(reserved.map((r) => r.holder)).toEqual(["class-hub-server"]);
      // The web open to everyone on the server only; no SSH without allowSshFrom.
      expect(view.rules(json)).toEqual([
        { port: "443", from: "0.0.0.0/0", to: ["class-hub-server"] },
        { port: "80", from: "0.0.0.0/0", to: ["class-hub-server"] },
        { port: "all", from: "members", to: [...agents, "class-hub-server"] },
      ]);
      expect(view.records(json)).toEqual([{ fqdn: "class-hub.lab.example.org", type: "A", ttl: 300, values: [reserved[0]!.address], zone: ZONE[cloud] }]);
      expect(json.output.hub_url.value).toBe("https://class-hub.lab.example.org");
      expect(json.output.hub_address.value).toBe(reserved[0]!.address);
      expect(json.output.hub_nodes.value).toBe(`5 × ${HUB[cloud].agent} (7 users each) + ${HUB[cloud].server} control plane`);
      // The server installs the chart with the password filled in by Terraform; agents never see it.
      const server = view.machines(json).find((m) => m.name === "class-hub-server")!;
      expect(server.userData).toMatch(/user_password: "\$\{random_password\.hub_WorkshopPassword_[^.]+\.result\}"/);
      expect(view.machines(json).find((m) => m.name === "class-hub-agent-1")!.userData).not.toContain("random_password.hub_WorkshopPassword");

      // The chart values, rendered for review: the certificate's host and the sizes of the profile.
      app.synth();
      await settleWrites();
      const values = yaml().parse(readFileSync(join(app.outdir, "stacks", "class", "files", "hub", "values.yaml"), "utf8"));
      expect(values.proxy.https).toEqual({ enabled: true, type: "letsencrypt", hosts: ["class-hub.lab.example.org"], letsencrypt: { contactEmail: "ops@example.org" } });
      expect(values.hub.config.JupyterHub).toEqual({ authenticator_class: "shared-password" });
      expect(values.singleuser).toMatchObject({ cpu: { guarantee: 1, limit: 1 }, memory: { guarantee: "2G", limit: "2G" }, storage: { type: "dynamic", capacity: "10Gi" } });
      expect(values.scheduling.userPods.nodeAffinity.matchNodePurpose).toBe("require");
      expect(compact(json)).toMatchSnapshot();
    },
  );

  it.each(CLOUDS)("GIVEN %s THEN kubernetes: magnum is refused: there is no managed Kubernetes drover can make there", (cloud) => {
    const { stack } = newStack("class", { cloud: PROFILES[cloud]() });
    expect(issuesOf(() => new JupyterHubCluster(stack, "hub", { ...hubProps, kubernetes: "magnum" }))).toEqual([
      ["hub.no-magnum", `class/hub: 'kubernetes' "magnum" needs the cloud's managed Kubernetes, which drover cannot create on ${cloud}: use "k3s"`],
    ]);
  });
});

// ---- GatewayHost ------------------------------------------------------------------------------

const portal: GatewayHostProps = {
  size: { vcpus: 2, memoryGiB: 8 },
  hostname: "portal",
  app: { image: "ghcr.io/example/portal:1.4", port: 8000 },
  tls: { letsEncryptEmail: "ops@example.org" },
  allowSshFrom: [SSH_FROM],
  publicKey: admin,
  dataVolumeGiB: 50,
};
/** 2 vCPUs and 8 GiB: m7i.large ($0.1008; c7i.large has 4 GiB), e2-standard-2, Standard_D2s_v5 ($0.096; F2s_v2 has 4 GiB). */
const GATEWAY_SIZE: Record<CloudName, string> = { aws: "m7i.large", gcp: "e2-standard-2", azure: "Standard_D2s_v5" };

function buildGateway(cloud: CloudName, props: Partial<GatewayHostProps> = {}) {
  const { stack } = newStack("gw", { cloud: PROFILES[cloud]() });
  const host = new GatewayHost(stack, "portal", { ...portal, ...props });
  return { host, json: synthJson(stack) };
}

describe("GatewayHost on every cloud", () => {
  it.each(CLOUDS)("GIVEN %s THEN one machine with a reserved address and a DNS name, the web open to all, SSH from one range, and a protected data disk", (cloud) => {
    const { json, host } = buildGateway(cloud);
    const view = VIEWS[cloud];
    const machines = view.machines(json);
    // On AWS a launch address until the Elastic IP is bound; elsewhere the reserved one from the start.
    expect(machines.map((m) => [m.name, m.size, m.launchAddress])).toEqual([["gw-portal", GATEWAY_SIZE[cloud], cloud === "aws"]]);
    const reserved = view.reserved(json);
    expect(reserved.map((r) => r.holder)).toEqual(["gw-portal"]);
    expect(view.records(json)).toEqual([{ fqdn: "portal.lab.example.org", type: "A", ttl: 300, values: [reserved[0]!.address], zone: ZONE[cloud] }]);
    expect(view.rules(json)).toEqual([
      { port: "22", from: SSH_FROM, to: ["gw-portal"] },
      { port: "443", from: "0.0.0.0/0", to: ["gw-portal"] },
      { port: "80", from: "0.0.0.0/0", to: ["gw-portal"] },
    ]);
    const volumes = view.volumes(json);
    expect(volumes.map(({ id: _, ...v }) => v)).toEqual([{ name: "gw-portal-data", sizeGiB: 50, protect: true, attachedTo: ["gw-portal"] }]);
    expect(machines[0]!.meta.drover_volume_data).toBe(`${volumes[0]!.id}:/srv/data`);
    expect(volumesScript(machines[0]!.userData)).toContain(`metadata_source="${cloud}"`);
    expect(host.fqdn).toBe("portal.lab.example.org");
    expect(json.output.portal_url.value).toBe("https://portal.lab.example.org");
    expect(json.output.portal_address.value).toBe(reserved[0]!.address);
    expect(json.output.portal_ssh.value).toBe("ssh ubuntu@portal.lab.example.org");
    expect(compact(json)).toMatchSnapshot();
  });

  it("GIVEN AWS THEN the user data, past EC2's 16 KB, goes gzip-compressed by Terraform from a local value holding the cloud-config", () => {
    const { json } = buildGateway("aws");
    const instance = Object.values(resources(json, "aws_instance"))[0]!;
    expect(instance).not.toHaveProperty("user_data");
    expect(instance.user_data_base64).toMatch(/^\$\{base64gzip\(local\.portal_UserData_[0-9A-F]{8}\)\}$/);
    const local = json.locals[instance.user_data_base64.slice("${base64gzip(local.".length, -2)] as string;
    expect(local.startsWith("#cloud-config\n# drover: science gateway portal.lab.example.org")).toBe(true);
    expect(Buffer.byteLength(local)).toBeGreaterThan(AWS_USER_DATA_MAX_BYTES);
    expect(volumesScript(local)).toContain('metadata_source="aws"');
  });
});

// ---- Azure makes no machine without a key -----------------------------------------------------

describe("every construct on Azure", () => {
  it.each([
    {
      construct: "SlurmCluster",
      build: () => buildSlurm("azure", { adminPublicKey: undefined }),
      issues: [
        ["slurm.key-required", `hpc/lab: ${keyRequired("adminPublicKey")}`],
        ["slurm.no-key", "hpc/lab: 'allowSshFrom' opens SSH but nobody has a key: add 'users' with their public keys, or 'adminPublicKey'"],
      ],
    },
    {
      construct: "JupyterHubCluster",
      build: () => new JupyterHubCluster(newStack("class", { cloud: PROFILES.azure() }).stack, "hub", { ...hubProps, adminPublicKey: undefined }),
      issues: [["hub.key-required", `class/hub: ${keyRequired("adminPublicKey")}`]],
    },
    {
      construct: "GatewayHost",
      build: () => buildGateway("azure", { publicKey: undefined }),
      issues: [["gateway.key-required", `gw/portal: ${keyRequired("publicKey")}`]],
    },
  ])("GIVEN no SSH key THEN $construct is refused, naming the prop", ({ build, issues }) => {
    expect(issuesOf(build)).toEqual(issues);
  });
});
