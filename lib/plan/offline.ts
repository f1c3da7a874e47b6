import { foldBundleChanges, IN_PLACE_REASON } from "./config-bundle.ts";
import type { LoadedProvider, SchemaBlock } from "../schema/types.ts";
import {
  PLAN_FORMAT,
  STATEFUL_TYPES,
  hasChanges,
  isDestructive,
  replacementReason,
  summarize,
  topConstruct,
  type Action,
  type AttributeChange,
  type OutputChange,
  type Plan,
  type ResourceChange,
} from "./model.ts";
import { ABSENT, SENSITIVE, compareValues, deepEqual, known } from "./values.ts";

/**
 * The offline plan: the stack's new synthesis compared with a baseline synthesis (the one
 * recorded at the last deploy, or the stack as it was at a git ref). No credentials, no
 * terraform. Whether an update replaces a resource is predicted from the schema file's
 * `force_new` marks; where no schema covers a type, the change says "may replace".
 */

type Json = Record<string, unknown>;

/** Arguments that are not resource state: changing them changes no resource. */
const META_KEYS = new Set(["//", "depends_on", "lifecycle", "provider", "provisioner", "connection"]);

interface Entry {
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly body: Json;
}

function entries(config: Json | undefined): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const [section, mode] of [
    ["resource", "managed"],
    ["data", "data"],
  ] as const) {
    const byType = (config?.[section] ?? {}) as Record<string, Record<string, Json>>;
    for (const [type, byName] of Object.entries(byType)) {
      for (const [name, body] of Object.entries(byName ?? {})) {
        out.set(mode === "data" ? `data.${type}.${name}` : `${type}.${name}`, { mode, type, name, body: body ?? {} });
      }
    }
  }
  return out;
}

/** What rebuilding a machine loses, as its construct says (`holdsState`). */
function losesOf(body: Json | undefined): string | undefined {
  const drover = (body?.["//"] as Json | undefined)?.drover as Json | undefined;
  return typeof drover?.loses === "string" ? drover.loses : undefined;
}

function stateOf(body: Json): Json {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !META_KEYS.has(k)));
}

/** What a resource's `lifecycle` block says, as far as the plan is concerned. */
function lifecycleOf(body: Json): { ignore: readonly string[] | "all"; triggers: readonly string[] } {
  const lifecycle = (body.lifecycle ?? {}) as Json;
  const ignore = lifecycle.ignore_changes;
  const triggers = Array.isArray(lifecycle.replace_triggered_by) ? lifecycle.replace_triggered_by.map((t) => String(t).replace(/^\$\{(.*)\}$/, "$1")) : [];
  return { ignore: ignore === "all" ? "all" : Array.isArray(ignore) ? ignore.map(String) : [], triggers };
}

/** Whether an attribute path (`block_device[0].uuid`) falls under an ignore_changes entry. */
function ignored(path: string, ignore: readonly string[]): boolean {
  return ignore.some((i) => path === i || path.startsWith(`${i}.`) || path.startsWith(`${i}[`));
}

function constructPathOf(body: Json): string | undefined {
  const meta = (body["//"] as Json | undefined)?.metadata as Json | undefined;
  return typeof meta?.path === "string" ? meta.path : undefined;
}

function markedStateful(body: Json): boolean {
  const drover = (body["//"] as Json | undefined)?.drover as Json | undefined;
  return drover?.stateful === true;
}

/** Facts about types no schema file covers, from Terraform's own documentation. */
const BUILTIN_FORCE_NEW: Record<string, readonly string[]> = { terraform_data: ["triggers_replace"] };

export class SchemaFacts {
  constructor(private readonly providers: readonly LoadedProvider[]) {}

  private block(type: string, mode: "managed" | "data"): SchemaBlock | undefined {
    for (const p of this.providers) {
      const s = (mode === "data" ? p.schema.data_source_schemas : p.schema.resource_schemas)?.[type];
      if (s) return s.block;
    }
    return undefined;
  }

  /** Whether drover knows this type's replacement rules. */
  knows(type: string, mode: "managed" | "data" = "managed"): boolean {
    return type in BUILTIN_FORCE_NEW || this.block(type, mode) !== undefined;
  }

  forcesReplacement(type: string, path: readonly (string | number)[]): boolean {
    const builtin = BUILTIN_FORCE_NEW[type];
    if (builtin) return typeof path[0] === "string" && builtin.includes(path[0]);
    let block = this.block(type, "managed");
    for (const segment of path) {
      if (!block || typeof segment === "number") continue;
      const attribute = block.attributes?.[segment];
      if (attribute) return attribute.force_new === true;
      const nested = block.block_types?.[segment];
      if (!nested) return false;
      if (nested.force_new) return true;
      block = nested.block;
    }
    return false;
  }

  sensitive(type: string, topAttribute: string | number | undefined): boolean {
    if (typeof topAttribute !== "string") return false;
    return this.block(type, "managed")?.attributes?.[topAttribute]?.sensitive === true;
  }
}

export interface OfflinePlanInput {
  readonly stack: string;
  /** The new synthesis (`cdk.tf.json` content). */
  readonly current: Json;
  /** What to compare with; undefined when the stack was never deployed. */
  readonly baseline?: Json;
  readonly baselineInfo: NonNullable<Plan["baseline"]>;
  readonly providers: readonly LoadedProvider[];
}

