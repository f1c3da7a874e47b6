import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ComputedValues } from "./fill.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * What an apply on an OpenStack cloud computes, made up for the lab: IDs, the addresses the
 * cloud hands out, the credential's secret, random values. Everything here stays inside the
 * lab's work directory.
 */
export interface LabCloud {
  /** Keystone's catalog as the stand-in serves it (the auth-scope data source's `service_catalog`). */
  readonly catalog: Json;
  readonly region: string;
  readonly projectId: string;
  /** The credential the stand-in accepts: every application credential of the stack is this one. */
  readonly credential: { readonly id: string; readonly secret: string };
  /** The next address for a port without a fixed one, in the given subnet (by its resource address). */
  allocateAddress(subnet: string): string;
  /** The next floating IP. */
  allocatePublicAddress(): string;
}

export class LabValues implements ComputedValues {
  /** Computed attributes handed out, by `type.name`: the lab reads IDs back from here. */
  readonly given = new Map<string, Record<string, Json>>();

  constructor(private readonly cloud: LabCloud) {}

  private remember(address: string, values: Record<string, Json>): Record<string, Json> {
    const known = this.given.get(address);
    if (known) return known;
    this.given.set(address, values);
    return values;
  }

  resource(type: string, name: string, config: Record<string, Json>): Record<string, Json> {
    const id = randomUUID();
    const address = `${type}.${name}`;
    switch (type) {
      case "random_bytes": {
        const bytes = randomBytes(Number(config.length ?? 32));
        return this.remember(address, { id: bytes.toString("base64"), base64: bytes.toString("base64"), hex: bytes.toString("hex") });
      }
      case "random_password":
      case "random_string": {
        const result = randomBytes(Number(config.length ?? 16) * 2)
          .toString("base64url")
          .slice(0, Number(config.length ?? 16));
        return this.remember(address, { id: "none", result, bcrypt_hash: "" });
      }
      case "random_id": {
        const bytes = randomBytes(Number(config.byte_length ?? 8));
        return this.remember(address, {
          id: bytes.toString("base64url"),
          hex: bytes.toString("hex"),
          b64_url: bytes.toString("base64url"),
          b64_std: bytes.toString("base64"),
          dec: BigInt(`0x${bytes.toString("hex")}`).toString(),
        });
      }
      case "random_uuid":
        return this.remember(address, { id, result: id });
      // A JupyterHubCluster's k3s server CA: a real key and certificate, as k3s checks one against
      // the other. One pair per stack (the one hub a lab stack holds), so the certificate is
      // made from the key whichever resource is filled first.
      case "tls_private_key":
        return this.remember(address, { id, private_key_pem: this.ca().key, public_key_pem: "" });
      case "tls_self_signed_cert":
        return this.remember(address, { id, cert_pem: this.ca().cert });
      case "openstack_identity_application_credential_v3":
        return this.remember(address, { id: this.cloud.credential.id, secret: this.cloud.credential.secret, project_id: this.cloud.projectId, region: this.cloud.region });
      case "openstack_networking_port_v2": {
        const fixed = Array.isArray(config.fixed_ip) ? (config.fixed_ip as Array<Record<string, Json>>) : [];
        // A port without a fixed address gets the next free one of its subnet, as Neutron's DHCP would.
        const addresses = fixed.map((ip) => (typeof ip.ip_address === "string" ? ip.ip_address : this.cloud.allocateAddress(String(ip.subnet_id ?? ""))));
        return this.remember(address, {
          id,
          all_fixed_ips: addresses,
          fixed_ip: fixed.map((ip, i) => ({ ...ip, ip_address: addresses[i]! })),
          mac_address: `fa:16:3e:${randomBytes(3).toString("hex").match(/../g)!.join(":")}`,
        });
      }
      case "openstack_networking_floatingip_v2":
        return this.remember(address, { id, address: this.cloud.allocatePublicAddress() });
      case "openstack_networking_subnet_v2": {
        const cidr = String(config.cidr ?? "");
        return this.remember(address, { id, gateway_ip: typeof config.gateway_ip === "string" ? config.gateway_ip : firstHost(cidr) });
      }
      case "openstack_compute_instance_v2":
        return this.remember(address, { id, access_ip_v4: "" });
      default:
        return this.remember(address, { id });
    }
  }

  private caPair: { key: string; cert: string } | undefined;

  /** An ECDSA P-256 CA, as hashicorp/tls makes it for the stack, signed by openssl. */
  private ca(): { key: string; cert: string } {
    if (this.caPair) return this.caPair;
    const key = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
    const dir = mkdtempSync(join(tmpdir(), "lab-ca-"));
    try {
      writeFileSync(join(dir, "ca.key"), key, { mode: 0o600 });
      const cert = execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-new",
          "-key",
          join(dir, "ca.key"),
          "-subj",
          "/CN=lab-server-ca",
          "-days",
          "3650",
          "-addext",
          "basicConstraints=critical,CA:TRUE",
          "-addext",
          "keyUsage=critical,keyCertSign,cRLSign,digitalSignature,keyEncipherment",
        ],
        { encoding: "utf8" },
      );
      this.caPair = { key, cert };
      return this.caPair;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  data(type: string, name: string, config: Record<string, Json>): Record<string, Json> {
    const address = `data.${type}.${name}`;
    switch (type) {
      case "openstack_identity_auth_scope_v3":
        return this.remember(address, { id: randomUUID(), project_id: this.cloud.projectId, region: this.cloud.region, service_catalog: this.cloud.catalog });
      case "openstack_dns_zone_v2":
        return this.remember(address, { id: randomUUID(), name: String(config.name ?? "") });
      default:
        return this.remember(address, { id: randomUUID() });
    }
  }

  variable(name: string, declaration: Record<string, Json>): Json {
    // Secrets a stack takes as variables (an OAuth client secret, say): made up, as a person would
    // type them in.
    return declaration.default ?? `lab-${name}-${randomBytes(12).toString("hex")}`;
  }
}

/** The first host of an IPv4 range, where OpenStack puts a subnet's gateway by default. */
export function firstHost(cidr: string): string {
  const [base, bits] = cidr.split("/");
  const parts = (base ?? "").split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || !bits) throw new Error(`not an IPv4 range: ${cidr}`);
  const n = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
  return numberToIp(((n & mask) >>> 0) + 1);
}

export function ipToNumber(ip: string): number {
  return ip.split(".").reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join(".");
}
