import type { Command } from "commander";
import { type CommandContext, type TerraformFlags, cwdOf, terraformOptions, withTerraformOptions } from "../registrar.ts";

/** `drover shelve <stack>` and `drover unshelve <stack>`: the stack's machines asleep or awake, run like a deploy. */
export function registerShelve(program: Command, { io, run }: CommandContext): void {
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
        const commands = await import("../commands/shelve.ts");
        const { runReporter, renderRunResult, exitCodeFor } = await import("../render-run.ts");
        const { canAsk, confirmOnTerminal } = await import("../prompt.ts");
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
}
