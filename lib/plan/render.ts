import { IN_PLACE_REASON } from "./config-bundle.ts";
import pc from "picocolors";
import type { Action, AttributeChange, Plan, ResourceChange } from "./model.ts";
import { showValue } from "./values.ts";

/** Plans for people: a terse terminal view grouped by construct, and Markdown for pull requests. */

const SYMBOL: Record<Action, string> = { create: "+", update: "~", replace: "-/+", delete: "-", read: "<=", "no-op": " ", forget: "." };
const COLOR: Record<Action, (s: string) => string> = {
  create: pc.green,
  update: pc.yellow,
  replace: pc.magenta,
  delete: pc.red,
  read: pc.cyan,
  "no-op": pc.dim,
  forget: pc.dim,
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  if (!plan.hasChanges) return "no changes";
  const parts = [
    s.create && `${s.create} to create`,
    s.update && `${s.update} to update`,
    s.replace && `${s.replace} to replace`,
    s.delete && `${s.delete} to delete`,
    s.forget && `${s.forget} to forget`,
    s.read && `${s.read} to read`,
  ].filter(Boolean);
  const outputs = plan.outputs.filter((o) => o.action !== "no-op").length;
  if (parts.length === 0 && outputs) parts.push(`${plural(outputs, "output")} to change`);
  return parts.join(", ");
}

function source(plan: Plan): string {
  if (plan.source === "terraform") return `terraform ${plan.terraformVersion ?? ""}`.trim();
  return `offline, against ${plan.baseline?.description ?? "nothing"}`;
}

/** A resource's name within its construct: `Volume-data` for `dev-vm/box/Volume-data`. */
function shortName(r: ResourceChange): string {
  if (!r.constructPath) return r.address;
  const rest = r.constructPath.slice(r.construct.length + 1);
  return rest || r.constructPath.split("/").pop() || r.address;
}

function brief(r: ResourceChange): string {
  if (r.action === "replace" || r.action === "delete") return r.reason ? `(${r.reason})` : "";
  if (r.action === "update") {
    const names = r.changes.map((c) => c.path);
    const shown = names.slice(0, 3).join(", ") + (names.length > 3 ? `, +${names.length - 3} more` : "");
    if (r.mayReplace) return `${shown} (may replace: ${r.reason})`;
    // A new configuration bundle: the machine stays, its agent applies the change.
    return r.reason === IN_PLACE_REASON ? `${shown} (in place, by drover-agent)` : shown;
  }
  return "";
}

function attributeLines(changes: readonly AttributeChange[], indent: string): string[] {
  const out: string[] = [];
  for (const c of changes) {
    const mark = c.forcesReplacement ? pc.magenta(" # forces replacement") : "";
    if (c.textDiff) {
      out.push(`${indent}${c.path}:${mark}`);
      for (const line of c.textDiff.split("\n")) {
        const colored = line.startsWith("+") && !line.startsWith("+++") ? pc.green(line) : line.startsWith("-") && !line.startsWith("---") ? pc.red(line) : pc.dim(line);
        out.push(`${indent}  ${colored}`);
      }
    } else {
      out.push(`${indent}${c.path}: ${showValue(c.before)} → ${showValue(c.after)}${mark}`);
    }
  }
  return out;
}

function resourceLines(resources: readonly ResourceChange[], verbose: boolean): string[] {
  const lines: string[] = [];
  const groups = new Map<string, ResourceChange[]>();
  for (const r of resources) {
    if (r.action === "no-op") continue;
    groups.set(r.construct, [...(groups.get(r.construct) ?? []), r]);
  }
  for (const [construct, items] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(pc.bold(construct));
    const nameWidth = Math.max(...items.map((r) => shortName(r).length));
    const typeWidth = Math.max(...items.map((r) => r.type.length));
    for (const r of items) {
      const color = COLOR[r.action];
      const head = `${color(SYMBOL[r.action].padStart(3))} ${color(r.action.padEnd(7))} ${shortName(r).padEnd(nameWidth)}  ${pc.dim(r.type.padEnd(typeWidth))}`;
      const tail = [brief(r), r.destructive ? pc.red(pc.bold("DESTROYS DATA")) : ""].filter(Boolean).join("  ");
      lines.push(`${head}${tail ? `  ${tail}` : ""}`.trimEnd());
      if (verbose && r.changes.length) lines.push(...attributeLines(r.changes, "        "));
    }
  }
  return lines;
}

export interface TextOptions {
  readonly verbose?: boolean;
  /** A line naming where the stack lands (cloud account, project, region). */
  readonly target?: string;
}

