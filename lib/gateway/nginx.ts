import type { Issue } from "../errors.ts";
import { andList } from "../naming.ts";
import { renderTemplate } from "../templates.ts";

/**
 * nginx as the reverse proxy in front of a science gateway's application, for Ubuntu 24.04 and
 * the Debian/Ubuntu nginx package layout (`conf.d/` and `sites-available/` included from the
 * stock `nginx.conf`). Plain logic: the gateway construct puts the files on the machine; the
 * tests load them into the real nginx.
 *
 * First boot: install `httpConf` and `bootstrap`, run
 * `certbot certonly --webroot -w <acmeWebroot> -d <fqdn>`, then replace `bootstrap` with `site`
 * and reload nginx (and again after every renewal, from certbot's deploy hook). The stock
 * `sites-enabled/default` should go: it is the default server on port 80.
 *
 * TLS follows Mozilla's "intermediate" configuration, guideline 6.0
 * (https://ssl-config.mozilla.org/guidelines/6.0.json).
 */

export interface NginxSiteInput {
  /** The gateway's public host name, e.g. "portal.myalloc.projects.jetstream-cloud.org". */
  readonly fqdn: string;
  /** Port the application listens on, on 127.0.0.1; not one nginx listens on. */
  readonly upstreamPort: number;
  /**
   * The largest request body (upload) passed to the application, in MiB; larger ones get 413.
   * @default 100
   */
  readonly maxBodyMiB?: number;
  /**
   * How long nginx waits for the application between two successive reads or writes, in seconds
   * (not for the whole answer); an idle WebSocket is closed after it too.
   * @default 60
   */
  readonly proxyTimeoutSeconds?: number;
  /**
   * Add `includeSubDomains` to Strict-Transport-Security: every name under `fqdn` must then
   * serve HTTPS too, for the two years browsers remember it.
   * @default false
   */
  readonly hstsIncludeSubDomains?: boolean;
  /**
   * Addresses nginx listens on: "*" (every IPv4 address), an IPv4 address, or an IPv6 address
   * in brackets.
   * @default ["*", "[::]"]
   */
  readonly listenAddresses?: readonly string[];
  /** Port for plain HTTP: ACME challenges and the redirect. @default 80 */
  readonly listenHttpPort?: number;
  /** Port for HTTPS; the redirect names it when it is not 443. @default 443 */
  readonly listenHttpsPort?: number;
  /** Certificate with its intermediates. @default "/etc/letsencrypt/live/<fqdn>/fullchain.pem" */
  readonly certificatePath?: string;
  /** The certificate's private key. @default "/etc/letsencrypt/live/<fqdn>/privkey.pem" */
  readonly certificateKeyPath?: string;
  /** The intermediates, to verify OCSP answers. @default "/etc/letsencrypt/live/<fqdn>/chain.pem" */
  readonly certificateChainPath?: string;
  /** Root of the ACME http-01 challenge files (certbot's `--webroot -w`). @default "/var/www/letsencrypt" */
  readonly acmeWebroot?: string;
}

/** The rendered files. */
export interface NginxSiteFiles {
  /** http-level settings (the WebSocket map), for `NGINX_GATEWAY_PATHS.httpConf`; both sites need it. */
  readonly httpConf: string;
  /** HTTP only: ACME challenges, 503 for everything else; for first boot, before the certificate. */
  readonly bootstrap: string;
  /** ACME challenges and a redirect on HTTP; TLS, security headers and the proxy on HTTPS. */
  readonly site: string;
}

/** Where the files go on the machine (the Debian/Ubuntu layout). */
export const NGINX_GATEWAY_PATHS = {
  httpConf: "/etc/nginx/conf.d/drover-gateway.conf",
  site: "/etc/nginx/sites-available/drover-gateway",
  siteEnabled: "/etc/nginx/sites-enabled/drover-gateway",
} as const;

export const NGINX_SITE_DEFAULTS = {
  maxBodyMiB: 100,
  proxyTimeoutSeconds: 60,
  hstsIncludeSubDomains: false,
  listenAddresses: ["*", "[::]"],
  listenHttpPort: 80,
  listenHttpsPort: 443,
  acmeWebroot: "/var/www/letsencrypt",
} as const;

/** Mozilla's hsts_min_age (two years); browsers need at least one year for the preload list. */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

export const MAX_BODY_MIB_LIMIT = 10_240;
export const PROXY_TIMEOUT_SECONDS_LIMIT = 3_600;

