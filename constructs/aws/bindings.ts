import type { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import type { Vpc } from "@cdktf/provider-aws/lib/vpc/index.js";
import type { Subnet } from "@cdktf/provider-aws/lib/subnet/index.js";
import type { Ec2SubnetCidrReservation } from "@cdktf/provider-aws/lib/ec2-subnet-cidr-reservation/index.js";
import type { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway/index.js";
import type { RouteTable } from "@cdktf/provider-aws/lib/route-table/index.js";
import type { Route } from "@cdktf/provider-aws/lib/route/index.js";
import type { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association/index.js";
import type { VpcDhcpOptions } from "@cdktf/provider-aws/lib/vpc-dhcp-options/index.js";
import type { VpcDhcpOptionsAssociation } from "@cdktf/provider-aws/lib/vpc-dhcp-options-association/index.js";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group/index.js";
import type { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js";
import type { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule/index.js";
import type { KeyPair } from "@cdktf/provider-aws/lib/key-pair/index.js";
import type { Instance } from "@cdktf/provider-aws/lib/instance/index.js";
import type { Eip } from "@cdktf/provider-aws/lib/eip/index.js";
import type { EipAssociation } from "@cdktf/provider-aws/lib/eip-association/index.js";
import type { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume/index.js";
import type { VolumeAttachment } from "@cdktf/provider-aws/lib/volume-attachment/index.js";
import type { Route53Record } from "@cdktf/provider-aws/lib/route53-record/index.js";
import type { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone/index.js";
import type { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami/index.js";
import type { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet/index.js";
import { loadOptional, type OptionalPackage } from "../../lib/providers/optional.ts";

/** Bindings for hashicorp/aws 5.100.0, which stacks on `aws()` are made of (the version pinned in package.json's peerDependencies). */
export const AWS_PROVIDER_PACKAGE: OptionalPackage = {
  name: "@cdktf/provider-aws",
  version: "20.1.0",
  purpose: "the Terraform bindings for hashicorp/aws 5.100.0, which stacks on aws() are built from",
};

/**
 * The classes of @cdktf/provider-aws the AWS driver uses. Only types are imported above (they
 * vanish at run time); the modules themselves are loaded on first use, one deep path each, so
 * a stack on another cloud never needs the package installed.
 */
export interface AwsBindings {
  readonly AwsProvider: typeof AwsProvider;
  readonly Vpc: typeof Vpc;
  readonly Subnet: typeof Subnet;
  readonly Ec2SubnetCidrReservation: typeof Ec2SubnetCidrReservation;
  readonly InternetGateway: typeof InternetGateway;
  readonly RouteTable: typeof RouteTable;
  readonly Route: typeof Route;
  readonly RouteTableAssociation: typeof RouteTableAssociation;
  readonly VpcDhcpOptions: typeof VpcDhcpOptions;
  readonly VpcDhcpOptionsAssociation: typeof VpcDhcpOptionsAssociation;
  readonly SecurityGroup: typeof SecurityGroup;
  readonly VpcSecurityGroupIngressRule: typeof VpcSecurityGroupIngressRule;
  readonly VpcSecurityGroupEgressRule: typeof VpcSecurityGroupEgressRule;
  readonly KeyPair: typeof KeyPair;
  readonly Instance: typeof Instance;
  readonly Eip: typeof Eip;
  readonly EipAssociation: typeof EipAssociation;
  readonly EbsVolume: typeof EbsVolume;
  readonly VolumeAttachment: typeof VolumeAttachment;
  readonly Route53Record: typeof Route53Record;
  readonly DataAwsRoute53Zone: typeof DataAwsRoute53Zone;
  readonly DataAwsAmi: typeof DataAwsAmi;
  readonly DataAwsSubnet: typeof DataAwsSubnet;
}

/** Class name → the provider's folder under lib/ (its module is `lib/<folder>/index.js`). */
const MODULES: Record<keyof AwsBindings, string> = {
  AwsProvider: "provider",
  Vpc: "vpc",
  Subnet: "subnet",
  Ec2SubnetCidrReservation: "ec2-subnet-cidr-reservation",
  InternetGateway: "internet-gateway",
  RouteTable: "route-table",
  Route: "route",
  RouteTableAssociation: "route-table-association",
  VpcDhcpOptions: "vpc-dhcp-options",
  VpcDhcpOptionsAssociation: "vpc-dhcp-options-association",
  SecurityGroup: "security-group",
  VpcSecurityGroupIngressRule: "vpc-security-group-ingress-rule",
  VpcSecurityGroupEgressRule: "vpc-security-group-egress-rule",
  KeyPair: "key-pair",
  Instance: "instance",
  Eip: "eip",
  EipAssociation: "eip-association",
  EbsVolume: "ebs-volume",
  VolumeAttachment: "volume-attachment",
  Route53Record: "route53-record",
  DataAwsRoute53Zone: "data-aws-route53-zone",
  DataAwsAmi: "data-aws-ami",
  DataAwsSubnet: "data-aws-subnet",
};

let loaded: AwsBindings | undefined;

/** The bindings, loaded the first time an AWS stack asks (about 40 ms); throws a ConfigError when the package is missing. */
export function awsBindings(): AwsBindings {
  if (!loaded) {
    const out: Record<string, unknown> = {};
    for (const [name, folder] of Object.entries(MODULES)) {
      out[name] = loadOptional<Record<string, unknown>>(AWS_PROVIDER_PACKAGE, `lib/${folder}/index.js`)[name];
    }
    loaded = out as unknown as AwsBindings;
  }
  return loaded;
}
