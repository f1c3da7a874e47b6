import { AZURE_PRICES, AZURE_SIZES } from "../../catalog/azure-sizes.ts";
import type { CloudFacts } from "../facts.ts";

const WINDOWS = "a Windows machine: drover's Azure catalog holds Linux prices only";

/** Azure as drover uses it: Linux VMs, managed disks, a virtual network, network security groups, DNS. */
export const AZURE: CloudFacts = {
  kind: "azure",
  label: "Azure",
  provider: "azurerm",
  types: {
    machines: {
      azurerm_linux_virtual_machine: { size: "size" },
      azurerm_windows_virtual_machine: { size: "size", unpriced: WINDOWS },
      // The older resource may run either system: its OS is in a profile block, not its type.
      azurerm_virtual_machine: { size: "vm_size", unpriced: "an azurerm_virtual_machine, whose system (Linux or Windows) drover does not read: its price is unknown" },
    },
    kubernetesClusters: { azurerm_kubernetes_cluster: null },
    volumes: ["azurerm_managed_disk"],
    networks: ["azurerm_virtual_network"],
    subnets: ["azurerm_subnet"],
    routers: [],
    publicAddresses: ["azurerm_public_ip"],
    securityGroups: ["azurerm_network_security_group", "azurerm_application_security_group"],
    firewalls: ["azurerm_application_security_group", "azurerm_network_security_group", "azurerm_network_security_rule"],
    dnsRecords: ["azurerm_dns_a_record"],
    stateful: ["azurerm_managed_disk", "azurerm_storage_account", "azurerm_storage_share"],
  },
  metadataSource: "azure",
  pricing: {
    currency: "USD",
    catalog: { label: "Azure", sizes: AZURE_SIZES, region: AZURE_PRICES.region, when: `as of ${AZURE_PRICES.asOf}` },
  },
  projectQuota: false,
  shelving: false,
  k3sBlockStorage: false,
};
