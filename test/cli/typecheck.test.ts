import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scaffoldFiles } from "../../lib/init/scaffold.ts";
import { STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";

// The tsconfig.json `drover init` writes, so the check runs as it will in a user's project.
const TSCONFIG = scaffoldFiles({ name: "lab", template: "vm", droverSpec: "^0.1.0", drover: { version: "0.1.0" } }).find((f) => f.path === "tsconfig.json")!.content;

const MAIN = `import { App } from "cdktf";
import { lab } from "./stacks/lab.ts";

const app = new App();
lab(app);
app.synth();
`;

const stack = (vmProps: string) => `import type { Construct } from "constructs";
import { DroverStack, VirtualMachine, jetstream2 } from "./../constructs/index.ts";

export function lab(scope: Construct): DroverStack {
  const stack = new DroverStack(scope, "lab", { cloud: jetstream2(), owner: "tester@example.edu" });
  new VirtualMachine(stack, "box", {
    ${vmProps}
  });
  return stack;
}
`;

describe("drover synth type-checks the app first", () => {
  it("stops a misspelt prop with exit 2 at the user's file and line, writing nothing", () => {
    // GIVEN a stack whose VM says 'sise' on line 7
    const dir = makeProject({ "tsconfig.json": TSCONFIG, "main.ts": MAIN, "stacks/lab.ts": stack('sise: "m3.small",') });
    // WHEN
    const r = drover(dir, ["synth"]);
    // THEN
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error: the app has 1 type error (checked before synthesis, with tsconfig.json)");
    expect(r.stderr).toContain("stacks/lab.ts:7:5 TS2353: Object literal may only specify known properties, and 'sise' does not exist in type 'VirtualMachineProps'.");
    expect(r.stderr).toContain("--no-typecheck");
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(existsSync(join(dir, "cdktf.out/stacks/lab"))).toBe(false);
  });

  it("catches what no construct can see at run time, and --no-typecheck skips the check", () => {
    // GIVEN an app whose own code has a type error that changes nothing at run time
    const dir = makeProject({ "tsconfig.json": TSCONFIG, "main.ts": `${MAIN}const replicas: number = "3";\nvoid replicas;\n`, "stacks/lab.ts": stack('size: "m3.small",') });
    const checked = drover(dir, ["synth"]);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain("main.ts:7:7 TS2322: Type 'string' is not assignable to type 'number'.");
    // WHEN the person asks for no check THEN it synthesizes
    const unchecked = drover(dir, ["synth", "--no-typecheck"]);
    expect(unchecked.stderr).toBe("");
    expect(unchecked.code).toBe(0);
    expect(existsSync(join(dir, "cdktf.out/stacks/lab/cdk.tf.json"))).toBe(true);
  });

  it("checks the app alone, incrementally, remembering in .drover/", () => {
    // GIVEN a script with a type error: the project's, not the app's (test/ is linked to the repository's)
    const tsconfig = JSON.stringify({ ...JSON.parse(TSCONFIG), include: ["main.ts", "stacks", "tools"] });
    const dir = makeProject({ "tsconfig.json": tsconfig, "main.ts": MAIN, "stacks/lab.ts": stack('size: "m3.small",'), "tools/seed.ts": 'const x: number = "no";\n' });
    const r = drover(dir, ["synth"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, ".drover/tsbuildinfo"))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, ".drover/typecheck.tsconfig.json"), "utf8"))).toEqual({ extends: "../tsconfig.json", include: [], files: ["../main.ts"] });
  });

  it("leaves a project without tsconfig.json unchecked, as before", () => {
    const dir = makeProject({ "main.ts": `${MAIN}const replicas: number = "3";\nvoid replicas;\n`, "stacks/lab.ts": stack('size: "m3.small",') });
    const r = drover(dir, ["synth"]);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, ".drover/tsbuildinfo"))).toBe(false);
  });
});

describe("the type check in drover's own repository, without the optional provider packages", () => {
  // What tsc prints for drover's source when @cdktf/provider-azurerm is not installed (seen on a
  // clone after `npm ci`), beside errors no missing package explains.
  const OUTPUT = [
    "constructs/azure/firewall.ts(4,47): error TS2307: Cannot find module '@cdktf/provider-azurerm/lib/network-security-rule/index.js' or its corresponding type declarations.",
    "constructs/azure/driver.ts(104,12): error TS2532: Object is possibly 'undefined'.",
    "  The elaboration of an error in a tolerated file.",
    "stacks/virtual-slurm.ts(12,5): error TS2353: Object literal may only specify known properties, and 'acounting' does not exist.",
    "  Did you mean 'accounting'?",
    "constructs/gcp/driver.ts(3,1): error TS2307: Cannot find module '@cdktf/provider-google/lib/compute-instnce/index.js' or its corresponding type declarations.",
    "constructs/openstack/driver.ts(9,3): error TS2322: Type 'string' is not assignable to type 'number'.",
    "constructs/virtual-machine.ts(2,1): error TS2307: Cannot find module '@cdktf/provider-azurerm/lib/provider/index.js' or its corresponding type declarations.",
  ].join("\n");
  // Everything installed but the Azure bindings.
  const installed = (pkg: string) => pkg !== "@cdktf/provider-azurerm";
  const KEPT = [
    "stacks/virtual-slurm.ts(12,5): error TS2353: Object literal may only specify known properties, and 'acounting' does not exist.",
    "  Did you mean 'accounting'?",
    "constructs/gcp/driver.ts(3,1): error TS2307: Cannot find module '@cdktf/provider-google/lib/compute-instnce/index.js' or its corresponding type declarations.",
    "constructs/openstack/driver.ts(9,3): error TS2322: Type 'string' is not assignable to type 'number'.",
    "constructs/virtual-machine.ts(2,1): error TS2307: Cannot find module '@cdktf/provider-azurerm/lib/provider/index.js' or its corresponding type declarations.",
  ];

  it("drops every error of a driver folder where tsc cannot find a provider that is not installed, and keeps every other", async () => {
    // GIVEN drover's source at /repo, checked from /repo
    const { withoutAbsentDrivers } = await import("../../lib/app/typecheck.ts");
    // WHEN THEN: constructs/azure/ goes; a mistyped path into an installed provider (gcp), a
    // driver folder with no missing provider (openstack) and a cloud-neutral construct stay
    expect(withoutAbsentDrivers(OUTPUT, "/repo", "/repo", installed)).toEqual(KEPT);
  });

  it("never drops the app's own files, even in a folder named like a driver's", async () => {
    // GIVEN an app at /lab with its own constructs/azure/, and drover installed elsewhere
    const { withoutAbsentDrivers } = await import("../../lib/app/typecheck.ts");
    // WHEN THEN
    expect(withoutAbsentDrivers(OUTPUT, "/lab", "/lab/node_modules/drover", installed)).toEqual(OUTPUT.split("\n"));
  });

  it("is the rule the package build applies too (scripts/build-package.mjs)", async () => {
    const { withoutAbsentDrivers } = await import("../../scripts/build-package.mjs");
    expect(withoutAbsentDrivers(OUTPUT, installed)).toEqual({ lines: KEPT, absent: ["@cdktf/provider-azurerm"] });
    expect(withoutAbsentDrivers(OUTPUT, () => true)).toEqual({ lines: OUTPUT.split("\n"), absent: [] });
  });
});
