import { GCP_MACHINE_TYPES, GCP_PRICES } from "../../catalog/gcp-machines.ts";
import type { CloudFacts } from "../facts.ts";

/** Google Cloud as drover uses it: Compute Engine instances and disks, VPC firewall rules, Cloud DNS. */
export const GCP: CloudFacts = {
  kind: "gcp",
  label: "GCP",
  provider: "google",
  types: {
    machines: { google_compute_instance: { size: "machine_type", power: "desired_status" } },
    kubernetesClusters: { google_container_cluster: null },
    volumes: ["google_compute_disk"],
    networks: ["google_compute_network"],
    subnets: ["google_compute_subnetwork"],
    routers: ["google_compute_router"],
    publicAddresses: ["google_compute_address"],
    // GCP's firewall rules are not groups: they reach machines by network tag.
    securityGroups: [],
    firewalls: ["google_compute_firewall"],
    dnsRecords: ["google_dns_record_set"],
    stateful: ["google_compute_disk", "google_storage_bucket", "google_filestore_instance"],
  },
  metadataSource: "gcp",
  pricing: {
    currency: "USD",
    catalog: { label: "GCP", sizes: GCP_MACHINE_TYPES, region: GCP_PRICES.region, when: `on ${GCP_PRICES.takenOn}` },
    // A VM whose `desired_status` is TERMINATED or SUSPENDED is not billed for vCPUs and memory.
    powerStates: {
      TERMINATED: { state: "stopped", factor: 0, note: "stopped (TERMINATED): vCPUs and memory are not billed" },
      SUSPENDED: { state: "suspended", factor: 0, note: "suspended: vCPUs and memory are not billed (the saved memory is, as storage)" },
      RUNNING: { state: "active", factor: 1 },
    },
  },
  projectQuota: false,
  shelving: false,
  k3sBlockStorage: false,
};
