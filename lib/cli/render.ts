import pc from "picocolors";
import { renderFindings } from "../policy/render.ts";
import type { ListedStack } from "./commands/list.ts";
import type { SynthReport } from "./commands/synth.ts";
import type { ValidateReport } from "./commands/validate.ts";

/** Text renderings of command results; `--json` prints the results themselves instead. */

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function renderSynth(r: SynthReport): string {
  const lines = [`${pc.green("✔")} Synthesized ${plural(r.stacks.length, "stack")} into ${r.outdir}/stacks in ${(r.durationMs / 1000).toFixed(2)} s`];
  lines.push(
    ...table(
      r.stacks.map((s) => [
        `  ${pc.bold(s.name)}`,
        `${s.cloud}${s.region !== "-" ? ` ${s.region}` : ""}`,
        plural(s.resources, "resource"),
        `${plural(s.dataSources, "data source")}, ${plural(s.outputs, "output")}`,
      ]),
    ),
  );
  for (const s of r.stacks) {
    for (const f of s.files) lines.push(`    ${pc.dim(f)}`);
  }
  const warnings = r.stacks.flatMap((s) => s.warnings);
  if (warnings.length) lines.push("", pc.yellow("Warnings:"), ...warnings.map((w) => `  ${pc.yellow("!")} ${w}`));
  return lines.join("\n");
}

/** A cell's text with control characters written as escapes: a terminal never receives them raw. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function renderList(r: { stacks: readonly ListedStack[] }, expired = false): string {
  if (r.stacks.length === 0) return expired ? "No stack has expired." : "The app defines no stacks.";
  return table([
    ["STACK", "CLOUD", "REGION", "RESOURCES", "OWNER", "EXPIRES", "STATE", "DESCRIPTION"].map((h) => pc.dim(h)),
    ...r.stacks.map((s) => [
      printable(s.name),
      printable(s.cloud),
      printable(s.region),
      String(s.resources),
      printable(s.owner ?? "-"),
      s.expiresAt ? (s.expired ? pc.red(`${printable(s.expiresAt)} (expired)`) : printable(s.expiresAt)) : "-",
      s.shelved ? "shelved" : "-",
      printable(s.description ?? ""),
    ]),
  ]).join("\n");
}

export function renderValidate(r: ValidateReport): string {
  const lines: string[] = [];
  for (const s of r.stacks) {
    const head = s.valid
      ? `${pc.green("✔")} ${pc.bold(s.name)}: valid (${plural(s.checked, "block")} checked against ${(s.schemas.length > 0 ? s.schemas : r.schemas).join(", ")})`
      : `${pc.red("✖")} ${pc.bold(s.name)}: ${plural(s.errors, "error")}`;
    lines.push(head + (s.warnings ? `, ${plural(s.warnings, "warning")}` : ""));
    for (const f of s.findings) {
      const mark = f.severity === "error" ? pc.red("error") : pc.yellow("warning");
      const where = `${f.address}${f.constructPath ? ` (${f.constructPath})` : ""}`;
      lines.push(`  ${mark} ${where}${f.attribute ? ` ${pc.bold(f.attribute)}` : ""}: ${f.message}`);
    }
    if (s.unchecked.length) lines.push(pc.dim(`  not checked offline (no schema here): ${s.unchecked.join(", ")}`));
    for (const w of s.constructWarnings) lines.push(`  ${pc.yellow("!")} ${w}`);
    if (s.policy.length > 0 || s.policyFailed) lines.push(`  policy${s.policyFailed ? pc.red(" (fails)") : ""}:`, renderFindings(s.policy).trimEnd().replace(/^/gm, "    "));
  }
  return lines.join("\n");
}
