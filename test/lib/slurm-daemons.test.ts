import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { hostname, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JETSTREAM2_FLAVORS } from "../../lib/catalog/flavors.ts";
import { renderSlurmFiles, type SlurmFiles } from "../../lib/slurm/conf.ts";
import type { SlurmClusterPlan } from "../../lib/slurm/model.ts";
import { planCluster } from "../../lib/slurm/plan.ts";
import { hasTool } from "../support/tools.ts";

/**
 * The rendered files loaded by the real Slurm 22.05 daemons (Debian 12 packages): munged and
 * slurmctld run in the foreground as children of the test, on loopback, with every path in a
 * temporary directory; scontrol then reports what slurmctld understood. One slurmd plays a
 * static node and registers. Nothing of the machine's own Slurm or munge is touched.
 */

// Evaluated one by one so each missing tool is reported.
const tools = [hasTool("munged", "apt-get install munge"), hasTool("slurmctld", "apt-get install slurmctld"), hasTool("scontrol", "apt-get install slurm-client")];
const haveSlurmd = hasTool("slurmd", "apt-get install slurmd");

const result = planCluster({
  stackName: "hpc",
  id: "hpc",
  cloudName: "jetstream2",
  flavors: JETSTREAM2_FLAVORS,
  controller: { size: "m3.medium" },
  login: { size: "m3.small" },
  partitions: [
    { name: "cpu", size: "m3.quad", nodes: 2, default: true },
    { name: "burst", size: "m3.quad", nodes: 1, elastic: { max: 4, idleMinutes: 5 } },
    { name: "gpu", size: "g3.medium", nodes: 0, elastic: { max: 2 } },
  ],
  image: "Featured-Ubuntu24",
  adminUser: "ubuntu",
});
if (!result.ok) throw new Error(`test plan is invalid: ${JSON.stringify(result.issues)}`);
const plan: SlurmClusterPlan = result.plan;
const files = renderSlurmFiles(plan);
/** The static node a real slurmd plays. */
const SLURMD_NODE = "hpc-cpu-1";

/** A cluster address moved into 127/8 (all loopback on Linux), keeping the last three octets so the hostlists keep their shape. */
const loopback = (address: string) => address.replace(/^\d+\./, "127.");

interface TestMachine {
  readonly dir: string;
  readonly ctldPort: number;
  readonly slurmdPort: number;
  readonly dbdPort: number;
  readonly mungeSocket: string;
}

/** Keys rewritten only when the rendered file has them (accounting is optional). */
const OPTIONAL = new Set(["AccountingStorageHost", "AccountingStoragePort"]);

/**
 * The rendered slurm.conf with what a test machine needs instead of a cluster's values: this
 * machine as the controller, free loopback ports, paths in the temporary directory, the current
 * user as SlurmUser, and resume/suspend programs that exist (slurmctld turns power saving off
 * when they do not), slurmdbd on loopback. Every other line is the rendered one.
 */
