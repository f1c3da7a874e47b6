import { createServer } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { drover, makeProject } from "../support/project.ts";
import { PLUGIN_DIR, hasAwsProvider } from "../support/mirror.ts";
import { TerraformDir } from "../support/terraform.ts";
import { testPublicKey } from "../support/keys.ts";
import { hasTool } from "../support/tools.ts";
import type { Json } from "../support/synth.ts";

/**
 * A stack retargeted to AWS, synthesized by the real CLI and checked by the real terraform with
 * hashicorp/aws 5.100.0 from the local provider mirror: `init` offline (-plugin-dir), `validate`,
 * then `plan` with fake credentials.
 *
 * The plan must reach no network, which the test enforces: every HTTP(S) request goes to a proxy
 * on a closed local port, so any call to AWS fails the plan. Two things would call AWS:
 *  - the provider's start-up checks (STS, the account ID, the metadata service), turned off by
 *    its skip_* settings in an override file, as the provider documents for offline use;
 *  - the data sources (the Ubuntu AMI, the Route 53 zone), which terraform reads while planning.
 *    The override file makes one argument of each a reference to a `terraform_data` holding the
 *    very same value. An argument terraform cannot know before apply defers the read to apply,
 *    so the plan shows the lookup as "read during apply" and the AMI as "known after apply",
 *    and the lookup itself is unchanged.
 * Nothing of this is in drover's output: a person's deploy reads the real AMI.
 */

const APP = (publicKey: string) => `import { App } from "cdktf";
import { DroverStack, Network, Peer, Port, VirtualMachine, aws } from "./constructs/index.ts";

const app = new App();
const stack = new DroverStack(app, "burst", {
  cloud: aws({ region: "us-east-2", hostedZone: "lab.example.org" }),
  owner: "researcher@example.edu",
  expiresAt: "2026-12-31",
});
const box = new VirtualMachine(stack, "box", {
  size: { vcpus: 4, memoryGiB: 16 },
  allowSshFrom: ["203.0.113.0/24", "2001:db8::/32"],
  allowPingFrom: ["203.0.113.0/24"],
  publicKey: "${publicKey}",
  publicAddress: true,
  volumes: [{ name: "data", sizeGiB: 100 }, { name: "scratch", sizeGiB: 20, mountPath: "/scratch", protect: false }],
  packages: ["tmux"],
});
const worker = new VirtualMachine(stack, "worker", { size: "c7i.xlarge", image: "ubuntu-22.04", keyPairName: "lab-admin", rootVolumeGiB: 50 });
worker.connections.allowFrom(Peer.firewall(box.firewall), Port.allTraffic(), "from box");
const isolated = new Network(stack, "isolated", { cidr: "10.20.0.0/24", internetAccess: false, dnsNameservers: ["10.20.0.2"] });
new VirtualMachine(stack, "vault", { size: "r7i.large", network: isolated, volumes: [{ name: "archive", sizeGiB: 500 }] });

// The driver's DNS and address methods, as the constructs that publish a name use them.
const zone = stack.cloud.dnsZone!;
const zoneId = stack.driver.abilities.dnsZones!.lookup(stack, "Zone", zone);
stack.driver.createDnsRecord(stack, "BoxName", { zoneId, zoneName: zone, name: "box", type: "A", values: [box.publicAddress!] });
const held = stack.driver.abilities.heldAddresses!.reserve(stack, "Held", { name: "burst-held-ip" });
stack.driver.abilities.heldAddresses!.attach(stack, "HeldToWorker", { address: held.address, machine: worker.machine });
app.synth();
`;

/** A local port nothing listens on: a proxy there refuses every connection at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The override and the extra file that keep the plan offline (see the comment on top): the
 * provider's skip settings, and for each data source its first plain argument read through a
 * terraform_data that holds the same value.
 */
