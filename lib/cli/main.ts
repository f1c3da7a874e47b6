import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import pc from "picocolors";
import { ConfigError, ExitCode, UsageError, isDroverError } from "../errors.ts";
import { userFrame } from "../app/app-errors.ts";
import { mark } from "../timing.ts";
import { packageRoot } from "../paths.ts";
import type { Io, Registrar, Run } from "./registrar.ts";
import { registerInit } from "./register/init.ts";
import { registerSynth } from "./register/synth.ts";
import { registerList } from "./register/list.ts";
import { registerValidate } from "./register/validate.ts";
import { registerPlan } from "./register/plan.ts";
import { registerDeploy } from "./register/deploy.ts";
import { registerShelve } from "./register/shelve.ts";
import { registerGraph } from "./register/graph.ts";
import { registerOutput } from "./register/output.ts";
import { registerUnlock } from "./register/unlock.ts";
import { registerSize } from "./register/size.ts";
import { registerCost } from "./register/cost.ts";
import { registerCompletion } from "./register/completion.ts";

export type { Io } from "./registrar.ts";

/**
 * The `drover` command table. Each command lives in `commands/<name>.ts`, loaded only when it
 * runs (so `drover --help` stays fast), takes typed options and returns data; its registrar,
 * `register/<name>.ts`, adds it to the program with its options and prints its outcome, as text
 * or, with `--json`, as the data itself. Commands throw; only `main` picks the exit code (see
 * lib/errors.ts for the table).
 */

/** The commands, in the order `drover --help` lists them. */
const COMMANDS: readonly Registrar[] = [
  registerInit,
  registerSynth,
  registerList,
  registerValidate,
  registerPlan,
  registerDeploy, // and destroy
  registerShelve, // and unshelve
  registerGraph,
  registerOutput,
  registerUnlock,
  registerSize,
  registerCost,
  registerCompletion,
];

/**
 * The process's own streams. A reader that went away (`drover plan --json | head -c 100`) or a
 * terminal that closed (an SSH session dropped during a deploy) makes writes fail with EPIPE or
 * EIO: drover then stops writing to that stream and carries on, so a running terraform is never
 * cut short by the output it can no longer show.
 */
const closed = new Set<NodeJS.WriteStream>();
function guardStream(stream: NodeJS.WriteStream): void {
  if ((stream as { droverGuarded?: boolean }).droverGuarded) return;
  (stream as { droverGuarded?: boolean }).droverGuarded = true;
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE" || e.code === "EIO" || e.code === "ECONNRESET" || e.code === "ERR_STREAM_DESTROYED") closed.add(stream);
    else throw e;
  });
}
function write(stream: NodeJS.WriteStream, text: string): void {
  guardStream(stream);
  if (closed.has(stream) || stream.destroyed) return;
  try {
    stream.write(text.endsWith("\n") ? text : `${text}\n`);
  } catch {
    closed.add(stream);
  }
}

const defaultIo: Io = {
  out: (t) => write(process.stdout, t),
  err: (t) => write(process.stderr, t),
};

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/** `30s`, `2m`, `1h`, `500ms` in milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60_000 : n * 3_600_000;
}

function build(io: Io, run: Run): Command {
  const program = new Command("drover")
    .description("Research-computing stacks in TypeScript, synthesized to Terraform for Jetstream2 and other clouds.")
    .version(version(), "-V, --version")
    .addOption(new Option("-C, --cwd <dir>", "run in this project directory").default(process.cwd(), "the current directory"))
    .option("--no-typecheck", "synthesize without type-checking the app first (default: check it with the project's TypeScript and tsconfig.json)")
    .addOption(new Option("--timeout <duration>", "stop when the app has not built its stacks after this long, e.g. 30s or 2m (default: wait, with a notice after 5 s)"))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s.trimEnd()), outputError: () => undefined })
    .addHelpText(
      "after",
      `
Exit codes: 0 ok, 1 check or apply failed (or declined), 2 usage or configuration error,
3 external tool failed (terraform, a locked state), 70 internal error (a bug in drover),
130 interrupted. plan --detailed-exitcode: 0 no changes, 1 error, 2 changes.`,
    );

  // How long the person's app may take to build its stacks, and where drover says it is waiting.
  program.hook("preAction", async (_, action) => {
    const { appRunSettings } = await import("../app/run-app.ts");
    const settings = appRunSettings();
    settings.notice = (text) => io.err(pc.dim(text));
    if ((action.optsWithGlobals() as { typecheck?: boolean }).typecheck === false) {
      const { typecheckSettings } = await import("../app/typecheck.ts");
      typecheckSettings().enabled = false;
    }
    const timeout = (action.optsWithGlobals() as { timeout?: string }).timeout;
    if (timeout === undefined) return;
    const ms = parseDuration(timeout);
    if (ms === undefined || ms === 0) throw new UsageError(`--timeout "${timeout}" is not a duration`, ["Use a number with a unit: 30s, 2m, 1h."]);
    settings.timeoutMs = ms;
  });

  for (const register of COMMANDS) register(program, { io, run });
  return program;
}

/**
 * A message's text with control characters written as escapes: a value quoted in a message (an
 * image name, a key's comment) never drives the terminal it is printed on.
 */
