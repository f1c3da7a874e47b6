import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addressesOf, evaluateWithTerraform, rewriteTemplate, type ComputedValues, type StackConfig } from "../../lab/fill.ts";
import { hasTool } from "../support/tools.ts";

const config: StackConfig = {
  resource: {
    random_bytes: { hpc_MungeKey_2B7A2EAC: { length: 4 } },
    openstack_networking_subnet_v2: { net_Subnet: { cidr: "10.42.0.0/16", "//": { metadata: {} } } },
  },
  data: { openstack_identity_auth_scope_v3: { scope: { name: "x" } } },
  locals: {
    "auth-url": '${[for s in data.openstack_identity_auth_scope_v3.scope.service_catalog : [for e in s.endpoints : e.url if e.interface == "public"][0] if s.type == "identity"][0]}',
  },
  variable: { secret: { type: "string", sensitive: true } },
};
const addresses = addressesOf(config);

describe("rewriteTemplate", () => {
  it.each([
    ["a resource attribute", "key: ${random_bytes.hpc_MungeKey_2B7A2EAC.base64}", "key: ${local.r__random_bytes__hpc_MungeKey_2B7A2EAC.base64}"],
    ["a data source", "${data.openstack_identity_auth_scope_v3.scope.id}", "${local.d__openstack_identity_auth_scope_v3__scope.id}"],
    ["a local with a dash", "${local.auth-url}", "${local.l__auth-url}"],
    ["a variable", "${var.secret}", "${local.v__secret}"],
    ["a function around a reference", "${base64gzip(random_bytes.hpc_MungeKey_2B7A2EAC.hex)}", "${base64gzip(local.r__random_bytes__hpc_MungeKey_2B7A2EAC.hex)}"],
    ["escaped interpolation and directive, kept for terraform", "echo $${HOME} %%{if} $${random_bytes.hpc_MungeKey_2B7A2EAC.hex}", "echo $${HOME} %%{if} $${random_bytes.hpc_MungeKey_2B7A2EAC.hex}"],
    ["a traversal that names no resource of the stack", "${s.endpoints} ${unknown_type.x.id}", "${s.endpoints} ${unknown_type.x.id}"],
    ["text with no template", "plain text: random_bytes.hpc_MungeKey_2B7A2EAC.hex", "plain text: random_bytes.hpc_MungeKey_2B7A2EAC.hex"],
    ["a quoted string inside an expression", '${x == "}" ? random_bytes.hpc_MungeKey_2B7A2EAC.hex : ""}', '${x == "}" ? local.r__random_bytes__hpc_MungeKey_2B7A2EAC.hex : ""}'],
  ])("rewrites %s", (_, input, expected) => {
    expect(rewriteTemplate(input, addresses)).toBe(expected);
  });

  it("refuses an unterminated interpolation with where it starts", () => {
    expect(() => rewriteTemplate("ok ${random_bytes.x", addresses)).toThrow("unterminated template sequence at 3");
  });
});

const values: ComputedValues = {
  resource: (type, name): Record<string, string> => (type === "random_bytes" ? { base64: "AAECAw==", hex: "00010203" } : { id: `${type}-${name}-id` }),
  data: () => ({
    service_catalog: [
      { type: "compute", endpoints: [{ interface: "public", url: "http://nova" }] },
      {
        type: "identity",
        endpoints: [
          { interface: "internal", url: "http://wrong" },
          { interface: "public", url: "http://keystone/v3" },
        ],
      },
    ],
  }),
  variable: () => "typed-in",
};

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("evaluateWithTerraform (the real terraform)", () => {
  it("fills references, evaluates the locals' expressions and keeps escaped text literal", async () => {
    // GIVEN templates as cdktf writes them
    const wanted = {
      userData: "key=${random_bytes.hpc_MungeKey_2B7A2EAC.base64} auth=${local.auth-url} home=$${HOME} %%{ if } var=${var.secret}",
      subnet: "${openstack_networking_subnet_v2.net_Subnet}",
    };

    // WHEN
    const out = await evaluateWithTerraform("terraform", mkdtempSync(join(tmpdir(), "drover-fill-")), config, values, wanted);

    // THEN terraform's own reading of the templates
    expect(out.userData).toBe("key=AAECAw== auth=http://keystone/v3 home=${HOME} %{ if } var=typed-in");
    // A whole-resource reference is the object: the configuration's attributes and the computed ones.
    expect(out.subnet).toEqual({ cidr: "10.42.0.0/16", id: "openstack_networking_subnet_v2-net_Subnet-id" });
  });

  it("says what terraform refused", async () => {
    await expect(evaluateWithTerraform("terraform", mkdtempSync(join(tmpdir(), "drover-fill-")), config, values, { bad: "${nosuchfunction(1)}" })).rejects.toThrow(
      /terraform could not fill in the stack's values:[\s\S]*nosuchfunction/,
    );
  });
});
