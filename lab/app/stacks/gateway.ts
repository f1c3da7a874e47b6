import type { Construct } from "constructs";
import { DroverStack, GatewayHost, jetstream2 } from "../../../constructs/index.ts";
import { dayTwo, labKey } from "./keys.ts";

/**
 * The `gateway` scenario: a GatewayHost named in the allocation's DNS zone, in front of a
 * service of the user's own on port 8080 (the lab starts a small one), with a data volume. On day 2
 * a new release of the service runs on port 8081, and uploads may be larger.
 */
export function labGateway(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "lab-gateway", {
    cloud: jetstream2({ region: "IU", allocation: "lab000001" }),
    owner: "lab@drover.test",
    description: "The lab's science gateway",
  });
  new GatewayHost(stack, "portal", {
    size: "m3.small",
    hostname: "portal",
    upstream: { port: dayTwo() ? 8081 : 8080 },
    tls: { letsEncryptEmail: "lab@drover.test" },
    allowSshFrom: ["192.0.2.0/24"],
    publicKey: labKey("admin"),
    dataVolumeGiB: 1,
    maxBodyMiB: dayTwo() ? 2 : 1,
  });
  return stack;
}
