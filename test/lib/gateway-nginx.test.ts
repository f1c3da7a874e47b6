import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import { createServer as createNetServer, connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HSTS_MAX_AGE_SECONDS, NGINX_SITE_DEFAULTS, checkNginxSiteInput, renderNginxSite, type NginxSiteFiles, type NginxSiteInput } from "../../lib/gateway/nginx.ts";
import { hasTool } from "../support/tools.ts";

/**
 * The gateway's nginx files: exact validation messages, the rendered text, and the files loaded
 * and run by the real nginx (Debian package) unprivileged on loopback, with a self-signed
 * stand-in for the Let's Encrypt certificate and a Node application behind it.
 */

const FQDN = "gw.example.org";
const BASE: NginxSiteInput = { fqdn: FQDN, upstreamPort: 8000 };

/** Mozilla "intermediate", guideline 6.0 (ssl-config.mozilla.org/guidelines/6.0.json), OpenSSL names. */
const MOZILLA_INTERMEDIATE_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
];

/** The value of a directive in the rendered text (the first one, or all of them). */
const directive = (text: string, name: string) => new RegExp(`^\\s*${name} (.*);$`, "m").exec(text)?.[1];
const directives = (text: string, name: string) => [...text.matchAll(new RegExp(`^\\s*${name} (.*);$`, "gm"))].map((m) => m[1]);

