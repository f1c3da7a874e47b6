import pc from "picocolors";
import { costChangeLine, formatRate, formatTotal, rateUnit } from "./format.ts";
import type { CostReport, MachineCost } from "./model.ts";

/** Text renderings of cost: the `drover cost` table, and the one-line change for a plan. */

export { costChangeLine as renderCostChangeLine };

/** Columns: text ones left-aligned, figures right-aligned. */
function table(rows: readonly (readonly string[])[], numeric: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const row of rows) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows.map((row) =>
    row
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i] ?? 0) : i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

/** `5 × m3.xl`, `5–8 × m3.xl`, `≤ 14 × m3.quad elastic`, `1 × m3.small shelved`. */
function machineLabel(m: MachineCost): string {
  const state = m.state === "active" ? "" : ` ${m.state}`;
  if (m.elastic) return `≤ ${m.maxCount} × ${m.flavor} elastic${state}`;
  const count = m.count === m.maxCount ? `${m.count}` : `${m.count}–${m.maxCount}`;
  return `${count} × ${m.flavor}${state}`;
}

/** Machines of one construct in a few words: like machines are added up. */
function summarize(machines: readonly MachineCost[], unknown: number): string {
  const fixed = new Map<string, { count: number; m: MachineCost }>();
  const parts: string[] = [];
  for (const m of machines) {
    if (m.elastic || m.count !== m.maxCount) {
      parts.push(machineLabel(m));
      continue;
    }
    const key = `${m.flavor} ${m.state}`;
    const seen = fixed.get(key);
    if (seen) seen.count += m.count;
    else fixed.set(key, { count: m.count, m });
  }
  const merged = [...fixed.values()].map(({ count, m }) => machineLabel({ ...m, count, maxCount: count }));
  const all = [...merged, ...parts, ...(unknown ? [`${unknown} unknown`] : [])];
  return all.join(", ") || "-";
}

export function renderCost(r: CostReport): string {
  const c = r.cost;
  const unit = rateUnit(c.currency);
  const where = `${c.cloud.name}${c.cloud.region !== "-" ? ` ${c.cloud.region}` : ""}`;
  const lines = [`${pc.bold(r.stack)} on ${where}: cost in ${c.currency === "SU" ? "service units (SU)" : "US dollars"} per hour`];
  if (c.byConstruct.length === 0) {
    lines.push("", "The stack holds no machines: nothing to price.");
    return lines.join("\n");
  }
  const period = r.period;
  const head = ["CONSTRUCT", "MACHINES", `IDLE ${unit}`, `FULL SCALE ${unit}`];
  if (period) head.push(`${period.label.toUpperCase()} IDLE`, `${period.label.toUpperCase()} FULL SCALE`);
  const rows: string[][] = [head];
  for (const [i, k] of c.byConstruct.entries()) {
    const row = [k.construct, summarize(k.machines, k.unknown), formatRate(k.idle, c.currency), formatRate(k.fullScale, c.currency)];
    const p = period?.byConstruct[i];
    if (p) row.push(formatTotal(p.idle, c.currency), formatTotal(p.fullScale, c.currency));
    rows.push(row);
  }
  const total = ["total", "", formatRate(c.perHour.idle, c.currency), formatRate(c.perHour.fullScale, c.currency)];
  if (period) total.push(formatTotal(period.total.idle, c.currency), formatTotal(period.total.fullScale, c.currency));
  rows.push(total);
  // Colour whole lines after measuring: colour codes in cells would upset the widths.
  const text = table(rows, new Set(period ? [2, 3, 4, 5] : [2, 3]));
  lines.push(...text.map((line, i) => (i === 0 ? pc.dim(line) : i === text.length - 1 ? pc.bold(line) : line)));

  const explain: string[] = [];
  if (period && period.label !== `${period.hours} hours`) explain.push(`${period.label} = ${formatRate(period.hours, "SU")} hours of running.`);
  if (c.perHour.fullScale !== c.perHour.idle) explain.push("Idle: the machines Terraform keeps. Full scale: with every elastic node and autoscaled worker running.");
  lines.push(...explain.map((l) => pc.dim(l)));
  const notes = c.byConstruct.flatMap((k) => k.machines.filter((m) => m.note).map((m) => `${k.construct} ${m.name}: ${m.note}`));
  if (notes.length) lines.push("", "Notes:", ...notes.map((n) => `  ${n}`));
  if (c.unknown.length) {
    lines.push("", pc.yellow("Not counted (cost unknown):"));
    for (const u of c.unknown) lines.push(`  ${pc.yellow("?")} ${u.construct} ${u.address ?? u.name}${u.elastic ? " (elastic)" : ""}: ${u.note}`);
  }
  lines.push("", pc.dim(c.pricesNote));
  return lines.join("\n");
}
