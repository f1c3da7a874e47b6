import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, open, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { must } from "../host.ts";
import { CheckFailure, type ScenarioDefinition, type ScenarioRun } from "../scenario.ts";

const MACHINE = "lab-gateway-portal";
/** The ACME server's name in the lab's DNS (`.test` is reserved for testing). */
const ACME_HOST = "acme.lab.test";
const ACME_PORT = 14000;
const ACME_MANAGEMENT_PORT = 15000;
/** What the lab's stand-in for the user's own service answers. */
const APP_TOKEN = "drover-lab-upstream-ok";
/** What the new release of that service answers on day 2. */
const APP_TOKEN_V2 = "drover-lab-upstream-v2";

interface Acme {
  readonly caPem: string;
  readonly dir: string;
  readonly process: ChildProcess;
}

const acme = (run: ScenarioRun) => run.memo.get("acme") as Acme | undefined;

function gateway(run: ScenarioRun) {
  const m = run.stack.machines.find((x) => x.name === MACHINE);
  const fqdn = run.stack.dns[0]?.name;
  if (!m?.publicAddress || !fqdn) throw new CheckFailure(`the stack has no ${MACHINE} with a floating IP and a DNS record`);
  return { machine: run.machine(MACHINE), fqdn, address: m.publicAddress };
}

/** curl from the lab's router (the "internet" in front of the floating IP), resolving the gateway's name to it. */
function curl(run: ScenarioRun, args: readonly string[], fqdn: string, address: string) {
  const dir = acme(run)?.dir ?? "";
  return run.network.exec("curl", ["-sS", "-m", "20", "--resolve", `${fqdn}:80:${address}`, "--resolve", `${fqdn}:443:${address}`, "--cacert", join(dir, "pebble-root.pem"), ...args]);
}

/**
 * `gateway`: a GatewayHost whose name the lab's DNS resolves to its floating IP. Its first boot
 * gets a certificate from pebble (a real ACME server, Let's Encrypt's test server) through the
 * real certbot and HTTP-01 challenge; then HTTPS answers with that certificate, HTTP redirects,
 * the security headers are there, the user's own service is reached through nginx, and the host
 * firewall keeps SSH to the allowed range.
 */
