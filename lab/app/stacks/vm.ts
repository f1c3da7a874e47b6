import type { Construct } from "constructs";
import { DroverStack, VirtualMachine, jetstream2 } from "../../../constructs/index.ts";
import { labKey } from "./keys.ts";

/** The `vm` scenario: one VM with a data volume and a package, reached over SSH. */
export function labVm(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "lab-vm", {
    cloud: jetstream2({ region: "IU" }),
    owner: "lab@drover.test",
    description: "The lab's VM with a volume",
  });
  new VirtualMachine(stack, "box", {
    size: "m3.small",
    allowSshFrom: ["192.0.2.0/24"],
    publicKey: labKey("admin"),
    publicAddress: true,
    volumes: [{ name: "data", sizeGiB: 2 }],
    packages: ["tmux"],
  });
  return stack;
}
