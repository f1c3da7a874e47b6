import { TerraformVariable, Testing } from "cdktf";
import { escapeTerraformText } from "../../lib/terraform/text.ts";
import { Construct } from "constructs";
import { gunzipSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { hasTool } from "../support/tools.ts";
import { TerraformDir } from "../support/terraform.ts";
import { describe, expect, it } from "vitest";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record/index.js";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone/index.js";
import { JupyterHubCluster, Network, SlurmCluster, VirtualMachine, aws, type DriverAbilities, type VirtualMachineProps } from "../../constructs/index.ts";
import { AWS_USER_DATA_MAX_BYTES } from "../../constructs/aws/driver.ts";
import { ValidationError } from "../../lib/errors.ts";
import { testPublicKey } from "../support/keys.ts";
import { compact, newStack, only, resources, synthJson, validationIssues } from "../support/synth.ts";

const key = testPublicKey("me@laptop");
/** User data past EC2's 16 KB that compresses well, with what Terraform must keep as it is. */
/** Text past EC2's limit: a place for a reference, and what Terraform would read as expressions were it not escaped. */
const bigText = (reference: string) => `#cloud-config\n# "quoted" \\ {braces} a reference: ${reference}, text: \${HOME} %{ if } \n${"# padding line\n".repeat(2000)}`;
const BIG = bigText("(none)");
const base: VirtualMachineProps = { size: "m7i.large", allowSshFrom: ["203.0.113.0/24"], publicKey: key, publicAddress: true };

function awsStack(name = "web", hostedZone?: string) {
  return newStack(name, { cloud: aws({ region: "us-east-2", ...(hostedZone ? { hostedZone } : {}) }) });
}

describe("AWS driver", () => {
  it("GIVEN a hosted zone WHEN a construct names its address THEN Route 53 finds the public zone and holds an A record", () => {
    const { stack } = awsStack("web", "lab.example.org");
    const vm = new VirtualMachine(stack, "box", base);
    const driver = stack.driver;
    const zoneName = stack.cloud.dnsZone!;
    expect(zoneName).toBe("lab.example.org.");
    const zoneId = driver.abilities.dnsZones!.lookup(stack, "Zone", zoneName);
    const record = driver.createDnsRecord(stack, "BoxName", { zoneId, zoneName, name: "box", type: "A", values: [vm.publicAddress!] });
    expect(record.fqdn).toBe("box.lab.example.org.");
    const synth = Testing.synth(stack);
    expect(synth).toHaveDataSourceWithProperties(DataAwsRoute53Zone, { name: "lab.example.org", private_zone: false });
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      zone_id: "${data.aws_route53_zone.Zone.zone_id}",
      name: "box.lab.example.org",
      type: "A",
      ttl: 300,
      records: ["${aws_eip.box_PublicAddress_D358138D.public_ip}"],
    });
    expect(compact(synthJson(stack))).toMatchSnapshot();
  });

  it("reserves an Elastic IP and binds it to a machine later, after the internet route", () => {
    const { stack } = awsStack();
    const vm = new VirtualMachine(stack, "box", { ...base, publicAddress: false });
    const ip = stack.driver.abilities.heldAddresses!.reserve(stack, "Held", { name: "web-held-ip" });
    stack.driver.abilities.heldAddresses!.attach(stack, "HeldToBox", { address: ip.address, machine: vm.machine });
    const json = synthJson(stack);
    expect(only(json, "aws_eip")).toEqual({ domain: "vpc", tags: { Name: "web-held-ip" } });
    expect(only(json, "aws_eip_association")).toEqual({
      allocation_id: "${aws_eip.Held.allocation_id}",
      instance_id: "${aws_instance.box_45895026.id}",
      depends_on: [expect.stringContaining("aws_route_table_association.")],
    });
    expect(() => stack.driver.abilities.heldAddresses!.attach(stack, "Other", { address: "198.51.100.7", machine: vm.machine })).toThrow(
      "web/Other: the address was not reserved by this stack's reservePublicAddress",
    );
  });

  it("offers no managed Kubernetes, credentials, shares or cleanup step, and the constructs that need one say so", () => {
    const { stack } = awsStack("web", "lab.example.org");
    const optional: Array<keyof DriverAbilities> = ["kubernetes", "credentials", "shares", "elasticCleanup", "volumeCleanup"];
    for (const ability of optional) expect(stack.driver.abilities[ability]).toBeUndefined();
    const slurm = { controller: { size: "m7i.xlarge" }, partitions: [{ name: "cpu", size: "c7i.xlarge", nodes: 2 }] };
    expect(validationIssues(() => new SlurmCluster(stack, "elastic", { ...slurm, partitions: [{ name: "cpu", size: "c7i.xlarge", nodes: 1, elastic: { max: 4 } }] }))).toContain(
      "web/elastic: elastic nodes need a credential drover can create on aws, which it cannot yet: use static nodes only",
    );
    expect(validationIssues(() => new SlurmCluster(stack, "manila", { ...slurm, sharedStorage: { kind: "manila" } }))).toContain(
      `web/manila: 'sharedStorage.kind' "manila" needs shares, which aws does not offer: use kind "nfs"`,
    );
    expect(validationIssues(() => new JupyterHubCluster(stack, "hub", { users: 10, profile: { cpu: 1, memoryGiB: 2 }, kubernetes: "magnum", auth: { kind: "workshop" }, https: false }))).toContain(
      `web/hub: 'kubernetes' "magnum" needs the cloud's managed Kubernetes, which drover cannot create on aws: use "k3s"`,
    );
  });

  it("keeps a volume in the zone of its machine, and refuses one attached to no machine", () => {
    const { stack } = awsStack();
    stack.driver.createVolume(stack, "Loose", { name: "web-loose", sizeGiB: 10, protect: true });
    expect(() => synthJson(stack)).toThrow(/volume web-loose is attached to no machine; on AWS a volume is made in the availability zone of its machine/);
  });

  it("refuses a volume attached to machines in two subnets, and a firewall shared across VPCs", () => {
    const { stack } = awsStack();
    const a = new VirtualMachine(stack, "a", { ...base, publicAddress: false });
    const b = new VirtualMachine(stack, "b", { ...base, publicAddress: false, network: new Network(stack, "other", { cidr: "10.9.0.0/24" }) });
    const volume = stack.driver.createVolume(stack, "Shared", { name: "web-shared", sizeGiB: 10, protect: true });
    stack.driver.attachVolume(stack, "ToA", a.machine, volume);
    expect(() => stack.driver.attachVolume(stack, "ToB", b.machine, volume)).toThrow("web/ToB: volume web-shared is attached to machines on two subnets; an EBS volume lives in one availability zone");
    expect(() =>
      stack.driver.createMachine(stack, "c", {
        name: "web-c",
        flavor: a.flavor,
        image: "ubuntu-24.04",
        network: b.network,
        firewalls: [a.firewall],
        userData: "#cloud-config\n",
      }),
    ).toThrow("web/c: firewall web-a-sg is used by machines on two networks; on AWS a security group belongs to one VPC: give each network its own firewall");
  });

  it("names data volumes /dev/sdf to /dev/sdp, and says so past the eleventh", () => {
    const { stack } = awsStack();
    const volumes = Array.from({ length: 12 }, (_, i) => ({ name: `v${i}`, sizeGiB: 1 }));
    const issue = (() => {
      try {
        new VirtualMachine(stack, "box", { ...base, volumes });
      } catch (e) {
        return e instanceof ValidationError ? e.message : String(e);
      }
      return "nothing thrown";
    })();
    expect(issue).toBe("web/box/Attach-v11: machine web-box has more than 11 volumes attached; drover names them /dev/sdf to /dev/sdp");
  });

  it("passes user data up to EC2's 16 KB as it is, counting it as Terraform will deliver it", () => {
    const { stack } = awsStack();
    const vm = new VirtualMachine(stack, "box", { ...base, publicAddress: false });
    const spec = { name: "web-fits", flavor: vm.flavor, image: "ubuntu-24.04", network: vm.network, firewalls: [vm.firewall] };
    // Each "${x}" is written "$${x}" (Terraform's escape for a literal "${"): 4 bytes reach the machine, not 5.
    const text = `#cloud-config\n# ${"${x}".repeat((AWS_USER_DATA_MAX_BYTES - 20) / 4)}\n`;
    stack.driver.createMachine(stack, "fits", { ...spec, userData: text });
    const fits = synthJson(stack).resource.aws_instance.fits;
    expect(fits.user_data).toBe(escapeTerraformText(text));
    expect(fits).not.toHaveProperty("user_data_base64");
  });

  it("compresses larger user data with Terraform's base64gzip after the references are filled in, and refuses what stays too big", () => {
    const { stack } = awsStack();
    const vm = new VirtualMachine(stack, "box", { ...base, publicAddress: false });
    const spec = { name: "web-big", flavor: vm.flavor, image: "ubuntu-24.04", network: vm.network, firewalls: [vm.firewall] };
    stack.driver.createMachine(new Construct(stack, "big"), "Resource", { ...spec, userData: BIG });
    const json = synthJson(stack);
    const instance = Object.entries(json.resource.aws_instance as Record<string, { user_data_base64: string }>).find(([k]) => k.startsWith("big_"))![1];
    expect(instance).not.toHaveProperty("user_data");
    expect(instance.user_data_base64).toMatch(/^\$\{base64gzip\(local\.big_UserData_[0-9A-F]{8}\)\}$/);
    const local = instance.user_data_base64.slice("${base64gzip(local.".length, -2);
    expect(json.locals[local]).toBe(escapeTerraformText(BIG));

    // Random text does not compress below the limit.
    const noise = randomBytes(18_000).toString("base64");
    expect(() => stack.driver.createMachine(new Construct(stack, "other"), "noise", { ...spec, name: "web-noise", userData: noise })).toThrow(
      /^web\/other\/noise: the user data is 24000 bytes, 1\d{4} compressed; EC2 accepts 16384: move large files to a volume or download them at boot$/,
    );
  });

  it.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))(
    "the real terraform fills in the references, keeps quotes, backslashes and escapes, then compresses: the machine gets the text",
    { timeout: 60_000 },
    () => {
      const { stack } = newStack("web", { cloud: aws({ region: "us-east-2" }) });
      const vm = new VirtualMachine(stack, "box", { ...base, publicAddress: false });
      const token = new TerraformVariable(stack, "token", { type: "string" });
      stack.driver.createMachine(new Construct(stack, "big"), "Resource", {
        name: "web-big",
        flavor: vm.flavor,
        image: "ubuntu-24.04",
        network: vm.network,
        firewalls: [vm.firewall],
        userData: bigText(token.stringValue),
      });
      const json = synthJson(stack);
      const expression = (Object.entries(json.resource.aws_instance).find(([k]) => k.startsWith("big_"))![1] as { user_data_base64: string }).user_data_base64;
      // Only the local value and the expression: no provider needed.
      const tf = new TerraformDir().write({ variable: { token: { type: "string" } }, locals: json.locals, output: { user_data: { value: expression } } });
      tf.run("init", "-input=false", "-no-color");
      tf.run("apply", "-auto-approve", "-input=false", "-no-color", "-var", "token=s3cr3t-value");
      const delivered = gunzipSync(Buffer.from(tf.run("output", "-raw", "user_data"), "base64")).toString();
      expect(delivered).toBe(bigText("s3cr3t-value"));
    },
  );

  it("gives every machine on a routed network a public address at launch (no NAT gateway; an Elastic IP takes its place), and none to an isolated one", () => {
    const { stack } = awsStack();
    new VirtualMachine(stack, "public", base);
    new VirtualMachine(stack, "private", { ...base, publicAddress: false });
    const later = new VirtualMachine(stack, "later", { ...base, publicAddress: false });
    const held = stack.driver.abilities.heldAddresses!.reserve(stack, "Held", { name: "web-held-ip" });
    stack.driver.abilities.heldAddresses!.attach(stack, "HeldToLater", { address: held.address, machine: later.machine });
    new VirtualMachine(stack, "offline", { ...base, publicAddress: false, network: new Network(stack, "closed", { cidr: "10.1.0.0/24", internetAccess: false }) });
    const instances = synthJson(stack).resource.aws_instance as Record<string, Record<string, unknown>>;
    const launched = Object.fromEntries(Object.entries(instances).map(([k, v]) => [k.split("_")[0], v.associate_public_ip_address ?? "unset"]));
    expect(launched).toEqual({ public: true, private: true, later: true, offline: "unset" });
  });

  it("tags every resource with the stack's tags through the provider's default tags, and names them", () => {
    const { stack } = newStack("web", { cloud: aws({ region: "eu-west-1", profile: "lab" }), expiresAt: "2026-12-31" });
    new VirtualMachine(stack, "box", { ...base, volumes: [{ name: "data", sizeGiB: 10 }] });
    const json = synthJson(stack);
    expect(json.provider.aws).toEqual([{ region: "eu-west-1", profile: "lab", default_tags: [{ tags: { drover_stack: "web", drover_owner: "tester@example.edu", drover_expires: "2026-12-31" } }] }]);
    const untagged = Object.entries(json.resource as Record<string, Record<string, { tags?: Record<string, string> }>>)
      .filter(
        ([type]) =>
          !["aws_route", "aws_route_table_association", "aws_volume_attachment", "terraform_data", "aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule"].includes(type),
      )
      .flatMap(([type, all]) =>
        Object.entries(all)
          .filter(([, r]) => !r.tags?.Name)
          .map(([name]) => `${type}.${name}`),
      );
    expect(untagged).toEqual([]);
    expect(Object.keys(resources(json, "aws_instance"))).toHaveLength(1);
  });
});
