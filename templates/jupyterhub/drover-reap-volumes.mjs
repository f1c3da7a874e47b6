#!/usr/bin/env node
// drover-reap-volumes: deletes the volumes the Cinder CSI driver of one JupyterHub cluster
// created (users' homes, the hub's database), which Terraform never held, when the stack is
// destroyed. Terraform runs it as the destroy-time step of a terraform_data resource on the
// machine running `drover destroy`, after the cluster's machines are gone (they depend on the
// step), so the volumes are detached; it also runs by hand with the same environment.
//
// The driver marks every volume it creates with the metadata cinder.csi.openstack.org/cluster =
// the cluster ID it was started with (the chart's clusterID, drover's cluster name). The script
// signs in with the cluster's application credential, lists the volumes with that metadata,
// deletes each (with its snapshots) once it is no longer attached, and waits until none is left.
// It exits 0 only then, so a failed destroy stops there and a rerun tries again. It never acts on
// a volume without the metadata, and never prints the secret or the token.
//
// Usage: node drover-reap-volumes.mjs [--dry-run]
// Environment:
//   DROVER_AUTH_URL         Keystone v3 URL
//   DROVER_REGION           region of the endpoints (optional when the catalog has one region)
//   DROVER_APP_CRED_ID, DROVER_APP_CRED_SECRET  the application credential
//   DROVER_CSI_CLUSTER      the cluster ID the CSI driver marks its volumes with
//   DROVER_REAP_TIMEOUT_SECONDS  how long to wait for volumes to detach and go (default 600)
//   DROVER_REAP_POLL_SECONDS     pause between checks while waiting (default 5)
// Exit status: 0 nothing left; 1 a call failed or volumes are still there; 2 usage.
//
// Plain Node (20 or later), no packages.

const NAME = "drover-reap-volumes";
const METADATA_KEY = "cinder.csi.openstack.org/cluster";
const REQUEST_TIMEOUT_MS = 60_000;
// Cinder deletes a volume in these states; attached or busy ones are waited for.
const DELETABLE = new Set(["available", "error", "error_restoring", "error_extending", "error_managing"]);

class UsageError extends Error {}
class ReapError extends Error {}

const secrets = [];
const redact = (text) => secrets.reduce((out, s) => (s ? out.split(s).join("[redacted]") : out), String(text));
const say = (line) => console.log(redact(line));
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

