import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { allowedBy, type AccessRule as LibAccessRule } from "../../lib/slurm/access-rules.ts";

/**
 * A small stand-in for an OpenStack cloud, enough for the real `openstack` CLI commands drover's
 * Slurm programs run, for the destroy-time reaper and for the lab (which boots a machine for each
 * server created, see `onServerCreate`, and enforces the credential's access rules): Keystone v3 (tokens from application
 * credentials, with a catalog), Nova (servers, flavors, key pairs), Neutron (ports, networks,
 * subnets, security groups, extensions) and Glance (images). Written from the public API
 * reference; it keeps everything in memory and listens on 127.0.0.1 unless told otherwise (the lab: its own
 * private network).
 *
 * Every request is recorded (`requests`) with its parsed query and body. A test can make a call
 * fail (`failOn`), let deleted servers linger for a number of reads (`setDeletePolls`), and seed
 * servers and ports (`addServer`, `addPort`), e.g. another cluster's.
 *
 * The catalog also lists endpoints that lead nowhere (the `internal` interface, and a second
 * region), so a client that picks the wrong one fails.
 */

export type Service = "identity" | "compute" | "network" | "image";

export interface RecordedRequest {
  readonly service: Service | "unknown";
  readonly method: string;
  /** Path below the service's root in the catalog's URL, e.g. `/v2.1/servers/<id>`. */
  readonly path: string;
  /** Query parameters; a parameter given more than once is a list. */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /** The JSON body, parsed (undefined without one). */
  readonly body?: unknown;
  /** The compute microversion asked for, when one was. */
  readonly microversion?: string;
  readonly status: number;
}

/** A call to answer with an error: every field given must match the request. */
export interface Fault {
  readonly service?: Service;
  readonly method?: string;
  /** Matched against the recorded path (without the query). */
  readonly path?: string | RegExp;
  /** @default 500 */
  readonly status?: number;
  /** How many matching calls fail. @default - every one until removed */
  readonly times?: number;
}

export interface MockServer {
  readonly id: string;
  readonly name: string;
  readonly flavorId: string;
  readonly imageId: string;
  readonly keyName: string | null;
  readonly tags: readonly string[];
  /** Port IDs the server was created with. */
  readonly portIds: readonly string[];
  /** The user data, decoded (undefined when none was given). */
  readonly userData?: string;
  readonly status: string;
  /** Set once a delete was asked for. */
  readonly deleting: boolean;
  /** The microversion the server was created with. */
  readonly microversion: string;
}

export interface MockPort {
  readonly id: string;
  readonly name: string;
  readonly networkId: string;
  readonly fixedIps: ReadonlyArray<{ readonly subnet_id: string; readonly ip_address: string }>;
  readonly securityGroups: readonly string[];
  readonly tags: readonly string[];
  readonly deviceId: string;
  readonly deviceOwner: string;
}

export interface OpenStackMock {
  /** Keystone v3 URL for clouds.yaml `auth_url` or DROVER_AUTH_URL. */
  readonly authUrl: string;
  readonly region: string;
  readonly applicationCredential: { readonly id: string; readonly secret: string };
  /** IDs of the seeded network, subnet (10.42.0.0/16), security group, image and key pair. */
  readonly ids: { readonly network: string; readonly subnet: string; readonly securityGroup: string; readonly image: string };
  /** The stand-in's root URL (`http://host:port`). */
  readonly baseUrl: string;
  readonly imageName: string;
  readonly keyName: string;
  readonly requests: readonly RecordedRequest[];
  /** Requests the access rules refused since the stand-in started (`clearRequests` keeps these). */
  readonly refused: readonly RecordedRequest[];
  /** Servers that exist now (deleting ones included until they are gone). */
  servers(): MockServer[];
  ports(): MockPort[];
  addServer(server: { name: string; tags?: readonly string[]; flavor?: string; portIds?: readonly string[] }): MockServer;
  addPort(port: { name: string; tags?: readonly string[]; ip?: string; deviceId?: string }): MockPort;
  /** Answers matching calls with an error; returns a function that removes the fault. */
  failOn(fault: Fault): () => void;
  clearFaults(): void;
  /** A deleted server stays visible (status ACTIVE, task state deleting) for this many reads. @default 0 */
  setDeletePolls(n: number): void;
  /** Appends lines to a server's console log (what `os-getConsoleOutput` returns). */
  writeConsole(serverId: string, text: string): void;
  /** Forgets the recorded requests. */
  clearRequests(): void;
  close(): Promise<void>;
}

/** One Keystone access rule of an application credential (`service` is the catalog type). */
export interface AccessRule {
  readonly service: string;
  readonly method: string;
  /** `*` stands for one path segment, `**` for any number of them. */
  readonly path: string;
}

export interface OpenStackMockOptions {
  readonly region?: string;
  /** Largest page a list returns (Nova's max_limit, Neutron's pagination). @default 1000 */
  readonly pageSize?: number;
  /** Address to listen on. @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** IDs of the seeded network, subnet and security group. @default - random UUIDs */
  readonly ids?: Partial<OpenStackMock["ids"]>;
  /** Further security groups ports may use (ID → name), beside the seeded one. */
  readonly securityGroups?: Readonly<Record<string, string>>;
  /** The seeded subnet's range; its gateway is the first address. @default "10.42.0.0/16" */
  readonly subnetCidr?: string;
  /** @default "Featured-Ubuntu24" */
  readonly imageName?: string;
  /** The one application credential the stand-in accepts. @default - a random one */
  readonly credential?: { readonly id: string; readonly secret: string };
  /**
   * The credential's access rules. When given, a request that none of them allows is refused
   * with 401, as Keystone refuses a token whose rules do not cover the request; discovery
   * documents and token requests are not checked, as Keystone does not check them.
   * @default - the credential may make every request
   */
  readonly accessRules?: readonly AccessRule[];
  /** Neutron extensions (by alias) this cloud lacks, as an older Neutron would. @default [] */
  readonly withoutExtensions?: readonly string[];
  /** Told of each server created (the lab boots a machine for it). */
  readonly onServerCreate?: (server: MockServer, ports: readonly MockPort[]) => void;
  /** Told of each server deleted (the lab stops its machine). */
  readonly onServerDelete?: (server: MockServer) => void;
}

