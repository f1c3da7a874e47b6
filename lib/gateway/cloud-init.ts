import { basename } from "node:path";
import { agentFiles, type Bundle } from "../agent/bundle.ts";
import { metadataGuardBootcmd, renderMachineCloudInit, USER_DATA_MAX_BYTES, type MetadataSource } from "../cloud-init.ts";
import type { Issue } from "../errors.ts";
import { parseCidr } from "../net/cidr.ts";
import { readTemplate, renderTemplate } from "../templates.ts";
import { yaml } from "../vendor.ts";
import { letsEncryptPaths, NGINX_GATEWAY_PATHS, NGINX_SITE_DEFAULTS } from "./nginx.ts";

/**
 * The cloud-init user data of a science-gateway host on Ubuntu 24.04: nginx in front of one web
 * application, TLS from Let's Encrypt, and a host hardened beyond the security group. One
 * `#cloud-config` document, built as a typed object; first-boot logic lives in
 * `templates/gateway/`.
 *
 * What the machine does:
 * - bootcmd, at every boot: lets only root reach the metadata service
 *   (`templates/cloud-init/drover-metadata-guard.sh`, the one every drover role uses).
 * - The volume service of every drover machine (`renderMachineCloudInit`): `dataVolume`, which
 *   the construct attaches and names in the instance metadata, is formatted once and mounted.
 * - A host firewall (nftables, its own table `inet drover_gateway`, loaded by a systemd unit
 *   before the network at every boot) that admits exactly what the security group admits: TCP
 *   80 and 443 from anywhere, TCP 22 from `sshAllowedCidrs` only. Besides: loopback, replies and
 *   their ICMP errors, and IPv6 neighbour discovery and DHCPv6 replies, which IPv6 needs and
 *   Neutron passes whatever the security group says. Ping is dropped, as the security group
 *   drops it. Containers are kept from the metadata service there too: their packets are
 *   forwarded, so the guard's rule on local processes never sees them.
 * - sshd: keys only, no root, three tries a connection (a drop-in read before cloud-init's);
 *   fail2ban's sshd jail reading the journal; unattended-upgrades installing security updates
 *   daily and, unless `automaticRebootTime` is set, never rebooting: a kernel update waits for a
 *   person (Ubuntu prints "System restart required" at login).
 * - nginx with the files of `renderNginxSite`. With `letsEncryptEmail`: the bootstrap site
 *   first, then `drover-gateway-tls` waits for the name to resolve, gets the certificate with
 *   Ubuntu's certbot (webroot), retrying with growing waits and, when the first boot's tries
 *   fail, from a timer every hour; once it has it, it switches nginx to the full site. certbot's
 *   own timer renews, and a deploy hook reloads nginx. Without: the HTTP site at once.
 * - A container application: podman from Ubuntu's packages, not Docker: no daemon (the unit
 *   runs the container and systemd watches it, `Type=notify`), no root API socket, and no
 *   daemon that rewrites the host's firewall on start. The unit pulls a newer image at each
 *   start, publishes the port on 127.0.0.1 only, reads the environment from a root-only file and
 *   waits for the data volume before it starts.
 *
 * Like the Slurm and k3s user data, the text holds the references in `app.env` values (cdktf
 * tokens) for Terraform to fill; everything else is text, escaped for Terraform at synthesis
 * (lib/terraform/text.ts).
 */

export interface GatewayNginxFiles {
  /** http-level settings, for `/etc/nginx/conf.d/drover-gateway.conf`. */
  readonly httpConf: string;
  /** The full site: HTTPS with the proxy, or (without `letsEncryptEmail`) the HTTP site. */
  readonly site: string;
  /** The first-boot HTTP site that answers Let's Encrypt's challenges; with `letsEncryptEmail` only. */
  readonly bootstrap?: string;
}

/** An application in a container, run by podman. */
export interface GatewayContainerApp {
  readonly kind: "container";
  /** The image with its registry, e.g. "ghcr.io/mylab/portal:1.4" (podman on Ubuntu does not guess registries). */
  readonly image: string;
  /** The port the application listens on in the container; published on 127.0.0.1 at the same number. */
  readonly port: number;
  /**
   * The container's environment. Values are not secret; one may hold Terraform references
   * (a machine's address attribute, `${<type>.db.<attribute>}`), filled at deploy. @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Where `dataVolume` appears in the container. @default - not mounted in the container */
  readonly dataMountPath?: string;
}

