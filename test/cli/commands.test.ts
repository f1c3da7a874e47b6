import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";
import { testPublicKey } from "../support/keys.ts";

const key = testPublicKey("cli@test");

const twoStacks = `import { App, TerraformStack, DataResource } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
const app = new App();
const lab = new DroverStack(app, "lab", { cloud: jetstream2(), owner: "pi@uni.edu", expiresAt: "2027-01-31", description: "Lab machines" });
new VirtualMachine(lab, "box", { size: "m3.quad", allowSshFrom: ["203.0.113.0/24"], publicKey: ${JSON.stringify(key)}, publicAddress: true });
const plain = new TerraformStack(app, "plain");
new DataResource(plain, "marker", { input: { n: 1 } });
app.synth();
`;

describe("drover --help / --version / bad usage", () => {
  const dir = REPO;
  it("prints help with the commands and exit codes", () => {
    const r = drover(dir, ["--help"]);
    expect(r.code).toBe(0);
    for (const word of ["synth [options] [stacks...]", "list|ls", "validate [options] [stacks...]", "Exit codes: 0 ok, 1 check or apply failed"]) expect(r.stdout).toContain(word);
    expect(drover(dir, ["synth", "--help"]).stdout).toContain("Usage: drover synth [options] [stacks...]");
  });

  it("prints the package version", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    expect(drover(dir, ["--version"]).stdout.trim()).toBe(pkg.version);
  });

  it.each([
    [["synth", "--bogus"], "Error: unknown option '--bogus'\n  Run drover --help for the commands and options.\n"],
    [["frobnicate"], "Error: unknown command 'frobnicate'\n  Run drover --help for the commands and options.\n"],
    [["lst"], "Error: unknown command 'lst'\n  Did you mean one of list, ls?\n  Run drover --help for the commands and options.\n"],
  ])("refuses %j with exit 2 and no stack trace", (args, stderr) => {
    const r = drover(dir, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(stderr);
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
  });

  it("explains a directory without cdktf.json (exit 2)", () => {
    const r = drover("/", ["synth"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("Error: no cdktf.json in / or any directory above it\n  Run drover inside a drover (or cdktf) project, or pass --cwd <dir>.\n");
  });

  it("runs in another directory with --cwd", () => {
    const project = makeProject({ "main.ts": twoStacks });
    const r = drover("/", ["--cwd", project, "list", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stacks).toHaveLength(2);
  });
});

describe("drover list", () => {
  it("lists stacks with cloud, region, resources, owner, expiry and description, writing nothing", () => {
    const dir = makeProject({ "main.ts": twoStacks });
    const r = drover(dir, ["list"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").map((l) => l.replace(/\s+/g, " ").trim())).toEqual([
      "STACK CLOUD REGION RESOURCES OWNER EXPIRES STATE DESCRIPTION",
      "lab jetstream2 IU 12 pi@uni.edu 2027-01-31 - Lab machines",
      "plain none - 1 - - -",
      "",
    ]);
    expect(existsSync(join(dir, "cdktf.out"))).toBe(false);
    const json = JSON.parse(drover(dir, ["ls", "--json"]).stdout);
    expect(json.stacks[0]).toEqual({
      name: "lab",
      cloud: "jetstream2",
      region: "IU",
      summary: "Jetstream2 (OpenStack), region IU",
      resources: 12,
      owner: "pi@uni.edu",
      expiresAt: "2027-01-31",
      description: "Lab machines",
      expired: false,
      shelved: false,
    });
  });

  it("marks expired and shelved stacks, and --expired lists only the expired ones with exit 1 (0 when none)", () => {
    const app = `import { App } from "cdktf";
import { DroverStack, jetstream2 } from "./constructs/index.ts";
const app = new App();
new DroverStack(app, "old-class", { cloud: jetstream2(), owner: "ta@uni.edu", expiresAt: "2020-05-15" });
new DroverStack(app, "lab", { cloud: jetstream2(), owner: "pi@uni.edu", expiresAt: "2099-01-31" });
new DroverStack(app, "forever", { cloud: jetstream2(), owner: "pi@uni.edu" });
app.synth();
`;
    const dir = makeProject({ "main.ts": app, ".drover/power/lab.json": JSON.stringify({ state: "shelved_offloaded", since: "2026-11-01T00:00:00Z" }) });
    const all = drover(dir, ["list"]);
    expect(all.code).toBe(0);
    expect(all.stdout.split("\n").map((l) => l.replace(/\s+/g, " ").trim())).toEqual([
      "STACK CLOUD REGION RESOURCES OWNER EXPIRES STATE DESCRIPTION",
      "forever jetstream2 IU 0 pi@uni.edu - -",
      "lab jetstream2 IU 0 pi@uni.edu 2099-01-31 shelved",
      "old-class jetstream2 IU 0 ta@uni.edu 2020-05-15 (expired) -",
      "",
    ]);
    const expired = drover(dir, ["list", "--expired", "--json"]);
    expect(expired.code).toBe(1);
    expect(JSON.parse(expired.stdout).stacks.map((s: { name: string }) => s.name)).toEqual(["old-class"]);

    const fresh = makeProject({ "main.ts": twoStacks });
    const none = drover(fresh, ["list", "--expired"]);
    expect(none.code).toBe(0);
    expect(none.stdout.trim()).toBe("No stack has expired.");
  });
});

describe("drover validate", () => {
  it("passes the example stacks (exit 0)", () => {
    const dir = makeProject({}, { copyExamples: true });
    const r = drover(dir, ["validate"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✔ dev-vm: valid \(12 blocks checked against terraform-provider-openstack\/openstack 3\.4\.0\)$/m);
    expect(r.stdout).toMatch(/^✔ virtual-slurm: valid \(\d+ blocks checked against terraform-provider-openstack\/openstack 3\.4\.0\)/m);
    // Each stack names the schemas it was checked against: the hub's k3s CA is hashicorp/tls's.
    expect(r.stdout).toMatch(/^✔ workshop-jupyterhub: valid \(\d+ blocks checked against hashicorp\/tls 4\.0\.4, terraform-provider-openstack\/openstack 3\.4\.0\)/m);
    const json = JSON.parse(drover(dir, ["validate", "--json"]).stdout);
    expect(json).toMatchObject({
      valid: true,
      schemas: ["terraform-provider-openstack/openstack 3.4.0", "hashicorp/tls 4.0.4"],
      stacks: [
        { name: "dev-vm", valid: true, errors: 0, findings: [], schemas: ["terraform-provider-openstack/openstack 3.4.0"] },
        { name: "science-gateway", valid: true, errors: 0, findings: [] },
        // The munge key comes from the random provider, which has no schema file here.
        { name: "virtual-slurm", valid: true, errors: 0, findings: [], unchecked: ["random_bytes"] },
        { name: "workshop-jupyterhub", valid: true, errors: 0, findings: [], unchecked: ["random_password"] },
      ],
    });
  });

  it("fails with exit 1 and names each problem when a stack does not match the provider schema", () => {
    const dir = makeProject({
      "main.ts": `import { App, TerraformResource } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
const app = new App();
const lab = new DroverStack(app, "lab", { cloud: jetstream2(), owner: "pi" });
const vm = new VirtualMachine(lab, "box", { size: "m3.quad" });
const instance = vm.node.findChild("Resource") as TerraformResource;
instance.addOverride("flavour_name", "m3.quad");
instance.addOverride("metadata", "owner=pi");
app.synth();
`,
    });
    const r = drover(dir, ["validate"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        "✖ lab: 2 errors",
        '  error openstack_compute_instance_v2.box_45895026 (lab/box/Resource) flavour_name: "flavour_name" is not an argument or block of this type: did you mean flavor_name?',
        '  error openstack_compute_instance_v2.box_45895026 (lab/box/Resource) metadata: "metadata" must be a map of string, got the string "owner=pi"',
        "",
      ].join("\n"),
    );
  });

  it("checks only the named stacks, and says which types it could not check", () => {
    const dir = makeProject({ "main.ts": twoStacks });
    const r = drover(dir, ["validate", "plain", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stacks).toEqual([expect.objectContaining({ name: "plain", valid: true, checked: 0, unchecked: [] })]);
  });
});
