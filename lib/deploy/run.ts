import { awaitedMachines, waitForConvergence, type Convergence } from "./converge.ts";
import { rebuildAddresses } from "./rebuild.ts";
import { existsSync } from "node:fs";
import { checkStack, refuseFailedChecks } from "../checks/stack-checks.ts";
import type { PolicyLevel } from "../policy/index.ts";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadProject, type Project } from "../app/project.ts";
import { synthesizeApp, type SynthesizedStack, type SynthResult } from "../app/synthesize.ts";
import { ExternalError, UsageError } from "../errors.ts";
import { nearestMatches, orList } from "../naming.ts";
import { withDestroySteps } from "../plan/destroy-steps.ts";
import { planFromTerraform, type TerraformPlanJson } from "../plan/from-terraform.ts";
import type { Plan } from "../plan/model.ts";
import { findTerraform, type TerraformBinary } from "../terraform/find.ts";
import { planReader } from "../terraform/plan-reader.ts";
import { Terraform, type ApplyEvent } from "../terraform/terraform.ts";
import { clearBaseline, readBaseline, recordBaseline } from "./baseline.ts";
import { describeTarget } from "./target.ts";
import { deploymentOf, requireDeployed } from "./deployed.ts";
import { refuseStale, type SavedPlan } from "./saved-plan.ts";
import { mark } from "../timing.ts";

/** Options shared by the commands that drive terraform. */
export interface TerraformOptions {
  readonly cwd: string;
  /** `--terraform-binary` */
  readonly terraformBinary?: string;
  /** `--plugin-dir`: providers only from this directory. */
  readonly pluginDir?: string;
  /** `--lock-timeout`, terraform's duration syntax (`0s`, `5m`). */
  readonly lockTimeout?: string;
  /** `--allow-destroy`: synthesize without prevent_destroy and accept losing data. */
  readonly allowDestroy?: boolean;
}

export type DeployEvent =
  | { readonly type: "phase"; readonly phase: "synth" | "terraform" | "init" | "plan" | "apply" | "outputs"; readonly stack: string }
  | { readonly type: "planned"; readonly plan: Plan; readonly target: string }
  | { readonly type: "apply"; readonly event: ApplyEvent }
  | { readonly type: "converge"; readonly done: number; readonly total: number };

export interface RunResult {
  readonly stack: string;
  readonly target: string;
  readonly plan: Plan;
  readonly outcome: "applied" | "no-changes" | "declined" | "failed" | "interrupted";
  readonly failed: readonly string[];
  readonly errors: readonly string[];
  readonly outputs: Readonly<Record<string, { value: unknown; sensitive: boolean }>>;
  readonly elapsedMs: number;
  readonly terraformVersion: string;
  /** After a deploy: which machines' agents applied their new configuration (OpenStack, with credentials). */
  readonly convergence?: Convergence;
}

export interface ConfirmRequest {
  readonly kind: "deploy" | "destroy";
  readonly stack: string;
  readonly plan: Plan;
  readonly target: string;
}

export interface RunOptions extends TerraformOptions {
  /** The stack; may be omitted when the app has exactly one. */
  readonly stack?: string;
  /** `--rebuild`: machines (by construct path or name) to replace on request. */
  readonly rebuild?: readonly string[];
  /** `--no-wait`: do not wait for the machines' agents to apply their new configuration. */
  readonly noWait?: boolean;
  /** How long to wait for them. @default CONVERGE_TIMEOUT_MS */
  readonly convergeTimeoutMs?: number;
  /** `--yes`: no question asked. */
  readonly yes?: boolean;
  /** Asks the person; undefined when there is nobody to ask (not a terminal). */
  readonly confirm?: (request: ConfirmRequest) => Promise<boolean>;
  readonly onEvent?: (event: DeployEvent) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** Which policy findings stop a deploy. @default "error" */
  readonly policyLevel?: PolicyLevel;
  /**
   * The stack must be deployed already (`drover shelve`): what the command does to it, for the
   * message. Refused before terraform when drover knows it is not, and when the plan would only
   * create resources.
   */
  readonly requireDeployed?: string;
  /**
   * Apply this saved plan (`drover deploy <file>`) instead of planning afresh: refused when the
   * stack synthesizes differently now; applied without a question, the plan having been reviewed.
   */
  readonly savedPlan?: { readonly plan: SavedPlan; readonly shown: string };
}

