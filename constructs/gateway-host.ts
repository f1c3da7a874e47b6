import { Annotations } from "cdktf";
import { describeValue } from "../lib/props/check.ts";
import { Construct } from "constructs";
import type { Flavor } from "../lib/catalog/flavors.ts";
import { loginUserFor } from "../lib/catalog/images.ts";
import { resolveSize } from "../lib/catalog/resolve-size.ts";
import { encodeBundle } from "../lib/agent/bundle.ts";
import { checkGatewayCloudInitInput, gatewayBundle, renderGatewayCloudInit, type GatewayApp, type GatewayCloudInitInput } from "../lib/gateway/cloud-init.ts";
import { checkNginxSiteInput, renderNginxSite, type NginxSiteFiles } from "../lib/gateway/nginx.ts";
import type { Cidr } from "../lib/net/cidr.ts";
import type { IKeyPair, IMachine, INetwork, Size } from "./cloud.ts";
import { checkSshAccess, clusterContext, requireShape, type ClusterContext } from "./private/context.ts";
import { allowWebAndSsh } from "./private/firewall.ts";
import { outputsOf } from "./private/outputs.ts";
import { attachVolume } from "./private/volume.ts";

export interface GatewayHostProps {
  /** A flavor name ("m3.medium") or what the machine needs ({ vcpus, memoryGiB }). */
  readonly size: Size;
  /**
   * The host's name in the cloud's DNS zone (`jetstream2({ allocation })`): "portal" becomes
   * `portal.<allocation>.projects.jetstream-cloud.org`, and drover creates the record.
   * @default - none; give this or `domain`
   */
  readonly hostname?: string;
  /** A full name you manage elsewhere: point its A record at the `<id>_address` output. @default - none */
  readonly domain?: string;
  /** The application in a container (podman), published to nginx on 127.0.0.1. */
  readonly app?: { readonly image: string; readonly port: number; readonly env?: Readonly<Record<string, string>>; readonly dataMountPath?: string };
  /** Or software you install yourself, listening on 127.0.0.1:`port`. */
  readonly upstream?: { readonly port: number };
  /** Certificates from Let's Encrypt, obtained at first boot and renewed automatically. A gateway always serves HTTPS. */
  readonly tls: { readonly letsEncryptEmail: string };
  /** Networks that may SSH to the host. @default [] - SSH closed */
  readonly allowSshFrom?: readonly string[];
  /** The admin's SSH public key. @default - none */
  readonly publicKey?: string;
  /** A data volume (GiB), mounted at /srv/data, protected from destroy. @default - none */
  readonly dataVolumeGiB?: number;
  /** The largest upload passed to the app, MiB. @default 100 */
  readonly maxBodyMiB?: number;
  /** Seconds nginx waits on the app between reads or writes. @default 60 */
  readonly proxyTimeoutSeconds?: number;
  /** @default - the cloud's default image ("Featured-Ubuntu24" on Jetstream2) */
  readonly image?: string;
  /** @default - the stack's default network */
  readonly network?: INetwork;
}

const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DATA_MOUNT = "/srv/data";
const MAX_DATA_GIB = 10_240;

/** What the props say once checked: the host's name and app, who may SSH. */
interface Checked {
  readonly fqdn?: string;
  readonly app?: GatewayApp;
  readonly sshFrom: Cidr[];
  readonly adminKey?: { line: string; fingerprint: string };
}

/** The host as it will be built: its name, flavor, image, nginx site and cloud-init input. */
interface GatewayPlan {
  readonly fqdn: string;
  readonly flavor: Flavor;
  readonly image: string;
  readonly loginUser: string;
  readonly nginx: NginxSiteFiles;
  readonly cloudInit: GatewayCloudInitInput;
  readonly sshFrom: Cidr[];
  readonly adminKey?: { line: string; fingerprint: string };
}

/**
 * A hardened science-gateway host: one VM with a public address and a DNS name, nginx in front
 * (HTTP → HTTPS, Let's Encrypt certificates obtained at boot and renewed, modern TLS, security
 * headers), the app in a container or on a port you run yourself, and cloud-init hardening:
 * unattended security upgrades, key-only SSH without root, fail2ban, and a host firewall that
 * matches the security group (80 and 443 from anywhere, SSH from `allowSshFrom` only).
 *
 * The same on every cloud; its user data is past EC2's 16 KB, so on AWS Terraform sends it
 * gzip-compressed. `hostname` needs the cloud's DNS zone (Jetstream2's `allocation`, AWS's
 * `hostedZone`, GCP's and Azure's `dnsZone`); Azure needs `publicKey`.
 */
