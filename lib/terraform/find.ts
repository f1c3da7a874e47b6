import { basename } from "node:path";
import { run } from "../exec.ts";
import semver from "semver";
import { ExternalError, UsageError } from "../errors.ts";

export interface TerraformBinary {
  /** What was run: a path or a command name found on PATH. */
  readonly path: string;
  readonly kind: "terraform" | "tofu";
  readonly version: string;
}

/** Oldest versions drover drives: `terraform_data`, `-json` apply events, `moved`/`import` blocks. */
export const MIN_VERSION = { terraform: "1.5.0", tofu: "1.6.0" } as const;

const NONE_FOUND = [
  "drover synth, validate and plan --offline work without it.",
  `Install Terraform ${MIN_VERSION.terraform} or later (or OpenTofu ${MIN_VERSION.tofu} or later), or name one with --terraform-binary or DROVER_TERRAFORM.`,
];

async function probe(path: string): Promise<TerraformBinary | undefined> {
  const r = await run(path, ["version", "-json"], { env: { ...process.env, CHECKPOINT_DISABLE: "1" }, timeoutMs: 20_000 });
  if (r.notFound) return undefined;
  if (r.exitCode !== 0) {
    throw new ExternalError(`${path} version -json failed (exit ${r.exitCode}): is it terraform (1.5 or later) or tofu (1.6 or later)?`, [
      ...[String(r.stderr).trim()].filter(Boolean),
      "Pass --terraform-binary the path of terraform or tofu, or set DROVER_TERRAFORM.",
    ]);
  }
  let version: string | undefined;
  try {
    version = (JSON.parse(String(r.stdout)) as { terraform_version?: string }).terraform_version;
  } catch {
    throw new ExternalError(`${path} did not print its version as JSON: is it terraform or tofu?`);
  }
  if (!version) throw new ExternalError(`${path} did not report a version`);
  const kind = /tofu/i.test(basename(path)) || /opentofu/i.test(String(r.stdout)) ? "tofu" : "terraform";
  return { path, kind, version };
}

export interface FindOptions {
  /** `--terraform-binary` */
  readonly binary?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The terraform to drive: `--terraform-binary`, then DROVER_TERRAFORM, then `tofu` and
 * `terraform` on PATH. Its version is checked against the minimum.
 */
export async function findTerraform(options: FindOptions = {}): Promise<TerraformBinary> {
  const env = options.env ?? process.env;
  const named = options.binary ?? (env.DROVER_TERRAFORM || undefined);
  let found: TerraformBinary | undefined;
  if (named) {
    found = await probe(named);
    if (!found) {
      const from = options.binary ? "--terraform-binary" : "DROVER_TERRAFORM";
      throw new UsageError(`${from} names ${named}, which cannot be run`, NONE_FOUND);
    }
  } else {
    for (const candidate of ["tofu", "terraform"]) {
      found = await probe(candidate);
      if (found) break;
    }
    if (!found) throw new ExternalError("no terraform or tofu found on PATH", NONE_FOUND);
  }
  const min = MIN_VERSION[found.kind];
  if (!semver.valid(semver.coerce(found.version)) || semver.lt(semver.coerce(found.version)!, min)) {
    throw new ExternalError(`${found.path} is ${found.kind} ${found.version}; drover needs ${min} or later`, NONE_FOUND.slice(1));
  }
  return found;
}
