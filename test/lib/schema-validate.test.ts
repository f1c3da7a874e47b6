import { describe, expect, it } from "vitest";
import { builtinProviders } from "../../lib/schema/registry.ts";
import type { LoadedProvider } from "../../lib/schema/types.ts";
import { validateTerraformJson } from "../../lib/schema/validate.ts";

const openstack = builtinProviders();
const required = { terraform: { required_providers: { openstack: { source: "terraform-provider-openstack/openstack", version: "3.4.0" } } } };

/** A configuration with one resource of `type` whose body is `body`. */
function withResource(type: string, body: Record<string, unknown>) {
  return { ...required, resource: { [type]: { r: { "//": { metadata: { path: "s/c/Resource" } }, ...body } } } };
}

function messages(config: unknown, providers: readonly LoadedProvider[] = openstack) {
  return validateTerraformJson(config, providers).findings.map((f) => `${f.severity} ${f.code} ${f.address}${f.attribute ? ` ${f.attribute}` : ""}: ${f.message}`);
}

const instance = { name: "vm", flavor_name: "m3.small", image_name: "Featured-Ubuntu24", network: [{ port: "${openstack_networking_port_v2.p.id}" }] };
const rule = { direction: "ingress", ethertype: "IPv4", security_group_id: "${x.id}" };

