import { AGENT_PATHS } from "../agent/bundle.ts";
import { renderTemplate } from "../templates.ts";
import { plainValue, SLURM_FILES, type RenderContext, type WriteFile } from "./cloud-init-base.ts";
import { PATHS } from "./model.ts";

/**
 * The login and compute nodes' own files (lib/slurm/cloud-init.ts): their first-boot program and,
 * on compute nodes, pam_slurm_adopt's rule and slurmd's wait for the shared trees (and GPUs).
 * Static and elastic compute nodes get the same files.
 */

/** The first-boot program of a login or compute node. */
export function nodeProgram(role: "login" | "compute"): WriteFile {
  const content = renderTemplate("slurm/drover-slurm-node.sh", { role, slurmdSpool: PATHS.slurmdSpool, logDir: PATHS.logDir, automounts: `${PATHS.home} ${PATHS.software}` }, { shell: true });
  return { path: SLURM_FILES.nodeProgram, content, permissions: "0755" };
}

/** A compute node's files, static or elastic alike. */
export function computeFiles(ctx: RenderContext): WriteFile[] {
  return [
    nodeProgram("compute"),
    { path: SLURM_FILES.pamProgram, content: renderTemplate("slurm/drover-slurm-pam.sh", { adminUser: plainValue("adminUser", ctx.plan.adminUser) }, { shell: true }), permissions: "0755" },
    { path: SLURM_FILES.waitProgram, content: renderTemplate("cloud-init/drover-wait-shared.sh", { paths: `${PATHS.home} ${PATHS.software}` }, { shell: true }), permissions: "0755" },
    ...(ctx.files.gresConf
      ? [{ path: SLURM_FILES.gpuWaitProgram, content: renderTemplate("slurm/drover-wait-gpus.sh", { gresConf: PATHS.gresConf, timeoutSeconds: "600" }, { shell: true }), permissions: "0755" }]
      : []),
    {
      path: "/etc/systemd/system/slurmd.service.d/drover.conf",
      content: renderTemplate("slurm/slurmd-drover.conf", {
        waitProgram: SLURM_FILES.waitProgram,
        // GPU nodes (the same user data on every compute node: the program finds its own).
        gpuComment: ctx.files.gresConf ? `\n# A node with GPUs also waits for them (${SLURM_FILES.gpuWaitProgram}), after the NVIDIA driver's own services.` : "",
        gpuAfter: ctx.files.gresConf ? " nvidia-persistenced.service" : "",
        gpuWait: ctx.files.gresConf ? `\nExecStartPre=${SLURM_FILES.gpuWaitProgram}` : "",
        // The configuration as it is now before slurmd starts: an elastic node boots from the
        // user data the controller was made with. "-": a failure leaves it to the timer.
        agentRun: ctx.agent ? `\nExecStartPre=-${AGENT_PATHS.boot}` : "",
      }),
      permissions: "0644",
      // After the packages: installing slurmd starts it, and this drop-in would hold the
      // package installation until /home is mounted, which this boot does only later.
      defer: true,
    },
  ];
}
