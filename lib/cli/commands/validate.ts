import { readFile } from "node:fs/promises";
import { loadProject } from "../../app/project.ts";
import { synthesizeApp } from "../../app/synthesize.ts";
import { builtinProviders } from "../../schema/registry.ts";
import { validateTerraformJson, type Finding } from "../../schema/validate.ts";

export interface ValidateOptions {
  readonly cwd: string;
  readonly stacks: readonly string[];
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
  readonly findings: readonly Finding[];
  /** Warnings the constructs raised while building the stack. */
  readonly constructWarnings: readonly string[];
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
      const report = validateTerraformJson(JSON.parse(await readFile(s.configPath, "utf8")), providers);
      const errors = report.findings.filter((f) => f.severity === "error").length;
      stacks.push({
        name: s.name,
        valid: errors === 0,
        errors,
        warnings: report.findings.length - errors,
        checked: report.checked,
        unchecked: report.unchecked,
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
