import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ELASTIC_ACCESS_RULES, allowedBy } from "../../lib/slurm/access-rules.ts";
import { MUNGE_KEY_PLACEHOLDER } from "../../lib/slurm/model.ts";
import { startOpenStackMock, type OpenStackMock, type RecordedRequest } from "../../lab/standin/openstack.ts";
import { REPO } from "../support/project.ts";
import { hasTool } from "../support/tools.ts";

/**
 * Slurm's resume, suspend, resume-fail and reconcile programs for elastic nodes
 * (templates/slurm/*.sh), run with bash as slurmctld runs them, with the real `openstack` CLI
 * against a stand-in cloud on 127.0.0.1 and the real `scontrol show hostnames`. Only what needs a
 * running slurmctld (`scontrol show node`) is a stub, answering from a table the test writes.
 */

const hasTools = hasTool("openstack", "apt-get install python3-openstackclient") && hasTool("scontrol", "apt-get install slurm-client");

const SCRIPTS = join(REPO, "templates/slurm");
const CLUSTER = "hpc_hpc";
const STACK = "hpc";

/** name, address, flavor, partition: what the controller's cloud-init writes. */
const NODE_TABLE: ReadonlyArray<readonly [string, string, string, string]> = [
  ["hpc-cpu-1", "10.42.4.1", "m3.quad", "cpu"],
  ["hpc-cpu-2", "10.42.4.2", "m3.quad", "cpu"],
  ["hpc-cpu-3", "10.42.4.3", "m3.quad", "cpu"],
  ["hpc-cpu-4", "10.42.4.4", "m3.quad", "cpu"],
  ["hpc-cpu-5", "10.42.4.5", "m3.quad", "cpu"],
  ["hpc-cpu-6", "10.42.4.6", "m3.quad", "cpu"],
  ["hpc-gpu-1", "10.42.8.1", "g3.small", "gpu"],
];

const tagsOf = (partition: string) => [`drover_cluster=${CLUSTER}`, `drover_elastic=${partition}`, `drover_stack=${STACK}`];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A controller's files in a temp dir, and the environment pointing the programs at them. */
interface Controller {
  readonly mock: OpenStackMock;
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly mungeKeyB64: string;
  readonly logFile: string;
  /** The programs' temp dir (TMPDIR): empty after every run. */
  readonly scratch: string;
  /** Slurm's state of each node, as `scontrol show node` reports it. */
  setSlurmStates(states: Record<string, string>): void;
  run(program: "resume" | "suspend" | "resume-fail" | "reconcile", ...args: string[]): Promise<Run>;
  /** Everything the programs printed or logged so far. */
  output(): string;
}

