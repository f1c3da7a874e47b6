import type { Command } from "commander";
import pc from "picocolors";
import { type CommandContext, type TerraformFlags, cwdOf, terraformOptions } from "../registrar.ts";

/** `drover unlock <stack> <lock-id>`: releases a state lock a crashed run left behind. */
export function registerUnlock(program: Command, { run }: CommandContext): void {
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
        const { unlock } = await import("../commands/unlock.ts");
        const data = await unlock({ ...terraformOptions(opts, cwdOf(cmd)), stack, lockId });
        return { data, text: `${pc.green("✔")} released lock ${lockId} on ${stack}` };
      }),
    );
}
