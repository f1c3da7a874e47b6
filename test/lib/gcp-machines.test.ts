import { describe, expect, it } from "vitest";
import { GCP_MACHINE_TYPES, GCP_PRICES } from "../../lib/catalog/gcp-machines.ts";
import { JETSTREAM2_FLAVORS, type SizeRequirement } from "../../lib/catalog/flavors.ts";
import { resolveSize } from "../../lib/catalog/resolve-size.ts";

const type = (name: string) => GCP_MACHINE_TYPES.find((t) => t.name === name);

describe("GCP machine-type catalog", () => {
  it("names the region and the date of its prices", () => {
    expect(GCP_PRICES).toEqual({ region: "us-central1", takenOn: "2026-11-22", currency: "USD" });
  });

  // Published list prices, and the per-vCPU / per-GiB rates times the size for the others:
  // E2 $0.021811 + $0.002923/GiB, N2 $0.031611 + $0.004237/GiB, C3 $0.03398 + $0.00455/GiB.
  it.each([
    ["e2-standard-2", 2, 8, 0, 0.067006],
    ["e2-standard-4", 4, 16, 0, 0.134012],
    ["e2-standard-32", 32, 128, 0, 1.072096],
    ["n2-standard-2", 2, 8, 0, 0.097118],
    ["n2-standard-8", 8, 32, 0, 0.388472],
    ["n2-standard-64", 64, 256, 0, 3.107776],
    ["n2-highmem-2", 2, 16, 0, 0.131014],
    ["n2-highmem-4", 4, 32, 0, 0.262028],
    ["n2-highmem-64", 64, 512, 0, 4.192448],
    ["c3-standard-4", 4, 16, 0, 0.20872],
    ["c3-standard-22", 22, 88, 0, 1.14796],
    ["g2-standard-4", 4, 16, 1, 0.706832276],
    ["g2-standard-8", 8, 32, 1, 0.853624312],
    ["g2-standard-12", 12, 48, 1, 1.000416348],
    ["g2-standard-32", 32, 128, 1, 1.734376528],
  ])("%s has %i vCPUs, %i GiB, %i GPU and costs $%s/hour on demand", (name, vcpus, memoryGiB, gpu, usd) => {
    expect(type(name)).toMatchObject({ vcpus, memoryGiB, gpu, usdPerHour: usd, suPerHour: usd, rootDiskGiB: 0 });
  });

  it("holds unique names, an L4 on every GPU type, high-memory types as large-memory, and a price rising with size within each series", () => {
    expect(new Set(GCP_MACHINE_TYPES.map((t) => t.name)).size).toBe(GCP_MACHINE_TYPES.length);
    for (const t of GCP_MACHINE_TYPES) {
      expect(t.family === "gpu", t.name).toBe(t.gpu === 1 && t.gpuModel === "L4");
      expect(t.family === "large-memory", t.name).toBe(t.name.includes("-highmem-"));
      expect(t.onRequest, t.name).toBeUndefined();
    }
    const series = new Map<string, number[]>();
    for (const t of GCP_MACHINE_TYPES) {
      const key = t.name.replace(/-\d+$/, "");
      series.set(key, [...(series.get(key) ?? []), t.usdPerHour]);
    }
    expect([...series.keys()]).toEqual(["e2-standard", "n2-standard", "n2-highmem", "c3-standard", "g2-standard"]);
    for (const prices of series.values()) expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it("marks C3 as taking only gVNIC, and nothing else", () => {
    expect(GCP_MACHINE_TYPES.filter((t) => t.gvnicOnly).map((t) => t.name)).toEqual(["c3-standard-4", "c3-standard-8", "c3-standard-22", "c3-standard-44"]);
  });
});

describe("sizing on GCP", () => {
  it.each<[SizeRequirement, string]>([
    [{ vcpus: 1, memoryGiB: 1 }, "e2-standard-2"],
    [{ vcpus: 2, memoryGiB: 8 }, "e2-standard-2"],
    // n2-highmem-2 ($0.131014) undercuts e2-standard-4 ($0.134012) for 2 vCPUs and 9-16 GiB.
    [{ vcpus: 2, memoryGiB: 12 }, "n2-highmem-2"],
    [{ vcpus: 4, memoryGiB: 20 }, "n2-highmem-4"],
    [{ vcpus: 6, memoryGiB: 20 }, "e2-standard-8"],
    [{ vcpus: 16, memoryGiB: 16 }, "e2-standard-16"],
    [{ vcpus: 48, memoryGiB: 100 }, "n2-standard-64"],
    [{ vcpus: 64, memoryGiB: 300 }, "n2-highmem-64"],
    [{ vcpus: 4, memoryGiB: 8, gpu: 0.25 }, "g2-standard-4"],
    [{ vcpus: 12, memoryGiB: 48, gpu: 1 }, "g2-standard-12"],
  ])("%j → %s, the cheapest type that fits", (need, name) => {
    const r = resolveSize(need, GCP_MACHINE_TYPES, "gcp");
    expect(r.ok && r.flavor.name).toBe(name);
    const cheaper = GCP_MACHINE_TYPES.filter((t) => t.usdPerHour < type(name)!.usdPerHour && t.vcpus >= need.vcpus && t.memoryGiB >= need.memoryGiB && (need.gpu ? t.gpu >= need.gpu : t.gpu === 0));
    expect(cheaper).toEqual([]);
  });

  it("says what the largest type is when nothing fits", () => {
    expect(resolveSize({ vcpus: 4, memoryGiB: 16, gpu: 2 }, GCP_MACHINE_TYPES, "gcp")).toEqual({
      ok: false,
      message: "no gcp flavor has 4 vCPUs, 16 GiB memory, 2 GPU; the largest GPU flavor is g2-standard-32 (32 vCPUs, 128 GiB, 1 GPU): lower the requirement or split the work across machines",
    });
  });

  it.each([
    ["m3.tiny", `use e2-standard-2 (2 vCPUs, 8 GiB), the closest gcp size, or size by need: { vcpus: 1, memoryGiB: 3 }`],
    ["m3.small", `use e2-standard-2 (2 vCPUs, 8 GiB), the closest gcp size, or size by need: { vcpus: 2, memoryGiB: 6 }`],
    ["m3.quad", `use e2-standard-4 (4 vCPUs, 16 GiB), the closest gcp size, or size by need: { vcpus: 4, memoryGiB: 15 }`],
    ["m3.xl", `use e2-standard-32 (32 vCPUs, 128 GiB), the closest gcp size, or size by need: { vcpus: 32, memoryGiB: 125 }`],
    ["m3.2xl", `use n2-standard-64 (64 vCPUs, 256 GiB), the closest gcp size, or size by need: { vcpus: 64, memoryGiB: 250 }`],
    ["r3.large", `use n2-highmem-64 (64 vCPUs, 512 GiB), the closest gcp size, or size by need: { vcpus: 64, memoryGiB: 500 }`],
    // Nothing holds 128 vCPUs and 1000 GiB: the nearest in both is suggested.
    ["r3.xl", `use n2-highmem-64 (64 vCPUs, 512 GiB), the closest gcp size, or size by need: { vcpus: 128, memoryGiB: 1000 }`],
    ["g3.small", `use g2-standard-4 (4 vCPUs, 16 GiB, 1 GPU), the closest gcp size, or size by need: { vcpus: 4, memoryGiB: 15, gpu: 0.2 }`],
    ["g3.xl", `use g2-standard-32 (32 vCPUs, 128 GiB, 1 GPU), the closest gcp size, or size by need: { vcpus: 32, memoryGiB: 125, gpu: 1 }`],
  ])("rejects the Jetstream2 flavor %s, suggesting the equivalent type", (name, fix) => {
    expect(resolveSize(name, GCP_MACHINE_TYPES, "gcp")).toEqual({ ok: false, message: `'size' "${name}" is a Jetstream2 flavor, and this stack is on gcp: ${fix}` });
  });

  it("suggests an equivalent for every Jetstream2 flavor, GPU for GPU", () => {
    for (const f of JETSTREAM2_FLAVORS) {
      const r = resolveSize(f.name, GCP_MACHINE_TYPES, "gcp", "nodes.size");
      expect(r.ok).toBe(false);
      const suggested = !r.ok && r.message.match(/: use ([\w.-]+) \(/)?.[1];
      expect(type(suggested as string)?.gpu, f.name).toBe(f.gpu > 0 ? 1 : 0);
      expect(!r.ok && r.message).toMatch(/^'nodes\.size' /);
    }
  });

  it("corrects a misspelt machine type by edit distance", () => {
    const r = resolveSize("e2-standard2", GCP_MACHINE_TYPES, "gcp");
    expect(!r.ok && r.message).toMatch(/^'size' "e2-standard2" is not a gcp flavor: did you mean e2-standard-2\?/);
  });
});
