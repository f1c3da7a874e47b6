/** What cost is counted in: Jetstream2's service units, or US dollars on the commercial clouds. */
export type Currency = "SU" | "USD";

/** A cost per hour, in the stack's currency: with its machines as Terraform keeps them, and at full scale. */
export interface PerHour {
  readonly idle: number;
  readonly fullScale: number;
}
