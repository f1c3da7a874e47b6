import type { Construct } from "constructs";
import { DroverStack, SlurmCluster, jetstream2 } from "../constructs/index.ts";

/**
 * A virtual Slurm cluster on Jetstream2: a controller that serves /home (500 GiB) and
 * /opt/software (100 GiB) over NFS, a login node open to SSH from one network, two always-on
 * CPU nodes that grow to 16 when jobs wait, and up to two GPU nodes created on demand.
 */
export function virtualSlurm(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "virtual-slurm", {
    cloud: jetstream2({ region: "IU" }),
    owner: "hpc-admin@example.edu",
    description: "A virtual Slurm cluster with elastic CPU and GPU nodes",
  });
  new SlurmCluster(stack, "hpc", {
    controller: { size: "m3.medium" },
    login: { size: "m3.small" },
    partitions: [
      { name: "cpu", size: "m3.quad", nodes: 2, elastic: { max: 16, idleMinutes: 10 }, default: true },
      { name: "gpu", size: "g3.medium", nodes: 0, elastic: { max: 2 } },
    ],
    sharedStorage: { homeGiB: 500, softwareGiB: 100 },
    allowSshFrom: ["203.0.113.0/24"],
    users: [{ name: "alice", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa alice@laptop" }],
    adminPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa researcher@laptop",
  });
  return stack;
}
