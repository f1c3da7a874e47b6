import { relative } from "node:path";
import type { Command } from "commander";
import { ExitCode } from "../../errors.ts";
import { type CommandContext, type TerraformFlags, cwdOf, policyLevelOf, terraformOptions, withTerraformOptions } from "../registrar.ts";

/** `drover plan [stacks...]`: what a deploy would change, from terraform or offline. */
export function registerPlan(program: Command, { run }: CommandContext): void {
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
  ).action(
    async (
      stacks: string[],
      opts: TerraformFlags & { offline?: boolean; against?: string; markdown?: boolean; detailedExitcode?: boolean; policyLevel?: string; html?: boolean; out?: string },
      cmd: Command,
    ) =>
      run(
        Boolean(opts.json),
        async () => {
          const { plan } = await import("../commands/plan.ts");
          const { renderPlanText, renderPlanMarkdown } = await import("../../plan/render.ts");
          const { renderStackChecks } = await import("../../checks/stack-checks.ts");
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
}
