import { describe, expect, it } from "vitest";
import { VirtualMachine, type VirtualMachineProps } from "../../constructs/index.ts";
import { offlinePlan } from "../../lib/plan/offline.ts";
import { renderPlanMarkdown, renderPlanText, summaryLine } from "../../lib/plan/render.ts";
import { builtinProviders } from "../../lib/schema/registry.ts";
import { fullSynthJson, newStack } from "../support/synth.ts";
import { testPublicKey } from "../support/keys.ts";

const base: VirtualMachineProps = { size: "m3.small", allowSshFrom: ["203.0.113.0/24"], publicKey: testPublicKey(), volumes: [{ name: "data", sizeGiB: 100 }] };

function synth(props: Partial<VirtualMachineProps>) {
  const { app, stack } = newStack("dev-vm");
  new VirtualMachine(stack, "box", { ...base, ...props });
  return fullSynthJson(app, stack);
}

const plan = offlinePlan({
  stack: "dev-vm",
  baseline: synth({}),
  current: synth({ volumes: [], packages: ["tmux"], allowSshFrom: ["198.51.100.0/24"] }),
  baselineInfo: { kind: "deployed", description: "the last deploy (2026-11-20T10:00:00Z)" },
  providers: builtinProviders(),
});

describe("renderPlanText", () => {
  it("shows one line per changed resource, grouped by construct, and warns about data loss", () => {
    const text = renderPlanText(plan, { target: "OpenStack project \"lab\" (region IU); state in terraform.dev-vm.tfstate (local)" });
    expect(text.split("\n")).toEqual([
      "Plan for dev-vm (offline, against the last deploy (2026-11-20T10:00:00Z)): 1 to create, 1 to update, 3 to delete",
      '  target: OpenStack project "lab" (region IU); state in terraform.dev-vm.tfstate (local)',
      "  ! 1 change destroys data: dev-vm/box/Volume-data (delete)",
      "",
      "dev-vm/box",
      "  - delete  Volume-data                      openstack_blockstorage_volume_v3       (it is no longer in the stack)  DESTROYS DATA",
      "  ~ update  Resource                         openstack_compute_instance_v2          metadata.drover_volume_data, configuration (in place, by drover-agent)",
      "  - delete  Attach-data                      openstack_compute_volume_attach_v2     (it is no longer in the stack)",
      "  + create  Firewall-tcp-22-198-51-100-0-24  openstack_networking_secgroup_rule_v2",
      "  - delete  Firewall-tcp-22-203-0-113-0-24   openstack_networking_secgroup_rule_v2  (it is no longer in the stack)",
    ]);
  });

  it("with verbose, lists attribute changes and diffs long text: the machine's configuration as its bundle says", () => {
    const text = renderPlanText(plan, { verbose: true });
    expect(text).toContain("        metadata.drover_volume_data: ");
    expect(text).not.toContain("user_data");
    expect(text).toContain('          -  "packages": [],\n          +  "packages": [\n          +    {\n          +      "name": "tmux"');
  });

  it("says when there is nothing to do", () => {
    const same = offlinePlan({ stack: "dev-vm", baseline: synth({}), current: synth({}), baselineInfo: { kind: "deployed", description: "x" }, providers: builtinProviders() });
    expect(summaryLine(same)).toBe("no changes");
    expect(renderPlanText(same)).toBe("Plan for dev-vm (offline, against x): no changes");
  });
});

describe("renderPlanMarkdown", () => {
  it("renders a pull-request comment with a table, a data-loss warning and collapsed details", () => {
    const md = renderPlanMarkdown(plan);
    expect(md).toContain("### drover plan: `dev-vm`");
    expect(md).toContain("**1 to create, 1 to update, 3 to delete** (offline, against the last deploy (2026-11-20T10:00:00Z))");
    expect(md).toContain("> [!WARNING]\n> 1 change destroys data: `dev-vm/box/Volume-data` (delete)");
    expect(md).toContain("| `dev-vm/box` | `Volume-data` | `openstack_blockstorage_volume_v3` | 🔴 delete ⚠️ **destroys data** | (it is no longer in the stack) |");
    expect(md).toContain("<details><summary>Attribute changes</summary>");
    expect(md).toContain('! configuration\n@@ -2,5 +2,9 @@\n   "format": 1,');
    expect(md).toMatchSnapshot();
  });
});
