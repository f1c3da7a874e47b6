/**
 * The kinds of cloud drover synthesizes for, declared once. A profile's `kind`, a facts
 * record's `kind` and every table keyed by cloud use this type.
 */
export const CLOUD_KINDS = ["openstack", "aws", "gcp", "azure"] as const;

export type CloudKind = (typeof CLOUD_KINDS)[number];

export function isCloudKind(value: unknown): value is CloudKind {
  return typeof value === "string" && (CLOUD_KINDS as readonly string[]).includes(value);
}
