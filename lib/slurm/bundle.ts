import type { Bundle, BundleFile, BundleHook } from "../agent/bundle.ts";
import type { SlurmFiles } from "./conf.ts";
import { PATHS, type SlurmClusterPlan } from "./model.ts";
import { accountingFiles, elasticHostlists, NODE_HOSTLISTS_PATH, PUBLISHED_BUNDLE, SLURM_FILES } from "./cloud-init.ts";

/**
 * What of a Slurm cluster may change while it runs, as one bundle for every role (each machine
 * takes what its role needs): slurm.conf, cgroup.conf and gres.conf; the accounts and their keys;
 * the elastic nodes' table. The agent on each machine applies it, then:
 * - every role rewrites /etc/hosts from slurm.conf (new nodes get names);
 * - the controller rebuilds the elastic node table and runs `scontrol reconfigure`, which
 *   re-reads slurm.conf (new partitions and nodes included, Slurm 23.11 and later);
 * - compute nodes reload slurmd (it re-reads its own copy);
 * - the controller makes the homes of new users once /home is mounted.
 * Elastic nodes read the copy the controller publishes on /opt/software.
 */
export function slurmBundle(plan: SlurmClusterPlan, files: SlurmFiles, construct: string): Bundle {
  const elastic = plan.partitions.some((p) => p.nodes.some((n) => n.elastic));
  const conf: BundleFile[] = [
    { path: PATHS.slurmConf, content: files.slurmConf },
    { path: PATHS.cgroupConf, content: files.cgroupConf },
    ...(files.gresConf ? [{ path: PATHS.gresConf, content: files.gresConf }] : []),
  ];
  const keys: BundleFile[] = plan.users.map((u) => ({ path: `${PATHS.authorizedKeysDir}/${u.name}`, content: u.publicKeys.map((k) => `${k}\n`).join("") }));
  const table: BundleFile[] = elastic ? [{ path: NODE_HOSTLISTS_PATH, content: elasticHostlists(plan), roles: ["controller"] }] : [];
  // Accounting turned on later: its packages, files and setup, then slurmctld restarted to use it.
  const accounting: BundleFile[] = plan.accounting
    ? accountingFiles(plan, files).map((f) => ({
        path: f.path,
        content: f.content,
        mode: f.permissions,
        ...(f.owner ? { owner: f.owner } : {}),
        roles: ["controller"],
        ...(f.path === PATHS.slurmdbdConf ? { initial: true } : {}),
      }))
    : [];
  const confPaths = conf.map((f) => f.path);
  const hooks: BundleHook[] = [
    ...(plan.accounting
      ? [{ on: ["@packages", SLURM_FILES.dbdSetupProgram], roles: ["controller"], run: [["systemctl", "daemon-reload"], [SLURM_FILES.dbdSetupProgram], ["systemctl", "restart", "slurmctld.service"]] }]
      : []),
    { on: [PATHS.slurmConf], run: [[SLURM_FILES.hostsProgram]] },
    ...(elastic ? [{ on: [NODE_HOSTLISTS_PATH], roles: ["controller"], run: [[SLURM_FILES.nodeTableProgram]] }] : []),
    { on: [...confPaths, ...(elastic ? [NODE_HOSTLISTS_PATH] : [])], roles: ["controller"], run: [["scontrol", "reconfigure"]] },
    // --no-block: the agent also runs in slurmd's ExecStartPre, where waiting would deadlock.
    { on: confPaths, roles: ["compute"], run: [["systemctl", "--no-block", "try-reload-or-restart", "slurmd.service"]] },
  ];
  return {
    construct,
    files: [...conf, ...keys, ...table, ...accounting],
    ...(plan.accounting ? { packages: ["slurmdbd", "mariadb-server"].map((name) => ({ name, roles: ["controller"] })) } : {}),
    users: plan.users.map((u) => ({ name: u.name, uid: u.uid, home: `${PATHS.home}/${u.name}` })),
    homes: { base: PATHS.home, roles: ["controller"], mountpoint: true },
    hooks,
    ...(elastic ? { publish: { path: PUBLISHED_BUNDLE, roles: ["controller"] } } : {}),
  };
}