export class GatewayHost extends Construct {
  readonly fqdn: string;
  readonly url: string;
  readonly address: string;
  readonly sshCommand?: string;
  readonly machine: IMachine;

  constructor(scope: Construct, id: string, props: GatewayHostProps) {
    super(scope, id);
    const ctx = clusterContext(this, id, "gateway");
    requireShape(ctx.issues, "gatewayHost", props, "gateway");
    const zone = ctx.cloud.dnsZone?.replace(/\.$/, "");
    const plan = this.makePlan(ctx, props, this.check(ctx, props, zone));

    const base = `${ctx.stack.node.id}-${id}`;
    this.machine = this.buildMachine(ctx, props, plan, base);
    this.address = ctx.driver.createPublicAddress(this, "PublicAddress", { name: `${base}-ip`, machine: this.machine }).address;
    this.buildDnsRecord(ctx, props, plan.fqdn, zone);
    this.fqdn = plan.fqdn;
    this.url = `https://${plan.fqdn}`;
    if (plan.sshFrom.length > 0) this.sshCommand = `ssh ${plan.loginUser}@${plan.fqdn}`;
    this.outputs(ctx, id, props);
  }

  /** The name, the certificate's email, the app, the data volume and SSH: issues added, not yet thrown. */
  private check(ctx: ClusterContext, props: GatewayHostProps, zone: string | undefined): Checked {
    const { cloud, issues } = ctx;
    // The name.
    let fqdn: string | undefined;
    if (props.hostname !== undefined && props.domain !== undefined) {
      issues.add(
        "gateway.two-names",
        `'hostname' "${props.hostname}" and 'domain' "${props.domain}" both name the host: give 'hostname' (in the cloud's DNS zone) or 'domain' (a name you manage), not both`,
      );
    } else if (props.hostname !== undefined) {
      if (!HOSTNAME.test(props.hostname))
        issues.add("gateway.bad-hostname", `'hostname' "${props.hostname}" must be one DNS label: lower-case letters, digits and '-', at most 63, not starting or ending with '-' (e.g. "portal")`);
      else if (!zone)
        issues.add("gateway.no-zone", `'hostname' "${props.hostname}" needs the cloud's DNS zone: name the allocation (jetstream2({ allocation: "..." })), or give the full name as 'domain'`);
      else fqdn = `${props.hostname}.${zone}`;
    } else if (props.domain !== undefined) {
      if (!DOMAIN.test(props.domain)) issues.add("gateway.bad-domain", `'domain' "${props.domain}" must be a full host name, lower case, without scheme or path (e.g. "portal.example.org")`);
      else fqdn = props.domain;
    } else {
      issues.add("gateway.no-name", "the certificate needs a name: give 'hostname' (in the cloud's DNS zone, e.g. \"portal\") or 'domain' (a name you manage)");
    }
    if (props.tls === undefined || props.tls === null || typeof props.tls !== "object") {
      issues.add(
        "gateway.no-tls",
        "'tls' is required: { letsEncryptEmail: \"you@example.org\" }; the gateway serves HTTPS with Let's Encrypt certificates, and Let's Encrypt sends expiry notices there",
      );
    } else if (!EMAIL.test(props.tls.letsEncryptEmail ?? "")) {
      issues.add("gateway.tls-email", `'tls.letsEncryptEmail' ${JSON.stringify(props.tls.letsEncryptEmail ?? "")} must be an email address: Let's Encrypt sends expiry notices there`);
    }
    const app = this.checkApp(ctx, props);
    if (props.dataVolumeGiB !== undefined && (!Number.isInteger(props.dataVolumeGiB) || props.dataVolumeGiB < 1 || props.dataVolumeGiB > MAX_DATA_GIB)) {
      issues.add("gateway.bad-volume", `'dataVolumeGiB' ${describeValue(props.dataVolumeGiB)} must be a whole number of GiB from 1 to ${MAX_DATA_GIB}`);
    }

    const { sshFrom, adminKey } = checkSshAccess(issues, "gateway", props.allowSshFrom, { prop: "publicKey", value: props.publicKey }, cloud);
    if (sshFrom.length > 0 && props.publicKey === undefined && !cloud.requiresSshKey) {
      issues.add("gateway.no-key", "'allowSshFrom' opens SSH but no key is given, and password login is off: set 'publicKey' (the content of ~/.ssh/id_ed25519.pub), or leave SSH closed");
    }
    return { fqdn, app, sshFrom, adminKey };
  }