function offlineFiles(config: Json): { override: Json; extra: Json } {
  const data: Record<string, Record<string, Json>> = {};
  const holders: Record<string, Json> = {};
  for (const [type, sources] of Object.entries((config.data ?? {}) as Record<string, Record<string, Json>>)) {
    for (const [name, body] of Object.entries(sources)) {
      const arg = Object.keys(body).find((k) => typeof body[k] === "string" || (Array.isArray(body[k]) && body[k].every((v: unknown) => typeof v === "string")));
      if (!arg) throw new Error(`data.${type}.${name} has no plain argument to defer`);
      const holder = `defer_${type}_${name}`.replace(/[^A-Za-z0-9_]/g, "_");
      holders[holder] = { input: body[arg] };
      (data[type] ??= {})[name] = { [arg]: `\${terraform_data.${holder}.output}` };
    }
  }
  return {
    override: {
      provider: { aws: { skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, max_retries: 1 } },
      data,
    },
    extra: { resource: { terraform_data: holders } },
  };
}

type Change = { address: string; type: string; mode: string; change: { actions: string[]; after: Json } };

/**
 * hashicorp/random and hashicorp/tls have no binary in the mirror (it holds hashicorp/aws only):
 * their resources (a munge key, a join token, a hub's k3s CA) are stood in for by terraform_data
 * resources, references rewritten to them. Everything of AWS is checked as drover wrote it.
 */
function withoutRandom(config: Json): Json {
  const text = JSON.stringify(config)
    .replace(/\brandom_(password|bytes)\.(\w+)\.(result|base64)\b/g, "terraform_data.standin_$1_$2.output")
    .replace(/\btls_(private_key|self_signed_cert)\.(\w+)\.(private_key_pem|cert_pem)\b/g, "terraform_data.standin_$1_$2.output");
  const out = JSON.parse(text) as Json;
  for (const [provider, kinds] of [
    ["random", ["random_password", "random_bytes"]],
    ["tls", ["tls_private_key", "tls_self_signed_cert"]],
  ] as const) {
    for (const kind of kinds) {
      for (const name of Object.keys(out.resource?.[kind] ?? {})) {
        ((out.resource.terraform_data ??= {}) as Json)[`standin_${kind.slice(provider.length + 1)}_${name}`] = { input: `stand-in for ${kind}.${name}` };
      }
      if (out.resource) delete out.resource[kind];
    }
    delete out.provider?.[provider];
    delete out.terraform?.required_providers?.[provider];
  }
  return out;
}

