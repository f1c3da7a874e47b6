import type { Construct } from "constructs";
import { DroverStack, GatewayHost, jetstream2 } from "../constructs/index.ts";

/**
 * A science gateway on Jetstream2: a Django portal in a container behind nginx, named
 * portal.<allocation>.projects.jetstream-cloud.org with a Let's Encrypt certificate, SSH from one
 * campus network, and a 200 GiB data volume for uploads.
 */
export function scienceGateway(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "science-gateway", {
    cloud: jetstream2({ region: "IU", allocation: "bio230123" }),
    owner: "ops@example.org",
    description: "A science-gateway portal with DNS and automatic TLS",
  });
  new GatewayHost(stack, "portal", {
    size: "m3.medium",
    hostname: "portal",
    app: { image: "ghcr.io/example/portal:1.4", port: 8000, env: { DJANGO_SETTINGS_MODULE: "prod" }, dataMountPath: "/data" },
    tls: { letsEncryptEmail: "ops@example.org" },
    allowSshFrom: ["203.0.113.0/24"],
    publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa researcher@laptop",
    dataVolumeGiB: 200,
  });
  return stack;
}