function forTestMachine(conf: string, m: TestMachine): string {
  const set: Record<string, string> = {
    SlurmctldHost: `${hostname().split(".")[0]}(127.0.0.1)`,
    SlurmctldPort: String(m.ctldPort),
    SlurmdPort: String(m.slurmdPort),
    SlurmUser: userInfo().username,
    StateSaveLocation: join(m.dir, "state"),
    SlurmdSpoolDir: join(m.dir, "spool"),
    SlurmctldLogFile: join(m.dir, "slurmctld.log"),
    SlurmdLogFile: join(m.dir, "slurmd.log"),
    SlurmctldPidFile: join(m.dir, "slurmctld.pid"),
    SlurmdPidFile: join(m.dir, "slurmd.pid"),
    ResumeProgram: join(m.dir, "resume"),
    SuspendProgram: join(m.dir, "suspend"),
    ResumeFailProgram: join(m.dir, "resume-fail"),
    AccountingStorageHost: "127.0.0.1",
    AccountingStoragePort: String(m.dbdPort),
  };
  const seen = new Set<string>();
  const lines = conf.split("\n").map((line) => {
    const key = /^(\w+)=/.exec(line)?.[1];
    if (key === undefined) return line;
    if (key in set) {
      seen.add(key);
      return `${key}=${set[key]}`;
    }
    // Static nodes are pinged: on loopback, slurmctld reaches nothing outside the machine.
    if (key === "NodeName") return line.replace(/NodeAddr=(\S+)/, (_, a: string) => `NodeAddr=${loopback(a)}`);
    return line;
  });
  for (const key of Object.keys(set)) if (!seen.has(key) && !OPTIONAL.has(key)) throw new Error(`the rendered slurm.conf has no ${key}= line to rewrite`);
  // The test's munged, and a slurmd on a machine smaller than an m3.quad: the node is taken to
  // have the resources slurm.conf gives it instead of being drained for having fewer.
  // ProctrackType and TaskPlugin stay the rendered cgroup ones: slurmctld accepts them, and the
  // slurmd here loads cgroup/v1 and task/cgroup and reads cgroup.conf (an unknown key there is
  // fatal), so the node turning IDLE also vouches for cgroup.conf.
  lines.push(`AuthInfo=socket=${m.mungeSocket}`, "SlurmdParameters=config_overrides");
  return lines.join("\n");
}

/** The files into the machine's directory, with stand-ins for the resume and suspend programs; returns slurm.conf's path. */
function writeFiles(files: SlurmFiles, m: TestMachine): string {
  for (const d of ["state", "spool"]) mkdirSync(join(m.dir, d), { recursive: true });
  for (const program of ["resume", "suspend", "resume-fail"]) {
    writeFileSync(join(m.dir, program), "#!/bin/sh\nexit 0\n");
    chmodSync(join(m.dir, program), 0o755);
  }
  writeFileSync(join(m.dir, "slurm.conf"), forTestMachine(files.slurmConf, m));
  writeFileSync(join(m.dir, "cgroup.conf"), files.cgroupConf);
  if (files.gresConf) writeFileSync(join(m.dir, "gres.conf"), files.gresConf);
  return join(m.dir, "slurm.conf");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number, diagnostics: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
    await sleep(200);
  }
}

/** `Key=value Key2=value with spaces` (scontrol's one-line output) → record. */
function parseRecord(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(?:^|\s)([A-Za-z][\w:/.]*)=(.*?)(?=\s+[A-Za-z][\w:/.]*=|$)/g)) out[m[1]!] = m[2]!;
  return out;
}

