import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlurmCluster } from "../../constructs/index.ts";
import { awaitedMachines, waitForConvergence } from "../../lib/deploy/converge.ts";
import { offlinePlan } from "../../lib/plan/offline.ts";
import { builtinProviders } from "../../lib/schema/registry.ts";
import { startOpenStackMock, type OpenStackMock } from "../../lab/standin/openstack.ts";
import { testPublicKey } from "../support/keys.ts";
import { fullSynthJson, newStack, type Json } from "../support/synth.ts";

/**
 * After a deploy, drover waits until each machine whose configuration changed says in its console
 * log that drover-agent applied it, reading the logs through the cloud's API (the deploy machine
 * needs no SSH), and names the machines that did not.
 */

function cluster(users: string[]): Json {
  const { app, stack } = newStack("hpc");
  new SlurmCluster(stack, "lab", {
    controller: { size: "m3.medium" },
    partitions: [{ name: "cpu", size: "m3.quad", nodes: 2 }],
    users: users.map((name, i) => ({ name, publicKey: testPublicKey(`${name}@lab`, i + 1) })),
  });
  return fullSynthJson(app, stack);
}

let cloud: OpenStackMock;
beforeAll(async () => {
  cloud = await startOpenStackMock({});
});
afterAll(async () => {
  await cloud.close();
});

const env = () => ({
  OS_AUTH_URL: cloud.authUrl,
  OS_AUTH_TYPE: "v3applicationcredential",
  OS_APPLICATION_CREDENTIAL_ID: cloud.applicationCredential.id,
  OS_APPLICATION_CREDENTIAL_SECRET: cloud.applicationCredential.secret,
});

describe("waiting for the machines to apply their new configuration", () => {
  const before = cluster(["alice"]);
  const after = cluster(["alice", "bob"]);
  const plan = offlinePlan({ stack: "hpc", current: after, baseline: before, baselineInfo: { kind: "deployed", description: "test" }, providers: builtinProviders() });
  const awaited = awaitedMachines(plan, after as Record<string, unknown>);

  it("awaits every machine whose bundle changed, with its new checksum", () => {
    expect(awaited.map((a) => a.name).sort()).toEqual(["hpc-cpu-1", "hpc-cpu-2", "hpc-lab-controller"]);
    const controller = Object.values((after.resource as Record<string, Record<string, Json>>).openstack_compute_instance_v2!).find((m) => m.name === "hpc-lab-controller")!;
    expect(awaited.find((a) => a.name === "hpc-lab-controller")!.sha).toBe(String(controller.metadata.drover_cfg).split(":")[1]!.slice(0, 12));
  });

  it("returns when every console log says so, and names the machine whose does not", async () => {
    const servers = awaited.map((a) => cloud.addServer({ name: a.name }));
    const [first, second, third] = awaited;
    cloud.writeConsole(servers[0]!.id, `[  OK  ] Started drover-agent.timer\ndrover-agent-boot[812]: drover-agent: configuration ${first!.sha} applied (changed: @users)\n`);
    // An older configuration applied is not this one.
    cloud.writeConsole(servers[1]!.id, "drover-agent: configuration 000000000000 applied\n");
    const progress: string[] = [];
    const result = await waitForConvergence(env(), awaited, { timeoutMs: 1500, intervalMs: 200, onProgress: (d, t) => progress.push(`${d}/${t}`) });
    expect(result!.converged.map((c) => c.name)).toEqual([first!.name]);
    expect([...result!.pending].sort()).toEqual([second!.name, third!.name].sort());
    expect(progress[0]).toBe("1/3");

    cloud.writeConsole(servers[1]!.id, `drover-agent: configuration ${second!.sha} applied\n`);
    cloud.writeConsole(servers[2]!.id, `drover-agent: configuration ${third!.sha} applied\n`);
    const again = await waitForConvergence(env(), awaited, { timeoutMs: 5000, intervalMs: 200 });
    expect(again!.pending).toEqual([]);
    expect(again!.converged).toHaveLength(3);
  });

  it("says why when the logs cannot be read, and waits for nothing without credentials", async () => {
    const refused = await waitForConvergence({ ...env(), OS_APPLICATION_CREDENTIAL_SECRET: "wrong" }, awaited, { timeoutMs: 500 });
    expect(refused!.pending).toHaveLength(3);
    expect(refused!.error).toMatch(/Keystone POST .*401/);
    expect(await waitForConvergence({}, awaited)).toBeUndefined();
  });
});
