import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { planFromTerraform, type TerraformPlanJson } from "../../lib/plan/from-terraform.ts";
import { UNKNOWN_VALUE, decodeValue, impliedType, marksFromPaths, parseType, schemaSensitivePaths } from "../../lib/terraform/cty.ts";
import { parseAddress, providerSource, readPlanFile } from "../../lib/terraform/planfile.ts";
import { cacheDir, fetchSchemas, parseLockFile, schemasFor, trimBlock } from "../../lib/terraform/provider-schemas.ts";
import { AWS_PROVIDER_VERSION, PLUGIN_DIR, hasAwsProvider } from "../support/mirror.ts";
import { TerraformDir } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";

/**
 * drover reads saved plans itself (lib/terraform/planfile.ts) instead of asking `terraform show
 * -json`, which restarts every provider. These tests hold it to terraform's own answer: each
 * plan below is made by the real terraform, read both ways, and must agree.
 */

/** Marks (`after_unknown`, `*_sensitive`) compared by meaning: `false`, `{}` and `[]` all mean "none here". */
function normMarks(v: unknown): unknown {
  if (v === true) return true;
  if (Array.isArray(v)) {
    const a = v.map(normMarks);
    return a.every((x) => x === undefined) ? undefined : a.map((x) => x ?? false);
  }
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normMarks(x);
      if (n !== undefined) o[k] = n;
    }
    return Object.keys(o).length ? o : undefined;
  }
  return undefined;
}

const MARKS = new Set(["after_unknown", "before_sensitive", "after_sensitive"]);
/** The fields drover reads, with marks normalized and keys sorted. */
function comparable(json: TerraformPlanJson): unknown {
  const pick = { resource_changes: json.resource_changes ?? [], resource_drift: json.resource_drift ?? [], output_changes: json.output_changes ?? {} };
  const walk = (v: unknown, key?: string): unknown => {
    if (key && MARKS.has(key)) return normMarks(v) ?? null;
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        // Fields drover does not read.
        if (["provider_name", "index", "module_address", "before_identity", "after_identity", "previous_address", "importing", "generated_config"].includes(k)) continue;
        const x = walk((v as Record<string, unknown>)[k], k);
        if (x !== undefined) out[k] = x;
      }
      return out;
    }
    return v;
  };
  return walk(pick);
}

let cache: string;
beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), "drover-schema-cache-"));
});

async function readBothWays(tf: TerraformDir, ...planArgs: string[]): Promise<{ mine: TerraformPlanJson; theirs: TerraformPlanJson }> {
  const { planFile, json } = tf.planFileAndJson(...planArgs);
  const binary = { path: "terraform", kind: "terraform" as const, version: terraformVersion() };
  const env = { ...tf.env, DROVER_CACHE_DIR: cache };
  const schemas = schemasFor(tf.dir, binary, env);
  if (schemas.missing().length) await fetchSchemas(tf.dir, binary, schemas, env);
  expect(schemas.missing()).toEqual([]);
  return { mine: await readPlanFile(planFile, schemas), theirs: json as TerraformPlanJson };
}

let version: string | undefined;
function terraformVersion(): string {
  return (version ??= (JSON.parse(new TerraformDir().run("version", "-json")) as { terraform_version: string }).terraform_version);
}

async function expectSameAsShow(tf: TerraformDir, config: Record<string, unknown>, ...planArgs: string[]): Promise<TerraformPlanJson> {
  const { mine, theirs } = await readBothWays(tf, ...planArgs);
  expect(comparable(mine)).toEqual(comparable(theirs));
  // And the plan drover shows from each is the same.
  expect(planFromTerraform("s", mine, config)).toEqual(planFromTerraform("s", theirs, config));
  return mine;
}

