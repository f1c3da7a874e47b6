import type { StackInfo } from "../app/stack-info.ts";
import { machineGroups } from "../cost/machines.ts";
import { parseCidr } from "../net/cidr.ts";
import { ConfigIndex } from "../policy/config.ts";
import { inboundRules, openingLabel, opensTcpPort } from "../policy/ingress.ts";
import { policyOutcome, runPolicy, type Finding, type PolicyLevel } from "../policy/index.ts";
import type { Json } from "./snapshot.ts";

/**
 * Questions a user's test asks of a synthesized stack, answered from its Terraform JSON and
 * drover.json the way drover's own checks read them (the cost model's machines, the policy's
 * firewall rules), for every cloud. Each returns plain data, so any test framework can assert on
 * it and show a readable difference when it fails.
 */

/** What the helpers read: a stack as `synthStack` (drover/testing) returns it. */
export interface SynthesizedStackView {
  readonly name: string;
  /** The stack's Terraform JSON (`cdk.tf.json`). */
  readonly terraform: Json;
  /** The stack's `drover.json`; undefined for a plain cdktf stack. */
  readonly info?: StackInfo;
  /** Rendered files by their path in the stack's directory (`files/box/cloud-init.yaml`). */
  readonly files: Readonly<Record<string, string>>;
}

export interface Machine {
  /** The construct holding it: `dev-vm/box`. */
  readonly construct: string;
  /** The machine under its construct (`box`, `agent-1`, `Cluster workers`). */
  readonly name: string;
  /** The flavor, instance type or size, as written; undefined when Terraform only knows it at plan. */
  readonly size: string | undefined;
  /** How many; undefined when Terraform only knows it at plan. */
  readonly count: number | undefined;
}

/** The stack's machines, one entry per group of identical machines. */
export function machines(stack: SynthesizedStackView): Machine[] {
  return machineGroups(stack.terraform).map((g) => ({
    construct: g.construct,
    name: g.name,
    size: "name" in g.flavor ? g.flavor.name : undefined,
    count: typeof g.count === "number" ? g.count : undefined,
  }));
}

/** Whether the stack has a machine of this size (flavor or instance type), e.g. `"m3.small"`. */
export function hasMachine(stack: SynthesizedStackView, size: string): boolean {
  return machines(stack).some((m) => m.size === size);
}

export interface Ingress {
  /** What it opens: `tcp/22`, `tcp/8000-8100`, `icmp`, `all traffic`. */
  readonly opens: string;
  /** The address range it admits, as written. */
  readonly from: string;
  /** The Terraform resource holding the rule. */
  readonly resource: string;
}

/** Every inbound rule of the stack, one entry per opening and source range. */
export function ingress(stack: SynthesizedStackView): Ingress[] {
  return inboundRules(new ConfigIndex(stack.terraform)).flatMap((rule) =>
    rule.openings.flatMap((o) => rule.sources.map((from) => ({ opens: openingLabel(o), from, resource: rule.resource.address }))),
  );
}

/**
 * Whether TCP `port` is open only to `cidr`: at least one inbound rule opens it from that range
 * and none opens it from anywhere else. `opensPort(vm, 22, "203.0.113.0/24")`.
 */
export function opensPort(stack: SynthesizedStackView, port: number, cidr: string): boolean {
  const wanted = normaliseCidr(cidr);
  const from = inboundRules(new ConfigIndex(stack.terraform))
    .filter((r) => r.openings.some((o) => opensTcpPort(o, port)))
    .flatMap((r) => r.sources.map(normaliseCidr));
  return from.length > 0 && from.every((s) => s === wanted);
}

function normaliseCidr(text: string): string {
  const parsed = parseCidr(text.trim());
  return parsed.ok ? parsed.cidr.text : text.trim();
}

/**
 * drover's policy findings for the stack, as `drover validate` reports them (suppressed ones
 * included, marked). `now` fixes the date an expiry is judged against.
 */
export function policyFindings(stack: SynthesizedStackView, options: { now?: Date } = {}): Finding[] {
  const info: StackInfo = stack.info ?? { stack: stack.name, cloud: { kind: "none", name: "none", region: "-", summary: "plain cdktf stack" }, files: [] };
  return [...runPolicy({ config: stack.terraform, info, files: stack.files, ...(options.now ? { now: options.now } : {}) }).findings];
}

/**
 * The findings that fail the stack at `level` (`"error"` by default, as `drover validate` does):
 * an empty list means it passes. Each is `ID construct: message`, readable in a failed assertion.
 */
export function policyFailures(stack: SynthesizedStackView, options: { level?: PolicyLevel; now?: Date } = {}): string[] {
  const { counted } = policyOutcome(policyFindings(stack, options), options.level ?? "error");
  return counted.map((f) => `${f.id} ${f.construct}: ${f.message}`);
}

/** Whether the stack passes drover's policy at `level` (`"error"` by default). */
export function passesPolicy(stack: SynthesizedStackView, options: { level?: PolicyLevel; now?: Date } = {}): boolean {
  return policyFailures(stack, options).length === 0;
}
