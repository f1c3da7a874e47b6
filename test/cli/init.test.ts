import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { init } from "../../lib/cli/commands/init.ts";
import { droverSpec } from "../../lib/init/spec.ts";
import { INIT_TEMPLATES, functionName, projectName } from "../../lib/init/scaffold.ts";
import { UsageError } from "../../lib/errors.ts";
import { STACK_TRACE_LINE, drover } from "../support/project.ts";
import { onTerminal, plain } from "../support/terminal.ts";
import { hasTool } from "../support/tools.ts";

const FILES = (name: string) => ["package.json", "tsconfig.json", "cdktf.json", "main.ts", `stacks/${name}.ts`, `test/${name}.test.ts`, ".gitignore", "README.md"];
const temp = () => mkdtempSync(join(tmpdir(), "drover-init-"));
const listed = (dir: string, prefix = ""): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listed(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));

describe("drover init", () => {
  it.each(INIT_TEMPLATES)("writes the %s project's files and says what to run next", async (template) => {
    // GIVEN an empty directory named for the project
    const cwd = temp();
    // WHEN
    const report = await init({ cwd, dir: "My Lab", template, drover: "^0.1.0" });
    // THEN
    expect(report.name).toBe("my-lab");
    expect(report.written).toEqual(FILES("my-lab"));
    expect(report.skipped).toEqual([]);
    expect(listed(join(cwd, "My Lab")).sort()).toEqual([...FILES("my-lab")].sort());
    expect(report.next).toEqual(['cd "My Lab"', "npm install", "npx drover synth", "npm test"]);
    const pkg = JSON.parse(readFileSync(join(cwd, "My Lab/package.json"), "utf8"));
    expect(pkg).toMatchObject({ name: "my-lab", type: "module", dependencies: { drover: "^0.1.0" } });
    const stack = readFileSync(join(cwd, "My Lab/stacks/my-lab.ts"), "utf8");
    expect(stack).toContain('from "drover"');
    expect(stack).toContain('new DroverStack(scope, "my-lab"');
    expect(readFileSync(join(cwd, "My Lab/test/my-lab.test.ts"), "utf8")).toContain('from "drover/testing"');
    expect(readFileSync(join(cwd, "My Lab/.gitignore"), "utf8").split("\n")).toEqual(expect.arrayContaining(["terraform.*.tfstate", "cdktf.out/", ".drover/", ".terraform/"]));
  });

  it("never replaces a file: existing ones are kept byte for byte and named as skipped", async () => {
    const cwd = temp();
    writeFileSync(join(cwd, "README.md"), "mine\n");
    mkdirSync(join(cwd, "stacks"));
    writeFileSync(join(cwd, "stacks", "lab.ts"), "// mine too\n");
    const report = await init({ cwd, name: "lab", template: "vm", drover: "^0.1.0" });
    expect(report.skipped).toEqual(["stacks/lab.ts", "README.md"]);
    expect(report.written).not.toContain("README.md");
    expect(readFileSync(join(cwd, "README.md"), "utf8")).toBe("mine\n");
    expect(readFileSync(join(cwd, "stacks", "lab.ts"), "utf8")).toBe("// mine too\n");
    expect(report.next).toEqual(["npm install", "npx drover synth", "npm test"]);
  });

  it("asks for the template when it can, offering the four", async () => {
    const cwd = temp();
    let offered: string[] = [];
    const report = await init({
      cwd,
      name: "hub",
      drover: "^0.1.0",
      ask: async (choices) => {
        offered = choices.map((c) => c.value);
        return "jupyterhub";
      },
    });
    expect(offered).toEqual(["vm", "slurm", "jupyterhub", "gateway"]);
    expect(report.template).toBe("jupyterhub");
    expect(readFileSync(join(cwd, "stacks/hub.ts"), "utf8")).toContain("new JupyterHubCluster(");
  });

  it.runIf(hasTool("script", "apt-get install bsdutils"))("asks on a terminal, where the arrow keys and Enter choose", async () => {
    const cwd = temp();
    const r = await onTerminal(cwd, ["init", "lab", "--drover", "^0.1.0"], [[/Which stack should the project start with\?/, "\x1b[B"]]);
    const text = plain(r.out);
    expect(text).toContain("vm          one VM with SSH from one network");
    expect(text).toContain('Created the slurm project "lab" in lab');
    expect(r.code).toBe(0);
    expect(readFileSync(join(cwd, "lab/stacks/lab.ts"), "utf8")).toContain("new SlurmCluster(");
  });

  it("refuses clearly, with exit code 2 and no stack trace, when it cannot ask", () => {
    const cwd = temp();
    const r = drover(cwd, ["init", "."]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error: drover init needs --template when it cannot ask (not a terminal)");
    expect(r.stderr).toContain("Run it again with --template vm|slurm|jupyterhub|gateway");
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("refuses an unknown template and a name that cannot be a stack's", async () => {
    const cwd = temp();
    const r = drover(cwd, ["init", ".", "--template", "k8s"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'k8s' is invalid. Allowed choices are vm, slurm, jupyterhub, gateway.");
    await expect(init({ cwd, name: "1lab", template: "vm", drover: "^0.1.0" })).rejects.toThrow(UsageError);
    await expect(init({ cwd, name: "1lab", template: "vm", drover: "^0.1.0" })).rejects.toThrow('--name "1lab" cannot name a project');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("prints what it wrote and the next three commands", () => {
    const cwd = temp();
    const r = drover(cwd, ["init", "lab", "--template", "gateway", "--drover", "^0.1.0"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created the gateway project "lab" in lab (drover ^0.1.0, from the registry):');
    expect(r.stdout).toContain("  wrote   stacks/lab.ts");
    expect(r.stdout).toMatch(/Next:\n {2}cd lab\n {2}npm install\n {2}npx drover synth\n {2}npm test\n?$/);
    expect(r.stdout).not.toContain("package.json was there already");
  });

  it("says what to add when the directory already had a package.json", () => {
    const cwd = temp();
    writeFileSync(join(cwd, "package.json"), '{ "name": "mine" }\n');
    const r = drover(cwd, ["init", ".", "--template", "vm", "--drover", "^0.1.0"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  skipped package.json (it exists; left as it was)");
    expect(r.stdout).toContain('package.json was there already: make sure it depends on drover, cdktf and constructs (npm install drover@^0.1.0 cdktf constructs) and has "type": "module".');
    expect(readFileSync(join(cwd, "package.json"), "utf8")).toBe('{ "name": "mine" }\n');
  });
});

describe("the drover spec of a new project", () => {
  /** A package directory `node_modules/drover` under a project whose package.json names drover as `spec`. */
  function installedUnder(spec: string | undefined): { root: string; project: string } {
    const project = temp();
    const root = join(project, "node_modules", "drover");
    mkdirSync(root, { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify(spec === undefined ? {} : { dependencies: { drover: spec } }));
    return { root, project };
  }

  it("is the tarball npm exec ran, as an absolute path", () => {
    const { root, project } = installedUnder("file:../../drover-0.1.0.tgz");
    expect(droverSpec(root, "0.1.0")).toEqual({ spec: `file:${join(project, "../../drover-0.1.0.tgz")}`, from: "tarball" });
  });

  it("is the git URL it was installed from", () => {
    const { root } = installedUnder("git+https://github.com/example/drover.git#v0.1.0");
    expect(droverSpec(root, "0.1.0")).toEqual({ spec: "git+https://github.com/example/drover.git#v0.1.0", from: "git" });
    expect(droverSpec(installedUnder("github:example/drover").root, "0.1.0").from).toBe("git");
  });

  it("is the running version from the registry otherwise", () => {
    expect(droverSpec(installedUnder("latest").root, "0.3.2")).toEqual({ spec: "^0.3.2", from: "registry" });
    expect(droverSpec(installedUnder(undefined).root, "0.3.2")).toEqual({ spec: "^0.3.2", from: "registry" });
    expect(droverSpec(temp(), "0.3.2")).toEqual({ spec: "^0.3.2", from: "registry" });
  });
});

describe("names", () => {
  it.each([
    ["My Lab", "my-lab"],
    ["2024_workshop", "workshop"],
    ["--x--", "x"],
    ["___", undefined],
  ])("directory %j names the project %j", (dir, name) => {
    expect(projectName(dir)).toBe(name);
  });
  it("gives the stack function a camel-case name", () => {
    expect(functionName("my-lab")).toBe("myLab");
    expect(functionName("hub")).toBe("hub");
  });
});
