import { describe, expect, it } from "vitest";
import { AZURE_PRICES, AZURE_SIZES, azureSize } from "../../lib/catalog/azure-sizes.ts";
import { JETSTREAM2_FLAVORS, smallestFitting, type SizeRequirement } from "../../lib/catalog/flavors.ts";
import { resolveSize } from "../../lib/catalog/resolve-size.ts";

describe("Azure size catalog", () => {
  it("names the region, the currency and where its prices come from", () => {
    expect(AZURE_PRICES).toEqual({
      region: "eastus",
      currency: "USD",
      asOf: "2025",
      source: "Azure's published Linux pay-as-you-go list prices for East US, from the author's knowledge; not fetched live",
    });
  });

  it.each([
    ["Standard_B1s", 1, 1, 0, 0.0104, 2],
    ["Standard_B2s", 2, 4, 0, 0.0416, 4],
    ["Standard_B8ms", 8, 32, 0, 0.333, 16],
    ["Standard_F2s_v2", 2, 4, 0, 0.0846, 4],
    ["Standard_F16s_v2", 16, 32, 0, 0.677, 32],
    ["Standard_D2s_v5", 2, 8, 0, 0.096, 4],
    ["Standard_D8s_v5", 8, 32, 0, 0.384, 16],
    ["Standard_D32s_v5", 32, 128, 0, 1.536, 32],
    ["Standard_E2s_v5", 2, 16, 0, 0.126, 4],
    ["Standard_E16s_v5", 16, 128, 0, 1.008, 32],
    ["Standard_NC4as_T4_v3", 4, 28, 1, 0.526, 8],
    ["Standard_NC16as_T4_v3", 16, 110, 1, 1.204, 32],
  ])("%s has %i vCPUs, %i GiB, %i GPU, costs $%s/hour and takes %i data disks", (name, vcpus, memoryGiB, gpu, usd, disks) => {
    expect(azureSize(name)).toMatchObject({ vcpus, memoryGiB, gpu, usdPerHour: usd, suPerHour: usd, rootDiskGiB: 0, maxDataDisks: disks, premiumStorage: true });
  });

  it("marks memory-optimized sizes large-memory and the T4 sizes GPU, and knows nothing else", () => {
    expect(azureSize("Standard_E4s_v5")?.family).toBe("large-memory");
    expect(azureSize("Standard_NC8as_T4_v3")).toMatchObject({ family: "gpu", gpuModel: "T4" });
    expect(azureSize("Standard_D4s_v5")?.family).toBe("cpu");
    expect(azureSize("m3.small")).toBeUndefined();
  });

  it("holds unique names, GPU models for GPU sizes, and a price rising with size within each series", () => {
    expect(new Set(AZURE_SIZES.map((s) => s.name)).size).toBe(AZURE_SIZES.length);
    for (const s of AZURE_SIZES) expect(s.family === "gpu").toBe(s.gpu > 0 && s.gpuModel !== undefined);
    const series = new Map<string, number[]>();
    for (const s of AZURE_SIZES) {
      const key = s.name.replace(/\d+/, "#");
      series.set(key, [...(series.get(key) ?? []), s.usdPerHour]);
    }
    expect([...series.keys()].sort()).toEqual(["Standard_B#ms", "Standard_B#s", "Standard_D#s_v5", "Standard_E#s_v5", "Standard_F#s_v2", "Standard_NC#as_T4_v3"]);
    for (const prices of series.values()) expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });
});

