import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { must, run, sleep } from "./host.ts";
import type { FromServices, ServicesConfig, ToServices } from "./services.ts";
import type { RunState } from "./state.ts";

/**
 * A lab network: a network namespace of its own holding one bridge, on which every machine of a
 * scenario sits at the address its stack gives it. The bridge answers at each subnet's gateway
 * address (the router's, on OpenStack), at the metadata service's 169.254.169.254 and at the
 * package proxy's door 169.254.169.253. Floating IPs are the router's NAT, as on OpenStack:
 * a packet to one is sent on to the machine's fixed address. Nothing routes out of the
 * namespace: the proxy's door is the only way out, and it only fetches Debian packages.
 */
export const METADATA_ADDRESS = "169.254.169.254";
export const PROXY_ADDRESS = "169.254.169.253";
export const PROXY_PORT = 3142;
export const BRIDGE = "lab0";

export interface NetworkSpec {
  readonly name: string;
  readonly subnets: ReadonlyArray<{ readonly cidr: string; readonly gateway: string; readonly prefix: number }>;
  readonly publicRange: string;
  /** Names the lab's DNS server answers (nothing else resolves in the lab). */
  readonly hosts: ReadonlyArray<{ readonly name: string; readonly address: string }>;
}

export class LabNetwork {
  private services?: ChildProcess;
  private dnsmasq?: ChildProcess;
  private readonly listeners = new Set<(m: FromServices) => void>();

  private constructor(
    readonly spec: NetworkSpec,
    readonly namespace: string,
    private readonly dir: string,
    private readonly state: RunState,
  ) {}

  /** `nsenter` arguments that run a command inside the lab network (and nothing else changed). */
  get enter(): string[] {
    return ["nsenter", `--net=/run/netns/${this.namespace}`, "--"];
  }

  static async create(spec: NetworkSpec, dir: string, state: RunState): Promise<LabNetwork> {
    const net = new LabNetwork(spec, spec.name, dir, state);
    try {
      await net.setUp();
    } catch (e) {
      await net.tearDown();
      throw e;
    }
    return net;
  }

  private async ip(...args: string[]): Promise<void> {
    await must("ip", ["-n", this.namespace, ...args]);
  }

