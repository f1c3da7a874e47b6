import { AWS } from "../../lib/clouds/aws/facts.ts";
import { AWS_INSTANCE_TYPES } from "../../lib/catalog/aws-instances.ts";
import { describeValue } from "../../lib/props/check.ts";
import { checkProps } from "../../lib/props/schemas.ts";
import { IssueCollector } from "../../lib/errors.ts";
import { nearestMatches, orList } from "../../lib/naming.ts";
import type { DriverContext, NetworkLookup } from "../cloud.ts";
import { AwsDriver } from "./driver.ts";
import { AWS_IMAGES } from "./images.ts";
import type { AwsProfile } from "./profile-type.ts";

// Exported from here as before: `drover` (constructs/index.ts) exports this file.
export type { AwsProfile };

export interface AwsProps {
  /** The AWS region, e.g. "us-east-2". */
  readonly region: string;
  /**
   * Named profile of the AWS config and credentials files to authenticate with.
   * @default - the provider's usual chain: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, instance roles
   */
  readonly profile?: string;
  /**
   * Network machines join when none is given: `"new"` creates a VPC with one public subnet, an
   * internet gateway and a route table per stack; `{ id: "subnet-..." }` or `{ name }` (the
   * subnet's Name tag) uses an existing subnet, and its VPC.
   * @default "new"
   */
  readonly vpc?: "new" | NetworkLookup;
  /**
   * A Route 53 public hosted zone the account holds (e.g. "lab.example.org"), where constructs
   * may create records for their public addresses.
   * @default - none: constructs need a domain of their own
   */
  readonly hostedZone?: string;
}

/** The commercial regions with EC2 (AWS documentation, "Regions and Zones"). */
export const AWS_REGIONS: readonly string[] = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "ca-west-1",
  "mx-central-1",
  "sa-east-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "af-south-1",
  "me-south-1",
  "me-central-1",
  "il-central-1",
  "ap-east-1",
  "ap-east-2",
  "ap-south-1",
  "ap-south-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-7",
  "us-gov-east-1",
  "us-gov-west-1",
];

const REGION_FORM = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const ZONE_NAME = /^(?=.{1,253}\.?$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]\.?$/;

/**
 * Amazon Web Services: EC2 instances sized from drover's catalog of current x86_64 types (the
 * cheapest type that fits a `{ vcpus, memoryGiB }` requirement), Ubuntu 24.04 from Canonical by
 * default, encrypted EBS volumes, Elastic IPs and Route 53. Authentication is the provider's:
 * the AWS config files or the AWS_* environment variables.
 *
 * Differences from Jetstream2 a person should know: a machine without `publicAddress` has no
 * internet access (drover creates no NAT gateway, which bills by the hour); sizes are EC2
 * instance types ("m7i.large"), and Jetstream2 flavor names are rejected with the nearest type;
 * managed Kubernetes, shares and application credentials are not offered, so the cluster
 * constructs report that they need an OpenStack cloud.
 *
 * @example
 * new DroverStack(app, "dev-vm", { cloud: aws({ region: "us-east-2" }) });
 */
export function aws(props: AwsProps): AwsProfile {
  const issues = new IssueCollector("aws()");
  for (const p of checkProps("aws", props, "profile")) issues.add(p.code, p.message);
  issues.throwIfAny();
  const region = props?.region;
  if (typeof region !== "string" || !REGION_FORM.test(region)) {
    const near = typeof region === "string" ? nearestMatches(region, AWS_REGIONS) : [];
    issues.add("profile.bad-region", `'region' ${JSON.stringify(region)} is not an AWS region${near.length ? `: did you mean ${orList(near.map((r) => `"${r}"`))}?` : ` (e.g. "us-east-2")`}`);
  }
  if (props?.profile !== undefined && (typeof props.profile !== "string" || props.profile.trim() === "")) {
    issues.add("profile.empty", `'profile' must be a non-empty string, got ${describeValue(props.profile)}`);
  }
  const vpc = props?.vpc ?? "new";
  if (vpc !== "new") {
    if (typeof vpc !== "object" || vpc === null || (!vpc.name && !vpc.id) || (vpc.name && vpc.id)) {
      issues.add("profile.bad-network", `'vpc' must be "new", { id: "subnet-..." } or { name: "<the subnet's Name tag>" }, got ${describeValue(vpc)}`);
    } else if (vpc.id !== undefined && !SUBNET_ID.test(vpc.id)) {
      issues.add(
        "profile.bad-network",
        `'vpc.id' "${vpc.id}" is not a subnet ID: name the subnet machines join ("subnet-0123456789abcdef0"), not ${vpc.id.startsWith("vpc-") ? "its VPC" : "another resource"}`,
      );
    }
  }
  if (props?.hostedZone !== undefined && (typeof props.hostedZone !== "string" || !ZONE_NAME.test(props.hostedZone))) {
    issues.add("profile.bad-zone", `'hostedZone' ${JSON.stringify(props.hostedZone)} is not a DNS zone name (e.g. "lab.example.org")`);
  }
  issues.throwIfAny();
  const profile = props.profile;
  return {
    kind: "aws",
    facts: AWS,
    name: "aws",
    region,
    summary: `AWS, region ${region}${profile ? `, profile "${profile}"` : ""}`,
    flavors: AWS_INSTANCE_TYPES,
    images: AWS_IMAGES,
    defaultImage: "ubuntu-24.04",
    defaultNetwork: vpc,
    ...(props.hostedZone ? { dnsZone: props.hostedZone.endsWith(".") ? props.hostedZone : `${props.hostedZone}.` } : {}),
    ...(profile ? { awsProfile: profile } : {}),
    createDriver(context: DriverContext) {
      return new AwsDriver(context, this as AwsProfile);
    },
  };
}
