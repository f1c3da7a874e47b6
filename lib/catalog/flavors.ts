/**
 * Machine sizes ("flavors") a cloud offers, with what they cost in service units. Facts for
 * Jetstream2 come from its public instance-flavor tables: 1 SU is one vCPU-hour; large-memory
 * flavors cost 2 SU and GPU flavors 4 SU per vCPU-hour.
 */
export type FlavorFamily = "cpu" | "large-memory" | "gpu";

export interface Flavor {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** Root disk that comes with the flavor; 0 when the flavor has none (boot from a volume). */
  readonly rootDiskGiB: number;
  /** Share of one GPU (0.2 = a fifth of an A100); 0 for none. */
  readonly gpu: number;
  readonly gpuModel?: string;
  readonly family: FlavorFamily;
  /** Service units charged per hour while the instance is active (shelved instances cost 0). */
  readonly suPerHour: number;
  /** Offered only on request; never picked automatically when sizing by requirement. */
  readonly onRequest?: boolean;
  /** Known by name only (a cloud without a catalog): the numbers above are unknown (0). */
  readonly custom?: boolean;
}

const SU_MULTIPLIER: Record<FlavorFamily, number> = { cpu: 1, "large-memory": 2, gpu: 4 };

function flavor(name: string, vcpus: number, memoryGiB: number, rootDiskGiB: number, family: FlavorFamily, extra: Partial<Pick<Flavor, "gpu" | "gpuModel" | "onRequest">> = {}): Flavor {
  return {
    name,
    vcpus,
    memoryGiB,
    rootDiskGiB,
    family,
    gpu: extra.gpu ?? 0,
    ...(extra.gpuModel ? { gpuModel: extra.gpuModel } : {}),
    ...(extra.onRequest ? { onRequest: true } : {}),
    suPerHour: vcpus * SU_MULTIPLIER[family],
  };
}

/** A Jetstream2 research allocation's default quota (Jetstream2 documentation). */
export const JETSTREAM2_QUOTA = { cores: 150, memoryGiB: 585, floatingIps: 10 } as const;

/** Jetstream2's flavors (docs.jetstream-cloud.org, "Instance Flavors"). */
export const JETSTREAM2_FLAVORS: readonly Flavor[] = [
  flavor("m3.tiny", 1, 3, 20, "cpu"),
  flavor("m3.small", 2, 6, 20, "cpu"),
  flavor("m3.quad", 4, 15, 20, "cpu"),
  flavor("m3.medium", 8, 30, 60, "cpu"),
  flavor("m3.large", 16, 60, 60, "cpu"),
  flavor("m3.xl", 32, 125, 60, "cpu"),
  flavor("m3.2xl", 64, 250, 60, "cpu"),
  flavor("m3.3xl", 128, 500, 60, "cpu", { onRequest: true }),
  flavor("r3.large", 64, 500, 60, "large-memory"),
  flavor("r3.xl", 128, 1000, 60, "large-memory"),
  flavor("g3.small", 4, 15, 60, "gpu", { gpu: 0.2, gpuModel: "A100" }),
  flavor("g3.medium", 8, 30, 60, "gpu", { gpu: 0.25, gpuModel: "A100" }),
  flavor("g3.large", 16, 60, 60, "gpu", { gpu: 0.5, gpuModel: "A100" }),
  flavor("g3.xl", 32, 125, 60, "gpu", { gpu: 1, gpuModel: "A100" }),
];

/** What a machine needs, when the person does not name a flavor. */
export interface SizeRequirement {
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** Share of a GPU needed (0.25 = a quarter); omit or 0 for none. */
  readonly gpu?: number;
}

/**
 * The cheapest flavor that fits a requirement: fewest SU per hour, then fewest vCPUs, then least
 * memory. A GPU flavor is chosen only when a GPU is asked for; on-request flavors never.
 * Returns undefined when nothing fits.
 */
export function smallestFitting(flavors: readonly Flavor[], need: SizeRequirement): Flavor | undefined {
  const gpu = need.gpu ?? 0;
  const fits = flavors.filter((f) => !f.onRequest && f.vcpus >= need.vcpus && f.memoryGiB >= need.memoryGiB && (gpu > 0 ? f.gpu >= gpu : f.gpu === 0));
  fits.sort((a, b) => a.suPerHour - b.suPerHour || a.vcpus - b.vcpus || a.memoryGiB - b.memoryGiB);
  return fits[0];
}

/** A commercial cloud's size: a Flavor with its on-demand price in the catalog's one region. */
export interface PricedFlavor extends Flavor {
  readonly usdPerHour: number;
}

/**
 * A commercial cloud's size for a catalog. Such a cloud counts cost in dollars, so `suPerHour`
 * holds the same USD figure and the shared sizing ("cheapest flavor that fits") compares
 * dollars. The root disk is a volume the driver creates (rootDiskGiB 0). Burstable sizes run at
 * a fraction of each core once their CPU credits are spent: fine for a machine picked by name,
 * never the answer to a requirement of whole cores (`onRequest`).
 */
export function pricedFlavor(
  name: string,
  vcpus: number,
  memoryGiB: number,
  usdPerHour: number,
  family: FlavorFamily,
  extra: { readonly gpuModel?: string; readonly gpus?: number; readonly burstable?: boolean } = {},
): PricedFlavor {
  return {
    name,
    vcpus,
    memoryGiB,
    rootDiskGiB: 0,
    gpu: extra.gpuModel ? (extra.gpus ?? 1) : 0,
    ...(extra.gpuModel ? { gpuModel: extra.gpuModel } : {}),
    family,
    suPerHour: usdPerHour,
    usdPerHour,
    ...(extra.burstable ? { onRequest: true } : {}),
  };
}
