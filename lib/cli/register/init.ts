import { Option, type Command } from "commander";
import { INIT_TEMPLATES } from "../../init/kinds.ts";
import { type CommandContext, type Common, cwdOf } from "../registrar.ts";

/** `drover init [dir]`: starts a project of the person's own from one of drover's stacks. */
export function registerInit(program: Command, { run }: CommandContext): void {
  program
    .command("init")
    .description("start a project of your own: package.json, cdktf.json, main.ts, a stack, its test, .gitignore (never replaces a file)")
    .argument("[dir]", "the project directory, created when missing", ".")
    .addOption(new Option("-t, --template <name>", "the stack to start from (asked on a terminal when left out)").choices(INIT_TEMPLATES))
    .option("--name <name>", "the project's and its stack's name (default: from the directory's name)")
    .option("--drover <spec>", "how the project depends on drover: a version, tarball or git URL (default: as this drover was installed)")
    .option("--json", "print the result as JSON")
    .action(async (dir: string, opts: Common & { template?: string; name?: string; drover?: string }, cmd: Command) =>
      run(Boolean(opts.json), async () => {
        const { init, renderInit } = await import("../commands/init.ts");
        const { canAsk, chooseOnTerminal } = await import("../prompt.ts");
        const cwd = cwdOf(cmd);
        const data = await init({
          cwd,
          dir,
          ...(opts.template ? { template: opts.template } : {}),
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.drover !== undefined ? { drover: opts.drover } : {}),
          ...(!opts.json && canAsk() ? { ask: (choices) => chooseOnTerminal("Which stack should the project start with?", choices) } : {}),
        });
        return { data, text: renderInit(data, cwd) };
      }),
    );
}
