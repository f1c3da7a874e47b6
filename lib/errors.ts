/**
 * The project's errors. Commands throw; only the CLI's `main` turns an error into output and an
 * exit code, in one place (see `lib/cli/main.ts`).
 *
 * | exit | meaning |
 * | ---- | ------- |
 * | 0 | success |
 * | 1 | the check ran and found problems (`drover validate` errors) |
 * | 2 | usage or configuration error: bad flags, bad stack props, an app that throws |
 * | 3 | an external tool or service failed: terraform missing or failing, a locked state |
 * | 70 | internal error: a bug in drover; the stack trace is printed with how to report it |
 * | 130 | interrupted (Ctrl-C) while terraform was applying; terraform stopped cleanly |
 *
 * `plan --detailed-exitcode` follows terraform instead: 0 no changes, 2 changes, 1 any error.
 */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  Usage: 2,
  External: 3,
  Internal: 70,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One problem with a user's input: where it is, and a message that says what to do. */
export interface Issue {
  /** Stable identifier, e.g. `vm.unknown-size`. */
  readonly code: string;
  /** Construct path (`dev-vm/box`) or config path (`cdktf.json: app`). */
  readonly path: string;
  readonly message: string;
}

const BRAND = Symbol.for("drover.error");

/** Base of every error drover expects: it carries its exit code and is printed without a stack. */
export abstract class DroverError extends Error {
  abstract readonly exitCode: ExitCode;
  /** Recognised across module copies (a user's app may load its own copy of drover). */
  readonly [BRAND] = true;
  /** Lines printed under the message (one problem per line). */
  readonly details: readonly string[];
  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Bad command-line usage: unknown flag, unknown stack name. */
export class UsageError extends DroverError {
  readonly exitCode = ExitCode.Usage;
}

/** A configuration file or the user's app is wrong: cdktf.json, a stack file that throws. */
export class ConfigError extends DroverError {
  readonly exitCode = ExitCode.Usage;
}

/** A tool or service outside drover failed or is missing. */
export class ExternalError extends DroverError {
  readonly exitCode = ExitCode.External;
}

/** A check ran and found problems: the command worked, the input did not pass. */
export class CheckFailedError extends DroverError {
  readonly exitCode = ExitCode.Failed;
}

/** The person stopped drover (Ctrl-C at a question) before it changed anything. */
export class InterruptedError extends DroverError {
  readonly exitCode = ExitCode.Interrupted;
}

/**
 * Invalid construct props. Thrown by a construct after it has checked all of its props, so the
 * person sees every problem at once, each as `path: message`.
 */
export class ValidationError extends DroverError {
  readonly exitCode = ExitCode.Usage;
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[]) {
    const first = issues[0];
    // One problem is the message itself; repeating it as a detail line would print it twice.
    super(issues.length === 1 && first ? `${first.path}: ${first.message}` : `${issues.length} problems in the stack's props`, issues.length === 1 ? [] : issues.map((i) => `${i.path}: ${i.message}`));
    this.issues = issues;
  }
  /** The stable code of the first issue, for tests and scripts. */
  get code(): string {
    return this.issues[0]?.code ?? "validation";
  }
}

/**
 * Collects issues while checking props, then throws them together. A check function pushes with
 * `add`; `throwIfAny` ends the check.
 */
export class IssueCollector {
  private readonly items: Issue[] = [];
  constructor(private readonly path: string) {}
  add(code: string, message: string, path = this.path): void {
    this.items.push({ code, path, message });
  }
  get issues(): readonly Issue[] {
    return this.items;
  }
  throwIfAny(): void {
    if (this.items.length > 0) throw new ValidationError(this.items);
  }
}

export function isDroverError(e: unknown): e is DroverError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}