/** terraform init (offline, the mirror), validate, and a plan that reaches no network: its changes. */
async function checkOffline(synthesized: Json): Promise<Change[]> {
  const config = withoutRandom(synthesized);
  const tf = new TerraformDir().write(config);
  tf.run("init", "-input=false", "-no-color", `-plugin-dir=${PLUGIN_DIR}`);
  expect(tf.run("validate", "-no-color")).toContain("Success! The configuration is valid.");

  const { override, extra } = offlineFiles(config);
  writeFileSync(join(tf.dir, "offline_override.tf.json"), JSON.stringify(override, null, 2));
  writeFileSync(join(tf.dir, "offline.tf.json"), JSON.stringify(extra, null, 2));
  // A value for each variable a person gives at deploy time (an OAuth client secret).
  const variables = Object.entries((config.variable ?? {}) as Record<string, Json>).filter(([, v]) => v.default === undefined);
  writeFileSync(join(tf.dir, "terraform.tfvars.json"), JSON.stringify(Object.fromEntries(variables.map(([k]) => [k, `stand-in for ${k}`]))));
  const proxy = `http://127.0.0.1:${await closedPort()}`;
  for (const k of Object.keys(tf.env)) if (k.startsWith("AWS_") || /^(https?|no|all)_proxy$/i.test(k)) delete tf.env[k];
  Object.assign(tf.env, {
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    HTTPS_PROXY: proxy,
    HTTP_PROXY: proxy,
  });
  return (tf.planJson() as { resource_changes: Change[] }).resource_changes;
}

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install") && hasAwsProvider("the terraform checks of AWS stacks"))(
  "an AWS stack checked by the real terraform",
  { timeout: 240_000 },
  () => {
    it("GIVEN VMs with a public address, volumes, SSH, a network of their own and a DNS record WHEN synthesized THEN terraform init (offline), validate and plan pass without a network", async () => {
      const dir = makeProject({ "main.ts": APP(testPublicKey("researcher@laptop")) });
      const synth = drover(dir, ["synth"]);
      expect(synth.stderr).toBe("");
      expect(synth.code).toBe(0);
      const config = JSON.parse(readFileSync(join(dir, "cdktf.out/stacks/burst/cdk.tf.json"), "utf8")) as Json;

      const changes = await checkOffline(config);
      const managed = changes.filter((c) => c.mode === "managed");
      expect(managed.every((c) => c.change.actions.join() === "create")).toBe(true);
      expect(changes.filter((c) => c.mode === "data").map((c) => [c.address, c.change.actions.join()])).toEqual([
        ["data.aws_ami.Image-ubuntu-22-04", "read"],
        ["data.aws_ami.Image-ubuntu-24-04", "read"],
        ["data.aws_route53_zone.Zone", "read"],
      ]);
      const count = (type: string) => managed.filter((c) => c.type === type).length;
      expect([count("aws_vpc"), count("aws_subnet"), count("aws_internet_gateway"), count("aws_instance"), count("aws_ebs_volume"), count("aws_volume_attachment"), count("aws_eip")]).toEqual([
        2, 2, 1, 3, 3, 3, 2,
      ]);

      const after = (address: string) => managed.find((c) => c.address.startsWith(address))!.change.after;
      const box = after("aws_instance.box_");
      expect(box).toMatchObject({
        instance_type: "m7i.xlarge",
        metadata_options: [{ http_tokens: "required", http_endpoint: "enabled", http_put_response_hop_limit: 1, instance_metadata_tags: "enabled" }],
        root_block_device: [{ encrypted: true, volume_type: "gp3", volume_size: 20 }],
        user_data_replace_on_change: true,
      });
      // The stack's tags reach every resource as the provider's default tags (the box's own are
      // known after apply only: they name its volumes' IDs).
      expect(after("aws_instance.worker_").tags_all).toEqual({
        Name: "burst-worker",
        drover_construct: "burst/worker",
        drover_stack: "burst",
        drover_owner: "researcher@example.edu",
        drover_expires: "2026-12-31",
      });
      expect(after("aws_security_group.box_").tags_all).toMatchObject({ Name: "burst-box-sg", drover_stack: "burst" });
      for (const v of managed.filter((c) => c.type === "aws_ebs_volume")) expect(v.change.after).toMatchObject({ encrypted: true });
      expect(
        managed
          .filter((c) => c.type === "aws_volume_attachment")
          .map((c) => c.change.after.device_name)
          .sort(),
      ).toEqual(["/dev/sdf", "/dev/sdf", "/dev/sdg"]);
      expect(
        managed
          .filter((c) => c.type === "aws_vpc_security_group_ingress_rule")
          .map((c) => c.change.after.cidr_ipv4 ?? c.change.after.cidr_ipv6 ?? "group")
          .sort(),
      ).toEqual(["2001:db8::/32", "203.0.113.0/24", "203.0.113.0/24", "group"]);
      expect(after("aws_route53_record.BoxName")).toMatchObject({ name: "box.lab.example.org", type: "A", ttl: 300 });
    });
  },
);

