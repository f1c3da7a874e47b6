import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sleep } from "./host.ts";
import { Machine, type MachineSpec } from "./machine.ts";
import { LabNetwork, METADATA_ADDRESS, PROXY_ADDRESS, PROXY_PORT } from "./network.ts";
import { NfsStandIn } from "./nfs.ts";
import type { CheckResult, ScenarioReport } from "./report.ts";
import type { FromServices } from "./services.ts";
import { loadLabStack, type LabMachine, type LabStack } from "./stack.ts";
import type { Plan } from "../lib/plan/model.ts";
import { offlinePlan } from "../lib/plan/offline.ts";
import { builtinProviders } from "../lib/schema/registry.ts";
import { serviceCatalog } from "./standin/openstack.ts";
import type { RunState } from "./state.ts";
import type { StackConfig } from "./fill.ts";
import { firstHost } from "./values.ts";

/** What every scenario of a run shares: the image, the proxy, the keys, the synthesized stacks. */
export interface LabContext {
  readonly runId: string;
  readonly runDir: string;
  readonly image: string;
  readonly aptSocket: string;
  readonly terraform: string;
  readonly state: RunState;
  readonly keep: boolean;
  /** Private key files of the lab's people (their public halves are in the stacks). */
  readonly keys: { readonly alice: string; readonly bob: string; readonly admin: string };
  /** Synthesized stacks by name: their output directory. */
  readonly stacks: ReadonlyMap<string, string>;
  /** The same stacks as changed on day 2 (lab/app/stacks, `DROVER_LAB_DAY=2`). */
  readonly stacksDayTwo: ReadonlyMap<string, string>;
  readonly signal: AbortSignal;
  progress(message: string): void;
}

export interface ScenarioDefinition {
  readonly name: string;
  /** The lab app's stack this scenario boots. */
  readonly stack: string;
  readonly summary: string;
  /** What this scenario substitutes, whatever happens in it. */
  readonly substitutions: readonly string[];
  /**
   * A first boot that cannot succeed here, and how it is expected to fail: cloud-init's errors
   * match `errors` and its output log `output` (say, a download from a host the lab cannot
   * reach). The first-boot check then passes only when that is the whole failure.
   */
  readonly firstBoot?: { readonly errors: RegExp; readonly output: RegExp; readonly why: string };
  /** Files to add to a machine's disk before it boots (a test CA, say). */
  machineFiles?(run: ScenarioRun, machine: LabMachine): MachineSpec["files"];
  /** Prepares what the machines need from the lab before they boot (an ACME server, say). */
  before?(run: ScenarioRun): Promise<void>;
  /** The scenario's own checks, after every machine's first boot was checked. */
  exercise(run: ScenarioRun): Promise<void>;
  /** Stops what `before` started. */
  after?(run: ScenarioRun): Promise<void>;
}

/** A check's failure: what it observed, and the logs that explain it. */
export class CheckFailure extends Error {
  constructor(
    readonly observed: string,
    readonly evidence?: string,
  ) {
    super(observed);
  }
}

export class LabAborted extends Error {
  constructor() {
    super("the lab was interrupted");
  }
}

/** The floating IPs the lab hands out: TEST-NET-2, a documentation range that is never routed. */
export const PUBLIC_RANGE = "198.51.100.0/24";
/** The stand-in OpenStack's port on the first subnet's gateway. */
const CLOUD_PORT = 5000;

/** One scenario's run: its stack, network, machines and checks. */
export class ScenarioRun {
  readonly checks: CheckResult[] = [];
  readonly substitutions: string[] = [];
  readonly machines = new Map<string, Machine>();
  stack!: LabStack;
  network!: LabNetwork;
  /** Raw synthesized configuration (`cdk.tf.json`). */
  config!: StackConfig;
  stackDir!: string;
  private nextHandle = 0;
  private readonly started = Date.now();
  /** Machines the stand-in cloud asked for and the lab is still booting or stopping. */
  private readonly pending = new Set<Promise<unknown>>();
  private nfs?: NfsStandIn;
  private nfsLoop?: ReturnType<typeof setInterval>;
  private nfsBusy = false;
  /** Per-scenario values scenarios keep between steps. */
  readonly memo = new Map<string, unknown>();
  readonly events: string[] = [];

