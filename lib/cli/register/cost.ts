import type { Command } from "commander";
import type { CostFlags } from "../commands/cost.ts";
import { type CommandContext, type Common, cwdOf } from "../registrar.ts";

/** `drover cost <stack>`: what the stack's machines cost per hour, idle and at full scale. */
export function registerCost(program: Command, { run }: CommandContext): void {
  program
    .command("cost")
    .description("what a stack's machines cost per hour (SU on Jetstream2, USD elsewhere), idle and at full scale, per construct")
    .argument("<stack>", "the stack")
    .option("--hours <n>", "also total the cost over this many hours")
    .option("--days <n>", "also total the cost over this many days of 24 hours")
    .option("--json", "print the cost model as JSON")
    .action(async (stack: string, opts: CostFlags & Common, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { cost, periodFromFlags } = await import("../commands/cost.ts");
        const { renderCost } = await import("../../cost/render.ts");
        const data = await cost({ cwd: cwdOf(cmd), stack, ...periodFromFlags(opts) });
        return { data, text: renderCost(data) };
      }),
    );
}
