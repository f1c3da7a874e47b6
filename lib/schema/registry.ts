import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../paths.ts";
import type { LoadedProvider, ProviderSchemaFile } from "./types.ts";

/** Where drover keeps the provider schema files it owns. */
export const PROVIDERS_DIR = join(packageRoot(), "providers");

/** Reads a schema file and returns each provider in it. */
export function loadSchemaFile(path: string): LoadedProvider[] {
  const file = JSON.parse(readFileSync(path, "utf8")) as ProviderSchemaFile;
  return Object.entries(file.provider_schemas).map(([fqpn, schema]) => {
    const parts = fqpn.split("/");
    const version = file.provider_versions?.[fqpn];
    return {
      name: parts[parts.length - 1] ?? fqpn,
      fqpn,
      source: parts.slice(-2).join("/"),
      schema,
      ...(version ? { version } : {}),
    };
  });
}

const cache = new Map<string, LoadedProvider[]>();

/**
 * The schema files drover ships, loaded once per process: terraform-provider-openstack's, and
 * the part of hashicorp/tls drover uses (a JupyterHubCluster's k3s CA), written from its
 * documentation (docs/resources/private_key.md, self_signed_cert.md of terraform-provider-tls).
 */
export function builtinProviders(): LoadedProvider[] {
  return ["openstack/schema.json", "tls/schema.json"].flatMap((file) => {
    const path = join(PROVIDERS_DIR, file);
    let loaded = cache.get(path);
    if (!loaded) {
      loaded = loadSchemaFile(path);
      cache.set(path, loaded);
    }
    return loaded;
  });
}
