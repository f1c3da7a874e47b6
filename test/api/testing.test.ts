import { describe, expect, it } from "vitest";
import type { Construct } from "constructs";
import { DroverStack, VirtualMachine, jetstream2 } from "../../api/index.ts";
import { hasMachine, ingress, machines, opensPort, passesPolicy, policyFailures, synthStack } from "../../api/testing.ts";
import { devVm } from "../../stacks/dev-vm.ts";

function vm(sshFrom: string[]) {
  return (scope: Construct) => {
    const stack = new DroverStack(scope, "probe", { cloud: jetstream2(), owner: "tester@example.edu" });
    new VirtualMachine(stack, "box", { size: "m3.quad", allowSshFrom: sshFrom, publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa t@x" });
    return stack;
  };
}

describe("drover/testing", () => {
  it("synthesizes a stack function into its Terraform, drover.json and rendered files", async () => {
    // GIVEN the dev-vm example WHEN synthesized in memory
    const result = await synthStack(devVm);
    // THEN
    expect(result.name).toBe("dev-vm");
    expect(result.info?.cloud.name).toBe("jetstream2");
    expect(Object.keys(result.files)).toEqual(["files/box/cloud-init.yaml"]);
    expect(result.files["files/box/cloud-init.yaml"]).toMatch(/^#cloud-config/);
    expect(Object.keys(result.terraform.resource)).toContain("openstack_compute_instance_v2");
  });

  it("normalises the snapshot: user data as size and hash, cdktf's version as <cdktf>", async () => {
    const { terraform, snapshot } = await synthStack(devVm);
    const raw = Object.values(terraform.resource.openstack_compute_instance_v2 as Record<string, { user_data: string }>)[0]!.user_data;
    const shown = Object.values(snapshot.resource.openstack_compute_instance_v2 as Record<string, { user_data: string }>)[0]!.user_data;
    expect(raw).toMatch(/^#cloud-config/);
    expect(shown).toMatch(/^<cloud-init \d+ bytes sha256:[0-9a-f]{12}>$/);
    expect(terraform["//"].metadata.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(snapshot["//"].metadata.version).toBe("<cdktf>");
  });

  it("answers which machines a stack has", async () => {
    const result = await synthStack(devVm);
    expect(machines(result)).toEqual([{ construct: "dev-vm/box", name: "box", size: "m3.small", count: 1 }]);
    expect(hasMachine(result, "m3.small")).toBe(true);
    expect(hasMachine(result, "m3.large")).toBe(false);
  });

  it("opensPort: true only when every rule opening the port admits exactly that range", async () => {
    const lab = await synthStack(vm(["203.0.113.0/24"]));
    expect(opensPort(lab, 22, "203.0.113.0/24")).toBe(true);
    expect(opensPort(lab, 22, "198.51.100.0/24")).toBe(false);
    expect(opensPort(lab, 80, "203.0.113.0/24")).toBe(false);
    const two = await synthStack(vm(["203.0.113.0/24", "198.51.100.0/24"]));
    expect(opensPort(two, 22, "203.0.113.0/24")).toBe(false);
    expect(
      ingress(two)
        .filter((r) => r.opens === "tcp/22")
        .map((r) => r.from)
        .sort(),
    ).toEqual(["198.51.100.0/24", "203.0.113.0/24"]);
  });

  it("passesPolicy and policyFailures report drover's policy as validate does", async () => {
    const closed = await synthStack(vm(["203.0.113.0/24"]));
    expect(policyFailures(closed)).toEqual([]);
    expect(passesPolicy(closed)).toBe(true);
    const open = await synthStack(vm(["0.0.0.0/0"]));
    expect(passesPolicy(open)).toBe(false);
    expect(policyFailures(open).some((f) => /^DRV002 probe\/box\/\S+: SSH \(tcp\/22\) open to the internet \(0\.0\.0\.0\/0\) on probe\/box/.test(f))).toBe(true);
  });

  it("asks which stack when the function builds several", async () => {
    const both = (scope: Construct) => {
      vm(["203.0.113.0/24"])(scope);
      devVm(scope);
    };
    await expect(synthStack(both)).rejects.toThrow('synthStack: no stack to choose; it built dev-vm, probe: pass { stack: "<name>" }');
    expect((await synthStack(both, { stack: "dev-vm" })).name).toBe("dev-vm");
  });
});
