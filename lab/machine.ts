import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { createMachineCgroups, removeMachineCgroups } from "./cgroups.ts";
import { must, processTree, run, signal, sleep, type RunResult } from "./host.ts";
import { BRIDGE, type LabNetwork } from "./network.ts";
import type { RunState } from "./state.ts";

/**
 * One lab machine: a systemd-nspawn container booting the lab image with systemd as PID 1, its
 * disk an overlay of the image (what it writes stays in the run's directory), its network
 * interface on the lab network's bridge at its stack's address, its cloud-init seeded (NoCloud)
 * with the user data an apply would hand it, and its volumes loop devices.
 */
export interface MachineSpec {
  /** The server's name, which cloud-init makes the hostname. */
  readonly name: string;
  /** The instance ID (a new one makes cloud-init run its first boot again). */
  readonly id: string;
  readonly address: string;
  readonly prefix: number;
  readonly gateway: string;
  readonly nameservers: readonly string[];
  readonly userData: string;
  /** Instance metadata (OpenStack's `meta`), served by the lab's metadata service. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly publicKeys: readonly string[];
  readonly volumes: ReadonlyArray<{ readonly id: string; readonly name: string; readonly sizeGiB: number }>;
  /** Files the lab adds to this machine's disk before it boots (a test CA, say). */
  readonly files?: ReadonlyArray<{ readonly path: string; readonly content: string; readonly mode?: number }>;
}

const MIB = 1024 * 1024;

export class Machine {
  private child?: ChildProcess;
  private cgroups: string[] = [];
  private loops: string[] = [];
  private stopping = false;
  private boots = 0;
  private readonly exits: Array<() => void> = [];
  /** Directory of the machine's disk layers and logs. */
  readonly dir: string;
  /** The machine's root file system as the host sees it (the overlay's merged directory). */
  readonly root: string;
  /** Trees handed to the machine while it runs appear at /run/drover-lab/incoming (see mount.nfs). */
  readonly incoming: string;

  constructor(
    readonly spec: MachineSpec,
    /** The nspawn machine name: short and unique on the host (it names the veth pair). */
    readonly handle: string,
    private readonly image: string,
    runDir: string,
    private readonly network: LabNetwork,
    private readonly volumeDir: string,
    private readonly state: RunState,
  ) {
    this.dir = join(runDir, "machines", spec.name);
    this.root = join(this.dir, "root");
    this.incoming = join(this.dir, "incoming");
  }

  get consoleLog(): string {
    return join(this.dir, "console.log");
  }

  /** PID of the process that holds the machine (unshare, whose child is systemd-nspawn). */
  get nspawnPid(): number | undefined {
    return this.child?.pid;
  }