export const gatewayScenario: ScenarioDefinition = {
  name: "gateway",
  stack: "lab-gateway",
  summary: "a science gateway: DNS, a certificate from an ACME server, HTTPS, headers, firewall",
  substitutions: [
    "Let's Encrypt: pebble, a real ACME server for tests, on the lab network; certbot is pointed at it by /etc/letsencrypt/cli.ini and trusts its API's certificate through the image's CA bundle (the lab adds both to the machine's disk)",
    "DNS: the allocation's zone (Designate) is the lab's DNS server, answering the stack's records",
    "the app in a container (podman) is not run: no registry is reachable here; the lab's stack uses `upstream` and the lab starts a small service on 127.0.0.1:8080 in its place",
    "volume: a sparse file on a loop device; cloud-init reads a NoCloud seed; security groups are not enforced (the host firewall is); image: Debian 13 (trixie)",
  ],
  async before(run) {
    const dir = join(run.lab.runDir, `acme-${run.name}`);
    await mkdir(dir, { recursive: true });
    const gatewayIp = run.stack.subnets[0]!.gateway;
    // A CA of the lab's own for pebble's API (the ACME directory certbot talks to).
    await must("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      join(dir, "ca.key"),
      "-out",
      join(dir, "ca.pem"),
      "-subj",
      "/CN=drover lab ACME API CA",
      "-days",
      "2",
    ]);
    await must("openssl", [
      "req",
      "-x509",
      "-CA",
      join(dir, "ca.pem"),
      "-CAkey",
      join(dir, "ca.key"),
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      join(dir, "pebble.key"),
      "-out",
      join(dir, "pebble.pem"),
      "-subj",
      `/CN=${ACME_HOST}`,
      "-addext",
      `subjectAltName=DNS:${ACME_HOST},IP:${gatewayIp}`,
      "-days",
      "2",
    ]);
    await writeFile(
      join(dir, "pebble.json"),
      JSON.stringify({
        pebble: {
          listenAddress: `${gatewayIp}:${ACME_PORT}`,
          managementListenAddress: `${gatewayIp}:${ACME_MANAGEMENT_PORT}`,
          certificate: join(dir, "pebble.pem"),
          privateKey: join(dir, "pebble.key"),
          httpPort: 80,
          tlsPort: 443,
          ocspResponderURL: "",
          externalAccountBindingRequired: false,
        },
      }),
    );
    await run.network.addHosts([{ name: ACME_HOST, address: gatewayIp }]);
    const log = await open(join(dir, "pebble.log"), "a");
    const [enter, ...enterArgs] = run.network.enter;
    const child = spawn(enter!, [...enterArgs, "pebble", "-config", join(dir, "pebble.json"), "-dnsserver", `${gatewayIp}:53`], {
      stdio: ["ignore", log.fd, log.fd],
      // No random sleeps before validations; no nonces refused at random (pebble's test knobs).
      env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
      detached: true,
    });
    child.on("exit", () => void log.close());
    if (child.pid !== undefined) await run.lab.state.update((r) => r.processes.push(child.pid!));
    const up = await run.poll(
      30_000,
      async () => {
        const r = await run.network.exec("curl", ["-sS", "-m", "3", "-k", `https://${gatewayIp}:${ACME_MANAGEMENT_PORT}/roots/0`]);
        return r.code === 0 && r.stdout.includes("BEGIN CERTIFICATE") ? r.stdout : undefined;
      },
      500,
    );
    if (!up) throw new Error(`pebble did not start (see ${join(dir, "pebble.log")})`);
    run.memo.set("acme", { caPem: await readFile(join(dir, "ca.pem"), "utf8"), dir, process: child } satisfies Acme);
  },
  machineFiles(run) {
    const a = acme(run);
    if (!a) return [];
    return [
      { path: "/etc/letsencrypt/cli.ini", content: `# drover lab: certbot asks the lab's ACME server (pebble), not Let's Encrypt.\nserver = https://${ACME_HOST}:${ACME_PORT}/dir\n` },
      { path: "/usr/local/share/ca-certificates/drover-lab-acme.crt", content: a.caPem },
      // The bundle update-ca-certificates would make; certbot's HTTP client reads it.
      { path: "/etc/ssl/certs/ca-certificates.crt", content: `${imageBundle(run)}${a.caPem}` },
    ];
  },
  async after(run) {
    const a = acme(run);
    if (a && a.process.exitCode === null) a.process.kill("SIGTERM");
  },
  async exercise(run) {
    const { machine, fqdn, address } = gateway(run);
    const dir = acme(run)!.dir;
    const gatewayIp = run.stack.subnets[0]!.gateway;
    await writeFile(join(dir, "pebble-root.pem"), (await run.network.exec("curl", ["-sS", "-k", `https://${gatewayIp}:${ACME_MANAGEMENT_PORT}/roots/0`])).stdout);

    // The user's own service, which `upstream: { port: 8080 }` says they run.
    await machine.sh(
      `mkdir -p /srv/lab-app && echo ${APP_TOKEN} > /srv/lab-app/index.html && systemd-run --unit drover-lab-upstream --property=DynamicUser=yes python3 -m http.server 8080 --bind 127.0.0.1 --directory /srv/lab-app`,
    );

    await run.check("the host firewall is loaded", async () => {
      const active = await machine.exec(["systemctl", "is-active", "drover-gateway-firewall.service"]);
      const tables = await machine.exec(["nft", "list", "tables"]);
      if (active.stdout.trim() !== "active") throw new CheckFailure(`drover-gateway-firewall: ${active.stdout.trim()}`, await run.evidence(machine, ["drover-gateway-firewall.service"]));
      return `drover-gateway-firewall active; nft tables: ${tables.stdout.trim().replace(/\n/g, ", ")}`;
    });

    await run.check("the data volume is mounted at /srv/data", async () => {
      const found = await run.poll(120_000, async () => {
        const r = await machine.exec(["findmnt", "-n", "-o", "SOURCE,FSTYPE", "/srv/data"]);
        return r.code === 0 ? r.stdout.trim() : undefined;
      });
      if (!found) throw new CheckFailure("/srv/data is not mounted after 120 s", await run.evidence(machine, ["drover-volumes.service"]));
      return found;
    });

    await run.check("certbot gets a certificate for the gateway's name from the ACME server", async () => {
      const live = `/etc/letsencrypt/live/${fqdn}/fullchain.pem`;
      const got = await run.poll(8 * 60_000, async () => ((await machine.exec(["test", "-s", live])).code === 0 ? true : undefined), 3000);
      if (!got) throw new CheckFailure(`no ${live} after 8 minutes`, await run.evidence(machine, ["drover-gateway-tls.service"]));
      const subject = await machine.exec(["openssl", "x509", "-in", live, "-noout", "-issuer", "-ext", "subjectAltName"]);
      return subject.stdout.trim().replace(/\n\s*/g, " ");
    });

    await run.check("the certificate is on its own volume (a rebuilt machine takes it over), with what the first boot put in /etc/letsencrypt", async () => {
      const mount = await machine.exec(["findmnt", "-n", "-o", "SOURCE,FSTYPE", "/etc/letsencrypt"]);
      const live = await machine.exec(["test", "-s", `/etc/letsencrypt/live/${fqdn}/fullchain.pem`]);
      const seeded = await machine.exec(["test", "-s", "/etc/letsencrypt/cli.ini"]);
      if (mount.code !== 0 || live.code !== 0 || seeded.code !== 0) {
        throw new CheckFailure(
          `findmnt /etc/letsencrypt: ${mount.stdout.trim() || "not a mount"}; certificate there: ${live.code === 0}; cli.ini kept: ${seeded.code === 0}`,
          await run.evidence(machine, ["drover-volumes.service"]),
        );
      }
      return `/etc/letsencrypt is ${mount.stdout.trim()}, holding the certificate and the first boot's cli.ini`;
    });

    await run.check("HTTPS answers with that certificate, through nginx to the user's service", async () => {
      const ok = await run.poll(60_000, async () => {
        const r = await curl(run, [`https://${fqdn}/`], fqdn, address);
        return r.code === 0 && r.stdout.includes(APP_TOKEN) ? r.stdout.trim() : undefined;
      });
      if (!ok) {
        const r = await curl(run, ["-v", `https://${fqdn}/`], fqdn, address);
        throw new CheckFailure(
          `https://${fqdn}/: exit ${r.code}: ${(r.stdout + r.stderr).trim().split("\n").slice(-6).join(" | ")}`,
          await run.evidence(machine, ["drover-gateway-tls.service", "nginx.service"]),
        );
      }
      const cert = await run.network.exec("sh", ["-c", `openssl s_client -connect ${address}:443 -servername ${fqdn} </dev/null 2>/dev/null | openssl x509 -noout -issuer`]);
      return `verified against the ACME server's root; ${cert.stdout.trim()}; body: ${ok}`;
    });

    await run.check("HTTP redirects to HTTPS", async () => {
      const r = await curl(run, ["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", `http://${fqdn}/some/page?x=1`], fqdn, address);
      if (r.stdout.trim() !== `301 https://${fqdn}/some/page?x=1`) throw new CheckFailure(`http://${fqdn}/some/page?x=1 → ${r.stdout.trim() || r.stderr.trim()}`);
      return r.stdout.trim();
    });

    await run.check("the security headers are sent", async () => {
      const r = await curl(run, ["-o", "/dev/null", "-D", "-", `https://${fqdn}/`], fqdn, address);
      const headers = r.stdout.toLowerCase();
      const wanted: ReadonlyArray<[string, RegExp]> = [
        ["strict-transport-security", /^strict-transport-security: max-age=63072000/m],
        ["x-content-type-options", /^x-content-type-options: nosniff/m],
        ["content-security-policy frame-ancestors", /^content-security-policy: .*frame-ancestors/m],
        ["referrer-policy", /^referrer-policy: /m],
        ["permissions-policy", /^permissions-policy: /m],
        ["server without a version", /^server: nginx\r?$/m],
      ];
      const missing = wanted.filter(([, re]) => !re.test(headers)).map(([name]) => name);
      if (missing.length > 0) throw new CheckFailure(`missing: ${missing.join(", ")}\n${r.stdout.trim()}`);
      return wanted.map(([name]) => name).join(", ");
    });

    await run.check("SSH answers only the allowed range (the host firewall drops the rest)", async () => {
      const listening = await machine.exec(["ss", "-Hltn", "sport = :22"]);
      if (!listening.stdout.trim()) throw new CheckFailure("sshd does not listen on port 22", await run.evidence(machine, ["ssh.service"]));
      const r = await run.network.exec("curl", ["-sS", "-m", "5", `telnet://${address}:22`], { timeoutMs: 15_000 });
      if (r.stdout.includes("SSH-")) throw new CheckFailure(`SSH answered the router (${gatewayIp}), which is outside allowSshFrom`);
      return `sshd listens; from ${gatewayIp} (outside allowSshFrom): ${r.stderr.trim().split("\n")[0] || "no answer"}`;
    });

    await dayTwo(run, { machine, fqdn, address });
  },
};

