import { resolve } from "node:path";
import type { Command } from "commander";
import { type CommandContext, type TerraformFlags, cwdOf, policyLevelOf, terraformOptions, withTerraformOptions } from "../registrar.ts";

/** `drover deploy [stack]` and `drover destroy [stack]`: previewed, confirmed terraform runs. */
export function registerDeploy(program: Command, { io, run }: CommandContext): void {
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
        const commands = await import("../commands/deploy.ts");
        const { runReporter, renderRunResult, exitCodeFor } = await import("../render-run.ts");
        const { canAsk, confirmOnTerminal } = await import("../prompt.ts");
        const reporter = runReporter((line) => io.err(line), { tty: Boolean(process.stderr.isTTY), verbose: Boolean(opts.verbose), kind });
        try {
          const cwd = cwdOf(cmd);
          const { isPlanFileArgument, readSavedPlan } = await import("../../deploy/saved-plan.ts");
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
}
