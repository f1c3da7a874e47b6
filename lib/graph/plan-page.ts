/**
 * `drover plan --html`: the stack's picture with each element coloured by what the plan does to
 * it (create green, update amber, replace or delete red, no change grey), the machines table
 * with a change column, every change listed, and — when given — the cost change and the policy
 * findings. One self-contained HTML file, like `drover graph`'s page.
 *
 * @example
 * const model = buildGraphModel(config, { stack: plan.stack });
 * const html = await renderPlanHtml({ stack: model, plan, cost: { line: "SU/hour: 8 → 12 (+4)" } });
 */
import { ALL_CLOUDS, MACHINE_TYPES, typesOf } from "../clouds/index.ts";
import type { Action, Plan, ResourceChange } from "../plan/model.ts";
import { summaryLine } from "../plan/render.ts";
import { ACTION_COLORS, type GraphAction, type RemovedElement } from "./dot.ts";
import { allElements, type GraphModel } from "./model.ts";
import { describe, escapeHtml, machineTable, page, renderGraphSvg, securityGroupSection } from "./render.ts";

/** The cost change, as the caller words it. */
export interface PlanPageCost {
  /** The headline, e.g. `SUs per hour: 24 → 32 (+8)`. */
  readonly line: string;
  /** Optional breakdown, one row per line item; values are shown as given. */
  readonly rows?: ReadonlyArray<{ readonly label: string; readonly before?: string; readonly after?: string; readonly change?: string }>;
}

/** One policy finding, as `drover validate` reports it. */
export interface PlanPagePolicyFinding {
  /** Check ID, `DRV002`. */
  readonly id: string;
  readonly severity: "error" | "warning" | "info";
  readonly message: string;
  /** Construct path the finding is about. */
  readonly construct: string;
  /** Suppressed in code with `suppressPolicy`: listed, with the reason, but not counted. */
  readonly suppressed?: { readonly reason: string };
}

export interface PlanPageInput {
  /** The stack's topology as it will be (`buildGraphModel` of the synthesized config). */
  readonly stack: GraphModel;
  readonly plan: Plan;
  readonly cost?: PlanPageCost;
  readonly policy?: readonly PlanPagePolicyFinding[];
  /** Where the plan applies (backend and cloud project), as `drover plan` prints it. */
  readonly target?: string;
}

const RANK: Record<GraphAction, number> = { "no-op": 0, create: 1, update: 2, replace: 3, delete: 4 };

const toGraphAction = (a: Action): GraphAction => (a === "read" || a === "forget" ? "no-op" : a);

/** `machine.node[2]` → `machine.node`: a counted resource is one element. */
const baseAddress = (address: string) => address.replace(/\[[^\]]*\]$/, "");

/** What each kind of removed element is, by its cloud's resource types (lib/clouds). */
const REMOVED_KIND: ReadonlyArray<[RemovedElement["kind"], ReadonlySet<string>]> = [
  ["machine", MACHINE_TYPES],
  ["volume", typesOf("volumes")],
  ["network", typesOf("networks")],
  ["subnet", typesOf("subnets")],
  ["router", typesOf("routers")],
  ["public-address", typesOf("publicAddresses")],
  ["security-group", typesOf("securityGroups")],
  ["dns-record", typesOf("dnsRecords")],
  ["kubernetes-cluster", new Set(ALL_CLOUDS.flatMap((c) => Object.keys(c.types.kubernetesClusters)))],
];

function removedKind(type: string): RemovedElement["kind"] | undefined {
  return REMOVED_KIND.find(([, types]) => types.has(type))?.[0];
}

function shortName(r: ResourceChange): string {
  const parts = r.constructPath?.split("/") ?? [];
  const last = parts.at(-1);
  if (last && last !== "Resource") return last;
  return parts.at(-2) ?? r.name;
}

/**
 * What the plan does to each element of the picture. An element takes its main resource's
 * action; when that does not change but a part does (a rule of a group, a machine's port), the
 * element is updated. Elements the plan deletes that the stack no longer has are `removed`.
 */
export function planActions(model: GraphModel, plan: Plan): { actions: Map<string, GraphAction>; removed: RemovedElement[]; removedResources: ResourceChange[] } {
  const byAddress = new Map<string, GraphAction>();
  for (const r of plan.resources) {
    if (r.mode === "data") continue;
    const address = baseAddress(r.address);
    const action = toGraphAction(r.action);
    const seen = byAddress.get(address);
    if (seen === undefined || RANK[action] > RANK[seen]) byAddress.set(address, action);
  }
  const actions = new Map<string, GraphAction>();
  const members = new Set<string>();
  for (const e of allElements(model)) {
    for (const m of e.members) members.add(m);
    const main = byAddress.get(e.id);
    const parts = e.members.map((m) => byAddress.get(m)).filter((a): a is GraphAction => a !== undefined);
    const changed = parts.filter((a) => a !== "no-op");
    let action: GraphAction = "no-op";
    if (main !== undefined && main !== "no-op") action = main;
    else if (main === undefined && changed.length > 0 && changed.length === parts.length && changed.every((a) => a === changed[0])) action = changed[0]!;
    else if (changed.length > 0) action = "update";
    actions.set(e.id, action);
  }
  const removed: RemovedElement[] = [];
  const removedResources: ResourceChange[] = [];
  for (const r of plan.resources) {
    if (r.mode === "data" || r.action !== "delete" || members.has(baseAddress(r.address))) continue;
    const kind = removedKind(r.type);
    if (!kind) continue;
    removed.push({ id: r.address, kind, name: shortName(r) });
    removedResources.push(r);
  }
  return { actions, removed, removedResources };
}