/** An application the person runs themselves on 127.0.0.1:`port`; nginx only forwards to it. */
export interface GatewayUpstreamApp {
  readonly kind: "upstream";
  readonly port: number;
}

export type GatewayApp = GatewayContainerApp | GatewayUpstreamApp;

export interface GatewayCloudInitInput {
  /** The gateway's public DNS name: the certificate's name. */
  readonly fqdn: string;
  /** Where the host reads the list of its volumes. @default "openstack" */
  readonly metadataSource?: MetadataSource;
  /** Let's Encrypt's contact for expiry notices; giving it accepts their terms. @default - no TLS: nginx serves `nginx.site` over HTTP only */
  readonly letsEncryptEmail?: string;
  /** The image's account ("ubuntu"); owns a freshly formatted data volume. */
  readonly loginUser: string;
  /**
   * Ranges (IPv4 or IPv6) the host firewall admits to SSH: the security group's, as they are
   * (whether a range is too wide is the construct's call). @default - none: SSH closed
   */
  readonly sshAllowedCidrs?: readonly string[];
  /** nginx's files, as `renderNginxSite` gives them. */
  readonly nginx: GatewayNginxFiles;
  readonly app: GatewayApp;
  /** The data volume the construct attaches, and where it is mounted on the host. @default - none */
  readonly dataVolume?: { readonly mountPath: string };
  /**
   * `/etc/letsencrypt` is a volume of its own (the construct attaches it and names it in the
   * metadata): the certificate survives a rebuilt machine, and certbot waits for it.
   * @default false
   */
  readonly certificateVolume?: boolean;
  /**
   * Reboot by itself, at this local time ("HH:MM"), when an update needs it (a new kernel).
   * @default - never: the updates wait for a person's reboot
   */
  readonly automaticRebootTime?: string;
  /**
   * Install drover-agent, which applies later changes of nginx's files and the app in place
   * (`gatewayBundle`), on clouds whose drivers update instance metadata in place.
   */
  readonly agent?: boolean;
}

/** Where things live on the machine. */
export const GATEWAY_PATHS = {
  httpConf: NGINX_GATEWAY_PATHS.httpConf,
  site: NGINX_GATEWAY_PATHS.site,
  bootstrapSite: `${NGINX_GATEWAY_PATHS.site}-bootstrap`,
  acmeWebroot: NGINX_SITE_DEFAULTS.acmeWebroot,
  siteProgram: "/usr/local/sbin/drover-gateway-site",
  tlsProgram: "/usr/local/sbin/drover-gateway-tls",
  deployHook: "/etc/letsencrypt/renewal-hooks/deploy/drover-reload-nginx",
  firewallRules: "/etc/drover/gateway-firewall.nft",
  sshdDropIn: "/etc/ssh/sshd_config.d/10-drover-gateway.conf",
  fail2banJail: "/etc/fail2ban/jail.d/drover-sshd.local",
  aptConf: "/etc/apt/apt.conf.d/52drover-unattended-upgrades",
  appEnv: "/etc/drover/gateway-app.env",
  /** The same program a Slurm compute node waits for its shared trees with. */
  waitProgram: "/usr/local/sbin/drover-wait-shared",
  /** Waits for the certificates' volume (with `certificateVolume`). */
  certificateWaitProgram: "/usr/local/sbin/drover-wait-certificates",
  letsEncryptDir: "/etc/letsencrypt",
} as const;

/** The systemd units drover adds. */
export const GATEWAY_UNITS = {
  firewall: "drover-gateway-firewall.service",
  tls: "drover-gateway-tls.service",
  tlsTimer: "drover-gateway-tls.timer",
  app: "drover-gateway-app.service",
} as const;

/** The container's name (`podman ps`, `podman logs`). */
export const GATEWAY_APP_CONTAINER = "drover-gateway-app";
/** Seconds the application gets to stop before podman kills it. */
export const GATEWAY_APP_STOP_SECONDS = 30;

