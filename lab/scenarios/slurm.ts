import { join } from "node:path";
import type { Machine } from "../machine.ts";
import { CheckFailure, type ScenarioDefinition, type ScenarioRun } from "../scenario.ts";

const CONTROLLER = "lab-slurm-hpc-controller";
const LOGIN = "lab-slurm-hpc-login";
const NODES = ["lab-slurm-cpu-1", "lab-slurm-cpu-2"];
const ELASTIC = "lab-slurm-burst-1";
const ELASTIC_PREFIX = "lab-slurm-burst-";

/** Runs a command as alice on the login node, over SSH from outside, as she would. */
async function asAlice(run: ScenarioRun, command: string, timeoutMs = 120_000) {
  const login = run.stack.machines.find((m) => m.name === LOGIN);
  const host = login?.publicAddress ?? login?.address ?? "";
  return run.ssh(run.lab.keys.alice, "alice", host, command, timeoutMs);
}

async function slurmEvidence(run: ScenarioRun, extra: readonly Machine[] = []): Promise<string> {
  const controller = run.machine(CONTROLLER);
  const parts: string[] = [];
  const log = await controller.exec(["tail", "-n", "25", "/var/log/slurm/slurmctld.log"]);
  parts.push(`[${CONTROLLER}] tail /var/log/slurm/slurmctld.log`, (log.stdout || log.stderr).trim());
  const elastic = await controller.exec(["tail", "-n", "25", "/var/log/slurm/drover-elastic.log"]);
  if (elastic.stdout.trim()) parts.push(`[${CONTROLLER}] tail /var/log/slurm/drover-elastic.log`, elastic.stdout.trim());
  for (const m of extra) parts.push(await run.evidence(m, ["slurmd.service"]));
  return parts.join("\n");
}

/** `sinfo` lines `node state` for the given partition, from the login node. */
async function nodeStates(run: ScenarioRun, partition: string): Promise<Map<string, string>> {
  const r = await run.machine(LOGIN).exec(["sinfo", "-h", "-N", "-p", partition, "-o", "%N %T"]);
  return new Map(
    r.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split(/\s+/) as [string, string]),
  );
}

const NEW_NODE = "lab-slurm-cpu-3";

