import { randomBytes } from "node:crypto";
import { cp, mkdir, readFile, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startAptProxy, type AptProxy } from "./apt-proxy.ts";
import { hasCommand, must, run } from "./host.ts";
import { ensureImage } from "./image.ts";
import { firstChild } from "./machine.ts";
import { summarize, type LabReport, type ScenarioReport } from "./report.ts";
import { LabAborted, ScenarioRun, type LabContext, type ScenarioDefinition } from "./scenario.ts";
import { SCENARIOS } from "./scenarios/index.ts";
import { RunState, releaseRun, staleRuns, sweep } from "./state.ts";

export const LAB_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(LAB_DIR);
const APP = join(LAB_DIR, "app");

/** Where the lab keeps its image, its package cache and its runs. */
export function defaultCacheDir(): string {
  return process.env.DROVER_LAB_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "drover", "lab");
}

/** A problem with this machine that stops the lab before it starts (exit 2). */
export class LabSetupError extends Error {}

/** Tools the lab runs on the host, with the Debian package each comes from. */
export const HOST_TOOLS: ReadonlyArray<readonly [string, string]> = [
  ["debootstrap", "debootstrap"],
  ["systemd-nspawn", "systemd-container"],
  ["apt-cacher-ng", "apt-cacher-ng"],
  ["socat", "socat"],
  ["dnsmasq", "dnsmasq-base"],
  ["pebble", "pebble"],
  ["openssl", "openssl"],
  ["ssh", "openssh-client"],
  ["ssh-keygen", "openssh-client"],
  ["curl", "curl"],
  ["nft", "nftables"],
  ["ip", "iproute2"],
  ["losetup", "mount"],
  ["nsenter", "util-linux"],
];

export async function preflight(): Promise<{ terraform: string }> {
  if (process.getuid?.() !== 0) {
    throw new LabSetupError("the lab needs root: it makes network namespaces, boots containers with systemd-nspawn and attaches loop devices (run it as root, e.g. sudo npm run lab)");
  }
  const missing: string[] = [];
  for (const [tool, pkg] of HOST_TOOLS) if (!(await hasCommand(tool))) missing.push(`${tool} (Debian package ${pkg})`);
  const terraform = process.env.DROVER_TERRAFORM ?? "terraform";
  if (!(await hasCommand(terraform))) missing.push(`${terraform} (Terraform 1.5 or later, or set DROVER_TERRAFORM)`);
  if (missing.length > 0) {
    const packages = [...new Set(HOST_TOOLS.filter(([t]) => missing.some((m) => m.startsWith(`${t} `))).map(([, p]) => p))];
    throw new LabSetupError(`the lab needs tools this machine lacks: ${missing.join(", ")}${packages.length ? `\n  apt-get install ${packages.join(" ")}` : ""}`);
  }
  return { terraform };
}

export interface LabOptions {
  readonly scenarios: readonly string[];
  readonly keep: boolean;
  readonly cacheDir: string;
  readonly signal: AbortSignal;
  progress(message: string): void;
}

export function scenarioDefinitions(names: readonly string[]): ScenarioDefinition[] {
  if (names.length === 0) return [...SCENARIOS];
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) throw new LabSetupError(`no scenario named ${unknown.map((u) => `'${u}'`).join(", ")}: the scenarios are ${SCENARIOS.map((s) => s.name).join(", ")}`);
  return SCENARIOS.filter((s) => names.includes(s.name));
}

/**
 * Synthesizes the lab app's stacks with the real `drover synth`, as a user would, as they are
 * on `day` 1 or 2, and keeps a copy of each stack's output under `into` (the next synthesis
 * writes the app's output directory again).
 */
async function synthesize(stacks: readonly string[], keys: { alice: string; bob: string; admin: string }, day: 1 | 2, into: string): Promise<Map<string, string>> {
  const r = await run(process.execPath, [join(REPO, "bin", "drover.mjs"), "synth", ...stacks, "--json"], {
    cwd: APP,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", NO_COLOR: "1", DROVER_LAB_KEY_ALICE: keys.alice, DROVER_LAB_KEY_BOB: keys.bob, DROVER_LAB_KEY_ADMIN: keys.admin, DROVER_LAB_DAY: String(day) },
  });
  if (r.code !== 0) throw new Error(`drover synth failed for the lab's stacks on day ${day} (exit ${r.code}):\n${r.stderr || r.stdout}`);
  const out = JSON.parse(r.stdout) as { stacks: Array<{ name: string; config: string }> };
  const dirs = new Map<string, string>();
  for (const s of out.stacks) {
    const dir = join(into, s.name);
    await cp(join(APP, dirname(s.config)), dir, { recursive: true });
    dirs.set(s.name, dir);
  }
  return dirs;
}

