import type { Construct } from "constructs";
import { DroverStack, JupyterHubCluster, cloudFromEnvironment } from "../constructs/index.ts";

/**
 * A three-day atmospheric-science workshop: 127 students at once, each with one vCPU and 2 GiB
 * guaranteed and a 10 GiB home volume, signing in with GitHub if they belong to the workshop's
 * organization. The hub is named in the allocation's DNS zone on Jetstream2 (the account's zone
 * elsewhere) and served over HTTPS.
 * The OAuth app's client secret comes from TF_VAR_hub_oauth_client_secret at deploy time.
 */
export function workshopJupyterHub(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "workshop-jupyterhub", {
    cloud: cloudFromEnvironment({
      // An education allocation: its default quota holds the class (200 cores, 780 GB).
      jetstream2: { region: "IU", allocation: "atm240001", allocationType: "education" },
      aws: { region: "us-east-2", hostedZone: "workshop.example.org" },
      gcp: { project: "my-research-project", region: "us-central1", dnsZone: { name: "workshop", domain: "workshop.example.org" } },
      azure: { location: "eastus2", dnsZone: { name: "workshop.example.org", resourceGroup: "dns" } },
    }),
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
    // Named in the cloud's DNS zone when it has one; on a plain OpenStack, a name you point at the address.
    ...(stack.cloud.dnsZone ? {} : { domain: "hub.workshop.example.org" }),
    // SSH stays closed (no allowSshFrom); Azure makes no machine without a key.
    adminPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa researcher@laptop",
    hours: { perDay: 6, days: 3 },
  });
  return stack;
}
