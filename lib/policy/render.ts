import pc from "picocolors";
import { policyCheck, type Finding } from "./checks.ts";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** One line counting the findings: "1 error, 2 warnings, 1 suppressed", or "no policy findings". */
export function findingsSummary(findings: readonly Finding[]): string {
  if (findings.length === 0) return "no policy findings";
  const live = findings.filter((f) => !f.suppressed);
  const errors = live.filter((f) => f.severity === "error").length;
  const warnings = live.length - errors;
  const suppressed = findings.length - live.length;
  return [plural(errors, "error"), plural(warnings, "warning"), ...(suppressed ? [`${suppressed} suppressed`] : [])].join(", ");
}

/**
 * Findings for a terminal: each with its check, where, what and the fix; suppressed ones after
 * the rest, dimmed, with the reason given in code. Ends with the summary line.
 *
 * @example
 * process.stdout.write(renderFindings(runPolicy({ config, info, files }).findings));
 */
export function renderFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return `${findingsSummary(findings)}\n`;
  const live = findings.filter((f) => !f.suppressed);
  const suppressed = findings.filter((f) => f.suppressed);
  const lines: string[] = [];
  for (const f of live) {
    const label = f.severity === "error" ? pc.red(pc.bold("error  ")) : pc.yellow(pc.bold("warning"));
    lines.push(`${label} ${pc.bold(f.id)} ${policyCheck(f.id).title} ${pc.dim("at")} ${f.construct}`);
    lines.push(`  ${f.message}`);
    lines.push(`  ${pc.dim("fix:")} ${f.fix}`);
  }
  for (const f of suppressed) {
    lines.push(pc.dim(`suppressed ${f.id} ${policyCheck(f.id).title} (${f.severity}) at ${f.construct}`));
    lines.push(pc.dim(`  ${f.message}`));
    lines.push(pc.dim(`  reason: ${f.suppressed!.reason}`));
  }
  lines.push(findingsSummary(findings));
  return `${lines.join("\n")}\n`;
}
