import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_CLOUDS, CLOUD_FACTS, CLOUD_KINDS, cloudOfProvider, cloudOfType, FIREWALL_TYPES, MACHINE_TYPES, STATEFUL_TYPES, typesOf, type CloudFacts } from "../../../lib/clouds/index.ts";

const ROOT = join(import.meta.dirname, "../../..");

/**
 * Types our OpenStack schema file lacks (it holds the provider version drover pins) that a stack
 * may still hold and lose data in: the v2 volume of older provider versions, Trove databases.
 */
const OPENSTACK_NOT_MADE = ["openstack_blockstorage_volume_v2", "openstack_db_instance_v1"];

/** Every resource type a cloud's record names. */
function namedTypes(c: CloudFacts): string[] {
  const t = c.types;
  return [
    ...Object.keys(t.machines),
    ...Object.keys(t.kubernetesClusters),
    ...t.volumes,
    ...t.networks,
    ...t.subnets,
    ...t.routers,
    ...t.publicAddresses,
    ...t.securityGroups,
    ...t.firewalls,
    ...t.dnsRecords,
    ...t.stateful,
    ...(t.credentials ?? []),
  ];
}

/** The resource types a provider offers: OpenStack's from our schema file, the others' from their cdktf bindings. */
function providerTypes(c: CloudFacts): Set<string> | string {
  if (c.kind === "openstack") {
    const schema = JSON.parse(readFileSync(join(ROOT, "providers/openstack/schema.json"), "utf8")) as { provider_schemas: Record<string, { resource_schemas: Record<string, unknown> }> };
    return new Set(Object.values(schema.provider_schemas).flatMap((p) => Object.keys(p.resource_schemas)));
  }
  const pkg = join(ROOT, "node_modules/@cdktf", `provider-${c.provider}`, "lib");
  if (!existsSync(pkg)) return `@cdktf/provider-${c.provider} is not installed`;
  const types = new Set<string>();
  for (const dir of readdirSync(pkg)) {
    const index = join(pkg, dir, "index.js");
    if (!existsSync(index)) continue;
    for (const m of readFileSync(index, "utf8").matchAll(/tfResourceType\s*=\s*"([a-z0-9_]+)"/g)) types.add(m[1]!);
  }
  return types;
}

describe("lib/clouds: one record of facts per cloud", () => {
  it("has a record for every kind, under its own kind", () => {
    expect(ALL_CLOUDS.map((c) => c.kind)).toEqual([...CLOUD_KINDS]);
    for (const kind of CLOUD_KINDS) expect(CLOUD_FACTS[kind].kind).toBe(kind);
  });

  describe.each(ALL_CLOUDS.map((c) => [c.kind, c] as const))("%s", (_kind, cloud) => {
    it("names only resource types its Terraform provider has", (ctx) => {
      const known = providerTypes(cloud);
      if (typeof known === "string") {
        console.log(`clouds facts: skipped the ${cloud.kind} schema check, ${known}`);
        ctx.skip();
        return;
      }
      // Our OpenStack schema file holds the types drover makes, not every type of the provider.
      const unknown = [...new Set(namedTypes(cloud).filter((t) => !known.has(t)))].sort();
      expect(unknown).toEqual(cloud.kind === "openstack" ? OPENSTACK_NOT_MADE : []);
    });

    it("claims only its provider's types, and every type it names maps back to it", () => {
      for (const type of namedTypes(cloud)) {
        expect(type.startsWith(`${cloud.provider}_`), type).toBe(true);
        expect(cloudOfType(type)?.kind, type).toBe(cloud.kind);
      }
      expect(cloudOfProvider(cloud.provider)?.kind).toBe(cloud.kind);
    });

    it("counts every volume as stateful and every security group as a firewall", () => {
      for (const v of cloud.types.volumes) expect(STATEFUL_TYPES.has(v), v).toBe(true);
      for (const g of cloud.types.securityGroups) expect(FIREWALL_TYPES.has(g), g).toBe(true);
    });

    it("prices in its own currency, with power states that never charge more than the full rate", () => {
      expect(cloud.pricing.catalog.sizes.length).toBeGreaterThan(0);
      for (const [state, cost] of Object.entries(cloud.pricing.powerStates ?? {})) {
        expect(cost.factor, state).toBeGreaterThanOrEqual(0);
        expect(cost.factor, state).toBeLessThanOrEqual(1);
      }
      if (cloud.pricing.currency === "USD") expect(cloud.pricing.catalog.sizes.every((s) => typeof s.usdPerHour === "number")).toBe(true);
    });
  });

  it("joins the machine types of every cloud, and nothing else", () => {
    expect([...MACHINE_TYPES].sort()).toEqual(ALL_CLOUDS.flatMap((c) => Object.keys(c.types.machines)).sort());
    expect(typesOf("volumes").has("aws_ebs_volume")).toBe(true);
    expect(MACHINE_TYPES.has("aws_ebs_volume")).toBe(false);
    expect(cloudOfType("random_password")).toBeUndefined();
  });
});
