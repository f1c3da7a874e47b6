import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { describe, expect, it } from "vitest";
import { labHub } from "../../lab/app/stacks/hub.ts";
import { loadLabStack } from "../../lab/stack.ts";
import { serviceCatalog } from "../../lab/standin/openstack.ts";
import { settleWrites } from "../../lib/app/pending-writes.ts";
import { yaml } from "../../lib/vendor.ts";
import { hasTool } from "../support/tools.ts";

type Doc = { write_files: Array<{ path: string; content: string; encoding?: string }> };
const file = (userData: string, path: string): string => {
  const f = (yaml().parse(userData) as Doc).write_files.find((w) => w.path === path)!;
  return f.encoding === "b64" ? Buffer.from(f.content, "base64").toString() : f.content;
};

/**
 * The hub's k3s CA as an apply makes it: the lab's hub stack, its values filled in by the real
 * terraform (a real ECDSA CA standing in for hashicorp/tls's), read back from the user data each
 * machine gets.
 */
describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install") && hasTool("openssl", "apt-get install openssl"))("the hub's k3s CA after terraform fills it in", () => {
  it("the server gets a CA key and certificate that match, and the agents' token carries the SHA-256 of the certificate the server serves", { timeout: 120_000 }, async () => {
    const outdir = mkdtempSync(join(tmpdir(), "drover-hub-ca-"));
    const app = new App({ outdir });
    labHub(app);
    app.synth();
    await settleWrites();
    const stack = await loadLabStack(
      "lab-hub",
      join(outdir, "stacks", "lab-hub", "cdk.tf.json"),
      "terraform",
      outdir,
      { catalog: serviceCatalog("http://10.44.0.1:5000", "IU"), region: "IU", projectId: "p", credential: { id: "c", secret: "s" } },
      { publicRange: "198.51.100.0/24" },
    );
    const server = stack.machines.find((m) => m.name.endsWith("-server"))!;
    const agent = stack.machines.find((m) => m.name.endsWith("-agent-1"))!;
    const cert = file(server.userData, "/var/lib/rancher/k3s/server/tls/server-ca.crt");
    const key = file(server.userData, "/var/lib/rancher/k3s/server/tls/server-ca.key");
    // The key is the certificate's: k3s signs the server's certificates with it.
    writeFileSync(join(outdir, "ca.crt"), cert);
    writeFileSync(join(outdir, "ca.key"), key);
    const publicOf = (args: string[]) => execFileSync("openssl", args, { encoding: "utf8" });
    expect(publicOf(["pkey", "-in", join(outdir, "ca.key"), "-pubout"])).toBe(publicOf(["x509", "-in", join(outdir, "ca.crt"), "-noout", "-pubkey"]));
    const token = file(agent.userData, "/etc/rancher/k3s/token");
    const secret = file(server.userData, "/etc/rancher/k3s/agent-token");
    expect(token).toBe(`K10${createHash("sha256").update(cert).digest("hex")}::node:${secret}`);
    expect(secret).toHaveLength(48);
  });
});
