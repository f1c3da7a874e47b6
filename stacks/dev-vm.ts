import type { Construct } from "constructs";
import { DroverStack, VirtualMachine, jetstream2 } from "../constructs/index.ts";

/**
 * A researcher's development machine on Jetstream2: one m3.small with SSH open to one network,
 * a public address and a 100 GiB data volume mounted at /media/volume/data.
 */
export function devVm(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "dev-vm", {
    cloud: jetstream2({ region: "IU" }),
    owner: "researcher@example.edu",
    description: "A development VM with a data volume",
  });
  new VirtualMachine(stack, "box", {
    size: "m3.small",
    image: "Featured-Ubuntu24",
    allowSshFrom: ["203.0.113.0/24"],
    allowPingFrom: ["203.0.113.0/24"],
    publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa researcher@laptop",
    publicAddress: true,
    volumes: [{ name: "data", sizeGiB: 100 }],
    packages: ["tmux", "htop"],
  });
  return stack;
}
