import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deploymentOf, requireDeployed } from "../../lib/deploy/deployed.ts";

/** A project with a stack directory and, as given, a deploy record, a state file and a lock. */
function project(files: Record<string, string>): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), "drover-deployed-"));
  const dir = join(root, "cdktf.out/stacks/demo");
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, ".."), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return { root, dir };
}

const local = { terraform: { backend: { local: { path: "../../../terraform.demo.tfstate" } } } };

describe("deploymentOf: whether a stack is deployed, known without terraform", () => {
  it.each([
    ["nothing at all", {}, local, { kind: "never", where: "no state at terraform.demo.tfstate" }],
    [
      "a state without resources (destroyed)",
      { "terraform.demo.tfstate": JSON.stringify({ version: 4, resources: [] }) },
      local,
      { kind: "never", where: "its state at terraform.demo.tfstate holds no resources" },
    ],
    ["a state with resources", { "terraform.demo.tfstate": JSON.stringify({ version: 4, resources: [{ name: "x" }] }) }, local, { kind: "deployed" }],
    ["drover's deploy record", { ".drover/deployed/demo/cdk.tf.json": "{}" }, local, { kind: "deployed" }],
    ["a lock a crashed run left", { ".terraform.demo.tfstate.lock.info": "{}" }, local, { kind: "unknown" }],
    ["a damaged state (terraform's to report)", { "terraform.demo.tfstate": "{ x" }, local, { kind: "unknown" }],
    ["state kept in S3", {}, { terraform: { backend: { s3: { bucket: "b" } } } }, { kind: "unknown" }],
  ])("GIVEN %s THEN %j", (_, files, config, expected) => {
    const { root, dir } = project(files);
    expect(deploymentOf(root, "demo", config, dir)).toEqual(expected);
  });

  it("refuses only what it knows is not deployed, naming what the command would have done", () => {
    expect(() => requireDeployed({ kind: "never", where: "no state at x" }, "demo", "shelve")).toThrow("stack demo is not deployed (no state at x): there is nothing to shelve");
    expect(() => requireDeployed({ kind: "unknown" }, "demo", "shelve")).not.toThrow();
  });
});
