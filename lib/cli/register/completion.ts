import { Argument, type Command } from "commander";
import { SHELLS, type CompletionCommand, type CompletionTable } from "../commands/completion.ts";
import type { CommandContext } from "../registrar.ts";

/** `drover completion <shell>`: a completion script built from the command table itself. */
export function registerCompletion(program: Command, { run }: CommandContext): void {
  program
    .command("completion")
    .description('print a shell completion script: eval "$(drover completion bash)" (zsh alike; fish: drover completion fish | source)')
    .addArgument(new Argument("<shell>", "the shell").choices(SHELLS))
    .action(async (shell: string) =>
      run(false, async () => {
        const { completionScript } = await import("../commands/completion.ts");
        const text = completionScript(shell, completionTable(program));
        return { data: text, text: text.trimEnd() };
      }),
    );
}

/** The command table as the completion scripts need it: names, aliases, options and their values. */
function completionTable(program: Command): CompletionTable {
  const options = (cmd: Command) =>
    cmd.options
      .filter((o) => !o.hidden && o.long)
      .map((o) => ({
        long: o.long!,
        ...(o.short ? { short: o.short } : {}),
        description: o.description,
        takesValue: o.required || o.optional,
        ...(o.argChoices ? { choices: o.argChoices } : {}),
      }));
  const command = (cmd: Command): CompletionCommand => ({
    name: cmd.name(),
    aliases: cmd.aliases(),
    description: cmd.description(),
    options: options(cmd),
    subcommands: cmd.commands.map(command),
    ...(cmd.registeredArguments[0]?.argChoices ? { argumentChoices: cmd.registeredArguments[0].argChoices } : {}),
  });
  return { globalOptions: options(program), commands: program.commands.map(command) };
}
