import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { yaml } from "../vendor.ts";

/**
 * Where a stack lands, in words, shown before anything is applied: which cloud account or
 * project (the common mistake on research clouds is the wrong allocation) and where its state
 * is kept.
 */
// biome-ignore lint/suspicious/noExplicitAny: Terraform JSON and clouds.yaml, read by walking them
type Json = Record<string, any>;

function cloudsYaml(cwd: string, env: NodeJS.ProcessEnv): Json | undefined {
  const candidates = [env.OS_CLIENT_CONFIG_FILE, join(cwd, "clouds.yaml"), join(homedir(), ".config/openstack/clouds.yaml"), "/etc/openstack/clouds.yaml"];
  for (const file of candidates) {
    if (file && existsSync(file)) {
      try {
        return yaml().parse(readFileSync(file, "utf8")) as Json;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function openstackTarget(provider: Json, cwd: string, env: NodeJS.ProcessEnv): string {
  const cloud = provider.cloud ?? env.OS_CLOUD;
  const entry = cloud ? cloudsYaml(cwd, env)?.clouds?.[cloud] : undefined;
  const project = provider.tenant_name ?? env.OS_PROJECT_NAME ?? env.OS_TENANT_NAME ?? entry?.auth?.project_name;
  const region = provider.region ?? env.OS_REGION_NAME ?? entry?.region_name;
  const authUrl = provider.auth_url ?? env.OS_AUTH_URL ?? entry?.auth?.auth_url;
  const where = [cloud && `cloud "${cloud}"`, region && `region ${region}`, authUrl].filter(Boolean).join(", ");
  if (!project && !cloud) return `OpenStack, no project selected (set OS_CLOUD or source your allocation's openrc)${where ? `; ${where}` : ""}`;
  return `OpenStack project ${project ? `"${project}"` : "(from clouds.yaml)"}${where ? ` (${where})` : ""}`;
}

function awsTarget(provider: Json, env: NodeJS.ProcessEnv): string {
  const profile = provider.profile ?? env.AWS_PROFILE ?? "default";
  const region = provider.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return `AWS profile "${profile}"${region ? `, region ${region}` : ""}`;
}

function stateWhere(config: Json, root: string, stackDir: string | undefined): string {
  const backend = config.terraform?.backend ?? {};
  const [kind, settings] = Object.entries(backend as Json)[0] ?? ["local", {}];
  const s = (settings ?? {}) as Json;
  switch (kind) {
    case "local": {
      const path = s.path ?? "terraform.tfstate";
      return `state in ${stackDir ? relative(root, resolve(stackDir, path)) : path} (local)`;
    }
    case "s3":
      return `state in s3://${s.bucket}/${s.key}${s.endpoint || s.endpoints?.s3 ? ` at ${s.endpoint ?? s.endpoints.s3}` : ""}`;
    case "pg":
      return `state in PostgreSQL${s.schema_name ? ` schema ${s.schema_name}` : ""}`;
    case "http":
      return `state at ${s.address}`;
    default:
      return `state in the ${kind} backend`;
  }
}

/** One line: the account or project, and where the state lives. */
export function describeTarget(config: Json, cwd: string, env: NodeJS.ProcessEnv = process.env, stackDir?: string): string {
  const providers = (config.provider ?? {}) as Record<string, Json[]>;
  const parts: string[] = [];
  if (providers.openstack) parts.push(openstackTarget(providers.openstack[0] ?? {}, cwd, env));
  if (providers.aws) parts.push(awsTarget(providers.aws[0] ?? {}, env));
  if (providers.google) parts.push(`Google Cloud project "${providers.google[0]?.project ?? env.GOOGLE_CLOUD_PROJECT ?? "(default)"}"`);
  if (providers.azurerm) parts.push(`Azure subscription ${providers.azurerm[0]?.subscription_id ?? env.ARM_SUBSCRIPTION_ID ?? "(default)"}`);
  if (parts.length === 0) parts.push("no cloud account (Terraform built-ins only)");
  return `${parts.join("; ")}; ${stateWhere(config, cwd, stackDir)}`;
}
