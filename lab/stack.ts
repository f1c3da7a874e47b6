import { readFile } from "node:fs/promises";
import { evaluateWithTerraform, type StackConfig } from "./fill.ts";
import { LabValues, firstHost, ipToNumber, numberToIp, type LabCloud } from "./values.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Body = Record<string, Json>;

/**
 * A synthesized OpenStack stack as the lab boots it: its machines with their user data and
 * metadata filled in (as an apply would), the networks they sit on, their volumes, floating IPs
 * and DNS records, and the credential elastic nodes are made with.
 */
export interface LabSubnet {
  /** `openstack_networking_subnet_v2.<name>` */
  readonly address: string;
  readonly id: string;
  readonly networkId: string;
  readonly cidr: string;
  readonly prefix: number;
  readonly gateway: string;
}

export interface LabVolume {
  readonly id: string;
  readonly name: string;
  readonly sizeGiB: number;
}

export interface LabMachine {
  /** The resource's name in the configuration (its Terraform address is `openstack_compute_instance_v2.<key>`). */
  readonly key: string;
  /** The server's name: its hostname. */
  readonly name: string;
  readonly id: string;
  readonly flavor: string;
  readonly image: string;
  readonly userData: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** The machine's fixed address and its subnet. */
  readonly address: string;
  readonly subnet: LabSubnet;
  readonly securityGroupIds: readonly string[];
  readonly publicAddress?: string;
  readonly volumes: readonly LabVolume[];
  /** The key pair's public key, which the cloud hands to cloud-init (the image's own account). */
  readonly publicKeys: readonly string[];
}

export interface LabStack {
  readonly name: string;
  readonly machines: readonly LabMachine[];
  readonly subnets: readonly LabSubnet[];
  readonly securityGroupIds: Readonly<Record<string, string>>;
  /** A records the stack makes (name without the trailing dot → addresses). */
  readonly dns: ReadonlyArray<{ readonly name: string; readonly addresses: readonly string[] }>;
  /** Every resource of the stack with its values filled in, by `type.name`. */
  readonly resources: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** What the lab handed out for the resources: a later load of the stack reuses it, as a state file does. */
  readonly values: LabValues;
  /** The application credential the stack creates, with its access rules. */
  readonly credential?: { readonly id: string; readonly secret: string; readonly accessRules: ReadonlyArray<{ service: string; method: string; path: string }> };
}

const refName = (value: Json | undefined): string | undefined => {
  const m = typeof value === "string" ? /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(value) : null;
  return m?.[1];
};

export interface LabNetworkPlan {
  /** Floating IPs come from here (a documentation range: never routed anywhere). */
  readonly publicRange: string;
}

/**
 * Reads `cdk.tf.json`, gives every resource the values an apply would, lets terraform fill in
 * the templates, and returns the machines to boot.
 */