/** Picks the one stack a deploy or destroy works on. */
export function chooseStack(requested: string | undefined, all: readonly string[], verb: string): string {
  if (requested) {
    if (all.includes(requested)) return requested;
    const near = nearestMatches(requested, all);
    throw new UsageError(`no stack named "${requested}"`, [...(near.length ? [`did you mean ${orList(near)}?`] : []), `Stacks: ${all.join(", ") || "(none)"}`]);
  }
  if (all.length === 1) return all[0]!;
  throw new UsageError(`name the stack to ${verb}: the app has ${all.length} (${all.join(", ")})`, [`drover ${verb} <stack>`]);
}

export interface PreparedStack {
  readonly project: Project;
  readonly stack: SynthesizedStack;
  readonly terraform: Terraform;
  readonly binary: TerraformBinary;
  readonly configText: string;
  readonly config: Record<string, unknown>;
  readonly target: string;
  /** Every stack of the app, for the checks across stacks of one project. */
  readonly app: SynthResult["app"];
}

/** Synthesizes the stacks, finds terraform and initializes each stack's directory. */
export async function prepare(
  options: TerraformOptions & {
    stacks: readonly string[];
    pick?: (all: readonly string[]) => readonly string[];
    onEvent?: (e: DeployEvent) => void;
    env?: NodeJS.ProcessEnv;
    /** Refuse a stack that is known not to be deployed, before terraform starts: what the command would do to it. */
    requireDeployed?: string;
  },
): Promise<PreparedStack[]> {
  const project = loadProject(options.cwd);
  options.onEvent?.({ type: "phase", phase: "synth", stack: options.stacks.join(",") });
  // Look for terraform while the app synthesizes; without it nothing below can run.
  const finding = findTerraform({ ...(options.terraformBinary ? { binary: options.terraformBinary } : {}), ...(options.env ? { env: options.env } : {}) });
  finding.catch(() => undefined);
  let synth: Awaited<ReturnType<typeof synthesizeApp>>;
  try {
    synth = await synthesizeApp(project, { stacks: options.stacks, commit: true, app: true, ...(options.allowDestroy ? { allowDestroy: true } : {}) });
  } catch (e) {
    // A missing terraform explains more than a synthesis that needed it (cdktf's DataResource).
    await finding;
    throw e;
  }
  const binary = await finding;
  mark("terraform found");
  const names = options.pick ? options.pick(synth.allStacks) : synth.stacks.map((s) => s.name);
  const prepared: PreparedStack[] = [];
  for (const name of names) {
    const stack = synth.stacks.find((s) => s.name === name);
    if (!stack) throw new UsageError(`no stack named "${name}"`);
    checkTools(stack, options.env ?? process.env);
    const configText = await readFile(stack.configPath, "utf8");
    const config = JSON.parse(configText) as Record<string, unknown>;
    if (options.requireDeployed) requireDeployed(deploymentOf(project.root, name, config, stack.dir), name, options.requireDeployed);
    const backend = Object.keys(((config.terraform ?? {}) as { backend?: Record<string, unknown> }).backend ?? {})[0] ?? "local";
    const terraform = new Terraform(binary, name, stack.dir, options.env ?? process.env, backend);
    options.onEvent?.({ type: "phase", phase: "init", stack: name });
    await terraform.init(options.pluginDir ? { pluginDir: options.pluginDir } : {});
    mark(`${name}: init checked`);
    prepared.push({ project, stack, terraform, binary, configText, config, target: describeTarget(config, project.root, options.env ?? process.env, stack.dir), app: synth.app });
  }
  return prepared;
}

/**
 * Programs the stack's Terraform steps run on this machine (drover.json `tools`): missing, a
 * deploy would fail halfway, after the slow resources were made; so nothing starts.
 */
function checkTools(stack: SynthesizedStack, env: NodeJS.ProcessEnv): void {
  const missing = (stack.info?.tools ?? []).filter((t) => !onPath(t.name, env.PATH ?? ""));
  if (missing.length === 0) return;
  throw new ExternalError(
    `stack ${stack.name} runs ${orList(missing.map((t) => t.name))} on this machine, and ${missing.length === 1 ? "it is" : "they are"} not on PATH; nothing was changed`,
    missing.map((t) => `${t.name}: needed by ${t.why}; ${t.install}`),
  );
}

function onPath(name: string, path: string): boolean {
  return path.split(":").some((dir) => dir !== "" && existsSync(join(dir, name)));
}

