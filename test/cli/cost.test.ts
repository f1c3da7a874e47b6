import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";

// The examples on Jetstream2 (DROVER_CLOUD unset), priced by hand from lib/catalog/flavors.ts:
// workshop-jupyterhub: 5 × m3.xl (32 vCPUs × 1 SU = 32 each, 160) + m3.small (2) = 162 SU/h;
//   3 days = 72 hours × 162 = 11,664 SU.
// virtual-slurm: controller m3.medium 8 + 2 static m3.quad 8 + login m3.small 2 = 18 SU/h idle;
//   Slurm may add 3 m3.quad (12) and 2 g3.medium (8 vCPUs × 4 = 32 each, 64): 94 SU/h at full scale.
const squeeze = (text: string) => text.split("\n").map((l) => l.replace(/\s+/g, " ").trim());
const JS2_NOTE = "Jetstream2 service units: 1 SU per vCPU-hour, large-memory flavors ×2, GPU flavors ×4; shelved instances cost 0, stopped ones half";

describe("drover cost", () => {
  let dir: string;
  const cost = (...args: string[]) => drover(dir, ["cost", ...args], { DROVER_CLOUD: "" });

  beforeAll(() => {
    dir = makeProject({}, { copyExamples: true });
  });

  it("GIVEN the JupyterHub example WHEN costed for 3 days as JSON THEN it prints the model: 162 SU/h, 11,664 SU", () => {
    const r = cost("workshop-jupyterhub", "--days", "3", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.stack).toBe("workshop-jupyterhub");
    expect(json.cost).toMatchObject({
      cloud: { kind: "openstack", name: "jetstream2", region: "IU" },
      currency: "SU",
      perHour: { idle: 162, fullScale: 162 },
      unknown: [],
      pricesNote: JS2_NOTE,
    });
    expect(json.cost.byConstruct).toHaveLength(1);
    const hub = json.cost.byConstruct[0];
    expect(hub).toMatchObject({ construct: "workshop-jupyterhub/hub", idle: 162, fullScale: 162, unknown: 0 });
    expect(hub.machines.map((m: { name: string; flavor: string; rate: number }) => [m.name, m.flavor, m.rate])).toEqual([
      ["agent-1", "m3.xl", 32],
      ["agent-2", "m3.xl", 32],
      ["agent-3", "m3.xl", 32],
      ["agent-4", "m3.xl", 32],
      ["agent-5", "m3.xl", 32],
      ["server", "m3.small", 2],
    ]);
    expect(hub.machines[0].address).toMatch(/^openstack_compute_instance_v2\.hub_agent-1_/);
    expect(json.period).toEqual({
      hours: 72,
      label: "3 days",
      total: { idle: 11664, fullScale: 11664 },
      byConstruct: [{ construct: "workshop-jupyterhub/hub", idle: 11664, fullScale: 11664 }],
    });
    // Nothing is written: cost synthesizes into a temporary directory.
    expect(existsSync(join(dir, "cdktf.out"))).toBe(false);
  });

  it("prints a per-construct table with the totals for the period", () => {
    const r = cost("workshop-jupyterhub", "--days", "3");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(squeeze(r.stdout)).toEqual([
      "workshop-jupyterhub on jetstream2 IU: cost in service units (SU) per hour",
      "CONSTRUCT MACHINES IDLE SU/h FULL SCALE SU/h 3 DAYS IDLE 3 DAYS FULL SCALE",
      "workshop-jupyterhub/hub 5 × m3.xl, 1 × m3.small 162 162 11,664 SU 11,664 SU",
      "total 162 162 11,664 SU 11,664 SU",
      "3 days = 72 hours of running.",
      "",
      JS2_NOTE,
      "",
    ]);
  });

  it("counts an elastic Slurm cluster idle and at full scale, and totals --hours", () => {
    const r = cost("virtual-slurm", "--hours", "10");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // 18 × 10 = 180 SU idle; 94 × 10 = 940 SU at full scale.
    expect(squeeze(r.stdout)).toEqual([
      "virtual-slurm on jetstream2 IU: cost in service units (SU) per hour",
      "CONSTRUCT MACHINES IDLE SU/h FULL SCALE SU/h 10 HOURS IDLE 10 HOURS FULL SCALE",
      "virtual-slurm/hpc 1 × m3.medium, 2 × m3.quad, 1 × m3.small, ≤ 3 × m3.quad elastic, ≤ 2 × g3.medium elastic 18 94 180 SU 940 SU",
      "total 18 94 180 SU 940 SU",
      "Idle: the machines Terraform keeps. Full scale: with every elastic node and autoscaled worker running.",
      "",
      JS2_NOTE,
      "",
    ]);
  });

  it.each([
    // Flag problems are found before the app runs.
    [["dev-vm", "--hours", "-3"], "Error: '--hours' (-3) must be above 0: the hours the stack runs, e.g. --hours 8"],
    [["dev-vm", "--days", "0"], "Error: '--days' (0) must be above 0: the days the stack runs, e.g. --days 3"],
    [["dev-vm", "--days", "three"], `Error: '--days' "three" is not a number: e.g. --days 3`],
    [["dev-vm", "--hours", "5", "--days", "1"], "Error: '--hours' (5) and '--days' (1) were both given: give one of them (--days 3 is --hours 72)"],
    [["workshop-jupyterhb"], `Error: no stack named "workshop-jupyterhb" in npx tsx main.ts`],
    [[], "Error: missing required argument 'stack'"],
  ])("drover cost %j fails with exit 2, a clear message and no stack trace", (args, message) => {
    const r = cost(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe(message);
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
  });

  it("suggests the stack meant, and reports a usage error as JSON with --json", () => {
    expect(cost("workshop-jupyterhb").stderr).toContain("did you mean workshop-jupyterhub?");
    const r = cost("dev-vm", "--days", "-1", "--json");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { kind: "UsageError", message: "'--days' (-1) must be above 0: the days the stack runs, e.g. --days 3", details: [], exitCode: 2 },
    });
  });
});
