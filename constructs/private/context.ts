import type { Construct } from "constructs";
import { IssueCollector } from "../../lib/errors.ts";
import { checkName } from "../../lib/naming.ts";
import { parseCidr, type Cidr } from "../../lib/net/cidr.ts";
import { parseSshPublicKey } from "../../lib/net/ssh-key.ts";
import { checkProps, type PropsSchema } from "../../lib/props/schemas.ts";
import type { CloudDriver, CloudProfile } from "../cloud.ts";
import { DroverStack } from "../drover-stack.ts";

/**
 * What a cluster construct starts from: its stack, cloud and driver, and an issue collector
 * that already holds the checks every such construct makes (a usable id). What a cloud cannot
 * do (a share, a credential, managed Kubernetes) each construct checks against the driver's
 * optional methods. `prefix` starts the issue codes ("slurm", "hub").
 */
export function clusterContext(self: Construct, id: string, prefix: string): { stack: DroverStack; cloud: CloudProfile; driver: CloudDriver; issues: IssueCollector } {
  const stack = DroverStack.of(self);
  const issues = new IssueCollector(self.node.path);
  const bad = checkName(id, "construct id");
  if (bad) issues.add(`${prefix}.bad-id`, bad);
  return { stack, cloud: stack.cloud, driver: stack.driver, issues };
}

/**
 * The props' shape (lib/props/schemas.ts), before any rule reads them: every wrong type or
 * unknown key at once, thrown with whatever `issues` already holds.
 */
export function requireShape(issues: IssueCollector, schema: PropsSchema, props: unknown, prefix: string): void {
  const problems = checkProps(schema, props, prefix);
  if (problems.length === 0) return;
  for (const p of problems) issues.add(p.code, p.message);
  issues.throwIfAny();
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
  cloud?: CloudProfile,
): { sshFrom: Cidr[]; adminKey?: { line: string; fingerprint: string } } {
  const sshFrom: Cidr[] = [];
  (allowSshFrom ?? []).forEach((text, i) => {
    const parsed = parseCidr(String(text));
    if (!parsed.ok) issues.add(`${prefix}.bad-cidr`, `'allowSshFrom[${i}]' "${text}" ${parsed.reason}${parsed.suggestion ? `: did you mean ${parsed.suggestion}?` : ""}`);
    else sshFrom.push(parsed.cidr);
  });
  if (key.value === undefined) {
    if (cloud?.requiresSshKey) issues.add(`${prefix}.key-required`, keyRequiredMessage(key.prop, cloud));
    return { sshFrom };
  }
  const parsed = parseSshPublicKey(String(key.value));
  if (parsed.ok) return { sshFrom, adminKey: parsed.key };
  issues.add(`${prefix}.bad-key`, `'${key.prop}' ${parsed.reason}`);
  return { sshFrom };
}

/** Why a key is needed on a cloud that makes no machine without one, and the fix. */
export function keyRequiredMessage(prop: string, cloud: CloudProfile): string {
  return `'${prop}' is required on ${cloud.name}: it creates no Linux machine without an SSH key (password login stays off). Give the content of ~/.ssh/id_ed25519.pub; SSH stays closed unless allowSshFrom opens it`;
}

/** What `clusterContext` gives a construct, passed on to the steps of its constructor. */
export type ClusterContext = ReturnType<typeof clusterContext>;
