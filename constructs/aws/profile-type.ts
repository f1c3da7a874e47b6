import type { CloudProfile } from "../cloud.ts";

// Apart from profile.ts, which creates the driver, and from driver.ts, whose provider package is
// optional: both import it, and `drover`'s own types never reach a driver.

/** AWS: what the AWS driver needs beyond the generic profile. */
export interface AwsProfile extends CloudProfile {
  readonly kind: "aws";
  /** The named profile of the AWS config files the provider authenticates with, when given in code. */
  readonly awsProfile?: string;
}
