import type { GoogleProvider } from "@cdktf/provider-google/lib/provider/index.js";
import type { ComputeNetwork } from "@cdktf/provider-google/lib/compute-network/index.js";
import type { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork/index.js";
import type { ComputeFirewall } from "@cdktf/provider-google/lib/compute-firewall/index.js";
import type { ComputeInstance } from "@cdktf/provider-google/lib/compute-instance/index.js";
import type { ComputeDisk } from "@cdktf/provider-google/lib/compute-disk/index.js";
import type { ComputeAttachedDisk } from "@cdktf/provider-google/lib/compute-attached-disk/index.js";
import type { ComputeAddress } from "@cdktf/provider-google/lib/compute-address/index.js";
import type { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set/index.js";
import type { DataGoogleDnsManagedZone } from "@cdktf/provider-google/lib/data-google-dns-managed-zone/index.js";
import type { DataGoogleComputeImage } from "@cdktf/provider-google/lib/data-google-compute-image/index.js";
import type { DataGoogleComputeSubnetwork } from "@cdktf/provider-google/lib/data-google-compute-subnetwork/index.js";
import { loadOptional, type OptionalPackage } from "../../lib/providers/optional.ts";

/** Bindings for hashicorp/google 6.50.0, which stacks on `gcp()` are built from (the version pinned in package.json's peerDependencies). */
export const GOOGLE_PROVIDER_PACKAGE: OptionalPackage = {
  name: "@cdktf/provider-google",
  version: "16.12.1",
  purpose: "the Terraform bindings for hashicorp/google 6.50.0, which stacks on gcp() are built from",
};

/**
 * The classes of @cdktf/provider-google the GCP driver uses. Only types are imported above (they
 * vanish at run time); the modules themselves are loaded on first use, one deep path each, so a
 * stack on another cloud never needs the package installed, and a GCP stack never pays for the
 * package index, which loads all of the provider's resources.
 */
export interface GcpBindings {
  readonly GoogleProvider: typeof GoogleProvider;
  readonly ComputeNetwork: typeof ComputeNetwork;
  readonly ComputeSubnetwork: typeof ComputeSubnetwork;
  readonly ComputeFirewall: typeof ComputeFirewall;
  readonly ComputeInstance: typeof ComputeInstance;
  readonly ComputeDisk: typeof ComputeDisk;
  readonly ComputeAttachedDisk: typeof ComputeAttachedDisk;
  readonly ComputeAddress: typeof ComputeAddress;
  readonly DnsRecordSet: typeof DnsRecordSet;
  readonly DataGoogleDnsManagedZone: typeof DataGoogleDnsManagedZone;
  readonly DataGoogleComputeImage: typeof DataGoogleComputeImage;
  readonly DataGoogleComputeSubnetwork: typeof DataGoogleComputeSubnetwork;
}

/** Class name → the provider's folder under lib/ (its module is `lib/<folder>/index.js`). */
export const GCP_MODULES: Readonly<Record<keyof GcpBindings, string>> = {
  GoogleProvider: "provider",
  ComputeNetwork: "compute-network",
  ComputeSubnetwork: "compute-subnetwork",
  ComputeFirewall: "compute-firewall",
  ComputeInstance: "compute-instance",
  ComputeDisk: "compute-disk",
  ComputeAttachedDisk: "compute-attached-disk",
  ComputeAddress: "compute-address",
  DnsRecordSet: "dns-record-set",
  DataGoogleDnsManagedZone: "data-google-dns-managed-zone",
  DataGoogleComputeImage: "data-google-compute-image",
  DataGoogleComputeSubnetwork: "data-google-compute-subnetwork",
};

let loaded: GcpBindings | undefined;

/** The bindings, loaded the first time a GCP stack asks; throws a ConfigError when the package is missing. */
export function gcpBindings(): GcpBindings {
  if (!loaded) {
    const out: Record<string, unknown> = {};
    for (const [name, folder] of Object.entries(GCP_MODULES)) {
      out[name] = loadOptional<Record<string, unknown>>(GOOGLE_PROVIDER_PACKAGE, `lib/${folder}/index.js`)[name];
    }
    loaded = out as unknown as GcpBindings;
  }
  return loaded;
}
