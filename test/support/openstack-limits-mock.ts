import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the four OpenStack calls `readLiveQuota` makes, on 127.0.0.1 only, answering in
 * the shapes of the public API references:
 *
 *   POST /identity/v3/auth/tokens                      Keystone: application credential or password
 *   GET  /compute/v2.1/limits                          Nova "Show Rate And Absolute Limits"
 *   GET  /network/v2.0/quotas/{project}/details.json   Neutron "Show quota details for a project"
 *   GET  /volume/v3/{project}/limits                   Cinder "Show absolute limits"
 *
 * The catalog also lists endpoints that lead nowhere (the internal interface, another region)
 * so a client that picks the wrong one fails. A test can drop a service from the catalog, delay
 * or fail a service, and make error bodies echo the secret, as a careless server might.
 */

export type LimitsService = "identity" | "compute" | "network" | "volume";

export interface RecordedCall {
  readonly service: LimitsService | "unknown";
  readonly method: string;
  readonly path: string;
  readonly token?: string;
  readonly body?: unknown;
  readonly status: number;
}

/** Nova's absolute limits (the fields drover reads and a few it does not). */
export interface NovaAbsolute {
  maxTotalInstances: number;
  totalInstancesUsed: number;
  maxTotalCores: number;
  totalCoresUsed: number;
  maxTotalRAMSize: number;
  totalRAMUsed: number;
}

export interface CinderAbsolute {
  maxTotalVolumes: number;
  totalVolumesUsed: number;
  maxTotalVolumeGigabytes: number;
  totalGigabytesUsed: number;
}

export interface NeutronDetail {
  used: number;
  limit: number;
  /** Some Neutron releases send it as a string (launchpad bug 1918565). */
  reserved: number | string;
}

export type NeutronResource = "floatingip" | "network" | "subnet" | "router" | "security_group" | "security_group_rule" | "port";

export interface LimitsState {
  compute: NovaAbsolute;
  volume: CinderAbsolute;
  network: Record<NeutronResource, NeutronDetail>;
}

export interface LimitsMock {
  /** The Keystone v3 URL, as an openrc's OS_AUTH_URL. */
  readonly authUrl: string;
  readonly region: string;
  readonly projectId: string;
  readonly projectName: string;
  readonly applicationCredential: { readonly id: string; readonly secret: string };
  readonly user: { readonly name: string; readonly password: string; readonly domain: string };
  /** The answers; tests change them in place. */
  readonly state: LimitsState;
  readonly calls: readonly RecordedCall[];
  /** An openrc for the application credential (as Jetstream2 writes it). */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** Services missing from the catalog Keystone returns. */
  omitFromCatalog(...services: Array<"compute" | "network" | "volumev3">): void;
  /** Answers a service's calls with an HTTP error. */
  failOn(service: LimitsService, status: number): void;
  /** Holds a service's answers this long. */
  delay(service: LimitsService, ms: number): void;
  /** Error bodies quote the credential's secret and the token (a careless server). */
  echoSecrets(on: boolean): void;
  close(): Promise<void>;
}

