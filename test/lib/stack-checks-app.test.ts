import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JupyterHubCluster, SlurmCluster, VirtualMachine, jetstream2, type CloudProfile } from "../../constructs/index.ts";
import type { StackInfo } from "../../lib/app/stack-info.ts";
import { checkStack } from "../../lib/checks/stack-checks.ts";
import { testPublicKey } from "../support/keys.ts";
import { fullSynthJson, newStack, resources, type Json } from "../support/synth.ts";

interface Synthesized {
  readonly name: string;
  readonly config: Json;
  readonly info: StackInfo;
  readonly dir: string;
}

function synth(name: string, cloud: CloudProfile, build: (stack: ReturnType<typeof newStack>["stack"]) => void): Synthesized {
  const { app, stack } = newStack(name, { cloud });
  build(stack);
  const config = fullSynthJson(app, stack);
  const dir = join(app.outdir, "stacks", name);
  return { name, config, info: JSON.parse(readFileSync(join(dir, "drover.json"), "utf8")) as StackInfo, dir };
}

const vm = (cloud: CloudProfile, name: string) => synth(name, cloud, (s) => new VirtualMachine(s, "box", { size: "m3.small" }));
const check = (s: Synthesized, app: readonly Synthesized[]) => checkStack({ stack: s.name, dir: s.dir, config: s.config, info: s.info, policyLevel: "off", live: false, others: app });

describe("the quota of one project, shared by the app's stacks", () => {
  it("fails two stacks that each fit but together need two routers, naming the other stack", async () => {
    // GIVEN two stacks on Jetstream2 without an allocation named: one project, one router
    const a = vm(jetstream2(), "lab-a");
    const b = vm(jetstream2(), "lab-b");

    // WHEN
    const alone = await check(a, [a]);
    const together = await check(a, [a, b]);

    // THEN
    expect(alone.quota?.ok).toBe(true);
    expect(together.quota?.ok).toBe(false);
    expect(together.quota?.sharedWith).toEqual(["lab-b"]);
    expect(together.quota?.items.find((i) => i.item === "routers")).toMatchObject({ need: 2, limit: 1, over: true });
    expect(together.quota?.text).toContain("(counted with the app's other stacks on this project: lab-b; name each stack's allocation if they go to different ones)");
    expect(together.quota?.text).toContain('reuse its network with jetstream2({ network: "auto-allocated" })');
  });

  it("counts stacks of different allocations, or regions, apart", async () => {
    const a = vm(jetstream2({ allocation: "bio230123" }), "lab-a");
    const b = vm(jetstream2({ allocation: "atm240001" }), "lab-b");
    const c = vm(jetstream2({ region: "TACC" }), "lab-c");
    const checked = await check(a, [a, b, c]);
    expect(checked.quota?.ok).toBe(true);
    expect(checked.quota?.sharedWith).toBeUndefined();
  });

  it('fits both with network: "auto-allocated", which no construct adds a router to', async () => {
    const auto = jetstream2({ network: "auto-allocated" });
    const a = vm(auto, "lab-a");
    const key = testPublicKey();
    const b = synth("lab-b", auto, (s) => new SlurmCluster(s, "hpc", { controller: { size: "m3.small" }, partitions: [{ name: "cpu", size: "m3.small", nodes: 1 }], adminPublicKey: key }));
    const c = synth("lab-c", auto, (s) => new JupyterHubCluster(s, "hub", { users: 4, profile: { cpu: 1, memoryGiB: 2 }, auth: { kind: "workshop" }, https: false }));
    for (const s of [a, b, c]) expect(resources(s.config, "openstack_networking_router_v2")).toEqual({});
    // The clusters' own networks join the allocation's router.
    for (const s of [b, c]) {
      expect(Object.values((s.config.data as Json).openstack_networking_router_v2 as Json)).toEqual([expect.objectContaining({ name: "auto_allocated_router" })]);
      expect(Object.values(resources(s.config, "openstack_networking_router_interface_v2"))).toHaveLength(1);
    }
    expect((await check(b, [a, b, c])).quota?.items.find((i) => i.item === "routers")).toMatchObject({ need: 0, over: false });
  });
});