/** Flavors as Jetstream2 names them (vCPUs, RAM MiB, disk GB). */
const FLAVORS: ReadonlyArray<{ id: string; name: string; vcpus: number; ram: number; disk: number }> = [
  { id: "3", name: "m3.small", vcpus: 2, ram: 6144, disk: 20 },
  { id: "4", name: "m3.quad", vcpus: 4, ram: 15360, disk: 20 },
  { id: "5", name: "m3.medium", vcpus: 8, ram: 30720, disk: 60 },
  { id: "21", name: "g3.small", vcpus: 4, ram: 15360, disk: 60 },
  { id: "1", name: "m3.tiny", vcpus: 1, ram: 3072, disk: 20 },
  { id: "6", name: "m3.large", vcpus: 16, ram: 61440, disk: 60 },
  { id: "22", name: "g3.medium", vcpus: 8, ram: 30720, disk: 60 },
];

const COMPUTE_MAX_MICROVERSION = "2.96";
const PROJECT_ID = "5f0c1b0e7a8d4e3b9c6a2d1f0e9b8a7c";
const USER_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly kind?: string,
  ) {
    super(message);
  }
}

interface Server extends Omit<MockServer, "status" | "deleting"> {
  status: string;
  deleting: boolean;
  /** Reads left before a deleting server is gone. */
  pollsLeft: number;
  created: string;
}

interface Port extends Omit<MockPort, "deviceId" | "deviceOwner" | "tags"> {
  deviceId: string;
  deviceOwner: string;
  tags: string[];
  macAddress: string;
  created: string;
}

type Query = Record<string, string | string[]>;
type Json = Record<string, unknown>;

interface Call {
  readonly method: string;
  /** Path segments below the service root, e.g. ["v2.1", "servers", "<id>"]. */
  readonly segments: readonly string[];
  readonly query: Query;
  readonly body: Json | undefined;
  readonly microversion: string;
  readonly base: string;
}