async function startController(options: { keyName?: boolean; withoutExtensions?: readonly string[] } = {}): Promise<Controller> {
  // Keystone refuses every call the credential's access rules do not allow, as a real cloud does.
  const mock = await startOpenStackMock({ accessRules: ELASTIC_ACCESS_RULES, ...(options.withoutExtensions ? { withoutExtensions: options.withoutExtensions } : {}) });
  const dir = mkdtempSync(join(tmpdir(), "drover-slurm-elastic-"));
  const bin = join(dir, "bin");
  const scratch = join(dir, "tmp");
  mkdirSync(bin);
  mkdirSync(scratch);
  const realScontrol = spawnSync("sh", ["-c", "command -v scontrol"], { encoding: "utf8" }).stdout.trim();

  // The key's base64 starts with "++++////": a substitution that treats '/' or '+' specially breaks on it.
  const mungeKey = Buffer.concat([Buffer.from([0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff]), randomBytes(1018)]);
  const mungeKeyB64 = mungeKey.toString("base64");
  writeFileSync(join(dir, "munge.key"), mungeKey, { mode: 0o400 });
  writeFileSync(join(dir, "slurm-nodes.tsv"), NODE_TABLE.map((row) => row.join("\t")).join("\n") + "\n");
  writeFileSync(
    join(dir, "compute-user-data.yaml"),
    ["#cloud-config", "write_files:", "  - path: /etc/munge/munge.key", "    encoding: b64", `    content: ${MUNGE_KEY_PLACEHOLDER}`, "    permissions: '0400'", ""].join("\n"),
  );
  writeFileSync(
    join(dir, "slurm-cloud.env"),
    [
      `DROVER_CLUSTER=${CLUSTER}`,
      `DROVER_STACK=${STACK}`,
      "OS_CLOUD=drover",
      `DROVER_NETWORK_ID=${mock.ids.network}`,
      `DROVER_SUBNET_ID=${mock.ids.subnet}`,
      `DROVER_SECURITY_GROUP_ID=${mock.ids.securityGroup}`,
      `DROVER_IMAGE=${mock.imageName}`,
      `DROVER_KEY_NAME=${options.keyName ? mock.keyName : ""}`,
      `DROVER_NODE_TABLE=${join(dir, "slurm-nodes.tsv")}`,
      `DROVER_COMPUTE_USER_DATA=${join(dir, "compute-user-data.yaml")}`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "clouds.yaml"),
    [
      "clouds:",
      "  drover:",
      "    auth_type: v3applicationcredential",
      "    auth:",
      `      auth_url: ${mock.authUrl}`,
      `      application_credential_id: ${mock.applicationCredential.id}`,
      `      application_credential_secret: ${mock.applicationCredential.secret}`,
      `    region_name: ${mock.region}`,
      "    interface: public",
      "    identity_api_version: 3",
      "",
    ].join("\n"),
    { mode: 0o400 },
  );
  // Hostlists need only slurm.conf; a node's state needs slurmctld, so that part is a stub.
  writeFileSync(join(dir, "slurm.conf"), "ClusterName=hpc_hpc\nSlurmctldHost=localhost\n");
  writeFileSync(join(dir, "slurm-states.tsv"), "");
  const scontrol = join(bin, "scontrol");
  writeFileSync(
    scontrol,
    `#!/usr/bin/env bash
set -euo pipefail
if [ "\${1:-}" = show ] && [ "\${2:-}" = hostnames ]; then
  exec ${realScontrol} "$@"
fi
if [ "\${1:-}" = -o ] && [ "\${2:-}" = show ] && [ "\${3:-}" = node ] && [ $# -eq 4 ]; then
  state=$(awk -F'\\t' -v n="$4" '$1 == n { print $2 }' "${join(dir, "slurm-states.tsv")}")
  if [ -n "$state" ]; then
    echo "NodeName=$4 Arch=x86_64 CoresPerSocket=1 CPUAlloc=0 CPUTot=4 State=$state ThreadsPerCore=1 Partitions=cpu"
    exit 0
  fi
  echo "Node $4 not found" >&2
  exit 1
fi
echo "scontrol stub: unexpected arguments: $*" >&2
exit 1
`,
  );
  chmodSync(scontrol, 0o755);
  const sinfo = join(bin, "sinfo");
  writeFileSync(
    sinfo,
    `#!/usr/bin/env bash
if [ -e "${join(dir, "slurmctld-down")}" ]; then
  echo "slurm_load_partitions: Unable to contact slurm controller (connect failure)" >&2
  exit 1
fi
printf 'cpu*\ngpu\n'
`,
  );
  chmodSync(sinfo, 0o755);
  // Installed as /usr/local/sbin/drover-slurm-suspend on the controller.
  const suspend = join(bin, "drover-slurm-suspend");
  writeFileSync(suspend, `#!/usr/bin/env bash\nexec bash ${join(SCRIPTS, "drover-slurm-suspend.sh")} "$@"\n`);
  chmodSync(suspend, 0o755);

  const logFile = join(dir, "drover-elastic.log");
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("OS_") && !k.startsWith("DROVER_")) env[k] = v;
  Object.assign(env, {
    PATH: `${bin}:${process.env.PATH}`,
    TMPDIR: scratch,
    SLURM_CONF: join(dir, "slurm.conf"),
    OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml"),
    DROVER_SLURM_CLOUD_ENV: join(dir, "slurm-cloud.env"),
    DROVER_ELASTIC_LIB: join(SCRIPTS, "drover-elastic-lib.sh"),
    DROVER_LOG: logFile,
    DROVER_MUNGE_KEY_FILE: join(dir, "munge.key"),
    DROVER_SUSPEND_PROGRAM: suspend,
    DROVER_POLL_SECONDS: "0.2",
    DROVER_DELETE_WAIT_SECONDS: "30",
  });

  const printed: string[] = [];
  return {
    mock,
    dir,
    env,
    mungeKeyB64,
    logFile,
    scratch,
    setSlurmStates(states) {
      writeFileSync(
        join(dir, "slurm-states.tsv"),
        Object.entries(states)
          .map(([n, s]) => `${n}\t${s}\n`)
          .join(""),
      );
    },
    async run(program, ...args) {
      const r = await runBash(join(SCRIPTS, `drover-slurm-${program}.sh`), args, env);
      printed.push(r.stdout, r.stderr);
      return r;
    },
    output: () => [...printed, readLog(logFile)].join("\n"),
  };
}

