import { readTemplate, renderTemplate } from "../templates.ts";
import { SLURMDBD_PASSWORD_PLACEHOLDER, type SlurmFiles } from "./conf.ts";
import { SLURM_FILES } from "./cloud-init-base.ts";
import { PATHS, type SlurmClusterPlan } from "./model.ts";

/**
 * Slurm accounting on the controller (slurmdbd and MariaDB): part of the controller's user data
 * (lib/slurm/cloud-init.ts), and of the bundle drover-agent applies (lib/slurm/bundle.ts).
 */

/** Accounting's files on the controller: slurmdbd.conf (with a password placeholder), its drop-in and its setup program. */
export function accountingFiles(plan: SlurmClusterPlan, files: SlurmFiles): Array<{ path: string; content: string; owner?: string; permissions: string; defer?: boolean }> {
  if (!files.slurmdbdConf) throw new Error(`cluster ${plan.clusterName} keeps accounting but has no slurmdbd.conf`);
  return [
    // The password placeholder is filled at first boot by drover-slurmdbd-setup.
    { path: PATHS.slurmdbdConf, content: files.slurmdbdConf, owner: "slurm:slurm", permissions: "0600", defer: true },
    { path: SLURMDBD_DROP_IN, content: readTemplate("slurm/slurmdbd-drover.conf"), permissions: "0644" },
    {
      path: SLURM_FILES.dbdSetupProgram,
      content: renderTemplate("slurm/drover-slurmdbd-setup.sh", { slurmdbdConf: PATHS.slurmdbdConf, placeholder: SLURMDBD_PASSWORD_PLACEHOLDER, clusterName: plan.clusterName }, { shell: true }),
      permissions: "0755",
    },
  ];
}

const SLURMDBD_DROP_IN = "/etc/systemd/system/slurmdbd.service.d/drover.conf";
