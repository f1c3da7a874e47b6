import type { Command } from "commander";
import { ExitCode } from "../../errors.ts";
import { type CommandContext, type Common, cwdOf } from "../registrar.ts";

/** `drover list` (`ls`): the app's stacks, with their cloud, resource counts, expiry and shelved state. */
export function registerList(program: Command, { run }: CommandContext): void {
  program
    .command("list")
    .alias("ls")
    .description("list the app's stacks with their cloud, resource counts, expiry and shelved state")
    .option("--expired", "only stacks whose expiresAt has passed (exit 1 when there are any)")
    .option("--json", "print the result as JSON")
    .action(async (opts: Common & { expired?: boolean }, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { list } = await import("../commands/list.ts");
        const { renderList } = await import("../render.ts");
        const data = await list({ cwd: cwdOf(cmd), ...(opts.expired ? { expired: true } : {}) });
        return { data, text: renderList(data, Boolean(opts.expired)), exit: opts.expired && data.stacks.length > 0 ? ExitCode.Failed : ExitCode.Ok };
      }),
    );
}
