import { spawn, type ChildProcess } from "node:child_process";

/**
 * Running tools (terraform, git) as child processes, on Node's own child_process. execa would do
 * the same, but it is about a hundred ES modules: under the TypeScript loader each costs a round
 * trip to the loader's thread, and together they added ~200 ms to every terraform command.
 */
export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The tool could not be started (ENOENT, EACCES). */
  readonly notFound: boolean;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs a command to completion, collecting its output; never throws for a failing command. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    } catch {
      resolve({ exitCode: 127, stdout: "", stderr: "", notFound: true });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.on("data", (d: Buffer) => err.push(d));
    const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGTERM"), options.timeoutMs) : undefined;
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      resolve({ exitCode: 127, stdout: "", stderr: e.message, notFound: e.code === "ENOENT" || e.code === "EACCES" });
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), notFound: false });
    });
  });
}

/** Starts a long-running command whose output is read as it comes (terraform apply -json). */
export function start(command: string, args: readonly string[], options: RunOptions & { detached?: boolean } = {}): ChildProcess {
  return spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: options.detached ?? false });
}
