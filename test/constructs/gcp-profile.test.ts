import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { gcp, GCP_REGIONS, type GcpProps } from "../../constructs/gcp/profile.ts";
import { GCP_MACHINE_TYPES } from "../../lib/catalog/gcp-machines.ts";
import { ExitCode, isDroverError, type DroverError } from "../../lib/errors.ts";
import { GOOGLE_PROVIDER_PACKAGE } from "../../constructs/gcp/bindings.ts";
import { makeProject } from "../support/project.ts";
import { validationIssues } from "../support/synth.ts";

const base = { project: "my-lab-123456", region: "us-central1" } as const;

describe("gcp() profile", () => {
  it("GIVEN a project and region THEN it carries the GCP facts: machine types, Ubuntu 24.04, zone a, a new network, no quota and no DNS zone", () => {
    const p = gcp(base);
    expect(p).toMatchObject({
      kind: "gcp",
      name: "gcp",
      project: "my-lab-123456",
      region: "us-central1",
      zone: "us-central1-a",
      summary: "GCP, project my-lab-123456, region us-central1 (zone us-central1-a)",
      defaultImage: "ubuntu-24.04",
      defaultNetwork: "new",
    });
    expect(p.flavors).toBe(GCP_MACHINE_TYPES);
    expect(p.images.map((i) => [i.name, i.loginUser])).toEqual([
      ["ubuntu-24.04", "ubuntu"],
      ["ubuntu-22.04", "ubuntu"],
    ]);
    expect(p.quota).toBeUndefined();
    expect(p.dnsZone).toBeUndefined();
    expect(p).not.toHaveProperty("dnsManagedZone");
    expect(p).not.toHaveProperty("credentialsFile");
  });

  it("takes a zone, an existing subnetwork, a Cloud DNS zone (its domain written with the trailing dot) and a key file", () => {
    const p = gcp({ ...base, zone: "us-central1-f", network: { name: "lab-private" }, dnsZone: { name: "lab-example-org", domain: "lab.example.org" }, credentialsFile: "~/keys/drover.json" });
    expect(p).toMatchObject({
      zone: "us-central1-f",
      summary: "GCP, project my-lab-123456, region us-central1 (zone us-central1-f)",
      defaultNetwork: { name: "lab-private" },
      dnsZone: "lab.example.org.",
      dnsManagedZone: "lab-example-org",
      credentialsFile: "~/keys/drover.json",
    });
    expect(gcp({ ...base, dnsZone: { name: "z", domain: "example.org." } }).dnsZone).toBe("example.org.");
  });

  it("defaults to zone b in europe-west1, which has no zone a", () => {
    expect(gcp({ ...base, region: "europe-west1" }).zone).toBe("europe-west1-b");
    expect(gcp({ ...base, region: "europe-west4" }).zone).toBe("europe-west4-a");
  });

  it("lists regions in GCP's own form", () => {
    expect(GCP_REGIONS).toContain("us-central1");
    expect(GCP_REGIONS).toContain("europe-west10");
    for (const r of GCP_REGIONS) expect(r).toMatch(/^[a-z]+-[a-z]+\d{1,2}$/);
    expect(new Set(GCP_REGIONS).size).toBe(GCP_REGIONS.length);
  });

  it.each<[string, GcpProps, string]>([
    [
      "no project",
      { region: "us-central1" } as GcpProps,
      `gcp(): 'project' undefined is not a GCP project ID (6 to 30 lower-case letters, digits and '-', starting with a letter, e.g. "my-lab-123456")`,
    ],
    ["a project number", { ...base, project: "123456789012" }, `gcp(): 'project' "123456789012" is not a GCP project ID: that is a project number; use the project ID (the console shows both)`],
    ["a display name", { ...base, project: "My Lab" }, `gcp(): 'project' "My Lab" is not a GCP project ID: that looks like the project's display name; use its ID (e.g. "my-lab-123456")`],
    ["a misspelt region", { ...base, region: "us-central" }, `gcp(): 'region' "us-central" is not a GCP region: did you mean "us-central1"?`],
    ["a zone for a region", { ...base, region: "us-central1-a" }, `gcp(): 'region' "us-central1-a" is not a GCP region: did you mean "us-central1"?`],
    ["no region", { project: "my-lab-123456" } as GcpProps, `gcp(): 'region' undefined is not a GCP region (e.g. "us-central1")`],
    ["a zone of another region", { ...base, zone: "us-east1-b" }, `gcp(): 'zone' "us-east1-b" is not a zone of region us-central1: name one as "us-central1-<letter>", e.g. "us-central1-a"`],
    ["a network by ID", { ...base, network: { id: "x" } as unknown as { name: string } }, `gcp(): 'network' must be "new" or { name: "<an existing subnetwork's name>" }, got { id: "x" }`],
    [
      "a bad subnetwork name",
      { ...base, network: { name: "Lab_Net" } },
      `gcp(): 'network.name' "Lab_Net" is not a subnetwork name (lower-case letters, digits and '-', starting with a letter, at most 63 characters)`,
    ],
    [
      "a DNS zone as a string",
      { ...base, dnsZone: "lab.example.org" as unknown as GcpProps["dnsZone"] },
      `gcp(): 'dnsZone' must be { name: "<the managed zone's resource name>", domain: "lab.example.org" }, got "lab.example.org"`,
    ],
    [
      "a DNS zone named by its domain",
      { ...base, dnsZone: { name: "lab.example.org", domain: "lab.example.org" } },
      `gcp(): 'dnsZone.name' "lab.example.org" is not a managed zone's resource name: that looks like its domain; the resource name is the zone's name in the console (e.g. "lab-example-org")`,
    ],
    [
      "a bad DNS zone name",
      { ...base, dnsZone: { name: "Lab_Zone", domain: "lab.example.org" } },
      `gcp(): 'dnsZone.name' "Lab_Zone" is not a managed zone's resource name (lower-case letters, digits and '-', starting with a letter, at most 63 characters)`,
    ],
    ["a bad domain", { ...base, dnsZone: { name: "lab", domain: "not a domain" } }, `gcp(): 'dnsZone.domain' "not a domain" is not a DNS name (e.g. "lab.example.org")`],
    [
      "a relative key file",
      { ...base, credentialsFile: "keys/drover.json" },
      `gcp(): 'credentialsFile' "keys/drover.json" is a relative path, and Terraform runs in the stack's directory under cdktf.out: give an absolute path or one starting with ~/`,
    ],
    [
      "a key itself",
      { ...base, credentialsFile: '{"type": "service_account"}' },
      `gcp(): 'credentialsFile' holds a key file's contents, which would be written into the synthesized Terraform: give the file's path, or leave it out and set GOOGLE_APPLICATION_CREDENTIALS`,
    ],
    ["an empty key file", { ...base, credentialsFile: "" }, `gcp(): 'credentialsFile' must be the path of a service-account key file, got ""`],
  ])("rejects %s", (_, props, message) => {
    expect(validationIssues(() => gcp(props))).toEqual([message]);
  });

  it("reports every problem at once, each with the code of its prop", () => {
    let codes: string[] = [];
    try {
      gcp({ project: "1", region: "nowhere", credentialsFile: "k.json" });
    } catch (e) {
      codes = (e as { issues: Array<{ code: string }> }).issues.map((i) => i.code);
    }
    expect(codes).toEqual(["profile.bad-project", "profile.bad-region", "profile.bad-credentials"]);
  });
});

