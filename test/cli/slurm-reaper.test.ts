import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlurmCluster } from "../../constructs/index.ts";
import { settleWrites } from "../../lib/app/pending-writes.ts";
import { ELASTIC_ACCESS_RULES, allowedBy } from "../../lib/slurm/access-rules.ts";
import { startOpenStackMock, type OpenStackMock } from "../../lab/standin/openstack.ts";
import { fullSynthJson, newStack, type Json } from "../support/synth.ts";
import { terraformEnv } from "../support/terraform.ts";
import { testPublicKey } from "../support/keys.ts";
import { hasTool } from "../support/tools.ts";

/**
 * The destroy-time cleanup of a SlurmCluster with elastic partitions, run by the real terraform:
 * the terraform_data resource exactly as the construct synthesizes it (its destroy-time
 * local-exec and environment), with only its `triggers_replace` values swapped from references to the
 * OpenStack provider's resources (no provider binary here) for a stand-in cloud on 127.0.0.1.
 * `terraform destroy` runs the reaper, which must delete this cluster's elastic nodes and ports
 * and nothing else, fail the destroy while anything is left, and never print the secret.
 */

const hasTerraform = hasTool("terraform", "install Terraform 1.5 or later");
const CLUSTER_TAG = "hpc_lab";

interface Run {
  code: number;
  out: string;
}

describe.runIf(hasTerraform)("SlurmCluster elastic cleanup through terraform destroy", { timeout: 180_000 }, () => {
  let mock: OpenStackMock;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let cleanup: Json;
  // Asynchronous: the stand-in cloud answers from this process while terraform runs.
  const run = (...args: string[]): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn("terraform", args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
      child.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, out }));
    });
  const ours = () => mock.servers().filter((s) => s.tags.includes(`drover_cluster=${CLUSTER_TAG}`));
  const ourPorts = () => mock.ports().filter((p) => p.tags.includes(`drover_cluster=${CLUSTER_TAG}`));

  beforeAll(async () => {
    mock = await startOpenStackMock();
    const { app, stack } = newStack("hpc");
    new SlurmCluster(stack, "lab", {
      controller: { size: "m3.medium" },
      partitions: [{ name: "cpu", size: "m3.quad", nodes: 0, elastic: { max: 8 } }],
      allowSshFrom: ["203.0.113.0/24"],
      users: [{ name: "alice", publicKey: testPublicKey("alice@laptop") }],
    });
    const json = fullSynthJson(app, stack);
    const stackDir = join(app.outdir, "stacks", "hpc");
    await settleWrites();
    const [name, resource] = Object.entries(json.resource.terraform_data as Json)[0]!;
    cleanup = resource;
    expect(cleanup.triggers_replace.cluster).toBe(CLUSTER_TAG);

    // The stack's working directory as drover leaves it: the config and its rendered files.
    dir = mkdtempSync(join(tmpdir(), "drover-reaper-"));
    const script = cleanup.provisioner[0]["local-exec"].command.replace(/^node /, "");
    mkdirSync(join(dir, dirname(script)), { recursive: true });
    writeFileSync(join(dir, script), readFileSync(join(stackDir, script)));
    const config = {
      variable: { app_cred_secret: { type: "string", sensitive: true } },
      resource: {
        terraform_data: {
          [name]: {
            ...cleanup,
            triggers_replace: {
              auth_url: mock.authUrl,
              region: mock.region,
              id: mock.applicationCredential.id,
              secret: "${var.app_cred_secret}",
              cluster: cleanup.triggers_replace.cluster,
            },
          },
        },
      },
    };
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config, null, 2));
    env = { ...terraformEnv(), TF_VAR_app_cred_secret: mock.applicationCredential.secret, DROVER_REAP_POLL_SECONDS: "0.2" };
    const init = await run("init", "-input=false", "-no-color");
    expect(init.code, init.out).toBe(0);
    const apply = await run("apply", "-auto-approve", "-input=false", "-no-color");
    expect(apply.code, apply.out).toBe(0);
  });
  afterAll(async () => {
    await mock?.close();
  });

  it("synthesizes the cleanup as a destroy-time step reading the credential from its own sensitive trigger", () => {
    const step = cleanup.provisioner[0]["local-exec"];
    expect(step.when).toBe("destroy");
    expect(step.environment).toMatchObject({ DROVER_APP_CRED_SECRET: "${self.triggers_replace.secret}", DROVER_CLUSTER: "${self.triggers_replace.cluster}" });
    // The secret is never in the command line (visible in `ps`), only in the environment.
    expect(step.command).not.toContain("secret");
  });

  it("a failing cloud fails the destroy, keeps the step in state, and a rerun deletes this cluster's nodes and ports only", async () => {
    // Three elastic nodes Slurm created, one port left by a failed resume, and look-alikes that are not ours.
    for (const n of [1, 2, 3]) {
      const port = mock.addPort({ name: `hpc-cpu-${n}-port`, tags: [`drover_cluster=${CLUSTER_TAG}`], ip: `10.42.4.${n}` });
      mock.addServer({ name: `hpc-cpu-${n}`, tags: [`drover_cluster=${CLUSTER_TAG}`, "drover_elastic=cpu", "drover_stack=hpc"], portIds: [port.id] });
    }
    mock.addPort({ name: "hpc-cpu-4-port", tags: [`drover_cluster=${CLUSTER_TAG}`], ip: "10.42.4.4" });
    const foreign = [mock.addServer({ name: "hpc-cpu-5" }).id, mock.addServer({ name: "hpc-cpu-6", tags: ["drover_cluster=other_lab"] }).id];
    expect(ours()).toHaveLength(3);
    mock.setDeletePolls(2);

    const undo = mock.failOn({ service: "compute", method: "DELETE", path: /\/servers\//, status: 503 });
    const failed = await run("destroy", "-auto-approve", "-input=false", "-no-color");
    undo();
    expect(failed.code).not.toBe(0);
    expect(failed.out).toMatch(/local-exec provisioner error|Error running command/);
    expect(ours()).toHaveLength(3);
    // Terraform keeps a resource whose destroy step failed: the next destroy runs it again.
    const state = await run("state", "list");
    expect(state.out).toContain("terraform_data.");

    const ok = await run("destroy", "-auto-approve", "-input=false", "-no-color");
    expect(ok.code, ok.out).toBe(0);
    expect(ours()).toEqual([]);
    expect(ourPorts()).toEqual([]);
    expect(
      mock
        .servers()
        .map((s) => s.id)
        .sort(),
    ).toEqual([...foreign].sort());
    expect((await run("state", "list")).out.trim()).toBe("");

    for (const r of [failed, ok]) expect(r.out).not.toContain(mock.applicationCredential.secret);
  });

  it("calls only what the cluster's restricted credential allows (ELASTIC_ACCESS_RULES)", () => {
    const called = mock.requests.filter((r) => r.service !== "identity");
    expect(called.length).toBeGreaterThan(0);
    expect(called.filter((r) => !allowedBy(ELASTIC_ACCESS_RULES, r.service, r.method, r.path)).map((r) => `${r.method} ${r.service} ${r.path}`)).toEqual([]);
  });

  it("destroying with nothing left to delete succeeds", async () => {
    expect((await run("apply", "-auto-approve", "-input=false", "-no-color")).code).toBe(0);
    const r = await run("destroy", "-auto-approve", "-input=false", "-no-color");
    expect(r.code, r.out).toBe(0);
    expect(readFileSync(join(dir, "terraform.tfstate"), "utf8")).not.toContain('"terraform_data"');
  });
});
