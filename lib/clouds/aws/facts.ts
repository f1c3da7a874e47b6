import { AWS_INSTANCE_TYPES, AWS_PRICES } from "../../catalog/aws-instances.ts";
import type { CloudFacts } from "../facts.ts";

/** AWS as drover uses it: EC2 instances, EBS volumes, a VPC, security groups, Route 53. */
export const AWS: CloudFacts = {
  kind: "aws",
  label: "AWS",
  provider: "aws",
  types: {
    machines: { aws_instance: { size: "instance_type" } },
    kubernetesClusters: { aws_eks_cluster: null },
    volumes: ["aws_ebs_volume"],
    networks: ["aws_vpc"],
    subnets: ["aws_subnet"],
    routers: ["aws_internet_gateway"],
    publicAddresses: ["aws_eip"],
    securityGroups: ["aws_security_group"],
    firewalls: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"],
    dnsRecords: ["aws_route53_record"],
    stateful: ["aws_ebs_volume", "aws_efs_file_system", "aws_s3_bucket", "aws_db_instance"],
  },
  metadataSource: "aws",
  pricing: {
    currency: "USD",
    catalog: { label: "AWS", sizes: AWS_INSTANCE_TYPES, region: AWS_PRICES.region, when: `on ${AWS_PRICES.takenOn}` },
  },
  projectQuota: false,
  shelving: false,
  k3sBlockStorage: false,
};