  constructor(
    readonly def: ScenarioDefinition,
    readonly lab: LabContext,
  ) {
    this.substitutions.push(...def.substitutions);
  }

  get name(): string {
    return this.def.name;
  }

  progress(message: string): void {
    this.lab.progress(`${this.def.name}: ${message}`);
  }

  private throwIfAborted(): void {
    if (this.lab.signal.aborted) throw new LabAborted();
  }

  /** Sleeps, unless the lab is interrupted. */
  async pause(ms: number): Promise<void> {
    this.throwIfAborted();
    await sleep(ms);
    this.throwIfAborted();
  }

  /** Polls `probe` until it returns a value (not undefined) or the time runs out (then undefined). */
  async poll<T>(timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 2000): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) return undefined;
      await this.pause(intervalMs);
    }
  }

  /** Runs one check: `body` returns what it observed, or throws a CheckFailure (or any error). */
  async check(name: string, body: () => Promise<string>): Promise<boolean> {
    this.throwIfAborted();
    const started = Date.now();
    let result: CheckResult;
    try {
      const observed = await body();
      result = { scenario: this.name, name, passed: true, observed, seconds: (Date.now() - started) / 1000 };
    } catch (e) {
      if (e instanceof LabAborted) throw e;
      const failure = e instanceof CheckFailure ? e : new CheckFailure(e instanceof Error ? e.message : String(e));
      result = { scenario: this.name, name, passed: false, observed: failure.observed, ...(failure.evidence ? { evidence: failure.evidence } : {}), seconds: (Date.now() - started) / 1000 };
    }
    this.checks.push(result);
    this.progress(`${result.passed ? "✓" : "✗"} ${name}${result.passed ? "" : `: ${result.observed.split("\n")[0]}`}`);
    return result.passed;
  }

  machine(name: string): Machine {
    const m = this.machines.get(name);
    if (!m) throw new CheckFailure(`no machine named ${name} in the lab (machines: ${[...this.machines.keys()].join(", ")})`);
    return m;
  }

  /** The logs that explain a machine's failure: cloud-init's status and output, failed units. */
  async evidence(m: Machine, units: readonly string[] = []): Promise<string> {
    const parts: string[] = [];
    const status = await m.exec(["cloud-init", "status", "--long"]);
    parts.push(`[${m.spec.name}] cloud-init status --long`, (status.stdout || status.stderr).trim());
    const failed = await m.exec(["systemctl", "--failed", "--no-legend", "--plain"]);
    if (failed.stdout.trim()) parts.push(`[${m.spec.name}] failed units`, failed.stdout.trim());
    parts.push(`[${m.spec.name}] end of /var/log/cloud-init-output.log`, await m.cloudInitOutput(30));
    for (const u of units) parts.push(`[${m.spec.name}] journalctl -u ${u}`, await m.journal(u, 20));
    return parts.join("\n");
  }

  /** Creates the network, fills in and loads the stack, starts the lab's services and boots every machine. */
  async setUp(): Promise<void> {
    const dir = this.lab.stacks.get(this.def.stack);
    if (!dir) throw new Error(`the lab app has no stack ${this.def.stack}`);
    this.stackDir = dir;
    const configPath = join(dir, "cdk.tf.json");
    this.config = JSON.parse(await readFile(configPath, "utf8")) as StackConfig;
    const subnets = Object.values(this.config.resource?.openstack_networking_subnet_v2 ?? {}).map((s) => {
      const cidr = String(s.cidr);
      return { cidr, prefix: Number(cidr.split("/")[1]), gateway: typeof s.gateway_ip === "string" ? s.gateway_ip : firstHost(cidr) };
    });
    if (subnets.length === 0) throw new Error(`${this.def.stack} creates no subnet: the lab boots machines on a stack's own network`);
    const namespace = `drover-lab-${this.lab.runId}-${this.def.name}`.slice(0, 40);
    this.progress(`network ${namespace}: ${subnets.map((s) => `${s.cidr} (gateway ${s.gateway})`).join(", ")}`);
    this.network = await LabNetwork.create({ name: namespace, subnets, publicRange: PUBLIC_RANGE, hosts: [] }, this.lab.runDir, this.lab.state);

    const cloudBase = `http://${subnets[0]!.gateway}:${CLOUD_PORT}`;
    const credential = { id: randomBytes(16).toString("hex"), secret: `lab-${randomBytes(24).toString("base64url")}` };
    this.progress("filling in what terraform would (real terraform evaluates the templates)");
    this.stack = await loadLabStack(
      this.def.stack,
      configPath,
      this.lab.terraform,
      this.lab.runDir,
      { catalog: serviceCatalog(cloudBase, "IU"), region: "IU", projectId: randomBytes(16).toString("hex"), credential },
      { publicRange: PUBLIC_RANGE },
    );
    await this.network.setFloatingIps(this.stack.machines.flatMap((m) => (m.publicAddress ? [{ public: m.publicAddress, fixed: m.address }] : [])));
    await this.network.addHosts(this.stack.dns.flatMap((d) => d.addresses.map((address) => ({ name: d.name, address }))));

    const first = this.stack.subnets[0]!;
    await this.network.startServices(
      {
        keep: this.lab.keep,
        relays: [{ host: PROXY_ADDRESS, port: PROXY_PORT, socket: this.lab.aptSocket }],
        metadataAddress: METADATA_ADDRESS,
        ...(this.stack.credential
          ? {
              cloud: {
                host: first.gateway,
                port: CLOUD_PORT,
                region: "IU",
                subnetCidr: first.cidr,
                imageName: this.stack.machines[0]?.image ?? "Featured-Ubuntu24",
                ids: { network: first.networkId, subnet: first.id, securityGroup: Object.values(this.stack.securityGroupIds)[0] ?? "" },
                securityGroups: Object.fromEntries(Object.entries(this.stack.securityGroupIds).map(([name, id]) => [id, name])),
                credential: { id: this.stack.credential.id, secret: this.stack.credential.secret },
                accessRules: this.stack.credential.accessRules,
              },
            }
          : {}),
      },
      (m) => this.onServices(m),
    );
    await this.def.before?.(this);

    this.progress(`booting ${this.stack.machines.length} machine(s): ${this.stack.machines.map((m) => `${m.name} ${m.address}`).join(", ")}`);
    await Promise.all(this.stack.machines.map((m) => this.boot(this.specOf(m))));
    this.nfs = new NfsStandIn(join(this.lab.runDir, "nfs", this.def.name), this.lab.state);
    this.nfsLoop = setInterval(() => {
      if (this.nfsBusy) return;
      this.nfsBusy = true;
      this.nfs!.sync([...this.machines.values()])
        .catch((e: unknown) => this.progress(`NFS stand-in: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => (this.nfsBusy = false));
    }, 2000);
    await Promise.all(
      [...this.machines.values()].map((m) =>
        this.check(`${m.spec.name}: cloud-init finishes its first boot ${this.def.firstBoot ? "up to what cannot run here" : "without error"}`, async () => {
          const r = await m.waitForCloudInit(15 * 60_000);
          const expected = this.def.firstBoot;
          if (r.done && r.errors.length > 0 && expected && r.errors.every((e) => expected.errors.test(e)) && expected.output.test(await m.cloudInitOutput(200))) {
            return `finished in ${r.seconds.toFixed(0)} s after boot; as expected, ${expected.why}`;
          }
          if (!r.done || r.errors.length > 0) throw new CheckFailure(r.errors.join("\n") || "cloud-init did not finish", await this.evidence(m));
          if (expected) throw new CheckFailure(`cloud-init finished without the failure the lab expects here (${expected.why}): is the lab network leaking?`);
          return `finished in ${r.seconds.toFixed(0)} s after boot`;
        }),
      ),
    );
  }

  specOf(m: LabMachine): MachineSpec {
    return {
      name: m.name,
      id: m.id,
      address: m.address,
      prefix: m.subnet.prefix,
      gateway: m.subnet.gateway,
      nameservers: [m.subnet.gateway],
      userData: m.userData,
      metadata: m.metadata,
      publicKeys: m.publicKeys,
      volumes: m.volumes,
      files: this.def.machineFiles?.(this, m) ?? [],
    };
  }

  /** Boots a machine: its disk, its metadata at the metadata service, then systemd. */
  async boot(spec: MachineSpec): Promise<Machine> {
    const handle = `dl${this.lab.runId.slice(0, 4)}${this.def.name.slice(0, 2)}${this.nextHandle++}`;
    const machine = new Machine(spec, handle, this.lab.image, this.lab.runDir, this.network, join(this.lab.runDir, "volumes"), this.lab.state);
    this.machines.set(spec.name, machine);
    this.publishMetadata(spec);
    await machine.prepare();
    await machine.start();
    await this.lab.state.update((r) => {
      r.machines[spec.name] = { handle, nspawn: machine.nspawnPid ?? 0, scenario: this.def.name, address: spec.address };
    });
    return machine;
  }

  /** What the metadata service answers the machine (updated in place on day 2, as Nova does). */
  publishMetadata(spec: MachineSpec): void {
    this.network.send({
      type: "metadata",
      address: spec.address,
      document: {
        uuid: spec.id,
        name: spec.name,
        hostname: spec.name,
        meta: spec.metadata,
        public_keys: Object.fromEntries(spec.publicKeys.map((k, i) => [`key-${i}`, k])),
        availability_zone: "nova",
        launch_index: 0,
        project_id: "lab",
      },
    });
  }

  /** The stand-in cloud created or deleted a server: boot or stop its machine, as Nova would. */
  private onServices(m: FromServices): void {
    if (m.type === "server-create") {
      this.events.push(`server ${m.server.name} created`);
      this.progress(`the cloud was asked for ${m.server.name} (${m.server.address}): booting it`);
      const subnet = this.stack.subnets.find((s) => inSubnet(m.server.address, s.cidr)) ?? this.stack.subnets[0]!;
      const task = this.boot({
        name: m.server.name,
        id: m.server.id,
        address: m.server.address,
        prefix: subnet.prefix,
        gateway: subnet.gateway,
        nameservers: [subnet.gateway],
        userData: m.server.userData,
        metadata: {},
        publicKeys: [],
        volumes: [],
      }).catch((e: unknown) => this.progress(`could not boot ${m.server.name}: ${e instanceof Error ? e.message : String(e)}`));
      this.pending.add(task);
      void task.finally(() => this.pending.delete(task));
    } else if (m.type === "server-delete") {
      this.events.push(`server ${m.server.name} deleted`);
      const machine = this.machines.get(m.server.name);
      this.progress(`the cloud deleted ${m.server.name}: stopping it`);
      if (machine) {
        const task = (async () => {
          // A machine still booting is stopped once it is up.
          while (this.pending.size > 0 && !machine.running) await sleep(200);
          await machine.destroy();
          this.machines.delete(m.server.name);
        })().catch((e: unknown) => this.progress(`could not stop ${m.server.name}: ${e instanceof Error ? e.message : String(e)}`));
        this.pending.add(task);
        void task.finally(() => this.pending.delete(task));
      }
    }
  }

  /**
   * Runs a command over SSH as `user` on `host`, from the lab network's router (the "outside":
   * where a person's laptop would be), with one of the lab people's keys.
   */
  ssh(key: string, user: string, host: string, command: string, timeoutMs = 60_000) {
    return this.network.exec(
      "ssh",
      [
        "-F",
        "/dev/null",
        "-i",
        key,
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=10",
        "-o",
        "LogLevel=ERROR",
        `${user}@${host}`,
        command,
      ],
      { timeoutMs },
    );
  }

  /** Servers the stand-in cloud holds now. */
  async cloudServers(): Promise<ReadonlyArray<{ id: string; name: string; status: string }>> {
    return (await this.network.ask({ type: "servers" }, "servers")).servers;
  }

  /** Every request the stand-in cloud answered, with its status. */
  async cloudRequests(): Promise<ReadonlyArray<{ service: string; method: string; path: string; status: number }>> {
    return (await this.network.ask({ type: "requests" }, "requests")).requests;
  }

  /**
   * Day 2: the stack changed in the code (lab/app, `DROVER_LAB_DAY=2`) and is deployed again.
   * drover's offline plan (the one `drover plan --offline` prints) says what changes; the lab does
   * what an apply of that plan does: a machine to create boots, a machine whose configuration
   * changes gets its new metadata at the metadata service (its agent applies it), a machine to
   * delete stops. A machine to rebuild is a failure of the change: nothing is done then.
   */
  async applyDayTwo(): Promise<{ created: string[]; updated: string[]; deleted: string[]; plan: Plan }> {
    const dir = this.lab.stacksDayTwo.get(this.def.stack);
    if (!dir) throw new Error(`the lab app has no day-2 stack ${this.def.stack}`);
    const configPath = join(dir, "cdk.tf.json");
    const config = JSON.parse(await readFile(configPath, "utf8")) as StackConfig;
    const plan = offlinePlan({
      stack: this.def.stack,
      current: config as never,
      baseline: this.config as never,
      baselineInfo: { kind: "deployed", description: "the lab's day 1" },
      providers: builtinProviders(),
    });
    const machineChanges = plan.resources.filter((r) => r.type === "openstack_compute_instance_v2" && r.action !== "no-op");
    const rebuilt = machineChanges.filter((r) => r.action === "replace");
    if (rebuilt.length > 0) throw new CheckFailure(`the plan rebuilds ${rebuilt.map((r) => `${r.constructPath ?? r.address} (${r.reason})`).join(", ")}`);
    const next = await loadLabStack(
      this.def.stack,
      configPath,
      this.lab.terraform,
      this.lab.runDir,
      { catalog: [], region: "IU", projectId: "lab", credential: { id: "", secret: "" } },
      { publicRange: PUBLIC_RANGE },
      this.stack,
    );
    const byKey = (stack: LabStack, address: string) => stack.machines.find((m) => `openstack_compute_instance_v2.${m.key}` === address);
    const created: string[] = [];
    const updated: string[] = [];
    const deleted: string[] = [];
    for (const change of machineChanges) {
      if (change.action === "update") {
        const m = byKey(next, change.address)!;
        this.publishMetadata(this.specOf(m));
        updated.push(m.name);
      } else if (change.action === "delete") {
        const m = byKey(this.stack, change.address)!;
        await this.machines.get(m.name)?.destroy();
        this.machines.delete(m.name);
        deleted.push(m.name);
      }
    }
    this.stack = next;
    this.config = config;
    this.stackDir = dir;
    for (const change of machineChanges.filter((c) => c.action === "create")) {
      const m = byKey(next, change.address)!;
      this.progress(`day 2: booting the new machine ${m.name} (${m.address})`);
      await this.boot(this.specOf(m));
      created.push(m.name);
    }
    return { created, updated, deleted, plan };
  }

  /** Waits until the machines the cloud asked for are booted or stopped. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async tearDown(): Promise<void> {
    if (this.nfsLoop) clearInterval(this.nfsLoop);
    await this.settle().catch(() => undefined);
    await this.def.after?.(this).catch(() => undefined);
    await Promise.all([...this.machines.values()].map((m) => m.destroy().catch(() => undefined)));
    await this.nfs?.release();
    await this.network?.tearDown();
  }

  report(): ScenarioReport {
    const substitutions = [...this.substitutions];
    if (this.nfs && this.nfs.served.length > 0) {
      substitutions.push(
        `NFS (no NFS server or client in this kernel): the exports ${this.nfs.served.join(", ")}, read from the server's own export table, reach the machines they name as bind mounts of the same file system, mounted by a stand-in mount.nfs; the server's nfs-server unit is a stand-in that keeps the export table (exportfs is real); export options (root_squash) are not enforced`,
        "automount (no autofs in this kernel): `systemctl start <tree>.automount` of an NFS tree starts a unit that mounts it as soon as it is exported",
      );
    }
    return {
      name: this.def.name,
      stack: this.def.stack,
      machines: this.stack ? this.stack.machines.map((m) => m.name) : [],
      checks: this.checks,
      substitutions,
      seconds: (Date.now() - this.started) / 1000,
    };
  }
}

function inSubnet(address: string, cidr: string): boolean {
  const toN = (ip: string) => ip.split(".").reduce((n, p) => n * 256 + Number(p), 0);
  const [base, bits] = cidr.split("/");
  const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
  return (toN(address) & mask) >>> 0 === (toN(base!) & mask) >>> 0;
}