/**
 * Runs a script with bash without blocking: the stand-in cloud answers from this same process.
 * The script gets its own process group, so a timeout ends its background jobs too.
 */
function runBash(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script, ...args], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 100_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: signal ? `${stdout}\n[killed by ${signal}]` : stdout, stderr });
    });
  });
}

function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

const calls = (mock: OpenStackMock, method: string, pattern: RegExp): RecordedRequest[] => mock.requests.filter((r) => r.method === method && pattern.test(r.path));
const portOf = (mock: OpenStackMock, name: string) => mock.ports().filter((p) => p.name === name);
const serversNamed = (mock: OpenStackMock, name: string) => mock.servers().filter((s) => s.name === name);

// Each `openstack` call costs a second or more; a run makes dozens.
describe.runIf(hasTools)("elastic node programs against a stand-in OpenStack", { timeout: 180_000 }, () => {
  let c: Controller;
  let foreign: { untagged: string; otherCluster: string };

  beforeAll(async () => {
    c = await startController({ keyName: true });
    // Servers that share a node's name but are not this cluster's: never touched.
    foreign = {
      untagged: c.mock.addServer({ name: "hpc-cpu-1" }).id,
      otherCluster: c.mock.addServer({ name: "hpc-cpu-2", tags: ["drover_cluster=other_lab", "drover_elastic=cpu", "drover_stack=other"] }).id,
    };
  });
  afterAll(async () => {
    await c?.mock.close();
  });

  it("scontrol expands hostlists without a controller (slurm.conf only)", () => {
    const r = spawnSync("scontrol", ["show", "hostnames", "hpc-cpu-[3-5],hpc-gpu-1"], { env: c.env, encoding: "utf8" });
    expect(r.stdout.trim().split("\n")).toEqual(["hpc-cpu-3", "hpc-cpu-4", "hpc-cpu-5", "hpc-gpu-1"]);
  });

  it("resume creates each node's port with its fixed address, then its server", async () => {
    // WHEN
    const r = await c.run("resume", "hpc-cpu-[1-2],hpc-gpu-1");

    // THEN
    expect(r.code, r.stderr).toBe(0);
    for (const [name, address, flavor, partition] of NODE_TABLE.filter(([n]) => ["hpc-cpu-1", "hpc-cpu-2", "hpc-gpu-1"].includes(n))) {
      const ports = portOf(c.mock, `${name}-port`);
      expect(ports).toHaveLength(1);
      const port = ports[0]!;
      expect(port).toMatchObject({ networkId: c.mock.ids.network, fixedIps: [{ subnet_id: c.mock.ids.subnet, ip_address: address }], securityGroups: [c.mock.ids.securityGroup] });
      expect([...port.tags].sort()).toEqual(tagsOf(partition));

      const servers = serversNamed(c.mock, name).filter((s) => s.tags.includes(`drover_cluster=${CLUSTER}`));
      expect(servers).toHaveLength(1);
      const server = servers[0]!;
      expect(server).toMatchObject({ imageId: c.mock.ids.image, portIds: [port.id], keyName: c.mock.keyName, microversion: "2.52" });
      expect(server.flavorId).toBe(flavor === "g3.small" ? "21" : "4");
      expect([...server.tags].sort()).toEqual(tagsOf(partition));
      expect(server.userData).toContain(`content: ${c.mungeKeyB64}\n`);
      expect(server.userData).not.toContain(MUNGE_KEY_PLACEHOLDER);
    }
    expect(readLog(c.logFile)).toMatch(/drover-slurm-resume: hpc-gpu-1: created server [0-9a-f-]{36} \(g3\.small, 10\.42\.8\.1, port [0-9a-f-]{36}\)/);
    // The copy of the user data holding the munge key is gone.
    expect(readdirSync(c.scratch)).toEqual([]);
  });

  it("resume sends the tags in the create calls (compute microversion 2.52)", () => {
    const creates = calls(c.mock, "POST", /^\/v2\.1\/servers$/);
    expect(creates.length).toBeGreaterThanOrEqual(3);
    for (const r of creates) {
      expect(r.microversion).toBe("2.52");
      expect((r.body as { server: { tags: string[] } }).server.tags).toContain(`drover_cluster=${CLUSTER}`);
    }
  });

  it("resuming nodes that exist creates nothing", async () => {
    // GIVEN
    c.mock.clearRequests();

    // WHEN
    const r = await c.run("resume", "hpc-cpu-[1-2]");

    // THEN
    expect(r.code, r.stderr).toBe(0);
    expect(calls(c.mock, "POST", /^\/v2\.(0|1)\/(servers|ports)$/)).toEqual([]);
    expect(r.stderr).toMatch(/hpc-cpu-1: server already exists: [0-9a-f-]{36} \(ACTIVE\)/);
    expect(serversNamed(c.mock, "hpc-cpu-1").map((s) => s.id)).toContain(foreign.untagged);
    expect(serversNamed(c.mock, "hpc-cpu-1")).toHaveLength(2);
  });

  it("an unknown node fails the run with a clear log line; the others are still created", async () => {
    const r = await c.run("resume", "hpc-cpu-3,hpc-bogus-1");

    expect(r.code).toBe(1);
    const line = `drover-slurm-resume: hpc-bogus-1: unknown node, not in ${join(c.dir, "slurm-nodes.tsv")}; skipped`;
    expect(r.stderr).toContain(line);
    expect(readLog(c.logFile)).toContain(line);
    expect(serversNamed(c.mock, "hpc-cpu-3")).toHaveLength(1);
    expect(serversNamed(c.mock, "hpc-bogus-1")).toHaveLength(0);
  });

  it("a port left by a failed resume is used again, not duplicated", async () => {
    // GIVEN the cloud refuses the server once
    const heal = c.mock.failOn({ service: "compute", method: "POST", path: "/v2.1/servers", status: 500, times: 1 });
    const failed = await c.run("resume", "hpc-cpu-4");
    heal();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("hpc-cpu-4: server not created; its port");
    const [port] = portOf(c.mock, "hpc-cpu-4-port");
    expect(port).toBeDefined();

    // WHEN
    const r = await c.run("resume", "hpc-cpu-4");

    // THEN
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`hpc-cpu-4: reusing port ${port!.id}`);
    expect(portOf(c.mock, "hpc-cpu-4-port")).toHaveLength(1);
    expect(serversNamed(c.mock, "hpc-cpu-4")[0]!.portIds).toEqual([port!.id]);
  });

  it("suspend deletes each node's server by ID, waits for it to go, then deletes its port by ID", async () => {
    // GIVEN servers that take a few reads to disappear
    c.mock.clearRequests();
    c.mock.setDeletePolls(2);
    const servers = ["hpc-cpu-1", "hpc-cpu-2"].map((n) => serversNamed(c.mock, n).find((s) => s.tags.includes(`drover_cluster=${CLUSTER}`))!);
    const ports = ["hpc-cpu-1", "hpc-cpu-2"].map((n) => portOf(c.mock, `${n}-port`)[0]!);

    // WHEN
    const r = await c.run("suspend", "hpc-cpu-[1-2]");
    c.mock.setDeletePolls(0);

    // THEN
    expect(r.code, r.stderr).toBe(0);
    expect(
      calls(c.mock, "DELETE", /^\/v2\.1\/servers\//)
        .map((x) => x.path)
        .sort(),
    ).toEqual(servers.map((s) => `/v2.1/servers/${s.id}`).sort());
    expect(
      calls(c.mock, "DELETE", /^\/v2\.0\/ports\//)
        .map((x) => x.path)
        .sort(),
    ).toEqual(ports.map((p) => `/v2.0/ports/${p.id}`).sort());
    for (const [i, s] of servers.entries()) {
      const serverDeleted = c.mock.requests.findIndex((x) => x.method === "DELETE" && x.path === `/v2.1/servers/${s.id}`);
      const portDeleted = c.mock.requests.findIndex((x) => x.method === "DELETE" && x.path === `/v2.0/ports/${ports[i]!.id}`);
      expect(portDeleted).toBeGreaterThan(serverDeleted);
    }
    const left = c.mock.servers().map((s) => s.id);
    for (const s of servers) expect(left).not.toContain(s.id);
    expect(left).toEqual(expect.arrayContaining([foreign.untagged, foreign.otherCluster]));
    expect(portOf(c.mock, "hpc-cpu-1-port")).toEqual([]);
    expect(portOf(c.mock, "hpc-cpu-2-port")).toEqual([]);
  });

  it("suspending a node that has no server or port is not an error", async () => {
    const r = await c.run("suspend", "hpc-cpu-2");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("drover-slurm-suspend: hpc-cpu-2: no server or port to delete");
  });

  it("suspend fails when the cloud refuses a deletion, and says which", async () => {
    const heal = c.mock.failOn({ service: "compute", method: "DELETE", path: /^\/v2\.1\/servers\//, status: 500 });
    const r = await c.run("suspend", "hpc-cpu-4");
    heal();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/openstack --os-compute-api-version 2\.52 server delete [0-9a-f-]{36} failed/);
    expect(serversNamed(c.mock, "hpc-cpu-4")).toHaveLength(1);
    // The node is retried whole: its port stays with the server the cloud kept.
    expect(portOf(c.mock, "hpc-cpu-4-port")).toHaveLength(1);
  });

  it("resume-fail deletes what a failed resume left, as suspend does", async () => {
    const r = await c.run("resume-fail", "hpc-cpu-[3-4]");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("drover-slurm-resume-fail: deleting 2 node(s): hpc-cpu-[3-4]");
    expect(serversNamed(c.mock, "hpc-cpu-3")).toEqual([]);
    expect(serversNamed(c.mock, "hpc-cpu-4")).toEqual([]);
    expect(portOf(c.mock, "hpc-cpu-3-port")).toEqual([]);
    expect(portOf(c.mock, "hpc-cpu-4-port")).toEqual([]);
  });

  it("only calls the APIs the cluster's credential is allowed (ELASTIC_ACCESS_RULES)", () => {
    // The stand-in enforces the rules from its start; what it refused stays on record even where
    // a test forgot the requests before its own.
    expect([...new Set(c.mock.refused.map((r) => `${r.service} ${r.method} ${r.path}`))]).toEqual([]);
    const outside = c.mock.requests
      .filter((r) => r.service !== "identity" && r.status !== 500)
      .filter((r) => !allowedBy(ELASTIC_ACCESS_RULES, r.service, r.method, r.path))
      .map((r) => `${r.service} ${r.method} ${r.path}`);
    expect([...new Set(outside)]).toEqual([]);
  });

  it("never prints the application credential secret or the munge key", () => {
    const all = c.output();
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(c.mock.applicationCredential.secret);
    expect(all).not.toContain(c.mungeKeyB64);
    expect(all).not.toContain(c.mungeKeyB64.slice(0, 40));
  });
});

describe.runIf(hasTools)("drover-slurm-reconcile", { timeout: 180_000 }, () => {
  let c: Controller;

  beforeAll(async () => {
    c = await startController();
  });
  afterAll(async () => {
    await c?.mock.close();
  });

  it("deletes nodes Slurm powered down or that left the table; keeps powering-up, allocated and foreign ones", async () => {
    // GIVEN servers and ports as resume leaves them, in every state that matters
    const elastic = (name: string, partition = "cpu") => {
      const port = c.mock.addPort({ name: `${name}-port`, tags: tagsOf(partition) });
      return c.mock.addServer({ name, tags: tagsOf(partition), portIds: [port.id] });
    };
    elastic("hpc-cpu-1"); // powered down: SuspendProgram failed and Slurm forgot it
    elastic("hpc-cpu-2"); // powering up: a resume in progress
    elastic("hpc-cpu-3"); // running a job
    elastic("hpc-cpu-4"); // powering down
    elastic("hpc-gpu-1", "gpu"); // up and idle
    elastic("hpc-old-1"); // its partition was removed
    elastic("hpc-old-2"); // not in the table any more, but Slurm still runs a job on it
    c.mock.addPort({ name: "hpc-cpu-5-port", tags: tagsOf("cpu") }); // left by a failed resume
    c.mock.addPort({ name: "hpc-cpu-6-port", tags: tagsOf("cpu") }); // its server is being created
    const untagged = c.mock.addServer({ name: "hpc-cpu-1" });
    const other = c.mock.addServer({ name: "hpc-cpu-4", tags: ["drover_cluster=other_lab", "drover_elastic=cpu", "drover_stack=other"] });
    c.setSlurmStates({
      "hpc-cpu-1": "IDLE+CLOUD+POWERED_DOWN",
      "hpc-cpu-2": "IDLE+CLOUD+POWERING_UP",
      "hpc-cpu-3": "ALLOCATED+CLOUD",
      "hpc-cpu-4": "IDLE+CLOUD+POWERING_DOWN",
      "hpc-cpu-5": "DOWN+CLOUD+POWERED_DOWN",
      "hpc-cpu-6": "IDLE+CLOUD+POWERING_UP",
      "hpc-gpu-1": "IDLE+CLOUD",
      "hpc-old-2": "MIXED+CLOUD",
    });

    // WHEN
    const r = await c.run("reconcile");

    // THEN
    expect(r.code, r.stderr).toBe(0);
    const ours = c.mock
      .servers()
      .filter((s) => s.tags.includes(`drover_cluster=${CLUSTER}`))
      .map((s) => s.name)
      .sort();
    expect(ours).toEqual(["hpc-cpu-2", "hpc-cpu-3", "hpc-gpu-1", "hpc-old-2"]);
    expect(c.mock.servers().map((s) => s.id)).toEqual(expect.arrayContaining([untagged.id, other.id]));
    expect(
      c.mock
        .ports()
        .map((p) => p.name)
        .sort(),
    ).toEqual(["hpc-cpu-2-port", "hpc-cpu-3-port", "hpc-cpu-6-port", "hpc-gpu-1-port", "hpc-old-2-port"]);
    expect(r.stderr).toContain("hpc-cpu-1: deleting: powered down (IDLE+CLOUD+POWERED_DOWN)");
    expect(r.stderr).toContain(`hpc-old-1: deleting: not in ${join(c.dir, "slurm-nodes.tsv")}`);
    expect(r.stderr).toContain("hpc-cpu-5: deleting: powered down (DOWN+CLOUD+POWERED_DOWN)");
  });

  it("does nothing, quietly, when nothing is to be deleted", async () => {
    c.mock.clearRequests();
    const r = await c.run("reconcile");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(c.mock.requests.filter((x) => x.method === "DELETE")).toEqual([]);
  });

  it("deletes nothing while slurmctld does not answer", async () => {
    // GIVEN nodes that would be deleted were Slurm's word known
    c.mock.addServer({ name: "hpc-old-3", tags: tagsOf("cpu") });
    c.setSlurmStates({ "hpc-cpu-2": "IDLE+CLOUD+POWERED_DOWN" });
    writeFileSync(join(c.dir, "slurmctld-down"), "");

    // WHEN
    const r = await c.run("reconcile");
    rmSync(join(c.dir, "slurmctld-down"));

    // THEN
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("drover-slurm-reconcile: error: slurmctld does not answer (sinfo failed); nothing deleted");
    expect(c.mock.servers().map((s) => s.name)).toEqual(expect.arrayContaining(["hpc-old-3", "hpc-cpu-2"]));
  });

  it("deletes a node Slurm no longer knows once it is out of the table, keeps one still in it", async () => {
    // GIVEN Slurm knows neither (slurm.conf lost them), but hpc-cpu-2 is still in the table
    c.setSlurmStates({});

    // WHEN
    const r = await c.run("reconcile");

    // THEN
    expect(r.code, r.stderr).toBe(0);
    expect(
      c.mock
        .servers()
        .filter((s) => s.tags.includes(`drover_cluster=${CLUSTER}`))
        .map((s) => s.name)
        .sort(),
    ).toEqual(["hpc-cpu-2", "hpc-cpu-3", "hpc-gpu-1"]);
  });

  it("refuses to run without its node table rather than delete everything", async () => {
    const r = await runBash(join(SCRIPTS, "drover-slurm-reconcile.sh"), [], { ...c.env, DROVER_NODE_TABLE: join(c.dir, "missing.tsv") });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: cannot read ${join(c.dir, "missing.tsv")}`);
  });

  it("never prints the application credential secret", () => {
    expect(c.output()).not.toContain(c.mock.applicationCredential.secret);
  });
});

describe.runIf(hasTools)("resume on a Neutron that cannot tag ports during creation", { timeout: 180_000 }, () => {
  let c: Controller;
  beforeAll(async () => {
    c = await startController({ withoutExtensions: ["tag-ports-during-bulk-creation"] });
  });
  afterAll(async () => {
    await c?.mock.close();
  });

  it("creates the port, then sets its tags, within the credential's access rules", async () => {
    // WHEN
    const r = await c.run("resume", "hpc-cpu-1");

    // THEN the node exists with a tagged port, and Keystone refused nothing
    expect(r.code, r.stderr).toBe(0);
    const [port] = portOf(c.mock, "hpc-cpu-1-port");
    expect([...port!.tags].sort()).toEqual(tagsOf("cpu"));
    expect(calls(c.mock, "PUT", /^\/v2\.0\/ports\/[0-9a-f-]{36}\/tags$/)).toHaveLength(1);
    expect(c.mock.refused).toEqual([]);
    expect(serversNamed(c.mock, "hpc-cpu-1")).toHaveLength(1);
  });
});
