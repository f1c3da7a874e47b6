import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderMachineCloudInit, USER_DATA_MAX_BYTES } from "../../lib/cloud-init.ts";
import { checkGatewayCloudInitInput, GATEWAY_PATHS, GATEWAY_UNITS, renderGatewayCloudInit, type GatewayCloudInitInput } from "../../lib/gateway/cloud-init.ts";
import { renderNginxSite } from "../../lib/gateway/nginx.ts";
import { readTemplate } from "../../lib/templates.ts";
import { yaml } from "../../lib/vendor.ts";
import { asSynthesized, decoded, deployText, type WriteFile } from "../support/cloud-init.ts";
import { TerraformDir } from "../support/terraform.ts";
import { hasTool, runTool } from "../support/tools.ts";

const dir = mkdtempSync(join(tmpdir(), "drover-gateway-cloud-init-"));

// GIVEN a gateway of each kind the renderer distinguishes, with nginx's real files.
const FQDN = "portal.myalloc.projects.jetstream-cloud.org";
const nginx = renderNginxSite({ fqdn: FQDN, upstreamPort: 8000 });
const DB_HOST = "${openstack_compute_instance_v2.db.access_ip_v4}";
const VALUES = { [DB_HOST]: "10.0.0.12" };
const BASE = { fqdn: FQDN, loginUser: "ubuntu" } as const;
const SCENARIOS = {
  "container with TLS and a data volume": {
    ...BASE,
    letsEncryptEmail: "admin@example.org",
    sshAllowedCidrs: ["203.0.113.0/24", "198.51.100.7/32", "2001:db8::/32"],
    nginx,
    app: {
      kind: "container",
      image: "ghcr.io/myorg/portal:1.4",
      port: 8000,
      env: { DB_HOST, DB_URL: `postgres://${DB_HOST}:5432/portal`, GREETING: "it's #1: 100% ok, $HOME" },
      dataMountPath: "/data",
    },
    dataVolume: { mountPath: "/srv/data" },
  },
  "upstream with TLS": {
    ...BASE,
    letsEncryptEmail: "admin@example.org",
    sshAllowedCidrs: ["203.0.113.0/24"],
    nginx,
    app: { kind: "upstream", port: 8000 },
    automaticRebootTime: "04:30",
  },
  "container without TLS or SSH": {
    ...BASE,
    nginx: { httpConf: nginx.httpConf, site: nginx.bootstrap },
    app: { kind: "container", image: "docker.io/library/httpd:2.4", port: 8080 },
  },
} satisfies Record<string, GatewayCloudInitInput>;
type Scenario = keyof typeof SCENARIOS;

interface Doc {
  packages: string[];
  bootcmd: unknown[][];
  write_files: WriteFile[];
  runcmd: Array<string | string[]>;
  [key: string]: unknown;
}

const rendered = Object.fromEntries(Object.entries(SCENARIOS).map(([name, input]) => [name, renderGatewayCloudInit(input)])) as Record<Scenario, string>;
/** The document as the machine gets it: Terraform's escapes undone, the reference filled. */
const machines = new Map<Scenario, Doc>();
const machine = (name: Scenario): Doc => {
  let doc = machines.get(name);
  if (!doc) machines.set(name, (doc = yaml().parse(deployText(rendered[name], VALUES)) as Doc));
  return structuredClone(doc);
};
const fileAt = (doc: Doc, path: string): WriteFile => {
  const f = doc.write_files.find((w) => w.path === path);
  if (!f) throw new Error(`no file ${path}`);
  return f;
};
const content = (name: Scenario, path: string) => decoded(fileAt(machine(name), path));
const full = "container with TLS and a data volume" as const;
const upstream = "upstream with TLS" as const;
const plain = "container without TLS or SSH" as const;

