/**
 * `drover/gcp`: Google Cloud, with the types of `@cdktf/provider-google` (install it next to
 * drover: `npm install @cdktf/provider-google@16.12.1`). The profile itself, `gcp()`, is in `drover` too.
 */
export { gcp, GCP_REGIONS, type GcpProfile, type GcpProps } from "../constructs/gcp/profile.ts";
export { GcpDriver, GCP_METADATA_VALUE_MAX_BYTES, GCP_METADATA_TOTAL_MAX_BYTES } from "../constructs/gcp/driver.ts";
export { GCP_IMAGES, type GcpImage } from "../constructs/gcp/images.ts";
export { gcpBindings, type GcpBindings } from "../constructs/gcp/bindings.ts";
