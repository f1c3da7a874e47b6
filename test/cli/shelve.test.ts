import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";
import { terraformEnv } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";
import { testPublicKey } from "../support/keys.ts";

/**
 * A DroverStack on a cloud of Terraform built-ins (no provider download) whose one resource
 * stands for a machine: it holds the power state the OpenStack driver would give a server, so
 * the real terraform plans and applies what shelving changes.
 */
const APP = `import { App, DataResource, TerraformOutput } from "cdktf";
import { DroverStack } from "./constructs/index.ts";
import { nullCloud } from "./test/support/null-cloud.ts";
const app = new App();
const stack = new DroverStack(app, "lab", { cloud: nullCloud(), owner: "me" });
const box = new DataResource(stack, "box", { input: { power_state: stack.shelved ? "shelved_offloaded" : "active" } });
new TerraformOutput(stack, "power", { value: box.output });
app.synth();
`;

const marker = (dir: string) => join(dir, ".drover/power/lab.json");
const power = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, "terraform.lab.tfstate"), "utf8")) as { resources: Array<{ instances: Array<{ attributes: { output: { value: { power_state: string } } } }> }> }).resources[0]!
    .instances[0]!.attributes.output.value.power_state;

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("drover shelve / unshelve with the real terraform", () => {
  it("shelves after a preview, keeps the stack shelved through later deploys, and wakes it with unshelve", () => {
    const dir = makeProject({ "main.ts": APP });
    const env = terraformEnv() as Record<string, string>;
    const run = (args: string[]) => drover(dir, args, env);
    expect(run(["deploy", "lab", "--yes"]).code).toBe(0);
    expect(power(dir)).toBe("active");

    // No terminal and no --yes: nothing asked, nothing changed, no mark left.
    const refused = run(["shelve", "lab"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("deploy needs a confirmation, and there is no terminal to ask in");
    expect(existsSync(marker(dir))).toBe(false);

    const shelved = run(["shelve", "lab", "--yes"]);
    expect(shelved.code, shelved.stderr).toBe(0);
    expect(shelved.stdout).toContain("lab is shelved until `drover unshelve lab`");
    expect(power(dir)).toBe("shelved_offloaded");
    expect(JSON.parse(readFileSync(marker(dir), "utf8"))).toMatchObject({ state: "shelved_offloaded" });

    // A deploy of the unchanged code keeps it shelved, and the synthesized stack says so.
    const again = run(["deploy", "lab", "--yes", "--json"]);
    expect(JSON.parse(again.stdout).outcome).toBe("no-changes");
    expect(JSON.parse(readFileSync(join(dir, "cdktf.out/stacks/lab/drover.json"), "utf8")).powerState).toBe("shelved_offloaded");

    const woken = run(["unshelve", "lab", "--yes", "--json"]);
    expect(woken.code).toBe(0);
    expect(JSON.parse(woken.stdout)).toMatchObject({ outcome: "applied", power: "unshelve", shelved: false });
    expect(power(dir)).toBe("active");
    expect(existsSync(marker(dir))).toBe(false);

    const notShelved = run(["unshelve", "lab", "--yes"]);
    expect(notShelved.code).toBe(2);
    expect(notShelved.stderr).toContain("stack lab is not shelved by drover (no .drover/power/lab.json)");
    expect(notShelved.stderr).not.toMatch(STACK_TRACE_LINE);
  });
});

describe("shelving in the synthesized stack", () => {
  const vmApp = (cloud: string) => `import { App } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2, aws } from "./constructs/index.ts";
const app = new App();
const stack = new DroverStack(app, "lab", { cloud: ${cloud}, owner: "me" });
new VirtualMachine(stack, "a", { size: { vcpus: 2, memoryGiB: 6 }, publicKey: ${JSON.stringify(testPublicKey("me@laptop"))} });
new VirtualMachine(stack, "b", { size: { vcpus: 2, memoryGiB: 6 }, publicKey: ${JSON.stringify(testPublicKey("me@laptop"))} });
app.synth();
`;

  it("gives every OpenStack server power_state shelved_offloaded while the mark is there, and nothing otherwise", () => {
    const dir = makeProject({ "main.ts": vmApp("jetstream2()") });
    const servers = () => Object.values(JSON.parse(readFileSync(join(dir, "cdktf.out/stacks/lab/cdk.tf.json"), "utf8")).resource.openstack_compute_instance_v2) as Array<Record<string, unknown>>;
    expect(drover(dir, ["synth"]).code).toBe(0);
    expect(servers().map((s) => s.power_state)).toEqual([undefined, undefined]);
    mkdirSync(join(dir, ".drover/power"), { recursive: true });
    writeFileSync(marker(dir), JSON.stringify({ state: "shelved_offloaded", since: "2026-11-22T08:00:00Z" }));
    expect(drover(dir, ["synth"]).code).toBe(0);
    expect(servers().map((s) => s.power_state)).toEqual(["shelved_offloaded", "shelved_offloaded"]);
  });

  it("refuses to synthesize a stack marked shelved on a cloud without shelving, saying how to undo it", () => {
    const dir = makeProject({ "main.ts": vmApp('aws({ region: "us-east-2" })') });
    mkdirSync(join(dir, ".drover/power"), { recursive: true });
    writeFileSync(marker(dir), JSON.stringify({ state: "shelved_offloaded", since: "2026-11-22T08:00:00Z" }));
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("stack lab is marked shelved (.drover/power/lab.json), and shelving works on OpenStack clouds only; this stack is on aws");
    expect(r.stderr).toContain("Remove the mark: drover unshelve lab");
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
  });
});
