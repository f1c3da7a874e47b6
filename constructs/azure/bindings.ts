import type { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider/index.js";
import type { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group/index.js";
import type { DataAzurermResourceGroup } from "@cdktf/provider-azurerm/lib/data-azurerm-resource-group/index.js";
import type { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network/index.js";
import type { Subnet } from "@cdktf/provider-azurerm/lib/subnet/index.js";
import type { DataAzurermSubnet } from "@cdktf/provider-azurerm/lib/data-azurerm-subnet/index.js";
import type { NetworkSecurityGroup } from "@cdktf/provider-azurerm/lib/network-security-group/index.js";
import type { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule/index.js";
import type { ApplicationSecurityGroup } from "@cdktf/provider-azurerm/lib/application-security-group/index.js";
import type { NetworkInterface } from "@cdktf/provider-azurerm/lib/network-interface/index.js";
import type { NetworkInterfaceSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/network-interface-security-group-association/index.js";
import type { NetworkInterfaceApplicationSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/network-interface-application-security-group-association/index.js";
import type { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine/index.js";
import type { ManagedDisk } from "@cdktf/provider-azurerm/lib/managed-disk/index.js";
import type { VirtualMachineDataDiskAttachment } from "@cdktf/provider-azurerm/lib/virtual-machine-data-disk-attachment/index.js";
import type { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip/index.js";
import type { SshPublicKey } from "@cdktf/provider-azurerm/lib/ssh-public-key/index.js";
import type { DataAzurermSshPublicKey } from "@cdktf/provider-azurerm/lib/data-azurerm-ssh-public-key/index.js";
import type { DnsARecord } from "@cdktf/provider-azurerm/lib/dns-a-record/index.js";
import type { DnsAaaaRecord } from "@cdktf/provider-azurerm/lib/dns-aaaa-record/index.js";
import type { DnsCnameRecord } from "@cdktf/provider-azurerm/lib/dns-cname-record/index.js";
import type { DataAzurermDnsZone } from "@cdktf/provider-azurerm/lib/data-azurerm-dns-zone/index.js";
import { loadOptional, type OptionalPackage } from "../../lib/providers/optional.ts";

/** Bindings for hashicorp/azurerm 4.55.0, which stacks on `azure()` are built from (the version pinned in package.json's peerDependencies). */
export const AZURE_PROVIDER_PACKAGE: OptionalPackage = {
  name: "@cdktf/provider-azurerm",
  version: "14.23.1",
  purpose: "the Terraform bindings for hashicorp/azurerm 4.55.0, which stacks on azure() are built from",
};

/**
 * The classes of @cdktf/provider-azurerm the Azure driver uses. Only types are imported above
 * (they vanish at run time); the modules themselves are loaded on first use, one deep path each:
 * the package's index would load all of its 1,500 resources, and a stack on another cloud never
 * needs the package at all.
 */
export interface AzureBindings {
  readonly AzurermProvider: typeof AzurermProvider;
  readonly ResourceGroup: typeof ResourceGroup;
  readonly DataAzurermResourceGroup: typeof DataAzurermResourceGroup;
  readonly VirtualNetwork: typeof VirtualNetwork;
  readonly Subnet: typeof Subnet;
  readonly DataAzurermSubnet: typeof DataAzurermSubnet;
  readonly NetworkSecurityGroup: typeof NetworkSecurityGroup;
  readonly NetworkSecurityRule: typeof NetworkSecurityRule;
  readonly ApplicationSecurityGroup: typeof ApplicationSecurityGroup;
  readonly NetworkInterface: typeof NetworkInterface;
  readonly NetworkInterfaceSecurityGroupAssociation: typeof NetworkInterfaceSecurityGroupAssociation;
  readonly NetworkInterfaceApplicationSecurityGroupAssociation: typeof NetworkInterfaceApplicationSecurityGroupAssociation;
  readonly LinuxVirtualMachine: typeof LinuxVirtualMachine;
  readonly ManagedDisk: typeof ManagedDisk;
  readonly VirtualMachineDataDiskAttachment: typeof VirtualMachineDataDiskAttachment;
  readonly PublicIp: typeof PublicIp;
  readonly SshPublicKey: typeof SshPublicKey;
  readonly DataAzurermSshPublicKey: typeof DataAzurermSshPublicKey;
  readonly DnsARecord: typeof DnsARecord;
  readonly DnsAaaaRecord: typeof DnsAaaaRecord;
  readonly DnsCnameRecord: typeof DnsCnameRecord;
  readonly DataAzurermDnsZone: typeof DataAzurermDnsZone;
}

/** Class name → the provider's folder under lib/ (its module is `lib/<folder>/index.js`). */
export const AZURE_MODULES: Record<keyof AzureBindings, string> = {
  AzurermProvider: "provider",
  ResourceGroup: "resource-group",
  DataAzurermResourceGroup: "data-azurerm-resource-group",
  VirtualNetwork: "virtual-network",
  Subnet: "subnet",
  DataAzurermSubnet: "data-azurerm-subnet",
  NetworkSecurityGroup: "network-security-group",
  NetworkSecurityRule: "network-security-rule",
  ApplicationSecurityGroup: "application-security-group",
  NetworkInterface: "network-interface",
  NetworkInterfaceSecurityGroupAssociation: "network-interface-security-group-association",
  NetworkInterfaceApplicationSecurityGroupAssociation: "network-interface-application-security-group-association",
  LinuxVirtualMachine: "linux-virtual-machine",
  ManagedDisk: "managed-disk",
  VirtualMachineDataDiskAttachment: "virtual-machine-data-disk-attachment",
  PublicIp: "public-ip",
  SshPublicKey: "ssh-public-key",
  DataAzurermSshPublicKey: "data-azurerm-ssh-public-key",
  DnsARecord: "dns-a-record",
  DnsAaaaRecord: "dns-aaaa-record",
  DnsCnameRecord: "dns-cname-record",
  DataAzurermDnsZone: "data-azurerm-dns-zone",
};

let loaded: AzureBindings | undefined;

/** The bindings, loaded the first time an Azure stack asks; throws a ConfigError when the package is missing. */
export function azureBindings(): AzureBindings {
  if (!loaded) {
    const out: Record<string, unknown> = {};
    for (const [name, folder] of Object.entries(AZURE_MODULES)) {
      out[name] = loadOptional<Record<string, unknown>>(AZURE_PROVIDER_PACKAGE, `lib/${folder}/index.js`)[name];
    }
    loaded = out as unknown as AzureBindings;
  }
  return loaded;
}
