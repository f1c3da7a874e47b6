import { describe, expect, it } from "vitest";
import { actionOf, constructPaths, planFromTerraform, type TerraformPlanJson } from "../../lib/plan/from-terraform.ts";
import type { Plan } from "../../lib/plan/model.ts";
import { showValue } from "../../lib/plan/values.ts";
import { hasTool } from "../support/tools.ts";
import { TerraformDir } from "../support/terraform.ts";

/** A cdktf-like config of terraform_data resources, each with construct metadata. */
function config(resources: Record<string, Record<string, unknown>>, outputs: Record<string, unknown> = {}) {
  return {
    resource: {
      terraform_data: Object.fromEntries(Object.entries(resources).map(([name, body]) => [name, { "//": { metadata: { path: `app/${name}` } }, ...body }])),
    },
    ...(Object.keys(outputs).length ? { output: outputs } : {}),
  };
}

const lines = (p: Plan) =>
  p.resources.map(
    (r) => `${r.address} ${r.action}${r.reason ? ` (${r.reason})` : ""}: ${r.changes.map((c) => `${c.path} ${showValue(c.before)}→${showValue(c.after)}${c.forcesReplacement ? "!" : ""}`).join("; ")}`,
  );

describe("actionOf", () => {
  it.each([
    [["no-op"], "no-op"],
    [["create"], "create"],
    [["read"], "read"],
    [["update"], "update"],
    [["delete"], "delete"],
    [["forget"], "forget"],
    [["delete", "create"], "replace"],
    [["create", "delete"], "replace"],
  ])("%j → %s", (actions, action) => {
    expect(actionOf(actions)).toBe(action);
  });

  it("refuses an action list it does not know", () => {
    expect(() => actionOf(["explode"])).toThrow("unknown terraform action list [explode]");
  });
});

describe("constructPaths", () => {
  it("maps addresses to construct paths and stateful marks", () => {
    const paths = constructPaths({
      resource: { terraform_data: { a: { "//": { metadata: { path: "s/a" }, drover: { stateful: true } } } } },
      data: { terraform_remote_state: { r: { "//": { metadata: { path: "s/r" } } } } },
    });
    expect([...paths]).toEqual([
      ["terraform_data.a", "s/a"],
      ["stateful:terraform_data.a", "true"],
      ["data.terraform_remote_state.r", "s/r"],
    ]);
  });
});

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("planFromTerraform on plans made by the real terraform", () => {
  const first = config(
    { web: { input: { size: 1 } }, cache: { input: { n: 1 }, triggers_replace: { v: "1" } }, old: { input: { x: 1 } } },
    { web_out: { value: "${terraform_data.web.output}" }, token: { value: "hunter2", sensitive: true } },
  );

  it("models a create, with unknowns and sensitive outputs", () => {
    const tf = new TerraformDir().write(first).init();
    const p = planFromTerraform("app", tf.planJson() as TerraformPlanJson, first);
    expect(p.source).toBe("terraform");
    expect(p.terraformVersion).toMatch(/^1\.\d+\.\d+/);
    expect(lines(p)).toEqual([
      'terraform_data.cache create: id (none)→(known after apply); input.n (none)→1; output (none)→(known after apply); triggers_replace.v (none)→"1"',
      "terraform_data.old create: id (none)→(known after apply); input.x (none)→1; output (none)→(known after apply)",
      "terraform_data.web create: id (none)→(known after apply); input.size (none)→1; output (none)→(known after apply)",
    ]);
    expect(p.resources.map((r) => r.constructPath)).toEqual(["app/cache", "app/old", "app/web"]);
    expect(p.outputs).toEqual([
      { name: "token", action: "create", before: { kind: "absent" }, after: { kind: "sensitive" } },
      { name: "web_out", action: "create", before: { kind: "absent" }, after: { kind: "unknown" } },
    ]);
    expect(JSON.stringify(p)).not.toContain("hunter2");
    expect(p.summary).toMatchObject({ create: 3, update: 0, replace: 0, delete: 0, byConstruct: { "app/cache": { create: 1 }, "app/old": { create: 1 }, "app/web": { create: 1 } } });
    expect(p.hasChanges).toBe(true);
  });

  it("models update, replace and delete in one plan, and no changes after apply", () => {
    const tf = new TerraformDir().write(first).init().apply();
    expect(planFromTerraform("app", tf.planJson() as TerraformPlanJson, first).hasChanges).toBe(false);

    const second = config(
      { web: { input: { size: 2 } }, cache: { input: { n: 1 }, triggers_replace: { v: "2" } } },
      { web_out: { value: "${terraform_data.web.output}" }, token: { value: "hunter2", sensitive: true } },
    );
    const p = planFromTerraform("app", tf.write(second).planJson() as TerraformPlanJson, second);
    expect(lines(p)).toEqual([
      'terraform_data.cache replace (triggers_replace.v forces replacement): id "' +
        String((p.resources[0]!.changes[0]!.before as { value: string }).value) +
        '"→(known after apply); output {"n":1}→(known after apply); triggers_replace.v "1"→"2"!',
      "terraform_data.old delete (it is no longer in the stack): ",
      'terraform_data.web update: input.size 1→2; output {"size":1}→(known after apply)',
    ]);
    expect(p.outputs.find((o) => o.name === "web_out")).toEqual({ name: "web_out", action: "update", before: { kind: "known", value: { size: 1 } }, after: { kind: "unknown" } });
  });

  it("models create-before-destroy replacement, a tainted resource and a destroy plan", () => {
    const cbd = config({ a: { input: { n: 1 }, triggers_replace: { v: "1" }, lifecycle: { create_before_destroy: true } }, b: { input: { n: 1 } } });
    const tf = new TerraformDir().write(cbd).init().apply();
    const next = config({ a: { input: { n: 1 }, triggers_replace: { v: "2" }, lifecycle: { create_before_destroy: true } }, b: { input: { n: 1 } } });
    expect(planFromTerraform("app", tf.write(next).planJson() as TerraformPlanJson, next).resources.find((r) => r.name === "a")?.action).toBe("replace");

    tf.write(cbd).run("taint", "terraform_data.b");
    const tainted = planFromTerraform("app", tf.planJson() as TerraformPlanJson, cbd).resources.find((r) => r.name === "b");
    expect(tainted).toMatchObject({ action: "replace", reason: "it is tainted (a previous apply failed part-way)" });

    const destroy = planFromTerraform("app", tf.planJson("-destroy") as TerraformPlanJson, cbd);
    expect(destroy.resources.map((r) => `${r.name} ${r.action}`)).toEqual(["a delete", "b delete"]);
    expect(destroy.summary.delete).toBe(2);
  });

  it("flags deleting a resource marked stateful as destructive", () => {
    const marked = { resource: { terraform_data: { db: { "//": { metadata: { path: "app/db" }, drover: { stateful: true } }, input: { n: 1 } } } } };
    const tf = new TerraformDir().write(marked).init().apply();
    const p = planFromTerraform("app", tf.planJson("-destroy") as TerraformPlanJson, marked);
    expect(p.resources[0]).toMatchObject({ action: "delete", stateful: true, destructive: true });
    expect(p.summary.destructive).toBe(1);
  });
});