/** `terraform plan` (and `show -json`) for one prepared stack; the plan file is left for apply. */
export async function terraformPlan(
  p: PreparedStack,
  options: { destroy?: boolean; lockTimeout?: string; planFile?: string; replace?: readonly string[] /** terraform's plan, saved earlier: read instead of planning. */; saved?: Buffer },
): Promise<{ plan: Plan; planFile: string }> {
  const planFile = options.planFile ?? join(p.stack.dir, ".drover.tfplan");
  const reader = planReader(p.terraform);
  if (options.saved) {
    await writeFile(planFile, options.saved, { mode: 0o600 });
  } else {
    await p.terraform.plan({
      out: planFile,
      ...(options.destroy ? { destroy: true } : {}),
      ...(options.lockTimeout ? { lockTimeout: options.lockTimeout } : {}),
      ...(options.replace && options.replace.length > 0 ? { replace: options.replace } : {}),
    });
  }
  mark(`${p.stack.name}: terraform plan`);
  const { json } = await reader.read(planFile);
  // The last deployed synthesis names what the new one no longer has: needed only for deletions.
  const deletes = ((json as TerraformPlanJson).resource_changes ?? []).some((rc) => rc.change.actions.includes("delete"));
  const previous = deletes ? await readBaseline(p.project.root, p.stack.name) : undefined;
  // Destroy-time steps it runs are said with the plan, before anything is confirmed.
  return { plan: withDestroySteps(planFromTerraform(p.stack.name, json as TerraformPlanJson, p.config, previous?.config), p.config, previous?.config), planFile };
}

function refuseDestructive(stack: string, plan: Plan, kind: "deploy" | "destroy"): void {
  const destructive = plan.resources.filter((r) => r.destructive);
  if (destructive.length === 0) return;
  const what = destructive.map((r) => `${r.constructPath ?? r.address} (${r.type}, ${r.action})`);
  throw new UsageError(kind === "destroy" ? `destroying ${stack} would delete data in ${orList(what)}` : `this change to ${stack} would destroy data: ${orList(what)}`, [
    "These resources hold data (volumes, shares, containers, or marked stateful).",
    `If losing it is intended, rerun with --allow-destroy: drover ${kind} ${stack} --allow-destroy`,
  ]);
}

/**
 * Deploy or destroy one stack: synthesize, plan with terraform, show where it lands, confirm,
 * apply the saved plan (never a fresh one), read the outputs and record (or clear) the baseline.
 */