async function makeKey(dir: string, who: string): Promise<{ privateKey: string; publicKey: string }> {
  const file = join(dir, who);
  await must("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${who}@drover-lab`, "-f", file]);
  return { privateKey: file, publicKey: (await readFile(`${file}.pub`, "utf8")).trim() };
}

/** Stops the machines of kept runs (and of runs whose lab died) and gives back all they hold. */
export async function downLab(cacheDir: string): Promise<string[]> {
  await preflight();
  return sweep(join(cacheDir, "runs"), { includeKept: true });
}

/** A kept machine to open a shell in: the PID of its systemd on the host. */
export async function keptMachine(cacheDir: string, name: string): Promise<{ pid: number; run: string }> {
  const kept = (await staleRuns(join(cacheDir, "runs"), { includeKept: true })).filter((r) => r.record.kept);
  const all = kept.flatMap((r) => Object.entries(r.record.machines).map(([m, info]) => ({ name: m, info, run: r.record.id })));
  const found = all.find((m) => m.name === name);
  if (!found) {
    throw new LabSetupError(
      all.length === 0
        ? "no machine is kept: run the lab with --keep first (npm run lab -- slurm --keep)"
        : `no kept machine named '${name}': the kept machines are ${all.map((m) => m.name).join(", ")}`,
    );
  }
  // unshare → systemd-nspawn → the machine's systemd.
  const nspawn = firstChild(found.info.nspawn);
  const pid = nspawn === undefined ? undefined : firstChild(nspawn);
  if (!pid) throw new LabSetupError(`${name} is not running any more (its run ${found.run} was kept, but the machine stopped): npm run lab -- --down`);
  return { pid: Number(pid), run: found.run };
}

/** Runs the chosen scenarios, each on its own lab network, at the same time; returns the report. */
export async function runLab(options: LabOptions): Promise<LabReport> {
  const started = Date.now();
  const definitions = scenarioDefinitions(options.scenarios);
  const { terraform } = await preflight();
  const runsDir = join(options.cacheDir, "runs");
  const swept = await sweep(runsDir, { includeKept: false });
  if (swept.length > 0) options.progress(`gave back what ${swept.length} earlier run(s) left behind (${swept.join(", ")})`);

  const runId = randomBytes(3).toString("hex");
  const runDir = join(runsDir, runId);
  await mkdir(join(runDir, "keys"), { recursive: true, mode: 0o700 });
  const state = new RunState(runDir, runId);
  await state.update(() => undefined);
  // The machines' disks live in memory: dpkg's many fsyncs cost nothing there, and nothing of a
  // run outlives it (the image and the package cache stay on disk).
  await must("mount", ["-t", "tmpfs", "-o", "size=12g,mode=0700", "drover-lab", await ensureDir(join(runDir, "machines"))]);
  await state.update((r) => r.mounts.push(join(runDir, "machines")));
  await must("mount", ["-t", "tmpfs", "-o", "size=16g,mode=0700", "drover-lab-volumes", await ensureDir(join(runDir, "volumes"))]);
  await state.update((r) => r.mounts.push(join(runDir, "volumes")));

  let proxy: AptProxy | undefined;
  const reports: ScenarioReport[] = [];
  let image = { key: "-", built: false, seconds: 0 };
  let downloadedBytes = 0;
  try {
    proxy = await startAptProxy(options.cacheDir, runDir, state);
    const img = await ensureImage(options.cacheDir, proxy.address, { progress: options.progress });
    image = { key: img.key, built: img.built, seconds: img.seconds };
    options.progress(img.built ? `image ${img.key} built in ${img.seconds.toFixed(0)} s` : `image ${img.key} from the cache`);
    const alice = await makeKey(join(runDir, "keys"), "alice");
    const bob = await makeKey(join(runDir, "keys"), "bob");
    const admin = await makeKey(join(runDir, "keys"), "admin");
    options.progress(`drover synth ${definitions.map((d) => d.stack).join(" ")} (day 1, and day 2: the changes made to the running stacks)`);
    const publicKeys = { alice: alice.publicKey, bob: bob.publicKey, admin: admin.publicKey };
    const stacks = await synthesize(
      definitions.map((d) => d.stack),
      publicKeys,
      1,
      join(runDir, "day1"),
    );
    const stacksDayTwo = await synthesize(
      definitions.map((d) => d.stack),
      publicKeys,
      2,
      join(runDir, "day2"),
    );
    const context: LabContext = {
      runId,
      runDir,
      image: img.rootfs,
      aptSocket: proxy.socket,
      terraform,
      state,
      keep: options.keep,
      keys: { alice: alice.privateKey, bob: bob.privateKey, admin: admin.privateKey },
      stacks,
      stacksDayTwo,
      signal: options.signal,
      progress: options.progress,
    };
    const runs = definitions.map((d) => new ScenarioRun(d, context));
    // Ctrl-C (or SIGTERM, SIGHUP) stops waiting at once: every scenario is torn down below.
    const aborted = new Promise<void>((resolve) => options.signal.addEventListener("abort", () => resolve(), { once: true }));
    await Promise.race([
      aborted,
      Promise.all(
        runs.map(async (r) => {
          try {
            await r.setUp();
            await r.def.exercise(r);
          } catch (e) {
            if (!(e instanceof LabAborted) && !options.signal.aborted) {
              r.checks.push({ scenario: r.name, name: "the scenario runs to its end", passed: false, observed: e instanceof Error ? e.message : String(e), seconds: 0 });
              r.progress(`stopped: ${e instanceof Error ? e.message : String(e)}`);
            }
          }
          if (!options.keep && !options.signal.aborted) await r.tearDown();
          reports.push(r.report());
        }),
      ),
    ]);
    if (options.signal.aborted) {
      await Promise.all(runs.map((r) => r.tearDown().catch(() => undefined)));
      throw new LabAborted();
    }
    downloadedBytes = await proxy.downloadedBytes();
  } finally {
    if (!options.keep || options.signal.aborted) {
      await proxy?.stop();
      await releaseRun(state.record);
      await rm(runDir, { recursive: true, force: true });
    } else {
      await state.update((r) => {
        r.kept = true;
      });
    }
  }
  const ordered = definitions.map((d) => reports.find((r) => r.name === d.name)!).filter(Boolean);
  const { passed, failed } = summarize(ordered);
  return {
    scenarios: ordered,
    passed,
    failed,
    seconds: (Date.now() - started) / 1000,
    image,
    downloadedBytes,
    ...(options.keep ? { kept: { run: runId, machines: Object.keys(state.record.machines) } } : {}),
  };
}

async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}
