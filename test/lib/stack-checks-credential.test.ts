import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JupyterHubCluster, SlurmCluster, type SlurmClusterProps } from "../../constructs/index.ts";
import type { StackInfo } from "../../lib/app/stack-info.ts";
import { checkStack, credentialCreators, refuseFailedChecks } from "../../lib/checks/stack-checks.ts";
import { settleWrites } from "../../lib/app/pending-writes.ts";
import { CheckFailedError } from "../../lib/errors.ts";
import { ELASTIC_ACCESS_RULES } from "../../lib/slurm/access-rules.ts";
import { testPublicKey } from "../support/keys.ts";
import { startLimitsMock, type LimitsMock } from "../support/openstack-limits-mock.ts";
import { fullSynthJson, newStack, resources, type Json } from "../support/synth.ts";

const elastic: SlurmClusterProps = {
  controller: { size: "m3.small" },
  partitions: [{ name: "cpu", size: "m3.small", elastic: { max: 2 } }],
  adminPublicKey: testPublicKey(),
};

/** A stack synthesized as drover writes it: its JSON, its drover.json and its directory. */
function synth(build: (stack: ReturnType<typeof newStack>["stack"]) => void): { config: Json; info: StackInfo; dir: string } {
  const { app, stack } = newStack("lab");
  build(stack);
  const config = fullSynthJson(app, stack);
  const dir = join(app.outdir, "stacks", "lab");
  return { config, info: JSON.parse(readFileSync(join(dir, "drover.json"), "utf8")) as StackInfo, dir };
}

let restricted: LimitsMock;
let unrestricted: LimitsMock;
beforeAll(async () => {
  restricted = await startLimitsMock();
  unrestricted = await startLimitsMock({ unrestricted: true });
  // Room for the cluster's router: only the credential is in question here.
  for (const m of [restricted, unrestricted]) m.state.network.router = { limit: 2, used: 0, reserved: 0 };
});
afterAll(async () => {
  await restricted.close();
  await unrestricted.close();
});

describe("a restricted deploying credential and a stack that creates one", () => {
  const created = synth((s) => new SlurmCluster(s, "hpc", elastic));
  const check = (mock: LimitsMock, stack = created, env = mock.env()) => checkStack({ stack: "lab", ...stack, policyLevel: "off", live: true, env });

  it("is stopped before anything changes, naming the construct and the two ways out (exit 1)", async () => {
    // GIVEN an application credential that Keystone says is restricted (Jetstream2's default)
    const checks = await check(restricted);

    // THEN
    expect(checks.credential).toEqual({ restricted: true, creators: ["lab/hpc"] });
    let error: unknown;
    try {
      refuseFailedChecks("lab", checks);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckFailedError);
    const e = error as CheckFailedError;
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe("stack lab does not pass the checks before apply; nothing was applied");
    expect(e.details).toEqual([
      "credential: lab/hpc creates an application credential, and the one you deploy with is restricted, which Keystone forbids: terraform apply would stop halfway with a 403",
      "Either deploy with an unrestricted application credential (openstack application credential create --unrestricted <name>, or tick Unrestricted in Horizon; then source its openrc),",
      'or give lab/hpc applicationCredential: "provided" and pass one you created (restricted is fine): TF_VAR_hpc_application_credential_id and TF_VAR_hpc_application_credential_secret; the access rules it needs are in cdktf.out/stacks/lab/files/<construct>/access-rules.json.',
    ]);
    expect([e.message, ...e.details].join("\n")).not.toContain(restricted.applicationCredential.secret);
  });

  it("passes with an unrestricted credential, or a password (no application credential at all)", async () => {
    expect((await check(unrestricted)).credential).toBeUndefined();
    const password = restricted.env({
      OS_APPLICATION_CREDENTIAL_ID: undefined,
      OS_APPLICATION_CREDENTIAL_SECRET: undefined,
      OS_AUTH_TYPE: "password",
      OS_USERNAME: restricted.user.name,
      OS_PASSWORD: restricted.user.password,
      OS_PROJECT_NAME: restricted.projectName,
      OS_USER_DOMAIN_NAME: restricted.user.domain,
      OS_PROJECT_DOMAIN_NAME: restricted.user.domain,
    });
    expect((await check(restricted, created, password)).credential).toBeUndefined();
  });

  it("passes when the cluster uses a credential the person provides: none is created", async () => {
    const provided = synth((s) => new SlurmCluster(s, "hpc", { ...elastic, applicationCredential: "provided" }));
    expect(credentialCreators(provided.config)).toEqual([]);
    expect((await check(restricted, provided)).credential).toBeUndefined();
  });
});

describe('applicationCredential: "provided"', () => {
  it("SlurmCluster takes the ID and secret as sensitive variables, creates no credential, and writes the access rules it needs", async () => {
    const { config, dir } = synth((s) => new SlurmCluster(s, "hpc", { ...elastic, applicationCredential: "provided" }));
    await settleWrites();
    expect(resources(config, "openstack_identity_application_credential_v3")).toEqual({});
    expect(config.variable).toMatchObject({
      hpc_application_credential_id: { type: "string", sensitive: true, nullable: false },
      hpc_application_credential_secret: { type: "string", sensitive: true, nullable: false },
    });
    const controller = Object.values(resources(config, "openstack_compute_instance_v2")).find((r) => String(r.name).endsWith("-controller"))!;
    expect(controller.user_data).toContain('application_credential_id: "${var.hpc_application_credential_id}"');
    expect(controller.user_data).toContain('application_credential_secret: "${var.hpc_application_credential_secret}"');
    expect(JSON.parse(readFileSync(join(dir, "files/hpc/access-rules.json"), "utf8"))).toEqual(ELASTIC_ACCESS_RULES);
  });

  it("JupyterHubCluster (k3s) gives the Cinder CSI driver the provided credential", () => {
    const { config } = synth((s) => new JupyterHubCluster(s, "hub", { users: 4, profile: { cpu: 1, memoryGiB: 2 }, auth: { kind: "workshop" }, https: false, applicationCredential: "provided" }));
    expect(resources(config, "openstack_identity_application_credential_v3")).toEqual({});
    expect(Object.keys(config.variable as Json)).toEqual(expect.arrayContaining(["hub_application_credential_id", "hub_application_credential_secret"]));
    const server = Object.values(resources(config, "openstack_compute_instance_v2")).find((r) => String(r.name).endsWith("-server"))!;
    expect(server.user_data).toContain('application-credential-secret="${var.hub_application_credential_secret}"');
  });

  it("refuses another value with the two it takes", () => {
    const { stack } = newStack("lab");
    expect(() => new SlurmCluster(stack, "hpc", { ...elastic, applicationCredential: "mine" as "provided" })).toThrow(
      `lab/hpc: 'applicationCredential' "mine": must be "create" (the stack creates one; deploy with an unrestricted credential) or "provided" (you create one and pass its ID and secret at deploy time)`,
    );
  });
});
