import type { IssueCollector } from "../../lib/errors.ts";
import { orList } from "../../lib/naming.ts";
import type { SlurmClusterPlan } from "../../lib/slurm/model.ts";
import type { CloudProfile } from "../cloud.ts";

/**
 * GPU partitions need the NVIDIA driver in the image: gres.conf names /dev/nvidia0, and slurmd
 * waits for it (and keeps retrying) without ever serving jobs. Stock images (the commercial
 * clouds', a plain OpenStack's Ubuntu) have no driver, and installing one is not a first-boot
 * step drover can make reliable (kernel-matched modules, a licensed vGPU driver on Jetstream2),
 * so such a cluster is refused rather than left with nodes that never come up.
 */
/** What the check reads of a SlurmCluster's props. */
export interface GpuDriverProps {
  readonly imageHasNvidiaDriver?: boolean;
  readonly partitions: ReadonlyArray<{ readonly name: string }>;
}

export function checkGpuDriver(issues: IssueCollector, props: GpuDriverProps, plan: SlurmClusterPlan, image: string, cloud: CloudProfile): void {
  const known = cloud.images.find((i) => i.name === image)?.nvidiaDriver ?? false;
  if (props.imageHasNvidiaDriver ?? known) return;
  const withDriver = cloud.images.filter((i) => i.nvidiaDriver).map((i) => `"${i.name}"`);
  for (const p of plan.partitions.filter((q) => q.gpusPerNode > 0)) {
    const index = props.partitions.findIndex((q) => q.name === p.name);
    const why = props.imageHasNvidiaDriver === false ? "'imageHasNvidiaDriver' is false" : `${cloud.name} does not list it as one with the driver`;
    issues.add(
      "slurm.gpu-no-driver",
      `'partitions[${index}]' (${p.name}) has GPUs (${p.flavor.name}), and 'image' "${image}" has no NVIDIA driver drover knows of (${why}): its nodes would wait for /dev/nvidia0 and never run a job. ` +
        `Allowed: an image with the driver${withDriver.length ? ` (on ${cloud.name}: ${orList(withDriver)})` : ""}. ` +
        `Fix: give 'image' such an image (your own: also set imageHasNvidiaDriver: true), or give the partition a size without a GPU`,
    );
  }
}
