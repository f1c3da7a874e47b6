import { JETSTREAM2_FLAVORS } from "../../catalog/flavors.ts";
import type { CloudFacts } from "../facts.ts";

/**
 * OpenStack as drover uses it (Jetstream2 first): Nova servers, Cinder volumes, Neutron
 * networks and security groups, Designate records, Magnum clusters, Manila shares. Resource
 * type names follow terraform-provider-openstack's `docs/resources/`.
 */
export const OPENSTACK = {
  kind: "openstack",
  label: "OpenStack",
  provider: "openstack",
  types: {
    machines: { openstack_compute_instance_v2: { size: "flavor_name", power: "power_state" } },
    kubernetesClusters: {
      // Magnum makes one of each group when the counts are left out; the autoscaler may grow the
      // workers to `max_node_count` when the cluster has the `auto_scaling_enabled` label.
      openstack_containerinfra_cluster_v1: {
        controlPlane: { count: "master_count", size: "master_flavor" },
        workers: { count: "node_count", size: "flavor" },
        autoscaling: { labels: "labels", enabled: "auto_scaling_enabled", max: "max_node_count" },
      },
    },
    volumes: ["openstack_blockstorage_volume_v3", "openstack_blockstorage_volume_v2"],
    networks: ["openstack_networking_network_v2"],
    subnets: ["openstack_networking_subnet_v2"],
    routers: ["openstack_networking_router_v2"],
    publicAddresses: ["openstack_networking_floatingip_v2"],
    securityGroups: ["openstack_networking_secgroup_v2"],
    firewalls: ["openstack_networking_secgroup_v2", "openstack_networking_secgroup_rule_v2"],
    dnsRecords: ["openstack_dns_recordset_v2"],
    stateful: ["openstack_blockstorage_volume_v3", "openstack_blockstorage_volume_v2", "openstack_sharedfilesystem_share_v2", "openstack_objectstorage_container_v1", "openstack_db_instance_v1"],
    credentials: ["openstack_identity_application_credential_v3"],
  },
  profileFromProvider: (provider) => (typeof provider.auth_url === "string" && /jetstream-cloud\.org/.test(provider.auth_url) ? "jetstream2" : undefined),
  // Nova takes up to 65,535 characters of base64 user data, which encodes 49,149 bytes.
  userDataMaxBytes: 49_149,
  metadataSource: "openstack",
  pricing: {
    currency: "SU",
    catalog: {
      label: "Jetstream2",
      sizes: JETSTREAM2_FLAVORS,
      onlyFor: "jetstream2",
      note: "Jetstream2 service units: 1 SU per vCPU-hour, large-memory flavors ×2, GPU flavors ×4; shelved instances cost 0, stopped ones half",
    },
    // Jetstream2's documentation (docs/general/access.md in js2docs): shelved instances cost 0,
    // stopped ("shutoff") ones half, active ones the full rate; it gives no rate for "paused".
    powerStates: {
      active: { state: "active", factor: 1 },
      shelved_offloaded: { state: "shelved", factor: 0, note: "shelved: Jetstream2 charges nothing" },
      shutoff: { state: "stopped", factor: 0.5, note: "stopped (shutoff): Jetstream2 charges half" },
      paused: { state: "paused", factor: 1, note: "paused: Jetstream2 gives no rate for it, counted as active" },
    },
  },
  projectQuota: true,
  shelving: true,
  k3sBlockStorage: true,
} satisfies CloudFacts;
