import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STACK_TRACE_LINE, drover } from "../support/project.ts";

// Not a project: sizing must work from any directory.
const dir = mkdtempSync(join(tmpdir(), "drover-size-"));
const size = (...args: string[]) => drover(dir, ["size", "jupyterhub", ...args]);
const squeeze = (text: string) => text.split("\n").map((l) => l.replace(/\s+/g, " ").trim());

describe("drover size jupyterhub", () => {
  it("GIVEN the workshop from the issue WHEN sized THEN it prints the table, the arithmetic and the quota warnings, from a directory without a project", () => {
    expect(existsSync(join(dir, "cdktf.json"))).toBe(false);
    const r = size("--users", "127", "--cpu", "1", "--memory", "2", "--hours", "6", "--days", "3");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // Worked by hand in test/lib/jupyterhub-capacity.test.ts: 140 seats, m3.xl holds 31, 5 nodes × 32 SU/h + m3.small 2.
    expect(squeeze(r.stdout)).toEqual([
      "JupyterHub on jetstream2 for 127 users, each guaranteed 1 vCPU and 2 GiB",
      "",
      "user nodes 5 × m3.xl (32 vCPUs, 125 GiB), the cheapest that fits",
      "users/node 31 (CPU is the limit): 155 seats for 127 users + 13 headroom",
      "reserve/node 0.5 vCPU, 7.25 GiB for the system (k3s agent, DaemonSets, kernel)",
      "control plane 1 × m3.small (2 vCPUs, 6 GiB): k3s server, hub, proxy",
      "SU/hour 162 (user nodes 160 + control plane 2)",
      "total SU 2,916 (6 hours a day × 3 days)",
      "",
      "How it adds up:",
      "127 users + 13 headroom (10%, rounded up) = 140 seats of 1 vCPU and 2 GiB each",
      "m3.xl (32 vCPUs, 125 GiB) less 0.5 vCPU and 7.25 GiB for the system = 31.5 vCPUs, 117.75 GiB for users: 31 per node (CPU is the limit)",
      "140 seats ÷ 31 per node = 5 nodes (rounded up), holding 155 users",
      "5 × 32 SU/hour + control plane m3.small (k3s server, hub, proxy) 2 SU/hour = 162 SU/hour",
      "162 SU/hour × 6 hours × 3 days = 2,916 SU",
      "",
      "Also possible: 10 × m3.large (160 SU/hour), 20 × m3.medium (160 SU/hour), 47 × m3.quad (188 SU/hour)",
      "",
      "Warnings:",
      "! the cluster uses 162 cores (5 × m3.xl + m3.small), more than jetstream2's default allocation quota of 150 cores: ask for a quota increase before the event",
      "! the cluster uses 631 GiB of memory (5 × m3.xl + m3.small), more than jetstream2's default allocation quota of 585 GiB: ask for a quota increase before the event",
      "",
    ]);
  });

  it("says how to get a total when no hours are given", () => {
    const r = size("--users", "30", "--cpu", "0.5", "--memory", "1", "--flavor", "m3.quad");
    expect(r.code).toBe(0);
    expect(squeeze(r.stdout)).toContain("total SU - (give --hours and --days for a total)");
    // A named flavor is not called the cheapest; 33 seats ÷ 7 per m3.quad = 5 nodes.
    expect(squeeze(r.stdout)).toContain("user nodes 5 × m3.quad (4 vCPUs, 15 GiB)");
  });

  it("prints a stable JSON object with --json, every field of which the help names", () => {
    // 30 users at 0.5 vCPU and 1 GiB: 33 seats; m3.quad holds min(floor(3.5/0.5), floor(13568/1024)) = 7 → 5 nodes,
    // 20 SU/h + m3.small 2 = 22 SU/h; 8 hours on one day = 176 SU. 22 cores, 81 GiB: under the quota.
    const r = size("--users", "30", "--cpu", "0.5", "--memory", "1", "--hours", "8", "--json");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const json = JSON.parse(r.stdout);
    expect(json).toEqual({
      cloud: "jetstream2",
      users: 30,
      headroom: { percent: 10, users: 3 },
      seats: 33,
      profile: { cpu: 0.5, memoryGiB: 1, cpuLimit: 0.5, memoryLimitGiB: 1, gpus: 0 },
      userNodes: {
        flavor: "m3.quad",
        count: 5,
        vcpus: 4,
        memoryGiB: 15,
        gpu: 0,
        usersPerNode: 7,
        capacity: 35,
        limitedBy: "cpu",
        reserve: { cpu: 0.5, memoryGiB: 1.75 },
        allocatable: { cpu: 3.5, memoryGiB: 13.25, gpus: 0 },
        suPerHourEach: 4,
        suPerHour: 20,
        flavorFrom: "cheapest",
        countFrom: "needed",
      },
      controlPlane: { flavor: "m3.small", count: 1, vcpus: 2, memoryGiB: 6, suPerHour: 2, flavorFrom: "cheapest" },
      suPerHour: 22,
      period: { hoursPerDay: 8, days: 1, hours: 8, su: 176 },
      totals: { nodes: 6, cores: 22, memoryGiB: 81, gpus: 0 },
      // m3.small 3 per node → 11 × 2 = 22; m3.medium 15 → 3 × 8 = 24; m3.large 31 → 2 × 16 = 32 ties m3.xl 63 → 1 × 32.
      alternatives: [
        { flavor: "m3.small", count: 11, suPerHour: 22 },
        { flavor: "m3.medium", count: 3, suPerHour: 24 },
        { flavor: "m3.xl", count: 1, suPerHour: 32 },
      ],
      summary: "5 × m3.quad for 30 users (7 per node) + m3.small control plane: 22 SU/hour, 176 SU for 1 day of 8 hours",
      breakdown: expect.arrayContaining(["30 users + 3 headroom (10%, rounded up) = 33 seats of 0.5 vCPU and 1 GiB each"]),
      warnings: [],
    });
    const help = drover(dir, ["size", "jupyterhub", "--help"]);
    expect(help.code).toBe(0);
    const fields = [...Object.keys(json), ...Object.keys(json.userNodes), ...Object.keys(json.controlPlane), ...Object.keys(json.period), ...Object.keys(json.totals)];
    for (const field of fields) expect(help.stdout, `help names ${field}`).toMatch(new RegExp(`\\b${field}\\b`));
  });

  it("sizes GPU users on GPU flavors, one per vGPU", () => {
    // 4 users + 1 headroom = 5 seats, one per g3.small (16 SU/h): 80 + 2.
    const json = JSON.parse(size("--users", "4", "--cpu", "2", "--memory", "8", "--gpu", "--json").stdout);
    expect([json.userNodes.flavor, json.userNodes.count, json.userNodes.limitedBy, json.suPerHour, json.totals.gpus]).toEqual(["g3.small", 5, "gpu", 82, 5]);
  });
});

