import type { StackInfo } from "../app/stack-info.ts";
import { POLICY_CHECKS, type Finding, type PolicyLevel } from "./checks.ts";
import { ConfigIndex, isObject, type Json } from "./config.ts";
import { ingressFindings } from "./ingress.ts";
import { expiryFindings, protectionFindings } from "./lifecycle.ts";
import { passwordSshFindings, sharedHubFindings } from "./logins.ts";
import { credentialFindings } from "./secrets.ts";
import { YamlReader } from "./text.ts";

export interface PolicyInput {
  /** The stack's `cdk.tf.json`, parsed. */
  readonly config: unknown;
  /** The stack's `drover.json`. */
  readonly info: StackInfo;
  /** The rendered files' text by path relative to the stack directory (`files/box/cloud-init.yaml`). */
  readonly files?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** "Today", for expiry. @default - the current time */
  readonly now?: Date;
  /**
   * The stack was synthesized for a run that may destroy data (`--allow-destroy`), which leaves
   * `prevent_destroy` out on purpose: DRV005 is not checked.
   * @default false
   */
  readonly allowDestroy?: boolean;
}

export type Suppression = NonNullable<StackInfo["policySuppressions"]>[number];

export interface PolicyReport {
  /** Every finding, errors first; suppressed ones carry their reason and do not count. */
  readonly findings: readonly Finding[];
  /** Suppressions in the stack that matched no finding: stale, or naming the wrong construct. */
  readonly unusedSuppressions: readonly Suppression[];
}

const ORDER = new Map(POLICY_CHECKS.map((c, i) => [c.id, i]));

/** A suppression covers its own construct and everything under it. */
function covers(s: Suppression, f: Finding): boolean {
  return s.id === f.id && (f.construct === s.construct || f.construct.startsWith(`${s.construct}/`));
}

/**
 * Runs every check on a synthesized stack and marks what `suppressPolicy` covers.
 *
 * @example
 * const report = runPolicy({ config: JSON.parse(tfJson), info, files: { "files/box/cloud-init.yaml": text } });
 * const { failed } = policyOutcome(report.findings, "error");
 */
export function runPolicy(input: PolicyInput): PolicyReport {
  const config: Json = isObject(input.config) ? input.config : {};
  const files = input.files instanceof Map ? (input.files as ReadonlyMap<string, string>) : new Map(Object.entries(input.files ?? {}));
  const info = input.info;
  const index = new ConfigIndex(config);
  const yaml = new YamlReader();

  const raw: Finding[] = [
    ...ingressFindings(index),
    ...credentialFindings(index, config, info.stack, files, yaml),
    ...(input.allowDestroy ? [] : protectionFindings(index)),
    ...expiryFindings(info, input.now ?? new Date()),
    ...sharedHubFindings(info.stack, files, yaml),
    ...passwordSshFindings(index, config, info.stack, files, yaml),
  ];

  const suppressions = info.policySuppressions ?? [];
  const used = new Set<Suppression>();
  const findings = raw.map((f) => {
    const s = suppressions.find((x) => covers(x, f));
    if (!s) return f;
    used.add(s);
    return { ...f, suppressed: { reason: s.reason } };
  });
  findings.sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) ||
      ORDER.get(a.id)! - ORDER.get(b.id)! ||
      a.construct.localeCompare(b.construct) ||
      (a.resource ?? "").localeCompare(b.resource ?? "") ||
      a.message.localeCompare(b.message),
  );
  return { findings, unusedSuppressions: suppressions.filter((s) => !used.has(s)) };
}

/**
 * Whether the findings fail a run at `--policy-level`, and which count: errors at "error",
 * errors and warnings at "warning", nothing at "off". Suppressed findings never count.
 */
export function policyOutcome(findings: readonly Finding[], level: PolicyLevel): { failed: boolean; counted: Finding[] } {
  if (level === "off") return { failed: false, counted: [] };
  const counted = findings.filter((f) => !f.suppressed && (level === "warning" || f.severity === "error"));
  return { failed: counted.length > 0, counted };
}