type Problem = Pick<Issue, "code" | "message">;

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const FQDN = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`);
/** What Let's Encrypt takes, kept to characters safe in a shell string. */
const EMAIL = /^[A-Za-z0-9._+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const LOGIN_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
/** registry/path[:tag][@digest], lower-case path; the registry is a host name (with a dot or port) or localhost. */
const IMAGE = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?|localhost(?::\d+)?|[a-z0-9-]+:\d+)(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** One Terraform reference, or a cdktf token standing for one (as `renderK3sCloudInit` takes them). */
const REFERENCE = /\$\{[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[\w.]+\]|\["[\w.-]*"\])*\}/g;
const MOUNT_PATH = /^\/[A-Za-z0-9._/-]+$/;
const SYSTEM_DIRS = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/root", "/run", "/sbin", "/sys", "/tmp", "/usr", "/var"];
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
/** Ports the gateway itself listens on. */
const HOST_PORTS = [22, 80, 443];
/** Longest value a reference may have when the size of the user data is checked. */
const REF_MAX_CHARS = 255;

/**
 * Every problem with the input, each naming the field, the value, what is allowed and the fix.
 * `renderGatewayCloudInit` refuses input that has any.
 */
export function checkGatewayCloudInitInput(input: GatewayCloudInitInput): Problem[] {
  const problems: Problem[] = [];
  const need = (ok: boolean, code: string, message: string) => {
    if (!ok) problems.push({ code, message });
  };
  need(
    FQDN.test(input.fqdn),
    "gateway.fqdn",
    `'fqdn' ("${input.fqdn}") must be a DNS name of two or more labels (lower-case letters, digits and '-'), e.g. "portal.myalloc.projects.jetstream-cloud.org"`,
  );
  need(LOGIN_USER.test(input.loginUser), "gateway.login-user", `'loginUser' ("${input.loginUser}") must be an account name: lower-case letters, digits, '_' and '-', at most 32, e.g. "ubuntu"`);
  const email = input.letsEncryptEmail;
  if (email !== undefined) {
    need(EMAIL.test(email), "gateway.email", `'letsEncryptEmail' ("${email}") must be an e-mail address of letters, digits and . _ + - (Let's Encrypt writes there before the certificate expires)`);
  }
  const { bootstrap } = input.nginx;
  if (email !== undefined) {
    need(
      bootstrap !== undefined && bootstrap.trim() !== "",
      "gateway.nginx-bootstrap",
      `'nginx.bootstrap' is missing: with 'letsEncryptEmail' nginx serves the bootstrap site until the certificate exists; pass renderNginxSite(...).bootstrap`,
    );
  } else {
    need(
      bootstrap === undefined,
      "gateway.nginx-bootstrap",
      `'nginx.bootstrap' is given without 'letsEncryptEmail': without TLS nginx serves 'nginx.site' over HTTP at once; leave 'nginx.bootstrap' out, or set 'letsEncryptEmail'`,
    );
  }
  for (const field of ["httpConf", "site"] as const) {
    need(input.nginx[field].trim() !== "", "gateway.nginx-empty", `'nginx.${field}' is empty: pass the text renderNginxSite(...).${field} gives`);
  }

  const seen = new Set<string>();
  (input.sshAllowedCidrs ?? []).forEach((text, i) => {
    const r = parseCidr(text);
    if (!r.ok) {
      problems.push({ code: "gateway.bad-cidr", message: `'sshAllowedCidrs[${i}]' ("${text}") ${r.reason}${r.suggestion ? `: did you mean "${r.suggestion}"?` : ""}` });
    } else if (seen.has(r.cidr.text)) {
      problems.push({ code: "gateway.duplicate-cidr", message: `'sshAllowedCidrs[${i}]' ("${text}") is listed twice: remove one` });
    }
    if (r.ok) seen.add(r.cidr.text);
  });

  const mountPath = (field: string, path: string) => {
    const normalized = path.replace(/\/+$/, "");
    need(MOUNT_PATH.test(path) && !path.includes(".."), "gateway.mount-path", `'${field}' ("${path}") must be an absolute path of letters, digits and . _ - /, e.g. "/srv/data"`);
    need(normalized !== "" && !SYSTEM_DIRS.includes(normalized), "gateway.mount-path", `'${field}' ("${path}") would hide a system directory: use a path under /srv, /data, /mnt or /media`);
  };
  if (input.dataVolume) mountPath("dataVolume.mountPath", input.dataVolume.mountPath);

  const { app } = input;
  need(
    Number.isInteger(app.port) && app.port >= 1 && app.port <= 65535 && !HOST_PORTS.includes(app.port),
    "gateway.app-port",
    `'app.port' (${app.port}) must be a whole number from 1 to 65535 other than 22, 80 and 443, which sshd and nginx listen on: e.g. 8000`,
  );
  if (app.kind === "container") {
    need(
      IMAGE.test(app.image),
      "gateway.image",
      `'app.image' ("${app.image}") must be an image name with its registry, in lower case, with an optional :tag or @sha256 digest, e.g. "docker.io/library/nginx:1.27" or "ghcr.io/myorg/portal:1.4": podman on Ubuntu does not guess a registry`,
    );
    for (const [name, value] of Object.entries(app.env ?? {})) {
      need(ENV_NAME.test(name), "gateway.env-name", `'app.env' name "${name}" must be letters, digits and '_', not starting with a digit`);
      need(!/[\r\n]/.test(value), "gateway.env-value", `'app.env.${name}' holds a line break: podman's env file takes one line a variable; pass a file on the data volume instead`);
      need(
        !/^["'\s]/.test(value),
        "gateway.env-value",
        `'app.env.${name}' (${JSON.stringify(value)}) starts with a quote or a blank: podman reads the rest of the line as the value, so write the value without quotes`,
      );
    }
    if (app.dataMountPath !== undefined) {
      mountPath("app.dataMountPath", app.dataMountPath);
      need(
        input.dataVolume !== undefined,
        "gateway.data-without-volume",
        `'app.dataMountPath' ("${app.dataMountPath}") needs a data volume to mount: give 'dataVolume', or leave 'app.dataMountPath' out`,
      );
    }
  }
  if (input.automaticRebootTime !== undefined) {
    need(TIME.test(input.automaticRebootTime), "gateway.reboot-time", `'automaticRebootTime' ("${input.automaticRebootTime}") must be a time of day as HH:MM, e.g. "04:00"`);
  }
  return problems;
}

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  /** Written after the packages are installed: nginx and fail2ban start at installation and must not read these early. */
  defer?: boolean;
}

