import { readFile, rm } from "node:fs/promises";
import { loadProject } from "../../app/project.ts";
import { synthesizeApp } from "../../app/synthesize.ts";
import { readBaseline } from "../../deploy/baseline.ts";
import { prepare, terraformPlan, type TerraformOptions } from "../../deploy/run.ts";
import { describeTarget } from "../../deploy/target.ts";
import { synthAtRef } from "../../plan/git-baseline.ts";
import type { Plan } from "../../plan/model.ts";
import { offlinePlan } from "../../plan/offline.ts";
import { builtinProviders } from "../../schema/registry.ts";

export interface PlanOptions extends TerraformOptions {
  readonly stacks: readonly string[];
  /** Compare syntheses instead of asking terraform: no credentials, no terraform. */
  readonly offline?: boolean;
  /** With `offline`: compare with the stack as it was at this git ref instead of the last deploy. */
  readonly against?: string;
}

export interface PlanReport {
  readonly plans: ReadonlyArray<{ readonly plan: Plan; readonly target: string }>;
}

/** `drover plan [stack...]`: what a deploy would change, from terraform or offline. */
export async function plan(options: PlanOptions): Promise<PlanReport> {
  if (options.offline || options.against) return offline(options);
  const prepared = await prepare(options);
  const plans = [];
  for (const p of prepared) {
    const { plan, planFile } = await terraformPlan(p, options.lockTimeout ? { lockTimeout: options.lockTimeout } : {});
    // A plan file holds every value of the stack in clear text: do not leave it lying around.
    await rm(planFile, { force: true });
    plans.push({ plan, target: p.target });
  }
  return { plans };
}

async function offline(options: PlanOptions): Promise<PlanReport> {
  const project = loadProject(options.cwd);
  if (options.allowDestroy) process.env.DROVER_ALLOW_DESTROY = "1";
  const synth = await synthesizeApp(project, { stacks: options.stacks, commit: true });
  const providers = builtinProviders();
  const plans = [];
  for (const s of synth.stacks) {
    const current = JSON.parse(await readFile(s.configPath, "utf8")) as Record<string, unknown>;
    let baseline: Record<string, unknown> | undefined;
    let baselineInfo: Plan["baseline"];
    if (options.against) {
      const at = await synthAtRef(project, s.name, options.against);
      baseline = at.config;
      baselineInfo = { kind: "git", description: `${options.against} (${at.sha.slice(0, 10)})${at.config ? "" : ", where the stack did not exist"}` };
    } else {
      const deployed = await readBaseline(project.root, s.name);
      baseline = deployed?.config;
      baselineInfo = deployed ? { kind: "deployed", description: `the last deploy (${deployed.meta.deployedAt})` } : { kind: "none", description: "nothing: the stack was never deployed from here" };
    }
    plans.push({
      plan: offlinePlan({ stack: s.name, current, ...(baseline ? { baseline } : {}), baselineInfo: baselineInfo!, providers }),
      target: describeTarget(current, project.root, process.env, s.dir),
    });
  }
  return { plans };
}