describe("sizing on Azure", () => {
  it.each<[SizeRequirement, string]>([
    [{ vcpus: 1, memoryGiB: 1 }, "Standard_F2s_v2"],
    [{ vcpus: 2, memoryGiB: 4 }, "Standard_F2s_v2"],
    [{ vcpus: 2, memoryGiB: 5 }, "Standard_D2s_v5"],
    [{ vcpus: 2, memoryGiB: 12 }, "Standard_E2s_v5"],
    [{ vcpus: 2, memoryGiB: 20 }, "Standard_E4s_v5"],
    [{ vcpus: 6, memoryGiB: 20 }, "Standard_D8s_v5"],
    [{ vcpus: 16, memoryGiB: 16 }, "Standard_F16s_v2"],
    [{ vcpus: 16, memoryGiB: 100 }, "Standard_E16s_v5"],
    [{ vcpus: 4, memoryGiB: 8, gpu: 0.25 }, "Standard_NC4as_T4_v3"],
    [{ vcpus: 12, memoryGiB: 48, gpu: 1 }, "Standard_NC16as_T4_v3"],
  ])("%j → %s, the cheapest size that fits", (need, name) => {
    const r = resolveSize(need, AZURE_SIZES, "azure");
    expect(r.ok && r.flavor.name).toBe(name);
    const price = azureSize(name)!.usdPerHour;
    const cheaper = AZURE_SIZES.filter((s) => !s.onRequest && s.usdPerHour < price && s.vcpus >= need.vcpus && s.memoryGiB >= need.memoryGiB && (need.gpu ? s.gpu >= need.gpu : s.gpu === 0));
    expect(cheaper).toEqual([]);
  });

  it("picks burstable B sizes by name only: once their credits are spent they run at a fraction of each core", () => {
    expect(AZURE_SIZES.filter((s) => s.onRequest).map((s) => s.name)).toEqual(["Standard_B1s", "Standard_B1ms", "Standard_B2s", "Standard_B2ms", "Standard_B4ms", "Standard_B8ms"]);
    expect(smallestFitting(AZURE_SIZES, { vcpus: 1, memoryGiB: 1 })?.name).toBe("Standard_F2s_v2");
    const r = resolveSize("Standard_B2s", AZURE_SIZES, "azure");
    expect(r.ok && r.flavor).toMatchObject({ name: "Standard_B2s", onRequest: true });
  });

  it("says when nothing is large enough, naming the largest size", () => {
    expect(resolveSize({ vcpus: 64, memoryGiB: 256 }, AZURE_SIZES, "azure")).toEqual({
      ok: false,
      message: "no azure flavor has 64 vCPUs, 256 GiB memory; the largest flavor is Standard_D32s_v5 (32 vCPUs, 128 GiB): lower the requirement or split the work across machines",
    });
  });

  it.each([
    ["m3.tiny", "use Standard_F2s_v2 (2 vCPUs, 4 GiB), the closest azure size, or size by need: { vcpus: 1, memoryGiB: 3 }"],
    ["m3.small", "use Standard_D2s_v5 (2 vCPUs, 8 GiB), the closest azure size, or size by need: { vcpus: 2, memoryGiB: 6 }"],
    ["m3.quad", "use Standard_D4s_v5 (4 vCPUs, 16 GiB), the closest azure size, or size by need: { vcpus: 4, memoryGiB: 15 }"],
    ["m3.medium", "use Standard_D8s_v5 (8 vCPUs, 32 GiB), the closest azure size, or size by need: { vcpus: 8, memoryGiB: 30 }"],
    ["m3.xl", "use Standard_D32s_v5 (32 vCPUs, 128 GiB), the closest azure size, or size by need: { vcpus: 32, memoryGiB: 125 }"],
    ["m3.2xl", "use Standard_D32s_v5 (32 vCPUs, 128 GiB), the closest azure size, or size by need: { vcpus: 64, memoryGiB: 250 }"],
    ["r3.large", "use Standard_D32s_v5 (32 vCPUs, 128 GiB), the closest azure size, or size by need: { vcpus: 64, memoryGiB: 500 }"],
    ["g3.small", "use Standard_NC4as_T4_v3 (4 vCPUs, 28 GiB, 1 GPU), the closest azure size, or size by need: { vcpus: 4, memoryGiB: 15, gpu: 0.2 }"],
    ["g3.xl", "use Standard_NC16as_T4_v3 (16 vCPUs, 110 GiB, 1 GPU), the closest azure size, or size by need: { vcpus: 32, memoryGiB: 125, gpu: 1 }"],
  ])("rejects the Jetstream2 flavor %s, suggesting the equivalent size", (name, fix) => {
    expect(resolveSize(name, AZURE_SIZES, "azure")).toEqual({ ok: false, message: `'size' "${name}" is a Jetstream2 flavor, and this stack is on azure: ${fix}` });
  });

  it("suggests an equivalent for every Jetstream2 flavor, GPU for GPU", () => {
    for (const f of JETSTREAM2_FLAVORS) {
      const r = resolveSize(f.name, AZURE_SIZES, "azure", "nodes.size");
      expect(r.ok).toBe(false);
      const suggested = !r.ok && r.message.match(/: use (\w+) \(/)?.[1];
      expect(azureSize(suggested as string)?.gpu, f.name).toBe(f.gpu > 0 ? 1 : 0);
      expect(!r.ok && r.message).toMatch(/^'nodes\.size' /);
    }
  });

  it("corrects a misspelt size by edit distance", () => {
    const r = resolveSize("Standard_D2s_v4", AZURE_SIZES, "azure");
    expect(!r.ok && r.message).toMatch(/^'size' "Standard_D2s_v4" is not a azure flavor: did you mean Standard_D2s_v5\?/);
  });
});
