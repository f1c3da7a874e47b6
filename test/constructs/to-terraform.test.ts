import { Fn, TerraformOutput, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { VirtualMachine, jetstream2 } from "../../constructs/index.ts";
import { stackToTerraform } from "../../constructs/private/to-terraform.ts";
import { escapeTerraformText, unescapeTerraformText } from "../../lib/terraform/text.ts";
import { newStack } from "../support/synth.ts";
import { testPublicKey } from "../support/keys.ts";

/** cdktf's own result, resolved the way it resolves it. */
function cdktfResult(stack: TerraformStack): unknown {
  return JSON.parse(JSON.stringify(TerraformStack.prototype.toTerraform.call(stack)));
}

/** Ours with text escaping undone: what cdktf writes, which leaves text unescaped. */
function unescaped(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json), (_, v: unknown) => (typeof v === "string" ? unescapeTerraformText(v) : v));
}

describe("stackToTerraform", () => {
  it.each([
    ["one machine with volumes and a public address", 1],
    ["twenty machines", 20],
  ])("gives exactly cdktf's JSON, its text escaped: %s", (_, n) => {
    const { stack } = newStack("lab", { cloud: jetstream2({ network: n > 1 ? "new" : "auto-allocated" }), expiresAt: "2027-01-01" });
    for (let i = 0; i < n; i++) {
      new VirtualMachine(stack, `vm${i}`, {
        size: { vcpus: 2, memoryGiB: 4 },
        allowSshFrom: ["203.0.113.0/24"],
        publicKey: testPublicKey("k", 1 + (i % 3)),
        publicAddress: i % 2 === 0,
        volumes: [{ name: "data", sizeGiB: 10 + i }],
        ...(i === 1 ? { rootVolumeGiB: 50 } : {}),
      });
    }
    const ours = JSON.parse(JSON.stringify(stackToTerraform(stack)));
    expect(unescaped(ours)).toEqual(cdktfResult(stack));
    // The volume script's shell expansions are text: written escaped, never a Terraform expression.
    const userData = Object.values(ours.resource.openstack_compute_instance_v2 as Record<string, { user_data: string }>)[0]!.user_data;
    expect(userData).toContain("$${id:0:20}");
    expect(userData).toBe(escapeTerraformText(unescapeTerraformText(userData)));
  });

  it("resolves tokens in stack-level overrides, as cdktf does", () => {
    const { stack } = newStack("lab");
    const vm = new VirtualMachine(stack, "box", { size: "m3.small" });
    stack.addOverride("locals.address", vm.privateAddress);
    stack.addOverride("locals.joined", Fn.join(",", ["a", vm.name]));
    new TerraformOutput(stack, "plain", { value: 1 });
    const ours = JSON.parse(JSON.stringify(stackToTerraform(stack)));
    expect(unescaped(ours)).toEqual(cdktfResult(stack));
    expect(ours.locals.address).toBe("${openstack_compute_instance_v2.box_45895026.access_ip_v4}");
  });
});
