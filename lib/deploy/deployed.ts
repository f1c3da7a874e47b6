import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { UsageError } from "../errors.ts";

/**
 * Whether a stack has anything deployed, known without terraform: drover's record of a deploy
 * (`.drover/deployed/<stack>/`), or a local state file with resources. A state kept elsewhere (s3,
 * pg, http) is "unknown" until terraform reads it.
 */
export type Deployment = { readonly kind: "deployed" | "unknown" } | { readonly kind: "never"; readonly where: string };

export function deploymentOf(root: string, stack: string, config: Record<string, unknown>, stackDir: string): Deployment {
  if (existsSync(join(root, ".drover", "deployed", stack, "cdk.tf.json"))) return { kind: "deployed" };
  const backend = ((config.terraform ?? {}) as { backend?: Record<string, { path?: string }> }).backend ?? { local: {} };
  const [kind, settings] = Object.entries(backend)[0] ?? ["local", {}];
  if (kind !== "local") return { kind: "unknown" };
  const path = resolve(stackDir, settings?.path ?? "terraform.tfstate");
  const where = relative(root, path) || path;
  // A lock a crashed run left (terraform's local lock file) is something to release.
  if (existsSync(join(dirname(path), `.${basename(path)}.lock.info`))) return { kind: "unknown" };
  if (!existsSync(path)) return { kind: "never", where: `no state at ${where}` };
  try {
    const state = JSON.parse(readFileSync(path, "utf8")) as { resources?: unknown[] };
    return (state.resources ?? []).length > 0 ? { kind: "deployed" } : { kind: "never", where: `its state at ${where} holds no resources` };
  } catch {
    // A damaged state is terraform's to report, with its reasons.
    return { kind: "unknown" };
  }
}

/** Refuses a command that needs a deployed stack, before terraform is started. */
export function requireDeployed(d: Deployment, stack: string, doing: string): void {
  if (d.kind !== "never") return;
  throw new UsageError(`stack ${stack} is not deployed (${d.where}): there is nothing to ${doing}`, [`Deploy it first: drover deploy ${stack}`]);
}
