import { AZURE } from "../../lib/clouds/azure/facts.ts";
import { AZURE_SIZES } from "../../lib/catalog/azure-sizes.ts";
import { describeValue } from "../../lib/props/check.ts";
import { checkProps } from "../../lib/props/schemas.ts";
import { IssueCollector } from "../../lib/errors.ts";
import { nearestMatches, orList } from "../../lib/naming.ts";
import type { DriverContext } from "../cloud.ts";
import { AzureDriver } from "./driver.ts";
import { AZURE_IMAGES } from "./images.ts";
import type { AzureProfile, AzureSubnetLookup } from "./profile-type.ts";

// Exported from here as before: `drover` (constructs/index.ts) exports this file.
export type { AzureProfile, AzureSubnetLookup };

export interface AzureProps {
  /** The Azure location (region) by its short name, e.g. "eastus2". */
  readonly location: string;
  /**
   * The subscription resources are created in. The provider (azurerm 4) needs one, from here
   * or from ARM_SUBSCRIPTION_ID: it no longer falls back to the Azure CLI's current subscription.
   * @default - ARM_SUBSCRIPTION_ID
   */
  readonly subscriptionId?: string;
  /**
   * An existing resource group to create the stack's resources in.
   * @default - a new resource group per stack, named "<stack>-rg"
   */
  readonly resourceGroup?: string;
  /**
   * Network machines join when none is given: `"new"` creates a virtual network with one subnet
   * per stack; `{ name, virtualNetwork, resourceGroup }` joins an existing subnet (its own
   * network security group, if it has one, applies too).
   * @default "new"
   */
  readonly network?: "new" | { readonly name: string; readonly virtualNetwork: string; readonly resourceGroup: string };
  /**
   * An Azure DNS public zone the subscription holds, where constructs may create records for
   * their public addresses.
   * @default - none: constructs need a domain of their own
   */
  readonly dnsZone?: { readonly name: string; readonly resourceGroup: string };
}

/**
 * Azure's public-cloud locations with VMs, by the short names the API takes (`az account
 * list-locations`). Sovereign clouds (US Government, China) need other endpoints and are not
 * offered. A location Azure opens later needs a drover update before it is accepted.
 */
export const AZURE_LOCATIONS: readonly string[] = [
  "eastus",
  "eastus2",
  "centralus",
  "northcentralus",
  "southcentralus",
  "westcentralus",
  "westus",
  "westus2",
  "westus3",
  "canadacentral",
  "canadaeast",
  "mexicocentral",
  "brazilsouth",
  "brazilsoutheast",
  "chilecentral",
  "northeurope",
  "westeurope",
  "uksouth",
  "ukwest",
  "francecentral",
  "francesouth",
  "germanywestcentral",
  "germanynorth",
  "switzerlandnorth",
  "switzerlandwest",
  "norwayeast",
  "norwaywest",
  "swedencentral",
  "polandcentral",
  "italynorth",
  "spaincentral",
  "austriaeast",
  "belgiumcentral",
  "denmarkeast",
  "eastasia",
  "southeastasia",
  "japaneast",
  "japanwest",
  "koreacentral",
  "koreasouth",
  "centralindia",
  "southindia",
  "westindia",
  "jioindiawest",
  "jioindiacentral",
  "indonesiacentral",
  "malaysiawest",
  "newzealandnorth",
  "australiaeast",
  "australiasoutheast",
  "australiacentral",
  "australiacentral2",
  "uaenorth",
  "uaecentral",
  "qatarcentral",
  "israelcentral",
  "southafricanorth",
  "southafricawest",
];

const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;
const VIRTUAL_NETWORK = /^[A-Za-z0-9](?:[\w.-]{0,62}\w)$/;
const SUBNET = /^[A-Za-z0-9](?:[\w.-]{0,78}\w)?$/;
const ZONE_NAME = /^(?=.{1,253}\.?$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]\.?$/;

const RESOURCE_GROUP_RULE = "1-90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.'";

function checkResourceGroup(issues: IssueCollector, prop: string, value: unknown, fix: string): void {
  if (typeof value !== "string" || !RESOURCE_GROUP.test(value)) {
    issues.add("profile.bad-resource-group", `'${prop}' ${JSON.stringify(value)} is not a resource group name (${RESOURCE_GROUP_RULE}): ${fix}`);
  }
}

/**
 * Microsoft Azure: Linux VMs sized from drover's catalog of current x86_64 sizes (the cheapest
 * size that fits a `{ vcpus, memoryGiB }` requirement), Ubuntu 24.04 from Canonical by default
 * with trusted launch, managed disks, static public IPs and Azure DNS, all in one resource
 * group per stack. Authentication is the provider's: `az login`, or the ARM_* environment
 * variables of a service principal; the subscription is `subscriptionId` or ARM_SUBSCRIPTION_ID.
 *
 * Differences from Jetstream2 a person should know: every machine needs an SSH key (Azure
 * creates no Linux VM with neither key nor password); a machine without `publicAddress`
 * reaches the internet only through Azure's default outbound access, which Azure is retiring,
 * and synthesis warns about it; sizes are Azure sizes ("Standard_D2s_v5"), and Jetstream2
 * flavor names are rejected with the nearest size; managed Kubernetes, shares and application
 * credentials are not offered, so the cluster constructs report that they need an OpenStack cloud.
 *
 * @example
 * new DroverStack(app, "dev-vm", { cloud: azure({ location: "eastus2" }) });
 */
