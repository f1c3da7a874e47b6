import { cloudOfProvider } from "../clouds/index.ts";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { createRequire } from "node:module";
import { ensureTypeScriptLoader } from "./ts-loader.ts";
import { pathToFileURL } from "node:url";
import { ConfigError, UsageError } from "../errors.ts";
import { nearestMatches, orList } from "../naming.ts";
import { appFailure } from "./app-errors.ts";
import { settleWrites } from "./pending-writes.ts";
import { mark } from "../timing.ts";
import { withPlainStackTraces } from "./stack-traces.ts";
import { fileWriteFailure, makeDirectory } from "./fs-errors.ts";
import { lockDirectory } from "./lock.ts";
import { appRunSettings, watchApp } from "./run-app.ts";
import { synthEnvironment } from "./synth-context.ts";
import { typecheckApp } from "./typecheck.ts";
import type { Project } from "./project.ts";
import type { StackInfo } from "./stack-info.ts";

export interface SynthesizedStack {
  readonly name: string;
  /** Directory of the stack's output (absolute). */
  readonly dir: string;
  /** `cdk.tf.json` (absolute). */
  readonly configPath: string;
  readonly resources: number;
  readonly dataSources: number;
  readonly outputs: number;
  readonly cloud: StackInfo["cloud"];
  /** Rendered configuration files, relative to `dir`. */
  readonly files: readonly string[];
  readonly warnings: readonly string[];
  readonly info?: StackInfo;
}

export interface SynthResult {
  readonly stacks: readonly SynthesizedStack[];
  /**
   * With `app: true`, every stack of the app (selected or not) with its Terraform JSON and
   * drover.json: what the checks count across stacks that share a project (routers, cores).
   */
  readonly app: ReadonlyArray<{ readonly name: string; readonly config: Record<string, unknown>; readonly info?: StackInfo }>;
  /** Every stack the app defines, selected or not. */
  readonly allStacks: readonly string[];
  readonly outdir: string;
  readonly durationMs: number;
}

export interface SynthOptions {
  /** Stacks to keep; all when empty. Unknown names are a usage error. */
  readonly stacks?: readonly string[];
  /**
   * Write the result into the project's output directory (replacing those stacks' previous
   * output only once everything succeeded). Otherwise the output lands in a temporary directory
   * that the caller reads and `cleanup()` removes.
   */
  readonly commit: boolean;
  /** Also read every stack's Terraform JSON and drover.json into `app` (for checks across stacks). */
  readonly app?: boolean;
  /**
   * Synthesize for a run that may destroy data (`--allow-destroy`): passed to the app as cdktf
   * context (lib/app/synth-context.ts), so DroverStacks leave `prevent_destroy` out.
   */
  readonly allowDestroy?: boolean;
}

interface Manifest {
  stacks: Record<string, { name: string; workingDirectory: string; synthesizedStackPath: string; annotations?: Array<{ level: string; message: string; constructPath: string }> }>;
  version: string;
}

type Json = Record<string, unknown>;

const count = (section: unknown) =>
  section && typeof section === "object" ? Object.values(section as Json).reduce<number>((n, v) => n + (v && typeof v === "object" ? Object.keys(v).length : 0), 0) : 0;

/** The cloud of a plain cdktf stack: the first provider it requires that drover knows (lib/clouds). */
function inferCloud(config: Json): StackInfo["cloud"] {
  const required = ((config.terraform as Json | undefined)?.required_providers ?? {}) as Json;
  const first = Object.keys(required)
    .map(cloudOfProvider)
    .find((c) => c !== undefined);
  if (!first) return { kind: "none", name: "none", region: "-", summary: "no cloud provider (Terraform built-ins only)" };
  return { kind: first.kind, name: first.kind, region: "-", summary: `${first.kind} (plain cdktf stack)` };
}

const loaded = new Set<string>();

/**
 * Loads cdktf (CommonJS) with a plain require before the app imports it. Imported through the
 * TypeScript loader instead, each of its internal requires would cross to the loader's thread,
 * which costs about 100 ms; the app's `import` then finds it already loaded.
 */
function preloadCommonJs(root: string): void {
  const require = createRequire(join(root, "package.json"));
  for (const name of ["constructs", "cdktf"]) {
    try {
      require(name);
    } catch {
      // Not installed in this project: the app's own import will report it.
    }
  }
}

/**
 * Runs the project's cdktf app in this process and synthesizes its stacks. The app's own
 * `app.synth()` writes into a staging directory; nothing in the output directory changes unless
 * the whole app succeeded. Only one app can run per process (its module is cached).
 */
