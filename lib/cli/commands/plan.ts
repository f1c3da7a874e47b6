import { readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { UsageError } from "../../errors.ts";
import { sha256, writeSavedPlan } from "../../deploy/saved-plan.ts";
import type { StackInfo } from "../../app/stack-info.ts";
import { checkStack, type StackChecks } from "../../checks/stack-checks.ts";
import type { PolicyLevel } from "../../policy/index.ts";
import { loadProject } from "../../app/project.ts";
import { synthesizeApp, type SynthResult } from "../../app/synthesize.ts";
import { readBaseline } from "../../deploy/baseline.ts";
import { prepare, terraformPlan, type TerraformOptions } from "../../deploy/run.ts";
import { describeTarget } from "../../deploy/target.ts";
import { synthAtRef } from "../../plan/git-baseline.ts";
import type { Plan } from "../../plan/model.ts";
import { withDestroySteps } from "../../plan/destroy-steps.ts";
import { offlinePlan } from "../../plan/offline.ts";
import { builtinProviders } from "../../schema/registry.ts";

export interface PlanOptions extends TerraformOptions {
  readonly stacks: readonly string[];
  /** Compare syntheses instead of asking terraform: no credentials, no terraform. */
  readonly offline?: boolean;
  /** With `offline`: compare with the stack as it was at this git ref instead of the last deploy. */
  readonly against?: string;
  /** Which policy findings fail the plan. @default "error" */
  readonly policyLevel?: PolicyLevel;
  /** Also write each stack's plan as a page with its picture (`cdktf.out/stacks/<stack>/plan.html`). */
  readonly html?: boolean;
  /** `--out <file>`: save the (one) stack's terraform plan for `drover deploy <file>`. */
  readonly out?: string;
}

export interface PlannedStack {
  readonly plan: Plan;
  readonly target: string;
  /** SU or cost change, quota and policy (lib/checks/stack-checks.ts). */
  readonly checks: StackChecks;
  /** The plan page, with `html`. */
  readonly htmlPath?: string;
}

export interface PlanReport {
  readonly plans: readonly PlannedStack[];
  /** Some stack's quota is exceeded or its policy failed: `drover plan` exits 1. */
  readonly failed: boolean;
  /** With `out`: the saved plan (absolute path). */
  readonly saved?: string;
}

/** `drover plan [stack...]`: what a deploy would change, from terraform or offline. */
export async function plan(options: PlanOptions): Promise<PlanReport> {
  if (options.out && (options.offline || options.against)) {
    throw new UsageError("--out saves terraform's plan, and --offline plans without terraform", ["Leave out --offline (and --against) to save a plan for drover deploy <file>."]);
  }
  if (options.offline || options.against) return offline(options);
  const out = options.out ? resolve(options.cwd, options.out) : undefined;
  const prepared = await prepare({
    ...options,
    ...(out
      ? {
          pick: (all: readonly string[]) => {
            if (options.stacks.length === 1 || all.length === 1) return [options.stacks[0] ?? all[0]!];
            throw new UsageError(`--out saves one stack's plan, and ${options.stacks.length === 0 ? `the app has ${all.length} stacks` : `${options.stacks.length} were named`}`, [
              `Name the stack: drover plan ${all[0]} --out ${options.out}`,
            ]);
          },
        }
      : {}),
  });
  const plans: PlannedStack[] = [];
  for (const p of prepared) {
    const { plan, planFile } = await terraformPlan(p, options.lockTimeout ? { lockTimeout: options.lockTimeout } : {});
    if (out) {
      writeSavedPlan(out, {
        stack: p.stack.name,
        createdAt: new Date().toISOString(),
        terraformVersion: p.binary.version,
        configSha256: sha256(p.configText),
        allowDestroy: Boolean(options.allowDestroy),
        terraformPlan: (await readFile(planFile)).toString("base64"),
      });
    }
    // A plan file holds every value of the stack in clear text: do not leave it lying around.
    await rm(planFile, { force: true });
    const baseline = (await readBaseline(p.project.root, p.stack.name))?.config;
    plans.push(await withChecks(options, { name: p.stack.name, dir: p.stack.dir, info: p.stack.info }, p.config, baseline, plan, p.target, true, p.app));
  }
  return { plans, failed: plans.some((p) => failedChecks(p.checks)), ...(out ? { saved: out } : {}) };
}

/** Cost, quota and policy for one planned stack, and its page when asked for. */
async function withChecks(
  options: PlanOptions,
  stack: { name: string; dir: string; info: StackInfo | undefined },
  config: Record<string, unknown>,
  baseline: Record<string, unknown> | undefined,
  plan: Plan,
  target: string,
  live: boolean,
  others: SynthResult["app"],
): Promise<PlannedStack> {
  const checks = await checkStack({
    stack: stack.name,
    dir: stack.dir,
    config,
    ...(stack.info ? { info: stack.info } : {}),
    ...(baseline ? { baseline } : {}),
    policyLevel: options.policyLevel ?? "error",
    live,
    ...(options.allowDestroy ? { allowDestroy: true } : {}),
    others,
  });
  if (!options.html) return { plan, target, checks };
  const { buildGraphModel } = await import("../../graph/build.ts");
  const { renderPlanHtml } = await import("../../graph/plan-page.ts");
  const page = await renderPlanHtml({
    stack: buildGraphModel(config, { stack: stack.name }),
    plan,
    target,
    cost: { line: checks.cost.text },
    policy: checks.policy.findings.map((f) => ({ id: f.id, severity: f.severity, message: f.message, construct: f.construct, ...(f.suppressed ? { suppressed: f.suppressed } : {}) })),
  });
  const htmlPath = join(stack.dir, "plan.html");
  await writeFile(htmlPath, page);
  return { plan, target, checks, htmlPath };
}

function failedChecks(checks: StackChecks): boolean {
  return Boolean(checks.quota && !checks.quota.ok) || checks.policy.failed || checks.credential !== undefined;
}

async function offline(options: PlanOptions): Promise<PlanReport> {
  const project = loadProject(options.cwd);
  const synth = await synthesizeApp(project, { stacks: options.stacks, commit: true, app: true, ...(options.allowDestroy ? { allowDestroy: true } : {}) });
  const providers = builtinProviders();
  const plans = [];
  for (const s of synth.stacks) {
    const current = JSON.parse(await readFile(s.configPath, "utf8")) as Record<string, unknown>;
    let baseline: Record<string, unknown> | undefined;
    let baselineInfo: Plan["baseline"];
    if (options.against) {
      const at = await synthAtRef(project, s.name, options.against, options.allowDestroy ? { allowDestroy: true } : {});
      baseline = at.config;
      baselineInfo = { kind: "git", description: `${options.against} (${at.sha.slice(0, 10)})${at.config ? "" : ", where the stack did not exist"}` };
    } else {
      const deployed = await readBaseline(project.root, s.name);
      baseline = deployed?.config;
      baselineInfo = deployed ? { kind: "deployed", description: `the last deploy (${deployed.meta.deployedAt})` } : { kind: "none", description: "nothing: the stack was never deployed from here" };
    }
    const plan = withDestroySteps(offlinePlan({ stack: s.name, current, ...(baseline ? { baseline } : {}), baselineInfo: baselineInfo!, providers }), current, baseline);
    plans.push(await withChecks(options, { name: s.name, dir: s.dir, info: s.info }, current, baseline, plan, describeTarget(current, project.root, process.env, s.dir), false, synth.app));
  }
  return { plans, failed: plans.some((p) => failedChecks(p.checks)) };
}
