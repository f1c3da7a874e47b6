import type { CloudProfile } from "../cloud.ts";

// Apart from profiles.ts, which creates the driver, and from driver.ts: both import it, and
// `drover`'s own types never reach the driver (nor its generated bindings).

/** An OpenStack cloud: what the OpenStack driver needs beyond the generic profile. */
export interface OpenStackProfile extends CloudProfile {
  readonly kind: "openstack";
  /** Name of the external network routers and floating IPs come from. */
  readonly externalNetwork: string;
  /** The `clouds.yaml` entry to use, when named in code. */
  readonly cloudName?: string;
  /** Region passed to the provider; undefined leaves it to OS_REGION_NAME. */
  readonly providerRegion?: string;
  /** Manila share type for shares drover creates; undefined for the cloud's default. */
  readonly shareType?: string;
  /** Magnum cluster template for managed Kubernetes; undefined when the cloud has none drover knows. */
  readonly kubernetesTemplate?: string;
}
