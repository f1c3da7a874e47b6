import { describe, expect, it } from "vitest";
import { SlurmCluster } from "../../constructs/index.ts";
import { rebuildAddresses } from "../../lib/deploy/rebuild.ts";
import { UsageError } from "../../lib/errors.ts";
import { testPublicKey } from "../support/keys.ts";
import { fullSynthJson, newStack, resources } from "../support/synth.ts";

function slurm() {
  const { app, stack } = newStack("hpc");
  new SlurmCluster(stack, "lab", {
    controller: { size: "m3.medium" },
    login: { size: "m3.small" },
    partitions: [{ name: "cpu", size: "m3.quad", nodes: 2 }],
    users: [{ name: "alice", publicKey: testPublicKey("alice@lab", 1) }],
  });
  return fullSynthJson(app, stack) as Record<string, unknown>;
}

describe("drover deploy --rebuild: machines replaced on request", () => {
  const config = slurm();
  const address = (name: string) => {
    const [key] = Object.entries(resources(config as never, "openstack_compute_instance_v2")).find(([, b]) => b.name === name)!;
    return `openstack_compute_instance_v2.${key}`;
  };

  it("takes a construct path (with or without the stack) or a machine's name", () => {
    expect(rebuildAddresses("hpc", config, ["lab/cpu-2"])).toEqual([address("hpc-cpu-2")]);
    expect(rebuildAddresses("hpc", config, ["hpc/lab/controller"])).toEqual([address("hpc-lab-controller")]);
    expect(rebuildAddresses("hpc", config, ["hpc-cpu-1", "lab/cpu-1/"])).toEqual([address("hpc-cpu-1")]);
    expect(rebuildAddresses("hpc", config, ["lab"])).toHaveLength(4);
  });

  it("refuses a target that names no machine, listing the machines there are (exit 2)", () => {
    let error: unknown;
    try {
      rebuildAddresses("hpc", config, ["lab/cpu-9"]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('--rebuild "lab/cpu-9" names no machine of stack hpc');
    expect((error as UsageError).details[0]).toContain("hpc-cpu-1 (hpc/lab/cpu-1)");
    expect((error as UsageError).exitCode).toBe(2);
  });
});