function readEnv(argv, env) {
  const unknown = argv.filter((a) => a !== "--dry-run");
  if (unknown.length > 0) throw new UsageError(`unknown argument '${unknown[0]}'; the only option is --dry-run`);
  const missing = ["DROVER_AUTH_URL", "DROVER_APP_CRED_ID", "DROVER_APP_CRED_SECRET", "DROVER_CSI_CLUSTER"].filter((k) => !env[k]);
  if (missing.length > 0) throw new UsageError(`${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set`);
  const seconds = (name, fallback) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} must be a number of seconds, not '${raw}'`);
    return n;
  };
  return {
    dryRun: argv.includes("--dry-run"),
    authUrl: env.DROVER_AUTH_URL.replace(/\/+$/, ""),
    region: env.DROVER_REGION || undefined,
    credentialId: env.DROVER_APP_CRED_ID,
    secret: env.DROVER_APP_CRED_SECRET,
    cluster: env.DROVER_CSI_CLUSTER,
    timeoutSeconds: seconds("DROVER_REAP_TIMEOUT_SECONDS", 600),
    pollSeconds: seconds("DROVER_REAP_POLL_SECONDS", 5),
  };
}

async function request(method, url, token, body, accept = []) {
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: { Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}), ...(token ? { "X-Auth-Token": token } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    throw new ReapError(`${method} ${url} failed: ${e.cause?.message ?? e.message}`);
  }
  const text = await res.text();
  if (!res.ok && !accept.includes(res.status)) throw new ReapError(`${method} ${url} answered ${res.status}: ${text.replace(/\s+/g, " ").trim().slice(0, 300) || res.statusText}`);
  return { headers: res.headers, json: text && res.ok ? JSON.parse(text) : undefined };
}

/** A token and the block-storage endpoint (with the project in its path, as Cinder's v3 API wants). */
async function connect(config) {
  const tokens = `${/\/v3$/.test(config.authUrl) ? config.authUrl : `${config.authUrl}/v3`}/auth/tokens`;
  const res = await request("POST", tokens, undefined, {
    auth: { identity: { methods: ["application_credential"], application_credential: { id: config.credentialId, secret: config.secret } } },
  });
  const token = res.headers.get("x-subject-token");
  if (!token) throw new ReapError("Keystone issued no token (no X-Subject-Token header)");
  secrets.push(token);
  const catalog = res.json?.token?.catalog ?? [];
  const regionOf = (e) => e.region_id ?? e.region;
  const endpoints = ["block-storage", "volumev3"]
    .flatMap((type) => catalog.filter((e) => e.type === type))
    .flatMap((e) => e.endpoints ?? [])
    .filter((e) => e.interface === "public" && (!config.region || regionOf(e) === config.region));
  if (endpoints.length === 0) throw new ReapError(`the catalog has no public block-storage endpoint${config.region ? ` in region ${config.region}` : ""}`);
  let url = endpoints[0].url.replace(/\/+$/, "");
  const project = res.json?.token?.project?.id;
  if (/\/v3$/.test(url) && project) url += `/${project}`;
  return { token, url };
}

async function listVolumes(api, config) {
  const filter = encodeURIComponent(JSON.stringify({ [METADATA_KEY]: config.cluster }));
  const volumes = [];
  for (let next = `${api.url}/volumes/detail?metadata=${filter}`; next; ) {
    const { json } = await request("GET", next, api.token);
    volumes.push(...(json?.volumes ?? []));
    next = (json?.volumes_links ?? []).find((l) => l.rel === "next")?.href;
  }
  // Only the cluster's own, should the API ignore the filter.
  return volumes.filter((v) => v.metadata?.[METADATA_KEY] === config.cluster);
}

const names = (volumes) => volumes.map((v) => `${v.name || v.id} (${v.status})`).join(", ");

async function main(argv, env) {
  const config = readEnv(argv, env);
  secrets.push(config.secret);
  const api = await connect(config);
  const first = await listVolumes(api, config);
  if (config.dryRun || first.length === 0) {
    say(first.length > 0 ? `would delete ${first.length} volume(s) of ${config.cluster}: ${names(first)}` : `no volumes of ${config.cluster} left`);
    return 0;
  }
  say(`deleting ${first.length} volume(s) the CSI driver of ${config.cluster} created: ${names(first)}`);
  const deadline = Date.now() + config.timeoutSeconds * 1000;
  const asked = new Set();
  for (;;) {
    const left = await listVolumes(api, config);
    if (left.length === 0) {
      say(`deleted ${first.length} volume(s) of ${config.cluster}`);
      return 0;
    }
    for (const v of left.filter((x) => DELETABLE.has(x.status) && !asked.has(x.id))) {
      // 404: gone meanwhile; cascade: its snapshots go with it.
      await request("DELETE", `${api.url}/volumes/${encodeURIComponent(v.id)}?cascade=true`, api.token, undefined, [404]);
      asked.add(v.id);
    }
    if (Date.now() >= deadline) {
      throw new ReapError(`timed out after ${config.timeoutSeconds}s with ${left.length} volume(s) of ${config.cluster} left: ${names(left)} (still attached to a machine outside the stack?)`);
    }
    await sleep(config.pollSeconds);
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    if (e instanceof UsageError) {
      console.error(`${NAME}: ${redact(e.message)}\nusage: node drover-reap-volumes.mjs [--dry-run]`);
      process.exitCode = 2;
    } else {
      console.error(`${NAME}: error: ${redact(e instanceof ReapError ? e.message : (e?.stack ?? e))}\nRun the destroy (or this script) again to retry.`);
      process.exitCode = 1;
    }
  },
);