/** The configuration each machine's agent applied last (its header), or undefined. */
async function applied(m: Machine): Promise<string | undefined> {
  const r = await m.exec(["/usr/local/sbin/drover-agent", "--status"]);
  try {
    return (JSON.parse(r.stdout) as { applied?: string }).applied ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Day 2 on the running cluster: the stack gets a user (bob) and a third static CPU node, and is
 * deployed again. Nothing is rebuilt: the running machines get their new configuration from
 * their metadata, the new node boots, and bob works on the nodes that were there.
 */
async function dayTwo(run: ScenarioRun): Promise<void> {
  const bootIds = new Map<string, string>();
  for (const name of [CONTROLLER, LOGIN, ...NODES]) bootIds.set(name, (await run.machine(name).exec(["cat", "/proc/sys/kernel/random/boot_id"])).stdout.trim());
  let change: Awaited<ReturnType<ScenarioRun["applyDayTwo"]>> | undefined;
  await run.check("day 2: adding bob and a third CPU node to the running cluster rebuilds no machine (drover's plan)", async () => {
    change = await run.applyDayTwo();
    const { created, updated, deleted } = change;
    if (created.join(",") !== NEW_NODE || deleted.length > 0 || updated.length !== 4)
      throw new CheckFailure(`created ${created.join(", ") || "none"}; updated ${updated.join(", ") || "none"}; deleted ${deleted.join(", ") || "none"}`);
    return `in place: ${updated.join(", ")}; created: ${created.join(", ")}; ${change.plan.summary.replace} rebuilt`;
  });
  if (!change) return;
  const started = Date.now();

  await run.check("day 2: every running machine's agent applies the new configuration within 5 minutes, without a reboot", async () => {
    const times: string[] = [];
    for (const name of [CONTROLLER, LOGIN, ...NODES]) {
      const want = run.stack.machines.find((m) => m.name === name)!.metadata.drover_cfg;
      const m = run.machine(name);
      const done = await run.poll(5 * 60_000 - (Date.now() - started), async () => ((await applied(m)) === want ? true : undefined), 3000);
      if (!done) throw new CheckFailure(`${name} has not applied ${want} (it has ${(await applied(m)) ?? "nothing"})`, `${await m.journal("drover-agent.service", 30)}`);
      const boot = (await m.exec(["cat", "/proc/sys/kernel/random/boot_id"])).stdout.trim();
      if (boot !== bootIds.get(name)) throw new CheckFailure(`${name} rebooted`);
      times.push(`${name} ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    return `applied (seconds after the deploy): ${times.join(", ")}`;
  });

  await run.check("day 2: only the new node boots, and it registers", async () => {
    const boot = await run.machine(NEW_NODE).waitForCloudInit(15 * 60_000);
    if (!boot.done || boot.errors.length > 0) throw new CheckFailure(`${NEW_NODE}'s cloud-init: ${boot.errors.join("; ") || "did not finish"}`, await run.evidence(run.machine(NEW_NODE)));
    let last = new Map<string, string>();
    const ok = await run.poll(
      300_000,
      async () => {
        last = await nodeStates(run, "cpu");
        return [...NODES, NEW_NODE].every((n) => last.get(n) === "idle") ? true : undefined;
      },
      3000,
    );
    if (!ok) throw new CheckFailure(`sinfo -p cpu: ${[...last].map(([n, st]) => `${n} ${st}`).join(", ")}`, await slurmEvidence(run, [run.machine(NEW_NODE)]));
    return `sinfo -p cpu: ${[...last].map(([n, st]) => `${n} ${st}`).join(", ")}; the other machines kept their boot`;
  });

  await run.check("day 2: bob logs in and runs a job on the nodes that were already there", async () => {
    const login = run.stack.machines.find((m) => m.name === LOGIN);
    const host = login?.publicAddress ?? login?.address ?? "";
    const r = await run.ssh(run.lab.keys.bob, "bob", host, `cd ~ && srun -N2 -p cpu -w ${NODES.join(",")} sh -c 'echo $(hostname) $(id -un) $(stat -c %U $HOME)' | sort`, 120_000);
    const lines = r.stdout.trim().split("\n");
    const want = NODES.map((n) => `${n} bob bob`);
    if (r.code !== 0 || lines.join("|") !== want.join("|")) throw new CheckFailure(`ssh bob@login srun: exit ${r.code}: ${(r.stdout + r.stderr).trim()}`, await slurmEvidence(run));
    return lines.join("; ");
  });

  await run.check("day 2: a job runs on the new node", async () => {
    const r = await asAlice(run, `srun -p cpu -w ${NEW_NODE} hostname`);
    if (r.code !== 0 || r.stdout.trim() !== NEW_NODE) throw new CheckFailure(`srun -w ${NEW_NODE}: exit ${r.code}: ${(r.stdout + r.stderr).trim()}`, await slurmEvidence(run, [run.machine(NEW_NODE)]));
    return `srun -w ${NEW_NODE} hostname → ${r.stdout.trim()}`;
  });
}

/**
 * `slurm`: a SlurmCluster with a controller, a login node, two static nodes and an elastic
 * partition (at most two nodes, deleted after one idle minute), exercised as its users use it.
 */
export const slurmScenario: ScenarioDefinition = {
  name: "slurm",
  stack: "lab-slurm",
  summary: "a Slurm cluster: logins, jobs, shared homes, elastic nodes made and deleted by Slurm",
  substitutions: [
    "cgroups: Slurm's cgroup plugins run on cgroup v1 (the lab host's hierarchy, made writable inside each machine's own cgroup) where Ubuntu 24.04 has v2",
    "the cloud: the stand-in OpenStack (Keystone with the stack's application credential and its access rules enforced, Nova, Neutron, Glance) answers the real openstack CLI; a server it creates boots as a lab machine with the user data in the request, a server it deletes is stopped",
    "volumes: sparse files on loop devices, with the /dev/disk/by-id links udev makes on a KVM guest made by the lab",
    "cloud-init reads a NoCloud seed the lab writes instead of OpenStack's config drive or metadata service",
    "security groups are not enforced (no Neutron); image: Debian 13 (trixie, Slurm 24.11) where Jetstream2 has Ubuntu 24.04 (Slurm 23.11)",
  ],
  async exercise(run) {
    const controller = run.machine(CONTROLLER);
    const login = run.machine(LOGIN);

    await run.check("munge credentials made on every machine are accepted by the controller", async () => {
      const seen: string[] = [];
      for (const name of [LOGIN, ...NODES]) {
        const cred = await run.machine(name).exec(["munge", "-n"]);
        if (cred.code !== 0) throw new CheckFailure(`munge -n on ${name}: ${cred.stderr.trim()}`, await run.evidence(run.machine(name), ["munge.service"]));
        const decoded = await controller.exec(["unmunge"], { input: cred.stdout });
        if (decoded.code !== 0 || !/STATUS:\s+Success/.test(decoded.stdout))
          throw new CheckFailure(`the controller refuses ${name}'s credential: ${(decoded.stdout + decoded.stderr).trim().split("\n")[0]}`);
        seen.push(name);
      }
      return `unmunge on the controller: Success for ${seen.join(", ")}`;
    });

    await run.check("sinfo on the login node shows both static nodes idle", async () => {
      let last = new Map<string, string>();
      const ok = await run.poll(240_000, async () => {
        last = await nodeStates(run, "cpu");
        return NODES.every((n) => last.get(n) === "idle") ? true : undefined;
      });
      if (!ok)
        throw new CheckFailure(
          `sinfo -p cpu: ${[...last].map(([n, s]) => `${n} ${s}`).join(", ") || "(nothing)"}`,
          await slurmEvidence(
            run,
            NODES.map((n) => run.machine(n)),
          ),
        );
      return [...last].map(([n, s]) => `${n} ${s}`).join(", ");
    });

    await run.check("alice logs in to the login node over SSH with her key, her home shared", async () => {
      const r = await asAlice(run, "hostname; echo $HOME; stat -c '%U %a' $HOME; df --output=target $HOME | tail -1");
      if (r.code !== 0) throw new CheckFailure(`ssh alice@login: exit ${r.code}: ${(r.stderr || r.stdout).trim()}`, await run.evidence(login, ["ssh.service"]));
      const [host, home, owner] = r.stdout.trim().split("\n");
      if (host !== LOGIN || home !== "/home/alice" || !owner?.startsWith("alice 700")) throw new CheckFailure(`unexpected login: ${r.stdout.trim().replace(/\n/g, " | ")}`);
      return r.stdout.trim().replace(/\n/g, " | ");
    });

    await run.check("the metadata service (and the user data's secrets) answer root only", async () => {
      const asUser = await login.exec(["curl", "-sS", "-m", "5", "http://169.254.169.254/openstack/latest/meta_data.json"], { user: "alice" });
      const asRoot = await login.exec(["curl", "-sS", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://169.254.169.254/openstack/latest/meta_data.json"]);
      if (asUser.code === 0) throw new CheckFailure("alice reads the metadata service on the login node");
      if (asRoot.stdout.trim() !== "200") throw new CheckFailure(`root cannot read the metadata service either (${asRoot.stdout.trim() || asRoot.stderr.trim()})`);
      return `alice: ${asUser.stderr.trim().split("\n")[0]}; root: HTTP 200`;
    });

    await run.check("alice runs srun -N2 hostname across both static nodes", async () => {
      const r = await asAlice(run, "srun -N2 -p cpu hostname | sort");
      const hosts = r.stdout.trim().split("\n");
      if (r.code !== 0 || hosts.join(",") !== NODES.join(",")) throw new CheckFailure(`srun -N2: exit ${r.code}: ${(r.stdout + r.stderr).trim()}`, await slurmEvidence(run));
      return `srun -N2 hostname → ${hosts.join(", ")}`;
    });

    await run.check("an sbatch job of alice's writes its output to her home", async () => {
      const r = await asAlice(run, "cd ~ && sbatch --wait -p cpu -o lab-%j.out --wrap 'hostname; id -un' | awk '{print $4}'");
      const id = r.stdout.trim();
      if (r.code !== 0 || !/^\d+$/.test(id)) throw new CheckFailure(`sbatch --wait: exit ${r.code}: ${(r.stdout + r.stderr).trim()}`, await slurmEvidence(run));
      const out = await asAlice(run, `cat ~/lab-${id}.out`);
      const [host, user] = out.stdout.trim().split("\n");
      if (!host || !NODES.includes(host) || user !== "alice") throw new CheckFailure(`~/lab-${id}.out on the login node: ${(out.stdout + out.stderr).trim()}`);
      return `job ${id} ran on ${host} as ${user}; its output is in alice's home on the login node`;
    });

    await run.check("two 1-core jobs without --mem share one node", async () => {
      const submit = await asAlice(run, `for i in 1 2; do sbatch --parsable -p cpu -w ${NODES[0]} -n1 -o /dev/null --wrap 'sleep 90'; done`);
      const ids = submit.stdout
        .trim()
        .split("\n")
        .filter((l) => /^\d+$/.test(l));
      if (ids.length !== 2) throw new CheckFailure(`sbatch: ${(submit.stdout + submit.stderr).trim()}`);
      try {
        let states = "";
        const ok = await run.poll(45_000, async () => {
          const q = await login.exec(["squeue", "-h", "-j", ids.join(","), "-o", "%i %T %N %r"]);
          states = q.stdout.trim();
          return states.split("\n").filter((l) => / RUNNING /.test(l)).length === 2 ? true : undefined;
        });
        if (!ok) {
          const mem = await login.exec(["scontrol", "show", "job", ids[0]!]);
          const tres = /ReqTRES=\S+/.exec(mem.stdout)?.[0] ?? "";
          throw new CheckFailure(`squeue: ${states.replace(/\n/g, " | ")}; the first job asked for ${tres}: a job that names no memory takes the whole node's`);
        }
        return `both running on ${NODES[0]}: ${states.replace(/\n/g, " | ")}`;
      } finally {
        await login.exec(["scancel", ...ids]);
      }
    });

    await run.check("alice reaches a compute node over SSH only while her job runs there, and her session joins the job; the admin always", async () => {
      const node = run.stack.machines.find((m) => m.name === NODES[1])!.address;
      const refused = await run.ssh(run.lab.keys.alice, "alice", node, "hostname");
      if (refused.code === 0) throw new CheckFailure(`alice logged in to ${NODES[1]} without a job there: ${refused.stdout.trim()}`, await run.evidence(run.machine(NODES[1]!)));
      const admin = await run.ssh(run.lab.keys.admin, "ubuntu", node, "hostname");
      if (admin.code !== 0) throw new CheckFailure(`the admin (ubuntu) cannot log in to ${NODES[1]}: ${(admin.stderr || admin.stdout).trim()}`);
      const submit = await asAlice(run, `sbatch --parsable -p cpu -w ${NODES[1]} -n1 -o /dev/null --wrap 'sleep 120'`);
      const id = submit.stdout.trim();
      if (!/^\d+$/.test(id)) throw new CheckFailure(`sbatch: ${(submit.stdout + submit.stderr).trim()}`);
      try {
        const running = await run.poll(45_000, async () => ((await login.exec(["squeue", "-h", "-j", id, "-o", "%T"])).stdout.trim() === "RUNNING" ? true : undefined));
        if (!running) throw new CheckFailure(`job ${id} did not start on ${NODES[1]}`, await slurmEvidence(run));
        const inside = await run.ssh(run.lab.keys.alice, "alice", node, "cat /proc/self/cgroup");
        if (inside.code !== 0 || !inside.stdout.includes(`job_${id}`)) {
          throw new CheckFailure(
            `with job ${id} running, ssh alice@${NODES[1]}: exit ${inside.code}: ${(inside.stdout + inside.stderr).trim().replace(/\n/g, " | ")}`,
            await run.evidence(run.machine(NODES[1]!)),
          );
        }
        return `without a job: refused (${refused.stderr.trim().split("\n").pop()}); admin: in; with job ${id}: in, adopted into its cgroup`;
      } finally {
        await login.exec(["scancel", id]);
      }
    });

    await run.check("a job on the elastic partition makes Slurm create a node that boots, registers and runs it", async () => {
      const submit = await asAlice(run, "cd ~ && sbatch --parsable -p burst -o burst-%j.out --wrap 'hostname'");
      const id = submit.stdout.trim();
      if (!/^\d+$/.test(id)) throw new CheckFailure(`sbatch -p burst: ${(submit.stdout + submit.stderr).trim()}`);
      const created = await run.poll(120_000, async () => ((await run.cloudServers()).some((s) => s.name === ELASTIC) ? true : undefined));
      if (!created) throw new CheckFailure(`no server ${ELASTIC} was created in the cloud within 120 s of the job`, await slurmEvidence(run));
      const out = await run.poll(
        12 * 60_000,
        async () => {
          const r = await asAlice(run, `cat ~/burst-${id}.out 2>/dev/null`);
          return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
        },
        5000,
      );
      if (out !== ELASTIC) {
        const node = run.machines.get(ELASTIC);
        throw new CheckFailure(`job ${id}: ${out ? `ran on ${out}` : `no output after 12 minutes`}`, await slurmEvidence(run, node ? [node] : []));
      }
      const boot = await run.machine(ELASTIC).waitForCloudInit(60_000);
      if (boot.errors.length > 0) throw new CheckFailure(`${ELASTIC}'s cloud-init: ${boot.errors.join("; ")}`, await run.evidence(run.machine(ELASTIC)));
      run.memo.set("elastic", true);
      return `server ${ELASTIC} created, booted (cloud-init without error), job ${id} ran on it`;
    });

    await run.check("after a minute idle the elastic node is suspended and its server deleted", async () => {
      if (!run.memo.get("elastic")) throw new CheckFailure("not run: no elastic node came up (see the check before)");
      let state = "";
      const gone = await run.poll(
        6 * 60_000,
        async () => {
          const servers = await run.cloudServers();
          state = (await nodeStates(run, "burst")).get(ELASTIC) ?? "";
          return !servers.some((s) => s.name === ELASTIC) && !run.machines.has(ELASTIC) ? true : undefined;
        },
        5000,
      );
      if (!gone) throw new CheckFailure(`${ELASTIC} is still there after 6 minutes (sinfo: ${state})`, await slurmEvidence(run));
      await run.settle();
      state = (await nodeStates(run, "burst")).get(ELASTIC) ?? "";
      return `server deleted, machine stopped; sinfo: ${ELASTIC} ${state}`;
    });

    await run.check("every call the elastic programs made was allowed by the credential's access rules", async () => {
      const requests = await run.cloudRequests();
      const refused = requests.filter((r) => r.status === 401 || r.status === 403);
      if (refused.length > 0) throw new CheckFailure(`refused: ${[...new Set(refused.map((r) => `${r.method} ${r.service}${r.path}`))].join(", ")}`, await slurmEvidence(run));
      return `${requests.length} requests, none refused (${[...new Set(requests.map((r) => `${r.method} ${r.service}`))].join(", ")})`;
    });

    await dayTwo(run);

    await run.check("the destroy-time reaper leaves no elastic machine", async () => {
      const submit = await asAlice(run, "sbatch --parsable -p burst -o /dev/null --wrap 'sleep 600'");
      if (!/^\d+$/.test(submit.stdout.trim())) throw new CheckFailure(`sbatch -p burst: ${(submit.stdout + submit.stderr).trim()}`);
      const elasticUp = () => [...run.machines.values()].find((m) => m.spec.name.startsWith(ELASTIC_PREFIX) && m.running);
      const up = await run.poll(180_000, async () => elasticUp()?.spec.name);
      if (!up) throw new CheckFailure(`no elastic machine came up to be reaped`, await slurmEvidence(run));
      // terraform destroys the controller before the cleanup step that runs the reaper.
      await controller.destroy();
      run.machines.delete(CONTROLLER);
      const cleanup = Object.entries(run.stack.resources).find(([k]) => k.startsWith("terraform_data.") && k.includes("ElasticCleanup"))?.[1] as
        | { triggers_replace?: Record<string, string> }
        | undefined;
      const t = cleanup?.triggers_replace;
      if (!t) throw new CheckFailure("the stack has no ElasticCleanup step");
      const reaper = await run.network.exec(process.execPath, [join(run.stackDir, "files", "hpc", "drover-reap-elastic.mjs")], {
        env: {
          PATH: process.env.PATH,
          DROVER_APP_CRED_ID: t.id,
          DROVER_APP_CRED_SECRET: t.secret,
          DROVER_AUTH_URL: t.auth_url,
          DROVER_CLUSTER: t.cluster,
          DROVER_REGION: t.region,
        },
        timeoutMs: 300_000,
      });
      await run.settle();
      const left = (await run.cloudServers()).filter((s) => s.name.startsWith(ELASTIC_PREFIX));
      if (reaper.code !== 0 || left.length > 0 || elasticUp()) {
        throw new CheckFailure(`reaper exit ${reaper.code}; servers left: ${left.map((s) => s.name).join(", ") || "none"}\n${(reaper.stdout + reaper.stderr).trim()}`);
      }
      return `${up} was up; reaper exit 0: ${(reaper.stdout + reaper.stderr).trim().split("\n").pop()}; no elastic server or machine left`;
    });
  },
};