function parseQuery(search: URLSearchParams): Query {
  const query: Query = {};
  for (const [key, value] of search) {
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** `tags=a,b&tags=c` → [a, b, c]: every one must match, as Nova and Neutron filter. */
const tagFilter = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((t) => t.split(",")).filter((t) => t.length > 0);

function compareVersions(a: string, b: string): number {
  const [am, an] = a.split(".").map(Number);
  const [bm, bn] = b.split(".").map(Number);
  return am! - bm! || an! - bn!;
}

function ipToNumber(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

/**
 * Keystone's service catalog as the stand-in serves it, for a stand-in at `base`. It also lists
 * endpoints that lead nowhere (the `internal` interface, and a second region), so a client that
 * picks the wrong one fails.
 */
export function serviceCatalog(base: string, region: string) {
  const entry = (type: string, name: string, path: string) => ({
    type,
    name,
    id: randomUUID().replace(/-/g, ""),
    endpoints: [
      { id: randomUUID().replace(/-/g, ""), interface: "public", region, region_id: region, url: `${base}${path}` },
      // Endpoints a client must not pick: 127.0.0.1:9 (discard) refuses connections.
      { id: randomUUID().replace(/-/g, ""), interface: "internal", region, region_id: region, url: `http://127.0.0.1:9${path}` },
      { id: randomUUID().replace(/-/g, ""), interface: "public", region: "elsewhere", region_id: "elsewhere", url: `http://127.0.0.1:9${path}` },
    ],
  });
  return [entry("identity", "keystone", "/identity/v3"), entry("compute", "nova", "/compute/v2.1"), entry("network", "neutron", "/network"), entry("image", "glance", "/image")];
}

export async function startOpenStackMock(options: OpenStackMockOptions = {}): Promise<OpenStackMock> {
  const region = options.region ?? "IU";
  const pageSize = options.pageSize ?? 1000;
  const credential = options.credential ?? { id: randomBytes(16).toString("hex"), secret: `mock-secret-${randomBytes(18).toString("base64url")}` };
  const ids = { network: randomUUID(), subnet: randomUUID(), securityGroup: randomUUID(), image: randomUUID(), ...options.ids };
  const imageName = options.imageName ?? "Featured-Ubuntu24";
  const keyName = "drover-admin";
  const [cidrBase, cidrBits] = (options.subnetCidr ?? "10.42.0.0/16").split("/");
  const subnetSize = 2 ** (32 - Number(cidrBits));
  const subnetCidr = { cidr: options.subnetCidr ?? "10.42.0.0/16", start: ipToNumber(cidrBase!), size: subnetSize };
  const numberToIp = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join(".");
  const gatewayIp = numberToIp(subnetCidr.start + 1);
  const tokens = new Set<string>();
  const servers = new Map<string, Server>();
  const consoles = new Map<string, string>();
  const ports = new Map<string, Port>();
  const requests: RecordedRequest[] = [];
  const refused: RecordedRequest[] = [];
  let faults: Array<{ fault: Fault; left: number }> = [];
  let deletePolls = 0;
  let base = "";

  const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

  // ---- Nova -----------------------------------------------------------------------------------

  const flavorBody = (f: (typeof FLAVORS)[number], detail: boolean) => ({
    id: f.id,
    name: f.name,
    links: [{ rel: "self", href: `${base}/compute/v2.1/flavors/${f.id}` }],
    ...(detail
      ? {
          vcpus: f.vcpus,
          ram: f.ram,
          disk: f.disk,
          "OS-FLV-EXT-DATA:ephemeral": 0,
          swap: "",
          rxtx_factor: 1,
          "os-flavor-access:is_public": true,
          "OS-FLV-DISABLED:disabled": false,
          description: null,
          extra_specs: {},
        }
      : {}),
  });

  const findFlavor = (ref: string) => FLAVORS.find((f) => f.id === ref || f.name === ref);

  const addresses = (s: Server) => {
    const list = s.portIds.flatMap(
      (id) => ports.get(id)?.fixedIps.map((ip) => ({ version: 4, addr: ip.ip_address, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": ports.get(id)!.macAddress })) ?? [],
    );
    return list.length > 0 ? { "drover-net": list } : {};
  };

  const serverBody = (s: Server, microversion: string, detail: boolean) => {
    const links = [{ rel: "self", href: `${base}/compute/v2.1/servers/${s.id}` }];
    if (!detail) return { id: s.id, name: s.name, links };
    const at = (v: string) => compareVersions(microversion, v) >= 0;
    const flavor = findFlavor(s.flavorId)!;
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      tenant_id: PROJECT_ID,
      user_id: USER_ID,
      metadata: {},
      hostId: "",
      image: { id: s.imageId, links: [{ rel: "bookmark", href: `${base}/compute/images/${s.imageId}` }] },
      // Since 2.47 the flavor is embedded without its ID.
      flavor: at("2.47")
        ? { vcpus: flavor.vcpus, ram: flavor.ram, disk: flavor.disk, ephemeral: 0, swap: 0, original_name: flavor.name, extra_specs: {} }
        : { id: flavor.id, links: [{ rel: "bookmark", href: `${base}/compute/flavors/${flavor.id}` }] },
      created: s.created,
      updated: s.created,
      addresses: addresses(s),
      accessIPv4: "",
      accessIPv6: "",
      links,
      "OS-DCF:diskConfig": "MANUAL",
      progress: 0,
      "OS-EXT-AZ:availability_zone": "nova",
      config_drive: "",
      key_name: s.keyName,
      "OS-SRV-USG:launched_at": s.status === "BUILD" ? null : s.created,
      "OS-SRV-USG:terminated_at": null,
      "OS-EXT-STS:task_state": s.deleting ? "deleting" : s.status === "BUILD" ? "spawning" : null,
      "OS-EXT-STS:vm_state": s.status === "BUILD" ? "building" : "active",
      "OS-EXT-STS:power_state": s.status === "BUILD" ? 0 : 1,
      "os-extended-volumes:volumes_attached": [],
      security_groups: [{ name: "drover" }],
      ...(at("2.9") ? { locked: false } : {}),
      ...(at("2.19") ? { description: null } : {}),
      ...(at("2.26") ? { tags: [...s.tags] } : {}),
      ...(at("2.63") ? { trusted_image_certificates: null } : {}),
      ...(at("2.73") ? { locked_reason: null } : {}),
    };
  };

  /** A read of a server: a building one becomes active, a deleting one comes closer to gone. */
  const touch = (s: Server): boolean => {
    if (s.deleting) {
      if (s.pollsLeft <= 0) {
        removeServer(s);
        return false;
      }
      s.pollsLeft--;
    } else if (s.status === "BUILD") {
      s.status = "ACTIVE";
    }
    return true;
  };

  const removeServer = (s: Server) => {
    servers.delete(s.id);
    options.onServerDelete?.(snapshotServer(s));
    // Nova unbinds ports the user created; it does not delete them.
    for (const id of s.portIds) {
      const p = ports.get(id);
      if (p && p.deviceId === s.id) {
        p.deviceId = "";
        p.deviceOwner = "";
      }
    }
  };

  /** Nova's limit/marker paging, with a `next` link while more remain. */
  const page = <T extends { id: string }>(items: T[], query: Query, listPath: string, key: string) => {
    const limit = Math.min(Number(first(query.limit) ?? pageSize), pageSize);
    const marker = first(query.marker);
    let start = 0;
    if (marker !== undefined) {
      const i = items.findIndex((x) => x.id === marker);
      if (i < 0) throw new ApiError(400, `marker [${marker}] not found`, "badRequest");
      start = i + 1;
    }
    const slice = items.slice(start, start + limit);
    const links: Json[] = [];
    if (start + limit < items.length && slice.length > 0) {
      const next = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (k !== "marker" && k !== "limit") for (const x of Array.isArray(v) ? v : [v]) next.append(k, x);
      next.set("limit", String(limit));
      next.set("marker", slice[slice.length - 1]!.id);
      links.push({ rel: "next", href: `${base}${listPath}?${next}` });
    }
    return { slice, links: links.length > 0 ? { [`${key}_links`]: links } : {} };
  };

  const listServers = (call: Call, detail: boolean) => {
    const tags = tagFilter(call.query.tags);
    const anyTags = tagFilter(call.query["tags-any"]);
    const notTags = tagFilter(call.query["not-tags"]);
    const name = first(call.query.name);
    const nameRe = name !== undefined ? new RegExp(name) : undefined;
    // Before 2.26 Nova ignores tag filters: a client that forgets the microversion lists everything.
    const tagsApply = compareVersions(call.microversion, "2.26") >= 0;
    const found = [...servers.values()].filter(
      (s) =>
        touch(s) &&
        (!nameRe || nameRe.test(s.name)) &&
        (!tagsApply || (tags.every((t) => s.tags.includes(t)) && (anyTags.length === 0 || anyTags.some((t) => s.tags.includes(t))) && !notTags.some((t) => s.tags.includes(t)))),
    );
    const { slice, links } = page(found, call.query, `/compute/v2.1/servers${detail ? "/detail" : ""}`, "servers");
    return { servers: slice.map((s) => serverBody(s, call.microversion, detail)), ...links };
  };

  const getServer = (id: string): Server => {
    const s = servers.get(id);
    if (!s || !touch(s)) throw new ApiError(404, `Instance ${id} could not be found.`, "itemNotFound");
    return s;
  };

  const createNovaServer = (call: Call) => {
    const req = call.body?.server as Json | undefined;
    if (!req) throw new ApiError(400, "Invalid input: 'server' is a required property", "badRequest");
    const tags = (req.tags as string[] | undefined) ?? [];
    if (req.tags !== undefined && compareVersions(call.microversion, "2.52") < 0) {
      throw new ApiError(400, "Invalid input for field/attribute server. Value: tags. Additional properties are not allowed ('tags' was unexpected)", "badRequest");
    }
    for (const t of tags) if (t.includes("/") || t.includes(",") || t.length > 60) throw new ApiError(400, `Invalid tag ${t}`, "badRequest");
    const flavor = findFlavor(String(req.flavorRef ?? ""));
    if (!flavor || flavor.id !== req.flavorRef) throw new ApiError(400, `Flavor ${String(req.flavorRef)} could not be found.`, "badRequest");
    if (req.imageRef !== ids.image) throw new ApiError(400, `Can not find requested image`, "badRequest");
    if (req.key_name !== undefined && req.key_name !== null && req.key_name !== keyName) throw new ApiError(400, `Invalid key_name provided.`, "badRequest");
    const networks = (req.networks as Json[] | string | undefined) ?? [];
    const portIds = Array.isArray(networks) ? networks.map((n) => String(n.port ?? "")).filter(Boolean) : [];
    for (const id of portIds) {
      const p = ports.get(id);
      if (!p) throw new ApiError(400, `Port ${id} could not be found.`, "badRequest");
      if (p.deviceId) throw new ApiError(409, `Port ${id} is still in use.`, "conflictingRequest");
    }
    const s: Server = {
      id: randomUUID(),
      name: String(req.name ?? ""),
      flavorId: flavor.id,
      imageId: ids.image,
      keyName: typeof req.key_name === "string" ? req.key_name : null,
      tags,
      portIds,
      ...(typeof req.user_data === "string" ? { userData: Buffer.from(req.user_data, "base64").toString("utf8") } : {}),
      status: "BUILD",
      deleting: false,
      pollsLeft: 0,
      created: now(),
      microversion: call.microversion,
    };
    servers.set(s.id, s);
    for (const id of portIds) {
      const p = ports.get(id)!;
      p.deviceId = s.id;
      p.deviceOwner = "compute:nova";
    }
    options.onServerCreate?.(
      snapshotServer(s),
      portIds.map((id) => snapshotPort(ports.get(id)!)),
    );
    return {
      status: 202,
      body: { server: { id: s.id, links: serverBody(s, call.microversion, false).links, "OS-DCF:diskConfig": "MANUAL", security_groups: [{ name: "default" }], adminPass: "mock-admin-pass" } },
    };
  };

  const compute = (call: Call): { status: number; body?: unknown } => {
    const [version, collection, id, sub] = call.segments;
    const versionDoc = {
      id: "v2.1",
      status: "CURRENT",
      version: COMPUTE_MAX_MICROVERSION,
      min_version: "2.1",
      updated: "2013-07-23T11:33:21Z",
      links: [{ rel: "self", href: `${base}/compute/v2.1/` }],
      "media-types": [{ base: "application/json", type: "application/vnd.openstack.compute+json;version=2.1" }],
    };
    if (version === undefined) return { status: 200, body: { versions: [versionDoc] } };
    if (version !== "v2.1") throw new ApiError(404, "Not found", "itemNotFound");
    if (collection === undefined) return { status: 200, body: { version: versionDoc } };
    const m = call.method;
    if (collection === "servers") {
      if (m === "GET" && id === undefined) return { status: 200, body: listServers(call, false) };
      if (m === "GET" && id === "detail" && sub === undefined) return { status: 200, body: listServers(call, true) };
      if (m === "POST" && id === undefined) return createNovaServer(call);
      if (id !== undefined && sub === undefined) {
        if (m === "GET") return { status: 200, body: { server: serverBody(getServer(id), call.microversion, true) } };
        if (m === "DELETE") {
          const s = getServer(id);
          s.deleting = true;
          s.pollsLeft = deletePolls;
          if (deletePolls === 0) removeServer(s);
          return { status: 204 };
        }
      }
      if (id !== undefined && sub === "tags" && m === "GET") return { status: 200, body: { tags: [...getServer(id).tags] } };
      if (id !== undefined && sub === "action" && m === "POST" && call.body && "os-getConsoleOutput" in call.body) {
        getServer(id);
        const length = Number((call.body["os-getConsoleOutput"] as Json | null)?.length ?? 0);
        const lines = (consoles.get(id) ?? "").split("\n");
        return { status: 200, body: { output: (length > 0 ? lines.slice(-length) : lines).join("\n") } };
      }
    }
    if (collection === "flavors" && m === "GET") {
      if (id === undefined || id === "detail") {
        const name = first(call.query.name);
        const { slice, links } = page([...FLAVORS], call.query, `/compute/v2.1/flavors${id ? "/detail" : ""}`, "flavors");
        return { status: 200, body: { flavors: slice.filter((f) => name === undefined || f.name === name).map((f) => flavorBody(f, id === "detail")), ...links } };
      }
      const f = FLAVORS.find((x) => x.id === id);
      if (!f) throw new ApiError(404, `Flavor ${id} could not be found.`, "itemNotFound");
      if (sub === "os-extra_specs") return { status: 200, body: { extra_specs: {} } };
      return { status: 200, body: { flavor: flavorBody(f, true) } };
    }
    if (collection === "os-keypairs" && m === "GET") {
      const pair = { name: keyName, type: "ssh", fingerprint: "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff", public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMockKey drover" };
      if (id === undefined) return { status: 200, body: { keypairs: [{ keypair: pair }] } };
      if (id !== keyName) throw new ApiError(404, `Keypair ${id} not found for user ${USER_ID}`, "itemNotFound");
      return { status: 200, body: { keypair: { ...pair, user_id: USER_ID, id: 1, created_at: now(), deleted: false } } };
    }
    throw new ApiError(404, `The compute mock does not implement ${m} /${call.segments.join("/")}`, "itemNotFound");
  };

  // ---- Neutron --------------------------------------------------------------------------------

  const network = {
    id: ids.network,
    name: "drover-net",
    status: "ACTIVE",
    admin_state_up: true,
    subnets: [ids.subnet],
    shared: false,
    "router:external": false,
    mtu: 1500,
    tags: [],
    tenant_id: PROJECT_ID,
    project_id: PROJECT_ID,
    description: "",
    port_security_enabled: true,
    availability_zones: ["nova"],
    revision_number: 1,
  };
  const subnet = {
    id: ids.subnet,
    name: "drover-subnet",
    network_id: ids.network,
    cidr: subnetCidr.cidr,
    ip_version: 4,
    gateway_ip: gatewayIp,
    enable_dhcp: true,
    allocation_pools: [{ start: numberToIp(subnetCidr.start + 2), end: numberToIp(subnetCidr.start + subnetCidr.size - 2) }],
    dns_nameservers: [],
    host_routes: [],
    tags: [],
    tenant_id: PROJECT_ID,
    project_id: PROJECT_ID,
    description: "",
    revision_number: 1,
  };
  const securityGroup = {
    id: ids.securityGroup,
    name: "drover-cluster",
    description: "",
    security_group_rules: [],
    tags: [],
    stateful: true,
    tenant_id: PROJECT_ID,
    project_id: PROJECT_ID,
    revision_number: 1,
  };
  const securityGroups = [
    securityGroup,
    ...Object.entries(options.securityGroups ?? {})
      .filter(([id]) => id !== ids.securityGroup)
      .map(([id, name]) => ({ ...securityGroup, id, name })),
  ];
  const allExtensions = [
    {
      alias: "standard-attr-tag",
      name: "Tag support for resources with standard attribute",
      description: "Enables to set tag on resources with standard attribute.",
      updated: "2017-01-01T00:00:00-00:00",
      links: [],
    },
    { alias: "tag-ports-during-bulk-creation", name: "Tag Ports During Bulk Creation", description: "Allow to tag ports during bulk creation", updated: "2019-12-29T19:00:00-00:00", links: [] },
    { alias: "security-group", name: "security-group", description: "The security groups extension.", updated: "2012-10-05T10:00:00-00:00", links: [] },
  ];

  const extensions = allExtensions.filter((e) => !(options.withoutExtensions ?? []).includes(e.alias));

  const portBody = (p: Port) => ({
    id: p.id,
    name: p.name,
    network_id: p.networkId,
    tenant_id: PROJECT_ID,
    project_id: PROJECT_ID,
    mac_address: p.macAddress,
    admin_state_up: true,
    status: p.deviceId ? "ACTIVE" : "DOWN",
    device_id: p.deviceId,
    device_owner: p.deviceOwner,
    fixed_ips: p.fixedIps.map((ip) => ({ ...ip })),
    security_groups: [...p.securityGroups],
    tags: [...p.tags],
    allowed_address_pairs: [],
    extra_dhcp_opts: [],
    description: "",
    port_security_enabled: true,
    "binding:vnic_type": "normal",
    created_at: p.created,
    updated_at: p.created,
    revision_number: 1,
  });

  const neutronNotFound = (kind: string, id: string) => new ApiError(404, `${kind} ${id} could not be found.`, `${kind}NotFound`);

  /** Neutron filters: any field given as a query parameter must match (tags: all of them). */
  const neutronFilter = <T extends Json>(items: T[], query: Query): T[] => {
    const tags = tagFilter(query.tags);
    const anyTags = tagFilter(query["tags-any"]);
    const notTags = tagFilter(query["not-tags"]);
    return items.filter((item) => {
      const itemTags = (item.tags as string[] | undefined) ?? [];
      if (!tags.every((t) => itemTags.includes(t))) return false;
      if (anyTags.length > 0 && !anyTags.some((t) => itemTags.includes(t))) return false;
      if (notTags.some((t) => itemTags.includes(t))) return false;
      for (const [key, value] of Object.entries(query)) {
        if (["tags", "tags-any", "not-tags", "fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse"].includes(key)) continue;
        if (key === "fixed_ips") continue;
        const wanted = Array.isArray(value) ? value : [value];
        const actual = item[key];
        if (actual === undefined) continue;
        if (!wanted.includes(String(actual))) return false;
      }
      return true;
    });
  };

  const nextIp = (): string => {
    const used = new Set([...ports.values()].flatMap((p) => p.fixedIps.map((ip) => ip.ip_address)));
    for (let n = 100; n < subnetCidr.size - 1; n++) {
      const v = subnetCidr.start + n;
      const ip = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
      if (!used.has(ip)) return ip;
    }
    throw new ApiError(409, "No more IP addresses available on network", "IpAddressGenerationFailure");
  };

  const storePort = (req: Json): Port => {
    const networkId = String(req.network_id ?? "");
    if (networkId !== ids.network) throw neutronNotFound("Network", networkId);
    const fixed = ((req.fixed_ips as Json[] | undefined) ?? []).map((ip) => ({
      subnet_id: String(ip.subnet_id ?? ids.subnet),
      ip_address: ip.ip_address === undefined ? nextIp() : String(ip.ip_address),
    }));
    if (fixed.length === 0) fixed.push({ subnet_id: ids.subnet, ip_address: nextIp() });
    for (const ip of fixed) {
      if (ip.subnet_id !== ids.subnet) throw neutronNotFound("Subnet", ip.subnet_id);
      const n = ipToNumber(ip.ip_address);
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip.ip_address) || n < subnetCidr.start || n >= subnetCidr.start + subnetCidr.size) {
        throw new ApiError(400, `IP address ${ip.ip_address} is not a valid IP for the specified subnet.`, "InvalidIpForSubnet");
      }
      if ([...ports.values()].some((p) => p.fixedIps.some((x) => x.ip_address === ip.ip_address))) {
        throw new ApiError(409, `IP address ${ip.ip_address} already allocated in subnet ${ip.subnet_id}`, "IpAddressAlreadyAllocated");
      }
    }
    const groups = (req.security_groups as string[] | undefined) ?? [ids.securityGroup];
    for (const g of groups) if (!securityGroups.some((x) => x.id === g)) throw neutronNotFound("SecurityGroup", g);
    const p: Port = {
      id: randomUUID(),
      name: String(req.name ?? ""),
      networkId,
      fixedIps: fixed,
      securityGroups: groups,
      tags: [...((req.tags as string[] | undefined) ?? [])],
      deviceId: String(req.device_id ?? ""),
      deviceOwner: String(req.device_owner ?? ""),
      macAddress: `fa:16:3e:${randomBytes(3).toString("hex").match(/../g)!.join(":")}`,
      created: now(),
    };
    ports.set(p.id, p);
    return p;
  };

  const simpleCollection = (call: Call, key: string, items: Json[], kind: string) => {
    const id = call.segments[2];
    if (call.method !== "GET") throw new ApiError(405, `${call.method} is not allowed on ${key}`, "HTTPMethodNotAllowed");
    if (id === undefined) return { status: 200, body: { [key]: neutronFilter(items, call.query) } };
    const item = items.find((x) => x.id === id);
    if (!item) throw neutronNotFound(kind, id);
    return { status: 200, body: { [key.replace(/s$/, "").replace(/-/g, "_")]: item } };
  };

  const neutron = (call: Call): { status: number; body?: unknown } => {
    const [version, collection, id, sub] = call.segments;
    const versions = { versions: [{ id: "v2.0", status: "CURRENT", links: [{ rel: "self", href: `${base}/network/v2.0/` }] }] };
    if (version === undefined) return { status: 200, body: versions };
    if (version !== "v2.0") throw new ApiError(404, "Not found", "HTTPNotFound");
    if (collection === undefined) return { status: 200, body: { resources: [{ name: "port", collection: "ports", links: [{ rel: "self", href: `${base}/network/v2.0/ports` }] }] } };
    const m = call.method;
    if (collection === "extensions") {
      if (id === undefined) return { status: 200, body: { extensions } };
      const ext = extensions.find((e) => e.alias === id);
      if (!ext) throw new ApiError(404, `Extension with alias ${id} does not exist`, "HTTPNotFound");
      return { status: 200, body: { extension: ext } };
    }
    if (collection === "networks") return simpleCollection(call, "networks", [network], "Network");
    if (collection === "subnets") return simpleCollection(call, "subnets", [subnet], "Subnet");
    if (collection === "security-groups") {
      const r = simpleCollection(call, "security-groups", securityGroups, "SecurityGroup");
      return id === undefined ? { status: 200, body: { security_groups: (r.body as Json)["security-groups"] } } : r;
    }
    if (collection === "ports") {
      if (m === "GET" && id === undefined) {
        const found = neutronFilter([...ports.values()].map(portBody), call.query);
        const { slice, links } = page(found, call.query, "/network/v2.0/ports", "ports");
        return { status: 200, body: { ports: slice, ...links } };
      }
      if (m === "POST" && id === undefined) {
        const req = call.body?.port as Json | undefined;
        if (!req) throw new ApiError(400, "Resource body required", "BadRequest");
        return { status: 201, body: { port: portBody(storePort(req)) } };
      }
      const p = id !== undefined ? ports.get(id) : undefined;
      if (!p) throw neutronNotFound("Port", String(id));
      if (sub === undefined && m === "GET") return { status: 200, body: { port: portBody(p) } };
      if (sub === undefined && m === "DELETE") {
        ports.delete(p.id);
        return { status: 204 };
      }
      if (sub === "tags" && m === "GET") return { status: 200, body: { tags: [...p.tags] } };
      if (sub === "tags" && m === "PUT") {
        p.tags = [...(((call.body?.tags as string[] | undefined) ?? []) as string[])];
        return { status: 200, body: { tags: [...p.tags] } };
      }
    }
    throw new ApiError(404, `The network mock does not implement ${m} /${call.segments.join("/")}`, "HTTPNotFound");
  };

  // ---- Glance ---------------------------------------------------------------------------------

  const image = () => ({
    id: ids.image,
    name: imageName,
    status: "active",
    visibility: "public",
    protected: false,
    container_format: "bare",
    disk_format: "raw",
    min_disk: 0,
    min_ram: 0,
    size: 2361393152,
    checksum: "0123456789abcdef0123456789abcdef",
    owner: PROJECT_ID,
    tags: [],
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    self: `/v2/images/${ids.image}`,
    file: `/v2/images/${ids.image}/file`,
    schema: "/v2/schemas/image",
  });

  const glance = (call: Call): { status: number; body?: unknown } => {
    const [version, collection, id] = call.segments;
    if (version === undefined || (version === "versions" && collection === undefined)) {
      return { status: 200, body: { versions: [{ id: "v2.15", status: "CURRENT", links: [{ rel: "self", href: `${base}/image/v2/` }] }] } };
    }
    if (version !== "v2") throw new ApiError(404, "Not found");
    if (call.method === "GET" && collection === "images") {
      if (id === undefined) {
        const name = first(call.query.name);
        return { status: 200, body: { images: name === undefined || name === imageName ? [image()] : [], first: "/v2/images", schema: "/v2/schemas/images" } };
      }
      if (id !== ids.image) throw new ApiError(404, `No image found with ID ${id}`);
      return { status: 200, body: image() };
    }
    if (call.method === "GET" && collection === "schemas") return { status: 200, body: { name: id ?? "images", properties: {} } };
    throw new ApiError(404, `The image mock does not implement ${call.method} /${call.segments.join("/")}`);
  };

  // ---- Keystone -------------------------------------------------------------------------------

  const catalog = () => serviceCatalog(base, region);

  const identity = (call: Call, res: ServerResponse): { status: number; body?: unknown } => {
    const [version, collection, sub] = call.segments;
    const v3 = {
      id: "v3.14",
      status: "stable",
      updated: "2020-04-07T00:00:00Z",
      links: [{ rel: "self", href: `${base}/identity/v3/` }],
      "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
    };
    if (version === undefined) return { status: 300, body: { versions: { values: [v3] } } };
    if (version !== "v3") throw new ApiError(404, "Not found");
    if (collection === undefined) return { status: 200, body: { version: v3 } };
    if (collection === "auth" && sub === "tokens" && call.method === "POST") {
      const identity = (call.body?.auth as Json | undefined)?.identity as Json | undefined;
      const methods = (identity?.methods as string[] | undefined) ?? [];
      const given = identity?.application_credential as Json | undefined;
      if (!methods.includes("application_credential") || !given) throw new ApiError(401, "The request you have made requires authentication.");
      if (given.id !== credential.id || given.secret !== credential.secret) throw new ApiError(401, "The request you have made requires authentication.");
      const token = `gAAAAAmock${randomBytes(24).toString("base64url")}`;
      tokens.add(token);
      res.setHeader("X-Subject-Token", token);
      return {
        status: 201,
        body: {
          token: {
            methods: ["application_credential"],
            user: { id: USER_ID, name: "drover-user", domain: { id: "default", name: "Default" }, password_expires_at: null },
            project: { id: PROJECT_ID, name: "TRA000000", domain: { id: "default", name: "Default" } },
            roles: [{ id: "9fe2ff9ee4384b1894a90878d3e92bab", name: "member" }],
            application_credential: { id: credential.id, name: "drover-elastic", restricted: true },
            catalog: catalog(),
            expires_at: new Date(Date.now() + 3600_000).toISOString(),
            issued_at: new Date().toISOString(),
            audit_ids: [randomBytes(8).toString("base64url")],
          },
        },
      };
    }
    throw new ApiError(404, `The identity mock does not implement ${call.method} /${call.segments.join("/")}`);
  };

  // ---- HTTP -----------------------------------------------------------------------------------

  const errorBody = (service: Service | "unknown", e: ApiError): unknown => {
    switch (service) {
      case "compute":
        return { [e.kind ?? (e.status === 404 ? "itemNotFound" : e.status === 400 ? "badRequest" : "computeFault")]: { code: e.status, message: e.message } };
      case "network":
        return { NeutronError: { type: e.kind ?? "HTTPError", message: e.message, detail: "" } };
      case "identity":
        return { error: { code: e.status, title: e.status === 401 ? "Unauthorized" : "Error", message: e.message } };
      default:
        return { code: e.status, title: "Error", message: e.message };
    }
  };

  const microversionOf = (req: IncomingMessage): string => {
    const header = String(req.headers["openstack-api-version"] ?? "");
    const m = /compute\s+(\S+)/i.exec(header);
    const v = m?.[1] ?? (req.headers["x-openstack-nova-api-version"] as string | undefined) ?? "2.1";
    return v === "latest" ? COMPUTE_MAX_MICROVERSION : v;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", base);
    const all = url.pathname.split("/").filter(Boolean);
    const services: Service[] = ["identity", "compute", "network", "image"];
    const service: Service | "unknown" = services.includes(all[0] as Service) ? (all[0] as Service) : "unknown";
    const segments = all.slice(1);
    const path = `/${segments.join("/")}`;
    const query = parseQuery(url.searchParams);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: Json | undefined;
    const method = req.method ?? "GET";
    const microversion = microversionOf(req);
    const record = (status: number) =>
      requests.push({
        service,
        method,
        path,
        query,
        ...(body !== undefined ? { body } : {}),
        ...(service === "compute" && (req.headers["openstack-api-version"] || req.headers["x-openstack-nova-api-version"]) ? { microversion } : {}),
        status,
      });
    const reply = (status: number, payload?: unknown) => {
      record(status);
      const headers: Record<string, string> = { "X-Openstack-Request-Id": `req-${randomUUID()}` };
      if (service === "compute") {
        headers["OpenStack-API-Version"] = `compute ${microversion}`;
        headers["X-OpenStack-Nova-API-Version"] = microversion;
        headers.Vary = "OpenStack-API-Version, X-OpenStack-Nova-API-Version";
      }
      if (payload === undefined) {
        res.writeHead(status, headers);
        res.end();
      } else {
        res.writeHead(status, { ...headers, "Content-Type": "application/json" });
        res.end(JSON.stringify(payload));
      }
    };
    try {
      if (text) {
        try {
          body = JSON.parse(text) as Json;
        } catch {
          throw new ApiError(400, "Malformed request body");
        }
      }
      const fault = faults.find(
        (f) =>
          f.left !== 0 &&
          (f.fault.service === undefined || f.fault.service === service) &&
          (f.fault.method === undefined || f.fault.method === method) &&
          (f.fault.path === undefined || (typeof f.fault.path === "string" ? f.fault.path === path : f.fault.path.test(path))),
      );
      if (fault) {
        fault.left--;
        throw new ApiError(fault.fault.status ?? 500, "Injected fault: the mock was told to fail this call.");
      }
      const isDiscovery = method === "GET" && (segments.length <= 1 || (service === "image" && segments[0] === "versions"));
      const isAuth = service === "identity";
      if (!isAuth && !isDiscovery && !tokens.has(String(req.headers["x-auth-token"] ?? ""))) {
        throw new ApiError(401, "The request you have made requires authentication.");
      }
      if (options.accessRules && !isAuth && !isDiscovery && !allowedBy(options.accessRules as readonly LibAccessRule[], service, method, path)) {
        refused.push({ service, method, path, query, ...(body !== undefined ? { body } : {}), status: 401 });
        throw new ApiError(401, `The request you have made requires authentication. (the application credential's access rules do not allow ${method} ${path} on ${service})`);
      }
      if (service === "compute" && compareVersions(microversion, COMPUTE_MAX_MICROVERSION) > 0) {
        throw new ApiError(406, `Version ${microversion} is not supported by the API. Minimum is 2.1 and maximum is ${COMPUTE_MAX_MICROVERSION}.`, "notAcceptable");
      }
      const call: Call = { method, segments, query, body, microversion, base };
      const out = service === "identity" ? identity(call, res) : service === "compute" ? compute(call) : service === "network" ? neutron(call) : service === "image" ? glance(call) : undefined;
      if (!out) throw new ApiError(404, `no service at ${url.pathname}`);
      reply(out.status, out.body);
    } catch (e) {
      if (e instanceof ApiError) reply(e.status, errorBody(service, e));
      else reply(500, errorBody(service, new ApiError(500, String(e))));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  base = `http://${options.host ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`;

  const snapshotServer = (s: Server): MockServer => ({ ...s, tags: [...s.tags], portIds: [...s.portIds] });
  const snapshotPort = (p: Port): MockPort => ({
    id: p.id,
    name: p.name,
    networkId: p.networkId,
    fixedIps: p.fixedIps.map((x) => ({ ...x })),
    securityGroups: [...p.securityGroups],
    tags: [...p.tags],
    deviceId: p.deviceId,
    deviceOwner: p.deviceOwner,
  });

  return {
    authUrl: `${base}/identity/v3`,
    baseUrl: base,
    region,
    applicationCredential: credential,
    ids,
    imageName,
    keyName,
    requests,
    refused,
    servers: () => [...servers.values()].map(snapshotServer),
    ports: () => [...ports.values()].map(snapshotPort),
    addServer(spec) {
      const flavor = findFlavor(spec.flavor ?? "m3.quad");
      if (!flavor) throw new Error(`unknown flavor ${spec.flavor}`);
      const s: Server = {
        id: randomUUID(),
        name: spec.name,
        flavorId: flavor.id,
        imageId: ids.image,
        keyName: null,
        tags: [...(spec.tags ?? [])],
        portIds: [...(spec.portIds ?? [])],
        status: "ACTIVE",
        deleting: false,
        pollsLeft: 0,
        created: now(),
        microversion: "2.52",
      };
      servers.set(s.id, s);
      for (const id of s.portIds) {
        const p = ports.get(id);
        if (p) {
          p.deviceId = s.id;
          p.deviceOwner = "compute:nova";
        }
      }
      return snapshotServer(s);
    },
    addPort(spec) {
      const p = storePort({
        network_id: ids.network,
        name: spec.name,
        tags: spec.tags ?? [],
        ...(spec.ip ? { fixed_ips: [{ subnet_id: ids.subnet, ip_address: spec.ip }] } : {}),
        ...(spec.deviceId ? { device_id: spec.deviceId, device_owner: "compute:nova" } : {}),
      });
      return snapshotPort(p);
    },
    failOn(fault) {
      const entry = { fault, left: fault.times ?? -1 };
      faults.push(entry);
      return () => {
        faults = faults.filter((f) => f !== entry);
      };
    },
    clearFaults() {
      faults = [];
    },
    writeConsole(serverId, text) {
      consoles.set(serverId, (consoles.get(serverId) ?? "") + text);
    },
    setDeletePolls(n) {
      deletePolls = n;
    },
    clearRequests() {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