export function renderPlanText(plan: Plan, options: TextOptions = {}): string {
  const lines = [`${pc.bold(`Plan for ${plan.stack}`)} (${source(plan)}): ${summaryLine(plan)}`];
  if (options.target) lines.push(`  target: ${options.target}`);
  const destructive = plan.resources.filter((r) => r.destructive);
  if (destructive.length) {
    lines.push(
      pc.red(`  ! ${plural(destructive.length, "change")} destroy${destructive.length === 1 ? "s" : ""} data: ${destructive.map((r) => `${r.constructPath ?? r.address} (${r.action})`).join(", ")}`),
    );
  }
  for (const step of plan.destroySteps ?? []) lines.push(pc.yellow(`  ! ${step.construct} deletes, in a destroy-time step, ${step.deletes}`));
  if (plan.source === "offline" && plan.baseline?.kind === "none") lines.push(pc.dim("  No deployment recorded for this stack: everything shows as new."));
  const body = resourceLines(plan.resources, Boolean(options.verbose));
  if (body.length) lines.push("", ...body);
  const outputs = plan.outputs.filter((o) => o.action !== "no-op");
  if (outputs.length) {
    lines.push("", pc.bold("Outputs"));
    for (const o of outputs) lines.push(`${COLOR[o.action](SYMBOL[o.action].padStart(3))} ${o.name}: ${showValue(o.before)} → ${showValue(o.after)}`);
  }
  const drift = plan.drift.filter((d) => d.action !== "no-op");
  if (drift.length) {
    lines.push("", pc.bold(pc.yellow("Drift: changed outside Terraform since the last apply")));
    lines.push(...resourceLines(drift, true));
  }
  return lines.join("\n");
}

const ICON: Record<Action, string> = { create: "🟢 create", update: "🟡 update", replace: "🟣 replace", delete: "🔴 delete", read: "🔵 read", "no-op": "no-op", forget: "⚪ forget" };

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function markdownDetails(r: ResourceChange): string[] {
  const lines = [`#### \`${r.constructPath ?? r.address}\` (${r.action})`, "", "```diff"];
  for (const c of r.changes) {
    if (c.textDiff) {
      lines.push(`! ${c.path}${c.forcesReplacement ? "  # forces replacement" : ""}`, ...c.textDiff.split("\n").filter((l) => !l.startsWith("---") && !l.startsWith("+++")));
    } else {
      if (c.before.kind !== "absent") lines.push(`- ${c.path}: ${showValue(c.before, 200)}`);
      if (c.after.kind !== "absent") lines.push(`+ ${c.path}: ${showValue(c.after, 200)}${c.forcesReplacement ? "  # forces replacement" : ""}`);
    }
  }
  lines.push("```", "");
  return lines;
}

export function renderPlanMarkdown(plan: Plan, options: { target?: string } = {}): string {
  const lines = [`### drover plan: \`${plan.stack}\``, "", `**${summaryLine(plan)}** (${source(plan)})`];
  if (options.target) lines.push("", `Target: ${options.target}`);
  const destructive = plan.resources.filter((r) => r.destructive);
  if (destructive.length) {
    lines.push(
      "",
      "> [!WARNING]",
      `> ${plural(destructive.length, "change")} destroy${destructive.length === 1 ? "s" : ""} data: ${destructive.map((r) => `\`${r.constructPath ?? r.address}\` (${r.action})`).join(", ")}`,
    );
  }
  for (const step of plan.destroySteps ?? []) lines.push("", "> [!WARNING]", `> \`${step.construct}\` deletes, in a destroy-time step, ${step.deletes}`);
  const changed = plan.resources.filter((r) => r.action !== "no-op");
  if (changed.length) {
    lines.push("", "| construct | resource | type | change | details |", "| --- | --- | --- | --- | --- |");
    for (const r of [...changed].sort((a, b) => a.construct.localeCompare(b.construct) || a.address.localeCompare(b.address))) {
      lines.push(`| \`${cell(r.construct)}\` | \`${cell(shortName(r))}\` | \`${r.type}\` | ${ICON[r.action]}${r.destructive ? " ⚠️ **destroys data**" : ""} | ${cell(brief(r))} |`);
    }
    const withChanges = changed.filter((r) => r.changes.length > 0 && r.action !== "create");
    if (withChanges.length) {
      lines.push("", "<details><summary>Attribute changes</summary>", "");
      for (const r of withChanges) lines.push(...markdownDetails(r));
      lines.push("</details>");
    }
  }
  const outputs = plan.outputs.filter((o) => o.action !== "no-op");
  if (outputs.length) {
    lines.push("", "| output | change |", "| --- | --- |");
    for (const o of outputs) lines.push(`| \`${o.name}\` | ${ICON[o.action]}: ${cell(showValue(o.before))} → ${cell(showValue(o.after))} |`);
  }
  const drift = plan.drift.filter((d) => d.action !== "no-op");
  if (drift.length) {
    lines.push("", "**Drift** (changed outside Terraform since the last apply):", "");
    for (const d of drift) lines.push(`- \`${d.constructPath ?? d.address}\`: ${d.changes.map((c) => `${c.path} ${cell(showValue(c.before))} → ${cell(showValue(c.after))}`).join("; ")}`);
  }
  return lines.join("\n");
}
