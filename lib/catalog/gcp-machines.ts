import type { Flavor, FlavorFamily } from "./flavors.ts";

/**
 * Compute Engine machine types drover sizes machines from on GCP: the cost-optimized E2 series
 * (whole cores, not the shared-core e2-micro/small/medium), the N2 general-purpose and
 * high-memory series, C3 (Sapphire Rapids) and G2, which carries one NVIDIA L4 up to
 * g2-standard-32. All are x86_64 and come without a root disk: the driver creates the boot disk
 * (rootDiskGiB 0).
 *
 * Prices are on-demand Linux USD per hour in one region, for the machine's vCPUs and memory (and
 * the L4 for G2); disks and addresses are billed apart. Sources, as found on the date below:
 * E2, N2 and G2 figures match Google's published list prices as quoted in several public
 * repositories (e.g. e2-standard-2 $0.067006, n2-standard-2 $0.097118, g2-standard-4
 * $0.706832276, g2-standard-8 $0.853624312); the other sizes of a series are its per-vCPU and
 * per-GiB rates times the size, which is how Compute Engine prices predefined types. The C3
 * figures could not be confirmed in a public source at hand: they come from our knowledge of the
 * list rates ($0.03398 per vCPU-hour, $0.00455 per GiB-hour) and are the least certain here.
 * Other regions and later dates differ. As on AWS, `suPerHour` holds the same USD figure, so the
 * shared sizing ("cheapest flavor that fits") compares dollars.
 */
export const GCP_PRICES = { region: "us-central1", takenOn: "2026-11-22", currency: "USD" } as const;

/** A Compute Engine machine type with its on-demand price in `GCP_PRICES.region`. */
export interface GcpMachineType extends Flavor {
  readonly usdPerHour: number;
  /**
   * The series takes only Google's virtual NIC (gVNIC), which the driver then asks for: C3 has
   * no virtio-net device.
   */
  readonly gvnicOnly?: boolean;
}

/** Per-vCPU and per-GiB hourly rates of a series in `GCP_PRICES.region`. */
const RATES = {
  e2: { vcpu: 0.021811, gib: 0.002923 },
  n2: { vcpu: 0.031611, gib: 0.004237 },
  c3: { vcpu: 0.03398, gib: 0.00455 },
} as const;

/** Rounded to 9 decimals, the precision Google's price list uses: no float dust in prices. */
function usd(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

function machine(series: keyof typeof RATES, shape: "standard" | "highmem", vcpus: number): GcpMachineType {
  const memoryGiB = vcpus * (shape === "standard" ? 4 : 8);
  const family: FlavorFamily = shape === "highmem" ? "large-memory" : "cpu";
  const price = usd(vcpus * RATES[series].vcpu + memoryGiB * RATES[series].gib);
  return {
    name: `${series}-${shape}-${vcpus}`,
    vcpus,
    memoryGiB,
    rootDiskGiB: 0,
    gpu: 0,
    family,
    suPerHour: price,
    usdPerHour: price,
    ...(series === "c3" ? { gvnicOnly: true } : {}),
  };
}

/**
 * G2 sizes with one L4: the published g2-standard-4 price, plus the published step from
 * g2-standard-4 to g2-standard-8 (4 vCPUs and 16 GiB) for each further step.
 */
const G2_BASE_USD = 0.706832276;
const G2_STEP_USD = 0.853624312 - 0.706832276;

function g2(vcpus: 4 | 8 | 12 | 16 | 32): GcpMachineType {
  const price = usd(G2_BASE_USD + ((vcpus - 4) / 4) * G2_STEP_USD);
  return {
    name: `g2-standard-${vcpus}`,
    vcpus,
    memoryGiB: vcpus * 4,
    rootDiskGiB: 0,
    gpu: 1,
    gpuModel: "L4",
    family: "gpu",
    suPerHour: price,
    usdPerHour: price,
  };
}

export const GCP_MACHINE_TYPES: readonly GcpMachineType[] = [
  ...([2, 4, 8, 16, 32] as const).map((n) => machine("e2", "standard", n)),
  ...([2, 4, 8, 16, 32, 64] as const).map((n) => machine("n2", "standard", n)),
  ...([2, 4, 8, 16, 32, 64] as const).map((n) => machine("n2", "highmem", n)),
  ...([4, 8, 22, 44] as const).map((n) => machine("c3", "standard", n)),
  ...([4, 8, 12, 16, 32] as const).map(g2),
];