describe.runIf(tools.every(Boolean))("slurm.conf loaded by the real Slurm 22.05 daemons", () => {
  const children: ChildProcess[] = [];
  const output = new Map<ChildProcess, string>();
  let dir = "";
  let conf = "";
  let slurmd: ChildProcess | undefined;
  let machine: TestMachine;

  const start = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env });
    children.push(child);
    output.set(child, "");
    const collect = (b: Buffer) => output.set(child, output.get(child)! + b.toString());
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    return child;
  };
  const log = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : `(no ${file})`);
  const diagnostics = () =>
    [...output].map(([c, out]) => `--- ${c.spawnargs.join(" ")} (exit ${c.exitCode})\n${out}`).join("\n") + `\n--- slurmctld.log\n${log("slurmctld.log")}\n--- slurmd.log\n${log("slurmd.log")}`;
  const scontrol = (...args: string[]) => {
    const r = spawnSync("scontrol", args, { encoding: "utf8", env: { ...process.env, SLURM_CONF: conf } });
    return { out: `${r.stdout}${r.stderr}` };
  };
  const show = (what: "node" | "partition") =>
    scontrol("show", what, "--oneliner")
      .out.split("\n")
      .filter((l) => l.trim())
      .map(parseRecord);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "drover-slurm-"));
    // munged wants every directory above its socket searchable by all.
    chmodSync(dir, 0o755);
    const [ctldPort, slurmdPort, dbdPort] = [await freePort(), await freePort(), await freePort()];
    machine = { dir, ctldPort, slurmdPort, dbdPort, mungeSocket: join(dir, "munge.socket") };

    // munged with a key of its own, everything under the temporary directory.
    const key = join(dir, "munge.key");
    writeFileSync(key, randomBytes(1024), { mode: 0o400 });
    start("munged", [
      "-F",
      "--force",
      `--key-file=${key}`,
      `--socket=${machine.mungeSocket}`,
      `--pid-file=${join(dir, "munged.pid")}`,
      `--log-file=${join(dir, "munged.log")}`,
      `--seed-file=${join(dir, "munged.seed")}`,
    ]);
    await waitFor("munged's socket", () => (existsSync(machine.mungeSocket) ? true : undefined), 10_000, diagnostics);

    conf = writeFiles(files, machine);

    const env = { ...process.env, SLURM_CONF: conf };
    start("slurmctld", ["-D", "-f", conf], env);
    await waitFor("slurmctld to answer scontrol ping", () => (/is UP/.test(scontrol("ping").out) ? true : undefined), 30_000, diagnostics);

    if (haveSlurmd) {
      slurmd = start("slurmd", ["-D", "-N", SLURMD_NODE, "-f", conf], env);
    }
  }, 60_000);

  afterAll(async () => {
    // slurmd and slurmctld first (they save state and talk to munged), then munged.
    for (const child of [...children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5_000).then(() => child.kill("SIGKILL"))]);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("slurmctld starts without a parse error and with power saving on", () => {
    const text = log("slurmctld.log");
    expect(text).toContain("Running as primary controller");
    expect(text).not.toMatch(/Parse error|defunct|invalid (SuspendExcNodes|SuspendExcPart)|power_save module disabled|fatal:/i);
  });

  it("reports the rendered settings in scontrol show config", () => {
    const config = Object.fromEntries(
      scontrol("show", "config")
        .out.split("\n")
        .map((l) => /^(\S+)\s+=\s(.*)$/.exec(l))
        .filter((m) => m !== null)
        .map((m) => [m[1], m[2]!.trim()]),
    );
    expect(config).toMatchObject({
      ClusterName: plan.clusterName,
      AuthType: "auth/munge",
      SelectType: "select/cons_tres",
      SelectTypeParameters: "CR_CORE_MEMORY",
      SchedulerType: "sched/backfill",
      ReturnToService: "2",
      GresTypes: "gpu",
      SuspendExcNodes: "hpc-cpu-[1-2],hpc-burst-1",
      SlurmctldParameters: "idle_on_node_suspend",
      TreeWidth: "65533",
      ResumeTimeout: `${plan.resumeTimeoutSeconds} sec`,
      SuspendTimeout: `${plan.suspendTimeoutSeconds} sec`,
      ResumeRate: "100 nodes/min",
      SuspendRate: "100 nodes/min",
      ProctrackType: "proctrack/cgroup",
      TaskPlugin: "task/cgroup,task/affinity",
      PrivateData: "cloud",
    });
  });

  it("has exactly the plan's partitions", () => {
    const partitions = show("partition");
    expect(partitions.map((p) => p.PartitionName)).toEqual(plan.partitions.map((p) => p.name));
    for (const p of plan.partitions) {
      const got = partitions.find((r) => r.PartitionName === p.name)!;
      expect(scontrol("show", "hostnames", got.Nodes!).out.trim().split("\n")).toEqual(p.nodes.map((n) => n.name));
      expect(got).toMatchObject({
        Default: p.isDefault ? "YES" : "NO",
        MaxTime: "UNLIMITED",
        State: "UP",
        TotalNodes: String(p.nodes.length),
        TotalCPUs: String(p.nodes.length * p.cpusPerNode),
      });
      // 22.05 shows a partition's power-saving fields only when one of them is set.
      expect(got.SuspendTime).toBe(p.idleMinutes === undefined ? undefined : String(p.idleMinutes * 60));
    }
  });

  it("has exactly the plan's nodes, elastic ones as CLOUD", () => {
    const nodes = show("node");
    const expected = plan.partitions.flatMap((p) => p.nodes.map((n) => ({ p, n })));
    expect(nodes.map((r) => r.NodeName).sort()).toEqual(expected.map((e) => e.n.name).sort());
    for (const { p, n } of expected) {
      const got = nodes.find((r) => r.NodeName === n.name)!;
      expect(got, n.name).toMatchObject({
        NodeAddr: loopback(n.address),
        CPUTot: String(p.cpusPerNode),
        RealMemory: String(p.realMemoryMiB),
        Gres: p.gpusPerNode > 0 ? `gpu:${p.gpusPerNode}` : "(null)",
        Partitions: p.name,
      });
      const flags = got.State!.split("+");
      if (n.elastic) expect(flags, n.name).toEqual(expect.arrayContaining(["CLOUD", "POWERED_DOWN"]));
      else expect(flags, n.name).not.toContain("CLOUD");
    }
  });

  it("accepts the accounting lines: slurmctld reads them and goes looking for slurmdbd", async () => {
    // No slurmdbd and MariaDB here: with accounting on, no database and no saved state, 22.05
    // stops with a fatal error, after it has read every line and tried slurmdbd's address.
    const m: TestMachine = { ...machine, dir: join(dir, "accounting"), ctldPort: await freePort(), dbdPort: await freePort() };
    const file = writeFiles(renderSlurmFiles({ ...plan, accounting: true }), m);
    const run = spawnSync("slurmctld", ["-D", "-f", file], { encoding: "utf8", timeout: 30_000, env: { ...process.env, SLURM_CONF: file } });
    const text = `${run.stdout}${run.stderr}`;
    expect(text).not.toMatch(/Parse error|unrecognized key|defunct/i);
    expect(text).toContain(`127.0.0.1:${m.dbdPort}`);
    expect(text).toMatch(/accounting_storage\/slurmdbd: .*Registering slurmctld/);
  });

  it("expands every NodeName/NodeAddr pair to the plan's nodes in order, across /24 boundaries", () => {
    const big = planCluster({
      stackName: "hpc",
      id: "hpc",
      cloudName: "jetstream2",
      flavors: JETSTREAM2_FLAVORS,
      controller: { size: "m3.medium" },
      partitions: [
        { name: "cpu", size: "m3.tiny", nodes: 300, elastic: { max: 600 } },
        { name: "gpu", size: "g3.small", nodes: 0, elastic: { max: 260 } },
      ],
      image: "Featured-Ubuntu24",
      adminUser: "ubuntu",
    });
    if (!big.ok) throw new Error(JSON.stringify(big.issues));
    const hostnames = (list: string) => scontrol("show", "hostnames", list).out.trim().split("\n");
    const lines = [...renderSlurmFiles(big.plan).slurmConf.matchAll(/^NodeName=(\S+) NodeAddr=(\S+)/gm)];
    // cpu: static 1-255 and 256-300, elastic 301-511 and 512-600; gpu: 1-255 and 256-260.
    expect(lines).toHaveLength(6);
    const names: string[] = [];
    const addresses: string[] = [];
    for (const [, n, a] of lines) {
      const [expandedNames, expandedAddresses] = [hostnames(n!), hostnames(a!)];
      expect(expandedNames).toHaveLength(expandedAddresses.length);
      names.push(...expandedNames);
      addresses.push(...expandedAddresses);
    }
    const nodes = big.plan.partitions.flatMap((p) => p.nodes);
    expect(names).toEqual(nodes.map((n) => n.name));
    expect(addresses).toEqual(nodes.map((n) => n.address));
  });

  it.runIf(haveSlurmd)(`a real slurmd registers as ${SLURMD_NODE} and the node turns IDLE`, async () => {
    const state = await waitFor(
      `${SLURMD_NODE} to register`,
      () => {
        const node = show("node").find((r) => r.NodeName === SLURMD_NODE);
        return node?.State === "IDLE" ? node.State : undefined;
      },
      30_000,
      diagnostics,
    );
    expect(state).toBe("IDLE");
    expect(slurmd?.exitCode).toBeNull();
  });
});
