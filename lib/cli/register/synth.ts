import type { Command } from "commander";
import { type CommandContext, type Common, cwdOf } from "../registrar.ts";

/** `drover synth [stacks...]`: the stacks' Terraform JSON, written to cdktf.out/stacks/<stack>/. */
export function registerSynth(program: Command, { run }: CommandContext): void {
  program
    .command("synth")
    .description("synthesize stacks to Terraform JSON in cdktf.out/stacks/<stack>/ (no cloud, no terraform needed)")
    .argument("[stacks...]", "stacks to synthesize (default: all)")
    .option("--json", "print the result as JSON")
    .action(async (stacks: string[], opts: Common, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { synth } = await import("../commands/synth.ts");
        const { renderSynth } = await import("../render.ts");
        const data = await synth({ cwd: cwdOf(cmd), stacks });
        return { data, text: renderSynth(data) };
      }),
    );
}
