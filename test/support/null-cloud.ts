import { OPENSTACK } from "../../lib/clouds/openstack/facts.ts";
import type { CloudDriver, CloudProfile } from "../../constructs/cloud.ts";

/**
 * A cloud for tests that deploy DroverStacks of Terraform built-ins only (terraform_data): it
 * configures no provider, so terraform needs no download. Any attempt to create a cloud
 * resource through it is a test bug and says so.
 */
export function nullCloud(): CloudProfile {
  return {
    kind: "openstack",
    facts: OPENSTACK,
    name: "null",
    region: "-",
    summary: "no cloud (tests)",
    flavors: [],
    images: [],
    defaultImage: "none",
    defaultNetwork: "new",
    createDriver(): CloudDriver {
      const refuse = (): never => {
        throw new Error("nullCloud() creates no cloud resources");
      };
      return {
        profile: this,
        configureProvider: () => undefined,
        createNetwork: refuse,
        importNetwork: refuse,
        createFirewall: refuse,
        createKeyPair: refuse,
        importKeyPair: refuse,
        createMachine: refuse,
        createVolume: refuse,
        attachVolume: refuse,
        createPublicAddress: refuse,
        createDnsRecord: refuse,
        abilities: {},
      };
    },
  };
}