export function azure(props: AzureProps): AzureProfile {
  const issues = new IssueCollector("azure()");
  for (const p of checkProps("azure", props, "profile")) issues.add(p.code, p.message);
  issues.throwIfAny();
  const location = props?.location;
  if (typeof location !== "string" || !AZURE_LOCATIONS.includes(location)) {
    // Display names ("East US 2") are what the portal shows; the API wants the short name.
    const squashed = typeof location === "string" ? location.toLowerCase().replace(/[\s_-]+/g, "") : "";
    const near = AZURE_LOCATIONS.includes(squashed) ? [squashed] : typeof location === "string" ? nearestMatches(location, AZURE_LOCATIONS) : [];
    issues.add(
      "profile.bad-location",
      `'location' ${JSON.stringify(location)} is not an Azure location` +
        (near.length ? `: did you mean ${orList(near.map((l) => `"${l}"`))}?` : `: use its short name, e.g. "eastus2" (az account list-locations -o table lists them)`),
    );
  }
  if (props?.subscriptionId !== undefined && (typeof props.subscriptionId !== "string" || !SUBSCRIPTION_ID.test(props.subscriptionId))) {
    issues.add(
      "profile.bad-subscription",
      `'subscriptionId' ${JSON.stringify(props.subscriptionId)} is not a subscription ID: give the GUID that az account show prints as "id" (e.g. "00000000-0000-0000-0000-000000000000"), or leave it out to use ARM_SUBSCRIPTION_ID`,
    );
  }
  if (props?.resourceGroup !== undefined) {
    checkResourceGroup(issues, "resourceGroup", props.resourceGroup, `name an existing resource group, or leave it out for a new one per stack ("<stack>-rg")`);
  }
  const network = props?.network ?? "new";
  if (network !== "new") {
    const shape = `'network' must be "new" or { name: "<subnet>", virtualNetwork: "<its virtual network>", resourceGroup: "<their resource group>" }`;
    if (typeof network !== "object" || network === null) {
      issues.add("profile.bad-network", `${shape}, got ${describeValue(network)}`);
    } else {
      if (typeof network.name !== "string" || !SUBNET.test(network.name)) {
        issues.add(
          "profile.bad-network",
          `'network.name' ${JSON.stringify(network.name)} is not a subnet name (1-80 letters, digits, '-', '_' and '.', starting with a letter or digit and ending with a letter, digit or '_'): ${shape}`,
        );
      }
      if (typeof network.virtualNetwork !== "string" || !VIRTUAL_NETWORK.test(network.virtualNetwork)) {
        issues.add(
          "profile.bad-network",
          `'network.virtualNetwork' ${JSON.stringify(network.virtualNetwork)} is not a virtual network name (2-64 letters, digits, '-', '_' and '.', starting with a letter or digit and ending with a letter, digit or '_'): ${shape}`,
        );
      }
      checkResourceGroup(issues, "network.resourceGroup", network.resourceGroup, "name the resource group that holds the virtual network");
    }
  }
  const zone = props?.dnsZone;
  if (zone !== undefined) {
    if (typeof zone !== "object" || zone === null) {
      issues.add("profile.bad-zone", `'dnsZone' must be { name: "lab.example.org", resourceGroup: "<the zone's resource group>" }, got ${describeValue(zone)}`);
    } else {
      if (typeof zone.name !== "string" || !ZONE_NAME.test(zone.name)) {
        issues.add("profile.bad-zone", `'dnsZone.name' ${JSON.stringify(zone.name)} is not a DNS zone name (e.g. "lab.example.org")`);
      }
      checkResourceGroup(issues, "dnsZone.resourceGroup", zone.resourceGroup, "name the resource group that holds the DNS zone (az network dns zone list -o table shows it)");
    }
  }
  issues.throwIfAny();

  const subscriptionId = props.subscriptionId?.toLowerCase();
  const defaultNetwork: "new" | AzureSubnetLookup = network === "new" ? "new" : { name: network.name, virtualNetwork: network.virtualNetwork, resourceGroup: network.resourceGroup };
  return {
    kind: "azure",
    facts: AZURE,
    requiresSshKey: true,
    name: "azure",
    region: location,
    location,
    summary: `Azure, location ${location}${props.resourceGroup ? `, resource group "${props.resourceGroup}"` : ""}${subscriptionId ? `, subscription ${subscriptionId}` : ""}`,
    flavors: AZURE_SIZES,
    images: AZURE_IMAGES,
    defaultImage: "ubuntu-24.04",
    defaultNetwork,
    ...(subscriptionId ? { subscriptionId } : {}),
    ...(props.resourceGroup ? { resourceGroup: props.resourceGroup } : {}),
    ...(zone ? { dnsZone: zone.name.endsWith(".") ? zone.name : `${zone.name}.`, dnsZoneResourceGroup: zone.resourceGroup } : {}),
    createDriver(context: DriverContext) {
      return new AzureDriver(context, this as AzureProfile);
    },
  };
}