/** The plan page: picture coloured by action, machines, changes, cost and policy. */
export async function renderPlanHtml(input: PlanPageInput): Promise<string> {
  const { stack: model, plan } = input;
  const { actions, removed } = planActions(model, plan);
  const svg = await renderGraphSvg(model, { actions, removed });
  const title = `Plan for ${plan.stack}`;
  const removedMachines = removed.filter((r) => r.kind === "machine");
  const body = `
<header>
  <h1>${escapeHtml(title)}</h1>
  <p class="summary"><strong>${escapeHtml(summaryLine(plan))}</strong>${plan.summary.destructive ? ` <span class="badge action-delete">${plan.summary.destructive} destroy data</span>` : ""}</p>
  <p class="meta">${escapeHtml(describe(model))}</p>
  <p class="meta">${escapeHtml(source(plan))}${input.target ? ` · ${escapeHtml(input.target)}` : ""}</p>
</header>
<main class="layout">
  <figure class="picture">
    ${svg}
    <figcaption>${legendByAction()}</figcaption>
  </figure>
  <aside class="side">
    ${machineTable(model, actions, removedMachines)}
  </aside>
</main>
${input.cost ? costSection(input.cost) : ""}
${input.policy ? policySection(input.policy) : ""}
${changesSection(plan)}
${securityGroupSection(model)}`;
  return page(title, body);
}

function source(plan: Plan): string {
  if (plan.source === "terraform") return `planned by terraform ${plan.terraformVersion ?? ""}`.trim();
  return `planned offline, against ${plan.baseline?.description ?? "nothing"}`;
}

function legendByAction(): string {
  const items: Array<[GraphAction, string]> = [
    ["create", "created"],
    ["update", "updated in place"],
    ["replace", "replaced or deleted"],
    ["no-op", "unchanged"],
  ];
  return `<ul class="legend">${items
    .map(([a, words]) => `<li><span class="swatch" style="background:${ACTION_COLORS[a].fill};border-color:${ACTION_COLORS[a].border}"></span>${words}</li>`)
    .join("")}</ul>`;
}

function changesSection(plan: Plan): string {
  const changed = plan.resources.filter((r) => r.action !== "no-op" && r.action !== "read");
  if (changed.length === 0) return `<section class="changes"><h2>Changes</h2><p class="dim">No resource changes.</p></section>`;
  const detail = (r: ResourceChange) => {
    if (r.reason) return escapeHtml(r.reason);
    const paths = r.changes.map((c) => c.path);
    if (r.action === "update" && paths.length) return `<code>${escapeHtml(paths.slice(0, 5).join(", ") + (paths.length > 5 ? `, +${paths.length - 5} more` : ""))}</code>`;
    return "";
  };
  const rows = changed.map(
    (r) => `<tr><td><span class="badge action-${toGraphAction(r.action)}">${escapeHtml(r.action)}</span></td>
      <td><code>${escapeHtml(r.address)}</code>${r.destructive ? ` <span class="badge action-delete">loses data</span>` : ""}</td>
      <td>${escapeHtml(r.constructPath ?? r.construct)}</td><td>${detail(r)}</td></tr>`,
  );
  return `<section class="changes"><h2>Changes (${changed.length})</h2>
    <table><thead><tr><th>Action</th><th>Resource</th><th>Construct</th><th>Why / what</th></tr></thead><tbody>${rows.join("\n")}</tbody></table></section>`;
}

function costSection(cost: PlanPageCost): string {
  const rows = (cost.rows ?? []).map(
    (r) => `<tr><td>${escapeHtml(r.label)}</td><td>${escapeHtml(r.before ?? "")}</td><td>${escapeHtml(r.after ?? "")}</td><td>${escapeHtml(r.change ?? "")}</td></tr>`,
  );
  return `<section class="cost"><h2>Cost</h2><p>${escapeHtml(cost.line)}</p>${
    rows.length ? `<table><thead><tr><th>Item</th><th>Before</th><th>After</th><th>Change</th></tr></thead><tbody>${rows.join("\n")}</tbody></table>` : ""
  }</section>`;
}

function policySection(findings: readonly PlanPagePolicyFinding[]): string {
  const counted = findings.filter((f) => !f.suppressed);
  if (findings.length === 0) return `<section class="policy"><h2>Policy</h2><p class="dim">No findings.</p></section>`;
  const rows = findings.map(
    (f) => `<tr class="${f.suppressed ? "suppressed" : ""}"><td><span class="severity-${f.severity}">${escapeHtml(f.severity)}</span></td>
      <td><code>${escapeHtml(f.id)}</code></td><td>${escapeHtml(f.construct)}</td>
      <td>${escapeHtml(f.message)}${f.suppressed ? `<br><span class="dim">suppressed: ${escapeHtml(f.suppressed.reason)}</span>` : ""}</td></tr>`,
  );
  return `<section class="policy"><h2>Policy (${counted.length} finding${counted.length === 1 ? "" : "s"}${findings.length > counted.length ? `, ${findings.length - counted.length} suppressed` : ""})</h2>
    <table><thead><tr><th>Severity</th><th>Check</th><th>Construct</th><th>Finding</th></tr></thead><tbody>${rows.join("\n")}</tbody></table></section>`;
}
