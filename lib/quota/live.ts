import { ConfigError, ExternalError } from "../errors.ts";
import type { Usage } from "./check.ts";
import { zeroCounts, type QuotaItem } from "./needs.ts";
import type { Quota } from "./profiles.ts";

/**
 * A project's live limits and usage, read with read-only calls to the OpenStack APIs:
 *
 *   Keystone  POST /v3/auth/tokens                          a token and the service catalog
 *   Nova      GET {compute}/limits                          instances, cores, RAM (MiB)
 *   Neutron   GET {network}/v2.0/quotas/{project}/details.json   floating IPs, networks, subnets,
 *                                                           routers, security groups and rules, ports
 *   Cinder    GET {volumev3}/limits                         volumes, gigabytes
 *
 * Field names are those of the public API references (Compute "Show Rate And Absolute Limits",
 * Networking "Show quota details for a project", Block Storage "Show absolute limits"). Nothing
 * is created; the token is not revoked (it expires on its own, as the openstack CLI's do).
 *
 * Secrets (the application credential's secret, the password, the token) never appear in an
 * error: messages name the call, the HTTP status and what to check, and any text the server
 * sends back is scrubbed of them.
 */

/** How `readLiveQuota` authenticates, from the `OS_*` variables of an openrc. */
export interface OpenStackCredentials {
  /** Keystone v3 `/auth/tokens` URL derived from OS_AUTH_URL. */
  readonly tokensUrl: string;
  /** OS_REGION_NAME; undefined picks the catalog's only (or first) region. */
  readonly region?: string;
  /** OS_INTERFACE. @default "public" */
  readonly interface: string;
  /** The request body for Keystone. Holds the secret: never print it. */
  readonly authBody: unknown;
  /** Which variables hold the credential, for messages. */
  readonly describe: string;
  /** Secret strings to scrub from any text shown. */
  readonly secrets: readonly string[];
}

export interface LiveQuota {
  /** The project's limits (`name` says which project, for reports). */
  readonly quota: Quota;
  /** What the project holds now; Neutron's in-flight reservations included. */
  readonly inUse: Usage;
  readonly project: { readonly id: string; readonly name?: string };
  readonly region?: string;
  /** The deploying credential, when it is an application credential: restricted or not. */
  readonly applicationCredential?: { readonly restricted: boolean };
}

export interface LiveQuotaOptions {
  /** Per request. @default 15000 */
  readonly timeoutMs?: number;
}

type Env = Readonly<Record<string, string | undefined>>;
type Json = Record<string, unknown>;

const DEFAULT_TIMEOUT_MS = 15_000;

/** Whether the environment names an OpenStack cloud by `OS_AUTH_URL` (an openrc was sourced). */
export function hasOpenStackCredentials(env: Env): boolean {
  return Boolean(env.OS_AUTH_URL?.trim());
}

/**
 * The credentials an openrc sets: an application credential (`OS_APPLICATION_CREDENTIAL_ID` and
 * `_SECRET`, as Jetstream2's openrc files carry; or `_NAME` with the user), or a password
 * (`OS_USERNAME`, `OS_PASSWORD`, `OS_PROJECT_NAME` or `OS_PROJECT_ID`, domains by name or ID,
 * "default" when unset). Undefined without `OS_AUTH_URL`; a ConfigError when it is set but the
 * rest is incomplete. `OS_CLOUD` (clouds.yaml) is not read here.
 */
