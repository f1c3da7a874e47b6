import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

/**
 * templates/jupyterhub/drover-reap-volumes.mjs, the destroy-time step of a JupyterHubCluster,
 * run as Terraform runs it (plain node, the environment the step sets) against a stand-in for
 * Keystone and Cinder on 127.0.0.1. The stand-in lists every volume whatever the filter, as an
 * API that ignored it would: the script must still touch only the cluster's own.
 */

const SCRIPT = join(import.meta.dirname, "../../templates/jupyterhub/drover-reap-volumes.mjs");
const SECRET = "s3cr3t-app-cred-secret";
const TOKEN = "gAAAA-token-value";
const KEY = "cinder.csi.openstack.org/cluster";

interface Volume {
  id: string;
  name: string;
  status: string;
  metadata: Record<string, string>;
  /** Lists left before an attached volume is detached (its machine being deleted). */
  detachAfter?: number;
}

function standIn(volumes: Volume[]) {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    const port = (server.address() as AddressInfo).port;
    if (req.method === "POST" && req.url === "/identity/v3/auth/tokens") {
      return send(
        201,
        { token: { project: { id: "proj1" }, catalog: [{ type: "volumev3", endpoints: [{ interface: "public", region_id: "IU", url: `http://127.0.0.1:${port}/volume/v3` }] }] } },
        { "X-Subject-Token": TOKEN },
      );
    }
    if (req.headers["x-auth-token"] !== TOKEN) return send(401, { error: { message: "no token" } });
    if (req.method === "GET" && req.url?.startsWith("/volume/v3/proj1/volumes/detail?metadata=")) {
      for (const v of volumes) if (v.detachAfter !== undefined && v.detachAfter-- <= 0 && v.status === "in-use") v.status = "available";
      return send(200, { volumes: volumes.map(({ detachAfter: _, ...v }) => v) });
    }
    const del = /^\/volume\/v3\/proj1\/volumes\/([\w-]+)\?cascade=true$/.exec(req.url ?? "");
    if (req.method === "DELETE" && del) {
      const at = volumes.findIndex((v) => v.id === del[1]);
      if (at < 0) return send(404, { itemNotFound: { message: "gone" } });
      if (volumes[at]!.status === "in-use") return send(400, { badRequest: { message: "Volume status must be available" } });
      volumes.splice(at, 1);
      return send(202, {});
    }
    send(404, { error: { message: `no route ${req.method} ${req.url}` } });
  });
  return new Promise<{ server: Server; url: string; requests: string[] }>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/identity/v3`, requests })),
  );
}

function reap(authUrl: string, extra: Record<string, string> = {}, args: string[] = []): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const env = {
      PATH: process.env.PATH ?? "",
      DROVER_AUTH_URL: authUrl,
      DROVER_REGION: "IU",
      DROVER_APP_CRED_ID: "cred1",
      DROVER_APP_CRED_SECRET: SECRET,
      DROVER_CSI_CLUSTER: "class-hub",
      DROVER_REAP_POLL_SECONDS: "0.05",
      ...extra,
    };
    const child = spawn(process.execPath, [SCRIPT, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

let running: Server | undefined;
afterEach(() => running?.close());

describe("drover-reap-volumes (a hub's destroy-time step)", () => {
  it("deletes the cluster's CSI volumes, waiting for an attached one to detach, and nothing else; never prints the secret or the token", async () => {
    // GIVEN two volumes of the cluster (one still attached while its machine goes), one of another cluster, one of nobody
    const volumes: Volume[] = [
      { id: "v-home", name: "pvc-alice", status: "in-use", metadata: { [KEY]: "class-hub" }, detachAfter: 2 },
      { id: "v-db", name: "pvc-hub-db", status: "available", metadata: { [KEY]: "class-hub" } },
      { id: "v-other", name: "pvc-bob", status: "available", metadata: { [KEY]: "other-hub" } },
      { id: "v-data", name: "data", status: "available", metadata: {} },
    ];
    const mock = await standIn(volumes);
    running = mock.server;
    // WHEN the step runs
    const r = await reap(mock.url);
    // THEN both of the cluster's volumes are gone, the others stay, and it says so
    expect(r.code, r.out).toBe(0);
    expect(volumes.map((v) => v.id)).toEqual(["v-other", "v-data"]);
    expect(mock.requests.filter((q) => q.startsWith("DELETE")).sort()).toEqual(["DELETE /volume/v3/proj1/volumes/v-db?cascade=true", "DELETE /volume/v3/proj1/volumes/v-home?cascade=true"]);
    expect(mock.requests).toContain(`GET /volume/v3/proj1/volumes/detail?metadata=${encodeURIComponent(JSON.stringify({ [KEY]: "class-hub" }))}`);
    expect(r.out).toContain("deleting 2 volume(s) the CSI driver of class-hub created: pvc-alice (in-use), pvc-hub-db (available)");
    expect(r.out).toContain("deleted 2 volume(s) of class-hub");
    expect(r.out).not.toContain(SECRET);
    expect(r.out).not.toContain(TOKEN);
  });

  it("fails the destroy (exit 1) while a volume stays attached, naming it, so a rerun tries again; --dry-run deletes nothing", async () => {
    const volumes: Volume[] = [{ id: "v-home", name: "pvc-alice", status: "in-use", metadata: { [KEY]: "class-hub" } }];
    const mock = await standIn(volumes);
    running = mock.server;
    const dry = await reap(mock.url, {}, ["--dry-run"]);
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.out).toContain("would delete 1 volume(s) of class-hub: pvc-alice (in-use)");
    const r = await reap(mock.url, { DROVER_REAP_TIMEOUT_SECONDS: "0.3" });
    expect(r.code).toBe(1);
    expect(r.out).toContain("drover-reap-volumes: error: timed out after 0.3s with 1 volume(s) of class-hub left: pvc-alice (in-use) (still attached to a machine outside the stack?)");
    expect(volumes).toHaveLength(1);
    expect(mock.requests.some((q) => q.startsWith("DELETE"))).toBe(false);
  });

  it("refuses to run without its environment (exit 2), naming what is missing", async () => {
    const r = await reap("http://127.0.0.1:9/v3", { DROVER_CSI_CLUSTER: "" });
    expect(r.code).toBe(2);
    expect(r.out).toContain("drover-reap-volumes: DROVER_CSI_CLUSTER is not set");
  });
});
