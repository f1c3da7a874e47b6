import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { run, start } from "../exec.ts";
import { ExternalError } from "../errors.ts";
import { LOCK_INFO_IS_ATTEMPT, failureFrom, parseLockInfo, type Diagnostic, type LockInfo } from "./diagnostics.ts";
import type { TerraformBinary } from "./find.ts";

/** What terraform reports while applying, as drover's typed events. */
export type ApplyEvent =
  | { readonly type: "start"; readonly address: string; readonly action: string }
  | { readonly type: "progress"; readonly address: string; readonly action: string; readonly elapsedSeconds: number }
  | { readonly type: "complete"; readonly address: string; readonly action: string; readonly elapsedSeconds: number }
  | { readonly type: "errored"; readonly address: string; readonly action: string; readonly elapsedSeconds: number }
  | { readonly type: "provisioner"; readonly address: string; readonly text: string }
  | { readonly type: "diagnostic"; readonly diagnostic: Diagnostic }
  | { readonly type: "summary"; readonly add: number; readonly change: number; readonly remove: number }
  | { readonly type: "interrupt"; readonly count: number };

export interface ApplyResult {
  readonly ok: boolean;
  readonly interrupted: boolean;
  /** Addresses whose apply errored. */
  readonly failed: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  /** The stack's outputs as the apply reported them (sensitive values left out by terraform). */
  readonly outputs?: Record<string, { value: unknown; sensitive: boolean }>;
}

interface JsonLine {
  type: string;
  "@message"?: string;
  hook?: { resource?: { addr?: string }; action?: string; elapsed_seconds?: number; output?: string };
  diagnostic?: { severity: "error" | "warning"; summary: string; detail?: string; address?: string };
  changes?: { add: number; change: number; remove: number };
  outputs?: Record<string, { value?: unknown; sensitive: boolean }>;
}

function toDiagnostic(d: NonNullable<JsonLine["diagnostic"]>): Diagnostic {
  return { severity: d.severity, summary: d.summary, detail: d.detail ?? "", ...(d.address ? { address: d.address } : {}) };
}

export interface InitOptions {
  /** Install providers only from this directory (`terraform init -plugin-dir`). */
  readonly pluginDir?: string;
}

export interface PlanOptions {
  readonly out: string;
  readonly destroy?: boolean;
  readonly lockTimeout?: string;
  readonly refresh?: boolean;
  /** Resources to replace whatever their changes say (`-replace`). */
  readonly replace?: readonly string[];
}

/**
 * One stack's terraform: runs in the stack's synthesized directory, with the environment
 * terraform needs to run unattended. Failures become drover errors (a locked state, protected
 * data, or terraform's own diagnostics); nothing here prints.
 */
export class Terraform {
  /** The state backend's type (`local`, `s3`, `pg`, ...): lock errors read differently per backend. */
  readonly backend: string;

  constructor(
    readonly binary: TerraformBinary,
    readonly stack: string,
    readonly dir: string,
    private readonly baseEnv: NodeJS.ProcessEnv = process.env,
    backend?: string,
  ) {
    this.backend = backend ?? backendOf(dir);
  }

