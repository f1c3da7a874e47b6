import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { JupyterHubCluster, jetstream2 } from "../../constructs/index.ts";
import { settleWrites } from "../../lib/app/pending-writes.ts";
import { parseHubValues } from "../../lib/jupyterhub/values-schema.ts";
import { yaml } from "../../lib/vendor.ts";
import { drover, makeProject } from "../support/project.ts";
import { fullSynthJson, newStack, type Json } from "../support/synth.ts";
import { terraformEnv } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";

/**
 * The chart-install step of a JupyterHubCluster on Magnum, exactly as synthesized (its local,
 * its triggers and its destroy-free local-exec), run by the real terraform. Only what needs a
 * cloud is swapped: the cluster's kubeconfig and ID and the floating IP become variables and
 * literals, and `helm` is a stand-in on PATH that records what it was given (Helm is not a
 * Debian package, and there is no cluster here).
 */

const hasTerraform = hasTool("terraform", "install Terraform 1.5 or later");
const SECRET = "gh-oauth-secret-0123456789abcdef";
const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\n# kubeconfig-marker-42\n";

const FAKE_HELM = `#!/usr/bin/env bash
# Records its arguments and the files it was pointed at, with their modes.
set -euo pipefail
out=$HELM_RECORD/$(date +%s%N)
mkdir -p "$out"
printf '%s\\n' "$@" >"$out/args"
prev=""
for a in "$@"; do
  case "$prev" in
    --values) cp "$a" "$out/values.yaml"; stat -c %a "$a" >"$out/values.mode"; dirname "$a" >"$out/dir" ;;
    --kubeconfig) cp "$a" "$out/kubeconfig"; stat -c %a "$a" >"$out/kubeconfig.mode" ;;
  esac
  prev=$a
done
if [ -n "\${HELM_FAIL:-}" ]; then echo "Error: INSTALLATION FAILED: timed out waiting for the condition" >&2; exit 1; fi
echo "Release \\"jupyterhub\\" has been upgraded. Happy Helming!"
`;

