import { gzipBase64 } from "../cloud-init.ts";
import { readTemplate, renderTemplate } from "../templates.ts";
import { ELASTIC_MUNGE_KEY_PATH, NODE_HOSTLISTS_PATH, NODE_TABLE_PATH, plainValue, SLURM_FILES, toYaml, type RenderContext, type WriteFile } from "./cloud-init-base.ts";
import { hostlistPairs } from "./hostlist.ts";
import { PATHS, type SlurmClusterPlan } from "./model.ts";

/**
 * Elastic nodes, on the controller's side: Slurm's ResumeProgram and SuspendProgram create and
 * delete them with the cloud credential, from the node table and the compute user data the
 * controller keeps. Part of the controller's user data (lib/slurm/cloud-init.ts).
 */

/** What Slurm's ResumeProgram, SuspendProgram and the reconcile timer need on the controller. */
export function elasticFiles(ctx: RenderContext, embedded: string): WriteFile[] {
  const { plan } = ctx;
  const e = ctx.refs.elastic!;
  const env: Array<[string, string]> = [
    ["DROVER_CLUSTER", plainValue("clusterName", plan.clusterName)],
    ["DROVER_STACK", plainValue("stackName", plan.stackName)],
    ["OS_CLOUD", "drover"],
    ["DROVER_NETWORK_ID", ctx.table.mark(e.networkId)],
    ["DROVER_SUBNET_ID", ctx.table.mark(e.subnetId)],
    ["DROVER_SECURITY_GROUP_ID", ctx.table.mark(e.securityGroupId)],
    ["DROVER_IMAGE", plainValue("image", plan.image)],
    // No key pair: the admin's key is in the elastic nodes' user data instead (a key pair
    // belongs to the person who made it, and the credential may act for another).
    ["DROVER_KEY_NAME", ""],
    ["DROVER_NODE_TABLE", NODE_TABLE_PATH],
    ["DROVER_COMPUTE_USER_DATA", PATHS.computeUserData],
    ["DROVER_MUNGE_KEY_FILE", ELASTIC_MUNGE_KEY_PATH],
  ];
  const clouds = {
    clouds: {
      drover: {
        auth_type: "v3applicationcredential",
        auth: {
          auth_url: ctx.table.mark(e.authUrl),
          application_credential_id: ctx.table.mark(e.applicationCredentialId),
          application_credential_secret: ctx.table.mark(e.applicationCredentialSecret),
        },
        region_name: ctx.table.mark(e.region),
        interface: "public",
        identity_api_version: 3,
      },
    },
  };
  for (const p of plan.partitions) if (p.nodes.some((n) => n.elastic)) plainValue("flavor", p.flavor.name);
  const script = (path: string, template: string): WriteFile => ({ path, content: readTemplate(template), permissions: "0755" });
  return [
    { path: PATHS.cloudEnv, content: env.map(([k, v]) => `${k}=${v}\n`).join(""), permissions: "0644" },
    // The application credential: the slurm user (ResumeProgram, SuspendProgram) alone reads it.
    { path: PATHS.cloudsYaml, content: toYaml(clouds), owner: "slurm:slurm", permissions: "0400", defer: true },
    { path: NODE_HOSTLISTS_PATH, content: elasticHostlists(plan), permissions: "0644" },
    { path: SLURM_FILES.nodeTableProgram, content: renderTemplate("slurm/drover-slurm-node-table.sh", { source: NODE_HOSTLISTS_PATH, table: NODE_TABLE_PATH }, { shell: true }), permissions: "0755" },
    // Holds the munge key placeholder only; still the slurm user's alone (it names the shares).
    { path: PATHS.computeUserData, content: gzipBase64(embedded), encoding: "gz+b64", owner: "slurm:slurm", permissions: "0400", defer: true },
    { path: SLURM_FILES.elasticLib, content: readTemplate("slurm/drover-elastic-lib.sh"), permissions: "0644" },
    script(PATHS.resumeProgram, "slurm/drover-slurm-resume.sh"),
    script(PATHS.suspendProgram, "slurm/drover-slurm-suspend.sh"),
    script(PATHS.resumeFailProgram, "slurm/drover-slurm-resume-fail.sh"),
    script(SLURM_FILES.reconcileProgram, "slurm/drover-slurm-reconcile.sh"),
    { path: "/etc/systemd/system/drover-slurm-reconcile.service", content: readTemplate("slurm/drover-slurm-reconcile.service"), permissions: "0644" },
    { path: "/etc/systemd/system/drover-slurm-reconcile.timer", content: readTemplate("slurm/drover-slurm-reconcile.timer"), permissions: "0644" },
    { path: SLURM_FILES.elasticLogrotate, content: readTemplate("slurm/logrotate-drover-elastic"), permissions: "0644" },
  ];
}

/** The elastic nodes' table source: one line per run of nodes (`names\taddresses\tflavor\tpartition`). */
export function elasticHostlists(plan: SlurmClusterPlan): string {
  const runs: string[] = [];
  for (const p of plan.partitions) {
    for (const h of hostlistPairs(p.nodes.filter((n) => n.elastic))) runs.push(`${h.names}\t${h.addresses}\t${p.flavor.name}\t${p.name}\n`);
  }
  return runs.join("");
}
