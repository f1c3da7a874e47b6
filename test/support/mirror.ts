import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The local Terraform provider mirror the development and CI machines keep (hashicorp/aws
 * 5.100.0, matching @cdktf/provider-aws 20.1.0): DROVER_TF_PLUGIN_DIR, else /opt/tf-plugins.
 */
export const AWS_PROVIDER_VERSION = "5.100.0";
export const PLUGIN_DIR = process.env.DROVER_TF_PLUGIN_DIR || "/opt/tf-plugins";
const PLATFORM = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;

export function hasAwsProvider(what = "the AWS provider tests"): boolean {
  const dir = join(PLUGIN_DIR, "registry.terraform.io/hashicorp/aws", AWS_PROVIDER_VERSION, PLATFORM);
  const ok = existsSync(dir);
  if (!ok) {
    console.warn(
      `[skip] hashicorp/aws ${AWS_PROVIDER_VERSION} is not in the plugin mirror (${dir} is missing), so ${what} are skipped (set DROVER_TF_PLUGIN_DIR to a filesystem mirror that holds it).`,
    );
  }
  return ok;
}
