import { UsageError } from "../../errors.ts";

/**
 * `drover completion bash|zsh|fish`: a completion script written from the command table itself,
 * so a new command or option completes without anyone editing a script. Commands, their
 * aliases, options and option values (`--template vm|slurm|...`) complete; positional arguments
 * complete as file names (a saved plan, a project directory).
 */
export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

export interface CompletionOption {
  /** `--json`, `--template`. */
  readonly long: string;
  /** `-t`, when there is one. */
  readonly short?: string;
  readonly description: string;
  /** Whether it takes a value. */
  readonly takesValue: boolean;
  /** The values it accepts, when they are a fixed list. */
  readonly choices?: readonly string[];
}

export interface CompletionCommand {
  /** `synth`, or `size jupyterhub` for a subcommand. */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  readonly options: readonly CompletionOption[];
  readonly subcommands: readonly CompletionCommand[];
  /** The values its first argument accepts, when they are a fixed list (`completion bash`). */
  readonly argumentChoices?: readonly string[];
}

export interface CompletionTable {
  readonly globalOptions: readonly CompletionOption[];
  readonly commands: readonly CompletionCommand[];
}

/** Text inside single quotes in any of the three shells. */
const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
/** fish and zsh descriptions: one line, no brackets or colons that the shells would read. */
const words = (text: string) =>
  text
    .replace(/\s+/g, " ")
    .replace(/[[\]:]/g, " ")
    .trim();
const names = (c: CompletionCommand) => [c.name, ...c.aliases];

export function completionScript(shell: string, table: CompletionTable): string {
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(`no completion for the shell "${shell}"`, [`Choose ${SHELLS.join(", ")}: e.g. drover completion bash > ~/.local/share/bash-completion/completions/drover`]);
  }
  return shell === "bash" ? bash(table) : shell === "zsh" ? zsh(table) : fish(table);
}

function optionWords(options: readonly CompletionOption[]): string {
  return options.flatMap((o) => (o.short ? [o.short, o.long] : [o.long])).join(" ");
}

function bash(table: CompletionTable): string {
  const commandCases = table.commands
    .map((c) => {
      const subs = c.subcommands.map((s) => s.name).join(" ");
      const opts = optionWords([...c.options, ...table.globalOptions]);
      const subCases = c.subcommands.map((s) => `        ${s.name}) opts=${sq(optionWords([...s.options, ...table.globalOptions]))} ;;`).join("\n");
      return `    ${names(c).join("|")})
      subs=${sq(subs)}
      opts=${sq(opts)}${c.argumentChoices ? `\n      args=${sq(c.argumentChoices.join(" "))}` : ""}${subCases ? `\n      case "$sub" in\n${subCases}\n      esac` : ""}
      ;;`;
    })
    .join("\n");
  const valued = [...table.globalOptions, ...table.commands.flatMap((c) => [...c.options, ...c.subcommands.flatMap((s) => s.options)])].filter((o) => o.takesValue);
  const choiceCases = [...new Map(valued.filter((o) => o.choices).map((o) => [o.long, o])).values()]
    .map((o) => `    ${[o.short, o.long].filter(Boolean).join("|")}) COMPREPLY=($(compgen -W ${sq(o.choices!.join(" "))} -- "$cur")); return ;;`)
    .join("\n");
  const valueOptions = [...new Set(valued.filter((o) => !o.choices).flatMap((o) => [o.short, o.long].filter(Boolean)))].join("|");
  return `# drover completion for bash: eval "$(drover completion bash)" in ~/.bashrc
_drover() {
  local cur prev cmd sub subs opts args i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${choiceCases}
    ${valueOptions}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  # The command is the first word that is not an option (nor an option's value).
  cmd=""; sub=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -C|--cwd|--timeout) ((i++)) ;;
      -*) ;;
      *) if [ -z "$cmd" ]; then cmd="\${COMP_WORDS[i]}"; elif [ -z "$sub" ]; then sub="\${COMP_WORDS[i]}"; fi ;;
    esac
  done
  if [ -z "$cmd" ]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W ${sq(`${optionWords(table.globalOptions)} --help --version`)} -- "$cur"))
    else
      COMPREPLY=($(compgen -W ${sq(table.commands.flatMap(names).join(" "))} -- "$cur"))
    fi
    return
  fi
  subs=""; opts=""; args=""
  case "$cmd" in
${commandCases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
  elif [ -n "$subs" ] && [ -z "$sub" ]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  elif [ -n "$args" ] && [ -z "$sub" ]; then
    COMPREPLY=($(compgen -W "$args" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _drover drover
`;
}