/** What each example must hold on AWS, beyond "terraform validates and plans it, all creates". */
const EXAMPLE_CHECKS: Record<string, (managed: Change[], count: (type: string) => number) => void> = {
  "dev-vm": (managed, count) => {
    expect(count("aws_instance")).toBe(1);
    // { vcpus: 2, memoryGiB: 6 }: the cheapest type that fits.
    expect(managed.find((c) => c.type === "aws_instance")!.change.after).toMatchObject({ instance_type: "m7i.large" });
    expect([count("aws_ebs_volume"), count("aws_eip")]).toEqual([1, 1]);
  },
  "science-gateway": (managed, count) => {
    expect(count("aws_instance")).toBe(1);
    const gateway = managed.find((c) => c.type === "aws_instance")!.change.after;
    // Its user data is over EC2's 16 KB: compressed by Terraform, known at plan time (no references).
    expect(gateway.user_data_base64).toMatch(/^H4sI/);
    expect(gateway).toMatchObject({ instance_type: "m7i.2xlarge" });
    expect(managed.find((c) => c.type === "aws_route53_record")!.change.after).toMatchObject({ name: "portal.gateway.example.org", type: "A" });
    const opened = managed
      .filter((c) => c.type === "aws_vpc_security_group_ingress_rule")
      .map((c) => `${c.change.after.from_port}/${c.change.after.cidr_ipv4}`)
      .sort();
    expect(opened).toEqual(["22/203.0.113.0/24", "443/0.0.0.0/0", "80/0.0.0.0/0"]);
  },
  "virtual-slurm": (managed, count) => {
    // Controller, login and two CPU nodes: static (elastic nodes need OpenStack); no GPU
    // partition, as AWS's stock Ubuntu has no NVIDIA driver.
    // Named by their address: the controller's tags are known after apply only (they name its volumes).
    const types = Object.fromEntries(managed.filter((c) => c.type === "aws_instance").map((c) => [c.address.replace(/^aws_instance\.hpc_|_[0-9A-F]{8}$/g, ""), c.change.after.instance_type]));
    expect(types).toEqual({
      controller: "m7i.2xlarge",
      login: "m7i.large",
      "cpu-1": "m7i.xlarge",
      "cpu-2": "m7i.xlarge",
    });
    // Fixed addresses are held out of EC2's automatic assignment.
    expect(count("aws_ec2_subnet_cidr_reservation")).toBeGreaterThan(0);
    expect(managed.filter((c) => c.type === "aws_ec2_subnet_cidr_reservation").every((c) => c.change.after.reservation_type === "explicit")).toBe(true);
    // /home, /opt/software and slurmctld's state.
    expect(count("aws_ebs_volume")).toBe(3);
  },
  "workshop-jupyterhub": (managed, count) => {
    const instances = managed.filter((c) => c.type === "aws_instance");
    expect(instances.map((c) => c.change.after.tags.Name).sort()).toEqual([
      ...Array.from({ length: instances.length - 1 }, (_, i) => `workshop-jupyterhub-hub-agent-${i + 1}`).sort(),
      "workshop-jupyterhub-hub-server",
    ]);
    expect(count("aws_eip")).toBe(1);
    expect(count("aws_eip_association")).toBe(1);
    expect(managed.find((c) => c.type === "aws_route53_record")!.change.after).toMatchObject({ name: "workshop-jupyterhub-hub.workshop.example.org" });
  },
};

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install") && hasAwsProvider("the terraform checks of the examples on AWS"))(
  "every example stack retargeted with DROVER_CLOUD=aws, checked by the real terraform",
  { timeout: 300_000 },
  () => {
    let dir = "";
    let stacks: string[] = [];
    beforeAll(() => {
      dir = makeProject({}, { copyExamples: true });
      const synth = drover(dir, ["synth", "--json"], { DROVER_CLOUD: "aws" });
      expect(synth.code, synth.stderr).toBe(0);
      const out = JSON.parse(synth.stdout) as { stacks: Array<{ name: string; cloud: string }> };
      expect(out.stacks.every((s) => s.cloud === "aws")).toBe(true);
      stacks = out.stacks.map((s) => s.name);
    });

    it("covers every example", () => {
      expect(stacks.sort()).toEqual(Object.keys(EXAMPLE_CHECKS).sort());
    });

    it.each(Object.keys(EXAMPLE_CHECKS))("%s: terraform init (offline), validate and plan pass, and create what the stack says", async (name) => {
      const config = JSON.parse(readFileSync(join(dir, `cdktf.out/stacks/${name}/cdk.tf.json`), "utf8")) as Json;
      const changes = await checkOffline(config);
      const managed = changes.filter((c) => c.mode === "managed" && c.type !== "terraform_data");
      expect(managed.length).toBeGreaterThan(0);
      expect(changes.filter((c) => c.change.actions.join() !== "create" && c.change.actions.join() !== "read")).toEqual([]);
      EXAMPLE_CHECKS[name]!(managed, (type) => managed.filter((c) => c.type === type).length);
    });
  },
);
