import type { Command } from "commander";
import { UsageError } from "../errors.ts";

/**
 * What every command's registrar (`register/<name>.ts`) shares: the streams, the runner that prints
 * a command's outcome and maps its errors to an exit code, and the flags several commands take.
 * Light on purpose: main.ts imports it and every registrar at start, so `drover --help` loads
 * nothing a command needs only when it runs.
 */

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface Common {
  json?: boolean;
  cwd?: string;
}

export interface TerraformFlags extends Common {
  terraformBinary?: string;
  pluginDir?: string;
  lockTimeout?: string;
  allowDestroy?: boolean;
  verbose?: boolean;
}

export interface Outcome {
  data: unknown;
  text: string;
  exit?: number;
}

export type Run = (json: boolean, work: () => Promise<Outcome>, options?: { detailedExitCode?: boolean }) => Promise<void>;

export interface CommandContext {
  readonly io: Io;
  readonly run: Run;
}

/** Adds one command (or a family of them) to the program, with its options and its action. */
export type Registrar = (program: Command, ctx: CommandContext) => void;

/** The project directory a command runs in: `--cwd`, or the current directory. */
export const cwdOf = (cmd: Command) => (cmd.optsWithGlobals() as Common).cwd ?? process.cwd();

const LOCK_TIMEOUT = /^\d+(ms|s|m|h)$/;

export function withTerraformOptions(cmd: Command): Command {
  return cmd
    .option("--terraform-binary <path>", "terraform or tofu to run (default: DROVER_TERRAFORM, then tofu or terraform on PATH)")
    .option("--plugin-dir <dir>", "install providers only from this directory (terraform init -plugin-dir)")
    .option("--lock-timeout <duration>", "wait this long for a locked state, e.g. 30s or 5m", "0s");
}

export function terraformOptions(opts: TerraformFlags, cwd: string) {
  if (opts.lockTimeout && !LOCK_TIMEOUT.test(opts.lockTimeout)) {
    throw new UsageError(`--lock-timeout "${opts.lockTimeout}" is not a duration`, ["Use a number with a unit: 0s, 30s, 5m, 1h."]);
  }
  return {
    cwd,
    ...(opts.terraformBinary ? { terraformBinary: opts.terraformBinary } : {}),
    ...(opts.pluginDir ? { pluginDir: opts.pluginDir } : {}),
    ...(opts.lockTimeout ? { lockTimeout: opts.lockTimeout } : {}),
    ...(opts.allowDestroy ? { allowDestroy: true } : {}),
  };
}

/** `--policy-level`: error (the default), warning or off. */
export function policyLevelOf(value: string | undefined): "error" | "warning" | "off" {
  const level = value ?? "error";
  if (level === "error" || level === "warning" || level === "off") return level;
  throw new UsageError(`--policy-level "${level}" is not a level`, ["Use error (fail on errors, the default), warning (fail on warnings too) or off."]);
}
