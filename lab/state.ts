import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { removeMachineCgroups } from "./cgroups.ts";
import { processTree, run, signal, sleep } from "./host.ts";

/**
 * What a lab run holds on the host, written down as it is taken (processes, mounts, loop
 * devices, network namespaces, cgroups), so that whatever happens to the run (Ctrl-C, a crash,
 * a machine switched off) the next lab, or `npm run lab -- --down`, gives it all back.
 */
export interface RunRecord {
  readonly id: string;
  /** PID of the lab process that owns the run. */
  readonly owner: number;
  readonly started: string;
  kept: boolean;
  processes: number[];
  mounts: string[];
  loops: string[];
  namespaces: string[];
  cgroups: string[];
  /** Kept runs: the machines to open a shell in (name → nspawn PID). */
  machines: Record<string, { handle: string; nspawn: number; scenario: string; address: string }>;
}

export class RunState {
  private writing = Promise.resolve();
  readonly record: RunRecord;

  constructor(
    readonly dir: string,
    id: string,
  ) {
    this.record = { id, owner: process.pid, started: new Date().toISOString(), kept: false, processes: [], mounts: [], loops: [], namespaces: [], cgroups: [], machines: {} };
  }

  get file(): string {
    return join(this.dir, "state.json");
  }

  /** Changes the record and writes it (atomically, in order). */
  update(change: (r: RunRecord) => void): Promise<void> {
    change(this.record);
    const text = `${JSON.stringify(this.record, null, 2)}\n`;
    this.writing = this.writing.then(async () => {
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, this.file);
    });
    return this.writing;
  }
}

/** Whether a process runs (a zombie, waiting for its parent to read its end, does not). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Whether any process is left in a cgroup or below it. */
function occupied(dir: string): boolean {
  try {
    if (readFileSync(join(dir, "cgroup.procs"), "utf8").trim()) return true;
    return readdirSync(dir, { withFileTypes: true }).some((e) => e.isDirectory() && occupied(join(dir, e.name)));
  } catch {
    return false;
  }
}

/** Gives back everything a run took, in reverse order of taking: processes, mounts, loops, namespaces, cgroups. */
export async function releaseRun(record: RunRecord): Promise<void> {
  // Every process the run started, and theirs: a machine is unshare → systemd-nspawn → its
  // systemd, and killing nspawn ends the machine's whole PID namespace.
  const tree = record.processes.filter(alive).flatMap((pid) => processTree(pid));
  // systemd-nspawn powers its machine off on SIGTERM; the rest simply stop.
  for (const pid of record.processes) if (alive(pid)) signal(pid, "SIGTERM");
  for (let i = 0; i < 150 && tree.some(alive); i++) await sleep(100);
  for (const pid of tree) if (alive(pid)) signal(pid, "SIGKILL");
  // A machine's processes may outlive its nspawn for a moment; its cgroups go once they are empty.
  for (let i = 0; i < 100 && record.cgroups.some(occupied); i++) await sleep(100);
  for (const m of [...record.mounts].reverse()) await run("umount", ["-R", "-l", m]);
  for (const l of record.loops) await run("losetup", ["-d", l]);
  for (const ns of record.namespaces) if (existsSync(`/run/netns/${ns}`)) await run("ip", ["netns", "delete", ns]);
  await removeMachineCgroups(record.cgroups);
}

/** Runs under `runsDir` whose lab is gone (or, with `kept`, kept ones too). */
export async function staleRuns(runsDir: string, options: { includeKept: boolean }): Promise<Array<{ dir: string; record: RunRecord }>> {
  if (!existsSync(runsDir)) return [];
  const found: Array<{ dir: string; record: RunRecord }> = [];
  for (const name of await readdir(runsDir)) {
    const dir = join(runsDir, name);
    let record: RunRecord;
    try {
      record = JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as RunRecord;
    } catch {
      continue;
    }
    if (record.owner === process.pid) continue;
    if (record.kept ? options.includeKept : !alive(record.owner)) found.push({ dir, record });
  }
  return found;
}

/** Releases every stale run and removes its directory; returns their IDs. */
export async function sweep(runsDir: string, options: { includeKept: boolean }): Promise<string[]> {
  const done: string[] = [];
  for (const { dir, record } of await staleRuns(runsDir, options)) {
    await releaseRun(record);
    await rm(dir, { recursive: true, force: true });
    done.push(record.id);
  }
  return done;
}
