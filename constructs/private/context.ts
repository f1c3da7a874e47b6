import type { Construct } from "constructs";
import { IssueCollector } from "../../lib/errors.ts";
import { checkName } from "../../lib/naming.ts";
import { parseCidr, type Cidr } from "../../lib/net/cidr.ts";
import { parseSshPublicKey } from "../../lib/net/ssh-key.ts";
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

/**
 * The SSH access props every cluster and host takes: `allowSshFrom` ranges and an admin's
 * public key (under the prop name `keyProp`), each problem added to `issues` with `prefix`.
 */
export function checkSshAccess(
  issues: IssueCollector,
  prefix: string,
  allowSshFrom: readonly string[] | undefined,
  key: { readonly prop: string; readonly value: string | undefined },
): { sshFrom: Cidr[]; adminKey?: { line: string; fingerprint: string } } {
  const sshFrom: Cidr[] = [];
  (allowSshFrom ?? []).forEach((text, i) => {
    const parsed = parseCidr(String(text));
    if (!parsed.ok) issues.add(`${prefix}.bad-cidr`, `'allowSshFrom[${i}]' "${text}" ${parsed.reason}${parsed.suggestion ? `: did you mean ${parsed.suggestion}?` : ""}`);
    else sshFrom.push(parsed.cidr);
  });
  if (key.value === undefined) return { sshFrom };
  const parsed = parseSshPublicKey(String(key.value));
  if (parsed.ok) return { sshFrom, adminKey: parsed.key };
  issues.add(`${prefix}.bad-key`, `'${key.prop}' ${parsed.reason}`);
  return { sshFrom };
}