describe("cty values and types", () => {
  const isExt = (v: unknown) => v === "EXT";
  it("unwraps dynamic values by the type they carry", () => {
    const typeJson = new TextEncoder().encode(JSON.stringify(["object", { a: "number", b: ["list", "string"] }]));
    expect(decodeValue([typeJson, { a: "1.5", b: ["x", "EXT"] }], "dynamic", isExt)).toEqual({ a: 1.5, b: ["x", UNKNOWN_VALUE] });
  });
  it("refuses a dynamic value without its type", () => {
    expect(() => decodeValue({ a: 1 }, "dynamic", isExt)).toThrow("a dynamic value is not wrapped with its type");
  });
  it("refuses a value of the wrong type", () => {
    expect(() => decodeValue("x", "number", isExt)).toThrow('expected a number, found "x"');
    expect(() => parseType(["vector", "string"])).toThrow('not a Terraform type: ["vector","string"]');
  });
  it("types nested blocks: a list of blocks with a dynamic attribute is dynamic", () => {
    const t = impliedType({
      attributes: { id: { type: "string" } },
      block_types: {
        rule: { nesting_mode: "set", block: { attributes: { port: { type: "number" } } } },
        extra: { nesting_mode: "list", block: { attributes: { any: { type: "dynamic" } } } },
        one: { nesting_mode: "single", block: { attributes: { x: { type: "bool" } } } },
      },
    });
    expect(t).toEqual(["object", { id: "string", rule: ["set", ["object", { port: "number" }]], extra: "dynamic", one: ["object", { x: "bool" }] }]);
  });
  it("marks sensitive attributes, in nested blocks per element, and a whole set when inside one", () => {
    const block = {
      attributes: { password: { type: "string" as const, sensitive: true }, name: { type: "string" as const } },
      block_types: { user: { nesting_mode: "list" as const, block: { attributes: { key: { type: "string" as const, sensitive: true } } } } },
    };
    const value = { password: null, name: "n", user: [{ key: "a" }, { key: "b" }] };
    const type = impliedType(block);
    expect(marksFromPaths(value, type, schemaSensitivePaths(block, value))).toEqual({ password: true, user: [{ key: true }, { key: true }] });
    const setType = parseType(["object", { tags: ["set", "string"] }]);
    expect(marksFromPaths({ tags: ["a", "b"] }, setType, [[{ attr: "tags" }, { key: "a" }]])).toEqual({ tags: true });
  });
});

describe("addresses", () => {
  it.each([
    ["aws_instance.web", { mode: "managed", type: "aws_instance", name: "web" }],
    ['aws_instance.web["a.b"]', { mode: "managed", type: "aws_instance", name: "web" }],
    ["data.aws_ami.ubuntu[0]", { mode: "data", type: "aws_ami", name: "ubuntu" }],
    ['module.net["x.y"].module.inner[2].data.openstack_images_image_v2.img', { mode: "data", type: "openstack_images_image_v2", name: "img" }],
  ])("%s", (addr, expected) => {
    expect(parseAddress(addr)).toEqual(expected);
  });
  it("takes the provider's source from a provider configuration address", () => {
    expect(providerSource('provider["registry.terraform.io/hashicorp/aws"].west')).toBe("registry.terraform.io/hashicorp/aws");
    expect(providerSource('module.a.provider["terraform.io/builtin/terraform"]')).toBe("terraform.io/builtin/terraform");
  });
});