  /** What nginx serves: a container drover runs, or a port the owner's software listens on. */
  private checkApp({ issues }: ClusterContext, props: GatewayHostProps): GatewayApp | undefined {
    let app: GatewayApp | undefined;
    const port = (prop: string, value: unknown): number | undefined => {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535 || [22, 80, 443].includes(value)) {
        issues.add("gateway.bad-port", `'${prop}' ${describeValue(value)} must be a port from 1 to 65535 other than 22, 80 and 443 (nginx and SSH hold those)`);
        return undefined;
      }
      return value;
    };
    if (props.app && props.upstream)
      issues.add("gateway.app-and-upstream", "'app' and 'upstream' both say what nginx serves: give 'app' (a container drover runs) or 'upstream' (a port your own software listens on), not both");
    else if (!props.app && !props.upstream)
      issues.add("gateway.no-app", "nothing to serve: give 'app' ({ image, port }) for a container drover runs, or 'upstream' ({ port }) for software you install");
    else if (props.app) {
      const p = port("app.port", props.app.port);
      for (const name of Object.keys(props.app.env ?? {})) {
        if (!ENV_NAME.test(name)) issues.add("gateway.bad-env", `'app.env' name "${name}" is not a variable name: letters, digits and '_', not starting with a digit`);
      }
      if (p !== undefined)
        app = { kind: "container", image: props.app.image, port: p, ...(props.app.env ? { env: props.app.env } : {}), ...(props.app.dataMountPath ? { dataMountPath: props.app.dataMountPath } : {}) };
    } else {
      const p = port("upstream.port", props.upstream!.port);
      if (p !== undefined) app = { kind: "upstream", port: p };
    }
    return app;
  }

  /** The flavor, the nginx site (lib/gateway/nginx.ts) and the cloud-init input, with their own checks: every issue thrown at once. */
  private makePlan(ctx: ClusterContext, props: GatewayHostProps, checked: Checked): GatewayPlan {
    const { cloud, driver, issues } = ctx;
    const { fqdn, app, sshFrom } = checked;
    const size = resolveSize(props.size, cloud.flavors, cloud.name, "size");
    if (!size.ok) issues.add("gateway.bad-size", size.message);
    const nginxInput = {
      fqdn: fqdn ?? "gateway.invalid",
      upstreamPort: app?.port ?? 8000,
      ...(props.maxBodyMiB !== undefined ? { maxBodyMiB: props.maxBodyMiB } : {}),
      ...(props.proxyTimeoutSeconds !== undefined ? { proxyTimeoutSeconds: props.proxyTimeoutSeconds } : {}),
    };
    // The name and the port were checked above, with the props' own words.
    const nginxProblems = checkNginxSiteInput(nginxInput);
    for (const p of nginxProblems) if (p.code !== "gateway.fqdn" && p.code !== "gateway.upstream-port") issues.add(p.code, p.message);
    const image = props.image ?? cloud.defaultImage;
    const loginUser = loginUserFor(image, cloud.images) ?? "ubuntu";
    const nginx = nginxProblems.length === 0 ? renderNginxSite(nginxInput) : undefined;
    const cloudInit: GatewayCloudInitInput | undefined =
      fqdn && app && props.tls && nginx
        ? {
            fqdn,
            metadataSource: cloud.facts.metadataSource,
            letsEncryptEmail: props.tls.letsEncryptEmail,
            loginUser,
            sshAllowedCidrs: sshFrom.map((c) => c.text),
            nginx,
            app,
            ...(props.dataVolumeGiB ? { dataVolume: { mountPath: DATA_MOUNT } } : {}),
            // Later changes of nginx and the app reach the running machine (gatewayBundle), and
            // the certificate is on a volume a rebuilt machine takes over.
            ...(driver.configInPlace ? { agent: true, certificateVolume: true } : {}),
          }
        : undefined;
    // The host's own checks (image name, env values, mount path), in the props' words where they overlap.
    if (cloudInit)
      for (const p of checkGatewayCloudInitInput(cloudInit))
        if (!["gateway.fqdn", "gateway.email", "gateway.app-port", "gateway.env-name", "gateway.bad-cidr"].includes(p.code)) issues.add(p.code, p.message);
    issues.throwIfAny();
    if (!size.ok || !cloudInit || !nginx) throw new Error("unreachable");
    if (sshFrom.some((c) => c.prefix === 0)) Annotations.of(this).addWarning("'allowSshFrom' opens SSH to the whole internet; fail2ban slows guessing, but name your networks instead");
    return { fqdn: fqdn!, flavor: size.flavor, image, loginUser, nginx, cloudInit, sshFrom, adminKey: checked.adminKey };
  }

  /** The rendered files, the security group, the machine and its volumes. */
  private buildMachine(ctx: ClusterContext, props: GatewayHostProps, plan: GatewayPlan, base: string): IMachine {
    const { stack, driver } = ctx;
    const { cloudInit, nginx, sshFrom, adminKey, image, loginUser } = plan;
    const userData = renderGatewayCloudInit(cloudInit);
    stack.addRenderedFile(this, "cloud-init.yaml", userData);
    const bundle = cloudInit.agent ? gatewayBundle(cloudInit, this.node.path) : undefined;
    if (bundle) stack.addRenderedFile(this, "config-bundle.json", `${JSON.stringify(bundle, null, 2)}\n`);
    stack.addRenderedFile(this, "nginx-site.conf", nginx.site);
    stack.addRenderedFile(this, "nginx-bootstrap.conf", nginx.bootstrap);
    stack.addRenderedFile(this, "nginx-http.conf", nginx.httpConf);

    // Security group: the same rules as the host firewall.
    const firewall = driver.createFirewall(this, "Firewall", { name: base, description: `drover: web${sshFrom.length ? " and SSH" : ""} to ${this.node.path}` });
    allowWebAndSsh(firewall, sshFrom);
    const keyPair: IKeyPair | undefined = adminKey ? stack.keyPairFor(adminKey.line, adminKey.fingerprint) : undefined;
    const machine = driver.createMachine(this, "Resource", {
      name: base,
      flavor: plan.flavor,
      image,
      network: props.network ?? stack.defaultNetwork(),
      firewalls: [firewall],
      loginUser,
      userData,
      metadata: { drover_construct: this.node.path, drover_role: "gateway", ...(bundle ? encodeBundle(bundle).metadata : {}) },
      ...(bundle ? { bootstrapOnly: true } : {}),
      ...(keyPair ? { keyPair } : {}),
    });
    if (cloudInit.certificateVolume) {
      // /etc/letsencrypt: a rebuilt machine serves the same certificate and orders none
      // (Let's Encrypt issues at most 5 for one name a week).
      attachVolume(driver, this, machine, "certificates", { name: `${base}-certificates`, sizeGiB: 1, protect: true }, "/etc/letsencrypt");
    }
    if (props.dataVolumeGiB) attachVolume(driver, this, machine, "data", { name: `${base}-data`, sizeGiB: props.dataVolumeGiB, protect: true }, DATA_MOUNT);
    return machine;
  }

  /** The name: a record in the cloud's zone, or a note for a name managed elsewhere. */
  private buildDnsRecord({ driver }: ClusterContext, props: GatewayHostProps, fqdn: string, zone: string | undefined): void {
    const dnsZones = driver.abilities.dnsZones;
    if (fqdn && props.hostname && zone && dnsZones) {
      const zoneId = dnsZones.lookup(this, "Zone", `${zone}.`);
      driver.createDnsRecord(this, "Record", { zoneId, zoneName: `${zone}.`, name: props.hostname, type: "A", values: [this.address], ttlSeconds: 300 });
    }
  }

  private outputs({ stack }: ClusterContext, id: string, props: GatewayHostProps): void {
    const output = outputsOf(stack, this, id.replace(/-/g, "_"));
    output("url", this.url, `The gateway ${this.node.path}`);
    output("address", this.address, `Public address of ${this.node.path}`);
    if (this.sshCommand) output("ssh", this.sshCommand, `SSH to ${this.node.path}`);
    if (props.domain) output("dns_record", `${props.domain}. 300 IN A ${this.address}`, `The record to create for ${props.domain} where you manage it`);
  }
}