  private async setUp(): Promise<void> {
    await this.state.update((r) => r.namespaces.push(this.namespace));
    await must("ip", ["netns", "add", this.namespace]);
    await this.ip("link", "set", "lo", "up");
    await this.ip("link", "add", BRIDGE, "type", "bridge");
    await this.ip("link", "set", BRIDGE, "up");
    for (const s of this.spec.subnets) await this.ip("addr", "add", `${s.gateway}/${s.prefix}`, "dev", BRIDGE);
    for (const a of [METADATA_ADDRESS, PROXY_ADDRESS]) await this.ip("addr", "add", `${a}/32`, "dev", BRIDGE);
    // The "outside" the floating IPs are reached from is this namespace itself.
    await this.ip("route", "add", this.spec.publicRange, "dev", BRIDGE);
    await must("ip", ["netns", "exec", this.namespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
    await this.writeHosts();
    const log = await open(join(this.dir, `dnsmasq-${this.namespace}.log`), "a");
    this.dnsmasq = spawn(
      "nsenter",
      [
        `--net=/run/netns/${this.namespace}`,
        "--",
        "dnsmasq",
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        "--no-resolv",
        "--no-hosts",
        "--no-poll",
        `--addn-hosts=${this.hostsFile}`,
        ...this.spec.subnets.map((s) => `--listen-address=${s.gateway}`),
        "--bind-interfaces",
        "--user=root",
        "--group=root",
        "--pid-file",
        "--log-queries",
        "--log-facility=-",
      ],
      { stdio: ["ignore", log.fd, log.fd], detached: true },
    );
    this.dnsmasq.on("exit", () => void log.close());
    const dnsmasqPid = this.dnsmasq.pid;
    if (dnsmasqPid !== undefined) await this.state.update((r) => r.processes.push(dnsmasqPid));
  }

  /**
   * The router's NAT for floating IPs: a packet to one (from this namespace, the "outside", or
   * from a machine) goes on to the machine's fixed address.
   */
  async setFloatingIps(floatingIps: ReadonlyArray<{ readonly public: string; readonly fixed: string }>): Promise<void> {
    if (floatingIps.length === 0) return;
    const dnat = floatingIps.map((f) => `ip daddr ${f.public} dnat to ${f.fixed}`).join("\n    ");
    const ruleset = `table ip drover_lab {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ${dnat}
  }
  chain output {
    type nat hook output priority -100; policy accept;
    ${dnat}
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    # A machine reaching another's floating IP (hairpin) sees the router as the client.
    ct status dnat ip saddr { ${this.spec.subnets.map((s) => networkOf(s.gateway, s.prefix)).join(", ")} } masquerade
  }
}
`;
    await must("ip", ["netns", "exec", this.namespace, "nft", "-f", "-"], { input: ruleset });
  }

  private get hostsFile(): string {
    return join(this.dir, `hosts-${this.namespace}`);
  }

  private async writeHosts(): Promise<void> {
    await writeFile(this.hostsFile, this.spec.hosts.map((h) => `${h.address} ${h.name}`).join("\n") + "\n");
  }

  /** Adds names to the lab's DNS (dnsmasq reads its hosts file again on SIGHUP). */
  async addHosts(hosts: ReadonlyArray<{ name: string; address: string }>): Promise<void> {
    (this.spec.hosts as Array<{ name: string; address: string }>).push(...hosts);
    await this.writeHosts();
    this.dnsmasq?.kill("SIGHUP");
  }

  /** Starts the lab's services inside the namespace (see services.ts) and waits until they listen. */
  async startServices(config: ServicesConfig, onMessage: (m: FromServices) => void): Promise<{ authUrl?: string }> {
    const entry = fileURLToPath(new URL("./services.ts", import.meta.url));
    const log = await open(join(this.dir, `services-${this.namespace}.log`), "a");
    const child = spawn("nsenter", [`--net=/run/netns/${this.namespace}`, "--", process.execPath, "--import", "tsx", entry], {
      stdio: ["ignore", log.fd, log.fd, "ipc"],
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      detached: true,
    });
    this.services = child;
    const pid = child.pid;
    if (pid !== undefined) await this.state.update((r) => r.processes.push(pid));
    child.on("exit", () => void log.close());
    this.listeners.add(onMessage);
    child.on("message", (m) => {
      for (const l of this.listeners) l(m as FromServices);
    });
    const ready = new Promise<{ authUrl?: string }>((resolve, reject) => {
      const listener = (m: FromServices) => {
        if (m.type === "ready") {
          this.listeners.delete(listener);
          resolve(m.authUrl ? { authUrl: m.authUrl } : {});
        } else if (m.type === "error") {
          this.listeners.delete(listener);
          reject(new Error(`the lab network's services did not start: ${m.message}`));
        }
      };
      this.listeners.add(listener);
      child.once("exit", (code) => reject(new Error(`the lab network's services exited (code ${code}); see ${join(this.dir, `services-${this.namespace}.log`)}`)));
    });
    child.send({ type: "config", config } satisfies ToServices);
    return ready;
  }

  send(message: ToServices): void {
    this.services?.send(message);
  }

  /** Asks the services something and waits for the answer of that type. */
  ask<T extends FromServices["type"]>(message: ToServices, type: T): Promise<Extract<FromServices, { type: T }>> {
    return new Promise((resolve) => {
      const listener = (m: FromServices) => {
        if (m.type === type) {
          this.listeners.delete(listener);
          resolve(m as Extract<FromServices, { type: T }>);
        }
      };
      this.listeners.add(listener);
      this.send(message);
    });
  }

  /** Runs a command inside the lab network (from the "outside" of the machines: the router). */
  exec(cmd: string, args: readonly string[], options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
    return run("nsenter", [`--net=/run/netns/${this.namespace}`, "--", cmd, ...args], options);
  }

  async tearDown(): Promise<void> {
    for (const child of [this.services, this.dnsmasq]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        for (let i = 0; i < 30 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    }
    if (existsSync(`/run/netns/${this.namespace}`)) await run("ip", ["netns", "delete", this.namespace]);
  }
}

/** The network address of `address/prefix`, e.g. 10.42.0.1/16 → 10.42.0.0/16. */
export function networkOf(address: string, prefix: number): string {
  const n = address.split(".").reduce((v, p) => v * 256 + Number(p), 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (base >>> s) & 255).join(".")}/${prefix}`;
}
