import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";
import { terraformEnv } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";

/** One terraform_data resource whose input is the environment's V: a change to V is a change to the stack. */
const APP = `import { App, DataResource, TerraformStack } from "cdktf";
const app = new App();
const stack = new TerraformStack(app, "site");
new DataResource(stack, "config", { input: { v: Number(process.env.V ?? 1) } });
app.synth();
`;

const inputOf = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, "terraform.site.tfstate"), "utf8")) as { resources: Array<{ instances: Array<{ attributes: { input: { value: { v: number } } } }> }> }).resources[0]!.instances[0]!
    .attributes.input.value.v;

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("drover plan --out, then drover deploy <file>", () => {
  const setup = () => {
    const dir = makeProject({ "main.ts": APP });
    const env = terraformEnv() as Record<string, string>;
    return { dir, run: (args: string[], extra: Record<string, string> = {}) => drover(dir, args, { ...env, ...extra }) };
  };

  it("applies exactly the reviewed plan, without asking, and keeps the file private", () => {
    const { dir, run } = setup();
    const planned = run(["plan", "site", "--out", "site.plan"]);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain("Saved the plan to site.plan: apply exactly it with drover deploy site.plan");
    expect(statSync(join(dir, "site.plan")).mode & 0o777).toBe(0o600);
    // No terminal and no --yes: the saved plan is the confirmation.
    const applied = run(["deploy", "site.plan"]);
    expect(applied.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/site deployed in .*: 1 created/);
    expect(inputOf(dir)).toBe(1);
  });

  it("refuses a plan made from other code (exit 1), applying nothing", () => {
    const { dir, run } = setup();
    expect(run(["deploy", "site", "--yes"]).code).toBe(0);
    expect(run(["plan", "site", "--out", "site.plan"], { V: "2" }).code).toBe(0);
    // WHEN the code moves on after the review
    const r = run(["deploy", "site.plan"], { V: "3" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: the saved plan site.plan is stale: stack site synthesizes differently now than when it was planned");
    expect(r.stderr).toContain("Plan again and review that: drover plan site --out site.plan");
    expect(inputOf(dir)).toBe(1);
    // THEN the same code applies it
    expect(run(["deploy", "site.plan"], { V: "2" }).code).toBe(0);
    expect(inputOf(dir)).toBe(2);
  });

  it("refuses a plan whose state moved on since (terraform's own check)", () => {
    const { dir, run } = setup();
    expect(run(["deploy", "site", "--yes"]).code).toBe(0);
    expect(run(["plan", "site", "--out", "site.plan"], { V: "2" }).code).toBe(0);
    expect(run(["deploy", "site", "--yes"], { V: "2" }).code).toBe(0);
    const r = run(["deploy", "site.plan"], { V: "2" });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("Saved plan is stale");
    expect(inputOf(dir)).toBe(2);
  });

  it("refuses --out with --offline, with several stacks, and a file that is not a saved plan (exit 2)", () => {
    const { dir, run } = setup();
    expect(run(["plan", "--offline", "--out", "x.plan"]).stderr).toContain("Error: --out saves terraform's plan, and --offline plans without terraform");
    const two = makeProject({ "main.ts": APP.replace("app.synth();", 'new DataResource(new TerraformStack(app, "other"), "x", { input: 1 });\napp.synth();') });
    const several = drover(two, ["plan", "--out", "x.plan"], terraformEnv() as Record<string, string>);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain("Error: --out saves one stack's plan, and the app has 2 stacks\n  Name the stack: drover plan other --out x.plan");
    writeFileSync(join(dir, "notes.txt"), "hello\n");
    const bad = run(["deploy", "notes.txt"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Error: notes.txt is not a plan drover saved");
    expect(bad.stderr).not.toMatch(STACK_TRACE_LINE);
  });
});
