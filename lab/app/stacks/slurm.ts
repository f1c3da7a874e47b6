import type { Construct } from "constructs";
import { DroverStack, SlurmCluster, jetstream2 } from "../../../constructs/index.ts";
import { dayTwo, labKey } from "./keys.ts";

/**
 * The `slurm` scenario: a controller serving /home and /opt/software, a login node, two static
 * CPU nodes and an elastic partition of up to two nodes, deleted after a minute idle. Every
 * node is an m3.small (2 vCPUs): a lab machine has the host's cores, and Slurm drains a node
 * with fewer cores than slurm.conf says. On day 2 the running cluster gets a user, bob, and a third
 * static CPU node.
 */
export function labSlurm(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "lab-slurm", {
    cloud: jetstream2({ region: "IU" }),
    owner: "lab@drover.test",
    description: "The lab's Slurm cluster",
  });
  new SlurmCluster(stack, "hpc", {
    controller: { size: "m3.small" },
    login: { size: "m3.small" },
    partitions: [
      { name: "cpu", size: "m3.small", nodes: dayTwo() ? 3 : 2, default: true },
      { name: "burst", size: "m3.small", nodes: 0, elastic: { max: 2, idleMinutes: 1 } },
    ],
    sharedStorage: { homeGiB: 2, softwareGiB: 1 },
    allowSshFrom: ["192.0.2.0/24"],
    users: [{ name: "alice", publicKey: labKey("alice") }, ...(dayTwo() ? [{ name: "bob", publicKey: labKey("bob") }] : [])],
    adminPublicKey: labKey("admin"),
  });
  return stack;
}
