import type { Construct } from "constructs";
import { DroverStack, JupyterHubCluster, jetstream2 } from "../../../constructs/index.ts";
import { labKey } from "./keys.ts";

/**
 * The `hub` scenario: a small k3s JupyterHub (a server and one user node) with workshop sign-in.
 * The lab boots its machines as far as they go without the k3s binary, which nothing here can
 * download.
 */
export function labHub(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "lab-hub", {
    cloud: jetstream2({ region: "IU", allocation: "lab000001" }),
    owner: "lab@drover.test",
    description: "The lab's JupyterHub",
  });
  new JupyterHubCluster(stack, "hub", {
    users: 4,
    profile: { cpu: 0.5, memoryGiB: 1, storageGiB: 1 },
    auth: { kind: "workshop", allowedUsers: ["ada", "grace"] },
    https: false,
    idleCullMinutes: 30,
    allowSshFrom: ["192.0.2.0/24"],
    adminPublicKey: labKey("admin"),
  });
  return stack;
}
