import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** An environment for running the real terraform in tests: no user config, no version checks. */
export function terraformEnv(): NodeJS.ProcessEnv {
  const rc = join(mkdtempSync(join(tmpdir(), "drover-tfrc-")), "terraformrc");
  writeFileSync(rc, "");
  return { ...process.env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
}

/** A throw-away terraform working directory driven step by step, for plan JSON made by terraform itself. */
export class TerraformDir {
  readonly dir = mkdtempSync(join(tmpdir(), "drover-tf-"));
  readonly env = terraformEnv();

  write(config: Record<string, unknown>): this {
    writeFileSync(join(this.dir, "main.tf.json"), JSON.stringify(config, null, 2));
    return this;
  }

  run(...args: string[]): string {
    return execFileSync("terraform", args, { cwd: this.dir, env: this.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  init(): this {
    this.run("init", "-input=false", "-no-color");
    return this;
  }

  apply(): this {
    this.run("apply", "-auto-approve", "-input=false", "-no-color");
    return this;
  }

  /** `terraform plan -out` then `terraform show -json`: the plan file and the plan as terraform describes it. */
  planFileAndJson(...extra: string[]): { planFile: string; json: unknown } {
    this.run("plan", "-input=false", "-no-color", "-out=p.tfplan", ...extra);
    return { planFile: join(this.dir, "p.tfplan"), json: JSON.parse(this.run("show", "-json", "p.tfplan")) };
  }

  /** `terraform plan -out` then `terraform show -json`: the plan as terraform describes it. */
  planJson(...extra: string[]): unknown {
    this.run("plan", "-input=false", "-no-color", "-out=p.tfplan", ...extra);
    return JSON.parse(this.run("show", "-json", "p.tfplan"));
  }
}
