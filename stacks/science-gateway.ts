import type { Construct } from "constructs";
import { DroverStack, GatewayHost, cloudFromEnvironment } from "../constructs/index.ts";

/**
 * A science gateway: a Django portal in a container behind nginx on 8 vCPUs and 30 GiB, named
 * portal.<allocation>.projects.jetstream-cloud.org on Jetstream2 (portal.<zone> in the DNS zone
 * the account holds elsewhere) with a Let's Encrypt certificate, SSH from one campus network,
 * and a 200 GiB data volume for uploads.
 */
export function scienceGateway(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "science-gateway", {
    cloud: cloudFromEnvironment({
      jetstream2: { region: "IU", allocation: "bio230123" },
      aws: { region: "us-east-2", hostedZone: "gateway.example.org" },
      gcp: { project: "my-research-project", region: "us-central1", dnsZone: { name: "gateway", domain: "gateway.example.org" } },
      azure: { location: "eastus2", dnsZone: { name: "gateway.example.org", resourceGroup: "dns" } },
    }),
    owner: "ops@example.org",
    description: "A science-gateway portal with DNS and automatic TLS",
  });
  new GatewayHost(stack, "portal", {
    size: { vcpus: 8, memoryGiB: 30 },
    // In the cloud's DNS zone when it has one; on a plain OpenStack, a name you point at the address.
    ...(stack.cloud.dnsZone ? { hostname: "portal" } : { domain: "portal.gateway.example.org" }),
    app: { image: "ghcr.io/example/portal:1.4", port: 8000, env: { DJANGO_SETTINGS_MODULE: "prod" }, dataMountPath: "/data" },
    tls: { letsEncryptEmail: "ops@example.org" },
    allowSshFrom: ["203.0.113.0/24"],
    publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa researcher@laptop",
    dataVolumeGiB: 200,
  });
  return stack;
}
