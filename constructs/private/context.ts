import type { Construct } from "constructs";
import { IssueCollector } from "../../lib/errors.ts";
import { checkName } from "../../lib/naming.ts";
import type { CloudDriver, CloudProfile } from "../cloud.ts";
import { DroverStack } from "../drover-stack.ts";

/**
 * What a cluster construct starts from: its stack, cloud and driver, and an issue collector
 * that already holds the checks every such construct makes (a usable id; an OpenStack cloud,
 * the only kind the clusters run on for now). `prefix` starts the issue codes ("slurm", "hub").
 */
export function clusterContext(self: Construct, id: string, prefix: string, what: string): { stack: DroverStack; cloud: CloudProfile; driver: CloudDriver; issues: IssueCollector } {
  const stack = DroverStack.of(self);
  const issues = new IssueCollector(self.node.path);
  const bad = checkName(id, "construct id");
  if (bad) issues.add(`${prefix}.bad-id`, bad);
  if (stack.cloud.kind !== "openstack") issues.add(`${prefix}.unsupported-cloud`, `${what} runs on OpenStack clouds (Jetstream2) for now, and this stack is on ${stack.cloud.name}`);
  return { stack, cloud: stack.cloud, driver: stack.driver, issues };
}
