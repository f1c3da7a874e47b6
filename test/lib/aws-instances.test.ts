import { describe, expect, it } from "vitest";
import { AWS_INSTANCE_TYPES, AWS_PRICES } from "../../lib/catalog/aws-instances.ts";
import { JETSTREAM2_FLAVORS, smallestFitting, type SizeRequirement } from "../../lib/catalog/flavors.ts";
import { resolveSize } from "../../lib/catalog/resolve-size.ts";

const type = (name: string) => AWS_INSTANCE_TYPES.find((t) => t.name === name);

describe("AWS instance catalog", () => {
  it("names the region and the date of its prices", () => {
    expect(AWS_PRICES).toEqual({ region: "us-east-1", takenOn: "2026-01-19", currency: "USD" });
  });

  it.each([
    ["t3.micro", 2, 1, 0, 0.0104],
    ["t3.large", 2, 8, 0, 0.0832],
    ["c7i.large", 2, 4, 0, 0.08925],
    ["c7i.4xlarge", 16, 32, 0, 0.714],
    ["m7i.large", 2, 8, 0, 0.1008],
    ["m7i.2xlarge", 8, 32, 0, 0.4032],
    ["m7i.16xlarge", 64, 256, 0, 3.2256],
    ["r7i.large", 2, 16, 0, 0.1323],
    ["r7i.16xlarge", 64, 512, 0, 4.2336],
    ["g5.xlarge", 4, 16, 1, 1.006],
    ["g6.xlarge", 4, 16, 1, 0.8048],
    ["g6.8xlarge", 32, 128, 1, 2.0144],
  ])("%s has %i vCPUs, %i GiB, %i GPU and costs $%s/hour on demand", (name, vcpus, memoryGiB, gpu, usd) => {
    expect(type(name)).toMatchObject({ vcpus, memoryGiB, gpu, usdPerHour: usd, suPerHour: usd, rootDiskGiB: 0 });
  });

  it("holds unique names, GPU models for GPU types, and a price rising with size within each family", () => {
    expect(new Set(AWS_INSTANCE_TYPES.map((t) => t.name)).size).toBe(AWS_INSTANCE_TYPES.length);
    for (const t of AWS_INSTANCE_TYPES) expect(t.family === "gpu").toBe(t.gpu > 0 && t.gpuModel !== undefined);
    const families = new Map<string, number[]>();
    for (const t of AWS_INSTANCE_TYPES) families.set(t.name.split(".")[0]!, [...(families.get(t.name.split(".")[0]!) ?? []), t.usdPerHour]);
    for (const prices of families.values()) expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });
});

describe("sizing on AWS", () => {
  it.each<[SizeRequirement, string]>([
    [{ vcpus: 1, memoryGiB: 1 }, "c7i.large"],
    [{ vcpus: 2, memoryGiB: 4 }, "c7i.large"],
    [{ vcpus: 2, memoryGiB: 5 }, "m7i.large"],
    [{ vcpus: 2, memoryGiB: 12 }, "r7i.large"],
    [{ vcpus: 2, memoryGiB: 20 }, "r7i.xlarge"],
    [{ vcpus: 6, memoryGiB: 20 }, "m7i.2xlarge"],
    [{ vcpus: 16, memoryGiB: 16 }, "c7i.4xlarge"],
    [{ vcpus: 64, memoryGiB: 300 }, "r7i.16xlarge"],
    [{ vcpus: 4, memoryGiB: 8, gpu: 0.25 }, "g6.xlarge"],
    [{ vcpus: 12, memoryGiB: 48, gpu: 1 }, "g6.4xlarge"],
  ])("%j → %s, the cheapest type that fits", (need, name) => {
    const r = resolveSize(need, AWS_INSTANCE_TYPES, "aws");
    expect(r.ok && r.flavor.name).toBe(name);
    const cheaper = AWS_INSTANCE_TYPES.filter(
      (t) => !t.onRequest && t.usdPerHour < type(name)!.usdPerHour && t.vcpus >= need.vcpus && t.memoryGiB >= need.memoryGiB && (need.gpu ? t.gpu >= need.gpu : t.gpu === 0),
    );
    expect(cheaper).toEqual([]);
  });

  it("picks burstable t3 types by name only: their cores are a fraction unless credits are bought", () => {
    expect(smallestFitting(AWS_INSTANCE_TYPES, { vcpus: 2, memoryGiB: 1 })?.name).toBe("c7i.large");
    const r = resolveSize("t3.micro", AWS_INSTANCE_TYPES, "aws");
    expect(r.ok && r.flavor).toMatchObject({ name: "t3.micro", onRequest: true });
  });

  it.each([
    ["m3.tiny", `use c7i.large (2 vCPUs, 4 GiB), the closest aws size, or size by need: { vcpus: 1, memoryGiB: 3 }`],
    ["m3.small", `use m7i.large (2 vCPUs, 8 GiB), the closest aws size, or size by need: { vcpus: 2, memoryGiB: 6 }`],
    ["m3.quad", `use m7i.xlarge (4 vCPUs, 16 GiB), the closest aws size, or size by need: { vcpus: 4, memoryGiB: 15 }`],
    ["m3.xl", `use m7i.8xlarge (32 vCPUs, 128 GiB), the closest aws size, or size by need: { vcpus: 32, memoryGiB: 125 }`],
    ["r3.xl", `use r7i.16xlarge (64 vCPUs, 512 GiB), the closest aws size, or size by need: { vcpus: 128, memoryGiB: 1000 }`],
    ["g3.small", `use g6.xlarge (4 vCPUs, 16 GiB, 1 GPU), the closest aws size, or size by need: { vcpus: 4, memoryGiB: 15, gpu: 0.2 }`],
  ])("rejects the Jetstream2 flavor %s, suggesting the equivalent type", (name, fix) => {
    expect(resolveSize(name, AWS_INSTANCE_TYPES, "aws")).toEqual({ ok: false, message: `'size' "${name}" is a Jetstream2 flavor, and this stack is on aws: ${fix}` });
  });

  it("suggests an equivalent for every Jetstream2 flavor, GPU for GPU", () => {
    for (const f of JETSTREAM2_FLAVORS) {
      const r = resolveSize(f.name, AWS_INSTANCE_TYPES, "aws", "nodes.size");
      expect(r.ok).toBe(false);
      const suggested = !r.ok && r.message.match(/: use ([\w.]+) \(/)?.[1];
      expect(type(suggested as string)?.gpu, f.name).toBe(f.gpu > 0 ? 1 : 0);
      expect(!r.ok && r.message).toMatch(/^'nodes\.size' /);
    }
  });

  it("still corrects a misspelt instance type by edit distance", () => {
    const r = resolveSize("m7i.larg", AWS_INSTANCE_TYPES, "aws");
    expect(!r.ok && r.message).toMatch(/^'size' "m7i\.larg" is not a aws flavor: did you mean m7i\.large\?/);
  });
});
