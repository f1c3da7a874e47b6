import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DROVER_BIN, STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";
import { hasPostgres, startPostgres, type Postgres } from "../support/postgres.ts";
import { terraformEnv } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";

/**
 * The pg backend against a real PostgreSQL server on 127.0.0.1: a DroverStack whose backend
 * comes from drover.config.json, deployed twice at once.
 */
const APP = `import { App, DataResource } from "cdktf";
import { DroverStack } from "./constructs/index.ts";
import { nullCloud } from "./test/support/null-cloud.ts";
const app = new App();
const stack = new DroverStack(app, "shared", { cloud: nullCloud(), owner: "lab" });
new DataResource(stack, "a", { input: { v: Number(process.env.V ?? 1) } });
new DataResource(stack, "slow", { input: { n: 1 }, triggersReplace: { run: process.env.RUN ?? "1" }, provisioners: [{ type: "local-exec", command: "sleep " + (process.env.SLEEP ?? "0") }] });
app.synth();
`;

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install") && hasPostgres())("the pg backend with a real PostgreSQL", () => {
  let pg: Postgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.stop());

  function project(): string {
    const dir = makeProject({ "main.ts": APP });
    writeFileSync(join(dir, "drover.config.json"), JSON.stringify({ backend: { type: "pg", connStr: pg.url, schemaName: `drover_${Math.random().toString(36).slice(2, 8)}` } }));
    return dir;
  }

  it("keeps the state in PostgreSQL and names it before applying", () => {
    const dir = project();
    const r = drover(dir, ["deploy", "shared", "--yes"], terraformEnv() as Record<string, string>);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("target: no cloud account (Terraform built-ins only); state in PostgreSQL schema drover_");
    const schema = JSON.parse(readConfig(dir)).terraform.backend.pg.schema_name as string;
    const state = JSON.parse(pg.sql(`SELECT data FROM ${schema}.states WHERE name = 'default'`)) as { resources: Array<{ name: string }> };
    expect(state.resources.map((x) => x.name).sort()).toEqual(["a", "slow"]);
  });

  it("two deploys at once: one fails with the lock message, one waits for the lock, the state stays intact", async () => {
    const dir = project();
    const env = { ...terraformEnv(), NO_COLOR: "1" } as Record<string, string>;
    expect(drover(dir, ["deploy", "--yes"], env).code).toBe(0);

    const first = spawn(process.execPath, [DROVER_BIN, "deploy", "shared", "--yes"], { cwd: dir, env: { ...env, SLEEP: "6", RUN: "2" } });
    let firstErr = "";
    const firstDone = new Promise<number | null>((resolve) => first.on("exit", resolve));
    await new Promise<void>((resolve) => first.stderr.on("data", (d) => ((firstErr += d), firstErr.includes("sleep 6") && resolve())));

    const refused = drover(dir, ["deploy", "shared", "--yes"], { ...env, V: "2", SLEEP: "6", RUN: "2" });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(
      "Error: stack shared is locked by another run\n  If that run is still going, wait for it, or rerun with --lock-timeout 5m to wait up to five minutes.\n  PostgreSQL holds the lock only while the run that took it is connected: it is released when that run ends, even if it crashed.\n",
    );
    expect(refused.stderr).not.toMatch(STACK_TRACE_LINE);

    const waited = spawn(process.execPath, [DROVER_BIN, "deploy", "shared", "--yes", "--lock-timeout", "60s"], { cwd: dir, env: { ...env, V: "3", SLEEP: "0", RUN: "2" } });
    let waitedOut = "";
    waited.stdout.on("data", (d) => (waitedOut += d));
    expect(await firstDone).toBe(0);
    expect(await new Promise((resolve) => waited.on("exit", resolve))).toBe(0);
    expect(waitedOut).toMatch(/✔ shared deployed in/);

    const schema = JSON.parse(readConfig(dir)).terraform.backend.pg.schema_name as string;
    const state = JSON.parse(pg.sql(`SELECT data FROM ${schema}.states WHERE name = 'default'`)) as {
      resources: Array<{ name: string; instances: Array<{ attributes: { input: { value: { v?: number } } } }> }>;
    };
    expect(state.resources.find((x) => x.name === "a")!.instances[0]!.attributes.input.value).toEqual({ v: 3 });
    expect(drover(dir, ["plan", "--detailed-exitcode"], { ...env, V: "3", RUN: "2" }).code).toBe(0);
  });

  it("explains that PostgreSQL locks need no unlocking", () => {
    const dir = project();
    expect(drover(dir, ["deploy", "--yes"], terraformEnv() as Record<string, string>).code).toBe(0);
    const r = drover(dir, ["unlock", "shared", "some-id"], terraformEnv() as Record<string, string>);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "Error: stack shared keeps its state in PostgreSQL, whose locks need no releasing\n  PostgreSQL holds the lock only while the run that took it is connected: it is released when that run ends, even if it crashed.\n",
    );
  });
});

function readConfig(dir: string): string {
  return readFileSync(join(dir, "cdktf.out/stacks/shared/cdk.tf.json"), "utf8");
}
