import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import pc from "picocolors";
import { ExitCode, UsageError, isDroverError } from "../errors.ts";

/**
 * The `drover` command table. Each command lives in `commands/<name>.ts`, loaded only when it
 * runs (so `drover --help` stays fast), takes typed options and returns data; printing happens
 * here, as text or, with `--json`, as the data itself. Commands throw; only `main` picks the
 * exit code (see lib/errors.ts for the table).
 */

interface Io {
  out(text: string): void;
  err(text: string): void;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
};

interface Common {
  json?: boolean;
  cwd?: string;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function build(io: Io, run: (json: boolean, work: () => Promise<{ data: unknown; text: string; exit?: ExitCode }>) => Promise<void>): Command {
  const program = new Command("drover")
    .description("Research-computing stacks in TypeScript, synthesized to Terraform for Jetstream2 and other clouds.")
    .version(version(), "-V, --version")
    .addOption(new Option("-C, --cwd <dir>", "run in this project directory").default(process.cwd(), "the current directory"))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s.trimEnd()), outputError: () => undefined })
    .addHelpText(
      "after",
      `
Exit codes: 0 ok, 1 check failed (validate found errors), 2 usage or configuration error,
3 external tool failed, 70 internal error (a bug in drover).`,
    );

  const cwdOf = (cmd: Command) => (cmd.optsWithGlobals() as Common).cwd ?? process.cwd();

  program
    .command("synth")
    .description("synthesize stacks to Terraform JSON in cdktf.out/stacks/<stack>/ (no cloud, no terraform needed)")
    .argument("[stacks...]", "stacks to synthesize (default: all)")
    .option("--json", "print the result as JSON")
    .action(async (stacks: string[], opts: Common, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { synth } = await import("./commands/synth.ts");
        const { renderSynth } = await import("./render.ts");
        const data = await synth({ cwd: cwdOf(cmd), stacks });
        return { data, text: renderSynth(data) };
      }),
    );

  program
    .command("list")
    .alias("ls")
    .description("list the app's stacks with their cloud and resource counts")
    .option("--json", "print the result as JSON")
    .action(async (opts: Common, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { list } = await import("./commands/list.ts");
        const { renderList } = await import("./render.ts");
        const data = await list({ cwd: cwdOf(cmd) });
        return { data, text: renderList(data) };
      }),
    );

  program
    .command("validate")
    .description("check each stack's Terraform against the provider schemas, offline (exit 1 on errors)")
    .argument("[stacks...]", "stacks to validate (default: all)")
    .option("--json", "print the result as JSON")
    .action(async (stacks: string[], opts: Common, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { validate } = await import("./commands/validate.ts");
        const { renderValidate } = await import("./render.ts");
        const data = await validate({ cwd: cwdOf(cmd), stacks });
        return { data, text: renderValidate(data), exit: data.valid ? ExitCode.Ok : ExitCode.Failed };
      }),
    );
  return program;
}

function printError(io: Io, json: boolean, e: unknown): ExitCode {
  if (isDroverError(e)) {
    if (json) {
      io.out(JSON.stringify({ error: { kind: e.name, message: e.message, details: e.details, exitCode: e.exitCode } }, null, 2));
    } else {
      io.err(`${pc.red("Error:")} ${e.message}`);
      for (const d of e.details) io.err(`  ${d}`);
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

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<ExitCode> {
  let exit: ExitCode = ExitCode.Ok;
  const jsonRequested = argv.includes("--json");
  const program = build(io, async (json, work) => {
    const result = await work();
    io.out(json ? JSON.stringify(result.data, null, 2) : result.text);
    exit = result.exit ?? ExitCode.Ok;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exit;
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