describe("checkNginxSiteInput", () => {
  it("accepts the minimal input and a fully specified one", () => {
    expect(checkNginxSiteInput(BASE)).toEqual([]);
    expect(
      checkNginxSiteInput({
        fqdn: "portal.myalloc.projects.jetstream-cloud.org",
        upstreamPort: 65535,
        maxBodyMiB: 10240,
        proxyTimeoutSeconds: 3600,
        hstsIncludeSubDomains: true,
        listenAddresses: ["127.0.0.1", "[::1]", "*"],
        listenHttpPort: 18080,
        listenHttpsPort: 18443,
        certificatePath: "/etc/ssl/gw/fullchain.pem",
        certificateKeyPath: "/etc/ssl/gw/privkey.pem",
        certificateChainPath: "/etc/ssl/gw/chain.pem",
        acmeWebroot: "/srv/acme",
      }),
    ).toEqual([]);
  });

  const cases: Array<[string, Partial<NginxSiteInput>, string, string]> = [
    [
      "a URL for fqdn",
      { fqdn: "https://Portal.Example.org/app" },
      "gateway.fqdn",
      `'fqdn' ("https://Portal.Example.org/app") must be a DNS name of two or more dot-separated labels (lower-case letters, digits and '-', at most 253 characters), without scheme, port, path or final dot: use "portal.example.org"`,
    ],
    [
      "a final dot",
      { fqdn: "portal.myalloc.projects.jetstream-cloud.org." },
      "gateway.fqdn",
      `'fqdn' ("portal.myalloc.projects.jetstream-cloud.org.") must be a DNS name of two or more dot-separated labels (lower-case letters, digits and '-', at most 253 characters), without scheme, port, path or final dot: use "portal.myalloc.projects.jetstream-cloud.org"`,
    ],
    [
      "a single label",
      { fqdn: "localhost" },
      "gateway.fqdn",
      `'fqdn' ("localhost") must be a DNS name of two or more dot-separated labels (lower-case letters, digits and '-', at most 253 characters), without scheme, port, path or final dot: e.g. "portal.myalloc.projects.jetstream-cloud.org"`,
    ],
    [
      "an underscore",
      { fqdn: "gw_1.example.org" },
      "gateway.fqdn",
      `'fqdn' ("gw_1.example.org") must be a DNS name of two or more dot-separated labels (lower-case letters, digits and '-', at most 253 characters), without scheme, port, path or final dot: e.g. "portal.myalloc.projects.jetstream-cloud.org"`,
    ],
    [
      "an IPv4 address",
      { fqdn: "149.165.157.10" },
      "gateway.fqdn",
      `'fqdn' ("149.165.157.10") is an IP address: Let's Encrypt certifies names; point a DNS record at the gateway and give its name, e.g. "portal.myalloc.projects.jetstream-cloud.org"`,
    ],
    [
      "an IPv6 address",
      { fqdn: "2001:db8::10" },
      "gateway.fqdn",
      `'fqdn' ("2001:db8::10") is an IP address: Let's Encrypt certifies names; point a DNS record at the gateway and give its name, e.g. "portal.myalloc.projects.jetstream-cloud.org"`,
    ],
    [
      "upstream on 443",
      { upstreamPort: 443 },
      "gateway.upstream-port",
      `'upstreamPort' (443) must be a whole number from 1 to 65535 other than 80 and 443, which nginx keeps: run the application on 127.0.0.1 at another port, e.g. 8000`,
    ],
    [
      "upstream port 0",
      { upstreamPort: 0 },
      "gateway.upstream-port",
      `'upstreamPort' (0) must be a whole number from 1 to 65535 other than 80 and 443, which nginx keeps: run the application on 127.0.0.1 at another port, e.g. 8000`,
    ],
    [
      "upstream port above 65535",
      { upstreamPort: 70000 },
      "gateway.upstream-port",
      `'upstreamPort' (70000) must be a whole number from 1 to 65535 other than 80 and 443, which nginx keeps: run the application on 127.0.0.1 at another port, e.g. 8000`,
    ],
    [
      "upstream on a test listen port",
      { upstreamPort: 18080, listenHttpPort: 18080, listenHttpsPort: 18443 },
      "gateway.upstream-port",
      `'upstreamPort' (18080) must be a whole number from 1 to 65535 other than 80, 443, 18080 and 18443, which nginx keeps: run the application on 127.0.0.1 at another port, e.g. 8000`,
    ],
    [
      "maxBodyMiB 0",
      { maxBodyMiB: 0 },
      "gateway.max-body",
      `'maxBodyMiB' (0) must be a whole number from 1 to 10240: set the largest upload, in MiB, the application takes (nginx answers larger ones with 413)`,
    ],
    [
      "maxBodyMiB above the limit",
      { maxBodyMiB: 10241 },
      "gateway.max-body",
      `'maxBodyMiB' (10241) must be a whole number from 1 to 10240: set the largest upload, in MiB, the application takes (nginx answers larger ones with 413)`,
    ],
    [
      "a fractional timeout",
      { proxyTimeoutSeconds: 1.5 },
      "gateway.proxy-timeout",
      `'proxyTimeoutSeconds' (1.5) must be a whole number from 1 to 3600: how long nginx waits for the application between two reads or writes; longer work should stream progress or run as a job`,
    ],
    [
      "a timeout above an hour",
      { proxyTimeoutSeconds: 3601 },
      "gateway.proxy-timeout",
      `'proxyTimeoutSeconds' (3601) must be a whole number from 1 to 3600: how long nginx waits for the application between two reads or writes; longer work should stream progress or run as a job`,
    ],
    ["HTTP port 0", { listenHttpPort: 0 }, "gateway.listen-port", `'listenHttpPort' (0) must be a whole number from 1 to 65535: 80 on a gateway, a free high port in a test`],
    ["HTTPS port above 65535", { listenHttpsPort: 65536 }, "gateway.listen-port", `'listenHttpsPort' (65536) must be a whole number from 1 to 65535: 443 on a gateway, a free high port in a test`],
    [
      "one port for both",
      { listenHttpPort: 18080, listenHttpsPort: 18080 },
      "gateway.listen-port",
      `'listenHttpPort' and 'listenHttpsPort' are both 18080: give each its own port (80 and 443 on a gateway)`,
    ],
    ["no listen address", { listenAddresses: [] }, "gateway.listen-address", `'listenAddresses' is empty: list at least one, e.g. ["*", "[::]"] (every IPv4 and IPv6 address) or ["127.0.0.1"]`],
    [
      "a host name as listen address",
      { listenAddresses: ["localhost"] },
      "gateway.listen-address",
      `'listenAddresses' entry "localhost" must be "*", an IPv4 address such as "127.0.0.1", or an IPv6 address in brackets such as "[::]"`,
    ],
    [
      "an IPv6 listen address without brackets",
      { listenAddresses: ["::1"] },
      "gateway.listen-address",
      `'listenAddresses' entry "::1" must be "*", an IPv4 address such as "127.0.0.1", or an IPv6 address in brackets such as "[::]"`,
    ],
    ["a listen address twice", { listenAddresses: ["127.0.0.1", "127.0.0.1"] }, "gateway.listen-address", `'listenAddresses' lists "127.0.0.1" twice: nginx refuses a duplicate listen; remove one`],
    [
      "a relative certificate path",
      { certificatePath: "certs/fullchain.pem" },
      "gateway.path",
      `'certificatePath' ("certs/fullchain.pem") must be an absolute path of letters, digits and '.', '_', '-', '/', '@', '+': nginx reads it as one word, so no spaces, quotes, ';', '$' or braces`,
    ],
    [
      "a key path that would end the directive",
      { certificateKeyPath: "/etc/ssl/key.pem; include /etc/passwd" },
      "gateway.path",
      `'certificateKeyPath' ("/etc/ssl/key.pem; include /etc/passwd") must be an absolute path of letters, digits and '.', '_', '-', '/', '@', '+': nginx reads it as one word, so no spaces, quotes, ';', '$' or braces`,
    ],
    [
      "a webroot with a space",
      { acmeWebroot: "/var/www/my site" },
      "gateway.path",
      `'acmeWebroot' ("/var/www/my site") must be an absolute path of letters, digits and '.', '_', '-', '/', '@', '+': nginx reads it as one word, so no spaces, quotes, ';', '$' or braces`,
    ],
    [
      "a chain path with a variable",
      { certificateChainPath: "/etc/ssl/$host/chain.pem" },
      "gateway.path",
      `'certificateChainPath' ("/etc/ssl/$host/chain.pem") must be an absolute path of letters, digits and '.', '_', '-', '/', '@', '+': nginx reads it as one word, so no spaces, quotes, ';', '$' or braces`,
    ],
  ];

  it.each(cases)("GIVEN %s THEN exactly one problem with its message", (_, change, code, message) => {
    expect(checkNginxSiteInput({ ...BASE, ...change })).toEqual([{ code, message }]);
  });

  it("reports every problem at once, in field order", () => {
    const problems = checkNginxSiteInput({ fqdn: "gw", upstreamPort: 80, maxBodyMiB: 0, proxyTimeoutSeconds: 0, listenAddresses: ["x"], acmeWebroot: "www" });
    expect(problems.map((p) => p.code)).toEqual(["gateway.fqdn", "gateway.upstream-port", "gateway.max-body", "gateway.proxy-timeout", "gateway.listen-address", "gateway.path"]);
  });
});