export function openStackCredentialsFrom(env: Env): OpenStackCredentials | undefined {
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const authUrl = get("OS_AUTH_URL");
  if (!authUrl) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(authUrl);
  } catch {
    throw new ConfigError(`OS_AUTH_URL ${JSON.stringify(authUrl)} is not a URL: source your cloud's openrc again (Jetstream2: https://js2.jetstream-cloud.org:5000/v3/)`);
  }
  const base = parsed.toString().replace(/\/+$/, "");
  const tokensUrl = /\/v3$/.test(base) ? `${base}/auth/tokens` : `${base}/v3/auth/tokens`;
  const region = get("OS_REGION_NAME");
  const iface = (get("OS_INTERFACE") ?? "public").replace(/URL$/, "");
  const common = { tokensUrl, ...(region ? { region } : {}), interface: iface };

  const type = get("OS_AUTH_TYPE")?.toLowerCase();
  const wantsAppCred = type === "v3applicationcredential" || (type === undefined && Boolean(get("OS_APPLICATION_CREDENTIAL_ID") ?? get("OS_APPLICATION_CREDENTIAL_NAME")));
  const userRef = (): Json | undefined => {
    const id = get("OS_USER_ID");
    if (id) return { id };
    const name = get("OS_USERNAME");
    if (!name) return undefined;
    return { name, domain: domain(get("OS_USER_DOMAIN_NAME"), get("OS_USER_DOMAIN_ID")) };
  };

  if (wantsAppCred) {
    const id = get("OS_APPLICATION_CREDENTIAL_ID");
    const name = get("OS_APPLICATION_CREDENTIAL_NAME");
    const secret = get("OS_APPLICATION_CREDENTIAL_SECRET");
    const user = userRef();
    const missing = [
      ...(!id && !name ? ["OS_APPLICATION_CREDENTIAL_ID"] : []),
      ...(!secret ? ["OS_APPLICATION_CREDENTIAL_SECRET"] : []),
      ...(!id && name && !user ? ["OS_USERNAME (a credential given by name needs its user)"] : []),
    ];
    if (missing.length > 0) throw incomplete(missing);
    return {
      ...common,
      authBody: { auth: { identity: { methods: ["application_credential"], application_credential: id ? { id, secret } : { name, secret, user } } } },
      describe: id ? "OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET" : "OS_APPLICATION_CREDENTIAL_NAME, OS_APPLICATION_CREDENTIAL_SECRET and OS_USERNAME",
      secrets: [secret!],
    };
  }

  const password = get("OS_PASSWORD");
  const user = userRef();
  const projectId = get("OS_PROJECT_ID") ?? get("OS_TENANT_ID");
  const projectName = get("OS_PROJECT_NAME") ?? get("OS_TENANT_NAME");
  const missing = [...(!user ? ["OS_USERNAME"] : []), ...(!password ? ["OS_PASSWORD"] : []), ...(!projectId && !projectName ? ["OS_PROJECT_NAME"] : [])];
  if (missing.length > 0) throw incomplete(missing);
  const project = projectId ? { id: projectId } : { name: projectName, domain: domain(get("OS_PROJECT_DOMAIN_NAME"), get("OS_PROJECT_DOMAIN_ID")) };
  return {
    ...common,
    authBody: { auth: { identity: { methods: ["password"], password: { user: { ...user, password } } }, scope: { project } } },
    describe: "OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME and the domain variables",
    secrets: [password!],
  };
}

function domain(name: string | undefined, id: string | undefined): Json {
  if (id) return { id };
  // Keystone's own default domain has the ID "default".
  return name ? { name } : { id: "default" };
}

function incomplete(missing: readonly string[]): ConfigError {
  return new ConfigError(`OS_AUTH_URL is set but the OpenStack credentials are incomplete: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing`, [
    "Source the openrc file of the allocation you mean (Jetstream2: an application credential's openrc sets OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET),",
    "or unset OS_AUTH_URL to check against the default quota offline.",
  ]);
}

/**
 * Reads the project's limits and usage when the environment holds OpenStack credentials
 * (see `openStackCredentialsFrom`); undefined when it holds none. Throws an ExternalError naming
 * the failed call, its HTTP status and what to check.
 *
 * ```ts
 * const live = await readLiveQuota(process.env);
 * const check = live ? checkQuota(after, live.quota, live.inUse, needsIncrease(after, before)) : checkQuota(after, profile);
 * ```
 */