/** The SHA-256 fingerprint of the certificate the gateway serves. */
async function servedCertificate(run: ScenarioRun, fqdn: string, address: string): Promise<string> {
  const r = await run.network.exec("sh", ["-c", `openssl s_client -connect ${address}:443 -servername ${fqdn} </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256`]);
  return r.stdout.trim();
}

/** Orders the ACME server received, from its log. */
async function acmeOrders(run: ScenarioRun): Promise<number> {
  const log = await readFile(join(acme(run)!.dir, "pebble.log"), "utf8").catch(() => "");
  return log.split("\n").filter((l) => /order-plz|new-order|newOrder/i.test(l)).length;
}

/**
 * Day 2 on the running gateway: a new release of the user's service (on another port) and a
 * larger upload limit. The same machine serves the new release with the same certificate: no
 * rebuild, no new order at the ACME server.
 */
async function dayTwo(run: ScenarioRun, gw: { machine: ReturnType<ScenarioRun["machine"]>; fqdn: string; address: string }): Promise<void> {
  const { machine, fqdn, address } = gw;
  // The new release, where day 2's stack says it runs.
  await machine.sh(
    `mkdir -p /srv/lab-app-v2 && echo ${APP_TOKEN_V2} > /srv/lab-app-v2/index.html && systemd-run --unit drover-lab-upstream-v2 --property=DynamicUser=yes python3 -m http.server 8081 --bind 127.0.0.1 --directory /srv/lab-app-v2`,
  );
  const bootId = (await machine.exec(["cat", "/proc/sys/kernel/random/boot_id"])).stdout.trim();
  const certificate = await servedCertificate(run, fqdn, address);
  const orders = await acmeOrders(run);
  const upload = async () => {
    const r = await run.network.exec("sh", [
      "-c",
      `head -c 1572864 /dev/zero | curl -sS -m 20 -o /dev/null -w '%{http_code}' --resolve ${fqdn}:443:${address} --cacert ${join(acme(run)!.dir, "pebble-root.pem")} --data-binary @- https://${fqdn}/upload`,
    ]);
    return r.stdout.trim();
  };
  const before = await upload();
  let change: Awaited<ReturnType<ScenarioRun["applyDayTwo"]>> | undefined;
  await run.check("day 2: a new release of the app and a larger upload limit change the running gateway in place (drover's plan)", async () => {
    change = await run.applyDayTwo();
    if (change.updated.join(",") !== MACHINE || change.created.length + change.deleted.length > 0) {
      throw new CheckFailure(`updated ${change.updated.join(", ") || "none"}; created ${change.created.join(", ") || "none"}; deleted ${change.deleted.join(", ") || "none"}`);
    }
    return `${MACHINE} updated in place; nothing created, deleted or rebuilt`;
  });
  if (!change) return;
  const started = Date.now();
  await run.check("day 2: the same machine serves the new release within 5 minutes, with the same certificate and no new ACME order", async () => {
    const served = await run.poll(
      5 * 60_000,
      async () => {
        const r = await curl(run, [`https://${fqdn}/`], fqdn, address);
        return r.code === 0 && r.stdout.includes(APP_TOKEN_V2) ? r.stdout.trim() : undefined;
      },
      3000,
    );
    if (!served)
      throw new CheckFailure(
        `https://${fqdn}/ does not serve the new release after 5 minutes`,
        `${await machine.journal("drover-agent.service", 30)}\n${await run.evidence(machine, ["nginx.service"])}`,
      );
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const now = await servedCertificate(run, fqdn, address);
    const ordersNow = await acmeOrders(run);
    const boot = (await machine.exec(["cat", "/proc/sys/kernel/random/boot_id"])).stdout.trim();
    if (orders === 0) throw new CheckFailure("the ACME server's log shows no order at all: the lab cannot tell whether a new one was made");
    if (now !== certificate || ordersNow !== orders || boot !== bootId) {
      throw new CheckFailure(`certificate ${certificate} → ${now}; ACME orders ${orders} → ${ordersNow}; ${boot === bootId ? "same boot" : "rebooted"}`);
    }
    return `new release served ${seconds} s after the deploy; same boot; certificate ${now.replace(/^.*=/, "").slice(0, 23)}…; ACME orders still ${orders}`;
  });
  await run.check("day 2: the larger upload limit is in force", async () => {
    const after = await upload();
    if (before !== "413" || after === "413") throw new CheckFailure(`a 1.5 MiB upload: ${before} before, ${after} after (want 413, then anything else)`);
    return `a 1.5 MiB upload: ${before} on day 1, ${after} on day 2 (the service's own answer)`;
  });
}

/** The image's CA bundle, to which the lab adds its ACME CA on the gateway's disk. */
function imageBundle(run: ScenarioRun): string {
  return readFileSync(join(run.lab.image, "etc/ssl/certs/ca-certificates.crt"), "utf8");
}