function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function printError(io: Io, json: boolean, e: unknown): number {
  if (isDroverError(e)) {
    if (json) {
      io.out(JSON.stringify({ error: { kind: e.name, message: e.message, details: e.details, exitCode: e.exitCode } }, null, 2));
    } else {
      io.err(`${pc.red("Error:")} ${printable(e.message)}`);
      for (const d of e.details) io.err(`  ${printable(d)}`);
      if (process.env.DROVER_DEBUG && e.stack) io.err(pc.dim(e.stack));
    }
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.err(`${pc.red("Internal error:")} ${err.message}`);
  io.err(pc.dim(err.stack ?? ""));
  io.err("This is a bug in drover. Please report it with the output above and the command you ran.");
  return ExitCode.Internal;
}

/**
 * An error nothing caught, outside the app's own run (which lib/app/run-app.ts watches): a timer
 * the app left behind, or a bug. Printed, and the exit code says so; drover is not cut short,
 * since it may be waiting for terraform to save its state.
 */
function guardProcess(io: Io, setLate: (code: number) => void): void {
  const KEY = Symbol.for("drover.processGuard");
  const g = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (g[KEY]) return;
  g[KEY] = true;
  const report = (event: "uncaughtException" | "unhandledRejection") => (e: unknown) => {
    // While an app runs, its watcher reports this with the app's name and line.
    if (process.listenerCount(event) > 1) return;
    // A frame in the person's code: their app's leftover timer or callback, not a bug in drover.
    const frame = isDroverError(e) ? undefined : userFrame(e, process.cwd());
    const error = frame
      ? new ConfigError(`the app threw after it built its stacks (in a timer or a callback): ${e instanceof Error ? e.message : String(e)}`, [
          `at ${frame}`,
          "drover carried on; catch the error in the app, or clear its timers once the stacks are built.",
        ])
      : e;
    setLate(printError(io, false, error));
  };
  process.on("uncaughtException", report("uncaughtException"));
  process.on("unhandledRejection", report("unhandledRejection"));
}

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  mark("cli started");
  let exit: number = ExitCode.Ok;
  let late: number | undefined;
  if (io === defaultIo) {
    guardStream(process.stdout);
    guardStream(process.stderr);
  }
  const real = io === defaultIo;
  // Nothing drover prints shows a secret from its environment, unless asked to (output --show-sensitive).
  if (!argv.includes("--show-sensitive")) {
    const { maskSecrets, secretValues } = await import("../secrets-mask.ts");
    const secrets = secretValues();
    if (secrets.length > 0) {
      const inner = io;
      io = { out: (t) => inner.out(maskSecrets(t, secrets)), err: (t) => inner.err(maskSecrets(t, secrets)) };
    }
  }
  if (real) guardProcess(io, (code) => (late ??= code));
  const jsonRequested = argv.includes("--json");
  const program = build(io, async (json, work, options = {}) => {
    try {
      const result = await work();
      io.out(json ? JSON.stringify(result.data, null, 2) : result.text);
      exit = result.exit ?? ExitCode.Ok;
    } catch (e) {
      const code = printError(io, json, e);
      // Like terraform's -detailed-exitcode: every error is 1, since 2 means "changes".
      exit = options.detailedExitCode ? ExitCode.Failed : code;
    }
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return late ?? exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return ExitCode.Ok;
      if (e.code === "commander.executeSubCommandAsync") return ExitCode.Ok;
      // Commander puts its suggestion on a second line, in brackets: make it a detail line.
      const [first = "", ...rest] = e.message.replace(/^error: /, "").split("\n");
      const hints = rest.map((l) => l.replace(/^\((.*)\)$/, "$1")).filter(Boolean);
      const usage = new UsageError(first, [...hints, "Run drover --help for the commands and options."]);
      return printError(io, jsonRequested, usage);
    }
    return printError(io, jsonRequested, e);
  }
}
