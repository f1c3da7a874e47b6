import type { Command } from "commander";
import { type CommandContext, type TerraformFlags, cwdOf, terraformOptions } from "../registrar.ts";

/** `drover output <stack>`: a deployed stack's outputs, sensitive ones masked. */
export function registerOutput(program: Command, { run }: CommandContext): void {
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
        const { output } = await import("../commands/output.ts");
        const data = await output({ ...terraformOptions(opts, cwdOf(cmd)), stack, ...(opts.showSensitive ? { showSensitive: true } : {}) });
        const entries = Object.entries(data.outputs);
        const text = entries.length
          ? entries.map(([name, o]) => `${name} = ${o.sensitive && o.value === null ? "(sensitive)" : JSON.stringify(o.value)}`).join("\n")
          : `${stack} has no outputs (is it deployed?)`;
        return { data, text };
      }),
    );
}
