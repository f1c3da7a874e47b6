import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { Argument, Command, CommanderError, Option } from "commander";
import pc from "picocolors";
import { ConfigError, ExitCode, UsageError, isDroverError } from "../errors.ts";
import { userFrame } from "../app/app-errors.ts";
import { mark } from "../timing.ts";
import { packageRoot } from "../paths.ts";
import { INIT_TEMPLATES } from "../init/kinds.ts";
import { SHELLS } from "./commands/completion.ts";

/**
 * The `drover` command table. Each command lives in `commands/<name>.ts`, loaded only when it
 * runs (so `drover --help` stays fast), takes typed options and returns data; printing happens
 * here, as text or, with `--json`, as the data itself. Commands throw; only `main` picks the
 * exit code (see lib/errors.ts for the table).
 */

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

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

interface Common {
  json?: boolean;
  cwd?: string;
}

interface TerraformFlags extends Common {
  terraformBinary?: string;
  pluginDir?: string;
  lockTimeout?: string;
  allowDestroy?: boolean;
  verbose?: boolean;
}

interface Outcome {
  data: unknown;
  text: string;
  exit?: number;
}

type Run = (json: boolean, work: () => Promise<Outcome>, options?: { detailedExitCode?: boolean }) => Promise<void>;

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

const LOCK_TIMEOUT = /^\d+(ms|s|m|h)$/;