export async function runStack(kind: "deploy" | "destroy", options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const emit = options.onEvent ?? (() => undefined);
  const saved = kind === "deploy" ? options.savedPlan : undefined;
  // The saved plan's stack is synthesized as it was planned (--allow-destroy changes the synthesis).
  const allowDestroy = kind === "destroy" ? true : saved ? saved.plan.allowDestroy : Boolean(options.allowDestroy);
  // Whether losing data is accepted: --allow-destroy, or as the saved plan was made.
  const acceptLoss = saved ? saved.plan.allowDestroy : Boolean(options.allowDestroy);
  const stackName = saved ? saved.plan.stack : options.stack;
  const [p] = await prepare({
    ...options,
    allowDestroy,
    stacks: stackName ? [stackName] : [],
    pick: (all) => [chooseStack(stackName, all, kind)],
    onEvent: emit,
    ...(options.requireDeployed ? { requireDeployed: options.requireDeployed } : {}),
  });
  const prepared = p!;
  const stack = prepared.stack.name;
  if (saved) refuseStale(saved.plan, saved.shown, prepared.configText);
  const baseline = (await readBaseline(prepared.project.root, stack))?.config;
  // Machines are rebuilt only on request: a change of their configuration applies in place.
  const replace = kind === "deploy" && options.rebuild?.length ? rebuildAddresses(stack, prepared.config as Record<string, unknown>, options.rebuild) : [];
  emit({ type: "phase", phase: "plan", stack });
  const { plan, planFile } = await terraformPlan(prepared, {
    destroy: kind === "destroy",
    replace,
    ...(options.lockTimeout ? { lockTimeout: options.lockTimeout } : {}),
    ...(saved ? { saved: Buffer.from(saved.plan.terraformPlan, "base64") } : {}),
  });
  // With a state drover cannot see (s3, pg, http), a plan that only creates says the stack is not there.
  if (options.requireDeployed && plan.resources.length > 0 && plan.resources.every((r) => r.action === "create")) {
    await rm(planFile, { force: true });
    throw new UsageError(`stack ${stack} is not deployed (the plan would create all ${plan.resources.length} of its resources): there is nothing to ${options.requireDeployed}`, [
      `Deploy it first: drover deploy ${stack}`,
    ]);
  }
  emit({ type: "planned", plan, target: prepared.target });
  const base = { stack, target: prepared.target, plan, terraformVersion: prepared.binary.version, failed: [] as string[], errors: [] as string[] };
  const done = async (outcome: RunResult["outcome"], extra: Partial<RunResult> = {}): Promise<RunResult> => {
    await rm(planFile, { force: true });
    return { ...base, outcome, outputs: {}, elapsedMs: performance.now() - started, ...extra };
  };

  if (!plan.hasChanges) {
    if (kind === "deploy") await recordBaseline(prepared.project.root, stack, prepared.configText, meta(stack, prepared.binary.version));
    else await clearBaseline(prepared.project.root, stack);
    return done("no-changes", kind === "deploy" ? { outputs: masked(await prepared.terraform.outputs()) } : {});
  }
  if (!acceptLoss) refuseDestructive(stack, plan, kind);
  if (kind === "deploy") {
    // Quota and policy, before anything is asked or applied (a destroy frees quota and is never refused).
    const checks = await checkStack({
      stack,
      dir: prepared.stack.dir,
      config: prepared.config,
      ...(prepared.stack.info ? { info: prepared.stack.info } : {}),
      ...(baseline ? { baseline } : {}),
      policyLevel: options.policyLevel ?? "error",
      live: true,
      ...(options.env ? { env: options.env } : {}),
      ...(acceptLoss ? { allowDestroy: true } : {}),
      others: prepared.app,
    });
    try {
      refuseFailedChecks(stack, checks);
    } catch (e) {
      await rm(planFile, { force: true });
      throw e;
    }
  }
  // A saved plan was reviewed before it was saved: applying that file is the confirmation.
  if (!options.yes && !saved) {
    if (!options.confirm) {
      await rm(planFile, { force: true });
      throw new UsageError(`${kind} needs a confirmation, and there is no terminal to ask in`, [`Review the plan (drover plan ${stack}), then rerun with --yes.`]);
    }
    if (!(await options.confirm({ kind, stack, plan, target: prepared.target }))) return done("declined");
  }

  emit({ type: "phase", phase: "apply", stack });
  const result = await prepared.terraform.apply(planFile, (event) => emit({ type: "apply", event }), options.lockTimeout ? { lockTimeout: options.lockTimeout } : {});
  const errors = result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.address ? `${d.address}: ` : ""}${d.summary}${d.detail ? `: ${d.detail.replace(/\s+/g, " ").trim()}` : ""}`);
  if (!result.ok) return done(result.interrupted ? "interrupted" : "failed", { failed: result.failed, errors });

  emit({ type: "phase", phase: "outputs", stack });
  if (kind === "deploy") {
    await recordBaseline(prepared.project.root, stack, prepared.configText, meta(stack, prepared.binary.version));
    // The apply reports the outputs at its end; asking terraform again would cost a process.
    const outputs = masked(result.outputs ?? (await prepared.terraform.outputs()));
    // Machines whose configuration changed: until their agents say they applied it.
    const awaited = options.noWait ? [] : awaitedMachines(plan, prepared.config as Record<string, unknown>);
    const convergence =
      awaited.length > 0
        ? await waitForConvergence(options.env ?? process.env, awaited, {
            ...(options.convergeTimeoutMs !== undefined ? { timeoutMs: options.convergeTimeoutMs } : {}),
            onProgress: (d, total) => emit({ type: "converge", done: d, total }),
          })
        : undefined;
    return done("applied", { outputs, ...(convergence ? { convergence } : {}) });
  }
  await clearBaseline(prepared.project.root, stack);
  return done("applied");
}

/** Outputs for printing: sensitive values are never carried (drover output --show-sensitive reveals them). */
function masked(outputs: Record<string, { value: unknown; sensitive: boolean }>): Record<string, { value: unknown; sensitive: boolean }> {
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, { value: o.sensitive ? null : o.value, sensitive: o.sensitive }]));
}

function meta(stack: string, terraformVersion: string) {
  return { stack, deployedAt: new Date().toISOString(), terraformVersion, droverVersion: process.env.npm_package_version ?? "0.1.0" };
}

export function stackDirExists(dir: string): boolean {
  return existsSync(join(dir, "cdk.tf.json"));
}
