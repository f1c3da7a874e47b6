import { readFile } from "node:fs/promises";
import { loadProject } from "../../app/project.ts";
import { synthesizeApp } from "../../app/synthesize.ts";
import { builtinProviders } from "../../schema/registry.ts";
import { validateTerraformJson, type Finding } from "../../schema/validate.ts";
import { checkStack } from "../../checks/stack-checks.ts";
import type { Finding as PolicyFinding, PolicyLevel } from "../../policy/index.ts";

export interface ValidateOptions {
  readonly cwd: string;
  readonly stacks: readonly string[];
  /** Which policy findings make a stack invalid. @default "error" */
  readonly policyLevel?: PolicyLevel;
}

export interface StackValidation {
  readonly name: string;
  readonly valid: boolean;
  readonly errors: number;
  readonly warnings: number;
  /** Resources, data sources and provider blocks checked against a schema. */
  readonly checked: number;
  /** Resource types no schema covers (checked by terraform itself at plan time). */
  readonly unchecked: readonly string[];
  /** The schemas this stack was checked against: those of the providers it uses. */
  readonly schemas: readonly string[];
  readonly findings: readonly Finding[];
  /** Warnings the constructs raised while building the stack. */
  readonly constructWarnings: readonly string[];
  /** Policy findings (lib/policy), suppressed ones included with their reason. */
  readonly policy: readonly PolicyFinding[];
  /** The policy fails at the chosen level. */
  readonly policyFailed: boolean;
}

export interface ValidateReport {
  readonly valid: boolean;
  readonly schemas: readonly string[];
  readonly stacks: readonly StackValidation[];
}

/** `drover validate [stack...]`: synthesizes (without writing) and checks each stack offline. */
export async function validate(options: ValidateOptions): Promise<ValidateReport> {
  const project = loadProject(options.cwd);
  const providers = builtinProviders();
  const result = await synthesizeApp(project, { stacks: options.stacks, commit: false });
  try {
    const stacks: StackValidation[] = [];
    for (const s of result.stacks) {
      const config = JSON.parse(await readFile(s.configPath, "utf8")) as Record<string, unknown>;
      const report = validateTerraformJson(config, providers);
      const errors = report.findings.filter((f) => f.severity === "error").length;
      const level = options.policyLevel ?? "error";
      const checks = s.info && level !== "off" ? await checkStack({ stack: s.name, dir: s.dir, config, info: s.info, policyLevel: level, live: false }) : undefined;
      const policy = checks?.policy.findings ?? [];
      const policyFailed = checks?.policy.failed ?? false;
      stacks.push({
        name: s.name,
        valid: errors === 0 && !policyFailed,
        policy,
        policyFailed,
        errors,
        warnings: report.findings.length - errors,
        checked: report.checked,
        unchecked: report.unchecked,
        schemas: report.schemas,
        findings: report.findings,
        constructWarnings: s.warnings,
      });
    }
    return {
      valid: stacks.every((s) => s.valid),
      schemas: providers.map((p) => `${p.source} ${p.version ?? ""}`.trim()),
      stacks,
    };
  } finally {
    await result.cleanup();
  }
}