/**
 * Renders the gateway's user data. Deterministic: the same input gives the same text.
 * Throws, listing every problem, when `checkGatewayCloudInitInput` finds any, and when the text
 * would exceed what OpenStack accepts (each reference counted at 255 characters).
 *
 * @example
 * const nginx = renderNginxSite({ fqdn, upstreamPort: 8000 });
 * const userData = renderGatewayCloudInit({
 *   fqdn, letsEncryptEmail: "admin@example.org", loginUser: "ubuntu", sshAllowedCidrs: ["203.0.113.0/24"],
 *   nginx, app: { kind: "container", image: "ghcr.io/myorg/portal:1.4", port: 8000, env: { DB_HOST: "${...}" } },
 * });
 * driver.createMachine(this, "Resource", { ..., userData });
 */
export function renderGatewayCloudInit(input: GatewayCloudInitInput): string {
  const problems = checkGatewayCloudInitInput(input);
  if (problems.length > 0) throw new Error(`gateway input has problems:\n${problems.map((p) => `  ${p.code}: ${p.message}`).join("\n")}`);
  const tls = input.letsEncryptEmail !== undefined;
  const container = input.app.kind === "container" ? input.app : undefined;

  const commands = [
    // The agent's timer first: its service waits for cloud-init's end (After=cloud-final), and a
    // failing command below stays cloud-init's failure.
    ...(input.agent ? [agentFiles("gateway", "openstack").start.join(" ")] : []),
    `systemctl enable --now ${GATEWAY_UNITS.firewall}`,
    // Ubuntu's ssh.service starts on the first connection (ssh.socket); when it runs, it rereads.
    "systemctl try-reload-or-restart ssh.service",
    // Installing fail2ban started it before its jail was written.
    "systemctl restart fail2ban.service",
    `${GATEWAY_PATHS.siteProgram} ${basename(tls ? GATEWAY_PATHS.bootstrapSite : GATEWAY_PATHS.site)}`,
    ...(tls ? [`systemctl enable --now ${GATEWAY_UNITS.tlsTimer}`, `systemctl start --no-block ${GATEWAY_UNITS.tls}`] : []),
    // The first pull can take minutes; cloud-init need not wait for it.
    ...(container ? [`systemctl enable --now --no-block ${GATEWAY_UNITS.app}`] : []),
  ];
  const packages = ["nftables", "fail2ban", "python3-systemd", "unattended-upgrades", "nginx", ...(tls ? ["certbot"] : []), ...(container ? ["podman"] : [])];
  // Every drover machine's safe SSH defaults and volume service, with the gateway's packages and commands.
  const base = yaml().parse(renderMachineCloudInit({ loginUser: input.loginUser, metadataSource: input.metadataSource ?? "openstack", packages, commands })) as {
    write_files: WriteFile[];
    runcmd: unknown[];
  } & Record<string, unknown>;

  const { write_files: volumeFiles, runcmd, ...settings } = base;
  const refs: string[] = [];
  const doc = {
    ...settings,
    // At every boot, in cloud-init's network stage: before any login or service.
    bootcmd: [metadataGuardBootcmd()],
    write_files: [
      ...volumeFiles,
      ...hardeningFiles(input),
      ...nginxFiles(input),
      ...(container ? appFiles(container, input, refs) : []),
      ...(input.agent ? agentFiles("gateway", "openstack").files : []),
    ],
    runcmd,
  };
  const text = `#cloud-config\n# drover: science gateway ${input.fqdn}\n${toYaml(doc)}`;
  const bytes = Buffer.byteLength(text) + refs.reduce((sum, _, i) => sum + REF_MAX_CHARS - marker(i).length, 0);
  if (bytes > USER_DATA_MAX_BYTES) {
    throw new Error(`the user data of gateway ${input.fqdn} takes up to ${bytes} bytes, more than the ${USER_DATA_MAX_BYTES} OpenStack accepts: shorten 'app.env' or the nginx files`);
  }
  return text.replace(/@@DROVER_REF_(\d+)@@/g, (_, i: string) => refs[Number(i)]!);
}

