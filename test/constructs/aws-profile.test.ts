import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aws, type AwsProps } from "../../constructs/index.ts";
import { AWS_INSTANCE_TYPES } from "../../lib/catalog/aws-instances.ts";
import { ConfigError, ExitCode } from "../../lib/errors.ts";
import { AWS_PROVIDER_PACKAGE } from "../../constructs/aws/bindings.ts";
import { loadOptional } from "../../lib/providers/optional.ts";
import { makeProject } from "../support/project.ts";
import { validationIssues } from "../support/synth.ts";

describe("aws() profile", () => {
  it("GIVEN a region THEN it carries the AWS facts: instance catalog, Ubuntu 24.04, a new VPC, no quota and no DNS zone", () => {
    const p = aws({ region: "us-east-2" });
    expect(p).toMatchObject({ kind: "aws", name: "aws", region: "us-east-2", summary: "AWS, region us-east-2", defaultImage: "ubuntu-24.04", defaultNetwork: "new" });
    expect(p.flavors).toBe(AWS_INSTANCE_TYPES);
    expect(p.images.map((i) => [i.name, i.loginUser])).toEqual([
      ["ubuntu-24.04", "ubuntu"],
      ["ubuntu-22.04", "ubuntu"],
    ]);
    expect(p.quota).toBeUndefined();
    expect(p.dnsZone).toBeUndefined();
    expect(p).not.toHaveProperty("awsProfile");
  });

  it("takes a named profile, an existing subnet and a hosted zone (written with its trailing dot)", () => {
    const p = aws({ region: "eu-central-1", profile: "lab", vpc: { name: "shared-private" }, hostedZone: "lab.example.org" });
    expect(p).toMatchObject({ summary: 'AWS, region eu-central-1, profile "lab"', awsProfile: "lab", defaultNetwork: { name: "shared-private" }, dnsZone: "lab.example.org." });
    expect(aws({ region: "us-gov-west-1", hostedZone: "example.org." }).dnsZone).toBe("example.org.");
  });

  it.each<[string, AwsProps, string]>([
    ["a misspelt region", { region: "us-east2" }, `aws(): 'region' "us-east2" is not an AWS region: did you mean "us-east-2"?`],
    ["no region", {} as AwsProps, `aws(): 'region' undefined is not an AWS region (e.g. "us-east-2")`],
    ["an empty profile", { region: "us-east-2", profile: " " }, `aws(): 'profile' must be a non-empty string, got " "`],
    [
      "a VPC instead of a subnet",
      { region: "us-east-2", vpc: { id: "vpc-0123456789abcdef0" } },
      `aws(): 'vpc.id' "vpc-0123456789abcdef0" is not a subnet ID: name the subnet machines join ("subnet-0123456789abcdef0"), not its VPC`,
    ],
    [
      "both name and id",
      { region: "us-east-2", vpc: { name: "a", id: "subnet-01234567" } },
      `aws(): 'vpc' must be "new", { id: "subnet-..." } or { name: "<the subnet's Name tag>" }, got { name: "a", id: "subnet-01234567" }`,
    ],
    ["a bad zone", { region: "us-east-2", hostedZone: "not a zone" }, `aws(): 'hostedZone' "not a zone" is not a DNS zone name (e.g. "lab.example.org")`],
  ])("rejects %s", (_, props, message) => {
    expect(validationIssues(() => aws(props))).toEqual([message]);
  });
});

describe("@cdktf/provider-aws, an optional peer dependency", () => {
  it("GIVEN the package is missing WHEN a stack needs it THEN a configuration error (exit 2) names the package, its version and the install command", () => {
    const absent = { name: "@drover-test/provider-absent", version: "3.1.4", purpose: "bindings a test pretends to need" };
    let error: unknown;
    try {
      loadOptional(absent, "lib/instance/index.js");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(ExitCode.Usage);
    expect((error as ConfigError).message).toBe("this stack needs the npm package @drover-test/provider-absent 3.1.4, which is not installed");
    expect((error as ConfigError).details).toEqual([
      "It holds bindings a test pretends to need. drover lists it as an optional peer dependency, so installing drover alone leaves it out (it is large, and stacks on other clouds never load it).",
      "Install it in the project: npm install --save-dev @drover-test/provider-absent@3.1.4",
    ]);
  });

  it("is declared as an optional peer at the version the bindings are built for, and npm ci leaves it out", async () => {
    const { createRequire } = await import("node:module");
    const require = createRequire(import.meta.url);
    const pkg = require("../../package.json") as Record<string, Record<string, unknown>>;
    expect(pkg.peerDependencies).toMatchObject({ [AWS_PROVIDER_PACKAGE.name]: AWS_PROVIDER_PACKAGE.version });
    expect(pkg.peerDependenciesMeta).toMatchObject({ [AWS_PROVIDER_PACKAGE.name]: { optional: true } });
    expect(pkg.dependencies).not.toHaveProperty(AWS_PROVIDER_PACKAGE.name);
    expect(pkg.devDependencies).not.toHaveProperty(AWS_PROVIDER_PACKAGE.name);
    const lock = require("../../package-lock.json") as { packages: Record<string, unknown> };
    expect(lock.packages).not.toHaveProperty(`node_modules/${AWS_PROVIDER_PACKAGE.name}`);
    expect((require(`${AWS_PROVIDER_PACKAGE.name}/package.json`) as { version: string }).version).toBe(AWS_PROVIDER_PACKAGE.version);
  });

  it("is never loaded by a stack on OpenStack, even when the app imports everything drover exports", () => {
    // A fresh process: this one has loaded the bindings for the AWS tests.
    const dir = makeProject({});
    const probe = join(dir, "probe.ts");
    writeFileSync(
      probe,
      `import { createRequire } from "node:module";
import { App } from "cdktf";
import * as drover from "./constructs/index.ts";
const app = new App({ outdir: "cdktf.out" });
const stack = new drover.DroverStack(app, "dev-vm", { cloud: drover.jetstream2(), owner: "me@example.edu" });
new drover.VirtualMachine(stack, "box", { size: "m3.small", publicAddress: true, volumes: [{ name: "data", sizeGiB: 10 }] });
app.synth();
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes("/@cdktf/provider-aws/"));
console.log(JSON.stringify({ typeofAws: typeof drover.aws, loaded }));
`,
    );
    const run = spawnSync(process.execPath, ["--import", "tsx", probe], { cwd: dir, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout.trim().split("\n").at(-1)!)).toEqual({ typeofAws: "function", loaded: [] });
  });

  it("is loaded, by deep paths only, when a stack is on aws()", () => {
    const dir = makeProject({});
    const probe = join(dir, "probe.ts");
    writeFileSync(
      probe,
      `import { createRequire } from "node:module";
import { App } from "cdktf";
import { DroverStack, aws } from "./constructs/index.ts";
new DroverStack(new App({ outdir: "cdktf.out" }), "dev-vm", { cloud: aws({ region: "us-east-2" }), owner: "me@example.edu" });
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes("/@cdktf/provider-aws/"));
console.log(JSON.stringify(loaded.map((p) => p.slice(p.indexOf("/@cdktf/provider-aws/") + 21))));
`,
    );
    const run = spawnSync(process.execPath, ["--import", "tsx", probe], { cwd: dir, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    expect(run.stderr).toBe("");
    const loaded = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as string[];
    expect(loaded).toContain("lib/instance/index.js");
    expect(loaded).toContain("package.json");
    expect(loaded).not.toContain("lib/index.js");
    expect(loaded.length).toBeLessThan(30);
  });
});
