import { readFile, writeFile } from "node:fs/promises";
import { makeDirectory } from "../../app/fs-errors.ts";
import { isAbsolute, join, relative, resolve } from "node:path";
import pc from "picocolors";
import { loadProject } from "../../app/project.ts";
import { synthesizeApp } from "../../app/synthesize.ts";
import { ConfigError } from "../../errors.ts";
import { buildGraphModel } from "../../graph/build.ts";
import { graphCounts } from "../../graph/model.ts";

export interface GraphOptions {
  readonly cwd: string;
  readonly stack: string;
  /** Directory for graph.svg and graph.html (relative to `cwd`); default: the stack's output directory. */
  readonly out?: string;
}

export interface GraphReport {
  readonly stack: string;
  /** Absolute paths of the files written. */
  readonly files: { readonly svg: string; readonly html: string };
  /** How many machines, networks, volumes... the picture shows. */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * `drover graph <stack>`: draws the stack as `graph.svg` and a self-contained `graph.html`.
 *
 * The stack is synthesized without committing (`commit: false`, as `list` and `validate` do):
 * drawing is a read-only look, so it must not replace the synthesized output that `plan` and
 * `deploy` work from. The picture lands in the stack's output directory by default, where the
 * next `drover synth` replaces it together with the rest, so a stale picture does not outlive
 * the Terraform it was drawn from.
 */
export async function graph(options: GraphOptions): Promise<GraphReport> {
  const project = loadProject(options.cwd);
  const result = await synthesizeApp(project, { stacks: [options.stack], commit: false });
  try {
    const stack = result.stacks[0]!;
    const config = JSON.parse(await readFile(stack.configPath, "utf8")) as Record<string, unknown>;
    const model = buildGraphModel(config, { stack: stack.name });
    // Graphviz (WebAssembly) loads only here, never for --help or synth.
    const { renderGraphHtml, renderGraphSvg } = await import("../../graph/render.ts");
    const svg = await renderGraphSvg(model);
    const title = stack.info?.description ? `${stack.name}: ${stack.info.description}` : stack.name;
    const html = await renderGraphHtml(model, title);

    const dir = options.out ? resolve(options.cwd, options.out) : join(project.outdir, relative(result.outdir, stack.dir));
    const files = { svg: join(dir, "graph.svg"), html: join(dir, "graph.html") };
    try {
      await makeDirectory(dir);
      await writeFile(files.svg, svg);
      await writeFile(files.html, html);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new ConfigError(`cannot write the picture of ${stack.name} to ${dir}: ${err.code ?? err.message}`, [
        options.out ? "Pass --out a directory you can write to (it is created if missing)." : "Pass --out a directory you can write to.",
      ]);
    }
    return { stack: stack.name, files, counts: graphCounts(model) };
  } finally {
    await result.cleanup();
  }
}

/** Text for a person: the two files, relative to the current directory when under it. */
export function renderGraph(report: GraphReport, cwd: string = process.cwd()): string {
  const show = (p: string) => {
    const rel = relative(cwd, p);
    return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : p;
  };
  const c = report.counts;
  const n = (count: number | undefined, word: string, plural = `${word}s`) => `${count ?? 0} ${count === 1 ? word : plural}`;
  return [
    `${pc.green("✔")} Drew ${report.stack}: ${n(c.machines, "machine")}, ${n(c.networks, "network")}, ${n(c.publicAddresses, "public address", "public addresses")}, ${n(c.volumes, "volume")}, ${n(c.securityGroups, "security group")}`,
    `  ${show(report.files.svg)}`,
    `  ${show(report.files.html)}`,
  ].join("\n");
}