/**
 * What of a gateway may change while it runs, applied in place by drover-agent: nginx's files
 * (body size, timeouts, the upstream) with a checked reload, and the app's environment and unit
 * (its image, port, environment) with a restart of the app, which pulls the new image. The
 * certificate and everything else stay: the same machine serves the new app.
 */
export function gatewayBundle(input: GatewayCloudInitInput, construct: string): Bundle {
  const container = input.app.kind === "container" ? input.app : undefined;
  const refs: string[] = [];
  const nginx = nginxFiles(input).filter((f) => f.path === GATEWAY_PATHS.httpConf || f.path === GATEWAY_PATHS.site);
  // The environment's references stay references: the bundle carries them as metadata items.
  const app = container ? appFiles(container, input, refs).filter((f) => f.path !== GATEWAY_PATHS.waitProgram) : [];
  const restored = (text: string) => text.replace(/@@DROVER_REF_(\d+)@@/g, (_, i: string) => refs[Number(i)]!);
  const appPaths = app.map((f) => f.path);
  return {
    construct,
    files: [...nginx, ...app].map((f) => ({ path: f.path, content: restored(f.content), mode: f.permissions })),
    hooks: [
      { on: nginx.map((f) => f.path), run: [["sh", "-c", "nginx -t && systemctl reload nginx"]] },
      ...(container
        ? [
            {
              on: appPaths,
              run: [
                ["systemctl", "daemon-reload"],
                ["systemctl", "restart", GATEWAY_UNITS.app],
              ],
            },
          ]
        : []),
    ],
  };
}

