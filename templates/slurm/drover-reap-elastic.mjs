#!/usr/bin/env node
// drover-reap-elastic: deletes the elastic Slurm nodes of one cluster, the servers and ports that
// Slurm's ResumeProgram created outside Terraform, when the stack is destroyed. Terraform runs it
// as the destroy-time step of a terraform_data resource, on the machine running `drover destroy`;
// it also runs by hand with the same environment.
//
// It signs in with the cluster's application credential, lists the servers tagged
// drover_cluster=<cluster> (compute API microversion 2.26, for the tags filter), deletes each by
// ID, waits until they are gone, then deletes the ports with that tag. It exits 0 only when
// nothing of the cluster is left, so a failed destroy stops there and a rerun tries again:
// a destroy must never leave instances running unseen. It never prints the secret or the token.
//
// Usage: node drover-reap-elastic.mjs [--dry-run]
//   --dry-run  list what would be deleted, delete nothing
// Environment:
//   DROVER_AUTH_URL         Keystone v3 URL, e.g. https://js2.jetstream-cloud.org:5000/v3
//   DROVER_REGION           region of the endpoints (optional when the catalog has one region)
//   DROVER_APP_CRED_ID, DROVER_APP_CRED_SECRET  the application credential
//   DROVER_CLUSTER          the cluster's Slurm name, the value of its drover_cluster= tag
//   DROVER_REAP_TIMEOUT_SECONDS  how long to wait for the servers to go (default 600)
//   DROVER_REAP_POLL_SECONDS     pause between checks while waiting (default 5)
// Exit status: 0 nothing left; 1 a call failed or servers are still there; 2 usage.
//
// Plain Node (20 or later), no packages: the machine running the destroy may have nothing else.

const NAME = "drover-reap-elastic";
const COMPUTE_MICROVERSION = "2.26";
const REQUEST_TIMEOUT_MS = 60_000;

class UsageError extends Error {}
class ReapError extends Error {}

/** Strings never to print: the secret and the token. */
const secrets = [];

function redact(text) {
  let out = String(text);
  for (const s of secrets) if (s) out = out.split(s).join("[redacted]");
  return out;
}

const say = (line) => console.log(redact(line));

function parseArgs(argv) {
  const options = { dryRun: false, help: false };
  for (const arg of argv) {
    if (arg === "--dry-run") options.dryRun = true;
    else if (arg === "--help" || arg === "-h") options.help = true;
    else throw new UsageError(`unknown argument '${arg}'; the only option is --dry-run`);
  }
  return options;
}