/** A value inside parsed JSON, or undefined when the path is not there. */
function dig(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

export async function startLimitsMock(options: { readonly region?: string; readonly unrestricted?: boolean } = {}): Promise<LimitsMock> {
  const region = options.region ?? "IU";
  const projectId = randomUUID().replace(/-/g, "");
  const projectName = "TRA000000";
  const applicationCredential = { id: randomUUID().replace(/-/g, ""), secret: `s3cr3t-${randomBytes(12).toString("base64url")}` };
  const user = { name: "researcher@access-ci.org", password: `pw-${randomBytes(12).toString("base64url")}`, domain: "access" };
  const tokens = new Set<string>();
  const calls: RecordedCall[] = [];
  const omitted = new Set<string>();
  const faults = new Map<LimitsService, number>();
  const delays = new Map<LimitsService, number>();
  let echo = false;

  const detail = (used: number, limit: number): NeutronDetail => ({ used, limit, reserved: 0 });
  const state: LimitsState = {
    compute: { maxTotalInstances: 10, totalInstancesUsed: 0, maxTotalCores: 150, totalCoresUsed: 0, maxTotalRAMSize: 599040, totalRAMUsed: 0 },
    volume: { maxTotalVolumes: 10, totalVolumesUsed: 0, maxTotalVolumeGigabytes: 1000, totalGigabytesUsed: 0 },
    network: {
      floatingip: detail(0, 10),
      network: detail(1, 100),
      subnet: detail(1, 100),
      router: detail(1, 1),
      security_group: detail(1, 10),
      security_group_rule: detail(4, 100),
      port: detail(2, 500),
    },
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const catalog = () => {
    const entry = (type: string, name: string, url: string) => ({
      type,
      name,
      id: randomUUID().replace(/-/g, ""),
      endpoints: [
        // Endpoints a client must not pick: 127.0.0.1:9 (discard) refuses connections.
        { id: randomUUID().replace(/-/g, ""), interface: "internal", region, region_id: region, url: url.replace(base, "http://127.0.0.1:9") },
        { id: randomUUID().replace(/-/g, ""), interface: "public", region: "elsewhere", region_id: "elsewhere", url: url.replace(base, "http://127.0.0.1:9") },
        { id: randomUUID().replace(/-/g, ""), interface: "public", region, region_id: region, url },
      ],
    });
    return [
      entry("identity", "keystone", `${base}/identity/v3/`),
      entry("compute", "nova", `${base}/compute/v2.1/`),
      entry("network", "neutron", `${base}/network/`),
      entry("volumev3", "cinderv3", `${base}/volume/v3/${projectId}`),
      entry("image", "glance", `${base}/image`),
    ].filter((s) => !omitted.has(s.type));
  };

  const unauthorized = { error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } };

  const authenticate = (body: unknown): { status: number; body: unknown; token?: string } => {
    const identity = dig(body, "auth", "identity");
    const methods = dig(identity, "methods");
    const uses = (m: string) => Array.isArray(methods) && methods.includes(m);
    let ok = false;
    let method = "";
    if (uses("application_credential")) {
      const given = dig(identity, "application_credential");
      ok = dig(given, "id") === applicationCredential.id && dig(given, "secret") === applicationCredential.secret;
      method = "application_credential";
    } else if (uses("password")) {
      const given = dig(identity, "password", "user");
      const scope = dig(body, "auth", "scope", "project");
      const scoped = dig(scope, "id") === projectId || (dig(scope, "name") === projectName && dig(scope, "domain", "name") === user.domain);
      ok = dig(given, "name") === user.name && dig(given, "domain", "name") === user.domain && dig(given, "password") === user.password && scoped;
      method = "password";
    }
    if (!ok) {
      const message = echo ? `Could not authenticate with ${JSON.stringify(identity)}` : unauthorized.error.message;
      return { status: 401, body: { error: { ...unauthorized.error, message } } };
    }
    const token = `gAAAAA${randomBytes(24).toString("base64url")}`;
    tokens.add(token);
    return {
      status: 201,
      token,
      body: {
        token: {
          methods: [method],
          user: { id: randomUUID().replace(/-/g, ""), name: user.name, domain: { id: "d1", name: user.domain }, password_expires_at: null },
          project: { id: projectId, name: projectName, domain: { id: "d1", name: user.domain } },
          roles: [{ id: randomUUID().replace(/-/g, ""), name: "member" }],
          // Keystone names the application credential a token comes from, and whether it is restricted.
          ...(method === "application_credential" ? { application_credential: { id: applicationCredential.id, name: "drover-deploy", restricted: options.unrestricted !== true } } : {}),
          catalog: catalog(),
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          issued_at: new Date().toISOString(),
          audit_ids: [randomBytes(8).toString("base64url")],
        },
      },
    };
  };

  const errorBody = (service: LimitsService, status: number, token: string | undefined): unknown => {
    const leak = echo ? ` (token ${token ?? "-"}, secret ${applicationCredential.secret})` : "";
    switch (service) {
      case "network":
        return { NeutronError: { type: status === 403 ? "HTTPForbidden" : "HTTPError", message: `Request failed${leak}`, detail: "" } };
      case "identity":
        return { error: { code: status, title: "Error", message: `Request failed${leak}` } };
      default:
        return { [status === 403 ? "forbidden" : status === 404 ? "itemNotFound" : "computeFault"]: { code: status, message: `Request failed${leak}` } };
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", base);
    const segments = url.pathname.split("/").filter(Boolean);
    const known: LimitsService[] = ["identity", "compute", "network", "volume"];
    const service: LimitsService | "unknown" = known.includes(segments[0] as LimitsService) ? (segments[0] as LimitsService) : "unknown";
    const path = `/${segments.slice(1).join("/")}`;
    const method = req.method ?? "GET";
    const token = req.headers["x-auth-token"] as string | undefined;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }

    const reply = async (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      const wait = service === "unknown" ? 0 : (delays.get(service) ?? 0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      calls.push({ service, method, path, ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}), status });
      if (res.destroyed) return;
      res.writeHead(status, { "Content-Type": "application/json", "X-Openstack-Request-Id": `req-${randomUUID()}`, ...headers }).end(JSON.stringify(payload));
    };

    if (service === "unknown") return reply(404, { error: { code: 404, message: "Not found" } });
    const fault = faults.get(service);
    if (fault) return reply(fault, errorBody(service, fault, token));

    if (service === "identity") {
      if (method === "POST" && path === "/v3/auth/tokens") {
        const answer = authenticate(body);
        return reply(answer.status, answer.body, answer.token ? { "X-Subject-Token": answer.token } : {});
      }
      return reply(404, { error: { code: 404, title: "Not Found", message: "The resource could not be found." } });
    }

    if (!token || !tokens.has(token))
      return reply(
        401,
        service === "network"
          ? { NeutronError: { type: "HTTPUnauthorized", message: "Authentication required", detail: "" } }
          : { unauthorized: { code: 401, message: "The request you have made requires authentication." } },
      );
    if (method !== "GET") return reply(405, errorBody(service, 405, token));

    if (service === "compute" && path === "/v2.1/limits") {
      const extra = {
        maxImageMeta: 128,
        maxPersonality: 5,
        maxPersonalitySize: 10240,
        maxSecurityGroupRules: -1,
        maxSecurityGroups: -1,
        maxServerGroupMembers: 10,
        maxServerGroups: 10,
        maxServerMeta: 128,
        maxTotalFloatingIps: -1,
        maxTotalKeypairs: 100,
        totalFloatingIpsUsed: 0,
        totalSecurityGroupsUsed: 0,
        totalServerGroupsUsed: 0,
      };
      return reply(200, { limits: { rate: [], absolute: { ...extra, ...state.compute } } });
    }
    if (service === "volume" && path === `/v3/${projectId}/limits`) {
      const extra = { totalSnapshotsUsed: 0, maxTotalBackups: 10, maxTotalSnapshots: 10, maxTotalBackupGigabytes: 1000, totalBackupGigabytesUsed: 0, totalBackupsUsed: 0 };
      return reply(200, { limits: { rate: [], absolute: { ...extra, ...state.volume } } });
    }
    const quotaPath = /^\/v2\.0\/quotas\/([^/]+)\/details\.json$/.exec(path);
    if (service === "network" && quotaPath) {
      if (quotaPath[1] !== projectId) return reply(403, errorBody("network", 403, token));
      const others = { rbac_policy: { used: 0, limit: 10, reserved: 0 }, subnetpool: { used: 0, limit: -1, reserved: 0 }, trunk: { used: 0, limit: -1, reserved: 0 } };
      return reply(200, { quota: { ...others, ...state.network } });
    }
    return reply(404, errorBody(service, 404, token));
  }

  return {
    authUrl: `${base}/identity/v3/`,
    region,
    projectId,
    projectName,
    applicationCredential,
    user,
    state,
    calls,
    env: (extra = {}) => ({
      OS_AUTH_TYPE: "v3applicationcredential",
      OS_AUTH_URL: `${base}/identity/v3/`,
      OS_IDENTITY_API_VERSION: "3",
      OS_REGION_NAME: region,
      OS_INTERFACE: "public",
      OS_APPLICATION_CREDENTIAL_ID: applicationCredential.id,
      OS_APPLICATION_CREDENTIAL_SECRET: applicationCredential.secret,
      ...extra,
    }),
    omitFromCatalog: (...services) => {
      for (const s of services) omitted.add(s);
    },
    failOn: (service, status) => void faults.set(service, status),
    delay: (service, ms) => void delays.set(service, ms),
    echoSecrets: (on) => {
      echo = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
