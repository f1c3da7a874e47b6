/**
 * `drover/azure`: Microsoft Azure, with the types of `@cdktf/provider-azurerm` (install it next to
 * drover: `npm install @cdktf/provider-azurerm@14.23.1`). The profile itself, `azure()`, is in `drover` too.
 */
export { azure, AZURE_LOCATIONS, type AzureProfile, type AzureProps, type AzureSubnetLookup } from "../constructs/azure/profile.ts";
export { AzureDriver, AZURE_VOLUME_TYPES } from "../constructs/azure/driver.ts";
export { AZURE_IMAGES, type AzureImage } from "../constructs/azure/images.ts";
export { azureBindings, type AzureBindings } from "../constructs/azure/bindings.ts";
