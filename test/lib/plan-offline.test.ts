import { describe, expect, it } from "vitest";
import { VirtualMachine, type VirtualMachineProps } from "../../constructs/index.ts";
import type { Plan } from "../../lib/plan/model.ts";
import { IN_PLACE_REASON } from "../../lib/plan/config-bundle.ts";
import { offlinePlan } from "../../lib/plan/offline.ts";
import { builtinProviders } from "../../lib/schema/registry.ts";
import { fullSynthJson, newStack, type Json } from "../support/synth.ts";
import { testPublicKey } from "../support/keys.ts";

const base: VirtualMachineProps = { size: "m3.small", allowSshFrom: ["203.0.113.0/24"], publicKey: testPublicKey(), volumes: [{ name: "data", sizeGiB: 100 }] };

function synth(props: Partial<VirtualMachineProps> = {}): Json {
  const { app, stack } = newStack("dev-vm");
  new VirtualMachine(stack, "box", { ...base, ...props });
  return fullSynthJson(app, stack);
}

function plan(before: Json | undefined, after: Json): Plan {
  return offlinePlan({
    stack: "dev-vm",
    current: after,
    ...(before ? { baseline: before } : {}),
    baselineInfo: before ? { kind: "deployed", description: "test" } : { kind: "none", description: "nothing" },
    providers: builtinProviders(),
  });
}

/** "action constructPath [reason]" for each changed resource. */
const changed = (p: Plan) =>
  p.resources
    .filter((r) => r.action !== "no-op")
    .map((r) => `${r.action} ${r.constructPath ?? r.address}${r.reason ? ` (${r.reason})` : ""}${r.destructive ? " DESTROYS DATA" : ""}`)
    .sort();

describe("offlinePlan on VirtualMachine stacks", () => {
  const deployed = synth();

  it("GIVEN no edit THEN nothing changes", () => {
    const p = plan(deployed, synth());
    expect(p.hasChanges).toBe(false);
    expect(changed(p)).toEqual([]);
    expect(p.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0, noop: p.resources.length });
  });

  it("GIVEN nothing deployed THEN everything is created and the external network read", () => {
    const p = plan(undefined, deployed);
    // 10 resources of the VM and its network, and the step holding the image's name.
    expect(p.summary).toMatchObject({ create: 12, read: 1, update: 0, delete: 0 });
    expect(p.baseline).toEqual({ kind: "none", description: "nothing" });
  });

  it("GIVEN a new flavor THEN the machine is updated in place (the provider resizes)", () => {
    const p = plan(deployed, synth({ size: "m3.quad" }));
    expect(changed(p)).toEqual(["update dev-vm/box/Resource"]);
    expect(p.resources.find((r) => r.action === "update")?.changes).toEqual([
      { path: "flavor_name", before: { kind: "known", value: "m3.small" }, after: { kind: "known", value: "m3.quad" }, forcesReplacement: false },
    ]);
  });

  it("GIVEN new packages and a new boot command THEN the machine stays: its configuration changes in place, shown as the bundle's diff", () => {
    const p = plan(deployed, synth({ packages: ["tmux"], bootCommands: ["echo day-two > /etc/motd"] }));
    expect(changed(p)).toEqual([`update dev-vm/box/Resource (${IN_PLACE_REASON})`]);
    const update = p.resources.find((r) => r.action === "update")!;
    // The user data changed too, but only bootstraps: it is not in the plan at all.
    expect(update.changes.map((c) => c.path)).toEqual(["configuration"]);
    const diff = update.changes[0]!.textDiff!;
    expect(diff).toMatch(/\+\s+"name": "tmux"/);
    expect(diff).toContain('+        "echo day-two > /etc/motd"');
  });

  it("GIVEN another image in the code THEN the machine is rebuilt, and the plan says so", () => {
    const p = plan(deployed, synth({ image: "Featured-Ubuntu22" }));
    expect(changed(p)).toEqual(["replace dev-vm/box/Resource (rebuilds the machine: dev-vm/box/ImageName changes, and replace_triggered_by names it)", "update dev-vm/box/ImageName"]);
  });

  it("GIVEN the cloud refreshed the featured image (its old one renamed) THEN nothing is rebuilt", () => {
    // What terraform reads back from the server after a weekly refresh: another name, another ID.
    const refreshed = JSON.parse(JSON.stringify(deployed)) as Json;
    const server = Object.values(refreshed.resource.openstack_compute_instance_v2 as Record<string, Json>)[0]!;
    server.image_name = "Featured-Ubuntu24 (2026-11-29)";
    server.image_id = "3c1e2a8e-0000-4000-8000-000000000000";
    const p = plan(refreshed, deployed);
    expect(changed(p)).toEqual([]);
  });

  it("GIVEN another SSH range THEN one rule goes and one comes, nothing else", () => {
    const p = plan(deployed, synth({ allowSshFrom: ["198.51.100.0/24"] }));
    expect(changed(p)).toEqual(["create dev-vm/box/Firewall-tcp-22-198-51-100-0-24", "delete dev-vm/box/Firewall-tcp-22-203-0-113-0-24 (it is no longer in the stack)"]);
  });

  it("GIVEN a second volume THEN it is created and attached, and the machine's metadata updated in place", () => {
    const p = plan(deployed, synth({ volumes: [...base.volumes!, { name: "scratch", sizeGiB: 10 }] }));
    expect(changed(p)).toEqual(["create dev-vm/box/Attach-scratch", "create dev-vm/box/Volume-scratch", "update dev-vm/box/Resource"]);
    expect(p.resources.find((r) => r.action === "update")!.changes.map((c) => c.path)).toEqual(["metadata.drover_volume_scratch"]);
  });

  it("GIVEN a volume removed THEN deleting it is flagged as destroying data", () => {
    const p = plan(deployed, synth({ volumes: [] }));
    expect(changed(p)).toEqual([
      "delete dev-vm/box/Attach-data (it is no longer in the stack)",
      "delete dev-vm/box/Volume-data (it is no longer in the stack) DESTROYS DATA",
      "update dev-vm/box/Resource",
    ]);
    expect(p.summary.destructive).toBe(1);
  });

  it("GIVEN a bigger volume THEN it is extended in place, not replaced", () => {
    expect(changed(plan(deployed, synth({ volumes: [{ name: "data", sizeGiB: 200 }] })))).toEqual(["update dev-vm/box/Volume-data"]);
  });

  it("counts changes per top-level construct", () => {
    const p = plan(deployed, synth({ volumes: [], size: "m3.quad" }));
    expect(p.summary.byConstruct).toEqual({ "dev-vm/box": { delete: 2, update: 1 } });
  });
});