function readEnv(env) {
  const missing = ["DROVER_AUTH_URL", "DROVER_APP_CRED_ID", "DROVER_APP_CRED_SECRET", "DROVER_CLUSTER"].filter((k) => !env[k]);
  if (missing.length > 0) throw new UsageError(`${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set`);
  const cluster = env.DROVER_CLUSTER;
  // A tag may hold neither ',' (it separates tags in a filter) nor '/'.
  if (!/^[A-Za-z0-9_.=-]+$/.test(cluster)) throw new UsageError(`DROVER_CLUSTER '${cluster}' may hold only letters, digits, '_', '.', '-'`);
  const seconds = (name, fallback) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} must be a number of seconds, not '${raw}'`);
    return n;
  };
  return {
    authUrl: env.DROVER_AUTH_URL,
    region: env.DROVER_REGION || undefined,
    credentialId: env.DROVER_APP_CRED_ID,
    secret: env.DROVER_APP_CRED_SECRET,
    cluster,
    tag: `drover_cluster=${cluster}`,
    timeoutSeconds: seconds("DROVER_REAP_TIMEOUT_SECONDS", 600),
    pollSeconds: seconds("DROVER_REAP_POLL_SECONDS", 5),
  };
}

/** The message in an OpenStack error body: `{"itemNotFound": {"message": ...}}`, `{"NeutronError": ...}`, `{"error": ...}`. */
function apiMessage(text) {
  try {
    const body = JSON.parse(text);
    for (const value of Object.values(body)) {
      if (value && typeof value === "object" && typeof value.message === "string") return value.message;
    }
    if (typeof body.message === "string") return body.message;
  } catch {
    // not JSON: fall through to the text itself
  }
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}

async function call(method, url, { token, body, headers = {}, accept = [] } = {}) {
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: { Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}), ...(token ? { "X-Auth-Token": token } : {}), ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    throw new ReapError(`${method} ${url} failed: ${e.cause?.message ?? e.message}`);
  }
  const text = await res.text();
  if (!res.ok && !accept.includes(res.status)) {
    throw new ReapError(`${method} ${url} answered ${res.status}: ${apiMessage(text) || res.statusText}`);
  }
  return { status: res.status, headers: res.headers, json: text && res.ok ? JSON.parse(text) : undefined };
}

function keystoneTokensUrl(authUrl) {
  const base = authUrl.replace(/\/+$/, "");
  return `${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`;
}

/** The public endpoint of a service type, for the region when one is given. */
function endpoint(catalog, type, region) {
  const entries = catalog.filter((e) => e.type === type);
  const all = entries.flatMap((e) => e.endpoints ?? []).filter((e) => e.interface === "public");
  const regionOf = (e) => e.region_id ?? e.region;
  const found = region ? all.filter((e) => regionOf(e) === region) : all;
  const regions = [...new Set(all.map(regionOf))];
  if (found.length === 0) {
    throw new ReapError(`the catalog has no public ${type} endpoint${region ? ` in region ${region}` : ""}${regions.length > 0 ? ` (regions with one: ${regions.join(", ")})` : ""}`);
  }
  if (!region && new Set(found.map(regionOf)).size > 1) {
    throw new ReapError(`the catalog has public ${type} endpoints in several regions (${regions.join(", ")}): set DROVER_REGION`);
  }
  return found[0].url.replace(/\/+$/, "");
}

async function connect(config) {
  const res = await call("POST", keystoneTokensUrl(config.authUrl), {
    body: { auth: { identity: { methods: ["application_credential"], application_credential: { id: config.credentialId, secret: config.secret } } } },
  }).catch((e) => {
    throw new ReapError(`signing in with application credential ${config.credentialId} failed: ${e.message}`);
  });
  const token = res.headers.get("x-subject-token");
  if (!token) throw new ReapError("Keystone issued no token (no X-Subject-Token header)");
  secrets.push(token);
  const catalog = res.json?.token?.catalog ?? [];
  let compute = endpoint(catalog, "compute", config.region);
  // The compute endpoint is usually versioned (…/v2.1, sometimes with the project ID after it).
  if (!/\/v2(\.1)?(\/|$)/.test(compute)) compute += "/v2.1";
  let network = endpoint(catalog, "network", config.region);
  if (!/\/v2\.0$/.test(network)) network += "/v2.0";
  return { token, compute, network };
}

/** Every item of a paged list, following the `<key>_links` next links Nova and Neutron give. */
async function listAll(api, url, key, headers) {
  const items = [];
  const seen = new Set();
  for (let next = url; next; ) {
    if (seen.has(next)) throw new ReapError(`paging through ${key} loops at ${next}`);
    seen.add(next);
    const { json } = await call("GET", next, { token: api.token, headers });
    items.push(...(json?.[key] ?? []));
    next = (json?.[`${key}_links`] ?? []).find((l) => l.rel === "next")?.href;
  }
  return items;
}

const computeHeaders = { "OpenStack-API-Version": `compute ${COMPUTE_MICROVERSION}`, "X-OpenStack-Nova-API-Version": COMPUTE_MICROVERSION };

async function listServers(api, config) {
  const servers = await listAll(api, `${api.compute}/servers/detail?tags=${encodeURIComponent(config.tag)}`, "servers", computeHeaders);
  // Below 2.26 Nova ignores the tags filter and lists every server of the project: never act
  // on such a list.
  const untagged = servers.filter((s) => !Array.isArray(s.tags));
  if (untagged.length > 0) {
    throw new ReapError(`the compute API did not apply microversion ${COMPUTE_MICROVERSION} (servers listed without tags); nothing was deleted`);
  }
  return servers.filter((s) => s.tags.includes(config.tag));
}

async function listPorts(api, config) {
  const ports = await listAll(api, `${api.network}/ports?tags=${encodeURIComponent(config.tag)}`, "ports");
  // Only ports that carry the tag, should a network API ignore the filter.
  return ports.filter((p) => Array.isArray(p.tags) && p.tags.includes(config.tag));
}

const names = (items) => items.map((x) => x.name || x.id).join(", ");
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function deleteServers(api, config, servers) {
  say(`deleting ${plural(servers.length, "elastic node", "elastic nodes")} of ${config.cluster}: ${names(servers)}`);
  const failed = [];
  for (const s of servers) {
    try {
      // 404: deleted meanwhile, which is what we want.
      await call("DELETE", `${api.compute}/servers/${encodeURIComponent(s.id)}`, { token: api.token, headers: computeHeaders, accept: [404] });
    } catch (e) {
      failed.push(`${s.name} (${s.id}): ${e.message}`);
    }
  }
  if (failed.length > 0) throw new ReapError(`could not delete ${plural(failed.length, "elastic node", "elastic nodes")} of ${config.cluster}:\n  ${failed.join("\n  ")}`);

  const ids = new Set(servers.map((s) => s.id));
  const deadline = Date.now() + config.timeoutSeconds * 1000;
  let reported = 0;
  for (;;) {
    const left = (await listServers(api, config)).filter((s) => ids.has(s.id));
    const done = servers.length - left.length;
    if (done !== reported || left.length === 0) {
      say(`deleted ${done} of ${servers.length}`);
      reported = done;
    }
    if (left.length === 0) return;
    if (Date.now() >= deadline) {
      const states = left.map((s) => `${s.name} (${s.id}, status ${s.status}${s["OS-EXT-STS:task_state"] ? `, ${s["OS-EXT-STS:task_state"]}` : ""})`);
      throw new ReapError(`timed out after ${config.timeoutSeconds}s waiting for ${plural(left.length, "elastic node", "elastic nodes")} of ${config.cluster} to go: ${states.join(", ")}`);
    }
    await sleep(config.pollSeconds);
  }
}

async function deletePorts(api, config, ports) {
  say(`deleting ${plural(ports.length, "port", "ports")} of ${config.cluster}: ${names(ports)}`);
  const failed = [];
  for (const p of ports) {
    try {
      await call("DELETE", `${api.network}/ports/${encodeURIComponent(p.id)}`, { token: api.token, accept: [404] });
    } catch (e) {
      failed.push(`${p.name || p.id} (${p.id}): ${e.message}`);
    }
  }
  if (failed.length > 0) throw new ReapError(`could not delete ${plural(failed.length, "port", "ports")} of ${config.cluster}:\n  ${failed.join("\n  ")}`);
  say(`deleted ${plural(ports.length, "port", "ports")}`);
}

async function main(argv, env) {
  const options = parseArgs(argv);
  if (options.help) {
    console.log("usage: node drover-reap-elastic.mjs [--dry-run]\n(see the comment at the top of this file for the environment it reads)");
    return 0;
  }
  const config = readEnv(env);
  secrets.push(config.secret);
  const api = await connect(config);

  const servers = await listServers(api, config);
  if (options.dryRun) {
    const ports = await listPorts(api, config);
    say(servers.length > 0 ? `would delete ${plural(servers.length, "elastic node", "elastic nodes")} of ${config.cluster}: ${names(servers)}` : `no elastic nodes of ${config.cluster}`);
    say(ports.length > 0 ? `would delete ${plural(ports.length, "port", "ports")} of ${config.cluster}: ${names(ports)}` : `no ports of ${config.cluster}`);
    return 0;
  }
  if (servers.length > 0) await deleteServers(api, config, servers);
  // Ports come second: Nova unbinds them as their servers go.
  const ports = await listPorts(api, config);
  if (ports.length > 0) await deletePorts(api, config, ports);

  // Something may have appeared meanwhile (a controller still creating nodes): say so, and fail.
  const [serversLeft, portsLeft] = await Promise.all([listServers(api, config), listPorts(api, config)]);
  if (serversLeft.length > 0 || portsLeft.length > 0) {
    throw new ReapError(
      `still there after deleting: ${[serversLeft.length > 0 ? `servers ${names(serversLeft)}` : "", portsLeft.length > 0 ? `ports ${names(portsLeft)}` : ""].filter(Boolean).join("; ")} (is the cluster's controller still running?)`,
    );
  }
  if (servers.length === 0 && ports.length === 0) say(`no elastic nodes or ports of ${config.cluster} left`);
  return 0;
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    if (e instanceof UsageError) {
      console.error(`${NAME}: ${redact(e.message)}\nusage: node drover-reap-elastic.mjs [--dry-run]`);
      process.exitCode = 2;
    } else if (e instanceof ReapError) {
      console.error(`${NAME}: error: ${redact(e.message)}\nRun the destroy (or this script) again to retry.`);
      process.exitCode = 1;
    } else {
      console.error(`${NAME}: internal error: ${redact(e?.stack ?? e)}`);
      process.exitCode = 1;
    }
  },
);
