import { relative, resolve } from "node:path";
import { HttpBackend, LocalBackend, PgBackend, S3Backend, type TerraformBackend, type TerraformStack } from "cdktf";
import type { BackendSpec } from "../../lib/config/project-config.ts";

/**
 * The cdktf backend for a stack's state. Local state is pinned to the project directory
 * (`terraform.<stack>.tfstate`) whatever directory the app is synthesized from. S3 with an
 * `endpoint` means an S3-compatible store (an OpenStack object store's S3 API): the AWS-only
 * checks are skipped and paths are used instead of virtual hosts. Credentials are never
 * written: each backend reads them from its environment variables.
 */
export function createBackend(stack: TerraformStack, spec: BackendSpec): TerraformBackend {
  const id = stack.node.id;
  switch (spec.type) {
    case "local": {
      const outdir = process.env.DROVER_OUTPUT_DIR ?? "cdktf.out";
      const stackDir = resolve(outdir, "stacks", id);
      return new LocalBackend(stack, { path: relative(stackDir, resolve(spec.path ?? `terraform.${id}.tfstate`)) });
    }
    case "s3": {
      const compatible = spec.endpoint !== undefined;
      const backend = new S3Backend(stack, {
        bucket: spec.bucket,
        key: spec.key ?? `drover/${id}.tfstate`,
        region: spec.region ?? "us-east-1",
        encrypt: !compatible,
        ...(spec.profile ? { profile: spec.profile } : {}),
        ...(compatible
          ? {
              endpoints: { s3: spec.endpoint },
              usePathStyle: spec.usePathStyle ?? true,
              skipCredentialsValidation: true,
              skipRegionValidation: true,
              skipRequestingAccountId: true,
              skipMetadataApiCheck: true,
              skipS3Checksum: true,
            }
          : spec.usePathStyle !== undefined
            ? { usePathStyle: spec.usePathStyle }
            : {}),
        ...(spec.lock === "dynamodb" && spec.dynamodbTable ? { dynamodbTable: spec.dynamodbTable } : {}),
      });
      // Terraform 1.10+ locks S3 state with a lock object; cdktf 0.21 does not know the argument.
      if ((spec.lock ?? "lockfile") === "lockfile") backend.addOverride("use_lockfile", true);
      return backend;
    }
    case "pg":
      // An empty conn_str lets terraform take PG_CONN_STR (and libpq's PG* variables).
      return new PgBackend(stack, { connStr: spec.connStr ?? "", schemaName: spec.schemaName ?? `drover_${id.replace(/-/g, "_")}` });
    case "http":
      return new HttpBackend(stack, {
        address: spec.address,
        ...(spec.lockAddress ? { lockAddress: spec.lockAddress } : {}),
        ...(spec.unlockAddress ? { unlockAddress: spec.unlockAddress } : {}),
        ...(spec.username ? { username: spec.username } : {}),
      });
  }
}