describe("renderNginxSite", () => {
  it("refuses input with problems, listing each", () => {
    expect(() => renderNginxSite({ ...BASE, upstreamPort: 443, maxBodyMiB: 0 })).toThrow(
      "nginx site input has problems:\n" +
        "  gateway.upstream-port: 'upstreamPort' (443) must be a whole number from 1 to 65535 other than 80 and 443, which nginx keeps: run the application on 127.0.0.1 at another port, e.g. 8000\n" +
        "  gateway.max-body: 'maxBodyMiB' (0) must be a whole number from 1 to 10240: set the largest upload, in MiB, the application takes (nginx answers larger ones with 413)",
    );
  });

  it("gives the same text for the same input", () => {
    const input: NginxSiteInput = { ...BASE, listenAddresses: ["127.0.0.1", "[::1]"], hstsIncludeSubDomains: true };
    expect(renderNginxSite(input)).toEqual(renderNginxSite({ ...input, listenAddresses: [...input.listenAddresses!] }));
  });

  it("GIVEN only fqdn and upstreamPort THEN production defaults: Let's Encrypt paths, 80/443 on every address, Mozilla intermediate TLS", () => {
    const { site, bootstrap, httpConf } = renderNginxSite(BASE);
    expect(directives(site, "listen")).toEqual(["*:80", "[::]:80", "*:443 ssl http2", "[::]:443 ssl http2"]);
    expect(directives(bootstrap, "listen")).toEqual(["*:80", "[::]:80"]);
    expect(directive(site, "ssl_certificate")).toBe(`/etc/letsencrypt/live/${FQDN}/fullchain.pem`);
    expect(directive(site, "ssl_certificate_key")).toBe(`/etc/letsencrypt/live/${FQDN}/privkey.pem`);
    expect(directive(site, "ssl_trusted_certificate")).toBe(`/etc/letsencrypt/live/${FQDN}/chain.pem`);
    for (const text of [site, bootstrap]) expect(directive(text, "root")).toBe(NGINX_SITE_DEFAULTS.acmeWebroot);
    expect(directive(site, "return")).toBe(`301 https://${FQDN}$request_uri`);
    expect(directive(site, "ssl_protocols")).toBe("TLSv1.2 TLSv1.3");
    expect(directive(site, "ssl_ciphers")?.split(":")).toEqual(MOZILLA_INTERMEDIATE_CIPHERS);
    expect(directive(site, "ssl_prefer_server_ciphers")).toBe("off");
    expect(directive(site, "ssl_session_tickets")).toBe("off");
    expect(directive(site, "ssl_stapling")).toBe("on");
    expect(directive(site, "add_header Strict-Transport-Security")).toBe(`"max-age=${HSTS_MAX_AGE_SECONDS}" always`);
    expect(HSTS_MAX_AGE_SECONDS).toBeGreaterThanOrEqual(365 * 24 * 3600);
    expect(directive(site, "client_max_body_size")).toBe("100m");
    expect(directive(site, "proxy_read_timeout")).toBe("60s");
    expect(directive(site, "proxy_send_timeout")).toBe("60s");
    expect(directive(site, "proxy_pass")).toBe("http://127.0.0.1:8000");
    expect(directives(site, "server_tokens")).toEqual(["off", "off"]);
    expect(httpConf).toContain("map $http_upgrade $drover_connection_upgrade {");
    // Every placeholder filled: nothing of the template syntax is left.
    for (const text of [site, bootstrap, httpConf]) expect(text).not.toMatch(/\{\{|\}\}/);
  });

  it("GIVEN includeSubDomains and a non-standard HTTPS port THEN HSTS says so and the redirect names the port", () => {
    const { site } = renderNginxSite({ ...BASE, hstsIncludeSubDomains: true, listenHttpPort: 8080, listenHttpsPort: 8443, listenAddresses: ["127.0.0.1"] });
    expect(directive(site, "add_header Strict-Transport-Security")).toBe(`"max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains" always`);
    expect(directive(site, "return")).toBe(`301 https://${FQDN}:8443$request_uri`);
    expect(directives(site, "listen")).toEqual(["127.0.0.1:8080", "127.0.0.1:8443 ssl http2"]);
  });

  it("snapshot of the default files, for review", () => {
    expect(renderNginxSite({ ...BASE, maxBodyMiB: 250, proxyTimeoutSeconds: 300 })).toMatchSnapshot();
  });
});

