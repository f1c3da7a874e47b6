import type { Construct } from "constructs";
import { DroverStack, JupyterHubCluster, jetstream2 } from "../constructs/index.ts";

/**
 * A three-day atmospheric-science workshop on Jetstream2: 127 students at once, each with one
 * vCPU and 2 GiB guaranteed and a 10 GiB home volume, signing in with GitHub if they belong to the
 * workshop's organization. The hub is named in the allocation's DNS zone and served over HTTPS.
 * The OAuth app's client secret comes from TF_VAR_hub_oauth_client_secret at deploy time.
 */
export function workshopJupyterHub(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "workshop-jupyterhub", {
    cloud: jetstream2({ region: "IU", allocation: "atm240001" }),
    owner: "ops@example.org",
    description: "JupyterHub for a 127-student atmospheric-science workshop",
    expiresAt: "2027-03-31",
  });
  new JupyterHubCluster(stack, "hub", {
    users: 127,
    profile: { cpu: 1, memoryGiB: 2, storageGiB: 10 },
    image: "quay.io/jupyter/scipy-notebook:2025-10-20",
    auth: { kind: "github", clientId: "Ov23liWorkshopClientId", allowedOrganizations: ["unidata-workshop"], admins: ["instructor1"] },
    https: { letsEncryptEmail: "ops@example.org" },
    idleCullMinutes: 60,
    hours: { perDay: 6, days: 3 },
  });
  return stack;
}