export async function readLiveQuota(env: Env, options: LiveQuotaOptions = {}): Promise<LiveQuota | undefined> {
  const credentials = openStackCredentialsFrom(env);
  if (!credentials) return undefined;
  const client = new Client(credentials, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const session = await client.authenticate();
  const compute = endpoint(session, credentials, ["compute"], "compute (Nova)");
  const network = endpoint(session, credentials, ["network"], "network (Neutron)");
  const volume = endpoint(session, credentials, ["volumev3", "block-storage"], "block-storage (Cinder, type volumev3)");
  const networkRoot = /\/v2\.0$/.test(network) ? network : `${network}/v2.0`;

  const [nova, neutron, cinder] = await Promise.all([
    client.get(session, "Nova", `${compute}/limits`),
    client.get(session, "Neutron", `${networkRoot}/quotas/${encodeURIComponent(session.project.id)}/details.json`),
    client.get(session, "Cinder", `${volume}/limits`),
  ]);

  const quota = zeroCounts();
  const inUse = zeroCounts();
  const novaAbsolute = field(field(nova.body, "limits", nova.what), "absolute", nova.what);
  const fromNova: ReadonlyArray<[QuotaItem, string, string]> = [
    ["instances", "maxTotalInstances", "totalInstancesUsed"],
    ["cores", "maxTotalCores", "totalCoresUsed"],
    ["ramMiB", "maxTotalRAMSize", "totalRAMUsed"],
  ];
  for (const [item, max, used] of fromNova) {
    quota[item] = numberField(novaAbsolute, max, nova.what);
    inUse[item] = numberField(novaAbsolute, used, nova.what);
  }

  const cinderAbsolute = field(field(cinder.body, "limits", cinder.what), "absolute", cinder.what);
  const fromCinder: ReadonlyArray<[QuotaItem, string, string]> = [
    ["volumes", "maxTotalVolumes", "totalVolumesUsed"],
    ["gigabytes", "maxTotalVolumeGigabytes", "totalGigabytesUsed"],
  ];
  for (const [item, max, used] of fromCinder) {
    quota[item] = numberField(cinderAbsolute, max, cinder.what);
    inUse[item] = numberField(cinderAbsolute, used, cinder.what);
  }

  const details = field(neutron.body, "quota", neutron.what);
  const fromNeutron: ReadonlyArray<[QuotaItem, string]> = [
    ["floatingIps", "floatingip"],
    ["networks", "network"],
    ["subnets", "subnet"],
    ["routers", "router"],
    ["securityGroups", "security_group"],
    ["securityGroupRules", "security_group_rule"],
    ["ports", "port"],
  ];
  for (const [item, key] of fromNeutron) {
    const detail = field(details, key, `${neutron.what} (quota)`);
    quota[item] = numberField(detail, "limit", `${neutron.what} (quota.${key})`);
    // Neutron checks used + reserved + requested against the limit; some releases send
    // "reserved" as a string (launchpad bug 1918565).
    inUse[item] = numberField(detail, "used", `${neutron.what} (quota.${key})`) + (optionalNumber(detail.reserved) ?? 0);
  }

  const { project, region } = session;
  const name = `project ${project.name ?? project.id}${region ? ` in region ${region}` : ""}`;
  return { quota: { ...quota, name }, inUse, project, ...(region ? { region } : {}), ...(session.applicationCredential ? { applicationCredential: session.applicationCredential } : {}) };
}

/**
 * The last `lines` lines of each named server's console log (OpenStack's `os-getConsoleOutput`),
 * by name; a name the project has no server of maps to undefined. Undefined without credentials.
 */
export async function readConsoleLogs(env: Env, names: readonly string[], options: { lines?: number; timeoutMs?: number } = {}): Promise<Map<string, string | undefined> | undefined> {
  const credentials = openStackCredentialsFrom(env);
  if (!credentials) return undefined;
  const client = new Client(credentials, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const session = await client.authenticate();
  const compute = endpoint(session, credentials, ["compute"], "compute (Nova)");
  const out = new Map<string, string | undefined>();
  await Promise.all(
    names.map(async (name) => {
      const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const list = await client.get(session, "Nova", `${compute}/servers?name=${encodeURIComponent(`^${escaped}$`)}`);
      const servers = (Array.isArray(list.body.servers) ? list.body.servers : []) as Json[];
      const id = servers.find((s) => s.name === name)?.id;
      if (typeof id !== "string") {
        out.set(name, undefined);
        return;
      }
      const log = await client.get(session, "Nova", `${compute}/servers/${encodeURIComponent(id)}/action`, { "os-getConsoleOutput": { length: options.lines ?? 200 } });
      out.set(name, typeof log.body.output === "string" ? log.body.output : "");
    }),
  );
  return out;
}

// ---- HTTP -----------------------------------------------------------------------------------

interface Session {
  readonly token: string;
  /** Set when the token comes from an application credential: whether it is restricted. */
  readonly applicationCredential?: { readonly restricted: boolean };
  readonly catalog: ReadonlyArray<{
    readonly type: string;
    readonly endpoints: ReadonlyArray<{ readonly interface?: string; readonly region?: string; readonly region_id?: string; readonly url?: string }>;
  }>;
  readonly project: { readonly id: string; readonly name?: string };
  readonly region?: string;
}

interface Answer {
  readonly body: Json;
  /** "Nova GET https://…/limits", for messages. */
  readonly what: string;
}

class Client {
  constructor(
    private readonly credentials: OpenStackCredentials,
    private readonly timeoutMs: number,
  ) {}

  private scrub(text: string, extra: readonly string[] = []): string {
    let out = text;
    for (const s of [...this.credentials.secrets, ...extra]) if (s) out = out.split(s).join("[redacted]");
    return out;
  }

  async authenticate(): Promise<Session> {
    const url = this.credentials.tokensUrl;
    const what = `Keystone POST ${url}`;
    const res = await this.send(what, url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(this.credentials.authBody),
    });
    const text = await this.read(what, res);
    if (!res.ok) {
      const hint =
        res.status === 401
          ? `Keystone refused the credentials: check ${this.credentials.describe} (source the openrc of the allocation you mean; an application credential may have expired or been deleted).`
          : res.status === 404
            ? "Check OS_AUTH_URL: it should be the Keystone v3 URL (Jetstream2: https://js2.jetstream-cloud.org:5000/v3/)."
            : statusHint(res.status);
      throw this.failure(what, res, text, hint);
    }
    const token = res.headers.get("x-subject-token");
    if (!token) throw new ExternalError(`Reading the project's quota: ${what} answered without an X-Subject-Token header`, ["Check OS_AUTH_URL: it should be the Keystone v3 URL."]);
    const body = parseJson(what, text, (t) => this.scrub(t, [token]));
    const t = field(body, "token", what);
    const project = t.project as Json | undefined;
    if (!project || typeof project.id !== "string") {
      throw new ExternalError(`Reading the project's quota: the token from ${what} is not scoped to a project`, [
        "Set OS_PROJECT_NAME (or OS_PROJECT_ID), or use an application credential, which is always scoped to its project.",
      ]);
    }
    const catalog = Array.isArray(t.catalog) ? (t.catalog as Session["catalog"]) : [];
    // Keystone says in the token whether an application credential is restricted (the default:
    // it may not create or delete other application credentials).
    const appCred = t.application_credential as Json | undefined;
    return {
      token,
      catalog,
      ...(appCred && typeof appCred === "object" ? { applicationCredential: { restricted: appCred.restricted !== false } } : {}),
      project: { id: project.id, ...(typeof project.name === "string" ? { name: project.name } : {}) },
      ...(this.credentials.region ? { region: this.credentials.region } : {}),
    };
  }

  async get(session: Session, service: string, url: string, post?: Json): Promise<Answer> {
    const what = `${service} ${post ? "POST" : "GET"} ${url}`;
    const headers = { Accept: "application/json", "X-Auth-Token": session.token, ...(post ? { "Content-Type": "application/json" } : {}) };
    const res = await this.send(what, url, { method: post ? "POST" : "GET", headers, ...(post ? { body: JSON.stringify(post) } : {}) }, [session.token]);
    const text = await this.read(what, res, [session.token]);
    if (!res.ok) {
      const hint =
        res.status === 401
          ? "The token was refused: try again; if it persists, the credential lost its role on the project."
          : res.status === 403
            ? `The credential may not read quotas: an application credential with access rules needs GET on this path (${new URL(url).pathname}), and a reader or member role on the project.`
            : res.status === 404
              ? `The ${service} endpoint in the catalog does not answer this call: check OS_REGION_NAME and OS_INTERFACE.`
              : statusHint(res.status);
      throw this.failure(what, res, text, hint, [session.token]);
    }
    return { body: parseJson(what, text, (t) => this.scrub(t, [session.token])), what };
  }

  private async send(what: string, url: string, init: RequestInit, extra: readonly string[] = []): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw this.transportFailure(what, e, extra);
    }
  }

  private async read(what: string, res: Response, extra: readonly string[] = []): Promise<string> {
    try {
      return await res.text();
    } catch (e) {
      throw this.transportFailure(what, e, extra);
    }
  }

  private transportFailure(what: string, e: unknown, extra: readonly string[]): ExternalError {
    const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (err?.name === "TimeoutError" || err?.name === "AbortError") {
      return new ExternalError(`Reading the project's quota: ${what} did not answer within ${formatSeconds(this.timeoutMs)}`, [
        "Check your network and OS_AUTH_URL (and the region's endpoints); the cloud may be slow or down.",
      ]);
    }
    const cause = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
    return new ExternalError(`Reading the project's quota: ${what} failed: ${this.scrub(cause, extra)}`, ["Check your network, OS_AUTH_URL, and that the endpoint is reachable from this machine."]);
  }

  private failure(what: string, res: Response, text: string, hint: string, extra: readonly string[] = []): ExternalError {
    const said = serverMessage(text);
    return new ExternalError(`Reading the project's quota: ${what} failed: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`, [
      ...(said ? [`The server said: ${this.scrub(said, extra)}`] : []),
      hint,
    ]);
  }
}

