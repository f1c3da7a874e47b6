import { foldBundleChanges, IN_PLACE_REASON } from "./config-bundle.ts";
import { PLAN_FORMAT, STATEFUL_TYPES, hasChanges, isDestructive, replacementReason, summarize, topConstruct, type Action, type OutputChange, type Plan, type ResourceChange } from "./model.ts";
import { ABSENT, SENSITIVE, UNKNOWN, compareValues, known, type Marks } from "./values.ts";

/** The parts of `terraform show -json <planfile>` drover reads (format 1.x). */
interface TfChange {
  readonly actions: readonly string[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: Marks;
  readonly before_sensitive?: Marks;
  readonly after_sensitive?: Marks;
  readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
}
interface TfResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly change: TfChange;
  readonly action_reason?: string;
}
export interface TerraformPlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly TfResourceChange[];
  readonly resource_drift?: readonly TfResourceChange[];
  readonly output_changes?: Readonly<Record<string, TfChange>>;
}

/** Terraform's action lists, as one action. */
export function actionOf(actions: readonly string[]): Action {
  const key = actions.join(",");
  switch (key) {
    case "no-op":
      return "no-op";
    case "create":
      return "create";
    case "read":
      return "read";
    case "update":
      return "update";
    case "delete":
      return "delete";
    case "forget":
      return "forget";
    case "delete,create":
    case "create,delete":
      return "replace";
    default:
      throw new Error(`unknown terraform action list [${key}]`);
  }
}

const REASONS: Record<string, string> = {
  replace_because_tainted: "it is tainted (a previous apply failed part-way)",
  replace_because_cannot_update: "changed arguments cannot be updated in place",
  replace_by_request: "replacement was requested (-replace)",
  replace_by_triggers: "a replace_triggered_by reference changed",
  delete_because_no_resource_config: "it is no longer in the stack",
  delete_because_no_module: "its module is no longer in the configuration",
  delete_because_wrong_repetition: "it changed between count and for_each",
  delete_because_count_index: "its count index no longer exists",
  delete_because_each_key: "its for_each key no longer exists",
  delete_because_no_move_target: "its moved target does not exist",
  read_because_config_unknown: "its configuration depends on values known only after apply",
  read_because_dependency_pending: "it depends on a resource with pending changes",
  read_because_check_nested: "a check block reads it",
};

/** Where each address's construct path is: from the `//` metadata of the synthesized config. */
export function constructPaths(config: Record<string, unknown> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [section, prefix] of [
    ["resource", ""],
    ["data", "data."],
  ] as const) {
    const byType = (config?.[section] ?? {}) as Record<string, Record<string, { "//"?: { metadata?: { path?: string }; drover?: { stateful?: boolean; loses?: string } } }>>;
    for (const [type, byName] of Object.entries(byType)) {
      for (const [name, body] of Object.entries(byName ?? {})) {
        const path = body?.["//"]?.metadata?.path;
        if (path) out.set(`${prefix}${type}.${name}`, path);
        if (body?.["//"]?.drover?.stateful) out.set(`stateful:${prefix}${type}.${name}`, "true");
        const loses = body?.["//"]?.drover?.loses;
        if (loses) out.set(`loses:${prefix}${type}.${name}`, loses);
      }
    }
  }
  return out;
}

/** `<type>.web[0]` → `<type>.web`: instances share their resource's construct. */
const baseAddress = (address: string) => address.replace(/\[[^\]]*\]$/, "");

function sameReplacePath(a: readonly (string | number)[], b: ReadonlyArray<string | number>): boolean {
  // A replace path names an attribute; a change deeper inside it is covered by it.
  return b.length <= a.length && b.every((seg, i) => seg === a[i]);
}

function resourceChange(rc: TfResourceChange, stack: string, paths: Map<string, string>): ResourceChange {
  const action = actionOf(rc.change.actions);
  const base = baseAddress(rc.address);
  const constructPath = paths.get(base);
  const stateful = STATEFUL_TYPES.has(rc.type) || paths.has(`stateful:${base}`);
  const replacePaths = rc.change.replace_paths ?? [];
  const compared =
    action === "delete" || action === "forget"
      ? []
      : compareValues(action === "create" ? undefined : rc.change.before, rc.change.after, {
          beforeSensitive: rc.change.before_sensitive,
          afterSensitive: rc.change.after_sensitive,
          afterUnknown: rc.change.after_unknown,
          forcesReplacement: (path) => replacePaths.some((rp) => sameReplacePath(path, rp)),
        });
  const metadataOf = (v: unknown) => (v && typeof v === "object" ? (v as { metadata?: unknown }).metadata : undefined);
  const folded = foldBundleChanges(compared, action === "create" ? undefined : metadataOf(rc.change.before), metadataOf(rc.change.after));
  const changes = folded.changes;
  const forcing = changes.filter((c) => c.forcesReplacement).map((c) => c.path);
  const why =
    action === "replace" && forcing.length > 0
      ? `${forcing.join(", ")} ${forcing.length === 1 ? "forces" : "force"} replacement`
      : rc.action_reason
        ? (REASONS[rc.action_reason] ?? rc.action_reason)
        : action === "update" && folded.bundleChanged
          ? IN_PLACE_REASON
          : undefined;
  const reason = action === "replace" ? replacementReason(rc.type, why, paths.get(`loses:${base}`)) : why;
  return {
    address: rc.address,
    mode: rc.mode,
    type: rc.type,
    name: rc.name,
    ...(constructPath ? { constructPath } : {}),
    construct: topConstruct(constructPath, stack),
    action,
    ...(reason ? { reason } : {}),
    changes,
    stateful,
    destructive: isDestructive(action, stateful),
  };
}

function outputValue(value: unknown, sensitive: Marks, unknown: Marks): import("./model.ts").PlanValue {
  if (unknown === true) return UNKNOWN;
  if (value === undefined || value === null) return ABSENT;
  if (sensitive === true) return SENSITIVE;
  return known(value);
}

/**
 * The plan model from `terraform show -json` of a saved plan and the stack's synthesized config.
 * `previous`, the synthesis last deployed, names the construct paths (and stateful marks) of
 * resources the new config no longer has, so a deleted volume is still known to hold data.
 */
export function planFromTerraform(stack: string, json: TerraformPlanJson, config?: Record<string, unknown>, previous?: Record<string, unknown>): Plan {
  if (!json.format_version?.startsWith("1.")) {
    throw new Error(`unsupported terraform plan format ${json.format_version}`);
  }
  const paths = new Map([...constructPaths(previous), ...constructPaths(config)]);
  const resources = (json.resource_changes ?? []).map((rc) => resourceChange(rc, stack, paths));
  const drift = (json.resource_drift ?? []).map((rc) => resourceChange(rc, stack, paths));
  const outputs: OutputChange[] = Object.entries(json.output_changes ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => ({
      name,
      action: actionOf(c.actions),
      before: outputValue(c.before, c.before_sensitive, false),
      after: outputValue(c.after, c.after_sensitive, c.after_unknown),
    }));
  return {
    format: PLAN_FORMAT,
    stack,
    source: "terraform",
    resources,
    drift,
    outputs,
    summary: summarize(resources),
    hasChanges: hasChanges(resources, outputs),
    ...(json.terraform_version ? { terraformVersion: json.terraform_version } : {}),
  };
}
