import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { Instance } from "@cdktf/provider-aws/lib/instance/index.js";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume/index.js";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js";
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami/index.js";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet/index.js";
import { Network, Peer, Port, VirtualMachine, aws, type VirtualMachineProps } from "../../constructs/index.ts";
import { compact, fullSynthJson, newStack, only, resources, synthJson, validationIssues } from "../support/synth.ts";
import { ALLOW_DESTROY_CONTEXT } from "../../lib/app/synth-context.ts";
import { testPublicKey } from "../support/keys.ts";

const key = testPublicKey("me@laptop");
const base: VirtualMachineProps = { size: "m7i.large", allowSshFrom: ["203.0.113.0/24"], publicKey: key };
const onAws = () => ({ cloud: aws({ region: "us-east-2" }) });

function build(props: Partial<VirtualMachineProps> = {}, stackName = "dev-vm") {
  const { stack } = newStack(stackName, onAws());
  const vm = new VirtualMachine(stack, "box", { ...base, ...props });
  return { stack, vm, json: synthJson(stack) };
}

describe("VirtualMachine on AWS", () => {
  it("GIVEN defaults WHEN synthesized THEN a VPC, public subnet, security group, key pair and instance named after stack and construct", () => {
    const { stack, vm, json } = build();
    expect(Testing.synth(stack)).toHaveProviderWithProperties(AwsProvider, {
      region: "us-east-2",
      default_tags: [{ tags: { drover_stack: "dev-vm", drover_owner: "tester@example.edu" } }],
    });
    expect(only(json, "aws_vpc")).toMatchObject({ cidr_block: "10.0.0.0/24", enable_dns_hostnames: true, tags: { Name: "dev-vm-network-vpc" } });
    expect(only(json, "aws_subnet")).toMatchObject({ cidr_block: "10.0.0.0/24", map_public_ip_on_launch: false, vpc_id: expect.stringContaining("aws_vpc.") });
    expect(only(json, "aws_subnet")).not.toHaveProperty("availability_zone");
    expect(only(json, "aws_internet_gateway").vpc_id).toContain("aws_vpc.");
    expect(only(json, "aws_route")).toMatchObject({ destination_cidr_block: "0.0.0.0/0", gateway_id: expect.stringContaining("aws_internet_gateway.") });
    expect(only(json, "aws_route_table_association").depends_on).toEqual([expect.stringContaining("aws_route.")]);
    expect(only(json, "aws_security_group")).toMatchObject({ name: "dev-vm-box-sg", vpc_id: expect.stringContaining("aws_vpc."), description: "drover: firewall of dev-vm/box" });
    expect(only(json, "aws_key_pair")).toMatchObject({ key_name: expect.stringMatching(/^dev-vm-key-[a-z0-9]{8}$/), public_key: key });
    const instance = only(json, "aws_instance");
    expect(instance).toMatchObject({
      instance_type: "m7i.large",
      ami: "${data.aws_ami.Image-ubuntu-24-04.id}",
      subnet_id: expect.stringContaining("aws_subnet."),
      vpc_security_group_ids: [expect.stringContaining("aws_security_group.")],
      key_name: expect.stringContaining("aws_key_pair."),
      user_data_replace_on_change: true,
      tags: { Name: "dev-vm-box", drover_construct: "dev-vm/box" },
    });
    // On a routed network: EC2 gives it a public address at launch, its way out.
    expect(instance.associate_public_ip_address).toBe(true);
    expect(vm.loginUser).toBe("ubuntu");
    expect(json.output.box_ssh.value).toBe("ssh ubuntu@${aws_instance.box_45895026.private_ip}");
    expect(compact(json)).toMatchSnapshot();
  });

  it("requires IMDSv2 (session tokens, one hop) and exposes the instance tags to the machine", () => {
    expect(Testing.synth(build().stack)).toHaveResourceWithProperties(Instance, {
      metadata_options: { http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1, instance_metadata_tags: "enabled" },
    });
  });

  it("encrypts the gp3 root volume, 20 GiB unless rootVolumeGiB says otherwise", () => {
    expect(only(build().json, "aws_instance").root_block_device).toEqual({
      volume_type: "gp3",
      volume_size: 20,
      encrypted: true,
      delete_on_termination: true,
      tags: { Name: "dev-vm-box-root" },
    });
    expect(only(build({ rootVolumeGiB: 200 }).json, "aws_instance").root_block_device.volume_size).toBe(200);
  });

  it("finds Ubuntu 24.04 as Canonical's newest AMI, and a refreshed AMI does not rebuild the machine", () => {
    const { stack, json } = build();
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataAwsAmi, {
      owners: ["099720109477"],
      most_recent: true,
      filter: [
        { name: "name", values: ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"] },
        { name: "state", values: ["available"] },
      ],
    });
    expect(only(json, "aws_instance").lifecycle).toEqual({ ignore_changes: ["ami"], replace_triggered_by: [expect.stringMatching(/^terraform_data\.box_ImageName_\w+$/)] });
    expect(only(json, "terraform_data").input).toBe("ubuntu-24.04");
  });

  it("looks each image up once per stack, and takes an AMI ID as it is", () => {
    const { stack } = newStack("lab", onAws());
    new VirtualMachine(stack, "a", base);
    new VirtualMachine(stack, "b", base);
    new VirtualMachine(stack, "c", { ...base, image: "ubuntu-22.04" });
    new VirtualMachine(stack, "d", { ...base, image: "ami-0123456789abcdef0", sshUser: "ec2-user" });
    const json = synthJson(stack);
    expect(Object.keys(json.data.aws_ami).sort()).toEqual(["Image-ubuntu-22-04", "Image-ubuntu-24-04"]);
    const byName = (n: string) => Object.values(resources(json, "aws_instance")).find((i) => i.tags.Name === n)!;
    expect(byName("lab-a").ami).toBe(byName("lab-b").ami);
    expect(byName("lab-d").ami).toBe("ami-0123456789abcdef0");
    expect(byName("lab-d")).not.toHaveProperty("lifecycle");
  });

  it("rejects an image it cannot find, naming the ones it knows", () => {
    const { stack } = newStack("lab", onAws());
    expect(validationIssues(() => new VirtualMachine(stack, "box", { ...base, image: "rocky-9" }))).toEqual([
      `lab/box/Resource: 'image' "rocky-9" is not an image drover knows on AWS: use "ubuntu-24.04" or "ubuntu-22.04", or an AMI ID ("ami-0123456789abcdef0") with 'sshUser'`,
    ]);
  });

  it("opens SSH and ping only to the ranges given, IPv4 and IPv6, and all egress", () => {
    const { stack, json } = build({ allowSshFrom: ["203.0.113.0/24", "2001:db8::/32"], allowPingFrom: ["198.51.100.0/24", "2001:db8::/48"] });
    const rules = Object.values(resources(json, "aws_vpc_security_group_ingress_rule"));
    expect(rules).toHaveLength(4);
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, { ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "203.0.113.0/24", description: "ssh from 203.0.113.0/24" });
    expect(synth).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, { ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv6: "2001:db8::/32" });
    expect(synth).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, { ip_protocol: "icmp", from_port: 8, to_port: 0, cidr_ipv4: "198.51.100.0/24" });
    expect(synth).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, { ip_protocol: "icmpv6", from_port: 128, to_port: 0, cidr_ipv6: "2001:db8::/48" });
    expect(only(json, "aws_vpc_security_group_egress_rule")).toMatchObject({ ip_protocol: "-1", cidr_ipv4: "0.0.0.0/0" });
  });

  it("opens nothing when allowSshFrom is empty, and needs no key then", () => {
    const { json } = build({ allowSshFrom: [], publicKey: undefined });
    expect(resources(json, "aws_vpc_security_group_ingress_rule")).toEqual({});
    expect(resources(json, "aws_key_pair")).toEqual({});
    expect(only(json, "aws_instance")).not.toHaveProperty("key_name");
  });

  it("admits another machine's group, any port, and keeps rule descriptions to what EC2 accepts", () => {
    const { stack } = newStack("lab", onAws());
    const a = new VirtualMachine(stack, "a", base);
    const b = new VirtualMachine(stack, "b", base);
    b.connections.allowFrom(Peer.firewall(a.firewall), Port.allTraffic(), "all from a's group");
    b.connections.allowFrom(Peer.cidr("10.0.0.0/24"), Port.udpRange(60000, 61000), "mosh (client's side)");
    const rules = Object.values(resources(synthJson(stack), "aws_vpc_security_group_ingress_rule"));
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ip_protocol: "-1", referenced_security_group_id: expect.stringContaining("aws_security_group.a_Firewall"), description: "all from as group" }),
        expect.objectContaining({ ip_protocol: "udp", from_port: 60000, to_port: 61000, cidr_ipv4: "10.0.0.0/24", description: "mosh (clients side)" }),
      ]),
    );
  });

  it("has no public address unless asked, and then an Elastic IP bound after the internet route", () => {
    expect(resources(build().json, "aws_eip")).toEqual({});
    const { json } = build({ publicAddress: true });
    expect(only(json, "aws_eip")).toEqual({
      domain: "vpc",
      instance: "${aws_instance.box_45895026.id}",
      tags: { Name: "dev-vm-box-ip" },
      depends_on: [expect.stringContaining("aws_route_table_association.")],
    });
    expect(json.output.box_public_address.value).toBe("${aws_eip.box_PublicAddress_D358138D.public_ip}");
    expect(json.output.box_ssh.value).toBe("ssh ubuntu@${aws_eip.box_PublicAddress_D358138D.public_ip}");
    expect(compact(json)).toMatchSnapshot();
  });

  it("creates encrypted, protected gp3 volumes in the machine's zone, attached at /dev/sdf onwards and listed in its tags", () => {
    const { stack, json } = build({
      volumes: [
        { name: "data", sizeGiB: 100 },
        { name: "scratch", sizeGiB: 50, mountPath: "/scratch", protect: false, volumeType: "io2" },
      ],
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(EbsVolume, {
      size: 100,
      type: "gp3",
      encrypted: true,
      availability_zone: expect.stringMatching(/^\$\{aws_subnet\.network_Subnet_\w+\.availability_zone\}$/),
      tags: { Name: "dev-vm-box-data" },
      lifecycle: { prevent_destroy: true },
    });
    const scratch = Object.values(resources(json, "aws_ebs_volume")).find((v) => v.tags.Name === "dev-vm-box-scratch")!;
    expect(scratch).toMatchObject({ size: 50, type: "io2", encrypted: true });
    expect(scratch).not.toHaveProperty("lifecycle");
    const devices = Object.values(resources(json, "aws_volume_attachment")).map((a) => a.device_name);
    expect(devices).toEqual(["/dev/sdf", "/dev/sdg"]);
    const tags = only(json, "aws_instance").tags;
    expect(tags.drover_volume_data).toMatch(/^\$\{aws_ebs_volume\.box_Volume-data_\w+\.id\}:\/media\/volume\/data$/);
    expect(tags.drover_volume_scratch).toMatch(/:\/scratch$/);
    expect(compact(json)).toMatchSnapshot();
  });

  it("marks volumes as stateful, so a plan that deletes one is flagged", () => {
    const { app, stack } = newStack("dev-vm", onAws());
    new VirtualMachine(stack, "box", { ...base, volumes: [{ name: "data", sizeGiB: 10 }] });
    expect(only(fullSynthJson(app, stack), "aws_ebs_volume")["//"].drover).toEqual({ stateful: true });
  });

  it("drops the destroy guard on volumes in a run that may destroy data", () => {
    const destroying = newStack("dev-vm", onAws(), { [ALLOW_DESTROY_CONTEXT]: true }).stack;
    new VirtualMachine(destroying, "box", { ...base, volumes: [{ name: "data", sizeGiB: 10 }] });
    expect(only(synthJson(destroying), "aws_ebs_volume")).not.toHaveProperty("lifecycle");
  });

  it("adding a volume later does not change the user data (which would rebuild the machine)", () => {
    const before = only(build().json, "aws_instance").user_data;
    const after = only(build({ volumes: [{ name: "data", sizeGiB: 10 }] }).json, "aws_instance").user_data;
    expect(after).toBe(before);
    expect(before).toContain('metadata_source="aws"');
  });

  it("resolves a requirement to the cheapest fitting instance type", () => {
    expect(only(build({ size: { vcpus: 2, memoryGiB: 4 } }).json, "aws_instance").instance_type).toBe("c7i.large");
    expect(only(build({ size: { vcpus: 6, memoryGiB: 20 } }).json, "aws_instance").instance_type).toBe("m7i.2xlarge");
    expect(only(build({ size: { vcpus: 4, memoryGiB: 8, gpu: 0.25 } }).json, "aws_instance").instance_type).toBe("g6.xlarge");
  });

  it("rejects a Jetstream2 flavor name with the nearest instance type", () => {
    const { stack } = newStack("lab", onAws());
    expect(validationIssues(() => new VirtualMachine(stack, "box", { ...base, size: "m3.small" }))).toEqual([
      `lab/box: 'size' "m3.small" is a Jetstream2 flavor, and this stack is on aws: use m7i.large (2 vCPUs, 8 GiB), the closest aws size, or size by need: { vcpus: 2, memoryGiB: 6 }`,
    ]);
  });

  it("joins an existing subnet by ID, placing its firewall in the subnet's VPC", () => {
    const { stack } = newStack("lab", { cloud: aws({ region: "us-east-2", vpc: { id: "subnet-0123456789abcdef0" } }) });
    new VirtualMachine(stack, "box", { ...base, volumes: [{ name: "data", sizeGiB: 10 }] });
    const json = synthJson(stack);
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataAwsSubnet, { id: "subnet-0123456789abcdef0" });
    expect(resources(json, "aws_vpc")).toEqual({});
    expect(resources(json, "aws_internet_gateway")).toEqual({});
    expect(only(json, "aws_security_group").vpc_id).toBe("${data.aws_subnet.network.vpc_id}");
    expect(only(json, "aws_instance").subnet_id).toBe("${data.aws_subnet.network.id}");
    expect(only(json, "aws_ebs_volume").availability_zone).toBe("${data.aws_subnet.network.availability_zone}");
  });

  it("joins an existing subnet by its Name tag through Network.fromExisting", () => {
    const { stack } = newStack("lab", onAws());
    new VirtualMachine(stack, "box", { ...base, network: Network.fromExisting(stack, "shared", { name: "lab-private" }) });
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataAwsSubnet, { filter: [{ name: "tag:Name", values: ["lab-private"] }] });
    expect(() => Network.fromExisting(stack, "bad", { id: "vpc-0123456789abcdef0" })).toThrow(
      `lab/bad: on AWS an existing network is named by its subnet: { id: "subnet-..." } or { name: "<the subnet's Name tag>" }, got { id: "vpc-0123456789abcdef0" }`,
    );
  });

  it("joins a Network of its own, with DNS servers through DHCP options and no internet route when internetAccess is false", () => {
    const { stack } = newStack("lab", onAws());
    const net = new Network(stack, "private", { cidr: "10.20.0.0/24", internetAccess: false, dnsNameservers: ["10.20.0.2"] });
    new VirtualMachine(stack, "box", { ...base, network: net });
    const json = synthJson(stack);
    expect(only(json, "aws_vpc").cidr_block).toBe("10.20.0.0/24");
    expect(resources(json, "aws_internet_gateway")).toEqual({});
    expect(only(json, "aws_vpc_dhcp_options").domain_name_servers).toEqual(["10.20.0.2"]);
    expect(only(json, "aws_vpc_dhcp_options_association").vpc_id).toContain("aws_vpc.private");
  });
});
