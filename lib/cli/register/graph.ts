import type { Command } from "commander";
import { type CommandContext, type Common, cwdOf } from "../registrar.ts";

/** `drover graph <stack>`: the stack's picture (graph.svg, graph.html). */
export function registerGraph(program: Command, { run }: CommandContext): void {
  program
    .command("graph")
    .description("draw a stack's networks, machines, public addresses, firewalls and volumes (graph.svg, graph.html)")
    .argument("<stack>", "the stack")
    .option("--out <dir>", "write graph.svg and graph.html here (default: cdktf.out/stacks/<stack>/)")
    .option("--json", "print the files written and what the picture counts as JSON")
    .action(async (stack: string, opts: Common & { out?: string }, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { graph, renderGraph } = await import("../commands/graph.ts");
        const data = await graph({ cwd: cwdOf(cmd), stack, ...(opts.out ? { out: opts.out } : {}) });
        return { data, text: renderGraph(data, cwdOf(cmd)) };
      }),
    );
}
