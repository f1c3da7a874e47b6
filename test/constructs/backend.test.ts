import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DroverStack, type BackendSpec } from "../../constructs/index.ts";
import { fullSynthJson } from "../support/synth.ts";
import { nullCloud } from "../support/null-cloud.ts";

/** The `terraform.backend` block of a stack synthesized in a project directory. */
function backendOf(spec: BackendSpec | undefined, config?: unknown): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), "drover-backend-"));
  if (config) writeFileSync(join(dir, "drover.config.json"), JSON.stringify(config));
  process.chdir(dir);
  const app = new App({ outdir: join(dir, "cdktf.out") });
  const stack = new DroverStack(app, "lab", { cloud: nullCloud(), owner: "t", ...(spec ? { backend: spec } : {}) });
  return fullSynthJson(app, stack).terraform.backend;
}

describe("state backends", () => {
  const cwd = process.cwd();
  beforeEach(() => delete process.env.DROVER_OUTPUT_DIR);
  afterEach(() => process.chdir(cwd));

  it("keeps local state in the project by default", () => {
    expect(backendOf(undefined)).toEqual({ local: { path: "../../../terraform.lab.tfstate" } });
  });

  it("points S3 at an S3-compatible object store, with the AWS-only checks off and a lock file", () => {
    expect(backendOf({ type: "s3", bucket: "tfstate", endpoint: "https://js2.jetstream-cloud.org:8001" })).toEqual({
      s3: {
        bucket: "tfstate",
        key: "drover/lab.tfstate",
        region: "us-east-1",
        encrypt: false,
        endpoints: { s3: "https://js2.jetstream-cloud.org:8001" },
        use_path_style: true,
        skip_credentials_validation: true,
        skip_region_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_s3_checksum: true,
        use_lockfile: true,
      },
    });
  });

  it("uses AWS S3 as is, with encryption, or a DynamoDB lock table", () => {
    expect(backendOf({ type: "s3", bucket: "lab-state", region: "us-east-2", lock: "dynamodb", dynamodbTable: "locks" })).toEqual({
      s3: { bucket: "lab-state", key: "drover/lab.tfstate", region: "us-east-2", encrypt: true, dynamodb_table: "locks" },
    });
  });

  it("takes PostgreSQL from drover.config.json, with a schema per stack", () => {
    expect(backendOf(undefined, { backend: { type: "pg", connStr: "postgres://tf@db.lab:5432/terraform" } })).toEqual({
      pg: { conn_str: "postgres://tf@db.lab:5432/terraform", schema_name: "drover_lab" },
    });
  });

  it("lets a stack's entry in the file win over the default, and code win over the file", () => {
    const config = { backend: { type: "pg" }, stacks: { lab: { backend: { type: "http", address: "https://state.lab/lab" } } } };
    expect(backendOf(undefined, config)).toEqual({ http: { address: "https://state.lab/lab" } });
    expect(backendOf({ type: "local", path: "state/lab.tfstate" }, config)).toEqual({ local: { path: "../../../state/lab.tfstate" } });
  });

  it("never writes credentials: pg without conn_str leaves it to PG_CONN_STR", () => {
    expect(backendOf({ type: "pg" })).toEqual({ pg: { conn_str: "", schema_name: "drover_lab" } });
  });
});
