import { relative } from "node:path";
import { loadProject } from "../../app/project.ts";
import { synthesizeApp, type SynthesizedStack } from "../../app/synthesize.ts";

export interface SynthOptions {
  readonly cwd: string;
  readonly stacks: readonly string[];
}

export interface SynthStackReport {
  readonly name: string;
  readonly cloud: string;
  readonly region: string;
  readonly resources: number;
  readonly dataSources: number;
  readonly outputs: number;
  /** `cdk.tf.json`, relative to the project. */
  readonly config: string;
  /** Rendered configuration files, relative to the project. */
  readonly files: readonly string[];
  readonly warnings: readonly string[];
}

export interface SynthReport {
  readonly outdir: string;
  readonly durationMs: number;
  readonly stacks: readonly SynthStackReport[];
}

export function stackReport(root: string, s: SynthesizedStack): SynthStackReport {
  return {
    name: s.name,
    cloud: s.cloud.name,
    region: s.cloud.region,
    resources: s.resources,
    dataSources: s.dataSources,
    outputs: s.outputs,
    config: relative(root, s.configPath),
    files: s.files.map((f) => relative(root, `${s.dir}/${f}`)),
    warnings: s.warnings,
  };
}

/** `drover synth [stack...]`: writes `<outdir>/stacks/<stack>/cdk.tf.json` and rendered files. */
export async function synth(options: SynthOptions): Promise<SynthReport> {
  const project = loadProject(options.cwd);
  const result = await synthesizeApp(project, { stacks: options.stacks, commit: true });
  return {
    outdir: relative(project.root, result.outdir) || ".",
    durationMs: Math.round(result.durationMs),
    stacks: result.stacks.map((s) => stackReport(project.root, s)),
  };
}
