import type { Construct } from "constructs";
import { DroverStack, SlurmCluster, cloudFromEnvironment } from "../constructs/index.ts";

/**
 * A virtual Slurm cluster: a controller that serves /home (500 GiB) and /opt/software (100 GiB)
 * over NFS, a login node open to SSH from one network, two always-on CPU nodes that grow to 5
 * when jobs wait, and up to two GPU nodes created on demand: nine machines at full scale, which
 * with dev-vm's one (the same allocation) fill an allocation's default ten instances. Sizes are
 * needs, which are Jetstream2's m3.medium, m3.small, m3.quad and g3.medium there.
 *
 * Nodes created on demand need an OpenStack cloud (drover's resume programs call its API with
 * an application credential): on AWS, GCP and Azure the CPU partition keeps its two static
 * nodes. GPU nodes need an image with the NVIDIA driver, which Jetstream2's Featured images
 * have and other clouds' stock images do not: elsewhere the cluster has no GPU partition.
 */
export function virtualSlurm(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "virtual-slurm", {
    // The cluster's network joins the allocation's router (it holds one by default; dev-vm shares it).
    cloud: cloudFromEnvironment({ jetstream2: { region: "IU", network: "auto-allocated" } }),
    owner: "hpc-admin@example.edu",
    description: "A virtual Slurm cluster with elastic CPU and GPU nodes",
  });
  const elastic = stack.cloud.kind === "openstack";
  const gpu = stack.cloud.name === "jetstream2";
  new SlurmCluster(stack, "hpc", {
    controller: { size: { vcpus: 8, memoryGiB: 30 } },
    login: { size: { vcpus: 2, memoryGiB: 6 } },
    partitions: [
      { name: "cpu", size: { vcpus: 4, memoryGiB: 15 }, nodes: 2, ...(elastic ? { elastic: { max: 5, idleMinutes: 10 } } : {}), default: true },
      ...(gpu ? [{ name: "gpu", size: { vcpus: 8, memoryGiB: 30, gpu: 0.25 }, nodes: 0, elastic: { max: 2 } }] : []),
    ],
    sharedStorage: { homeGiB: 500, softwareGiB: 100 },
    allowSshFrom: ["203.0.113.0/24"],
    users: [{ name: "alice", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa alice@laptop" }],
    adminPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa researcher@laptop",
  });
  return stack;
}