describe("offlinePlan on plain configurations", () => {
  const resource = (type: string, body: Json, name = "r") => ({ resource: { [type]: { [name]: { "//": { metadata: { path: `s/${name}` } }, ...body } } } });
  const run = (before: Json | undefined, after: Json) =>
    offlinePlan({ stack: "s", current: after, ...(before ? { baseline: before } : {}), baselineInfo: { kind: "git", description: "HEAD" }, providers: builtinProviders() });

  it("says 'may replace' for types it has no schema for", () => {
    const p = run(resource("google_compute_instance", { machine_type: "e2-small" }), resource("google_compute_instance", { machine_type: "e2-medium" }));
    expect(p.resources[0]).toMatchObject({ action: "update", mayReplace: true, reason: "no schema for google_compute_instance here: the provider may replace it" });
  });

  it("knows terraform_data: triggers_replace replaces, input updates", () => {
    expect(run(resource("terraform_data", { input: { a: 1 } }), resource("terraform_data", { input: { a: 2 } })).resources[0]).toMatchObject({ action: "update" });
    expect(run(resource("terraform_data", { triggers_replace: ["a"] }), resource("terraform_data", { triggers_replace: ["b"] })).resources[0]).toMatchObject({
      action: "replace",
      reason: "triggers_replace forces replacement",
    });
  });

  it("replaces when a block marked force_new changes, and ignores meta-arguments", () => {
    const a = resource("openstack_compute_instance_v2", { name: "vm", network: [{ uuid: "n1" }], lifecycle: { prevent_destroy: true } });
    const b = resource("openstack_compute_instance_v2", { name: "vm", network: [{ uuid: "n2" }], depends_on: ["x.y"] });
    expect(run(a, b).resources[0]).toMatchObject({ action: "replace", reason: "rebuilds the machine: network[0].uuid forces replacement" });
    const c = resource("openstack_compute_instance_v2", { name: "vm", network: [{ uuid: "n1" }], depends_on: ["x.y"] });
    expect(run(a, c).resources[0]?.action).toBe("no-op");
  });

  it("masks attributes the schema marks sensitive", () => {
    const p = run(resource("openstack_compute_instance_v2", { name: "vm", admin_pass: "old-pass" }), resource("openstack_compute_instance_v2", { name: "vm", admin_pass: "new-pass" }));
    expect(p.resources[0]!.changes).toEqual([{ path: "admin_pass", before: { kind: "sensitive" }, after: { kind: "sensitive" }, forcesReplacement: false }]);
    expect(JSON.stringify(p)).not.toMatch(/-pass/);
  });

  it("reads data sources that are new or changed, and ignores removed ones", () => {
    const d = (name: string) => ({ data: { openstack_images_image_v2: { img: { name } } } });
    expect(run(undefined, d("a")).resources[0]?.action).toBe("read");
    expect(run(d("a"), d("b")).resources[0]?.action).toBe("read");
    expect(run(d("a"), d("a")).resources[0]?.action).toBe("no-op");
    expect(run(d("a"), {}).resources).toEqual([]);
  });

  it("marks resources flagged stateful in their metadata", () => {
    const marked = { resource: { terraform_data: { db: { "//": { metadata: { path: "s/db" }, drover: { stateful: true } }, input: { a: 1 } } } } };
    expect(run(marked, {}).resources[0]).toMatchObject({ action: "delete", stateful: true, destructive: true });
  });

  it("compares outputs and masks sensitive ones", () => {
    const before = { output: { ip: { value: "1.2.3.4" }, token: { value: "s3cret", sensitive: true }, gone: { value: 1 } } };
    const after = { output: { ip: { value: "1.2.3.5" }, token: { value: "t0ken", sensitive: true }, added: { value: 2 } } };
    const p = run(before, after);
    expect(p.outputs.map((o) => `${o.name} ${o.action}`)).toEqual(["added create", "gone delete", "ip update", "token update"]);
    expect(p.outputs.find((o) => o.name === "token")).toEqual({ name: "token", action: "update", before: { kind: "sensitive" }, after: { kind: "sensitive" } });
    expect(JSON.stringify(p)).not.toMatch(/s3cret|t0ken/);
  });
});
