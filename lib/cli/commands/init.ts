import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { UsageError } from "../../errors.ts";
import { droverSpec, classify, type DroverSpec } from "../../init/spec.ts";
import { INIT_TEMPLATES, type InitTemplate } from "../../init/kinds.ts";
import { TEMPLATE_FACTS, projectName, scaffoldFiles } from "../../init/scaffold.ts";
import { orList } from "../../naming.ts";
import { packageRoot } from "../../paths.ts";

export interface InitOptions {
  readonly cwd: string;
  /** The project directory, created when missing; `cwd` by default. */
  readonly dir?: string;
  /** `--template`; asked for when missing and `ask` is given. */
  readonly template?: string;
  /** `--name`: the project's and its stack's name; the directory's name by default. */
  readonly name?: string;
  /** `--drover <spec>`: how the project depends on drover; the way this drover was installed by default. */
  readonly drover?: string;
  /** Asks which template (on a terminal); absent when nobody can answer. */
  readonly ask?: (choices: ReadonlyArray<{ value: InitTemplate; description: string }>) => Promise<InitTemplate>;
}

export interface InitReport {
  /** The project directory (absolute). */
  readonly dir: string;
  readonly template: InitTemplate;
  readonly name: string;
  readonly drover: DroverSpec;
  /** Files written, relative to `dir`. */
  readonly written: readonly string[];
  /** Files that were there already and were left as they were. */
  readonly skipped: readonly string[];
  /** What to run next, from the directory `init` was run in. */
  readonly next: readonly string[];
}

const NAME_RULE = /^[a-z][a-z0-9-]{0,39}$/;

/** `drover init [dir]`: a new project the person owns. Never replaces a file. */
export async function init(options: InitOptions): Promise<InitReport> {
  const dir = resolve(options.cwd, options.dir ?? ".");
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) throw new UsageError(`${options.dir ?? dir} is a file, not a directory`, ["Give drover init a directory for the new project (it is created when missing)."]);

  const name = options.name ?? projectName(basename(dir));
  if (!name || !NAME_RULE.test(name)) {
    throw new UsageError(`--name "${options.name ?? basename(dir)}" cannot name a project: it becomes the stack's name, part of every resource's name`, [
      "Use a lower-case letter first, then letters, digits and '-', at most 40 characters, e.g. --name my-lab.",
    ]);
  }

  const template = await chooseTemplate(options);
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as Parameters<typeof scaffoldFiles>[0]["drover"];
  const drover: DroverSpec = options.drover ? { spec: options.drover, from: "given" } : droverSpec(packageRoot(), pkg.version);
  if (options.drover !== undefined && options.drover.trim() === "") throw new UsageError('--drover "" is not a package spec', ["Give a version (^0.1.0), a tarball path or a git URL."]);

  const files = scaffoldFiles({ name, template, droverSpec: drover.spec, drover: pkg });
  const written: string[] = [];
  const skipped: string[] = [];
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const target = join(dir, file.path);
    if (existsSync(target)) {
      skipped.push(file.path);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    // "wx": fails instead of replacing a file that appeared since the check above.
    try {
      writeFileSync(target, file.content, { flag: "wx" });
      written.push(file.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      skipped.push(file.path);
    }
  }
  const shown = relative(options.cwd, dir);
  const next = [...(shown === "" ? [] : [`cd ${/\s/.test(shown) ? JSON.stringify(shown) : shown}`]), "npm install", "npx drover synth", "npm test"];
  return { dir, template, name, drover, written, skipped, next };
}

async function chooseTemplate(options: InitOptions): Promise<InitTemplate> {
  const given = options.template;
  if (given !== undefined) {
    if ((INIT_TEMPLATES as readonly string[]).includes(given)) return given as InitTemplate;
    throw new UsageError(`--template "${given}" is not a template`, [`Choose ${orList(INIT_TEMPLATES.map((t) => `${t} (${TEMPLATE_FACTS[t].description})`))}.`]);
  }
  if (!options.ask) {
    throw new UsageError("drover init needs --template when it cannot ask (not a terminal)", [`Run it again with --template ${INIT_TEMPLATES.join("|")}, e.g. drover init --template vm.`]);
  }
  return options.ask(INIT_TEMPLATES.map((value) => ({ value, description: TEMPLATE_FACTS[value].description })));
}

/** The summary printed after `init`. */
export function renderInit(report: InitReport, cwd: string): string {
  const where = relative(cwd, report.dir) || ".";
  const lines = [`Created the ${report.template} project "${report.name}" in ${where} (drover ${report.drover.spec}, ${fromWords(report.drover)}):`];
  for (const f of report.written) lines.push(`  wrote   ${f}`);
  for (const f of report.skipped) lines.push(`  skipped ${f} (it exists; left as it was)`);
  if (report.written.length === 0) lines[0] = `Nothing written in ${where}: every file of a ${report.template} project is there already.`;
  if (report.skipped.includes("package.json")) {
    lines.push(
      "",
      `package.json was there already: make sure it depends on drover, cdktf and constructs (npm install ${report.drover.spec.startsWith("^") ? `drover@${report.drover.spec}` : report.drover.spec} cdktf constructs) and has "type": "module".`,
    );
  }
  lines.push("", "Next:", ...report.next.map((c) => `  ${c}`));
  return lines.join("\n");
}

function fromWords(spec: DroverSpec): string {
  const from = spec.from === "given" ? classify(spec.spec) : spec.from;
  return from === "registry" ? "from the registry" : from === "tarball" ? "from this tarball" : from === "git" ? "from git" : "from this directory";
}
