import { describe, expect, it } from "vitest";
import { renderReport, summarize, type LabReport, type ScenarioReport } from "../../lab/report.ts";

const scenario: ScenarioReport = {
  name: "slurm",
  stack: "lab-slurm",
  machines: ["lab-slurm-hpc-controller", "lab-slurm-hpc-login"],
  seconds: 201,
  substitutions: ["NFS: bind mounts of the same file system"],
  checks: [
    { scenario: "slurm", name: "munge works", passed: true, observed: "Success", seconds: 1 },
    {
      scenario: "slurm",
      name: "two jobs share a node",
      passed: false,
      observed: "squeue: 4 PENDING Resources\nsecond line",
      evidence: "[lab-slurm-hpc-controller] tail slurmctld.log\nerror: x",
      seconds: 45,
    },
  ],
};

describe("the lab's report", () => {
  it("counts passed and failed checks over every scenario", () => {
    expect(summarize([scenario, { ...scenario, checks: [scenario.checks[0]!] }])).toEqual({ passed: 2, failed: 1 });
  });

  it("renders a table per scenario, the evidence of each failure, the substitutions and the count last", () => {
    // GIVEN
    const report: LabReport = { scenarios: [scenario], passed: 1, failed: 1, seconds: 210, image: { key: "trixie-abc", built: false, seconds: 0 }, downloadedBytes: 0 };

    // WHEN
    const text = renderReport(report, { color: false, width: 100 });

    // THEN
    const lines = text.trimEnd().split("\n");
    expect(lines).toContain("slurm  stack lab-slurm, 2 machine(s), 201 s");
    expect(lines.find((l) => l.includes("munge works"))).toMatch(/^ {2}munge works +passed {2}Success$/);
    expect(lines.find((l) => l.startsWith("  two jobs share a node "))).toMatch(/FAILED {2}squeue: 4 PENDING Resources second line$/);
    expect(text).toContain("  ✗ two jobs share a node\n    squeue: 4 PENDING Resources\n    second line\n    │ [lab-slurm-hpc-controller] tail slurmctld.log\n    │ error: x");
    expect(text).toContain("  - NFS: bind mounts of the same file system");
    expect(text).toContain("image trixie-abc (from the cache); 0.0 MB fetched from Debian's archive; 210 s in all");
    expect(lines.at(-1)).toBe("1 passed, 1 failed");
  });

  it("tells how to reach kept machines", () => {
    const text = renderReport(
      { scenarios: [], passed: 0, failed: 0, seconds: 1, image: { key: "k", built: true, seconds: 60 }, downloadedBytes: 2e6, kept: { run: "abc123", machines: ["m1"] } },
      { color: false },
    );
    expect(text).toContain("image k (built in 60 s); 2.0 MB fetched");
    expect(text).toContain("kept: run abc123, machines m1");
    expect(text).toContain("npm run lab -- --shell <machine>");
  });
});