/** Stands for a reference while the text is built (plain text for YAML). */
const marker = (i: number) => `@@DROVER_REF_${i}@@`;

function hardeningFiles(input: GatewayCloudInitInput): WriteFile[] {
  const ssh = (input.sshAllowedCidrs ?? []).map((t) => (parseCidr(t) as { cidr: { text: string; version: 4 | 6 } }).cidr);
  const sshRules = ([4, 6] as const)
    .map((v) => ({ v, ranges: ssh.filter((c) => c.version === v).map((c) => c.text) }))
    .filter(({ ranges }) => ranges.length > 0)
    .map(({ v, ranges }) => `    ${v === 4 ? "ip" : "ip6"} saddr { ${ranges.join(", ")} } tcp dport 22 accept`);
  const reboot = input.automaticRebootTime;
  const rebootSettings = reboot
    ? `// Reboots by itself at ${reboot} when an update needs it.\nUnattended-Upgrade::Automatic-Reboot "true";\nUnattended-Upgrade::Automatic-Reboot-Time "${reboot}";`
    : '// No automatic reboot: an update that needs one (a new kernel) waits for a person, who sees\n// "*** System restart required ***" at login.\nUnattended-Upgrade::Automatic-Reboot "false";';
  return [
    {
      path: GATEWAY_PATHS.firewallRules,
      content: renderTemplate("gateway/firewall.nft", { sshRules: sshRules.length > 0 ? sshRules.join("\n") : "    # SSH: closed, as no 'sshAllowedCidrs' are given." }),
      permissions: "0644",
    },
    { path: `/etc/systemd/system/${GATEWAY_UNITS.firewall}`, content: renderTemplate("gateway/drover-gateway-firewall.service", { rules: GATEWAY_PATHS.firewallRules }), permissions: "0644" },
    { path: GATEWAY_PATHS.sshdDropIn, content: readTemplate("gateway/sshd-drover-gateway.conf"), permissions: "0644" },
    { path: GATEWAY_PATHS.fail2banJail, content: readTemplate("gateway/fail2ban-drover-sshd.local"), permissions: "0644", defer: true },
    { path: GATEWAY_PATHS.aptConf, content: renderTemplate("gateway/apt-drover-unattended-upgrades.conf", { rebootSettings }), permissions: "0644" },
  ];
}

function nginxFiles(input: GatewayCloudInitInput): WriteFile[] {
  const { nginx, letsEncryptEmail: email } = input;
  const site = basename(GATEWAY_PATHS.site);
  const bootstrap = basename(GATEWAY_PATHS.bootstrapSite);
  const files: WriteFile[] = [
    { path: GATEWAY_PATHS.httpConf, content: nginx.httpConf, permissions: "0644", defer: true },
    { path: GATEWAY_PATHS.site, content: nginx.site, permissions: "0644", defer: true },
    {
      path: GATEWAY_PATHS.siteProgram,
      content: renderTemplate("gateway/drover-gateway-site.sh", { nginxDir: "/etc/nginx", sites: email ? `${bootstrap} ${site}` : site }, { shell: true }),
      permissions: "0755",
    },
  ];
  if (email === undefined) return files;
  return [
    ...files,
    { path: GATEWAY_PATHS.bootstrapSite, content: nginx.bootstrap!, permissions: "0644", defer: true },
    {
      path: GATEWAY_PATHS.tlsProgram,
      content: renderTemplate(
        "gateway/drover-gateway-tls.sh",
        {
          fqdn: input.fqdn,
          email,
          certificate: letsEncryptPaths(input.fqdn).certificatePath,
          webroot: GATEWAY_PATHS.acmeWebroot,
          site,
          siteProgram: GATEWAY_PATHS.siteProgram,
          timer: GATEWAY_UNITS.tlsTimer,
          dnsWaitSeconds: "900",
          // Four tries within seven minutes: below Let's Encrypt's five failed validations an hour.
          retryDelays: "60 120 240",
        },
        { shell: true },
      ),
      permissions: "0755",
    },
    {
      path: `/etc/systemd/system/${GATEWAY_UNITS.tls}`,
      content: renderTemplate("gateway/drover-gateway-tls.service", {
        program: GATEWAY_PATHS.tlsProgram,
        // The certificates live on their own volume: certbot writes nothing before it is mounted.
        waitForCertificates: input.certificateVolume ? `\nExecStartPre=${GATEWAY_PATHS.certificateWaitProgram}` : "",
      }),
      permissions: "0644",
    },
    ...(input.certificateVolume
      ? [{ path: GATEWAY_PATHS.certificateWaitProgram, content: renderTemplate("cloud-init/drover-wait-shared.sh", { paths: GATEWAY_PATHS.letsEncryptDir }, { shell: true }), permissions: "0755" }]
      : []),
    { path: `/etc/systemd/system/${GATEWAY_UNITS.tlsTimer}`, content: readTemplate("gateway/drover-gateway-tls.timer"), permissions: "0644" },
    { path: GATEWAY_PATHS.deployHook, content: readTemplate("gateway/drover-reload-nginx.sh"), permissions: "0755" },
  ];
}