/** Where certbot keeps the certificate it obtained for `fqdn` (its first, unsuffixed lineage). */
export function letsEncryptPaths(fqdn: string): { certificatePath: string; certificateKeyPath: string; certificateChainPath: string } {
  const live = `/etc/letsencrypt/live/${fqdn}`;
  return { certificatePath: `${live}/fullchain.pem`, certificateKeyPath: `${live}/privkey.pem`, certificateChainPath: `${live}/chain.pem` };
}

type Problem = Pick<Issue, "code" | "message">;

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
/** Two or more labels: a name in a public zone, which is what Let's Encrypt certifies. */
const FQDN = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`);
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const IPV6 = /^\[?[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*\]?$/i;
const IPV6_BRACKETED = /^\[[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*\]$/i;
/** nginx reads a path as one word: nothing that quotes, ends or expands it. */
const PATH = /^\/[A-Za-z0-9._/@+-]*$/;
const EXAMPLE_FQDN = "portal.myalloc.projects.jetstream-cloud.org";

/** The name a person probably meant ("https://Portal.Example.org/x" → "portal.example.org"), if valid. */
function fqdnSuggestion(value: string): string | undefined {
  const guess = value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
    .replace(/[/:?#].*$/, "")
    .replace(/\.$/, "");
  return guess !== value && FQDN.test(guess) ? guess : undefined;
}

/**
 * Every problem with the input, each naming the field, the value, what is allowed and the fix.
 * The construct reports them with its path; `renderNginxSite` refuses input that has any.
 */
export function checkNginxSiteInput(input: NginxSiteInput): Problem[] {
  const problems: Problem[] = [];
  const need = (ok: boolean, code: string, message: string) => {
    if (!ok) problems.push({ code, message });
  };
  const whole = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  const d = NGINX_SITE_DEFAULTS;

  const { fqdn } = input;
  if (IPV4.test(fqdn) || IPV6.test(fqdn)) {
    problems.push({ code: "gateway.fqdn", message: `'fqdn' ("${fqdn}") is an IP address: Let's Encrypt certifies names; point a DNS record at the gateway and give its name, e.g. "${EXAMPLE_FQDN}"` });
  } else if (!FQDN.test(fqdn)) {
    const guess = fqdnSuggestion(fqdn);
    problems.push({
      code: "gateway.fqdn",
      message:
        `'fqdn' ("${fqdn}") must be a DNS name of two or more dot-separated labels (lower-case letters, digits and '-', at most 253 characters), ` +
        `without scheme, port, path or final dot: ${guess ? `use "${guess}"` : `e.g. "${EXAMPLE_FQDN}"`}`,
    });
  }

  const httpPort = input.listenHttpPort ?? d.listenHttpPort;
  const httpsPort = input.listenHttpsPort ?? d.listenHttpsPort;
  need(whole(httpPort, 1, 65535), "gateway.listen-port", `'listenHttpPort' (${httpPort}) must be a whole number from 1 to 65535: 80 on a gateway, a free high port in a test`);
  need(whole(httpsPort, 1, 65535), "gateway.listen-port", `'listenHttpsPort' (${httpsPort}) must be a whole number from 1 to 65535: 443 on a gateway, a free high port in a test`);
  need(httpPort !== httpsPort, "gateway.listen-port", `'listenHttpPort' and 'listenHttpsPort' are both ${httpPort}: give each its own port (80 and 443 on a gateway)`);

  const taken = [...new Set([80, 443, httpPort, httpsPort])].sort((a, b) => a - b);
  need(
    whole(input.upstreamPort, 1, 65535) && !taken.includes(input.upstreamPort),
    "gateway.upstream-port",
    `'upstreamPort' (${input.upstreamPort}) must be a whole number from 1 to 65535 other than ${andList(taken.map(String))}, which nginx keeps: run the application on 127.0.0.1 at another port, e.g. 8000`,
  );

  const maxBody = input.maxBodyMiB ?? d.maxBodyMiB;
  need(
    whole(maxBody, 1, MAX_BODY_MIB_LIMIT),
    "gateway.max-body",
    `'maxBodyMiB' (${maxBody}) must be a whole number from 1 to ${MAX_BODY_MIB_LIMIT}: set the largest upload, in MiB, the application takes (nginx answers larger ones with 413)`,
  );
  const timeout = input.proxyTimeoutSeconds ?? d.proxyTimeoutSeconds;
  need(
    whole(timeout, 1, PROXY_TIMEOUT_SECONDS_LIMIT),
    "gateway.proxy-timeout",
    `'proxyTimeoutSeconds' (${timeout}) must be a whole number from 1 to ${PROXY_TIMEOUT_SECONDS_LIMIT}: how long nginx waits for the application between two reads or writes; longer work should stream progress or run as a job`,
  );

  const addresses = input.listenAddresses ?? d.listenAddresses;
  need(addresses.length > 0, "gateway.listen-address", `'listenAddresses' is empty: list at least one, e.g. ["*", "[::]"] (every IPv4 and IPv6 address) or ["127.0.0.1"]`);
  const seen = new Set<string>();
  for (const a of addresses) {
    need(
      a === "*" || IPV4.test(a) || IPV6_BRACKETED.test(a),
      "gateway.listen-address",
      `'listenAddresses' entry "${a}" must be "*", an IPv4 address such as "127.0.0.1", or an IPv6 address in brackets such as "[::]"`,
    );
    need(!seen.has(a), "gateway.listen-address", `'listenAddresses' lists "${a}" twice: nginx refuses a duplicate listen; remove one`);
    seen.add(a);
  }

  for (const field of ["certificatePath", "certificateKeyPath", "certificateChainPath", "acmeWebroot"] as const) {
    const value = input[field];
    if (value === undefined) continue;
    need(
      PATH.test(value),
      "gateway.path",
      `'${field}' ("${value}") must be an absolute path of letters, digits and '.', '_', '-', '/', '@', '+': nginx reads it as one word, so no spaces, quotes, ';', '$' or braces`,
    );
  }
  return problems;
}

