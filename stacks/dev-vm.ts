import type { Construct } from "constructs";
import { DroverStack, VirtualMachine, cloudFromEnvironment } from "../constructs/index.ts";

/**
 * A researcher's development machine: 2 vCPUs and 6 GiB (an m3.small on Jetstream2, the
 * cheapest fitting type elsewhere) with SSH open to one network, a public address and a
 * 100 GiB data volume mounted at /media/volume/data. `DROVER_CLOUD=aws` (gcp, azure,
 * openstack) builds the same machine on another cloud.
 */
export function devVm(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "dev-vm", {
    // The allocation's own network and router: it holds one router by default, and this app's
    // stacks without an allocation of their own (this one, virtual-slurm) share one project.
    cloud: cloudFromEnvironment({ jetstream2: { region: "IU", network: "auto-allocated" }, aws: { region: "us-east-2" } }),
    owner: "researcher@example.edu",
    description: "A development VM with a data volume",
  });
  new VirtualMachine(stack, "box", {
    size: { vcpus: 2, memoryGiB: 6 },
    allowSshFrom: ["203.0.113.0/24"],
    allowPingFrom: ["203.0.113.0/24"],
    publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa researcher@laptop",
    publicAddress: true,
    volumes: [{ name: "data", sizeGiB: 100 }],
    packages: ["tmux", "htop"],
  });
  return stack;
}
