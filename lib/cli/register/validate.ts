import type { Command } from "commander";
import { ExitCode } from "../../errors.ts";
import { type CommandContext, type Common, cwdOf, policyLevelOf } from "../registrar.ts";

/** `drover validate [stacks...]`: provider schemas and the security policy, offline. */
export function registerValidate(program: Command, { run }: CommandContext): void {
  program
    .command("validate")
    .description("check each stack's Terraform against the provider schemas and the security policy, offline (exit 1 on errors)")
    .argument("[stacks...]", "stacks to validate (default: all)")
    .option("--policy-level <level>", "policy findings that make a stack invalid: error, warning or off", "error")
    .option("--json", "print the result as JSON")
    .action(async (stacks: string[], opts: Common & { policyLevel?: string }, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { validate } = await import("../commands/validate.ts");
        const { renderValidate } = await import("../render.ts");
        const data = await validate({ cwd: cwdOf(cmd), stacks, policyLevel: policyLevelOf(opts.policyLevel) });
        return { data, text: renderValidate(data), exit: data.valid ? ExitCode.Ok : ExitCode.Failed };
      }),
    );
}