// ---------------------------------------------------------------------------------------------
// The real nginx.

const haveTools = [hasTool("nginx", "apt-get install nginx"), hasTool("openssl", "apt-get install openssl")].every(Boolean);

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request to nginx on loopback, as a client of `FQDN`: HTTPS with SNI, the stand-in certificate accepted. */
function ask(scheme: "http" | "https", port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const common = { host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: { host: FQDN, ...options.headers }, agent: false as const };
    const req = scheme === "https" ? httpsRequest({ ...common, servername: FQDN, rejectUnauthorized: false }) : httpRequest(common);
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on("close", () => {
        if (!res.complete) reject(new Error(`the answer to ${path} broke off`));
      });
    });
    // nginx answers 413 and closes while a large body is still being sent: the answer counts.
    req.on("error", (e) => {
      if (!answered) reject(e);
    });
    req.end(options.body);
  });
}

/** A TLS handshake with nginx; what was agreed, or the error code. */
function handshake(port: number, options: ConnectionOptions): Promise<{ protocol: string | null; cipher: string; ticket: boolean } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, servername: FQDN, rejectUnauthorized: false, ...options }, () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name, ticket: socket.getTLSTicket() !== undefined });
      socket.end();
    });
    socket.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

/** What the application saw of one request. */
interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
}

