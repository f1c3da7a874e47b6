import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFromTerraform, type TerraformPlanJson } from "../../lib/plan/from-terraform.ts";
import type { Plan, ResourceChange } from "../../lib/plan/model.ts";
import { startSsmMock } from "../support/aws-ssm-mock.ts";
import { hasTool } from "../support/tools.ts";
import { AWS_PROVIDER_VERSION as AWS_VERSION, PLUGIN_DIR, hasAwsProvider } from "../support/mirror.ts";

/**
 * Drift as terraform really reports it: the real terraform and the real hashicorp/aws provider
 * manage an `aws_ssm_parameter` in a fake SSM on 127.0.0.1; the parameter is then changed behind
 * Terraform's back, and `terraform plan` sees it. drover must list the change in `plan.drift`,
 * the update back in `plan.resources`, and never carry a sensitive value in clear.
 */

const PARAMETER = "/drover/test";

const canRun = hasTool("terraform", "install Terraform 1.11 (https://developer.hashicorp.com/terraform/install)") && hasAwsProvider("the drift tests");

const execFileAsync = promisify(execFile);

/** terraform with no user configuration, no version check, and no AWS settings from whoever runs the tests. */
function terraformEnv(dir: string): NodeJS.ProcessEnv {
  const rc = join(dir, "empty.terraformrc");
  writeFileSync(rc, "");
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
  return { ...inherited, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
}

/** Runs terraform without blocking: the fake SSM answers from this process's event loop. */
async function terraform(dir: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync("terraform", args, { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 180_000 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`terraform ${args.join(" ")} failed: ${err.message}\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
}

type ValueAttribute = "value" | "insecure_value";

/** The stack as cdktf would write it: one parameter, with its construct path in the `//` metadata. */
function mainTf(ssmUrl: string, attribute: ValueAttribute): Record<string, unknown> {
  return {
    terraform: { required_providers: { aws: { source: "hashicorp/aws", version: AWS_VERSION } } },
    provider: {
      aws: {
        region: "us-east-2",
        access_key: "mock",
        secret_key: "mock",
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        // sts too, so that a call the test does not expect lands in the mock, not on the internet.
        endpoints: [{ ssm: ssmUrl, sts: ssmUrl }],
      },
    },
    resource: {
      aws_ssm_parameter: {
        setting: { "//": { metadata: { path: "drift/setting/Resource" } }, name: PARAMETER, type: "String", [attribute]: "one" },
      },
    },
  };
}

interface DriftRun {
  readonly dir: string;
  readonly json: TerraformPlanJson;
  readonly plan: Plan;
  /** SSM operations the provider called during `terraform apply`, and during `terraform plan`. */
  readonly applyCalls: readonly string[];
  readonly planCalls: readonly string[];
  /** What SSM held after the apply. */
  readonly storedAfterApply: string | undefined;
}

/** apply "one", change it to "changed-outside" in SSM, plan: terraform's JSON and drover's model of it. */
async function driftRun(attribute: ValueAttribute): Promise<DriftRun> {
  const mock = await startSsmMock();
  const dir = mkdtempSync(join(tmpdir(), "drover-drift-"));
  try {
    const env = terraformEnv(dir);
    const config = mainTf(mock.url, attribute);
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config, null, 2));
    await terraform(dir, env, "init", "-input=false", "-no-color", `-plugin-dir=${PLUGIN_DIR}`);
    await terraform(dir, env, "apply", "-auto-approve", "-input=false", "-no-color");
    const applyCalls = [...mock.calls];
    const storedAfterApply = mock.valueOf(PARAMETER);
    mock.setValue(PARAMETER, "changed-outside");
    await terraform(dir, env, "plan", "-out", "p", "-input=false", "-no-color");
    const planCalls = mock.calls.slice(applyCalls.length);
    const json = JSON.parse(await terraform(dir, env, "show", "-json", "p")) as TerraformPlanJson;
    return { dir, json, plan: planFromTerraform("drift", json, config), applyCalls, planCalls, storedAfterApply };
  } finally {
    await mock.close();
  }
}

const SENSITIVE = { kind: "sensitive" } as const;
const known = (value: unknown) => ({ kind: "known", value }) as const;

/** The parameter's entry, whatever its changes. */
function parameter(changes: ResourceChange["changes"]): ResourceChange {
  return {
    address: "aws_ssm_parameter.setting",
    mode: "managed",
    type: "aws_ssm_parameter",
    name: "setting",
    constructPath: "drift/setting/Resource",
    construct: "drift/setting",
    action: "update",
    changes,
    stateful: false,
    destructive: false,
  };
}

const ONE_UPDATE = { create: 0, update: 1, replace: 0, delete: 0, read: 0, noop: 0, forget: 0, destructive: 0, byConstruct: { "drift/setting": { update: 1 } } };

describe.runIf(canRun)(`drift reported by the real terraform and hashicorp/aws ${AWS_VERSION} against a fake SSM`, () => {
  const runs: DriftRun[] = [];
  afterAll(() => {
    for (const r of runs) rmSync(r.dir, { recursive: true, force: true });
  });

  describe("a sensitive `value` changed outside Terraform", () => {
    let run: DriftRun;
    beforeAll(async () => {
      run = await driftRun("value");
      runs.push(run);
    }, 300_000);

    it("GIVEN the parameter applied through the fake SSM, WHEN terraform plans, THEN the provider read it with the operations the fake implements", () => {
      expect(run.storedAfterApply).toBe("one");
      expect(run.applyCalls).toEqual(["PutParameter", "GetParameter", "DescribeParameters", "ListTagsForResource"]);
      expect(run.planCalls).toEqual(["GetParameter", "DescribeParameters", "ListTagsForResource"]);
    });

    it("THEN plan.drift holds one update: value sensitive on both sides, version 1 → 2", () => {
      expect(run.plan.drift).toStrictEqual([
        parameter([
          { path: "value", before: SENSITIVE, after: SENSITIVE, forcesReplacement: false },
          { path: "version", before: known(1), after: known(2), forcesReplacement: false },
        ]),
      ]);
    });

    it("THEN plan.resources holds the update back, still sensitive, and it counts as a change", () => {
      expect(run.plan.resources).toStrictEqual([
        parameter([
          // The provider marks insecure_value and version computed; terraform plans them as unknown.
          { path: "insecure_value", before: { kind: "absent" }, after: { kind: "unknown" }, forcesReplacement: false },
          { path: "value", before: SENSITIVE, after: SENSITIVE, forcesReplacement: false },
          { path: "version", before: known(2), after: { kind: "unknown" }, forcesReplacement: false },
        ]),
      ]);
      expect(run.plan.summary).toStrictEqual(ONE_UPDATE);
      expect(run.plan.hasChanges).toBe(true);
    });

    it("THEN the clear text, present in terraform's JSON, appears nowhere in drover's plan", () => {
      expect(JSON.stringify(run.json)).toContain('"changed-outside"');
      expect(JSON.stringify(run.plan)).not.toContain("changed-outside");
    });
  });

  describe("a clear `insecure_value` changed outside Terraform", () => {
    let run: DriftRun;
    beforeAll(async () => {
      run = await driftRun("insecure_value");
      runs.push(run);
    }, 300_000);

    it("GIVEN the parameter applied through the fake SSM, WHEN terraform plans, THEN the provider read it with the operations the fake implements", () => {
      expect(run.storedAfterApply).toBe("one");
      expect(run.applyCalls).toEqual(["PutParameter", "GetParameter", "DescribeParameters", "ListTagsForResource"]);
      expect(run.planCalls).toEqual(["GetParameter", "DescribeParameters", "ListTagsForResource"]);
    });

    it('THEN plan.drift holds one update: insecure_value "one" → "changed-outside", version 1 → 2', () => {
      expect(run.plan.drift).toStrictEqual([
        parameter([
          { path: "insecure_value", before: known("one"), after: known("changed-outside"), forcesReplacement: false },
          { path: "version", before: known(1), after: known(2), forcesReplacement: false },
        ]),
      ]);
    });

    it('THEN plan.resources holds the update back to "one", in clear', () => {
      expect(run.plan.resources).toStrictEqual([
        parameter([
          { path: "insecure_value", before: known("changed-outside"), after: known("one"), forcesReplacement: false },
          // value is computed (sensitive) when insecure_value is set; terraform plans it as unknown.
          { path: "value", before: { kind: "absent" }, after: { kind: "unknown" }, forcesReplacement: false },
        ]),
      ]);
      expect(run.plan.summary).toStrictEqual(ONE_UPDATE);
      expect(run.plan.hasChanges).toBe(true);
    });
  });
});