function zshOption(o: CompletionOption): string {
  const value = o.takesValue ? (o.choices ? `:value:(${o.choices.join(" ")})` : ":value:_files") : "";
  const spec = (flag: string) => sq(`${flag}[${words(o.description)}]${value}`);
  return o.short ? `${sq(`(${o.short} ${o.long})`)}{${o.short},${o.long}}${sq(`[${words(o.description)}]${value}`)}` : spec(o.long);
}

function zsh(table: CompletionTable): string {
  const list = (cs: readonly CompletionCommand[]) => cs.flatMap((c) => names(c).map((n) => `    ${sq(`${n}:${words(c.description)}`)}`)).join("\n");
  const cases = table.commands
    .map((c) => {
      const opts = [...c.options, ...table.globalOptions].map(zshOption).join(" ");
      const positional = c.argumentChoices ? sq(`1:value:(${c.argumentChoices.join(" ")})`) : "'*:file:_files'";
      if (c.subcommands.length === 0) return `    ${names(c).join("|")}) _arguments ${opts} ${positional} ;;`;
      const subCases = c.subcommands.map((s) => `          ${s.name}) _arguments ${[...s.options, ...table.globalOptions].map(zshOption).join(" ")} ;;`).join("\n");
      return `    ${names(c).join("|")})
      if (( CURRENT == 3 )); then
        local -a subs
        subs=(
${list(c.subcommands).replace(/^ {4}/gm, "          ")}
        )
        _describe 'subcommand' subs
      else
        case $words[3] in
${subCases}
        esac
      fi
      ;;`;
    })
    .join("\n");
  return `#compdef drover
# drover completion for zsh: eval "$(drover completion zsh)" in ~/.zshrc (after compinit)
_drover() {
  local -a commands
  commands=(
${list(table.commands)}
  )
  # Skip the global options before the command.
  while [[ $words[2] == -* ]]; do
    case $words[2] in -C|--cwd|--timeout) shift words; (( CURRENT-- )) ;; esac
    shift words; (( CURRENT-- ))
  done
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case $words[2] in
${cases}
  esac
}
compdef _drover drover
`;
}

function fish(table: CompletionTable): string {
  const lines = ["# drover completion for fish: drover completion fish > ~/.config/fish/completions/drover.fish", "complete -c drover -f"];
  const option = (condition: string, o: CompletionOption) =>
    [
      `complete -c drover -n ${sq(condition)}`,
      o.short ? `-s ${o.short.slice(1)}` : "",
      `-l ${o.long.slice(2)}`,
      o.takesValue ? (o.choices ? `-x -a ${sq(o.choices.join(" "))}` : "-r -F") : "",
      `-d ${sq(words(o.description))}`,
    ]
      .filter(Boolean)
      .join(" ");
  for (const o of table.globalOptions) lines.push(option("true", o));
  for (const c of table.commands) {
    for (const n of names(c)) lines.push(`complete -c drover -n '__fish_use_subcommand' -a ${n} -d ${sq(words(c.description))}`);
    const seen = `__fish_seen_subcommand_from ${names(c).join(" ")}`;
    if (c.argumentChoices) lines.push(`complete -c drover -n ${sq(seen)} -x -a ${sq(c.argumentChoices.join(" "))}`);
    else if (c.subcommands.length === 0) lines.push(`complete -c drover -n ${sq(seen)} -F`);
    for (const o of c.options) lines.push(option(seen, o));
    for (const s of c.subcommands) {
      lines.push(`complete -c drover -n ${sq(`${seen}; and not __fish_seen_subcommand_from ${c.subcommands.map((x) => x.name).join(" ")}`)} -a ${s.name} -d ${sq(words(s.description))}`);
      for (const o of s.options) lines.push(option(`${seen}; and __fish_seen_subcommand_from ${s.name}`, o));
    }
  }
  return `${lines.join("\n")}\n`;
}
