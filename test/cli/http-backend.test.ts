import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStateServer, type LockInfo, type RemoteState, type StateServer } from "../support/http-state-server.ts";
import { STACK_TRACE_LINE, drover, makeProject } from "../support/project.ts";
import { hasTool } from "../support/tools.ts";

/**
 * drover against Terraform's real `http` state backend, served by a small state server on
 * 127.0.0.1: deploying, a stale lock a crashed run left behind, `drover unlock`, --lock-timeout.
 */

const hasTerraform = hasTool("terraform", "install Terraform 1.11 (https://developer.hashicorp.com/terraform/install)");

/** The lock a crashed `terraform apply` on alice's laptop left behind, as Terraform writes it. */
const STALE: LockInfo = {
  ID: "f00dfeed-1c0d-4c3b-9a55-0badc0ffee00",
  Operation: "OperationTypeApply",
  Info: "",
  Who: "alice@laptop",
  Version: "1.11.4",
  Created: "2026-11-22T10:00:00.123456789Z",
  Path: "",
};

/**
 * What drover must say about it. With the http backend, terraform prints the holder's lock ID
 * only ("already locked: ID=..."); its "Lock Info" block describes the lock it tried to take,
 * so drover names the holder by ID rather than misreport who and since when.
 */
const LOCKED_MESSAGE = [
  `Error: stack locked is locked by another run (lock ${STALE.ID})`,
  "  If that run is still going, wait for it, or rerun with --lock-timeout 5m to wait up to five minutes.",
  `  If nothing is running for this stack (a crash left the lock behind), release it with: drover unlock locked ${STALE.ID}`,
  "",
].join("\n");

/** A plain cdktf app: stack "locked", state on the server, two terraform_data resources. */
function app(remote: RemoteState, n = 1): string {
  return `import { App, DataResource, HttpBackend, TerraformStack } from "cdktf";
const app = new App();
const stack = new TerraformStack(app, "locked");
new HttpBackend(stack, ${JSON.stringify({ address: remote.address, lockAddress: remote.lockAddress, unlockAddress: remote.unlockAddress })});
new DataResource(stack, "first", { input: { n: ${n} } });
new DataResource(stack, "second", { input: { n: ${n}, name: "second" } });
app.synth();
`;
}

/** terraform with no user configuration and no version check. */
function terraformEnv(): Record<string, string> {
  const rc = join(mkdtempSync(join(tmpdir(), "drover-tfrc-")), "terraformrc");
  writeFileSync(rc, "");
  return { TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: "1" };
}

interface StateJson {
  serial: number;
  resources: Array<{ type: string; name: string; instances: Array<{ attributes: { input: { value: unknown } } }> }>;
}

describe.runIf(hasTerraform)("drover with terraform's http state backend", () => {
  let server: StateServer;
  const env = terraformEnv();
  let count = 0;

  beforeAll(async () => {
    server = await startStateServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A project whose stack "locked" keeps its state under a name of its own on the server. */
  function project(): { dir: string; remote: RemoteState } {
    const remote = server.remote(`locked-${++count}`);
    return { dir: makeProject({ "main.ts": app(remote) }), remote };
  }

  it("deploys: the server holds the state with both resources, and the lock is free afterwards", async () => {
    const { dir, remote } = project();
    const r = drover(dir, ["deploy", "--yes"], env);
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✔ locked deployed in");
    const state = (await remote.state<StateJson>())!;
    expect(state.resources.map((res) => `${res.type}.${res.name}`).sort()).toEqual(["terraform_data.first", "terraform_data.second"]);
    expect(state.resources.find((res) => res.name === "first")!.instances[0]!.attributes.input.value).toEqual({ n: 1 });
    expect(await remote.currentLock()).toBeUndefined();
  });

  it("refuses to plan a stack a crashed run left locked: which lock, how to release it (exit 3)", async () => {
    const { dir, remote } = project();
    await remote.lockAs(STALE);
    const r = drover(dir, ["plan", "locked"], env);
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(r.code).toBe(3);
    expect(await remote.currentLock()).toEqual(STALE);
    expect(r.stderr).toBe(LOCKED_MESSAGE);
  });

  it("refuses to deploy it: nothing applied, the state unchanged (exit 3)", async () => {
    const { dir, remote } = project();
    expect(drover(dir, ["deploy", "--yes"], env).code).toBe(0);
    const before = await remote.state();
    await remote.lockAs(STALE);
    writeFileSync(join(dir, "main.ts"), app(remote, 2));
    const r = drover(dir, ["deploy", "--yes"], env);
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(r.code).toBe(3);
    expect(await remote.state()).toEqual(before);
    expect(await remote.currentLock()).toEqual(STALE);
    expect(r.stderr).toBe(LOCKED_MESSAGE);
  });

  it("releases the stale lock with drover unlock, after which deploy works", async () => {
    const { dir, remote } = project();
    await remote.lockAs(STALE);
    const r = drover(dir, ["unlock", "locked", STALE.ID], env);
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`✔ released lock ${STALE.ID} on locked\n`);
    expect(await remote.currentLock()).toBeUndefined();
    const deploy = drover(dir, ["deploy", "--yes"], env);
    expect(deploy.code).toBe(0);
    expect((await remote.state<StateJson>())!.resources).toHaveLength(2);
    expect(await remote.currentLock()).toBeUndefined();
  });

  it("refuses to release a lock under a wrong ID, or a lock that is not there (exit 2)", async () => {
    const { dir, remote } = project();
    await remote.lockAs(STALE);
    const wrong = drover(dir, ["unlock", "locked", "0000-not-the-id"], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      `Error: stack locked is locked with ID ${STALE.ID}, not 0000-not-the-id\n  Check the ID in the lock message; releasing a lock that a live run holds can corrupt the state.\n`,
    );
    expect(await remote.currentLock()).toEqual(STALE);
    expect(drover(dir, ["unlock", "locked", STALE.ID], env).code).toBe(0);
    const again = drover(dir, ["unlock", "locked", STALE.ID], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe("Error: stack locked is not locked: there is nothing to release\n");
  });

  it("waits --lock-timeout for the lock, then fails with the same message (exit 3)", async () => {
    const { dir, remote } = project();
    await remote.lockAs(STALE);
    const started = performance.now();
    const r = drover(dir, ["plan", "locked", "--lock-timeout", "2s"], env);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2000);
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(r.code).toBe(3);
    expect(await remote.currentLock()).toEqual(STALE);
    expect(r.stderr).toBe(LOCKED_MESSAGE);
  });

  it.each([
    ["plan", "locked"],
    ["deploy", "--yes"],
  ])("refuses --lock-timeout abc on %s as a usage error naming the flag (exit 2)", (command, arg) => {
    const { dir } = project();
    const r = drover(dir, [command, arg, "--lock-timeout", "abc"], env);
    expect(r.stderr).toBe('Error: --lock-timeout "abc" is not a duration\n  Use a number with a unit: 0s, 30s, 5m, 1h.\n');
    expect(r.code).toBe(2);
  });
});