function statusHint(status: number): string {
  if (status >= 500) return "The cloud's service failed: try again later, or check the cloud's status page.";
  return "Check the OS_* variables of your openrc.";
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The message in an OpenStack error body: `{ error: { message } }`, `{ itemNotFound: { message } }`, `{ NeutronError: { message } }`. */
function serverMessage(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const plain = text.trim();
    return plain ? plain.slice(0, 300) : undefined;
  }
  if (typeof body !== "object" || body === null) return undefined;
  const top = body as Json;
  if (typeof top.message === "string") return top.message.slice(0, 300);
  for (const v of Object.values(top)) {
    if (typeof v === "object" && v !== null && typeof (v as Json).message === "string") return ((v as Json).message as string).slice(0, 300);
  }
  return undefined;
}

function parseJson(what: string, text: string, scrub: (t: string) => string): Json {
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === "object" && body !== null && !Array.isArray(body)) return body as Json;
  } catch {
    // reported below
  }
  throw new ExternalError(`Reading the project's quota: ${what} did not answer with a JSON object`, [
    `It answered: ${scrub(text.slice(0, 200)) || "(nothing)"}`,
    "Check that the endpoint is the OpenStack API (OS_AUTH_URL, OS_INTERFACE).",
  ]);
}

function field(body: Json, key: string, what: string): Json {
  const v = body[key];
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Json;
  throw new ExternalError(`Reading the project's quota: the answer of ${what} has no "${key}" object`, ["The cloud's API may be a version drover does not know; please report it."]);
}

