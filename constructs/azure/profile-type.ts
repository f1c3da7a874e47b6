import type { CloudProfile, NetworkLookup } from "../cloud.ts";

// Apart from profile.ts, which creates the driver, and from driver.ts, whose provider package is
// optional: both import it, and `drover`'s own types never reach a driver.

/** An existing subnet: its name, its virtual network and the resource group that holds them. */
export interface AzureSubnetLookup extends NetworkLookup {
  readonly name: string;
  readonly virtualNetwork: string;
  readonly resourceGroup: string;
}

/** Azure: what the Azure driver needs beyond the generic profile. */
export interface AzureProfile extends CloudProfile {
  readonly kind: "azure";
  /** The location every resource is created in (also `region`). */
  readonly location: string;
  readonly subscriptionId?: string;
  /** An existing resource group the stack's resources go in; undefined for a new one per stack. */
  readonly resourceGroup?: string;
  readonly defaultNetwork: "new" | AzureSubnetLookup;
  /** The resource group of the DNS zone `dnsZone` names. */
  readonly dnsZoneResourceGroup?: string;
}
