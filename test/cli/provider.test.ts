import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DROVER_BIN, makeProject } from "../support/project.ts";
import { startSsmMock, type SsmMock } from "../support/aws-ssm-mock.ts";
import { AWS_PROVIDER_VERSION, PLUGIN_DIR, hasAwsProvider } from "../support/mirror.ts";
import { terraformEnv } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A provider-schema cache of this test's own, so the first plan fetches the schema. */
const cache = mkdtempSync(join(tmpdir(), "drover-schemas-"));

/**
 * A stack with a real provider: hashicorp/aws from the local mirror (`--plugin-dir`), against a
 * small SSM service on 127.0.0.1. drover deploys it, sees a change made behind terraform's back
 * as drift, and destroys it.
 */
function app(url: string): string {
  return `import { App, TerraformStack } from "cdktf";
const app = new App();
const stack = new TerraformStack(app, "params");
stack.addOverride("terraform.required_providers.aws", { source: "hashicorp/aws", version: "${AWS_PROVIDER_VERSION}" });
stack.addOverride("provider.aws", [{
  region: "us-east-2", access_key: "mock", secret_key: "mock",
  skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true,
  endpoints: [{ ssm: "${url}" }],
}]);
stack.addOverride("resource.aws_ssm_parameter.setting", { name: "/drover/setting", type: "String", insecure_value: "one" });
app.synth();
`;
}

/** The real CLI, without blocking this process (the SSM service answers from its event loop). */
function drover(cwd: string, args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries({ ...terraformEnv(), NO_COLOR: "1", DROVER_CACHE_DIR: cache, ...extra }).filter(([k]) => !k.startsWith("AWS_")));
  const child = spawn(process.execPath, [DROVER_BIN, ...args], { cwd, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install") && hasAwsProvider("the --plugin-dir tests"))("a real provider from --plugin-dir", { timeout: 240_000 }, () => {
  let ssm: SsmMock;
  beforeAll(async () => {
    ssm = await startSsmMock();
  });
  afterAll(async () => ssm?.close());

  // Four terraform runs, each starting the AWS provider: about a minute, longer on a busy machine.
  it("deploys, shows drift from a change made outside terraform, and destroys", async () => {
    const dir = makeProject({ "main.ts": app(ssm.url) });
    const deployed = await drover(dir, ["deploy", "params", "--yes", "--plugin-dir", PLUGIN_DIR]);
    expect(deployed.stderr).toContain('target: AWS profile "default", region us-east-2; state in terraform.params.tfstate (local)');
    expect(deployed.code).toBe(0);
    expect(ssm.valueOf("/drover/setting")).toBe("one");

    ssm.setValue("/drover/setting", "changed-outside");
    const plan = await drover(dir, ["plan", "params", "--verbose", "--plugin-dir", PLUGIN_DIR]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("Drift: changed outside Terraform since the last apply");
    expect(plan.stdout).toContain('insecure_value: "one" → "changed-outside"');
    expect(plan.stdout).toMatch(/~ update\s+params\/setting|~ update\s+aws_ssm_parameter\.setting/);

    // drover read terraform's plan file itself (the provider schema cached by the deploy), and
    // terraform show -json, asked instead, describes the same plan.
    const fast = await drover(dir, ["plan", "params", "--json", "--plugin-dir", PLUGIN_DIR], { DROVER_TIMING: "1" });
    expect(fast.stderr).toContain("params: plan file read");
    const slow = await drover(dir, ["plan", "params", "--json", "--plugin-dir", PLUGIN_DIR], { DROVER_TIMING: "1", DROVER_PLAN_READER: "show" });
    expect(slow.stderr).toContain("params: terraform show -json (DROVER_PLAN_READER=show)");
    expect(JSON.parse(fast.stdout)).toEqual(JSON.parse(slow.stdout));
    expect(JSON.parse(fast.stdout).plans[0].plan.drift).toHaveLength(1);

    const destroyed = await drover(dir, ["destroy", "params", "--yes", "--plugin-dir", PLUGIN_DIR]);
    expect(destroyed.code).toBe(0);
    expect(ssm.valueOf("/drover/setting")).toBeUndefined();
  });
});
