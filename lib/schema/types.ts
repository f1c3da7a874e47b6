/**
 * The shape of `terraform providers schema -json`, plus one extension of ours: `force_new` on an
 * attribute or block type marks arguments whose change makes the provider replace the resource.
 */
export type SchemaType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | readonly ["list" | "set" | "map", SchemaType]
  | readonly ["object", Readonly<Record<string, SchemaType>>]
  | readonly ["tuple", readonly SchemaType[]];

export interface SchemaAttribute {
  readonly type?: SchemaType;
  readonly description?: string;
  readonly description_kind?: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  readonly deprecated?: boolean;
  readonly force_new?: boolean;
}

export interface SchemaBlockType {
  readonly nesting_mode: "single" | "group" | "list" | "set" | "map";
  readonly block: SchemaBlock;
  readonly min_items?: number;
  readonly max_items?: number;
  readonly force_new?: boolean;
}

export interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
  readonly block_types?: Readonly<Record<string, SchemaBlockType>>;
  readonly description?: string;
  readonly description_kind?: string;
  readonly deprecated?: boolean;
}

export interface SchemaRepresentation {
  readonly version: number;
  readonly block: SchemaBlock;
}

export interface ProviderSchema {
  readonly provider?: SchemaRepresentation;
  readonly resource_schemas?: Readonly<Record<string, SchemaRepresentation>>;
  readonly data_source_schemas?: Readonly<Record<string, SchemaRepresentation>>;
}

export interface ProviderSchemaFile {
  readonly format_version: string;
  readonly provider_versions?: Readonly<Record<string, string>>;
  readonly provider_schemas: Readonly<Record<string, ProviderSchema>>;
}

/** A provider's schema with what identifies it. */
export interface LoadedProvider {
  /** Local name, the type prefix: the provider's name, the part of a resource type before the first `_`. */
  readonly name: string;
  /** `registry.terraform.io/terraform-provider-openstack/openstack`. */
  readonly fqpn: string;
  /** `terraform-provider-openstack/openstack`. */
  readonly source: string;
  readonly version?: string;
  readonly schema: ProviderSchema;
}