describe("renderGatewayCloudInit", () => {
  describe.each(Object.keys(SCENARIOS) as Scenario[])("%s", (name) => {
    it("is a #cloud-config with password and root logins off, and a Terraform template whose only expressions are the references", () => {
      expect(rendered[name].startsWith(`#cloud-config\n# drover: science gateway ${FQDN}\n`)).toBe(true);
      expect(machine(name)).toMatchObject({ ssh_pwauth: false, disable_root: true, package_update: true });
      expect(() => deployText(rendered[name], VALUES)).not.toThrow();
    });

    it("matches the reviewed summary", () => {
      const doc = machine(name);
      expect({
        packages: doc.packages.join(" "),
        files: doc.write_files.map((f) => [f.path, f.permissions, f.defer ? "defer" : undefined].filter(Boolean).join(" ")),
        runcmd: doc.runcmd.map((c) => (Array.isArray(c) ? c.join(" ") : c)),
      }).toMatchSnapshot();
    });

    it("carries the volume service of every drover machine, as renderMachineCloudInit writes it", () => {
      const base = yaml().parse(renderMachineCloudInit({ loginUser: "ubuntu", metadataSource: "openstack" })) as Doc;
      const doc = machine(name);
      expect(doc.write_files.slice(0, base.write_files.length)).toEqual(base.write_files);
      expect(doc.runcmd.slice(0, 2)).toEqual(base.runcmd);
    });

    it("blocks the metadata service for everyone but root at every boot, with the guard every drover role uses", () => {
      expect(machine(name).bootcmd).toEqual([["bash", "-c", readTemplate("cloud-init/drover-metadata-guard.sh"), "drover-metadata-guard"]]);
    });
  });

  it("installs what each kind needs, from Ubuntu's packages", () => {
    const common = ["nftables", "fail2ban", "python3-systemd", "unattended-upgrades", "nginx"];
    expect(machine(full).packages).toEqual([...common, "certbot", "podman"]);
    expect(machine(upstream).packages).toEqual([...common, "certbot"]);
    expect(machine(plain).packages).toEqual([...common, "podman"]);
  });

  describe("the host firewall", () => {
    const rules = (name: Scenario) => content(name, GATEWAY_PATHS.firewallRules);

    it("admits 80 and 443 from anywhere and 22 from the listed ranges only, per family, and drops the rest", () => {
      const text = rules(full);
      expect(text).toContain("type filter hook input priority filter; policy drop;");
      const opens = text
        .split("\n")
        .filter((l) => /dport/.test(l) && !l.trim().startsWith("#"))
        .map((l) => l.trim());
      expect(opens).toEqual([
        "ip6 saddr fe80::/10 udp dport 546 accept",
        "tcp dport { 80, 443 } accept",
        "ip saddr { 203.0.113.0/24, 198.51.100.7/32 } tcp dport 22 accept",
        "ip6 saddr { 2001:db8::/32 } tcp dport 22 accept",
      ]);
      expect(text).not.toMatch(/echo-request|icmp type/);
      expect(rules(upstream)).not.toContain("ip6 saddr { ");
      expect(rules(plain)).not.toMatch(/dport 22/);
    });

    it("is loaded at every boot before the network by its own unit, into its own table", () => {
      const unit = content(full, `/etc/systemd/system/${GATEWAY_UNITS.firewall}`);
      expect(unit).toContain(`\nExecStart=/usr/sbin/nft -f ${GATEWAY_PATHS.firewallRules}\n`);
      expect(unit).toContain("\nBefore=network-pre.target shutdown.target\n");
      expect(unit).toContain("\nWantedBy=sysinit.target\n");
      const statements = rules(full)
        .split("\n")
        .filter((l) => !l.trim().startsWith("#"));
      expect(statements.filter((l) => /flush|^table/.test(l))).toEqual(["table inet drover_gateway", "table inet drover_gateway {"]);
      expect(machine(full).runcmd).toContain(`systemctl enable --now ${GATEWAY_UNITS.firewall}`);
    });

    describe.runIf(hasTool("nft", "apt-get install nftables"))("checked by the real nft", () => {
      // Both need the netlink socket, which only root may open; neither touches this machine's rules.
      const root = process.getuid?.() === 0;
      const netns = root && spawnSync("unshare", ["-n", "true"]).status === 0;
      if (!root) console.warn("[skip] nft -c needs root (the netlink socket), so the gateway's ruleset is not checked here.");
      else if (!netns) console.warn("[skip] unshare -n is refused here, so the gateway's ruleset is checked by nft -c but not loaded and listed back.");

      it.runIf(root).each(Object.keys(SCENARIOS) as Scenario[])("%s: nft -c accepts the ruleset, loaded twice as at a restart", (name) => {
        const file = join(dir, `${name.replace(/\W+/g, "-")}.nft`);
        writeFileSync(file, rules(name) + rules(name));
        expect(runTool("nft", ["-c", "-f", file])).toBe("");
      });

      it.runIf(netns)("loaded into a scratch network namespace, nft lists exactly the intended input rules", () => {
        const file = join(dir, "listed.nft");
        writeFileSync(file, rules(full));
        const listed = runTool("unshare", ["-n", "sh", "-c", `nft -f ${file} && nft -f ${file} && nft list table inet drover_gateway`]);
        const chain = (n: string) =>
          /chain (\w+) \{\n([\s\S]*?)\n\t\}/g
            .exec(listed.slice(listed.indexOf(`chain ${n} {`)))![2]!
            .split("\n")
            .map((l) => l.trim());
        expect(chain("input")).toEqual([
          "type filter hook input priority filter; policy drop;",
          'iif "lo" accept',
          "ct state established,related accept",
          "ct state invalid drop",
          "icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept",
          "ip6 saddr fe80::/10 udp dport 546 accept",
          "tcp dport { 80, 443 } accept",
          "ip saddr { 198.51.100.7, 203.0.113.0/24 } tcp dport 22 accept",
          "ip6 saddr 2001:db8::/32 tcp dport 22 accept",
        ]);
        expect(chain("forward")).toEqual([
          "type filter hook forward priority filter; policy accept;",
          "ip daddr 169.254.169.254 counter packets 0 bytes 0 reject with icmpx admin-prohibited",
          "ip6 daddr fe80::a9fe:a9fe counter packets 0 bytes 0 reject with icmpx admin-prohibited",
        ]);
      });
    });
  });

  describe("SSH, fail2ban and updates", () => {
    it("turns off passwords, keyboard-interactive and root, three tries a connection, before cloud-init's drop-in", () => {
      expect(GATEWAY_PATHS.sshdDropIn < "/etc/ssh/sshd_config.d/50-cloud-init.conf").toBe(true);
      const settings = content(full, GATEWAY_PATHS.sshdDropIn)
        .split("\n")
        .filter((l) => l && !l.startsWith("#"));
      expect(settings).toEqual(["PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin no", "MaxAuthTries 3"]);
      expect(machine(full).runcmd).toContain("systemctl try-reload-or-restart ssh.service");
    });

    // sshd checks its privilege-separation directory even with -t; the package's service makes it (.ci/run too).
    const sshdReady =
      hasTool("sshd", "apt-get install openssh-server") && (existsSync("/run/sshd") || (console.warn("[skip] /run/sshd is missing, so sshd -t cannot run (mkdir -p /run/sshd as root)."), false));
    it.runIf(sshdReady)("sshd -t accepts the drop-in", () => {
      const file = join(dir, "sshd_config");
      writeFileSync(file, content(full, GATEWAY_PATHS.sshdDropIn));
      expect(runTool("sshd", ["-t", "-f", file])).toBe("");
    });

    it("jails sshd in fail2ban from the journal, written after the package so its first start does not read it", () => {
      const jail = fileAt(machine(full), GATEWAY_PATHS.fail2banJail);
      expect(jail).toMatchObject({ permissions: "0644", defer: true });
      expect(jail.content).toMatch(/^\[sshd\]\nenabled = true\nbackend = systemd\nbanaction = nftables-multiport\n/m);
      expect(machine(full).runcmd).toContain("systemctl restart fail2ban.service");
    });

    describe.runIf(hasTool("apt-config", "apt-get install apt"))("unattended-upgrades, read by the real apt-config", () => {
      // Ubuntu's 50unattended-upgrades lists the release pocket besides the security ones; ours comes after it.
      const ubuntuDefault = 'Unattended-Upgrade::Allowed-Origins { "${distro_id}:${distro_codename}"; "${distro_id}:${distro_codename}-security"; };\n';
      const dump = (name: Scenario) => {
        const file = join(dir, `${name.replace(/\W+/g, "-")}.apt.conf`);
        writeFileSync(file, ubuntuDefault + content(name, GATEWAY_PATHS.aptConf));
        return runTool("apt-config", ["-c", file, "dump"])
          .split("\n")
          .filter((l) => /^(Unattended-Upgrade::|APT::Periodic::)/.test(l));
      };
      const common = [
        'APT::Periodic::Update-Package-Lists "1";',
        'APT::Periodic::Unattended-Upgrade "1";',
        'Unattended-Upgrade::Allowed-Origins "";',
        'Unattended-Upgrade::Allowed-Origins:: "${distro_id}:${distro_codename}-security";',
        'Unattended-Upgrade::Allowed-Origins:: "${distro_id}ESMApps:${distro_codename}-apps-security";',
        'Unattended-Upgrade::Allowed-Origins:: "${distro_id}ESM:${distro_codename}-infra-security";',
      ];

      it("installs security updates daily and never reboots by default", () => {
        expect(dump(full)).toEqual([...common, 'Unattended-Upgrade::Automatic-Reboot "false";']);
      });

      it("reboots at automaticRebootTime when it is given", () => {
        expect(dump(upstream)).toEqual([...common, 'Unattended-Upgrade::Automatic-Reboot "true";', 'Unattended-Upgrade::Automatic-Reboot-Time "04:30";']);
      });
    });
  });

  describe("nginx and TLS", () => {
    it("places nginx's files after the packages, and starts on the bootstrap site with TLS, the site without", () => {
      const doc = machine(full);
      expect(fileAt(doc, GATEWAY_PATHS.httpConf)).toEqual({ path: "/etc/nginx/conf.d/drover-gateway.conf", content: nginx.httpConf, permissions: "0644", defer: true });
      expect(fileAt(doc, "/etc/nginx/sites-available/drover-gateway")).toMatchObject({ content: nginx.site, defer: true });
      expect(fileAt(doc, "/etc/nginx/sites-available/drover-gateway-bootstrap")).toMatchObject({ content: nginx.bootstrap, defer: true });
      expect(doc.runcmd.slice(-4, -1)).toEqual([
        "/usr/local/sbin/drover-gateway-site drover-gateway-bootstrap",
        `systemctl enable --now ${GATEWAY_UNITS.tlsTimer}`,
        `systemctl start --no-block ${GATEWAY_UNITS.tls}`,
      ]);
      const none = machine(plain);
      expect(fileAt(none, "/etc/nginx/sites-available/drover-gateway").content).toBe(nginx.bootstrap);
      expect(none.runcmd).toContain("/usr/local/sbin/drover-gateway-site drover-gateway");
      expect(none.write_files.map((f) => f.path).filter((p) => /letsencrypt|bootstrap|tls/.test(p))).toEqual([]);
      expect(none.runcmd.join("\n")).not.toMatch(/tls|bootstrap/);
    });

    it("renews with certbot's own timer and reloads nginx from a deploy hook", () => {
      const hook = fileAt(machine(full), GATEWAY_PATHS.deployHook);
      expect(hook.path).toBe("/etc/letsencrypt/renewal-hooks/deploy/drover-reload-nginx");
      expect(hook.permissions).toBe("0755");
      const run = runScript(hook.content, []);
      expect(run.status).toBe(0);
      expect(run.calls).toEqual(["systemctl reload nginx"]);
    });

    it("retries the certificate from an hourly timer after a failed run, for up to 45 minutes a run", () => {
      const doc = machine(full);
      expect(fileAt(doc, `/etc/systemd/system/${GATEWAY_UNITS.tlsTimer}`).content).toContain("\nOnBootSec=2min\nOnUnitInactiveSec=1h\n");
      expect(fileAt(doc, `/etc/systemd/system/${GATEWAY_UNITS.tls}`).content).toContain(`\nType=oneshot\nExecStart=${GATEWAY_PATHS.tlsProgram}\n`);
      const program = fileAt(doc, GATEWAY_PATHS.tlsProgram).content;
      expect(program).toContain(`fqdn="${FQDN}"\nemail="admin@example.org"\nwebroot="/var/www/letsencrypt"\ncertificate="/etc/letsencrypt/live/${FQDN}/fullchain.pem"\n`);
      expect(program).toContain('dns_wait="900"\nretry_delays="60 120 240"\n');
    });

    describe("the first boot, run with stand-ins for nginx, certbot, systemctl and DNS", () => {
      it("serves the bootstrap site, then, once a try gets the certificate, the full site, and turns the timer off", () => {
        const box = new Box();
        expect(box.site("drover-gateway-bootstrap").status).toBe(0);
        expect(box.enabled()).toEqual(["drover-gateway-bootstrap"]);

        const run = box.tls({ certbotFailures: 2 });
        expect(run.stdout).toContain(`drover-gateway-tls: ${FQDN} resolves to 149.165.158.10\n`);
        expect(run.stdout).toContain("try 2 failed");
        expect(run.status).toBe(0);
        expect(box.enabled()).toEqual(["drover-gateway"]);
        expect(readlinkSync(join(box.nginx, "sites-enabled/drover-gateway"))).toBe(join(box.nginx, "sites-available/drover-gateway"));
        const certbot = `certbot certonly --non-interactive --agree-tos --no-eff-email --email admin@example.org --webroot --webroot-path ${box.webroot} --cert-name ${FQDN} --domain ${FQDN} --keep-until-expiring`;
        expect(run.calls).toEqual([certbot, certbot, certbot, "nginx -t", "systemctl reload-or-restart nginx", `systemctl disable --now ${GATEWAY_UNITS.tlsTimer}`]);
      });

      it("keeps the bootstrap site and the timer when every try fails, within Let's Encrypt's five failures an hour", () => {
        const box = new Box();
        box.site("drover-gateway-bootstrap");
        const run = box.tls({ certbotFailures: 99 });
        expect(run.status).toBe(1);
        expect(run.calls.filter((c) => c.startsWith("certbot "))).toHaveLength(4);
        expect(run.calls.filter((c) => !c.startsWith("certbot "))).toEqual([]);
        expect(run.stdout).toContain(`no certificate after 4 tries: nginx keeps the bootstrap site (HTTP only); ${GATEWAY_UNITS.tlsTimer} tries again in an hour`);
        expect(box.enabled()).toEqual(["drover-gateway-bootstrap"]);
      });

      it("asks Let's Encrypt nothing while the name does not resolve", () => {
        const box = new Box();
        const run = box.tls({ certbotFailures: 0, dns: false });
        expect(run.status).toBe(1);
        expect(run.calls).toEqual([]);
        expect(run.stdout).toContain(`${FQDN} does not resolve after 0s: check its DNS record`);
      });

      it("switches at once when the certificate is there", () => {
        const box = new Box();
        box.site("drover-gateway-bootstrap");
        writeFileSync(box.certificate, "cert");
        const run = box.tls({ certbotFailures: 0 });
        expect(run.status).toBe(0);
        expect(run.calls.some((c) => c.startsWith("certbot "))).toBe(false);
        expect(box.enabled()).toEqual(["drover-gateway"]);
      });

      it("puts the sites back when nginx rejects the new one", () => {
        const box = new Box();
        box.site("drover-gateway-bootstrap");
        const run = box.site("drover-gateway", { nginxFails: true });
        expect(run.status).toBe(1);
        expect(run.stdout).toContain("nginx rejects the configuration with site drover-gateway: keeping the sites enabled before (drover-gateway-bootstrap)");
        expect(box.enabled()).toEqual(["drover-gateway-bootstrap"]);
        expect(run.calls).toEqual(["nginx -t"]);
      });
    });
  });

  describe("the container", () => {
    const unit = (name: Scenario) => content(name, `/etc/systemd/system/${GATEWAY_UNITS.app}`);
    const execStart = (name: Scenario) => /^ExecStart=([\s\S]*?[^\\])$/m.exec(unit(name))![1]!.split(/ \\\n\s*/);

    it("publishes on 127.0.0.1 only, pulls a newer image at start, restarts always and mounts the data volume", () => {
      const args = execStart(full);
      expect(args.filter((a) => /^--(name|pull|publish|env-file|stop-timeout|volume)=/.test(a))).toEqual([
        "--name=drover-gateway-app",
        "--pull=newer",
        "--publish=127.0.0.1:8000:8000",
        "--env-file=/etc/drover/gateway-app.env",
        "--stop-timeout=30",
        "--volume=/srv/data:/data",
      ]);
      expect([args[0], args.at(-1)]).toEqual(["/usr/bin/podman run", "ghcr.io/myorg/portal:1.4"]);
      expect(execStart(plain).filter((a) => /publish|volume|network|^-p/.test(a))).toEqual(["--publish=127.0.0.1:8080:8080"]);
      for (const line of ["Restart=always", "RestartSec=10s", "Type=notify", "TimeoutStopSec=60", "ExecStop=/usr/bin/podman stop --ignore --time=30 --cidfile=%t/%N.cid"]) {
        expect(unit(full).split("\n")).toContain(line);
      }
      expect(machine(full).runcmd.at(-1)).toBe(`systemctl enable --now --no-block ${GATEWAY_UNITS.app}`);
    });

    it("waits for the data volume, with the program Slurm nodes wait for their shares with", () => {
      expect(unit(full)).toContain(`\nExecStartPre=${GATEWAY_PATHS.waitProgram}\n`);
      expect(content(full, GATEWAY_PATHS.waitProgram)).toContain('paths="/srv/data"');
      expect(unit(plain)).not.toContain("ExecStartPre");
      expect(machine(plain).write_files.map((f) => f.path)).not.toContain(GATEWAY_PATHS.waitProgram);
    });

    it("reads its environment from a root-only file, references pasted verbatim for Terraform to fill", () => {
      const env = fileAt(machine(full), GATEWAY_PATHS.appEnv);
      expect(env.permissions).toBe("0600");
      expect(env.content.split("\n").slice(1)).toEqual(["DB_HOST=10.0.0.12", "DB_URL=postgres://10.0.0.12:5432/portal", "GREETING=it's #1: 100% ok, $HOME", ""]);
      expect(rendered[full]).toContain(`\n      DB_HOST=${DB_HOST}\n      DB_URL=postgres://${DB_HOST}:5432/portal\n`);
      // A literal block: whatever one-line value Terraform puts in stays one string.
      expect(rendered[full]).toMatch(/path: \/etc\/drover\/gateway-app\.env\n\s+content: \|/);
      expect(fileAt(machine(plain), GATEWAY_PATHS.appEnv).content).toMatch(/^# drover: [^\n]*\n$/);
    });

    it("runs nothing for an upstream application", () => {
      const doc = machine(upstream);
      expect(doc.write_files.map((f) => f.path).filter((p) => p.includes("gateway-app"))).toEqual([]);
      expect(doc.packages).not.toContain("podman");
    });
  });

  it("fits OpenStack's limit with every reference at its longest value, and refuses, with the size, what would not", () => {
    const bytes = Buffer.byteLength(deployText(rendered[full], { [DB_HOST]: "x".repeat(255) }));
    expect(bytes).toBeLessThan(USER_DATA_MAX_BYTES);
    const env = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`VAR_${i}`, DB_HOST]));
    expect(() => renderGatewayCloudInit({ ...SCENARIOS[full], app: { ...SCENARIOS[full].app, env } })).toThrow(
      new RegExp(`^the user data of gateway ${FQDN.replace(/\./g, "\\.")} takes up to \\d+ bytes, more than the 49149 OpenStack accepts: shorten 'app.env' or the nginx files$`),
    );
  });

  it("is the same text for the same input", () => {
    expect(renderGatewayCloudInit(SCENARIOS[full])).toBe(rendered[full]);
  });

  describe.runIf(hasTool("cloud-init", "apt-get install cloud-init"))("checked by the real cloud-init", () => {
    it.each(Object.keys(SCENARIOS) as Scenario[])("%s passes cloud-init schema", (name) => {
      const file = join(dir, `${name.replace(/\W+/g, "-")}.yaml`);
      writeFileSync(file, deployText(rendered[name], VALUES));
      expect(runTool("cloud-init", ["schema", "--config-file", file])).toContain("Valid");
    });
  });

  describe.runIf(hasTool("shellcheck", "apt-get install shellcheck"))("checked by the real shellcheck", () => {
    const scripts = (Object.keys(SCENARIOS) as Scenario[]).flatMap((name) =>
      machine(name)
        .write_files.filter((f) => f.content.startsWith("#!"))
        .map((f) => [`${name}: ${f.path}`, f.content] as const),
    );
    it("finds every script", () => {
      expect(new Set(scripts.map(([label]) => label.split(": ")[1]))).toEqual(
        new Set(["/usr/local/sbin/drover-volumes", GATEWAY_PATHS.siteProgram, GATEWAY_PATHS.tlsProgram, GATEWAY_PATHS.deployHook, GATEWAY_PATHS.waitProgram]),
      );
    });
    it.each(scripts)("%s passes shellcheck", (label, text) => {
      const at = join(dir, label.replace(/\W+/g, "-"));
      mkdirSync(at, { recursive: true });
      writeFileSync(join(at, "script"), text);
      expect(runTool("shellcheck", ["--severity=style", "-x", "--source-path=SCRIPTDIR", join(at, "script")])).toBe("");
    });
  });

  describe.runIf(hasTool("systemd-analyze", "apt-get install systemd"))("units checked by the real systemd-analyze verify", () => {
    // Against a scratch root: this machine's own units (for the targets ours name) and stand-ins for
    // the programs ours start, which need not be installed here.
    const units = (Object.keys(SCENARIOS) as Scenario[]).flatMap((name) =>
      machine(name)
        .write_files.filter((f) => f.path.startsWith("/etc/systemd/system/"))
        .map((f) => [name, f] as const),
    );
    const roots = new Map<Scenario, string>();
    const rootOf = (name: Scenario): string => {
      let root = roots.get(name);
      if (root) return root;
      root = mkdtempSync(join(dir, "root-"));
      cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
      for (const w of machine(name).write_files) {
        mkdirSync(join(root, dirname(w.path)), { recursive: true });
        writeFileSync(join(root, w.path), w.content, { mode: Number.parseInt(w.permissions, 8) });
      }
      for (const program of ["/usr/bin/podman", "/usr/sbin/nft"]) stub(root, program);
      roots.set(name, root);
      return root;
    };
    it.each(units.map(([name, f]) => [`${name}: ${f.path.split("/").at(-1)}`, name, f] as const))("%s", (_, name, f) => {
      const root = rootOf(name);
      const unit = f.path.split("/").at(-1)!;
      const run = spawnSync("systemd-analyze", ["verify", `--root=${root}`, unit], { encoding: "utf8" });
      expect({ unit, status: run.status, output: run.stdout + run.stderr }).toEqual({ unit, status: 0, output: "" });
    });
  });

  describe.runIf(hasTool("terraform", "see README: terraform or tofu on PATH"))("through the real Terraform", () => {
    it("comes out of Terraform as the text the tests deploy: escapes undone, the reference filled", () => {
      const ref = "${local.db_host}";
      const input = { ...SCENARIOS[full], app: { ...SCENARIOS[full].app, env: { DB_HOST: ref } } };
      const text = renderGatewayCloudInit(input);
      const tf = new TerraformDir().write({ locals: { db_host: "10.0.0.12" }, output: { user_data: { value: asSynthesized(text, [ref]) } } });
      const out = JSON.parse(tf.init().apply().run("output", "-json")) as { user_data: { value: string } };
      expect(out.user_data.value).toBe(deployText(text, { [ref]: "10.0.0.12" }));
      expect(out.user_data.value).toContain('"${distro_id}:${distro_codename}-security";');
    });
  });
});