export async function synthesizeApp(project: Project, options: SynthOptions): Promise<SynthResult & { cleanup(): Promise<void> }> {
  if (loaded.has(project.entry)) throw new Error(`the app ${project.entry} was already run in this process`);
  const started = performance.now();
  // Before anything runs or is written: a type error stops here, at the person's line.
  const typecheck = await typecheckApp(project);
  if (!typecheck.checked && typecheck.notice) appRunSettings().notice?.(typecheck.notice);
  loaded.add(project.entry);
  const shownOut = relative(project.root, project.outdir).startsWith("..") ? project.outdir : relative(project.root, project.outdir) || ".";
  const outputFix = `Set "output" in cdktf.json (now "${project.output}") to a directory drover may write, or clear what stands in its way.`;
  let staging: string;
  try {
    if (options.commit) await makeDirectory(project.outdir);
    staging = options.commit ? await mkdtemp(join(project.outdir, ".staging-")) : await mkdtemp(join(tmpdir(), "drover-synth-"));
  } catch (e) {
    throw fileWriteFailure(e, `the output directory ${shownOut}`, outputFix) ?? e;
  }
  const cleanup = () => rm(staging, { recursive: true, force: true });
  try {
    process.env.CDKTF_OUTDIR = staging;
    process.env.DROVER_OUTPUT_DIR = project.outdir;
    process.env.CHECKPOINT_DISABLE ??= "1";
    process.chdir(project.root);
    mark("synth: starting");
    preloadCommonJs(project.root);
    await ensureTypeScriptLoader();
    mark("synth: cdktf loaded");
    // The run's context reaches the app while its code runs, and no later app of this process.
    const restoreEnvironment = setEnvironment(synthEnvironment(options));
    const watch = watchApp(project, () => withPlainStackTraces(() => import(pathToFileURL(project.entry).href), project.root));
    try {
      await watch.done;
      await settleWrites();
    } catch (e) {
      await settleWrites().catch(() => undefined);
      throw fileWriteFailure(e, `the synthesized stacks in ${shownOut}`, outputFix) ?? appFailure(e, project);
    } finally {
      watch.dispose();
      restoreEnvironment();
    }
    mark("synth: app ran");
    const manifestPath = join(staging, "manifest.json");
    if (!existsSync(manifestPath)) {
      throw new ConfigError(`${project.appCommand} ran but synthesized nothing`, ["End the app with app.synth() (see main.ts in the drover repository)."]);
    }
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as Manifest;
    checkStackDirectories(project, manifest);
    const allStacks = Object.keys(manifest.stacks).sort();
    const selected = options.stacks?.length ? [...new Set(options.stacks)] : allStacks;
    const unknown = selected.filter((s) => !allStacks.includes(s));
    if (unknown.length > 0) {
      throw new UsageError(
        `no stack named ${orList(unknown.map((s) => `"${s}"`))} in ${project.appCommand}`,
        unknown
          .map((s) => nearestMatches(s, allStacks))
          .filter((n) => n.length)
          .map((n) => `did you mean ${orList(n)}?`)
          .concat([`Stacks: ${allStacks.join(", ") || "(none)"}`]),
      );
    }

    const app: Array<{ name: string; config: Json; info?: StackInfo }> = [];
    for (const name of options.app ? allStacks : []) {
      const entry = manifest.stacks[name]!;
      const infoPath = join(staging, entry.workingDirectory, "drover.json");
      const config = JSON.parse(await readFile(join(staging, entry.synthesizedStackPath), "utf8")) as Json;
      const info = existsSync(infoPath) ? (JSON.parse(await readFile(infoPath, "utf8")) as StackInfo) : undefined;
      app.push({ name, config, ...(info ? { info } : {}) });
    }

    const stacks: SynthesizedStack[] = [];
    for (const name of selected) {
      const entry = manifest.stacks[name]!;
      const stagedDir = join(staging, entry.workingDirectory);
      const infoPath = join(stagedDir, "drover.json");
      const info = existsSync(infoPath) ? (JSON.parse(await readFile(infoPath, "utf8")) as StackInfo) : undefined;
      // drover stacks count themselves at synth; a plain cdktf stack's JSON is read instead.
      const config = info?.counts ? undefined : (JSON.parse(await readFile(join(staging, entry.synthesizedStackPath), "utf8")) as Json);
      const counts = info?.counts ?? {
        resources: count(config!.resource),
        dataSources: count(config!.data),
        outputs: config!.output && typeof config!.output === "object" ? Object.keys(config!.output).length : 0,
      };
      const dir = options.commit ? join(project.outdir, entry.workingDirectory) : stagedDir;
      stacks.push({
        name,
        dir,
        configPath: join(dir, "cdk.tf.json"),
        ...counts,
        cloud: info?.cloud ?? inferCloud(config!),
        files: info?.files ?? [],
        warnings: (entry.annotations ?? []).filter((a) => a.level === "@cdktf/warn" || a.level === "WARN").map((a) => `${a.constructPath}: ${a.message}`),
        ...(info ? { info } : {}),
      });
    }

    if (options.commit) {
      const lock = await lockDirectory(project.outdir);
      try {
        await commitStacks(project, staging, manifest, selected, selected.length === allStacks.length);
      } catch (e) {
        throw fileWriteFailure(e, `the stacks into ${shownOut}`, outputFix) ?? e;
      } finally {
        lock.release();
      }
    }
    return { stacks, app, allStacks, outdir: options.commit ? project.outdir : staging, durationMs: performance.now() - started, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  } finally {
    if (options.commit) await cleanup();
  }
}

/** Sets `vars` in this process's environment; the function returned puts back what was there before. */
function setEnvironment(vars: Readonly<Record<string, string>>): () => void {
  const before = Object.keys(vars).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, vars);
  return () => {
    for (const [name, value] of before) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/**
 * Each stack's output directory must be `stacks/<name>` itself: a stack named "." or ".." (a
 * plain cdktf stack can be) would make its directory the output directory or the project, and
 * replacing it would delete them.
 */
function checkStackDirectories(project: Project, manifest: Manifest): void {
  const stacksDir = join(project.outdir, "stacks");
  const bad = Object.entries(manifest.stacks).filter(([name, s]) => {
    const dir = join(project.outdir, s.workingDirectory);
    return name === "." || name === ".." || dirname(dir) !== stacksDir || basename(dir) !== name;
  });
  if (bad.length === 0) return;
  throw new ConfigError(`${bad.map(([n]) => `stack "${n}"`).join(", ")} cannot have a directory of its own in ${relative(project.root, stacksDir) || "stacks"}`, [
    "Name each stack with letters, digits and '-' (a DroverStack's name is a DNS label, e.g. \"dev-vm\"); nothing was written.",
  ]);
}

/** Whether drover wrote `dir`: a stack's output holds its Terraform JSON. */
function isStackOutput(dir: string): boolean {
  return existsSync(join(dir, "cdk.tf.json")) || existsSync(join(dir, "drover.json"));
}

/**
 * Moves the staged stacks into the output directory. Terraform's working files in a stack's
 * directory (`.terraform/`, the lock file) survive, so a later plan does not re-initialise.
 * Nothing drover did not write is deleted: only directories the previous manifest lists and that
 * hold a stack's output are replaced or removed (with `"output": "."`, `stacks/` is the person's
 * own code).
 */
async function commitStacks(project: Project, staging: string, manifest: Manifest, selected: readonly string[], all: boolean): Promise<void> {
  const stacksDir = join(project.outdir, "stacks");
  await mkdir(stacksDir, { recursive: true });
  const manifestPath = join(project.outdir, "manifest.json");
  let previous: Manifest | undefined;
  if (existsSync(manifestPath)) {
    try {
      previous = JSON.parse(await readFile(manifestPath, "utf8")) as Manifest;
    } catch {
      // An unreadable old manifest is simply replaced; the directories it named are left alone.
    }
  }
  for (const name of selected) {
    const target = join(stacksDir, name);
    if (existsSync(target) && !isStackOutput(target)) {
      throw new ConfigError(`${relative(project.root, target)} exists and holds no synthesized stack: drover will not replace it`, [
        `Move it away, or set "output" in cdktf.json (now "${project.output}") to a directory of drover's own, e.g. "cdktf.out".`,
      ]);
    }
  }
  for (const name of selected) {
    const rel = manifest.stacks[name]!.workingDirectory;
    const target = join(project.outdir, rel);
    const staged = join(staging, rel);
    if (existsSync(target)) {
      for (const keep of await readdir(target)) {
        if (keep.startsWith(".terraform")) await rename(join(target, keep), join(staged, keep));
      }
      await rm(target, { recursive: true, force: true });
    }
    await rename(staged, target);
  }
  let merged: Manifest = { ...manifest, stacks: {} };
  if (!all && previous) {
    merged = { ...manifest, stacks: Object.fromEntries(Object.entries(previous.stacks ?? {}).filter(([n]) => isStackOutput(join(stacksDir, n)))) };
  }
  for (const name of selected) merged.stacks[name] = manifest.stacks[name]!;
  if (all && previous) {
    // Stacks the app no longer defines leave the output directory too: those drover wrote.
    for (const old of Object.keys(previous.stacks ?? {})) {
      const dir = join(stacksDir, old);
      if (!manifest.stacks[old] && old !== "." && old !== ".." && dirname(dir) === stacksDir && isStackOutput(dir)) await rm(dir, { recursive: true, force: true });
    }
  }
  await writeFile(manifestPath, `${JSON.stringify(merged, null, 2)}\n`);
}
