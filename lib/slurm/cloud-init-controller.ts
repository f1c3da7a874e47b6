import { renderVolumesScript } from "../cloud-init.ts";
import { readTemplate, renderTemplate } from "../templates.ts";
import { accountingFiles } from "./cloud-init-accounting.ts";
import { ELASTIC_MUNGE_KEY_PATH, SLURM_FILES, type RenderContext, type WriteFile } from "./cloud-init-base.ts";
import { elasticFiles } from "./cloud-init-elastic.ts";
import { PATHS } from "./model.ts";

/**
 * The controller's own files (lib/slurm/cloud-init.ts): the shared trees it serves or mounts,
 * slurmctld's drop-in, its first-boot program, and accounting and elastic nodes when the plan
 * has them. `embedded` is the elastic compute user data it keeps for the nodes it creates.
 */
export function controllerFiles(ctx: RenderContext, embedded: string | undefined): WriteFile[] {
  const { plan, files } = ctx;
  const storage = plan.sharedStorage;
  const out: WriteFile[] = [
    // The volumes of storage "nfs" are mounted by the same script as a VirtualMachine's; its
    // hook directory runs drover-slurm-shared once they are. Fresh volumes stay root's.
    { path: "/usr/local/sbin/drover-volumes", content: renderVolumesScript("root", ctx.metadataSource), permissions: "0755" },
    { path: "/etc/systemd/system/drover-volumes.service", content: readTemplate("cloud-init/drover-volumes.service"), permissions: "0644" },
    { path: "/etc/systemd/system/drover-volumes.timer", content: readTemplate("cloud-init/drover-volumes.timer"), permissions: "0644" },
    {
      path: SLURM_FILES.sharedHook,
      content: renderTemplate(
        "slurm/drover-slurm-shared.sh",
        { storage: storage.kind, cidr: plan.cidr, home: PATHS.home, software: PATHS.software, users: plan.users.map((u) => `${u.name}:${u.uid}`).join(" ") },
        { shell: true },
      ),
      permissions: "0755",
    },
    {
      path: "/etc/systemd/system/slurmctld.service.d/drover.conf",
      content: renderTemplate("slurm/slurmctld-drover.conf", { accountingUnits: plan.accounting ? " slurmdbd.service" : "", waitState: SLURM_FILES.stateWaitProgram }),
      permissions: "0644",
      // After the packages: installing slurmctld starts it, and this drop-in would hold the
      // installation until the state volume is mounted, which this boot does only later.
      defer: true,
    },
    { path: SLURM_FILES.stateWaitProgram, content: renderTemplate("cloud-init/drover-wait-shared.sh", { paths: PATHS.stateVolume }, { shell: true }), permissions: "0755" },
    {
      path: SLURM_FILES.controllerProgram,
      content: renderTemplate(
        "slurm/drover-slurm-controller.sh",
        {
          accounting: plan.accounting ? "yes" : "no",
          elastic: embedded !== undefined ? "yes" : "no",
          stateSave: PATHS.stateSave,
          logDir: PATHS.logDir,
          automounts: storage.kind === "manila" ? `${PATHS.home} ${PATHS.software}` : "",
          mungeCopy: ELASTIC_MUNGE_KEY_PATH,
          computeUserData: PATHS.computeUserData,
          shares: embedded !== undefined && storage.kind === "manila" ? `home:${PATHS.home} software:${PATHS.software}` : "",
        },
        { shell: true },
      ),
      permissions: "0755",
    },
  ];
  if (plan.accounting) out.push(...accountingFiles(plan, files));
  if (embedded !== undefined) out.push(...elasticFiles(ctx, embedded));
  return out;
}
