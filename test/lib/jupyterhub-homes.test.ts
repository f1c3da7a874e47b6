import { describe, expect, it } from "vitest";
import { planHomes, type HomesInput } from "../../lib/jupyterhub/homes.ts";

const research = { volumes: 10, gigabytes: 1000 };

describe("planHomes: a volume per user while the quota holds them, shared homes when not", () => {
  it.each<[string, HomesInput, { kind: string; from: string; sharedGiB?: number; volumes: Array<[string, number, number]>; warned: boolean }]>([
    // 5 homes + the database: 6 volumes, 51 GB.
    [
      "5 users fit",
      { users: 5, storageGiB: 10, hubDbGiB: 1, quota: research },
      {
        kind: "per-user",
        from: "default",
        volumes: [
          ["user home volumes", 5, 10],
          ["hub database", 1, 1],
        ],
        warned: false,
      },
    ],
    // 9 homes + the database are the 10 volumes the quota holds; 10 homes are one too many.
    [
      "9 users fill the volume count",
      { users: 9, storageGiB: 10, hubDbGiB: 1, quota: research },
      {
        kind: "per-user",
        from: "default",
        volumes: [
          ["user home volumes", 9, 10],
          ["hub database", 1, 1],
        ],
        warned: false,
      },
    ],
    [
      "10 users exceed the volume count",
      { users: 10, storageGiB: 10, hubDbGiB: 1, quota: research },
      { kind: "shared", from: "default", sharedGiB: 100, volumes: [["hub database", 1, 1]], warned: false },
    ],
    // Few volumes, but 5 × 200 GiB and the database are 1001 GB.
    [
      "5 large homes exceed the storage",
      { users: 5, storageGiB: 200, hubDbGiB: 1, quota: research },
      { kind: "shared", from: "default", sharedGiB: 999, volumes: [["hub database", 1, 1]], warned: true },
    ],
    // 127 × 10 GiB = 1270 GiB, capped at 1000 - 1.
    ["a 127-user workshop", { users: 127, storageGiB: 10, hubDbGiB: 1, quota: research }, { kind: "shared", from: "default", sharedGiB: 999, volumes: [["hub database", 1, 1]], warned: true }],
    [
      "no quota known",
      { users: 127, storageGiB: 10, hubDbGiB: 1 },
      {
        kind: "per-user",
        from: "default",
        volumes: [
          ["user home volumes", 127, 10],
          ["hub database", 1, 1],
        ],
        warned: false,
      },
    ],
    [
      "per-user chosen over the quota",
      { users: 127, storageGiB: 10, hubDbGiB: 1, quota: research, kind: "per-user" },
      {
        kind: "per-user",
        from: "given",
        volumes: [
          ["user home volumes", 127, 10],
          ["hub database", 1, 1],
        ],
        warned: false,
      },
    ],
    [
      "shared chosen within the quota",
      { users: 5, storageGiB: 10, hubDbGiB: 1, quota: research, kind: "shared" },
      { kind: "shared", from: "given", sharedGiB: 50, volumes: [["hub database", 1, 1]], warned: false },
    ],
  ])("%s", (_, input, want) => {
    const plan = planHomes(input);
    expect({ kind: plan.kind, from: plan.from, ...(plan.sharedGiB !== undefined ? { sharedGiB: plan.sharedGiB } : {}) }).toEqual({
      kind: want.kind,
      from: want.from,
      ...(want.sharedGiB !== undefined ? { sharedGiB: want.sharedGiB } : {}),
    });
    expect(plan.runtimeVolumes.map((v) => [v.what, v.count, v.sizeGiB])).toEqual(want.volumes);
    expect(plan.warnings.length > 0).toBe(want.warned);
  });

  it("says how much each user gets on average when the shared volume is capped", () => {
    expect(planHomes({ users: 5, storageGiB: 200, hubDbGiB: 1, quota: research }).warnings).toEqual([
      "the 5 users' homes share one 999 GiB volume, not 1000 GiB (5 × profile.storageGiB 200): the quota's volume storage (1000 GB) holds no more beside the hub's database. That is 199.8 GiB each on average; ask for more volume storage (Jetstream2: help@jetstream-cloud.org), or lower profile.storageGiB",
    ]);
  });
});