describe("checkGatewayCloudInitInput", () => {
  const good = SCENARIOS[full];
  const cases: Array<[string, Partial<GatewayCloudInitInput>, Array<{ code: string; message: string }>]> = [
    ["a good input", {}, []],
    [
      "a URL for a name, a bad account and e-mail",
      { fqdn: "https://portal.example.org", loginUser: "Ubuntu", letsEncryptEmail: "me at example.org" },
      [
        {
          code: "gateway.fqdn",
          message: `'fqdn' ("https://portal.example.org") must be a DNS name of two or more labels (lower-case letters, digits and '-'), e.g. "portal.myalloc.projects.jetstream-cloud.org"`,
        },
        { code: "gateway.login-user", message: `'loginUser' ("Ubuntu") must be an account name: lower-case letters, digits, '_' and '-', at most 32, e.g. "ubuntu"` },
        {
          code: "gateway.email",
          message: `'letsEncryptEmail' ("me at example.org") must be an e-mail address of letters, digits and . _ + - (Let's Encrypt writes there before the certificate expires)`,
        },
      ],
    ],
    [
      "TLS without the bootstrap site, and an empty site",
      { nginx: { httpConf: nginx.httpConf, site: " " } },
      [
        {
          code: "gateway.nginx-bootstrap",
          message: `'nginx.bootstrap' is missing: with 'letsEncryptEmail' nginx serves the bootstrap site until the certificate exists; pass renderNginxSite(...).bootstrap`,
        },
        { code: "gateway.nginx-empty", message: `'nginx.site' is empty: pass the text renderNginxSite(...).site gives` },
      ],
    ],
    [
      "a bootstrap site without TLS",
      { letsEncryptEmail: undefined },
      [
        {
          code: "gateway.nginx-bootstrap",
          message: `'nginx.bootstrap' is given without 'letsEncryptEmail': without TLS nginx serves 'nginx.site' over HTTP at once; leave 'nginx.bootstrap' out, or set 'letsEncryptEmail'`,
        },
      ],
    ],
    [
      "SSH ranges: host bits, not a range, twice",
      { sshAllowedCidrs: ["203.0.113.5/24", "example.org", "203.0.113.0/24", "203.0.113.0/24"] },
      [
        { code: "gateway.bad-cidr", message: `'sshAllowedCidrs[0]' ("203.0.113.5/24") has host bits set: did you mean "203.0.113.0/24"?` },
        { code: "gateway.bad-cidr", message: `'sshAllowedCidrs[1]' ("example.org") is not an address range: write one in CIDR notation, e.g. 203.0.113.0/24` },
        { code: "gateway.duplicate-cidr", message: `'sshAllowedCidrs[3]' ("203.0.113.0/24") is listed twice: remove one` },
      ],
    ],
    [
      "a short image name, nginx's port, bad variables, a system directory",
      {
        app: { ...good.app, image: "nginx", port: 443, env: { "1X": "a", QUOTED: '"a b"', LINES: "a\nb", EXPR: "${var.a + 1}", ESCAPED: `$${DB_HOST}` }, dataMountPath: "/data" },
        dataVolume: { mountPath: "/etc" },
      },
      [
        { code: "gateway.mount-path", message: `'dataVolume.mountPath' ("/etc") would hide a system directory: use a path under /srv, /data, /mnt or /media` },
        { code: "gateway.app-port", message: `'app.port' (443) must be a whole number from 1 to 65535 other than 22, 80 and 443, which sshd and nginx listen on: e.g. 8000` },
        {
          code: "gateway.image",
          message: `'app.image' ("nginx") must be an image name with its registry, in lower case, with an optional :tag or @sha256 digest, e.g. "docker.io/library/nginx:1.27" or "ghcr.io/myorg/portal:1.4": podman on Ubuntu does not guess a registry`,
        },
        { code: "gateway.env-name", message: `'app.env' name "1X" must be letters, digits and '_', not starting with a digit` },
        { code: "gateway.env-value", message: `'app.env.QUOTED' ("\\"a b\\"") starts with a quote or a blank: podman reads the rest of the line as the value, so write the value without quotes` },
        { code: "gateway.env-value", message: `'app.env.LINES' holds a line break: podman's env file takes one line a variable; pass a file on the data volume instead` },
      ],
    ],
    [
      "a data mount path without a volume, and a bad reboot time",
      { dataVolume: undefined, automaticRebootTime: "4am" },
      [
        { code: "gateway.data-without-volume", message: `'app.dataMountPath' ("/data") needs a data volume to mount: give 'dataVolume', or leave 'app.dataMountPath' out` },
        { code: "gateway.reboot-time", message: `'automaticRebootTime' ("4am") must be a time of day as HH:MM, e.g. "04:00"` },
      ],
    ],
  ];

  it.each(cases)("%s", (_, change, problems) => {
    expect(checkGatewayCloudInitInput({ ...good, ...change } as GatewayCloudInitInput)).toEqual(problems);
  });

  it("makes renderGatewayCloudInit refuse the input, listing every problem", () => {
    expect(() => renderGatewayCloudInit({ ...good, fqdn: "portal", app: { kind: "upstream", port: 80 } })).toThrow(
      /^gateway input has problems:\n {2}gateway\.fqdn: 'fqdn' \("portal"\) .*\n {2}gateway\.app-port: 'app\.port' \(80\) /,
    );
  });
});