describe("drover size jupyterhub: bad flags exit 2 with every problem and no stack trace", () => {
  const flavors = "m3.tiny, m3.small, m3.quad, m3.medium, m3.large, m3.xl, m3.2xl, m3.3xl, r3.large, r3.xl, g3.small, g3.medium, g3.large, g3.xl";
  it.each([
    [
      [],
      "Error: 3 problems with the flags:\n" +
        "  '--users' is required: users expected at the same time, e.g. --users 40\n" +
        "  '--cpu' is required: vCPUs guaranteed to each user, e.g. --cpu 1\n" +
        "  '--memory' is required: GiB of memory guaranteed to each user, e.g. --memory 2\n",
    ],
    [
      ["--users", "0", "--cpu", "x", "--memory", "2", "--flavor", "m3.quadd"],
      "Error: 3 problems with the flags:\n" +
        `  '--cpu' "x" is not a number: e.g. --cpu 1\n` +
        "  '--users' must be a whole number of at least 1, got 0\n" +
        `  '--flavor' "m3.quadd" is not a jetstream2 flavor: did you mean m3.quad? Flavors: ${flavors}.\n`,
    ],
    [
      ["--users", "127", "--cpu", "1", "--memory", "2", "--flavor", "m3.quad", "--nodes", "3"],
      "Error: '--nodes' 3 × m3.quad holds 9 users (3 per node); 127 users need 43 nodes, 47 with the 10% headroom: raise --nodes to 47, or leave it out to let drover choose\n",
    ],
    [
      ["--users", "10", "--cpu", "2", "--memory", "2", "--cpu-limit", "1", "--hours", "25"],
      "Error: 2 problems with the flags:\n" +
        "  '--cpu' 2 is above '--cpu-limit' 1: a guarantee cannot exceed its limit; raise --cpu-limit or lower --cpu\n" +
        "  '--hours' must be a number of hours above 0 and at most 24, got 25\n",
    ],
    [
      ["--users", "10", "--cpu", "1", "--memory", "2", "--gpu", "--flavor", "m3.quad"],
      `Error: '--flavor' "m3.quad" has no GPU, but each user gets 1 ('--gpu'): pick a GPU flavor (g3.small, g3.medium, g3.large or g3.xl) or drop --gpu\n`,
    ],
    [
      ["--users", "10", "--cpu", "1", "--memory", "1000"],
      "Error: '--memory' 1000 fits no jetstream2 flavor: the most a node offers users is 949 GiB (r3.xl: 1000 GiB less 51 for the system); lower --memory to 949 or less\n",
    ],
    [["--users", "10", "--cpu", "1", "--memory", "2", "--cloud", "aws"], `Error: '--cloud' "aws" has no flavor catalog in drover: use jetstream2\n`],
    [["--users", "10", "--bogus"], "Error: unknown option '--bogus'\n  Run drover --help for the commands and options.\n"],
  ])("%j", (args, stderr) => {
    const r = size(...args);
    expect(r.stderr).toBe(stderr);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
  });

  it("reports the error as JSON with --json", () => {
    const r = size("--users", "0", "--cpu", "1", "--memory", "2", "--json");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { kind: "UsageError", message: "'--users' must be a whole number of at least 1, got 0", details: [], exitCode: 2 } });
  });
});
