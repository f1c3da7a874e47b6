import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadProject } from "../../app/project.ts";
import { UsageError } from "../../errors.ts";
import { findTerraform } from "../../terraform/find.ts";
import { Terraform } from "../../terraform/terraform.ts";
import { deploymentOf, requireDeployed } from "../../deploy/deployed.ts";

export interface OutputOptions {
  readonly cwd: string;
  readonly stack: string;
  readonly terraformBinary?: string;
  readonly pluginDir?: string;
  /** Print sensitive values instead of masking them. */
  readonly showSensitive?: boolean;
}

export interface OutputReport {
  readonly stack: string;
  /** Sensitive values are `null` unless asked for, with `sensitive: true`. */
  readonly outputs: Readonly<Record<string, { readonly value: unknown; readonly sensitive: boolean }>>;
}

/** `drover output <stack>`: the deployed stack's outputs, read from its state. */
export async function output(options: OutputOptions): Promise<OutputReport> {
  const project = loadProject(options.cwd);
  const dir = join(project.outdir, "stacks", options.stack);
  if (!existsSync(join(dir, "cdk.tf.json"))) {
    throw new UsageError(`stack ${options.stack} has not been synthesized in ${project.output}`, [`Run drover synth ${options.stack} (or deploy it) first.`]);
  }
  const config = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as Record<string, unknown>;
  requireDeployed(deploymentOf(project.root, options.stack, config, dir), options.stack, "read outputs from");
  const binary = await findTerraform(options.terraformBinary ? { binary: options.terraformBinary } : {});
  const tf = new Terraform(binary, options.stack, dir);
  await tf.init(options.pluginDir ? { pluginDir: options.pluginDir } : {});
  const raw = await tf.outputs();
  const outputs = Object.fromEntries(Object.entries(raw).map(([name, o]) => [name, { value: o.sensitive && !options.showSensitive ? null : o.value, sensitive: o.sensitive }]));
  return { stack: options.stack, outputs };
}