/** `listen` lines, one per address, indented for a server block. */
function listenLines(addresses: readonly string[], port: number, options = ""): string {
  return addresses.map((a) => `    listen ${a}:${port}${options};`).join("\n");
}

/**
 * The three nginx files for a gateway. Throws, listing every problem, when `checkNginxSiteInput`
 * finds any. The same input always gives the same text.
 *
 * @example
 * const files = renderNginxSite({ fqdn: "portal.myalloc.projects.jetstream-cloud.org", upstreamPort: 8000 });
 * // files.httpConf → NGINX_GATEWAY_PATHS.httpConf; files.bootstrap, later files.site → NGINX_GATEWAY_PATHS.site
 */
export function renderNginxSite(input: NginxSiteInput): NginxSiteFiles {
  const problems = checkNginxSiteInput(input);
  if (problems.length > 0) throw new Error(`nginx site input has problems:\n${problems.map((p) => `  ${p.code}: ${p.message}`).join("\n")}`);
  const d = NGINX_SITE_DEFAULTS;
  const { fqdn } = input;
  const addresses = input.listenAddresses ?? d.listenAddresses;
  const httpsPort = input.listenHttpsPort ?? d.listenHttpsPort;
  const httpListen = listenLines(addresses, input.listenHttpPort ?? d.listenHttpPort);
  const acmeLocation = renderTemplate("gateway/nginx-acme.conf", { acmeWebroot: input.acmeWebroot ?? d.acmeWebroot }).trimEnd();
  const le = letsEncryptPaths(fqdn);

  return {
    httpConf: renderTemplate("gateway/nginx-http.conf", { fqdn }),
    bootstrap: renderTemplate("gateway/nginx-bootstrap.conf", { fqdn, httpListen, acmeLocation }),
    site: renderTemplate("gateway/nginx-site.conf", {
      fqdn,
      httpListen,
      acmeLocation,
      httpsOrigin: `https://${fqdn}${httpsPort === 443 ? "" : `:${httpsPort}`}`,
      // HTTP/2 in the listen line: the `http2` directive arrived in nginx 1.25.1, Ubuntu 24.04 has 1.24.
      httpsListen: listenLines(addresses, httpsPort, " ssl http2"),
      certificatePath: input.certificatePath ?? le.certificatePath,
      certificateKeyPath: input.certificateKeyPath ?? le.certificateKeyPath,
      certificateChainPath: input.certificateChainPath ?? le.certificateChainPath,
      hsts: `max-age=${HSTS_MAX_AGE_SECONDS}${(input.hstsIncludeSubDomains ?? d.hstsIncludeSubDomains) ? "; includeSubDomains" : ""}`,
      maxBodyMiB: String(input.maxBodyMiB ?? d.maxBodyMiB),
      proxyTimeoutSeconds: String(input.proxyTimeoutSeconds ?? d.proxyTimeoutSeconds),
      upstreamPort: String(input.upstreamPort),
    }),
  };
}
