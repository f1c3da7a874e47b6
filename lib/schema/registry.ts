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

/** The schema files drover ships, loaded once per process. */
export function builtinProviders(): LoadedProvider[] {
  const path = join(PROVIDERS_DIR, "openstack/schema.json");
  let loaded = cache.get(path);
  if (!loaded) {
    loaded = loadSchemaFile(path);
    cache.set(path, loaded);
  }
  return loaded;
}
