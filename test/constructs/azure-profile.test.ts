import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { azure, AZURE_LOCATIONS, type AzureProps } from "../../constructs/azure/profile.ts";
import { AZURE_SIZES } from "../../lib/catalog/azure-sizes.ts";
import { ConfigError, ExitCode } from "../../lib/errors.ts";
import { AZURE_PROVIDER_PACKAGE } from "../../constructs/azure/bindings.ts";
import { loadOptional } from "../../lib/providers/optional.ts";
import { makeProject } from "../support/project.ts";
import { validationIssues } from "../support/synth.ts";

const SUBSCRIPTION = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

describe("azure() profile", () => {
  it("GIVEN a location THEN it carries the Azure facts: size catalog, Ubuntu 24.04, a new network, no quota and no DNS zone", () => {
    const p = azure({ location: "eastus2" });
    expect(p).toMatchObject({ kind: "azure", name: "azure", region: "eastus2", location: "eastus2", summary: "Azure, location eastus2", defaultImage: "ubuntu-24.04", defaultNetwork: "new" });
    expect(p.flavors).toBe(AZURE_SIZES);
    expect(p.images.map((i) => [i.name, i.loginUser])).toEqual([
      ["ubuntu-24.04", "ubuntu"],
      ["ubuntu-22.04", "ubuntu"],
    ]);
    expect(p.quota).toBeUndefined();
    expect(p.dnsZone).toBeUndefined();
    for (const key of ["subscriptionId", "resourceGroup", "dnsZoneResourceGroup"]) expect(p).not.toHaveProperty(key);
  });

  it("takes a subscription, an existing resource group and subnet, and a DNS zone (written with its trailing dot, its resource group kept)", () => {
    const p = azure({
      location: "westeurope",
      subscriptionId: SUBSCRIPTION.toUpperCase(),
      resourceGroup: "lab-shared",
      network: { name: "private", virtualNetwork: "lab-vnet", resourceGroup: "lab-network" },
      dnsZone: { name: "lab.example.org", resourceGroup: "lab-dns" },
    });
    expect(p).toMatchObject({
      summary: `Azure, location westeurope, resource group "lab-shared", subscription ${SUBSCRIPTION}`,
      subscriptionId: SUBSCRIPTION,
      resourceGroup: "lab-shared",
      defaultNetwork: { name: "private", virtualNetwork: "lab-vnet", resourceGroup: "lab-network" },
      dnsZone: "lab.example.org.",
      dnsZoneResourceGroup: "lab-dns",
    });
    expect(azure({ location: "eastus", dnsZone: { name: "example.org.", resourceGroup: "dns" } }).dnsZone).toBe("example.org.");
  });

  it("knows the public locations by their short names, each once", () => {
    expect(AZURE_LOCATIONS).toContain("eastus2");
    expect(AZURE_LOCATIONS).toContain("swedencentral");
    expect(new Set(AZURE_LOCATIONS).size).toBe(AZURE_LOCATIONS.length);
    for (const l of AZURE_LOCATIONS) expect(l).toMatch(/^[a-z]+[0-9]?$/);
  });

  it.each<[string, AzureProps, string[]]>([
    ["a display name for a location", { location: "East US 2" }, [`azure(): 'location' "East US 2" is not an Azure location: did you mean "eastus2"?`]],
    ["a misspelt location", { location: "westeurop" }, [`azure(): 'location' "westeurop" is not an Azure location: did you mean "westeurope"?`]],
    ["no location", {} as AzureProps, [`azure(): 'location' undefined is not an Azure location: use its short name, e.g. "eastus2" (az account list-locations -o table lists them)`]],
    [
      "a subscription name instead of its ID",
      { location: "eastus", subscriptionId: "Pay-As-You-Go" },
      [
        `azure(): 'subscriptionId' "Pay-As-You-Go" is not a subscription ID: give the GUID that az account show prints as "id" (e.g. "00000000-0000-0000-0000-000000000000"), or leave it out to use ARM_SUBSCRIPTION_ID`,
      ],
    ],
    [
      "a resource group name ending in a dot",
      { location: "eastus", resourceGroup: "lab." },
      [
        `azure(): 'resourceGroup' "lab." is not a resource group name (1-90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.'): name an existing resource group, or leave it out for a new one per stack ("<stack>-rg")`,
      ],
    ],
    [
      "a network named as a string",
      { location: "eastus", network: "default" as unknown as "new" },
      [`azure(): 'network' must be "new" or { name: "<subnet>", virtualNetwork: "<its virtual network>", resourceGroup: "<their resource group>" }, got "default"`],
    ],
    [
      "a subnet without its network and resource group",
      { location: "eastus", network: { name: "private" } as never },
      [
        `azure(): 'network.virtualNetwork' undefined is not a virtual network name (2-64 letters, digits, '-', '_' and '.', starting with a letter or digit and ending with a letter, digit or '_'): 'network' must be "new" or { name: "<subnet>", virtualNetwork: "<its virtual network>", resourceGroup: "<their resource group>" }`,
        `azure(): 'network.resourceGroup' undefined is not a resource group name (1-90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.'): name the resource group that holds the virtual network`,
      ],
    ],
    [
      "a subnet name with a slash",
      { location: "eastus", network: { name: "lab-vnet/private", virtualNetwork: "lab-vnet", resourceGroup: "lab" } },
      [
        `azure(): 'network.name' "lab-vnet/private" is not a subnet name (1-80 letters, digits, '-', '_' and '.', starting with a letter or digit and ending with a letter, digit or '_'): 'network' must be "new" or { name: "<subnet>", virtualNetwork: "<its virtual network>", resourceGroup: "<their resource group>" }`,
      ],
    ],
    [
      "a DNS zone without its resource group",
      { location: "eastus", dnsZone: "lab.example.org" as never },
      [`azure(): 'dnsZone' must be { name: "lab.example.org", resourceGroup: "<the zone's resource group>" }, got "lab.example.org"`],
    ],
    [
      "a bad zone name and resource group",
      { location: "eastus", dnsZone: { name: "not a zone", resourceGroup: "" } },
      [
        `azure(): 'dnsZone.name' "not a zone" is not a DNS zone name (e.g. "lab.example.org")`,
        `azure(): 'dnsZone.resourceGroup' "" is not a resource group name (1-90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.'): name the resource group that holds the DNS zone (az network dns zone list -o table shows it)`,
      ],
    ],
  ])("rejects %s, naming the prop, the value and the fix", (_, props, messages) => {
    expect(validationIssues(() => azure(props))).toEqual(messages);
  });

  it("reports every problem at once", () => {
    expect(validationIssues(() => azure({ location: "mars", subscriptionId: "x", resourceGroup: "a b" })).map((m) => m.split(":")[1]!.trim())).toEqual([
      `'location' "mars" is not an Azure location`,
      `'subscriptionId' "x" is not a subscription ID`,
      `'resourceGroup' "a b" is not a resource group name (1-90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.')`,
    ]);
  });
});