function appFiles(app: GatewayContainerApp, input: GatewayCloudInitInput, refs: string[]): WriteFile[] {
  const data = input.dataVolume && app.dataMountPath !== undefined ? { host: input.dataVolume.mountPath, container: app.dataMountPath } : undefined;
  const run = [
    "/usr/bin/podman run",
    `--name=${GATEWAY_APP_CONTAINER}`,
    "--replace",
    "--rm",
    "--cidfile=%t/%N.cid",
    "--cgroups=no-conmon",
    "--sdnotify=conmon",
    "--detach",
    "--pull=newer",
    "--log-driver=journald",
    // nginx alone reaches the application.
    `--publish=127.0.0.1:${app.port}:${app.port}`,
    `--env-file=${GATEWAY_PATHS.appEnv}`,
    `--stop-timeout=${GATEWAY_APP_STOP_SECONDS}`,
    ...(data ? [`--volume=${data.host}:${data.container}`] : []),
    app.image,
  ];
  // podman takes the rest of each line as the value, as it is: no quotes to add, none to escape.
  const env = Object.entries(app.env ?? {}).map(([name, value]) => `${name}=${value.replace(REFERENCE, (ref) => marker(refs.push(ref) - 1))}\n`);
  const files: WriteFile[] = [
    {
      path: GATEWAY_PATHS.appEnv,
      content: `# drover: the environment of the gateway's container (podman --env-file: NAME=value, the value as it is)\n${env.join("")}`,
      permissions: "0600",
    },
    {
      path: `/etc/systemd/system/${GATEWAY_UNITS.app}`,
      content: renderTemplate("gateway/drover-gateway-app.service", {
        image: app.image,
        port: String(app.port),
        envFile: GATEWAY_PATHS.appEnv,
        waitForData: data
          ? `# Starts once the data volume is mounted (drover-volumes mounts it within a minute or two of boot).\nExecStartPre=${GATEWAY_PATHS.waitProgram}`
          : "# No data volume: nothing to wait for.",
        podmanRun: run.join(" \\\n    "),
        stopSeconds: String(GATEWAY_APP_STOP_SECONDS),
        stopTimeoutSeconds: String(GATEWAY_APP_STOP_SECONDS + 30),
      }),
      permissions: "0644",
    },
  ];
  if (data) files.push({ path: GATEWAY_PATHS.waitProgram, content: renderTemplate("cloud-init/drover-wait-shared.sh", { paths: data.host }, { shell: true }), permissions: "0755" });
  return files;
}

/** YAML for cloud-init's YAML 1.1 reader ("0644", "yes" quoted), multi-line strings as literal blocks. */
function toYaml(doc: object): string {
  const Y = yaml();
  const document = new Y.Document(doc, { version: "1.1" });
  Y.visit(document, {
    Scalar(_, node) {
      // A value Terraform puts in a literal block stays one string whatever characters it has.
      if (typeof node.value === "string" && node.value.includes("@@DROVER_REF_")) node.type = "BLOCK_LITERAL";
    },
  });
  return document.toString({ lineWidth: 0, blockQuote: "literal" });
}