/**
 * The application behind nginx: records each request, streams /stream in two parts (the second
 * only once the test has the first), never answers /hang, and echoes over an upgraded connection.
 */
class Upstream {
  readonly seen: Seen[] = [];
  readonly upgrades: IncomingHttpHeaders[] = [];
  /** Upgraded connections leave the server's keeping: closed here. */
  private readonly tunnels: Duplex[] = [];
  private releaseStream: () => void = () => {};
  readonly server: Server;

  constructor() {
    this.server = createHttpServer((req, res) => {
      let bodyBytes = 0;
      req.on("data", (c: Buffer) => (bodyBytes += c.length));
      req.on("end", () => {
        this.seen.push({ url: req.url ?? "", headers: req.headers, bodyBytes });
        if (req.url === "/hang") return;
        if (req.url === "/stream") {
          res.writeHead(200, { "content-type": "text/event-stream" });
          res.write("data: first\n\n");
          new Promise<void>((resolve) => (this.releaseStream = resolve)).then(() => res.end("data: second\n\n"));
          return;
        }
        // Headers the edge replaces or drops.
        res.writeHead(200, { "content-type": "text/plain", "x-frame-options": "ALLOWALL", "x-powered-by": "Express 4.17.1" });
        res.end(`app saw ${req.method} ${req.url}\n`);
      });
    });
    this.server.on("upgrade", (req, socket) => {
      this.upgrades.push(req.headers);
      this.tunnels.push(socket);
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
      socket.on("data", (d: Buffer) => socket.write(`echo:${d.toString()}`));
    });
  }

  release(): void {
    this.releaseStream();
  }

  async close(): Promise<void> {
    for (const t of this.tunnels) t.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  last(): Seen {
    const s = this.seen.at(-1);
    if (!s) throw new Error("the application has seen no request");
    return s;
  }
}

/** A temporary nginx prefix: the rendered files, a stand-in certificate, the ACME webroot, logs. */
class NginxPrefix {
  readonly dir = mkdtempSync(join(tmpdir(), "drover-nginx-"));
  readonly cert = join(this.dir, "tls", "fullchain.pem");
  readonly key = join(this.dir, "tls", "privkey.pem");
  readonly webroot = join(this.dir, "www");
  readonly errorLog = join(this.dir, "error.log");

