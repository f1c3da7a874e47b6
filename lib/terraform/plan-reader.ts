import semver from "semver";
import type { TerraformPlanJson } from "../plan/from-terraform.ts";
import { mark } from "../timing.ts";
import { readPlanFile } from "./planfile.ts";
import { fetchSchemas, schemasFor } from "./provider-schemas.ts";
import { assertJsonPlan, type Terraform } from "./terraform.ts";

/** Terraform versions whose plan files drover reads itself (checked against 1.11; the format is 3 throughout). */
const READS_PLAN_FILES_OF = ">=1.5.0 <2.0.0";

export interface ReadPlan {
  readonly json: TerraformPlanJson;
  /** How it was read: from the plan file, or by `terraform show -json` (and why). */
  readonly via: "plan file" | "terraform show";
  readonly fallbackReason?: string;
}

/**
 * Reads the plans of one stack's terraform. Made before `terraform plan` runs: when a provider's
 * schema is not cached yet, it is fetched meanwhile (provider-schemas.ts). Reading falls back to
 * `terraform show -json` for OpenTofu, for Terraform versions outside the checked range, when
 * DROVER_PLAN_READER=show, and on anything unexpected in the file, so the plan is never lost
 * to this shortcut.
 */
export function planReader(terraform: Terraform): { read(planFile: string): Promise<ReadPlan> } {
  const { binary, env } = terraform;
  let unavailable: string | undefined;
  if (env.DROVER_PLAN_READER === "show") unavailable = "DROVER_PLAN_READER=show";
  else if (binary.kind !== "terraform") unavailable = `${binary.kind} plan files are read by show -json`;
  else if (!semver.satisfies(semver.coerce(binary.version) ?? "0.0.0", READS_PLAN_FILES_OF)) unavailable = `terraform ${binary.version} is outside ${READS_PLAN_FILES_OF}`;
  const schemas = unavailable ? undefined : schemasFor(terraform.dir, binary, env);
  const missing = schemas?.missing() ?? [];
  const fetching = schemas && missing.length > 0 ? fetchSchemas(terraform.dir, binary, schemas, env) : Promise.resolve();
  fetching.catch(() => undefined); // awaited (and reported) in read
  return {
    async read(planFile) {
      let reason = unavailable;
      if (schemas && !reason) {
        try {
          await fetching;
          const json = await readPlanFile(planFile, schemas);
          mark(`${terraform.stack}: plan file read`);
          return { json, via: "plan file" };
        } catch (e) {
          reason = e instanceof Error ? e.message : String(e);
        }
      }
      const json = await terraform.show(planFile);
      assertJsonPlan(json);
      mark(`${terraform.stack}: terraform show -json (${reason})`);
      return { json: json as TerraformPlanJson, via: "terraform show", ...(reason ? { fallbackReason: reason } : {}) };
    },
  };
}