describe("validateTerraformJson against the OpenStack schema file", () => {
  it("passes a valid instance and reports the construct path of findings", () => {
    expect(messages(withResource("openstack_compute_instance_v2", instance))).toEqual([]);
    const report = validateTerraformJson(withResource("openstack_compute_instance_v2", { ...instance, flavour_name: "x" }), openstack);
    expect(report.findings[0]).toMatchObject({ constructPath: "s/c/Resource", attribute: "flavour_name" });
    expect(report.checked).toBe(1);
  });

  it.each([
    [
      "unknown resource type",
      withResource("openstack_compute_instance_v3", instance),
      'error schema.unknown-type openstack_compute_instance_v3.r: "openstack_compute_instance_v3" is not a resource type of terraform-provider-openstack/openstack 3.4.0: did you mean openstack_compute_instance_v2?',
    ],
    [
      "unknown argument",
      withResource("openstack_compute_instance_v2", { ...instance, flavour_name: "m3.small" }),
      'error schema.unknown-argument openstack_compute_instance_v2.r flavour_name: "flavour_name" is not an argument or block of this type: did you mean flavor_name?',
    ],
    [
      "missing required argument",
      withResource("openstack_networking_secgroup_rule_v2", { ethertype: "IPv4", security_group_id: "x" }),
      'error schema.missing-required openstack_networking_secgroup_rule_v2.r direction: required argument "direction" is missing',
    ],
    [
      "required argument set to null",
      withResource("openstack_networking_secgroup_rule_v2", { ...rule, direction: null }),
      'error schema.missing-required openstack_networking_secgroup_rule_v2.r direction: "direction" is required and cannot be null',
    ],
    [
      "computed-only argument set",
      withResource("openstack_compute_instance_v2", { ...instance, access_ip_v4: "10.0.0.5" }),
      'error schema.computed-set openstack_compute_instance_v2.r access_ip_v4: "access_ip_v4" is computed by the provider and cannot be set',
    ],
    [
      "string where a number goes",
      withResource("openstack_blockstorage_volume_v3", { size: "big" }),
      'error schema.wrong-type openstack_blockstorage_volume_v3.r size: "size" must be a number, got the string "big"',
    ],
    [
      "string where a bool goes",
      withResource("openstack_networking_network_v2", { admin_state_up: "yes" }),
      'error schema.wrong-type openstack_networking_network_v2.r admin_state_up: "admin_state_up" must be true or false, got the string "yes"',
    ],
    [
      "scalar where a set goes",
      withResource("openstack_networking_network_v2", { tags: "a" }),
      'error schema.wrong-type openstack_networking_network_v2.r tags: "tags" must be a set of string, got the string "a"',
    ],
    [
      "object inside a map of strings",
      withResource("openstack_compute_instance_v2", { ...instance, metadata: { a: { b: 1 } } }),
      'error schema.wrong-type openstack_compute_instance_v2.r metadata.a: "metadata.a" must be a string, got an object',
    ],
    [
      "too many blocks",
      withResource("openstack_compute_instance_v2", { ...instance, vendor_options: [{ ignore_resize_confirmation: true }, { ignore_resize_confirmation: false }] }),
      'error schema.too-many-blocks openstack_compute_instance_v2.r vendor_options: at most 1 "vendor_options" block is allowed; 2 were given',
    ],
    [
      "a block that is not an object",
      withResource("openstack_compute_instance_v2", { ...instance, network: ["net-1"] }),
      'error schema.wrong-type openstack_compute_instance_v2.r network[0]: "network" must be a block (an object), got the string "net-1"',
    ],
    [
      "unknown argument inside a nested block",
      withResource("openstack_compute_instance_v2", { ...instance, block_device: [{ source_type: "image", uuuid: "x" }] }),
      'error schema.unknown-argument openstack_compute_instance_v2.r block_device[0].uuuid: "uuuid" is not an argument or block of this type: did you mean uuid?',
    ],
    [
      "unknown data source argument",
      { ...required, data: { openstack_images_image_v2: { img: { name: "x", newest: true } } } },
      'error schema.unknown-argument data.openstack_images_image_v2.img newest: "newest" is not an argument or block of this type',
    ],
    [
      "unknown provider argument",
      { ...required, provider: { openstack: [{ region: "IU", regoin: "IU" }] } },
      'error schema.unknown-argument provider.openstack regoin: "regoin" is not an argument or block of this type: did you mean region?',
    ],
  ])("reports %s", (_, config, expected) => {
    expect(messages(config)).toEqual([expected]);
  });

  it("skips Terraform expressions, converts numbers and bools written as strings, ignores meta-arguments", () => {
    const config = withResource("openstack_blockstorage_volume_v3", {
      size: "${var.size}",
      name: 42,
      enable_online_resize: "true",
      metadata: "${local.tags}",
      count: 3,
      depends_on: ["x.y"],
      lifecycle: { prevent_destroy: true },
      provisioner: [{ "local-exec": { command: "true" } }],
    });
    expect(messages(config)).toEqual([]);
    expect(messages(withResource("openstack_blockstorage_volume_v3", { size: "100" }))).toEqual([]);
  });

  it("accepts one block written as an object and dynamic blocks", () => {
    expect(messages(withResource("openstack_compute_instance_v2", { ...instance, network: { port: "p" } }))).toEqual([]);
    expect(messages(withResource("openstack_compute_instance_v2", { ...instance, dynamic: { network: { for_each: "${var.n}", content: { uuid: "${network.value}" } } } }))).toEqual([]);
  });

  it("demands the provider's source in required_providers", () => {
    const config = { resource: { openstack_networking_network_v2: { n: { name: "x" } } } };
    expect(messages(config)).toEqual([
      'error schema.provider-source terraform.required_providers.openstack: "openstack" resources are used but no source is declared; Terraform would look for hashicorp/openstack. Declare source "terraform-provider-openstack/openstack".',
    ]);
    const wrong = { ...config, terraform: { required_providers: { openstack: { source: "hashicorp/openstack" } } } };
    expect(messages(wrong)).toEqual([
      'error schema.provider-source terraform.required_providers.openstack: source "hashicorp/openstack" is not the provider the schema describes ("terraform-provider-openstack/openstack")',
    ]);
  });

  it.each([
    [
      { depends_on: ["${openstack_networking_router_v2.r.id}"] },
      'error schema.bad-meta-argument openstack_networking_network_v2.r depends_on[0]: "${openstack_networking_router_v2.r.id}" is not a reference to a resource or module (type.name). Write it without ${ }: "openstack_networking_router_v2.r.id".',
    ],
    [
      { lifecycle: { replace_triggered_by: ["${terraform_data.t}"] } },
      'error schema.bad-meta-argument openstack_networking_network_v2.r lifecycle.replace_triggered_by[0]: "${terraform_data.t}" is not a reference to a resource (type.name, optionally with an attribute). Write it without ${ }: "terraform_data.t".',
    ],
    [
      { lifecycle: { prevent_destroy: "yes" } },
      'error schema.bad-meta-argument openstack_networking_network_v2.r lifecycle.prevent_destroy: "prevent_destroy" must be true or false, got the string "yes"',
    ],
    [
      { lifecycle: { prevent_destruction: true } },
      'error schema.bad-meta-argument openstack_networking_network_v2.r lifecycle.prevent_destruction: "prevent_destruction" is not a lifecycle argument (allowed: create_before_destroy, prevent_destroy, ignore_changes, replace_triggered_by, precondition, postcondition)',
    ],
  ])("checks meta-arguments Terraform reads as references: %j", (meta, expected) => {
    expect(messages(withResource("openstack_networking_network_v2", { name: "n", ...meta }))).toEqual([expected]);
  });

  it("accepts well-formed meta-arguments", () => {
    const meta = {
      depends_on: ["openstack_networking_router_v2.r", "data.openstack_images_image_v2.i", "module.m"],
      lifecycle: { ignore_changes: ["tags", "block_device[0].uuid"], replace_triggered_by: ["terraform_data.t", "terraform_data.t.output"], prevent_destroy: true },
    };
    expect(messages(withResource("openstack_networking_network_v2", { name: "n", ...meta }))).toEqual([]);
    expect(messages(withResource("openstack_networking_network_v2", { name: "n", lifecycle: { ignore_changes: "all" } }))).toEqual([]);
  });

  it("lists types it has no schema for, except Terraform's built-ins", () => {
    const report = validateTerraformJson({ resource: { aws_instance: { a: { ami: "x" } }, terraform_data: { t: { input: 1 } } } }, openstack);
    expect(report.findings).toEqual([]);
    expect(report.unchecked).toEqual(["aws_instance"]);
    expect(report.checked).toBe(0);
  });
});

