import type { Command } from "commander";
import type { SizeFlags } from "../commands/size.ts";
import type { CommandContext } from "../registrar.ts";

/** `drover size jupyterhub`: nodes, flavors and SUs for a cluster before its stack is written. */
export function registerSize(program: Command, { run }: CommandContext): void {
  // Sizing needs no project: it reads drover's flavor catalogs, never --cwd.
  program
    .command("size")
    .description("size a cluster before writing its stack: nodes, flavors and service units (no project needed)")
    .command("jupyterhub")
    .description("user nodes, control plane and SUs for a JupyterHub serving a class")
    .option("--users <n>", "users expected at the same time (required)")
    .option("--cpu <vcpus>", "vCPUs guaranteed to each user, 0.5 allowed (required)")
    .option("--memory <GiB>", "memory guaranteed to each user, in GiB (required)")
    .option("--cpu-limit <vcpus>", "most vCPUs a user may use (checked, does not change the count)")
    .option("--memory-limit <GiB>", "most memory a user may use (checked, does not change the count)")
    .option("--gpu", "give each user a GPU: GPU flavors only")
    .option("--flavor <name>", "the user nodes' flavor (default: the cheapest in SUs that fits)")
    .option("--nodes <n>", "number of user nodes (default: as many as the users need)")
    .option("--hours <h>", "hours a day the cluster runs, for the SU total (default with --days: 24)")
    .option("--days <n>", "days the cluster runs, for the SU total (default with --hours: 1)")
    .option("--cloud <name>", "the cloud whose flavors and prices to use", "jetstream2")
    .option("--json", "print the result as JSON (fields below)")
    .addHelpText(
      "after",
      `
Reserve: each user node keeps 0.5 vCPU and 1 GiB + 5% of its memory for the system; users are
packed by their guarantees, plus 10% headroom (rounded up). The hub and proxy run on the control
plane (the k3s server). SU/hour counts every node at the flavor's rate.

--json fields: cloud, users, seats (users + headroom), headroom {percent, users},
  profile {cpu, memoryGiB, cpuLimit, memoryLimitGiB, gpus},
  userNodes {flavor, count, vcpus, memoryGiB, gpu, usersPerNode, capacity, limitedBy (cpu|memory|gpu),
    reserve {cpu, memoryGiB}, allocatable {cpu, memoryGiB, gpus}, suPerHourEach, suPerHour,
    flavorFrom (given|cheapest), countFrom (given|needed)},
  controlPlane {flavor, count, vcpus, memoryGiB, suPerHour, flavorFrom}, suPerHour (all nodes),
  period {hoursPerDay, days, hours, su} or null, totals {nodes, cores, memoryGiB, gpus},
  alternatives [{flavor, count, suPerHour}], summary, breakdown [lines], warnings [lines].

Example: drover size jupyterhub --users 127 --cpu 1 --memory 2 --hours 6 --days 3`,
    )
    .action(async (opts: SizeFlags & { json?: boolean }) =>
      run(Boolean(opts.json), async () => {
        const { sizeFromFlags, renderSize } = await import("../commands/size.ts");
        const data = sizeFromFlags(opts);
        return { data, text: renderSize(data) };
      }),
    );
}