describe.runIf(hasTerraform)("JupyterHubCluster on Magnum: the chart install step through terraform", { timeout: 180_000 }, () => {
  let dir: string;
  let record: string;
  let env: NodeJS.ProcessEnv;
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn("terraform", args, { cwd: dir, env: { ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
      child.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, out }));
    });
  const calls = () =>
    existsSync(record)
      ? readdirSync(record)
          .sort()
          .map((d) => join(record, d))
      : [];

  beforeAll(async () => {
    const { app, stack } = newStack("class", { cloud: jetstream2({ allocation: "atm240001" }) });
    new JupyterHubCluster(stack, "hub", {
      users: 40,
      profile: { cpu: 1, memoryGiB: 2 },
      image: "quay.io/jupyter/scipy-notebook:2025-10-20",
      auth: { kind: "github", clientId: "Ov23liExample", allowedOrganizations: ["unidata-workshop"] },
      https: { letsEncryptEmail: "ops@example.org" },
      kubernetes: "magnum",
    });
    const json = fullSynthJson(app, stack);
    await settleWrites();
    const stackDir = join(app.outdir, "stacks", "class");
    const [name, step] = Object.entries(json.resource.terraform_data as Json)[0]!;
    dir = mkdtempSync(join(tmpdir(), "drover-helm-step-"));
    const script = (step.provisioner[0]["local-exec"].command as string).split(" ")[1]!;
    mkdirSync(join(dir, dirname(script)), { recursive: true });
    writeFileSync(join(dir, script), readFileSync(join(stackDir, script)));
    // Swap what only a cloud could fill in.
    const swap = (text: string) =>
      text
        .replace(/\$\{openstack_networking_floatingip_v2\.[^}]+\.address\}/g, "203.0.113.10")
        // (in JSON text, the reference's quotes are escaped)
        .replace(/\$\{openstack_containerinfra_cluster_v1\.[^}]+\.kubeconfig\[\\"raw_config\\"\]\}/g, "${var.kubeconfig}")
        .replace(/\$\{openstack_containerinfra_cluster_v1\.[^}]+\.id\}/g, "cluster-1");
    const config = JSON.parse(
      swap(
        JSON.stringify({
          variable: { ...json.variable, kubeconfig: { type: "string", sensitive: true } },
          locals: json.locals,
          resource: { terraform_data: { [name]: step } },
        }),
      ),
    );
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config, null, 2));
    const bin = join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "helm"), FAKE_HELM);
    chmodSync(join(bin, "helm"), 0o755);
    record = join(dir, "helm-calls");
    env = { ...terraformEnv(), PATH: `${bin}:${process.env.PATH}`, HELM_RECORD: record, TMPDIR: join(dir, "tmp"), TF_VAR_hub_oauth_client_secret: SECRET, TF_VAR_kubeconfig: KUBECONFIG };
    mkdirSync(join(dir, "tmp"));
    const init = await run(["init", "-input=false", "-no-color"]);
    expect(init.code, init.out).toBe(0);
  });

  it("installs the pinned chart with the values Terraform filled in, from private files it removes, printing no secret", async () => {
    const r = await run(["apply", "-auto-approve", "-input=false", "-no-color"]);
    expect(r.code, r.out).toBe(0);
    expect(calls()).toHaveLength(1);
    const call = calls()[0]!;
    const args = readFileSync(join(call, "args"), "utf8").trim().split("\n");
    expect(args.slice(0, 3)).toEqual(["upgrade", "--install", "jupyterhub"]);
    expect(args).toEqual(expect.arrayContaining(["jupyterhub", "--repo", "https://hub.jupyter.org/helm-chart/", "--version", "4.4.0", "--namespace", "jhub", "--create-namespace", "--wait"]));
    expect(args.join(" ")).not.toContain(SECRET);
    const values = yaml().parse(readFileSync(join(call, "values.yaml"), "utf8"));
    expect(parseHubValues(values)).toEqual({ ok: true, values });
    expect(values.hub.config.GitHubOAuthenticator.client_secret).toBe(SECRET);
    expect(values.proxy.service.loadBalancerIP).toBe("203.0.113.10");
    expect(readFileSync(join(call, "kubeconfig"), "utf8")).toContain("kubeconfig-marker-42");
    expect(readFileSync(join(call, "values.mode"), "utf8").trim()).toBe("600");
    expect(readFileSync(join(call, "kubeconfig.mode"), "utf8").trim()).toBe("600");
    expect(existsSync(readFileSync(join(call, "dir"), "utf8").trim())).toBe(false);
    expect(r.out).not.toContain(SECRET);
    expect(r.out).not.toContain("kubeconfig-marker-42");
  });

  it("does nothing when nothing changed, and installs again when a secret changes", async () => {
    const same = await run(["apply", "-auto-approve", "-input=false", "-no-color"]);
    expect(same.code, same.out).toBe(0);
    expect(calls()).toHaveLength(1);
    const changed = await run(["apply", "-auto-approve", "-input=false", "-no-color"], { TF_VAR_hub_oauth_client_secret: `${SECRET}-rotated` });
    expect(changed.code, changed.out).toBe(0);
    expect(calls()).toHaveLength(2);
    expect(changed.out).not.toContain(SECRET);
  });

  it("fails the deploy when helm fails, and the next run installs again", async () => {
    const next = { TF_VAR_hub_oauth_client_secret: `${SECRET}-third` };
    const failed = await run(["apply", "-auto-approve", "-input=false", "-no-color"], { ...next, HELM_FAIL: "1" });
    expect(failed.code).not.toBe(0);
    expect(failed.out).toContain("local-exec provisioner error");
    expect(failed.out).not.toContain(SECRET);
    const before = calls().length;
    const retried = await run(["apply", "-auto-approve", "-input=false", "-no-color"], next);
    expect(retried.code, retried.out).toBe(0);
    expect(calls()).toHaveLength(before + 1);
  });
});

describe.runIf(hasTerraform)("drover deploy of a Magnum hub without helm", () => {
  it("stops before changing anything and says what to install (exit 3)", () => {
    const dir = makeProject({
      "main.ts": `import { App } from "cdktf";
import { DroverStack, JupyterHubCluster, jetstream2 } from "./constructs/index.ts";
const app = new App();
const stack = new DroverStack(app, "class", { cloud: jetstream2({ allocation: "atm240001" }), owner: "ops@example.org" });
new JupyterHubCluster(stack, "hub", {
  users: 10, profile: { cpu: 1, memoryGiB: 2 }, auth: { kind: "workshop" },
  https: { letsEncryptEmail: "ops@example.org" }, kubernetes: "magnum",
});
app.synth();
`,
    });
    // PATH with terraform and node, and no helm.
    const onlyTools = mkdtempSync(join(tmpdir(), "drover-nohelm-"));
    for (const tool of ["terraform", "node"]) {
      const found = process.env
        .PATH!.split(":")
        .map((d) => join(d, tool))
        .find((p) => existsSync(p))!;
      writeFileSync(join(onlyTools, tool), `#!/bin/sh\nexec ${found} "$@"\n`);
      chmodSync(join(onlyTools, tool), 0o755);
    }
    const r = drover(dir, ["deploy", "class", "--yes"], { PATH: `${onlyTools}:/usr/bin:/bin` });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain("stack class runs helm on this machine, and it is not on PATH; nothing was changed");
    expect(r.stderr).toContain("helm: needed by class/hub; Install Helm 3 (https://helm.sh/docs/intro/install/)");
    expect(existsSync(join(dir, "terraform.class.tfstate"))).toBe(false);
  });
});
