import { pricedFlavor, type PricedFlavor } from "./flavors.ts";

/**
 * EC2 instance types drover sizes machines from on AWS: current x86_64 general-purpose (m7i),
 * compute (c7i), memory (r7i), burstable (t3) and GPU (g5 with an NVIDIA A10G, g6 with an L4)
 * types. All are EBS-only: the root disk is an EBS volume the driver creates (rootDiskGiB 0).
 *
 * Prices are on-demand Linux USD per hour in one region, taken on one date from the AWS Price
 * List (as published in the generated price table of the Karpenter AWS provider); other regions
 * and later dates differ. A commercial cloud's catalog counts cost in dollars, so `suPerHour`
 * holds the same USD figure: the shared sizing ("cheapest flavor that fits") then compares
 * dollars.
 */
export const AWS_PRICES = { region: "us-east-1", takenOn: "2026-01-19", currency: "USD" } as const;

/** An EC2 instance type with its on-demand price in `AWS_PRICES.region`. */
export type AwsInstanceType = PricedFlavor;

const type = pricedFlavor;

export const AWS_INSTANCE_TYPES: readonly AwsInstanceType[] = [
  type("t3.micro", 2, 1, 0.0104, "cpu", { burstable: true }),
  type("t3.small", 2, 2, 0.0208, "cpu", { burstable: true }),
  type("t3.medium", 2, 4, 0.0416, "cpu", { burstable: true }),
  type("t3.large", 2, 8, 0.0832, "cpu", { burstable: true }),
  type("t3.xlarge", 4, 16, 0.1664, "cpu", { burstable: true }),
  type("t3.2xlarge", 8, 32, 0.3328, "cpu", { burstable: true }),
  type("c7i.large", 2, 4, 0.08925, "cpu"),
  type("c7i.xlarge", 4, 8, 0.1785, "cpu"),
  type("c7i.2xlarge", 8, 16, 0.357, "cpu"),
  type("c7i.4xlarge", 16, 32, 0.714, "cpu"),
  type("c7i.8xlarge", 32, 64, 1.428, "cpu"),
  type("m7i.large", 2, 8, 0.1008, "cpu"),
  type("m7i.xlarge", 4, 16, 0.2016, "cpu"),
  type("m7i.2xlarge", 8, 32, 0.4032, "cpu"),
  type("m7i.4xlarge", 16, 64, 0.8064, "cpu"),
  type("m7i.8xlarge", 32, 128, 1.6128, "cpu"),
  type("m7i.16xlarge", 64, 256, 3.2256, "cpu"),
  type("r7i.large", 2, 16, 0.1323, "large-memory"),
  type("r7i.xlarge", 4, 32, 0.2646, "large-memory"),
  type("r7i.2xlarge", 8, 64, 0.5292, "large-memory"),
  type("r7i.4xlarge", 16, 128, 1.0584, "large-memory"),
  type("r7i.8xlarge", 32, 256, 2.1168, "large-memory"),
  type("r7i.16xlarge", 64, 512, 4.2336, "large-memory"),
  type("g5.xlarge", 4, 16, 1.006, "gpu", { gpuModel: "A10G" }),
  type("g5.2xlarge", 8, 32, 1.212, "gpu", { gpuModel: "A10G" }),
  type("g5.4xlarge", 16, 64, 1.624, "gpu", { gpuModel: "A10G" }),
  type("g6.xlarge", 4, 16, 0.8048, "gpu", { gpuModel: "L4" }),
  type("g6.2xlarge", 8, 32, 0.9776, "gpu", { gpuModel: "L4" }),
  type("g6.4xlarge", 16, 64, 1.3232, "gpu", { gpuModel: "L4" }),
  type("g6.8xlarge", 32, 128, 2.0144, "gpu", { gpuModel: "L4" }),
];