export async function loadLabStack(
  name: string,
  configPath: string,
  terraform: string,
  workDir: string,
  cloud: Omit<LabCloud, "allocateAddress" | "allocatePublicAddress">,
  network: LabNetworkPlan,
  /** The stack as deployed before: its resources keep their IDs and values, as Terraform's state keeps them. */
  previous?: LabStack,
): Promise<LabStack> {
  const config = JSON.parse(await readFile(configPath, "utf8")) as StackConfig;
  const resources = config.resource ?? {};
  const subnetsByAddress = new Map<string, Body>(Object.entries(resources.openstack_networking_subnet_v2 ?? {}).map(([n, b]) => [`openstack_networking_subnet_v2.${n}`, b]));
  const taken = new Set<string>();
  for (const port of Object.values(resources.openstack_networking_port_v2 ?? {})) {
    for (const ip of (port.fixed_ip as Body[] | undefined) ?? []) if (typeof ip.ip_address === "string") taken.add(ip.ip_address);
  }
  const nextInSubnet = new Map<string, number>();
  let nextPublic = ipToNumber(network.publicRange.split("/")[0]!) + 10;
  const values =
    previous?.values ??
    new LabValues({
      ...cloud,
      allocateAddress(subnetRef) {
        const subnet = subnetsByAddress.get(refName(subnetRef) ?? "");
        if (!subnet) throw new Error(`a port's subnet ${subnetRef} is not a subnet of the stack: the lab cannot give it an address`);
        const cidr = String(subnet.cidr);
        const pool = (subnet.allocation_pool as Body[] | undefined)?.[0];
        let n = nextInSubnet.get(cidr) ?? (pool ? ipToNumber(String(pool.start)) : ipToNumber(firstHost(cidr)) + 9);
        while (taken.has(numberToIp(n))) n++;
        taken.add(numberToIp(n));
        nextInSubnet.set(cidr, n + 1);
        return numberToIp(n);
      },
      allocatePublicAddress: () => numberToIp(nextPublic++),
    });

  const wanted: Record<string, Json> = {};
  for (const [type, items] of Object.entries(resources)) {
    if (!type.startsWith("openstack_") && type !== "terraform_data") continue;
    for (const n of Object.keys(items)) wanted[`${type}.${n}`] = `\${${type}.${n}}`;
  }
  const filled = (await evaluateWithTerraform(terraform, workDir, config, values, wanted)) as Record<string, Body>;
  const of = (type: string) =>
    Object.entries(filled)
      .filter(([k]) => k.startsWith(`${type}.`))
      .map(([k, v]) => [k.slice(type.length + 1), v] as const);

  const subnets: LabSubnet[] = of("openstack_networking_subnet_v2").map(([n, b]) => ({
    address: `openstack_networking_subnet_v2.${n}`,
    id: String(b.id),
    networkId: String(b.network_id),
    cidr: String(b.cidr),
    prefix: Number(String(b.cidr).split("/")[1]),
    gateway: String(b.gateway_ip),
  }));
  const ports = new Map(of("openstack_networking_port_v2").map(([, b]) => [String(b.id), b]));
  const volumes = new Map(of("openstack_blockstorage_volume_v3").map(([, b]) => [String(b.id), { id: String(b.id), name: String(b.name), sizeGiB: Number(b.size) }]));
  const publicByPort = new Map(of("openstack_networking_floatingip_associate_v2").map(([, b]) => [String(b.port_id), String(b.floating_ip)]));
  const attachments = of("openstack_compute_volume_attach_v2").map(([, b]) => ({ instance: String(b.instance_id), volume: String(b.volume_id) }));
  const keyPairs = new Map(of("openstack_compute_keypair_v2").map(([, b]) => [String(b.name), String(b.public_key)]));
  const securityGroupIds = Object.fromEntries(of("openstack_networking_secgroup_v2").map(([, b]) => [String(b.name), String(b.id)]));

  const machines: LabMachine[] = of("openstack_compute_instance_v2").map(([key, b]) => {
    const networks = (b.network as Body[] | undefined) ?? [];
    const port = ports.get(String(networks[0]?.port ?? ""));
    if (!port) throw new Error(`${b.name}: the lab boots machines on a port of the stack's own network; this one has ${JSON.stringify(networks)}`);
    const address = String((port.all_fixed_ips as Json[])[0]);
    const subnet = subnets.find((s) => s.id === String((port.fixed_ip as Body[])[0]?.subnet_id));
    if (!subnet) throw new Error(`${b.name}: its port is on a subnet the stack does not create`);
    const publicAddress = publicByPort.get(String(port.id));
    return {
      key,
      name: String(b.name),
      id: String(b.id),
      flavor: String(b.flavor_name),
      image: String(b.image_name),
      userData: String(b.user_data ?? ""),
      metadata: Object.fromEntries(Object.entries((b.metadata as Body | undefined) ?? {}).map(([k, v]) => [k, String(v)])),
      address,
      subnet,
      securityGroupIds: ((port.security_group_ids as Json[] | undefined) ?? []).map(String),
      ...(publicAddress ? { publicAddress } : {}),
      volumes: attachments
        .filter((a) => a.instance === String(b.id))
        .map((a) => volumes.get(a.volume)!)
        .filter(Boolean),
      publicKeys: typeof b.key_pair === "string" && keyPairs.has(b.key_pair) ? [keyPairs.get(b.key_pair)!] : [],
    };
  });

  const dns = of("openstack_dns_recordset_v2")
    .filter(([, b]) => (b.type ?? "A") === "A")
    .map(([, b]) => ({ name: String(b.name).replace(/\.$/, ""), addresses: ((b.records as Json[] | undefined) ?? []).map(String) }));
  const credentials = of("openstack_identity_application_credential_v3");
  const credential = credentials[0]?.[1];
  return {
    name,
    values,
    resources: filled,
    machines,
    subnets,
    securityGroupIds,
    dns,
    ...(credential
      ? {
          credential: {
            id: String(credential.id),
            secret: String(credential.secret),
            accessRules: ((credential.access_rules as Body[] | undefined) ?? []).map((r) => ({ service: String(r.service), method: String(r.method), path: String(r.path) })),
          },
        }
      : {}),
  };
}