describe("validateTerraformJson block counts and deprecations (hand-made schema)", () => {
  const mini: LoadedProvider = {
    name: "mini",
    fqpn: "registry.terraform.io/example/mini",
    source: "example/mini",
    schema: {
      resource_schemas: {
        mini_thing: {
          version: 0,
          block: {
            attributes: { old: { type: "string", optional: true, deprecated: true }, id: { type: "string", optional: true, computed: true } },
            block_types: {
              rule: { nesting_mode: "list", min_items: 2, max_items: 3, block: { attributes: { port: { type: "number", required: true } } } },
              settings: { nesting_mode: "single", block: { attributes: { pairs: { type: ["list", ["object", { k: "string", v: "number" }]], optional: true } } } },
            },
          },
        },
      },
    },
  };
  const cfg = (body: Record<string, unknown>) => ({ terraform: { required_providers: { mini: { source: "example/mini" } } }, resource: { mini_thing: { t: body } } });

  it.each([
    [{ rule: [{ port: 1 }] }, 'error schema.too-few-blocks mini_thing.t rule: at least 2 "rule" blocks are required; 1 were given'],
    [{}, 'error schema.missing-block mini_thing.t rule: at least 2 "rule" blocks are required'],
    [{ rule: [{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }] }, 'error schema.too-many-blocks mini_thing.t rule: at most 3 "rule" blocks are allowed; 4 were given'],
    [{ rule: [{ port: 1 }, {}] }, 'error schema.missing-required mini_thing.t rule[1].port: required argument "port" is missing'],
    [{ rule: [{ port: 1 }, { port: 2 }], settings: [{}, {}] }, 'error schema.too-many-blocks mini_thing.t settings: "settings" is a single block; 2 were given'],
    [{ rule: [{ port: 1 }, { port: 2 }], old: "x" }, 'warning schema.deprecated mini_thing.t old: "old" is deprecated by the provider'],
    [
      { rule: [{ port: 1 }, { port: 2 }], settings: { pairs: [{ k: "a", v: "b" }] } },
      'error schema.wrong-type mini_thing.t settings.pairs[0].v: "settings.pairs[0].v" must be a number, got the string "b"',
    ],
    [
      { rule: [{ port: 1 }, { port: 2 }], settings: { pairs: [{ k: "a", x: 1 }] } },
      'error schema.wrong-type mini_thing.t settings.pairs[0].x: "settings.pairs[0].x" is not a field of this object (fields: k, v)',
    ],
  ])("%j", (body, expected) => {
    expect(messages(cfg(body), [mini])).toEqual([expected]);
  });

  it("accepts a body within the limits", () => {
    expect(messages(cfg({ rule: [{ port: 1 }, { port: "2" }], settings: { pairs: [{ k: "a", v: 1 }] } }), [mini])).toEqual([]);
  });
});
