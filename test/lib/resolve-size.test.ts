import { describe, expect, it } from "vitest";
import { JETSTREAM2_FLAVORS, smallestFitting } from "../../lib/catalog/flavors.ts";
import { resolveSize } from "../../lib/catalog/resolve-size.ts";

const flavorNames = JETSTREAM2_FLAVORS.map((f) => f.name).join(", ");

describe("Jetstream2 flavor catalog", () => {
  it.each([
    ["m3.tiny", 1, 3, 1],
    ["m3.small", 2, 6, 2],
    ["m3.quad", 4, 15, 4],
    ["m3.medium", 8, 30, 8],
    ["m3.large", 16, 60, 16],
    ["m3.xl", 32, 125, 32],
    ["m3.2xl", 64, 250, 64],
    ["r3.large", 64, 500, 128],
    ["r3.xl", 128, 1000, 256],
    ["g3.small", 4, 15, 16],
    ["g3.medium", 8, 30, 32],
    ["g3.large", 16, 60, 64],
    ["g3.xl", 32, 125, 128],
  ])("%s has %i vCPUs, %i GB and costs %i SU/h", (name, vcpus, memoryGiB, su) => {
    expect(JETSTREAM2_FLAVORS.find((f) => f.name === name)).toMatchObject({ vcpus, memoryGiB, suPerHour: su });
  });
});

describe("smallestFitting / resolveSize", () => {
  it.each([
    [{ vcpus: 1, memoryGiB: 2 }, "m3.tiny"],
    [{ vcpus: 2, memoryGiB: 4 }, "m3.small"],
    [{ vcpus: 2, memoryGiB: 8 }, "m3.quad"],
    [{ vcpus: 3, memoryGiB: 4 }, "m3.quad"],
    [{ vcpus: 8, memoryGiB: 16 }, "m3.medium"],
    [{ vcpus: 64, memoryGiB: 256 }, "r3.large"],
    [{ vcpus: 4, memoryGiB: 8, gpu: 0.2 }, "g3.small"],
    [{ vcpus: 4, memoryGiB: 8, gpu: 0.25 }, "g3.medium"],
    [{ vcpus: 2, memoryGiB: 2, gpu: 1 }, "g3.xl"],
  ])("%j → %s", (need, name) => {
    expect(smallestFitting(JETSTREAM2_FLAVORS, need)?.name).toBe(name);
    const r = resolveSize(need, JETSTREAM2_FLAVORS, "jetstream2");
    expect(r.ok && r.flavor.name).toBe(name);
  });

  it("never picks a GPU flavor when no GPU is asked for, nor an on-request flavor", () => {
    expect(smallestFitting(JETSTREAM2_FLAVORS, { vcpus: 100, memoryGiB: 400 })?.name).toBe("r3.xl");
    expect(smallestFitting(JETSTREAM2_FLAVORS, { vcpus: 16, memoryGiB: 60 })?.name).toBe("m3.large");
  });

  it.each([
    ["m3.smal", `'size' "m3.smal" is not a jetstream2 flavor: did you mean m3.small? Flavors: ${flavorNames}.`],
    ["tiny", `'size' "tiny" is not a jetstream2 flavor. Use one of: ${flavorNames}.`],
    ["", "'size' is empty: name a flavor (m3.tiny, m3.small, m3.quad or m3.medium, ...)"],
    [{ vcpus: 0, memoryGiB: 2 }, "'size.vcpus' must be a whole number of at least 1, got 0"],
    [{ vcpus: 2, memoryGiB: -1 }, "'size.memoryGiB' must be a number above 0, got -1"],
    [{ vcpus: 2, memoryGiB: 4, gpu: 9 }, "'size.gpu' must be a share of GPUs from 0 to 8 (0.25 = a quarter of one), got 9"],
    [{ vcpus: 200, memoryGiB: 16 }, "no jetstream2 flavor has 200 vCPUs, 16 GiB memory; the largest flavor is r3.xl (128 vCPUs, 1000 GiB): lower the requirement or split the work across machines"],
    [
      { vcpus: 64, memoryGiB: 16, gpu: 1 },
      "no jetstream2 flavor has 64 vCPUs, 16 GiB memory, 1 GPU; the largest GPU flavor is g3.xl (32 vCPUs, 125 GiB, 1 GPU): lower the requirement or split the work across machines",
    ],
    [42, "'size' must be a flavor name or { vcpus, memoryGiB, gpu? }, got 42"],
  ])("rejects %j with an exact message", (size, message) => {
    expect(resolveSize(size, JETSTREAM2_FLAVORS, "jetstream2")).toEqual({ ok: false, message });
  });

  it("accepts any flavor name on a cloud without a catalog, but not a requirement", () => {
    const named = resolveSize("m1.large", [], "openstack");
    expect(named.ok && named.flavor).toMatchObject({ name: "m1.large", custom: true });
    expect(resolveSize({ vcpus: 2, memoryGiB: 4 }, [], "openstack")).toEqual({
      ok: false,
      message: `'size' {"vcpus":2,"memoryGiB":4} needs a flavor catalog, and this openstack profile has none: name a flavor (size: "m1.large") or pass 'flavors' to the cloud profile`,
    });
  });
});