  get env(): NodeJS.ProcessEnv {
    return { ...this.baseEnv, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
  }

  private run(args: string[]) {
    return run(this.binary.path, args, { cwd: this.dir, env: this.env });
  }

  /**
   * `terraform init`, skipped when nothing it depends on changed since the last one: the
   * `terraform` block of the configuration (providers, backend) and the plugin directory.
   */
  async init(options: InitOptions = {}): Promise<{ ran: boolean }> {
    const config = JSON.parse(await readFile(join(this.dir, "cdk.tf.json"), "utf8")) as { terraform?: { required_providers?: Record<string, unknown> } };
    const key = createHash("sha256")
      .update(JSON.stringify([config.terraform ?? null, options.pluginDir ?? null, this.binary.path, this.binary.version]))
      .digest("hex");
    const marker = join(this.dir, ".terraform", "drover-init.json");
    // A configuration without providers (Terraform built-ins only) gets no lock file.
    const needsLock = Object.keys(config.terraform?.required_providers ?? {}).length > 0;
    if (existsSync(marker) && (!needsLock || existsSync(join(this.dir, ".terraform.lock.hcl")))) {
      const previous = JSON.parse(await readFile(marker, "utf8")) as { key?: string };
      if (previous.key === key) return { ran: false };
    }
    const args = ["init", "-input=false", "-no-color", "-reconfigure"];
    if (options.pluginDir) args.push(`-plugin-dir=${options.pluginDir}`);
    const r = await this.run(args);
    if (r.exitCode !== 0) {
      throw failureFrom(this.stack, "init", [], `${String(r.stdout)}\n${String(r.stderr)}`, this.backend);
    }
    await writeFile(marker, JSON.stringify({ key }));
    return { ran: true };
  }

  /** `terraform plan -out`; resolves to whether there are changes. */
  async plan(options: PlanOptions): Promise<{ changes: boolean; diagnostics: Diagnostic[] }> {
    const args = ["plan", "-input=false", "-json", "-detailed-exitcode", `-out=${options.out}`, `-lock-timeout=${options.lockTimeout ?? "0s"}`];
    if (options.destroy) args.push("-destroy");
    if (options.refresh === false) args.push("-refresh=false");
    for (const address of options.replace ?? []) args.push(`-replace=${address}`);
    const r = await this.run(args);
    const diagnostics = String(r.stdout)
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        try {
          return JSON.parse(l) as JsonLine;
        } catch {
          return undefined;
        }
      })
      .filter((l): l is JsonLine => l?.type === "diagnostic" && Boolean(l.diagnostic))
      .map((l) => toDiagnostic(l.diagnostic!));
    if (r.exitCode === 0 || r.exitCode === 2) return { changes: r.exitCode === 2, diagnostics };
    throw failureFrom(this.stack, "plan", diagnostics, String(r.stderr), this.backend);
  }

  /** `terraform show -json` of a saved plan. */
  async show(planFile: string): Promise<unknown> {
    const r = await this.run(["show", "-json", planFile]);
    if (r.exitCode !== 0) throw failureFrom(this.stack, "show", [], String(r.stderr), this.backend);
    return JSON.parse(String(r.stdout));
  }

  /** `terraform output -json`: the stack's outputs with their sensitivity. */
  async outputs(): Promise<Record<string, { value: unknown; sensitive: boolean; type?: unknown }>> {
    const r = await this.run(["output", "-json"]);
    if (r.exitCode !== 0) throw failureFrom(this.stack, "output", [], String(r.stderr), this.backend);
    return JSON.parse(String(r.stdout) || "{}") as Record<string, { value: unknown; sensitive: boolean }>;
  }

  /**
   * Who holds the state lock now, if anyone: a command that takes the lock and changes nothing
   * (`state rm -dry-run` of an address that cannot exist) either gets it, or reports the holder.
   */
  async lockHolder(): Promise<LockInfo | undefined> {
    const r = await this.run(["state", "rm", "-dry-run", "-no-color", "-lock-timeout=0s", "terraform_data.drover_lock_probe"]);
    const text = `${String(r.stdout)}\n${String(r.stderr)}`;
    return /Error acquiring the state lock|Lock Info:/.test(text) ? (parseLockInfo(text, LOCK_INFO_IS_ATTEMPT.has(this.backend)) ?? {}) : undefined;
  }

  async forceUnlock(lockId: string): Promise<void> {
    const r = await this.run(["force-unlock", "-force", lockId]);
    if (r.exitCode !== 0) throw failureFrom(this.stack, "force-unlock", [], `${String(r.stdout)}\n${String(r.stderr)}`, this.backend);
  }

  /**
   * `terraform apply` of a saved plan, never a fresh plan, reporting events as they come.
   * Terraform runs in its own session and process group: a Ctrl-C, or the hang-up of a closed
   * terminal or dropped SSH session, reaches drover only, which passes the first one on
   * (terraform then stops cleanly and writes its state) and explains the later ones instead of
   * killing it. SIGHUP is handled like SIGTERM. drover keeps reading terraform's output to the
   * end whatever happens to its own (lib/cli/main.ts ignores a closed terminal), so terraform
   * never dies on a broken pipe.
   */
  async apply(planFile: string, onEvent: (e: ApplyEvent) => void, options: { lockTimeout?: string } = {}): Promise<ApplyResult> {
    const child = start(this.binary.path, ["apply", "-input=false", "-json", `-lock-timeout=${options.lockTimeout ?? "0s"}`, planFile], {
      cwd: this.dir,
      env: this.env,
      detached: true,
    });
    const stderr: Buffer[] = [];
    child.stderr!.on("data", (d: Buffer) => stderr.push(d));
    const exited = new Promise<number>((resolve) => {
      child.on("error", () => resolve(127));
      child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    let interrupts = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupts++;
      if (interrupts === 1) child.kill(signal === "SIGINT" ? "SIGINT" : "SIGTERM");
      onEvent({ type: "interrupt", count: interrupts });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("SIGHUP", onSignal);
    const failed = new Set<string>();
    const diagnostics: Diagnostic[] = [];
    let outputs: ApplyResult["outputs"];
    try {
      const lines = createInterface({ input: child.stdout! });
      for await (const raw of lines) {
        let line: JsonLine;
        try {
          line = JSON.parse(raw) as JsonLine;
        } catch {
          continue;
        }
        const address = line.hook?.resource?.addr ?? "";
        const action = line.hook?.action ?? "";
        const elapsedSeconds = line.hook?.elapsed_seconds ?? 0;
        switch (line.type) {
          case "apply_start":
            onEvent({ type: "start", address, action });
            break;
          case "apply_progress":
            onEvent({ type: "progress", address, action, elapsedSeconds });
            break;
          case "apply_complete":
            onEvent({ type: "complete", address, action, elapsedSeconds });
            break;
          case "apply_errored":
            failed.add(address);
            onEvent({ type: "errored", address, action, elapsedSeconds });
            break;
          case "provision_progress":
            if (line.hook?.output) onEvent({ type: "provisioner", address, text: line.hook.output });
            break;
          case "diagnostic":
            if (line.diagnostic) {
              const d = toDiagnostic(line.diagnostic);
              diagnostics.push(d);
              onEvent({ type: "diagnostic", diagnostic: d });
            }
            break;
          case "change_summary":
            if (line.changes) onEvent({ type: "summary", ...line.changes });
            break;
          case "outputs":
            outputs = Object.fromEntries(Object.entries(line.outputs ?? {}).map(([k, o]) => [k, { value: o.sensitive ? null : (o.value ?? null), sensitive: o.sensitive }]));
            break;
        }
      }
      const exitCode = await exited;
      if (exitCode !== 0 && failed.size === 0) {
        const errorDiagnostics = diagnostics.filter((d) => d.severity === "error");
        if (errorDiagnostics.length === 0 || errorDiagnostics.some((d) => /Lock Info:|state lock/i.test(`${d.summary} ${d.detail}`))) {
          throw failureFrom(this.stack, "apply", diagnostics, Buffer.concat(stderr).toString("utf8"), this.backend);
        }
      }
      return { ok: exitCode === 0, interrupted: interrupts > 0, failed: [...failed], diagnostics, ...(outputs ? { outputs } : {}) };
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      process.off("SIGHUP", onSignal);
    }
  }
}

/** The backend type named in a stack directory's configuration (`local` when none is). */
function backendOf(dir: string): string {
  try {
    const config = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as { terraform?: { backend?: Record<string, unknown> } };
    return Object.keys(config.terraform?.backend ?? {})[0] ?? "local";
  } catch {
    return "local";
  }
}

export function assertJsonPlan(value: unknown): asserts value is { format_version: string } {
  if (!value || typeof value !== "object" || typeof (value as { format_version?: unknown }).format_version !== "string") {
    throw new ExternalError("terraform show -json did not print a plan");
  }
}