  /** PID of systemd-nspawn itself. */
  private nspawn(): number | undefined {
    if (!this.running || this.child?.pid === undefined) return undefined;
    return firstChild(this.child.pid);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Lays out the disk, the cloud-init seed, the volumes and the machine's cgroups. */
  async prepare(): Promise<void> {
    for (const d of ["upper", "work", "root", "incoming"]) await mkdir(join(this.dir, d), { recursive: true });
    await must("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${this.image},upperdir=${join(this.dir, "upper")},workdir=${join(this.dir, "work")}`, this.root]);
    await this.state.update((r) => r.mounts.push(this.root));
    // A shared mount: what the lab mounts below it later reaches the running machine.
    await must("mount", ["--bind", this.incoming, this.incoming]);
    await this.state.update((r) => r.mounts.push(this.incoming));
    await must("mount", ["--make-shared", this.incoming]);
    const seed = join(this.root, "var/lib/cloud/seed/nocloud");
    await mkdir(seed, { recursive: true });
    await writeFile(
      join(seed, "meta-data"),
      stringify({ "instance-id": this.spec.id, "local-hostname": this.spec.name, ...(this.spec.publicKeys.length ? { "public-keys": [...this.spec.publicKeys] } : {}) }),
    );
    await writeFile(join(seed, "user-data"), this.spec.userData);
    await writeFile(
      join(seed, "network-config"),
      stringify({
        version: 2,
        ethernets: {
          host0: {
            match: { name: "host0" },
            addresses: [`${this.spec.address}/${this.spec.prefix}`],
            routes: [{ to: "0.0.0.0/0", via: this.spec.gateway }],
            nameservers: { addresses: [...this.spec.nameservers] },
          },
        },
      }),
    );
    await chmod(join(seed, "user-data"), 0o600);
    const disks: string[] = [];
    for (const v of this.spec.volumes) {
      // A sparse file as large as the volume: only what is written takes space.
      const file = join(this.volumeDir, `${v.id}.img`);
      if (!existsSync(file)) {
        await mkdir(this.volumeDir, { recursive: true });
        const handle = await open(file, "w");
        await handle.truncate(v.sizeGiB * 1024 * MIB);
        await handle.close();
      }
      const loop = (await must("losetup", ["--find", "--show", file])).trim();
      this.loops.push(loop);
      await this.state.update((r) => r.loops.push(loop));
      // KVM shows a volume's ID, cut to 20 characters, as the disk's serial.
      disks.push(`${loop} ${v.id.slice(0, 20)}`);
    }
    await mkdir(join(this.root, "etc/drover-lab"), { recursive: true });
    await writeFile(join(this.root, "etc/drover-lab/disks"), disks.join("\n") + (disks.length ? "\n" : ""));
    for (const f of this.spec.files ?? []) {
      const path = join(this.root, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content);
      await chmod(path, f.mode ?? 0o644);
    }
    this.cgroups = await createMachineCgroups(this.handle);
    await this.state.update((r) => r.cgroups.push(...this.cgroups));
  }

  /** Boots the machine. */
  async start(): Promise<void> {
    this.stopping = false;
    this.boots++;
    const log = await open(this.consoleLog, "a");
    const nspawn = [
      "systemd-nspawn",
      "--quiet",
      "--register=no",
      "--keep-unit",
      "--console=read-only",
      "--link-journal=no",
      "--resolv-conf=off",
      "--timezone=off",
      `--directory=${this.root}`,
      `--machine=${this.handle}`,
      `--hostname=${this.spec.name}`,
      `--network-bridge=${BRIDGE}`,
      `--bind=${this.incoming}:/run/drover-lab/incoming`,
      ...this.loops.map((l) => `--bind=${l}`),
      "--boot",
    ];
    // Joins the machine's own cgroups (see cgroups.ts), then the lab network, then a time
    // namespace whose clock starts now: a container shares the host's kernel, and without it the
    // machine's uptime, and the boot time Slurm's power saving waits for a new node to report,
    // would be the host's.
    const uptime = Math.floor(Number((await readFile("/proc/uptime", "utf8")).split(" ")[0]));
    const timens = ["unshare", "--time", "--fork", "--kill-child=SIGTERM", `--boottime=-${uptime}`, `--monotonic=-${uptime}`, "--"];
    const child = spawn("sh", ["-c", 'for d in $DROVER_LAB_CGROUPS; do echo $$ >"$d/cgroup.procs" || exit 1; done; exec "$@"', "sh", ...this.network.enter, ...timens, ...nspawn], {
      stdio: ["ignore", log.fd, log.fd],
      env: { ...process.env, DROVER_LAB_CGROUPS: this.cgroups.join(" "), SYSTEMD_NSPAWN_TMPFS_TMP: "0" },
      // Its own session: a Ctrl-C at the lab's terminal is the lab's to handle (an orderly shutdown).
      detached: true,
    });
    this.child = child;
    const pid = child.pid;
    if (pid !== undefined) await this.state.update((r) => r.processes.push(pid));
    child.on("exit", (code) => {
      void log.close();
      // A reboot inside the machine ends nspawn with 133: boot it again, as a VM's host would.
      if (code === 133 && !this.stopping) {
        void this.start();
        return;
      }
      for (const f of this.exits.splice(0)) f();
    });
    await this.waitForLeader(30_000);
  }

  /** PID (on the host) of the machine's systemd, or undefined while it is not running. */
  leader(): number | undefined {
    // unshare → systemd-nspawn → the machine's PID 1.
    const nspawn = this.nspawn();
    return nspawn === undefined ? undefined : firstChild(nspawn);
  }

  private async waitForLeader(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pid = this.leader();
      if (pid !== undefined && existsSync(`/proc/${pid}/root/run/systemd`)) return pid;
      if (!this.running) throw new Error(`${this.spec.name} did not boot: systemd-nspawn exited; see ${this.consoleLog}`);
      if (Date.now() > deadline) throw new Error(`${this.spec.name} did not boot within ${timeoutMs / 1000} s; see ${this.consoleLog}`);
      await sleep(200);
    }
  }

  /** Runs a command inside the machine as root (or as `user`, through runuser), with a login's PATH. */
  async exec(argv: readonly string[], options: { user?: string; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    const pid = this.leader();
    if (pid === undefined) return { code: 255, stdout: "", stderr: `${this.spec.name} is not running` };
    const inner = options.user ? ["runuser", "-l", options.user, "-c", argv.map(shellQuote).join(" ")] : [...argv];
    return run(
      "nsenter",
      [
        "-t",
        String(pid),
        "-m",
        "-u",
        "-i",
        "-n",
        "-p",
        "-C",
        "-r",
        "-w",
        "--",
        "/usr/bin/env",
        "-i",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/root",
        "LANG=C.UTF-8",
        ...inner,
      ],
      { ...(options.input !== undefined ? { input: options.input } : {}), timeoutMs: options.timeoutMs ?? 120_000 },
    );
  }

  /** Runs a bash script inside the machine as root. */
  sh(script: string, options: { timeoutMs?: number } = {}): Promise<RunResult> {
    return this.exec(["bash", "-c", script], options);
  }

  /** A file of the machine's root file system (not of what is mounted over it inside). */
  async read(path: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.root, path), "utf8");
    } catch {
      return undefined;
    }
  }

  /**
   * Waits for cloud-init's last stage (its result.json) and returns the errors it recorded:
   * none means every module of every stage ran without error.
   */
  async waitForCloudInit(timeoutMs: number): Promise<{ done: boolean; errors: string[]; seconds: number }> {
    const started = Date.now();
    for (;;) {
      const text = await this.read("var/lib/cloud/data/result.json");
      if (text) {
        try {
          const result = JSON.parse(text) as { v1?: { errors?: string[]; recoverable_errors?: Record<string, string[]> } };
          const errors = [...(result.v1?.errors ?? []), ...Object.entries(result.v1?.recoverable_errors ?? {}).flatMap(([level, list]) => (level === "ERROR" || level === "CRITICAL" ? list : []))];
          return { done: true, errors, seconds: (Date.now() - started) / 1000 };
        } catch {
          // Being written: read it again.
        }
      }
      if (!this.running) return { done: false, errors: [`${this.spec.name} stopped before cloud-init finished`], seconds: (Date.now() - started) / 1000 };
      if (Date.now() - started > timeoutMs) return { done: false, errors: [`cloud-init had not finished after ${Math.round(timeoutMs / 1000)} s`], seconds: timeoutMs / 1000 };
      await sleep(1000);
    }
  }

  /** The end of cloud-init's output log, for a report explaining a failure. */
  async cloudInitOutput(lines = 40): Promise<string> {
    const text = (await this.read("var/log/cloud-init-output.log")) ?? "(no cloud-init-output.log)";
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  }

  /** Journal lines of one unit (or all), newest last. */
  async journal(unit?: string, lines = 30): Promise<string> {
    const r = await this.exec(["journalctl", "--no-pager", "-q", "-n", String(lines), "-o", "short-monotonic", ...(unit ? ["-u", unit] : [])]);
    return (r.stdout || r.stderr).trimEnd();
  }

  /** Reboots the machine from inside and waits until it is back with systemd running. */
  async reboot(timeoutMs = 120_000): Promise<void> {
    const before = this.boots;
    await this.exec(["systemctl", "reboot"]);
    const deadline = Date.now() + timeoutMs;
    while (this.boots === before || this.leader() === undefined) {
      if (Date.now() > deadline) throw new Error(`${this.spec.name} did not come back from its reboot within ${timeoutMs / 1000} s`);
      await sleep(250);
    }
    await this.waitForLeader(timeoutMs);
  }

  /** Shuts the machine down (systemd's orderly poweroff), killing it if it takes too long. */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => this.exits.push(resolve));
    // systemd-nspawn powers the machine off on SIGTERM; unshare ends with it.
    const nspawn = this.nspawn();
    try {
      if (nspawn !== undefined) process.kill(nspawn, "SIGTERM");
      else child.kill("SIGTERM");
    } catch {
      // Gone in the meantime.
    }
    // A machine that does not power off in time is killed whole: its nspawn, and with it the
    // machine's PID namespace.
    const timer = setTimeout(() => {
      for (const pid of child.pid === undefined ? [] : processTree(child.pid).slice(0, 2)) signal(pid, "SIGKILL");
    }, timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the machine and removes everything it had on the host (disk layers, loop devices, cgroups). */
  async destroy(options: { keepFiles?: boolean } = {}): Promise<void> {
    await this.stop();
    // Whatever the lab handed in, then the machine's disk.
    await run("umount", ["-R", "-l", this.incoming]);
    if (existsSync(this.root)) await run("umount", ["-l", this.root]);
    for (const loop of this.loops.splice(0)) await run("losetup", ["-d", loop]);
    await removeMachineCgroups(this.cgroups);
    if (!options.keepFiles) await rm(this.dir, { recursive: true, force: true });
  }
}

/** The first child of a process (the next link of a chain of execs and forks), if any. */
export function firstChild(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