  constructor() {
    // As root, nginx's workers run as nobody: they must be able to read the webroot.
    chmodSync(this.dir, 0o755);
    mkdirSync(join(this.dir, "tls"));
    mkdirSync(join(this.webroot, ".well-known", "acme-challenge"), { recursive: true });
    const made = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        `/CN=${FQDN}`,
        "-addext",
        `subjectAltName=DNS:${FQDN}`,
        "-keyout",
        this.key,
        "-out",
        this.cert,
      ],
      { encoding: "utf8" },
    );
    if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
  }

  /**
   * A main nginx.conf that includes the rendered files the way the stock Debian/Ubuntu one does
   * (http conf first, then the site), with the stock http-level TLS lines the site must override;
   * pid, logs and temporary files stay in the prefix. `extra` is more http-level text.
   */
  writeMain(name: string, files: readonly string[], extra = ""): string {
    const d = this.dir;
    const main = join(d, `${name}.conf`);
    writeFileSync(
      main,
      [
        "worker_processes 1;",
        `pid ${d}/${name}.pid;`,
        `error_log ${this.errorLog} notice;`,
        "events { worker_connections 64; }",
        "http {",
        "    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;",
        "    ssl_prefer_server_ciphers on;",
        "    gzip on;",
        "    default_type application/octet-stream;",
        `    access_log ${d}/access.log;`,
        ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `    ${t}_temp_path ${d}/tmp-${t};`),
        ...files.map((f) => `    include ${join(d, f)};`),
        extra,
        "}",
        "",
      ].join("\n"),
    );
    return main;
  }

  write(name: string, text: string): string {
    writeFileSync(join(this.dir, name), text);
    return name;
  }

  test(main: string): { status: number | null; output: string } {
    const r = spawnSync("nginx", ["-t", "-p", this.dir, "-c", main, "-e", this.errorLog], { encoding: "utf8" });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  /** nginx in the foreground, as a child of the test; resolves once it accepts on `port`. */
  async start(main: string, port: number): Promise<ChildProcess> {
    const child = spawn("nginx", ["-p", this.dir, "-c", main, "-e", this.errorLog, "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr}\n${readFileSync(this.errorLog, "utf8")}`);
      const up = await new Promise<boolean>((resolve) => {
        const s = netConnect(port, "127.0.0.1", () => (s.end(), resolve(true)));
        s.on("error", () => resolve(false));
      });
      if (up) return child;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGTERM");
    throw new Error(`nginx did not listen on ${port} within 5 s: ${stderr}`);
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

describe.skipIf(!haveTools)("with the real nginx", () => {
  const TOKEN = "Xk3r9-token_A1";
  const TOKEN_BODY = `${TOKEN}.thumbprint-of-the-account-key`;
  const MAX_BODY_MIB = 1;
  const TIMEOUT_SECONDS = 2;
  let prefix: NginxPrefix;
  let upstream: Upstream;
  let files: NginxSiteFiles;
  let ports: { http: number; https: number; upstream: number; control: number };
  let bootstrapMain: string;
  let siteMain: string;

  beforeAll(async () => {
    prefix = new NginxPrefix();
    writeFileSync(join(prefix.webroot, ".well-known", "acme-challenge", TOKEN), TOKEN_BODY);
    ports = { http: await freePort(), https: await freePort(), upstream: await freePort(), control: await freePort() };
    upstream = new Upstream();
    await new Promise<void>((resolve) => upstream.server.listen(ports.upstream, "127.0.0.1", resolve));
    files = renderNginxSite({
      fqdn: FQDN,
      upstreamPort: ports.upstream,
      maxBodyMiB: MAX_BODY_MIB,
      proxyTimeoutSeconds: TIMEOUT_SECONDS,
      listenAddresses: ["127.0.0.1"],
      listenHttpPort: ports.http,
      listenHttpsPort: ports.https,
      certificatePath: prefix.cert,
      certificateKeyPath: prefix.key,
      // A self-signed certificate is its own chain.
      certificateChainPath: prefix.cert,
      acmeWebroot: prefix.webroot,
    });
    const http = prefix.write("drover-gateway.conf", files.httpConf);
    bootstrapMain = prefix.writeMain("bootstrap", [http, prefix.write("bootstrap.site", files.bootstrap)]);
    // A control server, not part of the gateway: it allows TLS 1.1 and session tickets, to show
    // that the client and this nginx can have both, so the site refusing them is its own doing.
    const control = [
      "    server {",
      `        listen 127.0.0.1:${ports.control} ssl;`,
      `        ssl_certificate ${prefix.cert};`,
      `        ssl_certificate_key ${prefix.key};`,
      "        ssl_protocols TLSv1.1 TLSv1.2;",
      "        ssl_ciphers DEFAULT@SECLEVEL=0;",
      '        return 200 "control\\n";',
      "    }",
    ].join("\n");
    siteMain = prefix.writeMain("site", [http, prefix.write("gateway.site", files.site)], control);
  });

  afterAll(() => upstream?.close());

  it("nginx -t accepts the bootstrap and the TLS site, each with the http conf", () => {
    for (const main of [bootstrapMain, siteMain]) {
      const { status, output } = prefix.test(main);
      expect(output).toContain("test is successful");
      expect(status).toBe(0);
    }
  });

  describe("bootstrap, before the certificate", () => {
    let nginx: ChildProcess | undefined;
    beforeAll(async () => {
      nginx = await prefix.start(bootstrapMain, ports.http);
    });
    afterAll(() => stop(nginx));

    it("serves the ACME challenge from the webroot", async () => {
      const a = await ask("http", ports.http, `/.well-known/acme-challenge/${TOKEN}`);
      expect(a.status).toBe(200);
      expect(a.body).toBe(TOKEN_BODY);
      expect(a.headers["content-type"]).toBe("text/plain");
      expect((await ask("http", ports.http, "/.well-known/acme-challenge/unknown")).status).toBe(404);
    });

    it("answers everything else 503 'starting', uncached, without the nginx version", async () => {
      const a = await ask("http", ports.http, "/login?next=/");
      expect(a.status).toBe(503);
      expect(a.body).toBe(`${FQDN} is starting; try again in a minute.\n`);
      expect(a.headers["retry-after"]).toBe("30");
      expect(a.headers["cache-control"]).toBe("no-store");
      expect(a.headers.server).toBe("nginx");
      expect(upstream.seen).toEqual([]);
    });
  });

  describe("TLS site", () => {
    let nginx: ChildProcess | undefined;
    beforeAll(async () => {
      nginx = await prefix.start(siteMain, ports.https);
    });
    afterAll(() => stop(nginx));

    it("redirects HTTP with 301 to https://<fqdn> with path and query, whatever Host the client sent", async () => {
      const a = await ask("http", ports.http, "/data/run?id=7&view=full");
      expect(a.status).toBe(301);
      expect(a.headers.location).toBe(`https://${FQDN}:${ports.https}/data/run?id=7&view=full`);
      expect(a.headers.server).toBe("nginx");
      const forged = await ask("http", ports.http, "/x", { headers: { host: "evil.example.net" } });
      expect(forged.headers.location).toBe(`https://${FQDN}:${ports.https}/x`);
    });

    it("serves the ACME challenge on HTTP instead of redirecting it (renewals)", async () => {
      const a = await ask("http", ports.http, `/.well-known/acme-challenge/${TOKEN}`);
      expect(a.status).toBe(200);
      expect(a.body).toBe(TOKEN_BODY);
    });

    it("proxies HTTPS to the application with Host and X-Forwarded-*, dropping a forged X-Forwarded-For", async () => {
      const a = await ask("https", ports.https, "/api/jobs?state=running", { headers: { "x-forwarded-for": "203.0.113.66" } });
      expect(a.status).toBe(200);
      expect(a.body).toBe("app saw GET /api/jobs?state=running\n");
      const seen = upstream.last();
      expect(seen.url).toBe("/api/jobs?state=running");
      expect(seen.headers).toMatchObject({
        host: FQDN,
        "x-forwarded-for": "127.0.0.1",
        "x-real-ip": "127.0.0.1",
        "x-forwarded-proto": "https",
        "x-forwarded-host": FQDN,
        connection: "close",
      });
    });

    it("sends the security headers once each, replacing the application's, and no nginx version", async () => {
      const a = await ask("https", ports.https, "/");
      expect(a.headers).toMatchObject({
        "strict-transport-security": `max-age=${HSTS_MAX_AGE_SECONDS}`,
        "x-content-type-options": "nosniff",
        // Node joins repeated headers with ", ": one value means one header.
        "x-frame-options": "SAMEORIGIN",
        "content-security-policy": "frame-ancestors 'self'",
        "referrer-policy": "strict-origin-when-cross-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        server: "nginx",
      });
      expect(a.headers["x-powered-by"]).toBeUndefined();
    });

    it("accepts a body of maxBodyMiB and answers 413 to one byte more, with HSTS and no version", async () => {
      const limit = MAX_BODY_MIB * 1024 * 1024;
      const ok = await ask("https", ports.https, "/upload", { method: "POST", body: Buffer.alloc(limit, 1) });
      expect(ok.status).toBe(200);
      expect(upstream.last().bodyBytes).toBe(limit);
      const before = upstream.seen.length;
      const tooBig = await ask("https", ports.https, "/upload", { method: "POST", body: Buffer.alloc(limit + 1, 1) });
      expect(tooBig.status).toBe(413);
      expect(tooBig.headers["strict-transport-security"]).toBe(`max-age=${HSTS_MAX_AGE_SECONDS}`);
      expect(tooBig.body).not.toMatch(/nginx\/\d/);
      expect(upstream.seen.length).toBe(before);
    });

    it("refuses TLS 1.1 with a protocol_version alert, where the control server accepts it", async () => {
      const tls11: ConnectionOptions = { minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" };
      expect(await handshake(ports.control, tls11)).toMatchObject({ protocol: "TLSv1.1" });
      expect(await handshake(ports.https, tls11)).toEqual({ error: "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION" });
    });

    it("accepts TLS 1.3, and TLS 1.2 only with the listed ciphers and without session tickets", async () => {
      expect(await handshake(ports.https, { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" })).toMatchObject({ protocol: "TLSv1.3" });
      const tls12 = { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" } as const;
      expect(await handshake(ports.https, { ...tls12, ciphers: "ECDHE-ECDSA-CHACHA20-POLY1305" })).toEqual({ protocol: "TLSv1.2", cipher: "ECDHE-ECDSA-CHACHA20-POLY1305", ticket: false });
      // CBC with SHA-1: the control server agrees to it, the site does not.
      const cbc = { ...tls12, ciphers: "ECDHE-ECDSA-AES128-SHA" };
      expect(await handshake(ports.control, cbc)).toEqual({ protocol: "TLSv1.2", cipher: "ECDHE-ECDSA-AES128-SHA", ticket: true });
      expect(await handshake(ports.https, cbc)).toEqual({ error: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" });
    });

    it("passes a WebSocket upgrade to the application with Connection: upgrade, and the tunnel carries data", async () => {
      const echoed = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest({
          host: "127.0.0.1",
          port: ports.https,
          path: "/ws/notebook",
          servername: FQDN,
          rejectUnauthorized: false,
          agent: false,
          headers: { host: FQDN, connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
        });
        req.on("upgrade", (res, socket) => {
          if (res.statusCode !== 101) reject(new Error(`status ${res.statusCode}`));
          socket.once("data", (d: Buffer) => (resolve(d.toString()), socket.destroy()));
          socket.write("ping");
        });
        req.on("response", (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
        req.on("error", reject);
        req.end();
      });
      expect(echoed).toBe("echo:ping");
      expect(upstream.upgrades.at(-1)).toMatchObject({ connection: "upgrade", upgrade: "websocket", host: FQDN, "x-forwarded-proto": "https" });
    });

    it("streams an answer as the application writes it (no response buffering)", async () => {
      const body = await new Promise<string>((resolve, reject) => {
        let text = "";
        // Well inside proxyTimeoutSeconds: after it, nginx gives up and would flush what it holds.
        const early = setTimeout(() => reject(new Error(`the first event did not arrive while the application held the rest: nginx buffered it (got ${JSON.stringify(text)})`)), 1000);
        const req = httpsRequest({ host: "127.0.0.1", port: ports.https, path: "/stream", servername: FQDN, rejectUnauthorized: false, agent: false, headers: { host: FQDN } });
        req.on("response", (res) => {
          res.on("data", (d: Buffer) => {
            text += d.toString();
            if (text === "data: first\n\n") {
              clearTimeout(early);
              upstream.release();
            }
          });
          res.on("end", () => resolve(text));
          res.on("close", () => {
            if (!res.complete) reject(new Error(`the answer broke off after ${JSON.stringify(text)}`));
          });
        });
        req.on("error", reject);
        req.end();
      });
      expect(body).toBe("data: first\n\ndata: second\n\n");
    });

    it("answers 504 once the application is silent for proxyTimeoutSeconds", async () => {
      const started = Date.now();
      const a = await ask("https", ports.https, "/hang");
      const seconds = (Date.now() - started) / 1000;
      expect(a.status).toBe(504);
      expect(seconds).toBeGreaterThanOrEqual(TIMEOUT_SECONDS - 0.5);
      expect(seconds).toBeLessThan(TIMEOUT_SECONDS + 3);
    });
  });
});