function probeProject(body: string): { stderr: string; last: unknown } {
  const dir = makeProject({});
  const probe = join(dir, "probe.ts");
  writeFileSync(probe, body);
  const run = spawnSync(process.execPath, ["--import", "tsx", probe], { cwd: dir, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  return { stderr: run.stderr, last: JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "null") };
}

describe("@cdktf/provider-google, an optional peer dependency", () => {
  it("GIVEN the package is missing WHEN a stack on gcp() loads its bindings THEN a configuration error (exit 2) names the package, its version and the install command", async () => {
    vi.resetModules();
    vi.doMock("node:module", async (original) => {
      const real = await original<typeof import("node:module")>();
      const createRequire = (from: string | URL) => {
        const req = real.createRequire(from);
        const fake = ((id: string) => {
          if (id.startsWith(`${GOOGLE_PROVIDER_PACKAGE.name}/`)) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: "MODULE_NOT_FOUND" });
          return req(id);
        }) as NodeJS.Require;
        return Object.assign(fake, { resolve: req.resolve, cache: req.cache });
      };
      return { ...real, createRequire, default: { ...real, createRequire } };
    });
    try {
      const { gcpBindings } = await import("../../constructs/gcp/bindings.ts");
      let error: unknown;
      try {
        gcpBindings();
      } catch (e) {
        error = e;
      }
      expect(isDroverError(error) && (error as DroverError).name).toBe("ConfigError");
      expect((error as DroverError).exitCode).toBe(ExitCode.Usage);
      expect((error as DroverError).message).toBe("this stack needs the npm package @cdktf/provider-google 16.12.1, which is not installed");
      expect((error as DroverError).details).toEqual([
        "It holds the Terraform bindings for hashicorp/google 6.50.0, which stacks on gcp() are built from. drover lists it as an optional peer dependency, so installing drover alone leaves it out (it is large, and stacks on other clouds never load it).",
        "Install it in the project: npm install --save-dev @cdktf/provider-google@16.12.1",
      ]);
    } finally {
      vi.doUnmock("node:module");
      vi.resetModules();
    }
  });

  it("is declared as an optional peer at the version the bindings are built for", async () => {
    const { createRequire } = await import("node:module");
    const require = createRequire(import.meta.url);
    const pkg = require("../../package.json") as Record<string, Record<string, unknown>>;
    expect(pkg.peerDependencies).toMatchObject({ [GOOGLE_PROVIDER_PACKAGE.name]: GOOGLE_PROVIDER_PACKAGE.version });
    expect(pkg.peerDependenciesMeta).toMatchObject({ [GOOGLE_PROVIDER_PACKAGE.name]: { optional: true } });
    expect(pkg.dependencies).not.toHaveProperty(GOOGLE_PROVIDER_PACKAGE.name);
    expect(pkg.devDependencies).not.toHaveProperty(GOOGLE_PROVIDER_PACKAGE.name);
    expect((require(`${GOOGLE_PROVIDER_PACKAGE.name}/package.json`) as { version: string }).version).toBe(GOOGLE_PROVIDER_PACKAGE.version);
  });

  it("is never loaded by a stack on OpenStack, even when the app imports gcp()", () => {
    // A fresh process: this one has loaded the bindings for the GCP tests.
    const { stderr, last } = probeProject(`import { createRequire } from "node:module";
import { App } from "cdktf";
import * as drover from "./constructs/index.ts";
import { gcp } from "./constructs/gcp/profile.ts";
const app = new App({ outdir: "cdktf.out" });
const stack = new drover.DroverStack(app, "dev-vm", { cloud: drover.jetstream2(), owner: "me@example.edu" });
new drover.VirtualMachine(stack, "box", { size: "m3.small", publicAddress: true, volumes: [{ name: "data", sizeGiB: 10 }] });
app.synth();
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes("/@cdktf/provider-google/"));
console.log(JSON.stringify({ typeofGcp: typeof gcp, loaded }));
`);
    expect(stderr).toBe("");
    expect(last).toEqual({ typeofGcp: "function", loaded: [] });
  });

  it("is loaded, by deep paths only, when a stack is on gcp()", () => {
    const { stderr, last } = probeProject(`import { createRequire } from "node:module";
import { App } from "cdktf";
import { DroverStack } from "./constructs/index.ts";
import { gcp } from "./constructs/gcp/profile.ts";
new DroverStack(new App({ outdir: "cdktf.out" }), "dev-vm", { cloud: gcp({ project: "my-lab-123456", region: "us-central1" }), owner: "me@example.edu" });
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes("/@cdktf/provider-google/"));
console.log(JSON.stringify(loaded.map((p) => p.slice(p.indexOf("/@cdktf/provider-google/") + 24)).sort()));
`);
    expect(stderr).toBe("");
    expect(last).toEqual([
      "lib/compute-address/index.js",
      "lib/compute-attached-disk/index.js",
      "lib/compute-disk/index.js",
      "lib/compute-firewall/index.js",
      "lib/compute-instance/index.js",
      "lib/compute-network/index.js",
      "lib/compute-subnetwork/index.js",
      "lib/data-google-compute-image/index.js",
      "lib/data-google-compute-subnetwork/index.js",
      "lib/data-google-dns-managed-zone/index.js",
      "lib/dns-record-set/index.js",
      "lib/provider/index.js",
      "package.json",
    ]);
  });
});