/** `30s`, `2m`, `1h`, `500ms` in milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60_000 : n * 3_600_000;
}

function withTerraformOptions(cmd: Command): Command {
  return cmd
    .option("--terraform-binary <path>", "terraform or tofu to run (default: DROVER_TERRAFORM, then tofu or terraform on PATH)")
    .option("--plugin-dir <dir>", "install providers only from this directory (terraform init -plugin-dir)")
    .option("--lock-timeout <duration>", "wait this long for a locked state, e.g. 30s or 5m", "0s");
}

function terraformOptions(opts: TerraformFlags, cwd: string) {
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
function policyLevelOf(value: string | undefined): "error" | "warning" | "off" {
  const level = value ?? "error";
  if (level === "error" || level === "warning" || level === "off") return level;
  throw new UsageError(`--policy-level "${level}" is not a level`, ["Use error (fail on errors, the default), warning (fail on warnings too) or off."]);
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

  const cwdOf = (cmd: Command) => (cmd.optsWithGlobals() as Common).cwd ?? process.cwd();

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

  program
    .command("init")
    .description("start a project of your own: package.json, cdktf.json, main.ts, a stack, its test, .gitignore (never replaces a file)")
    .argument("[dir]", "the project directory, created when missing", ".")
    .addOption(new Option("-t, --template <name>", "the stack to start from (asked on a terminal when left out)").choices(INIT_TEMPLATES))
    .option("--name <name>", "the project's and its stack's name (default: from the directory's name)")
    .option("--drover <spec>", "how the project depends on drover: a version, tarball or git URL (default: as this drover was installed)")
    .option("--json", "print the result as JSON")
    .action(async (dir: string, opts: Common & { template?: string; name?: string; drover?: string }, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { init, renderInit } = await import("./commands/init.ts");
        const { canAsk, chooseOnTerminal } = await import("./prompt.ts");
        const cwd = cwdOf(cmd);
        const data = await init({
          cwd,
          dir,
          ...(opts.template ? { template: opts.template } : {}),
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.drover !== undefined ? { drover: opts.drover } : {}),
          ...(!opts.json && canAsk() ? { ask: (choices) => chooseOnTerminal("Which stack should the project start with?", choices) } : {}),
        });
        return { data, text: renderInit(data, cwd) };
      }),
    );

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
    .description("list the app's stacks with their cloud, resource counts, expiry and shelved state")
    .option("--expired", "only stacks whose expiresAt has passed (exit 1 when there are any)")
    .option("--json", "print the result as JSON")
    .action(async (opts: Common & { expired?: boolean }, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { list } = await import("./commands/list.ts");
        const { renderList } = await import("./render.ts");
        const data = await list({ cwd: cwdOf(cmd), ...(opts.expired ? { expired: true } : {}) });
        return { data, text: renderList(data, Boolean(opts.expired)), exit: opts.expired && data.stacks.length > 0 ? ExitCode.Failed : ExitCode.Ok };
      }),
    );

  program
    .command("validate")
    .description("check each stack's Terraform against the provider schemas and the security policy, offline (exit 1 on errors)")
    .argument("[stacks...]", "stacks to validate (default: all)")
    .option("--policy-level <level>", "policy findings that make a stack invalid: error, warning or off", "error")
    .option("--json", "print the result as JSON")
    .action(async (stacks: string[], opts: Common & { policyLevel?: string }, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { validate } = await import("./commands/validate.ts");
        const { renderValidate } = await import("./render.ts");
        const data = await validate({ cwd: cwdOf(cmd), stacks, policyLevel: policyLevelOf(opts.policyLevel) });
        return { data, text: renderValidate(data), exit: data.valid ? ExitCode.Ok : ExitCode.Failed };
      }),
    );

  withTerraformOptions(
    program
      .command("plan")
      .description("show what a deploy would change, grouped by construct (terraform, or --offline without it)")
      .argument("[stacks...]", "stacks to plan (default: all)")
      .option("--offline", "compare with the last deploy's synthesis instead: no credentials, no terraform")
      .option("--against <git-ref>", "with --offline: compare with the stack as it was at this commit")
      .option("--markdown", "print Markdown, for a pull-request comment")
      .option("--json", "print the plan model as JSON")
      .option("-v, --verbose", "show every attribute that changes")
      .option("--detailed-exitcode", "exit 0 for no changes, 2 for changes, 1 for errors (like terraform)")
      .option("--allow-destroy", "plan as deploy --allow-destroy would (protected data may be destroyed)")
      .option("--policy-level <level>", "policy findings that fail the plan: error, warning or off", "error")
      .option("--html", "also write each stack's plan as a page with its picture (cdktf.out/stacks/<stack>/plan.html)")
      .option("--out <file>", "save the stack's plan for review, to apply exactly it later with drover deploy <file> (holds the stack's values: keep it like state)"),
  ).action(async (stacks: string[], opts: TerraformFlags & { offline?: boolean; against?: string; markdown?: boolean; detailedExitcode?: boolean; policyLevel?: string; html?: boolean; out?: string }, cmd: Command) =>
    run(
      Boolean(opts.json),
      async () => {
        const { plan } = await import("./commands/plan.ts");
        const { renderPlanText, renderPlanMarkdown } = await import("../plan/render.ts");
        const { renderStackChecks } = await import("../checks/stack-checks.ts");
        const data = await plan({
          ...terraformOptions(opts, cwdOf(cmd)),
          stacks,
          ...(opts.offline ? { offline: true } : {}),
          ...(opts.against ? { against: opts.against } : {}),
          policyLevel: policyLevelOf(opts.policyLevel),
          ...(opts.html ? { html: true } : {}),
          ...(opts.out ? { out: opts.out } : {}),
        });
        const text = data.plans
          .map(({ plan: p, target, checks, htmlPath }) =>
            [
              opts.markdown ? renderPlanMarkdown(p, { target }) : renderPlanText(p, { verbose: Boolean(opts.verbose), target }),
              renderStackChecks(checks),
              ...(htmlPath ? [`Plan page: ${relative(process.cwd(), htmlPath) || htmlPath}`] : []),
            ].join("\n"),
          )
          .join("\n\n");
        const changed = data.plans.some(({ plan: p }) => p.hasChanges);
        const saved = data.saved
          ? `\n\nSaved the plan to ${relative(cwdOf(cmd), data.saved) || data.saved}: apply exactly it with drover deploy ${relative(cwdOf(cmd), data.saved) || data.saved}` +
            " (it holds the stack's values in clear text: keep it like state, out of git)."
          : "";
        // Quota exceeded or policy failed: the plan is not fit to apply.
        if (data.failed) return { data, text: `${text}${saved}\n\nThe plan does not pass the checks before apply (quota or policy): a deploy would stop.`, exit: ExitCode.Failed };
        return { data, text: `${text}${saved}`, exit: opts.detailedExitcode && changed ? 2 : ExitCode.Ok };
      },
      { detailedExitCode: Boolean(opts.detailedExitcode) },
    ),
  );

  for (const kind of ["deploy", "destroy"] as const) {
    withTerraformOptions(
      program
        .command(kind)
        .description(
          kind === "deploy"
            ? "preview, confirm and apply a stack with terraform; show outputs; record the baseline"
            : "preview the destroy, confirm by typing the stack name, destroy the stack's resources",
        )
        .argument("[stack]", kind === "deploy" ? "the stack (may be left out when the app has one), or a plan saved by drover plan --out" : "the stack (may be left out when the app has one)")
        .option("-y, --yes", "do not ask for confirmation (needed when not in a terminal)")
        .option("--allow-destroy", kind === "deploy" ? "allow changes that destroy data (volumes, shares, containers)" : "allow destroying resources that hold data")
        .option("--json", "print the result as JSON (no progress, no questions: needs --yes)")
        .option("-v, --verbose", "show every attribute that changes")
        .option("--policy-level <level>", kind === "deploy" ? "policy findings that stop the deploy: error, warning or off" : "(ignored: a destroy is never refused for policy)", "error")
        .option(
          "--rebuild <construct>",
          kind === "deploy" ? "replace the machines of a construct (its path, e.g. hpc/lab/cpu-2) or a machine by name; repeatable" : "(deploy only)",
          (value: string, all: string[]) => [...all, value],
          [] as string[],
        )
        .option("--no-wait", kind === "deploy" ? "do not wait (up to 5 minutes) for the machines to apply their new configuration" : "(deploy only)"),
    ).action(async (stack: string | undefined, opts: TerraformFlags & { yes?: boolean; policyLevel?: string; rebuild?: string[]; wait?: boolean }, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const commands = await import("./commands/deploy.ts");
        const { runReporter, renderRunResult, exitCodeFor } = await import("./render-run.ts");
        const { canAsk, confirmOnTerminal } = await import("./prompt.ts");
        const reporter = runReporter((line) => io.err(line), { tty: Boolean(process.stderr.isTTY), verbose: Boolean(opts.verbose), kind });
        try {
          const cwd = cwdOf(cmd);
          const { isPlanFileArgument, readSavedPlan } = await import("../deploy/saved-plan.ts");
          const planPath = stack && kind === "deploy" ? resolve(cwd, stack) : undefined;
          const savedPlan = stack && planPath && isPlanFileArgument(stack, planPath) ? { plan: readSavedPlan(planPath, stack), shown: stack } : undefined;
          const data = await commands[kind]({
            ...terraformOptions(opts, cwd),
            policyLevel: policyLevelOf(opts.policyLevel),
            ...(savedPlan ? { savedPlan } : stack ? { stack } : {}),
            ...(opts.yes ? { yes: true } : {}),
            ...(opts.rebuild?.length ? { rebuild: opts.rebuild } : {}),
            ...(opts.wait === false ? { noWait: true } : {}),
            ...(!opts.json && canAsk() ? { confirm: confirmOnTerminal } : {}),
            ...(opts.json ? {} : { onEvent: (e) => reporter.onEvent(e) }),
          });
          return { data, text: renderRunResult(data, kind), exit: exitCodeFor(data) };
        } finally {
          reporter.stop();
        }
      }),
    );
  }

  for (const power of ["shelve", "unshelve"] as const) {
    withTerraformOptions(
      program
        .command(power)
        .description(
          power === "shelve"
            ? "shelve every OpenStack machine of a stack (no SUs while shelved; disks and addresses stay), previewed and confirmed like a deploy"
            : "wake a shelved stack's machines, previewed and confirmed like a deploy",
        )
        .argument("<stack>", "the stack")
        .option("-y, --yes", "do not ask for confirmation (needed when not in a terminal)")
        .option("--json", "print the result as JSON (no progress, no questions: needs --yes)")
        .option("-v, --verbose", "show every attribute that changes"),
    ).action(async (stack: string, opts: TerraformFlags & { yes?: boolean }, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const commands = await import("./commands/shelve.ts");
        const { runReporter, renderRunResult, exitCodeFor } = await import("./render-run.ts");
        const { canAsk, confirmOnTerminal } = await import("./prompt.ts");
        const reporter = runReporter((line) => io.err(line), { tty: Boolean(process.stderr.isTTY), verbose: Boolean(opts.verbose), kind: "deploy" });
        try {
          const data = await commands[power]({
            ...terraformOptions(opts, cwdOf(cmd)),
            stack,
            ...(opts.yes ? { yes: true } : {}),
            ...(!opts.json && canAsk() ? { confirm: confirmOnTerminal } : {}),
            ...(opts.json ? {} : { onEvent: (e) => reporter.onEvent(e) }),
          });
          const state = data.shelved ? `${stack} is shelved until \`drover unshelve ${stack}\`` : `${stack} runs as its code says`;
          return { data, text: `${renderRunResult(data, "deploy")}\n${state}`, exit: exitCodeFor(data) };
        } finally {
          reporter.stop();
        }
      }),
    );
  }

  program
    .command("graph")
    .description("draw a stack's networks, machines, public addresses, firewalls and volumes (graph.svg, graph.html)")
    .argument("<stack>", "the stack")
    .option("--out <dir>", "write graph.svg and graph.html here (default: cdktf.out/stacks/<stack>/)")
    .option("--json", "print the files written and what the picture counts as JSON")
    .action(async (stack: string, opts: Common & { out?: string }, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { graph, renderGraph } = await import("./commands/graph.ts");
        const data = await graph({ cwd: cwdOf(cmd), stack, ...(opts.out ? { out: opts.out } : {}) });
        return { data, text: renderGraph(data, cwdOf(cmd)) };
      }),
    );

  program
    .command("output")
    .description("print a deployed stack's outputs (sensitive ones masked)")
    .argument("<stack>", "the stack")
    .option("--json", "print the outputs as JSON")
    .option("--show-sensitive", "print sensitive values too")
    .option("--terraform-binary <path>", "terraform or tofu to run")
    .option("--plugin-dir <dir>", "install providers only from this directory")
    .action(async (stack: string, opts: TerraformFlags & { showSensitive?: boolean }, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { output } = await import("./commands/output.ts");
        const data = await output({ ...terraformOptions(opts, cwdOf(cmd)), stack, ...(opts.showSensitive ? { showSensitive: true } : {}) });
        const entries = Object.entries(data.outputs);
        const text = entries.length
          ? entries.map(([name, o]) => `${name} = ${o.sensitive && o.value === null ? "(sensitive)" : JSON.stringify(o.value)}`).join("\n")
          : `${stack} has no outputs (is it deployed?)`;
        return { data, text };
      }),
    );

  program
    .command("unlock")
    .description("release a state lock left behind by a crashed run (terraform force-unlock)")
    .argument("<stack>", "the stack")
    .argument("<lock-id>", "the lock ID, as the lock error printed it")
    .option("--json", "print the result as JSON")
    .option("--terraform-binary <path>", "terraform or tofu to run")
    .option("--plugin-dir <dir>", "install providers only from this directory")
    .action(async (stack: string, lockId: string, opts: TerraformFlags, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { unlock } = await import("./commands/unlock.ts");
        const data = await unlock({ ...terraformOptions(opts, cwdOf(cmd)), stack, lockId });
        return { data, text: `${pc.green("✔")} released lock ${lockId} on ${stack}` };
      }),
    );

  // Sizing needs no project: it reads drover's flavor catalogs, never --cwd.
  program
    .command("size")
    .description("size a cluster before writing its stack: nodes, flavors and service units (no project needed)")
    .command("jupyterhub")
    .description("user nodes, control plane and SUs for a JupyterHub serving a class")
    .option("--users <n>", "users expected at the same time (required)")
    .option("--cpu <vcpus>", "vCPUs guaranteed to each user, 0.5 allowed (required)")
    .option("--memory <GiB>", "memory guaranteed to each user, in GiB (required)")
    .option("--cpu-limit <vcpus>", "most vCPUs a user may use (checked, does not change the count)")
    .option("--memory-limit <GiB>", "most memory a user may use (checked, does not change the count)")
    .option("--gpu", "give each user a GPU: GPU flavors only")
    .option("--flavor <name>", "the user nodes' flavor (default: the cheapest in SUs that fits)")
    .option("--nodes <n>", "number of user nodes (default: as many as the users need)")
    .option("--hours <h>", "hours a day the cluster runs, for the SU total (default with --days: 24)")
    .option("--days <n>", "days the cluster runs, for the SU total (default with --hours: 1)")
    .option("--cloud <name>", "the cloud whose flavors and prices to use", "jetstream2")
    .option("--json", "print the result as JSON (fields below)")
    .addHelpText(
      "after",
      `
Reserve: each user node keeps 0.5 vCPU and 1 GiB + 5% of its memory for the system; users are
packed by their guarantees, plus 10% headroom (rounded up). The hub and proxy run on the control
plane (the k3s server). SU/hour counts every node at the flavor's rate.

--json fields: cloud, users, seats (users + headroom), headroom {percent, users},
  profile {cpu, memoryGiB, cpuLimit, memoryLimitGiB, gpus},
  userNodes {flavor, count, vcpus, memoryGiB, gpu, usersPerNode, capacity, limitedBy (cpu|memory|gpu),
    reserve {cpu, memoryGiB}, allocatable {cpu, memoryGiB, gpus}, suPerHourEach, suPerHour,
    flavorFrom (given|cheapest), countFrom (given|needed)},
  controlPlane {flavor, count, vcpus, memoryGiB, suPerHour, flavorFrom}, suPerHour (all nodes),
  period {hoursPerDay, days, hours, su} or null, totals {nodes, cores, memoryGiB, gpus},
  alternatives [{flavor, count, suPerHour}], summary, breakdown [lines], warnings [lines].

Example: drover size jupyterhub --users 127 --cpu 1 --memory 2 --hours 6 --days 3`,
    )
    .action(async (opts: import("./commands/size.ts").SizeFlags & { json?: boolean }) =>
      run(Boolean(opts.json), async () => {
        const { sizeFromFlags, renderSize } = await import("./commands/size.ts");
        const data = sizeFromFlags(opts);
        return { data, text: renderSize(data) };
      }),
    );

  program
    .command("cost")
    .description("what a stack's machines cost per hour (SU on Jetstream2, USD elsewhere), idle and at full scale, per construct")
    .argument("<stack>", "the stack")
    .option("--hours <n>", "also total the cost over this many hours")
    .option("--days <n>", "also total the cost over this many days of 24 hours")
    .option("--json", "print the cost model as JSON")
    .action(async (stack: string, opts: import("./commands/cost.ts").CostFlags & Common, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { cost, periodFromFlags } = await import("./commands/cost.ts");
        const { renderCost } = await import("../cost/render.ts");
        const data = await cost({ cwd: cwdOf(cmd), stack, ...periodFromFlags(opts) });
        return { data, text: renderCost(data) };
      }),
    );
  program
    .command("completion")
    .description("print a shell completion script: eval \"$(drover completion bash)\" (zsh alike; fish: drover completion fish | source)")
    .addArgument(new Argument("<shell>", "the shell").choices(SHELLS))
    .action(async (shell: string) =>
      run(false, async () => {
        const { completionScript } = await import("./commands/completion.ts");
        const text = completionScript(shell, completionTable(program));
        return { data: text, text: text.trimEnd() };
      }),
    );
  return program;
}

/** The command table as the completion scripts need it: names, aliases, options and their values. */
function completionTable(program: Command): import("./commands/completion.ts").CompletionTable {
  const options = (cmd: Command) =>
    cmd.options
      .filter((o) => !o.hidden && o.long)
      .map((o) => ({
        long: o.long!,
        ...(o.short ? { short: o.short } : {}),
        description: o.description,
        takesValue: o.required || o.optional,
        ...(o.argChoices ? { choices: o.argChoices } : {}),
      }));
  const command = (cmd: Command): import("./commands/completion.ts").CompletionCommand => ({
    name: cmd.name(),
    aliases: cmd.aliases(),
    description: cmd.description(),
    options: options(cmd),
    subcommands: cmd.commands.map(command),
    ...(cmd.registeredArguments[0]?.argChoices ? { argumentChoices: cmd.registeredArguments[0].argChoices } : {}),
  });
  return { globalOptions: options(program), commands: program.commands.map(command) };
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
      ? new ConfigError(`the app threw after it built its stacks (in a timer or a callback): ${e instanceof Error ? e.message : String(e)}`, [`at ${frame}`, "drover carried on; catch the error in the app, or clear its timers once the stacks are built."])
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
