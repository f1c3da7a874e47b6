import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareBindings, projectRoot } from "../../scripts/gen-bindings.ts";
import type { ProviderSchemaFile, SchemaBlock } from "../../lib/schema/types.ts";

const file = JSON.parse(readFileSync(join(projectRoot, "providers/openstack/schema.json"), "utf8")) as ProviderSchemaFile;
const provider = file.provider_schemas["registry.terraform.io/terraform-provider-openstack/openstack"]!;

describe("the OpenStack schema file", () => {
  it("covers every type drover needs", () => {
    expect(Object.keys(provider.resource_schemas ?? {}).sort()).toEqual(
      [
        "compute_instance_v2",
        "compute_keypair_v2",
        "compute_volume_attach_v2",
        "compute_servergroup_v2",
        "networking_network_v2",
        "networking_subnet_v2",
        "networking_router_v2",
        "networking_router_interface_v2",
        "networking_port_v2",
        "networking_secgroup_v2",
        "networking_secgroup_rule_v2",
        "networking_floatingip_v2",
        "networking_floatingip_associate_v2",
        "blockstorage_volume_v3",
        "objectstorage_container_v1",
        "dns_recordset_v2",
        "containerinfra_cluster_v1",
        "containerinfra_clustertemplate_v1",
        "sharedfilesystem_share_v2",
        "sharedfilesystem_share_access_v2",
        "lb_loadbalancer_v2",
        "identity_application_credential_v3",
      ]
        .map((t) => `openstack_${t}`)
        .sort(),
    );
    expect(Object.keys(provider.data_source_schemas ?? {}).sort()).toEqual(
      [
        "compute_flavor_v2",
        "containerinfra_clustertemplate_v1",
        "dns_zone_v2",
        "identity_auth_scope_v3",
        "images_image_v2",
        "networking_network_v2",
        "networking_router_v2",
        "networking_subnet_v2",
      ].map((t) => `openstack_${t}`),
    );
    expect(provider.resource_schemas).not.toHaveProperty("openstack_compute_floatingip_associate_v2");
  });

  it("is well formed: every attribute has a type and says whether it is required, optional or computed", () => {
    const problems: string[] = [];
    const walk = (block: SchemaBlock, where: string) => {
      for (const [name, a] of Object.entries(block.attributes ?? {})) {
        if (!a.type) problems.push(`${where}.${name}: no type`);
        if (!a.required && !a.optional && !a.computed) problems.push(`${where}.${name}: neither required, optional nor computed`);
        if (a.required && (a.optional || a.computed)) problems.push(`${where}.${name}: required and optional/computed`);
      }
      for (const [name, b] of Object.entries(block.block_types ?? {})) walk(b.block, `${where}.${name}`);
    };
    for (const [type, s] of Object.entries({ ...provider.resource_schemas, ...provider.data_source_schemas })) {
      walk(s.block, type);
      if (!s.block.attributes?.id) problems.push(`${type}: no id attribute`);
    }
    walk(provider.provider!.block, "provider");
    expect(problems).toEqual([]);
  });

  it.each([
    ["openstack_compute_instance_v2", "user_data", true],
    ["openstack_compute_instance_v2", "metadata", false],
    ["openstack_compute_keypair_v2", "public_key", true],
    ["openstack_networking_subnet_v2", "cidr", true],
    ["openstack_blockstorage_volume_v3", "size", false],
    ["openstack_networking_secgroup_rule_v2", "remote_ip_prefix", true],
    ["openstack_networking_router_v2", "external_network_id", false],
    ["openstack_networking_network_v2", "name", false],
    ["openstack_compute_volume_attach_v2", "volume_id", true],
  ])("marks %s.%s force_new: %s", (type, attr, forceNew) => {
    expect(Boolean(provider.resource_schemas?.[type]?.block.attributes?.[attr]?.force_new)).toBe(forceNew);
  });

  it("marks the instance's network block as forcing replacement", () => {
    expect(provider.resource_schemas?.openstack_compute_instance_v2?.block.block_types?.network?.force_new).toBe(true);
  });
});

describe("generated bindings", () => {
  it("are up to date with the schema file (npm run gen regenerates them)", async () => {
    expect(await compareBindings()).toEqual([]);
  });
});