describe("@cdktf/provider-azurerm, an optional peer dependency", () => {
  it("GIVEN the package is missing WHEN a stack needs it THEN a configuration error (exit 2) names the package, what it holds and the install command", () => {
    const absent = { ...AZURE_PROVIDER_PACKAGE, name: "@drover-test/provider-azurerm-absent" };
    let error: unknown;
    try {
      loadOptional(absent, "lib/linux-virtual-machine/index.js");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(ExitCode.Usage);
    expect((error as ConfigError).message).toBe("this stack needs the npm package @drover-test/provider-azurerm-absent 14.23.1, which is not installed");
    expect((error as ConfigError).details).toEqual([
      "It holds the Terraform bindings for hashicorp/azurerm 4.55.0, which stacks on azure() are built from. drover lists it as an optional peer dependency, so installing drover alone leaves it out (it is large, and stacks on other clouds never load it).",
      "Install it in the project: npm install --save-dev @drover-test/provider-azurerm-absent@14.23.1",
    ]);
  });

  it("is declared as an optional peer at the version the bindings are built for, and is the version installed", async () => {
    const { createRequire } = await import("node:module");
    const require = createRequire(import.meta.url);
    const pkg = require("../../package.json") as Record<string, Record<string, unknown>>;
    expect(pkg.peerDependencies).toMatchObject({ [AZURE_PROVIDER_PACKAGE.name]: "14.23.1" });
    expect(pkg.peerDependenciesMeta).toMatchObject({ [AZURE_PROVIDER_PACKAGE.name]: { optional: true } });
    expect(pkg.dependencies).not.toHaveProperty(AZURE_PROVIDER_PACKAGE.name);
    expect((require(`${AZURE_PROVIDER_PACKAGE.name}/package.json`) as { version: string }).version).toBe(AZURE_PROVIDER_PACKAGE.version);
  });

  it("is loaded by deep paths only when a stack is on azure(), and never by a stack on Jetstream2", () => {
    const dir = makeProject({});
    const probe = join(dir, "probe.ts");
    writeFileSync(
      probe,
      `import { createRequire } from "node:module";
import { App } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
import { azure } from "./constructs/azure/profile.ts";
const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes("/@cdktf/provider-azurerm/")).map((p) => p.slice(p.indexOf("/@cdktf/provider-azurerm/") + 25));
const app = new App({ outdir: "cdktf.out" });
const js2 = new DroverStack(app, "on-js2", { cloud: jetstream2(), owner: "me@example.edu" });
new VirtualMachine(js2, "box", { size: "m3.small", publicAddress: true, volumes: [{ name: "data", sizeGiB: 10 }] });
const before = loaded();
new DroverStack(app, "on-azure", { cloud: azure({ location: "eastus2" }), owner: "me@example.edu" });
console.log(JSON.stringify({ before, after: loaded() }));
`,
    );
    const run = spawnSync(process.execPath, ["--import", "tsx", probe], { cwd: dir, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    expect(run.stderr).toBe("");
    const { before, after } = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { before: string[]; after: string[] };
    expect(before).toEqual([]);
    expect(after).toContain("lib/linux-virtual-machine/index.js");
    expect(after).toContain("package.json");
    expect(after).not.toContain("lib/index.js");
    expect(after.length).toBeLessThan(30);
  });
});
