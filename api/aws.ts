/**
 * `drover/aws`: Amazon Web Services, with the types of `@cdktf/provider-aws` (install it next to
 * drover: `npm install @cdktf/provider-aws@20.1.0`). The profile itself, `aws()`, is in `drover` too.
 */
export { aws, AWS_REGIONS, type AwsProfile, type AwsProps } from "../constructs/aws/profile.ts";
export { AwsDriver, AWS_USER_DATA_MAX_BYTES } from "../constructs/aws/driver.ts";
export { AWS_IMAGES, type AwsImage } from "../constructs/aws/images.ts";
export { awsBindings, type AwsBindings } from "../constructs/aws/bindings.ts";
