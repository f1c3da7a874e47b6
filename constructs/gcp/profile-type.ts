import type { CloudProfile } from "../cloud.ts";

// Apart from profile.ts, which creates the driver, and from driver.ts, whose provider package is
// optional: both import it, and `drover`'s own types never reach a driver.

/** GCP: what the GCP driver needs beyond the generic profile. */
export interface GcpProfile extends CloudProfile {
  readonly kind: "gcp";
  readonly project: string;
  /** The zone machines, disks and their addresses' region live in. */
  readonly zone: string;
  /** Resource name of the Cloud DNS managed zone that holds `dnsZone`, when one was given. */
  readonly dnsManagedZone?: string;
  /** Path of a service-account key file the provider authenticates with, when given in code. */
  readonly credentialsFile?: string;
  readonly defaultNetwork: "new" | { readonly name: string };
}

/** Compute Engine and Cloud DNS resource names (RFC 1035 labels). */
export const GCP_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