export function offlinePlan(input: OfflinePlanInput): Plan {
  const facts = new SchemaFacts(input.providers);
  const now = entries(input.current);
  const then = entries(input.baseline);
  const addresses = [...new Set([...then.keys(), ...now.keys()])].sort();
  const resources: ResourceChange[] = [];

  for (const address of addresses) {
    const before = then.get(address);
    const after = now.get(address);
    const entry = (after ?? before)!;
    const body = after?.body ?? before!.body;
    const constructPath = constructPathOf(body);
    const stateful = STATEFUL_TYPES.has(entry.type) || markedStateful(body);
    const sensitivePaths = (path: string) => facts.sensitive(entry.type, path.split(/[.[]/)[0]);
    const mask = (changes: AttributeChange[]) =>
      changes.map((c) =>
        sensitivePaths(c.path)
          ? { path: c.path, before: c.before.kind === "absent" ? ABSENT : SENSITIVE, after: c.after.kind === "absent" ? ABSENT : SENSITIVE, forcesReplacement: c.forcesReplacement }
          : c,
      );

    let action: Action;
    let changes: AttributeChange[] = [];
    let reason: string | undefined;
    let mayReplace = false;
    if (!before) {
      action = entry.mode === "data" ? "read" : "create";
      changes = foldBundleChanges(mask(compareValues(undefined, stateOf(after!.body))), undefined, stateOf(after!.body).metadata).changes;
    } else if (!after) {
      if (entry.mode === "data") continue;
      action = "delete";
      reason = "it is no longer in the stack";
    } else {
      const b = stateOf(before.body);
      const a = stateOf(after.body);
      if (deepEqual(b, a)) {
        action = "no-op";
      } else if (entry.mode === "data") {
        action = "read";
        changes = mask(compareValues(b, a));
      } else {
        // Terraform leaves what ignore_changes names as it is on the resource.
        const { ignore } = lifecycleOf(after.body);
        const folded = foldBundleChanges(
          mask(compareValues(b, a, { forcesReplacement: (path) => facts.forcesReplacement(entry.type, path) })).filter((c) => ignore !== "all" && !ignored(c.path, ignore)),
          b.metadata,
          a.metadata,
        );
        changes = folded.changes;
        const forcing = changes.filter((c) => c.forcesReplacement).map((c) => c.path);
        if (changes.length === 0) {
          action = "no-op";
        } else if (forcing.length > 0) {
          action = "replace";
          reason = `${forcing.join(", ")} ${forcing.length === 1 ? "forces" : "force"} replacement`;
        } else {
          action = "update";
          mayReplace = !facts.knows(entry.type);
          if (mayReplace) reason = `no schema for ${entry.type} here: the provider may replace it`;
          else if (folded.bundleChanged) reason = IN_PLACE_REASON;
        }
      }
    }
    resources.push({
      address,
      mode: entry.mode,
      type: entry.type,
      name: entry.name,
      ...(constructPath ? { constructPath } : {}),
      construct: topConstruct(constructPath, input.stack),
      action,
      ...(mayReplace ? { mayReplace } : {}),
      ...(reason ? { reason } : {}),
      changes,
      stateful,
      destructive: isDestructive(action, stateful),
    });
  }

  replaceTriggered(resources, now);
  for (const r of resources) {
    if (r.action !== "replace") continue;
    const loses = losesOf((now.get(r.address) ?? then.get(r.address))?.body);
    (r as { reason?: string }).reason = replacementReason(r.type, r.reason, loses);
  }

  const outputs = compareOutputs(input.baseline, input.current);
  return {
    format: PLAN_FORMAT,
    stack: input.stack,
    source: "offline",
    baseline: input.baselineInfo,
    resources,
    drift: [],
    outputs,
    summary: summarize(resources),
    hasChanges: hasChanges(resources, outputs),
  };
}

/**
 * `replace_triggered_by`: a resource whose trigger is created, changed or replaced in this plan
 * is replaced too, whatever its own attributes say (followed through chains of triggers).
 */
function replaceTriggered(resources: ResourceChange[], now: Map<string, Entry>): void {
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of resources) {
      const entry = now.get(r.address);
      if (!entry || r.action === "create" || r.action === "replace" || r.action === "delete") continue;
      const fired = lifecycleOf(entry.body)
        .triggers.map((t) => byAddress.get(t.split(".").slice(0, 2).join(".")))
        .find((target) => target !== undefined && (target.action === "create" || target.action === "update" || target.action === "replace"));
      if (!fired) continue;
      const mutable = r as { action: Action; reason?: string; destructive: boolean; mayReplace?: boolean };
      mutable.action = "replace";
      mutable.reason = `${fired.constructPath ?? fired.address} changes, and replace_triggered_by names it`;
      mutable.destructive = isDestructive("replace", r.stateful);
      delete mutable.mayReplace;
      changed = true;
    }
  }
}

function compareOutputs(baseline: Json | undefined, current: Json): OutputChange[] {
  const b = (baseline?.output ?? {}) as Record<string, Json>;
  const a = (current.output ?? {}) as Record<string, Json>;
  const names = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return names.map((name) => {
    const before = b[name];
    const after = a[name];
    const sensitive = before?.sensitive === true || after?.sensitive === true;
    const value = (o: Json | undefined) => (o === undefined ? ABSENT : sensitive ? SENSITIVE : known(o.value));
    const action: Action = !before ? "create" : !after ? "delete" : deepEqual(before.value, after.value) ? "no-op" : "update";
    return { name, action, before: value(before), after: value(after) };
  });
}
