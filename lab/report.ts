import pc from "picocolors";

/** One thing the lab checked, as a user of the stack would: what it saw, and why it failed. */
export interface CheckResult {
  readonly scenario: string;
  readonly name: string;
  readonly passed: boolean;
  /** What the check observed (a line or two). */
  readonly observed: string;
  /** On failure: the machine's logs that explain it (cloud-init output, journal lines). */
  readonly evidence?: string;
  readonly seconds: number;
}

export interface ScenarioReport {
  readonly name: string;
  readonly stack: string;
  readonly machines: readonly string[];
  readonly checks: readonly CheckResult[];
  /** What could not be real on this machine, and what stood in for it. */
  readonly substitutions: readonly string[];
  readonly seconds: number;
}

export interface LabReport {
  readonly scenarios: readonly ScenarioReport[];
  readonly passed: number;
  readonly failed: number;
  readonly seconds: number;
  readonly image: { readonly key: string; readonly built: boolean; readonly seconds: number };
  /** Bytes the package proxy fetched from Debian's archive during the run (0 on a warm run). */
  readonly downloadedBytes: number;
  /** With `--keep`: where the machines stay, and how to reach them. */
  readonly kept?: { readonly run: string; readonly machines: readonly string[] };
}

export function summarize(scenarios: readonly ScenarioReport[]): { passed: number; failed: number } {
  const all = scenarios.flatMap((s) => s.checks);
  return { passed: all.filter((c) => c.passed).length, failed: all.filter((c) => !c.passed).length };
}

const oneLine = (text: string, width: number) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
};

/** The report as a person reads it: a table per scenario, the evidence of each failure, the substitutions. */
export function renderReport(report: LabReport, options: { color: boolean; width?: number }): string {
  const c = options.color ? pc : pc.createColors(false);
  const width = Math.max(80, options.width ?? 120);
  const out: string[] = [];
  for (const s of report.scenarios) {
    out.push("", c.bold(`${s.name}`) + c.dim(`  stack ${s.stack}, ${s.machines.length} machine(s), ${s.seconds.toFixed(0)} s`));
    const nameWidth = Math.min(60, Math.max(10, ...s.checks.map((x) => x.name.length)));
    const observedWidth = Math.max(20, width - nameWidth - 12);
    for (const x of s.checks) {
      const mark = x.passed ? c.green("passed") : c.red("FAILED");
      out.push(`  ${x.name.padEnd(nameWidth)}  ${mark}  ${c.dim(oneLine(x.observed, observedWidth))}`);
    }
    const failures = s.checks.filter((x) => !x.passed);
    for (const x of failures) {
      out.push("", c.red(`  ✗ ${x.name}`), ...x.observed.split("\n").map((l) => `    ${l}`));
      if (x.evidence)
        out.push(
          ...x.evidence
            .trimEnd()
            .split("\n")
            .map((l) => c.dim(`    │ ${l}`)),
        );
    }
    if (s.substitutions.length > 0) {
      out.push("", c.bold("  substitutions (what cannot be real here, and what stood in):"));
      for (const sub of s.substitutions) out.push(`  - ${sub}`);
    }
  }
  out.push("");
  out.push(
    c.dim(
      `image ${report.image.key} (${report.image.built ? `built in ${report.image.seconds.toFixed(0)} s` : "from the cache"}); ` +
        `${(report.downloadedBytes / 1e6).toFixed(1)} MB fetched from Debian's archive; ${report.seconds.toFixed(0)} s in all`,
    ),
  );
  if (report.kept) {
    out.push(c.bold(`kept: run ${report.kept.run}, machines ${report.kept.machines.join(", ")}`));
    out.push(`  npm run lab -- --shell <machine>   open a shell in one`);
    out.push(`  npm run lab -- --down              stop them and give everything back`);
  }
  const line = `${report.passed} passed, ${report.failed} failed`;
  out.push(report.failed === 0 ? c.green(line) : c.red(line));
  return out.join("\n") + "\n";
}