function optionalNumber(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

function numberField(body: Json, key: string, what: string): number {
  const n = optionalNumber(body[key]);
  if (n !== undefined) return n;
  throw new ExternalError(`Reading the project's quota: the answer of ${what} has no number "${key}"`, ["The cloud's API may be a version drover does not know; please report it."]);
}

/**
 * The URL of a service in the token's catalog, for the interface (public) and region asked for;
 * without a region, the first endpoint of that interface. Trailing slashes are dropped.
 */
function endpoint(session: Session, credentials: OpenStackCredentials, types: readonly string[], label: string): string {
  for (const type of types) {
    const service = session.catalog.find((s) => s.type === type);
    if (!service) continue;
    const candidates = service.endpoints.filter((e) => e.interface === credentials.interface && typeof e.url === "string");
    const match = credentials.region ? candidates.find((e) => e.region_id === credentials.region || e.region === credentials.region) : candidates[0];
    if (match?.url) return match.url.replace(/\/+$/, "");
  }
  const regions = [
    ...new Set(session.catalog.filter((s) => types.includes(s.type)).flatMap((s) => s.endpoints.filter((e) => e.interface === credentials.interface).map((e) => e.region_id ?? e.region ?? ""))),
  ].filter(Boolean);
  const where = `${credentials.interface} ${label} endpoint${credentials.region ? ` in region ${credentials.region}` : ""}`;
  throw new ExternalError(`Reading the project's quota: the service catalog of project ${session.project.name ?? session.project.id} has no ${where}`, [
    regions.length > 0 ? `The catalog has one in: ${regions.join(", ")}. Check OS_REGION_NAME (Jetstream2: IU).` : "Check OS_REGION_NAME and OS_INTERFACE, and that the cloud offers this service.",
  ]);
}
