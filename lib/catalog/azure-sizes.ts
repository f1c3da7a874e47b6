import { pricedFlavor, type FlavorFamily, type PricedFlavor } from "./flavors.ts";

/**
 * Azure VM sizes drover sizes machines from: current x86_64 general-purpose (Dsv5), compute
 * (Fsv2), memory (Esv5), burstable (Bs) and GPU (NCasT4_v3, one NVIDIA T4) sizes, all of them
 * able to take Premium SSD disks. The OS disk is a managed disk the driver creates, so no size
 * brings a root disk of its own (rootDiskGiB 0; the temporary disk some sizes have is scratch
 * space Azure may wipe, and is not counted).
 *
 * Prices are Linux pay-as-you-go USD per hour in one region. They were not fetched by a program:
 * they are Azure's published list prices for East US as the author knew them in 2025, checked
 * against the few public notes that quote the same figures (B2s at about $30.37 a month, NC4as
 * T4 v3 at $0.526 an hour). Other regions, later dates, reservations and savings plans differ;
 * Azure's Retail Prices API (https://prices.azure.com/api/retail/prices) has the current ones.
 * A commercial cloud's catalog counts cost in dollars, so `suPerHour` holds the same USD figure
 * and the shared sizing ("cheapest flavor that fits") compares dollars.
 */
export const AZURE_PRICES = {
  region: "eastus",
  currency: "USD",
  asOf: "2025",
  source: "Azure's published Linux pay-as-you-go list prices for East US, from the author's knowledge; not fetched live",
} as const;

/** An Azure VM size with its pay-as-you-go price in `AZURE_PRICES.region`. */
export interface AzureSize extends PricedFlavor {
  /** Data disks the size takes: LUNs 0 to maxDataDisks - 1. */
  readonly maxDataDisks: number;
  /** Takes Premium SSD disks (the "s" in the size name). */
  readonly premiumStorage: boolean;
}

function size(name: string, vcpus: number, memoryGiB: number, usdPerHour: number, maxDataDisks: number, family: FlavorFamily, extra: { gpuModel?: string; burstable?: boolean } = {}): AzureSize {
  return { ...pricedFlavor(name, vcpus, memoryGiB, usdPerHour, family, extra), maxDataDisks, premiumStorage: true };
}

export const AZURE_SIZES: readonly AzureSize[] = [
  size("Standard_B1s", 1, 1, 0.0104, 2, "cpu", { burstable: true }),
  size("Standard_B1ms", 1, 2, 0.0207, 2, "cpu", { burstable: true }),
  size("Standard_B2s", 2, 4, 0.0416, 4, "cpu", { burstable: true }),
  size("Standard_B2ms", 2, 8, 0.0832, 4, "cpu", { burstable: true }),
  size("Standard_B4ms", 4, 16, 0.166, 8, "cpu", { burstable: true }),
  size("Standard_B8ms", 8, 32, 0.333, 16, "cpu", { burstable: true }),
  size("Standard_F2s_v2", 2, 4, 0.0846, 4, "cpu"),
  size("Standard_F4s_v2", 4, 8, 0.169, 8, "cpu"),
  size("Standard_F8s_v2", 8, 16, 0.338, 16, "cpu"),
  size("Standard_F16s_v2", 16, 32, 0.677, 32, "cpu"),
  size("Standard_D2s_v5", 2, 8, 0.096, 4, "cpu"),
  size("Standard_D4s_v5", 4, 16, 0.192, 8, "cpu"),
  size("Standard_D8s_v5", 8, 32, 0.384, 16, "cpu"),
  size("Standard_D16s_v5", 16, 64, 0.768, 32, "cpu"),
  size("Standard_D32s_v5", 32, 128, 1.536, 32, "cpu"),
  size("Standard_E2s_v5", 2, 16, 0.126, 4, "large-memory"),
  size("Standard_E4s_v5", 4, 32, 0.252, 8, "large-memory"),
  size("Standard_E8s_v5", 8, 64, 0.504, 16, "large-memory"),
  size("Standard_E16s_v5", 16, 128, 1.008, 32, "large-memory"),
  size("Standard_NC4as_T4_v3", 4, 28, 0.526, 8, "gpu", { gpuModel: "T4" }),
  size("Standard_NC8as_T4_v3", 8, 56, 0.752, 16, "gpu", { gpuModel: "T4" }),
  size("Standard_NC16as_T4_v3", 16, 110, 1.204, 32, "gpu", { gpuModel: "T4" }),
];

/** The catalog entry of a flavor, when it is an Azure size. */
export function azureSize(name: string): AzureSize | undefined {
  return AZURE_SIZES.find((s) => s.name === name);
}