/** An executable stand-in that records how it was called. */
function stub(root: string, program: string, body = ""): void {
  const path = join(root, program);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

type Run = { status: number | null; stdout: string; calls: string[] };
let scripts = 0;

/** Runs a script in a scratch directory with the stand-ins on PATH; returns what it called. */
function runScript(text: string, args: string[], at = mkdtempSync(join(dir, "run-"))): Run {
  const bin = join(at, "bin");
  const calls = join(at, "calls");
  const record = `echo "$(basename "$0") $*" >>"${calls}"`;
  stub(bin, "systemctl", record);
  stub(bin, "nginx", `${record}\n[ ! -e "${at}/nginx-fails" ]`);
  stub(bin, "getent", `[ ! -e "${at}/no-dns" ] && echo "149.165.158.10   STREAM $2"`);
  // Fails as many times as the file "certbot-failures" says, then writes the certificate.
  stub(
    bin,
    "certbot",
    `${record}\nn=$(cat "${at}/certbot-failures")\nif [ "$n" -gt 0 ]; then echo $((n - 1)) >"${at}/certbot-failures"; exit 1; fi\nmkdir -p "$(dirname "${at}/live/fullchain.pem")" && echo cert >"${at}/live/fullchain.pem"`,
  );
  const script = join(at, `script-${scripts++}`);
  writeFileSync(script, text);
  chmodSync(script, 0o755);
  const run = spawnSync(script, args, { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  const out = { status: run.status, stdout: run.stdout + run.stderr, calls: existsSync(calls) ? readFileSync(calls, "utf8").trim().split("\n").filter(Boolean) : [] };
  writeFileSync(calls, "");
  return out;
}

/** The gateway's nginx directory and certificate in a scratch tree, and its scripts pointed at them. */
class Box {
  readonly at = mkdtempSync(join(dir, "box-"));
  readonly nginx = join(this.at, "nginx");
  readonly webroot = join(this.at, "webroot");
  readonly certificate = join(this.at, "live/fullchain.pem");
  private readonly siteProgram = join(this.at, "drover-gateway-site");

  constructor() {
    for (const site of ["default", "drover-gateway", "drover-gateway-bootstrap"]) {
      mkdirSync(join(this.nginx, "sites-available"), { recursive: true });
      writeFileSync(join(this.nginx, "sites-available", site), `# ${site}\n`);
    }
    mkdirSync(join(this.nginx, "sites-enabled"));
    symlinkSync(join(this.nginx, "sites-available/default"), join(this.nginx, "sites-enabled/default"));
    mkdirSync(dirname(this.certificate));
    const program = setVar(content(full, GATEWAY_PATHS.siteProgram), "nginx_dir", this.nginx);
    writeFileSync(this.siteProgram, program);
    chmodSync(this.siteProgram, 0o755);
  }

  enabled(): string[] {
    return readdirSync(join(this.nginx, "sites-enabled")).sort();
  }

  site(name: string, options: { nginxFails?: boolean } = {}): Run {
    if (options.nginxFails) writeFileSync(join(this.at, "nginx-fails"), "");
    return runScript(readFileSync(this.siteProgram, "utf8"), [name], this.at);
  }

  tls(options: { certbotFailures: number; dns?: boolean }): Run {
    writeFileSync(join(this.at, "certbot-failures"), String(options.certbotFailures));
    if (options.dns === false) writeFileSync(join(this.at, "no-dns"), "");
    let program = content(full, GATEWAY_PATHS.tlsProgram);
    for (const [name, value] of Object.entries({ certificate: this.certificate, webroot: this.webroot, site_program: this.siteProgram, dns_wait: "0", retry_delays: "0 0 0" })) {
      program = setVar(program, name, value);
    }
    return runScript(program, [], this.at);
  }
}

/** The script with one of its settings (`name="..."` at the top) changed. */
function setVar(script: string, name: string, value: string): string {
  const line = new RegExp(`^${name}=".*"$`, "m");
  if (!line.test(script)) throw new Error(`the script sets no ${name}`);
  return script.replace(line, `${name}="${value}"`);
}