describe("the schema cache", () => {
  it("reads providers, versions and hashes from a lock file", () => {
    const lock = `# This file is maintained automatically by "terraform init".

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.100.0"
  constraints = "5.100.0"
  hashes = [
    "h1:b=",
    "h1:a=",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version = "3.6.0"
  hashes = ["zh:c"]
}
`;
    expect(parseLockFile(lock)).toEqual([
      { source: "registry.terraform.io/hashicorp/aws", version: "5.100.0", hashes: ["h1:a=", "h1:b="] },
      { source: "registry.terraform.io/hashicorp/random", version: "3.6.0", hashes: ["zh:c"] },
    ]);
  });
  it("keeps only what decoding reads", () => {
    expect(
      trimBlock({
        attributes: { a: { type: "string", sensitive: true, description: "long text", optional: true } as never },
        block_types: { b: { nesting_mode: "list", block: { attributes: { c: { type: "number", computed: true } } }, min_items: 1 } as never },
      }),
    ).toEqual({ attributes: { a: { type: "string", sensitive: true } }, block_types: { b: { nesting_mode: "list", block: { attributes: { c: { type: "number" } } } } } });
  });
  it("lives under DROVER_CACHE_DIR, XDG_CACHE_HOME or ~/.cache", () => {
    expect(cacheDir({ DROVER_CACHE_DIR: "/c" })).toBe("/c/provider-schemas");
    expect(cacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/drover/provider-schemas");
  });
});

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("plan files read like terraform show -json (terraform_data)", () => {
  const tf = new TerraformDir();
  const config = (stage: number, withData = stage === 0) => ({
    variable: { secret: { type: "string", sensitive: true, default: "s3cret" } },
    resource: {
      terraform_data: {
        web: {
          "//": { metadata: { path: "app/web" } },
          input: {
            size: stage === 0 ? 1 : 2,
            ratio: 1.5,
            big: 12345678901,
            on: true,
            nothing: null,
            tags: { team: "hpc", stage: String(stage) },
            disks: [
              { name: "a", gib: 10 },
              { name: "b", gib: 20 },
            ],
            password: "${var.secret}",
          },
        },
        cache: { input: "c", triggers_replace: { v: stage < 2 ? "1" : "2" } },
        ...(stage < 2 ? { old: { input: { x: 1 } } } : {}),
        many: { count: stage < 2 ? 3 : 2, input: "${count.index}" },
        keyed: { for_each: stage < 2 ? { a: "1", b: "2" } : { a: "1" }, input: "${each.value}" },
        later: { input: "${terraform_data.web.id}" },
      },
    },
    ...(withData ? { data: { terraform_remote_state: { other: { backend: "local", config: { path: "${terraform_data.later.output}" } } } } } : {}),
    output: {
      plain: { value: "hello" },
      secret: { value: "${var.secret}", sensitive: true },
      unknown: { value: "${terraform_data.web.id}" },
      list: { value: ["a", 1, true] },
      object: { value: { nested: { deep: [1, 2] } } },
    },
  });

  it("agrees on a create: nested values, unknowns, a sensitive variable, count and for_each, a deferred data read, outputs", async () => {
    tf.write(config(0)).init();
    const mine = await expectSameAsShow(tf, config(0));
    expect(mine.resource_changes!.find((r) => r.address === "data.terraform_remote_state.other")?.action_reason).toBe("read_because_config_unknown");
    expect(mine.resource_changes!.find((r) => r.address === "terraform_data.web")!.change.after_sensitive).toMatchObject({ input: { password: true } });
    expect(mine.output_changes!.unknown!.after_unknown).toBe(true);
  });

  it("agrees on no changes, on update, replace (triggers and -replace), delete by count and key, and destroy", async () => {
    tf.write(config(0, false)).apply();
    await expectSameAsShow(tf, config(0, false));
    tf.write(config(1));
    await expectSameAsShow(tf, config(1), "-replace=terraform_data.many[0]");
    tf.write(config(2));
    const mine = await expectSameAsShow(tf, config(2));
    const reasons = Object.fromEntries(mine.resource_changes!.filter((r) => r.action_reason).map((r) => [r.address, r.action_reason]));
    expect(reasons).toEqual({
      "terraform_data.cache": "replace_because_cannot_update",
      "terraform_data.old": "delete_because_no_resource_config",
      "terraform_data.many[2]": "delete_because_count_index",
      'terraform_data.keyed["b"]': "delete_because_each_key",
    });
    await expectSameAsShow(tf, config(2), "-destroy");
  });

  it("agrees on a tainted resource", async () => {
    tf.apply().run("taint", "terraform_data.cache");
    const mine = await expectSameAsShow(tf, config(2));
    expect(mine.resource_changes!.find((r) => r.address === "terraform_data.cache")!.action_reason).toBe("replace_because_tainted");
  });
});

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install") && hasAwsProvider("the plan-file tests with the AWS provider"))(
  "plan files read like terraform show -json (the real AWS provider)",
  () => {
    it("agrees on sensitive attributes, sets of nested blocks and computed values", async () => {
      const tf = new TerraformDir();
      const config = {
        terraform: { required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_VERSION } } },
        provider: {
          aws: [
            {
              region: "us-east-2",
              access_key: "mock",
              secret_key: "mock",
              skip_credentials_validation: true,
              skip_requesting_account_id: true,
              skip_metadata_api_check: "true",
              skip_region_validation: true,
            },
          ],
        },
        resource: {
          aws_ssm_parameter: { token: { name: "/drover/token", type: "SecureString", value: "hunter2", tags: { team: "hpc" } } },
          aws_security_group: {
            ssh: {
              name: "ssh",
              ingress: [
                { from_port: 22, to_port: 22, protocol: "tcp", cidr_blocks: ["203.0.113.0/24"], description: "ssh", ipv6_cidr_blocks: [], prefix_list_ids: [], security_groups: [], self: false },
                { from_port: 443, to_port: 443, protocol: "tcp", cidr_blocks: ["0.0.0.0/0"], description: "https", ipv6_cidr_blocks: [], prefix_list_ids: [], security_groups: [], self: false },
              ],
            },
          },
          aws_instance: {
            vm: {
              ami: "ami-12345678",
              instance_type: "t3.micro",
              vpc_security_group_ids: ["${aws_security_group.ssh.id}"],
              root_block_device: [{ volume_size: 20, encrypted: true }],
              user_data: "#cloud-config\n",
              tags: { Name: "vm" },
            },
          },
        },
      };
      tf.write(config);
      tf.run("init", "-input=false", "-no-color", `-plugin-dir=${PLUGIN_DIR}`);
      const mine = await expectSameAsShow(tf, config, "-refresh=false");
      const token = mine.resource_changes!.find((r) => r.address === "aws_ssm_parameter.token")!;
      expect(token.change.after_sensitive).toMatchObject({ value: true });
      expect(readFileSync(planFileOf(tf)).length).toBeGreaterThan(0);
    }, 120_000);
  },
);

const planFileOf = (tf: TerraformDir) => join(tf.dir, "p.tfplan");

describe("a file that is not a plan", () => {
  it("is refused with the reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drover-notplan-"));
    writeFileSync(join(dir, "p.tfplan"), "not a zip");
    await expect(readPlanFile(join(dir, "p.tfplan"), { block: () => undefined })).rejects.toThrow();
  });
});
