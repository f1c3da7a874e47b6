import { describe, expect, it } from "vitest";
import { GatewayHost, JupyterHubCluster, SlurmCluster, jetstream2, type JupyterHubClusterProps, type GatewayHostProps, type SlurmClusterProps } from "../../constructs/index.ts";
import { decodeBundle, encodeBundle, type Bundle } from "../../lib/agent/bundle.ts";
import { IN_PLACE_REASON } from "../../lib/plan/config-bundle.ts";
import type { Plan } from "../../lib/plan/model.ts";
import { offlinePlan } from "../../lib/plan/offline.ts";
import { builtinProviders } from "../../lib/schema/registry.ts";
import { testPublicKey } from "../support/keys.ts";
import { fullSynthJson, newStack, resources, type Json } from "../support/synth.ts";

/**
 * Day 2: a change to a running stack's configuration reaches its machines in place (the
 * configuration bundle in their metadata, applied by drover-agent) and rebuilds none of them;
 * only machines that are new are created. Each case compares two syntheses as `drover plan
 * --offline` does after a deploy, and looks for the new configuration where it travels.
 */

const alice = { name: "alice", publicKey: testPublicKey("alice@lab", 1) };
const bob = { name: "bob", publicKey: testPublicKey("bob@lab", 2) };

const cluster: SlurmClusterProps = {
  controller: { size: "m3.medium" },
  login: { size: "m3.small" },
  partitions: [
    { name: "cpu", size: "m3.quad", nodes: 2 },
    { name: "burst", size: "m3.quad", elastic: { max: 2, idleMinutes: 10 } },
  ],
  allowSshFrom: ["203.0.113.0/24"],
  users: [alice],
};

function synthSlurm(props: Partial<SlurmClusterProps> = {}): Json {
  const { app, stack } = newStack("hpc");
  new SlurmCluster(stack, "lab", { ...cluster, ...props });
  return fullSynthJson(app, stack);
}

const portal: GatewayHostProps & { app: { image: string; port: number; env: Record<string, string> } } = {
  size: "m3.medium",
  hostname: "portal",
  app: { image: "ghcr.io/example/portal:1.4", port: 8000, env: { DJANGO_SETTINGS_MODULE: "prod" } },
  tls: { letsEncryptEmail: "ops@example.org" },
  allowSshFrom: ["203.0.113.0/24"],
  publicKey: testPublicKey("admin@laptop"),
};

function synthGateway(props: Partial<GatewayHostProps> = {}): Json {
  const { app, stack } = newStack("gw", { cloud: jetstream2({ allocation: "bio230123" }) });
  new GatewayHost(stack, "portal", { ...portal, ...props });
  return fullSynthJson(app, stack);
}

function plan(stack: string, before: Json, after: Json): Plan {
  return offlinePlan({ stack, current: after, baseline: before, baselineInfo: { kind: "deployed", description: "test" }, providers: builtinProviders() });
}

const changed = (p: Plan) =>
  p.resources
    .filter((r) => r.action !== "no-op")
    .map((r) => `${r.action} ${r.constructPath ?? r.address}`)
    .sort();

/** The bundle a machine's metadata carries, by the machine's name. */
function bundleOf(json: Json, name: string): Bundle {
  const machine = Object.values(resources(json, "openstack_compute_instance_v2")).find((m) => m.name === name);
  if (!machine) throw new Error(`no machine ${name}`);
  return decodeBundle(machine.metadata as Record<string, string>);
}

const fileIn = (b: Bundle, path: string) => b.files?.find((f) => f.path === path)?.content;

describe("day 2 on a running Slurm cluster: nothing is rebuilt", () => {
  const deployed = synthSlurm();
  const machines = ["hpc/lab/controller/Resource", "hpc/lab/cpu-1/Resource", "hpc/lab/cpu-2/Resource", "hpc/lab/login/Resource"];

  it("GIVEN a new user THEN every machine updates in place and the bundle carries her account and key", () => {
    const after = synthSlurm({ users: [alice, bob] });
    const p = plan("hpc", deployed, after);
    expect(changed(p)).toEqual(machines.map((m) => `update ${m}`));
    for (const r of p.resources.filter((r) => r.action === "update")) {
      expect(r.reason).toBe(IN_PLACE_REASON);
      expect(r.changes.map((c) => c.path)).toEqual(["configuration"]);
      expect(r.changes[0]!.textDiff).toContain('+      "name": "bob"');
    }
    const b = bundleOf(after, "hpc-cpu-1");
    expect(b.users?.map((u) => u.name)).toEqual(["alice", "bob"]);
    expect(fileIn(b, "/etc/ssh/drover-authorized-keys/bob")).toBe(`${bob.publicKey}\n`);
    // The same bundle on every machine: each applies what its role needs.
    expect(bundleOf(after, "hpc-lab-controller")).toEqual(b);
  });

  it("GIVEN a user removed THEN in place too, and her account leaves the bundle", () => {
    const withBoth = synthSlurm({ users: [alice, bob] });
    const p = plan("hpc", withBoth, synthSlurm({ users: [bob] }));
    expect(changed(p)).toEqual(machines.map((m) => `update ${m}`));
    expect(bundleOf(synthSlurm({ users: [bob] }), "hpc-cpu-1").users?.map((u) => u.name)).toEqual(["bob"]);
  });

  it("GIVEN a partition grown from 2 to 3 static nodes THEN only the new node is created, and slurm.conf reaches the others in place", () => {
    const after = synthSlurm({ partitions: [{ name: "cpu", size: "m3.quad", nodes: 3 }, cluster.partitions[1]!] });
    const p = plan("hpc", deployed, after);
    expect(changed(p)).toEqual(["create hpc/lab/cpu-3/ImageName", "create hpc/lab/cpu-3/Port", "create hpc/lab/cpu-3/Resource", ...machines.map((m) => `update ${m}`)]);
    expect(fileIn(bundleOf(after, "hpc-cpu-1"), "/etc/slurm/slurm.conf")).toMatch(/NodeName=hpc-cpu-\[1-3\]/);
  });

  it("GIVEN elastic max and idle time changed THEN in place: slurm.conf and the elastic node table", () => {
    const after = synthSlurm({ partitions: [cluster.partitions[0]!, { name: "burst", size: "m3.quad", elastic: { max: 4, idleMinutes: 20 } }] });
    const p = plan("hpc", deployed, after);
    expect(changed(p)).toEqual(machines.map((m) => `update ${m}`));
    const b = bundleOf(after, "hpc-lab-controller");
    expect(fileIn(b, "/etc/slurm/slurm.conf")).toContain("SuspendTime=1200");
    expect(fileIn(b, "/etc/drover/slurm-nodes.hostlists")).toMatch(/^hpc-burst-\[1-4\]\t/);
  });

  it("GIVEN a partition added at the end THEN only its nodes are created", () => {
    const after = synthSlurm({ partitions: [...cluster.partitions, { name: "big", size: "m3.xl", nodes: 1 }] });
    const p = plan("hpc", deployed, after);
    expect(changed(p)).toEqual(["create hpc/lab/big-1/ImageName", "create hpc/lab/big-1/Port", "create hpc/lab/big-1/Resource", ...machines.map((m) => `update ${m}`)]);
  });

  it("GIVEN accounting turned on THEN in place: the controller installs slurmdbd and MariaDB and runs the setup", () => {
    const after = synthSlurm({ accounting: true });
    const p = plan("hpc", deployed, after);
    expect(changed(p)).toEqual(machines.map((m) => `update ${m}`));
    const b = bundleOf(after, "hpc-lab-controller");
    expect(b.packages).toEqual([
      { name: "slurmdbd", roles: ["controller"] },
      { name: "mariadb-server", roles: ["controller"] },
    ]);
    // The password placeholder is written once: the machine fills it in and keeps it.
    expect(b.files?.find((f) => f.path === "/etc/slurm/slurmdbd.conf")).toMatchObject({ initial: true, owner: "slurm:slurm", mode: "0600", roles: ["controller"] });
    expect(b.hooks?.[0]).toEqual({
      on: ["@packages", "/usr/local/sbin/drover-slurmdbd-setup"],
      roles: ["controller"],
      run: [["systemctl", "daemon-reload"], ["/usr/local/sbin/drover-slurmdbd-setup"], ["systemctl", "restart", "slurmctld.service"]],
    });
  });

  it("GIVEN a rebuild of the controller (another image in the code) THEN the queue survives on its state volume: nothing is lost", () => {
    const p = plan("hpc", deployed, synthSlurm({ image: "Featured-Ubuntu22" }));
    expect(p.resources.find((r) => r.constructPath === "hpc/lab/controller/Resource")).toMatchObject({ action: "replace", stateful: false, destructive: false });
    // The state volume stays, attached to the new controller.
    expect(p.resources.find((r) => r.constructPath === "hpc/lab/controller/Volume-state")?.action ?? "no-op").toBe("no-op");
    const instance = Object.values(resources(deployed, "openstack_compute_instance_v2")).find((m) => m.name === "hpc-lab-controller")!;
    expect(instance.metadata.drover_volume_state).toMatch(/:\/var\/lib\/drover-state$/);
    expect(fileIn(bundleOf(deployed, "hpc-lab-controller"), "/etc/slurm/slurm.conf")).toContain("StateSaveLocation=/var/lib/drover-state/slurmctld");
  });

  it("GIVEN accounting and a rebuild of the controller THEN the plan says what it loses, and it needs --allow-destroy", () => {
    const withAccounting = synthSlurm({ accounting: true });
    const p = plan("hpc", withAccounting, synthSlurm({ accounting: true, image: "Featured-Ubuntu22" }));
    const controller = p.resources.find((r) => r.constructPath === "hpc/lab/controller/Resource")!;
    expect(controller).toMatchObject({ action: "replace", stateful: true, destructive: true });
    expect(controller.reason).toContain("a new machine starts without the accounting database (MariaDB, on its disk)");
    expect(p.resources.find((r) => r.constructPath === "hpc/lab/cpu-1/Resource")).toMatchObject({ action: "replace", destructive: false });
    const instance = Object.values(resources(withAccounting, "openstack_compute_instance_v2")).find((m) => m.name === "hpc-lab-controller")!;
    expect(instance.lifecycle).toMatchObject({ prevent_destroy: true, ignore_changes: expect.arrayContaining(["user_data"]) });
  });
});

describe("day 2 on a running gateway: the same machine serves the new app", () => {
  const deployed = synthGateway();
  const changes: Array<[string, Partial<GatewayHostProps>, RegExp]> = [
    ["a new release of the app's image", { app: { ...portal.app, image: "ghcr.io/example/portal:1.5" } }, /ghcr\.io\/example\/portal:1\.5/],
    ["a new environment", { app: { ...portal.app, env: { DJANGO_SETTINGS_MODULE: "staging", WORKERS: "4" } } }, /WORKERS=4/],
    ["a larger body size", { maxBodyMiB: 512 }, /client_max_body_size 512m/],
    ["a longer timeout", { proxyTimeoutSeconds: 300 }, /proxy_read_timeout 300s/],
    ["another upstream port", { app: { ...portal.app, port: 9000 } }, /127\.0\.0\.1:9000/],
  ];
  it.each(changes)("GIVEN %s THEN the gateway updates in place and the bundle carries it", (_, props, want) => {
    const after = synthGateway(props);
    const p = plan("gw", deployed, after);
    expect(changed(p)).toEqual(["update gw/portal/Resource"]);
    expect(p.resources.find((r) => r.action === "update")!.reason).toBe(IN_PLACE_REASON);
    const text = (bundleOf(after, "gw-portal").files ?? []).map((f) => f.content).join("\n");
    expect(text).toMatch(want);
  });

  it("GIVEN an environment value that is a reference THEN the bundle names it as its own metadata item, for Terraform to fill", () => {
    const { app, stack } = newStack("gw", { cloud: jetstream2({ allocation: "bio230123" }) });
    const host = new GatewayHost(stack, "portal", portal);
    new GatewayHost(stack, "other", { ...portal, hostname: "other", app: { ...portal.app, env: { PORTAL: host.address } } });
    const json = fullSynthJson(app, stack);
    const machine = Object.values(resources(json, "openstack_compute_instance_v2")).find((m) => m.name === "gw-other")!;
    expect(machine.metadata.drover_ref_0).toMatch(/^\$\{openstack_networking_floatingip_v2\.[^}]+\.address\}$/);
    expect(fileIn(decodeBundle(machine.metadata), "/etc/drover/gateway-app.env")).toContain("PORTAL=@@DROVER_META_drover_ref_0@@");
  });
});

const github = { kind: "github" as const, clientId: "Ov23liExample", allowedOrganizations: ["unidata-workshop"], admins: ["instructor1"] };
const workshop: JupyterHubClusterProps = {
  users: 30,
  profile: { cpu: 1, memoryGiB: 2, storageGiB: 10 },
  image: "quay.io/jupyter/scipy-notebook:2025-10-20",
  auth: github,
  https: { letsEncryptEmail: "ops@example.org" },
  idleCullMinutes: 60,
};

function synthHub(props: Partial<JupyterHubClusterProps> = {}): Json {
  const { app, stack } = newStack("class", { cloud: jetstream2({ allocation: "atm240001" }) });
  new JupyterHubCluster(stack, "hub", { ...workshop, ...props });
  return fullSynthJson(app, stack);
}

describe("day 2 on a running JupyterHub: the chart is upgraded on the same cluster", () => {
  const deployed = synthHub();
  const manifest = "/var/lib/rancher/k3s/server/manifests/drover-jupyterhub.yaml";
  const changes: Array<[string, Partial<JupyterHubClusterProps>, string]> = [
    ["a new image", { image: "quay.io/jupyter/scipy-notebook:2026-01-05" }, "scipy-notebook"],
    ["another culling time", { idleCullMinutes: 30 }, "timeout: 1800"],
    ["another admin", { auth: { ...github, admins: ["instructor1", "ta2"] } }, "ta2"],
    ["another allowed organization", { auth: { ...github, allowedOrganizations: ["unidata-workshop", "unidata-staff"] } }, "unidata-staff"],
  ];
  it.each(changes)("GIVEN %s THEN only the k3s server's configuration changes, in place, and the chart's manifest carries it", (_, props, want) => {
    const after = synthHub(props);
    const p = plan("class", deployed, after);
    const machines = p.resources.filter((r) => r.type === "openstack_compute_instance_v2" && r.action !== "no-op");
    expect(machines.map((r) => `${r.action} ${r.constructPath}`).filter((l) => !l.startsWith("create "))).toEqual(["update class/hub/server/Resource"]);
    expect(machines.find((r) => r.action === "update")!.reason).toBe(IN_PLACE_REASON);
    const text = fileIn(bundleOf(after, "class-hub-server"), manifest)!;
    expect(text).toContain("kind: HelmChart");
    expect(text).toContain(want);
  });

  it("keeps the values' secrets out of the bundle: the server's own root-only files fill them in", () => {
    const b = bundleOf(deployed, "class-hub-server");
    const text = fileIn(b, manifest)!;
    expect(text).not.toMatch(/\$\{/);
    expect(text).toMatch(/@@DROVER_SECRET_hub-value-0@@/);
    const server = Object.values(resources(deployed, "openstack_compute_instance_v2")).find((m) => m.name === "class-hub-server")!;
    expect(Object.keys(server.metadata).filter((k) => k.startsWith("drover_ref_"))).toEqual([]);
    expect(server.user_data).toContain("/etc/drover/secrets/hub-value-0");
  });

  it("GIVEN a rebuild of the k3s server THEN the plan says the cluster is lost, and it needs --allow-destroy", () => {
    const instance = Object.values(resources(deployed, "openstack_compute_instance_v2")).find((m) => m.name === "class-hub-server")!;
    expect(instance.lifecycle).toMatchObject({ prevent_destroy: true, ignore_changes: expect.arrayContaining(["user_data"]) });
    expect(instance["//"].drover.loses).toContain("the Kubernetes cluster");
  });
});

describe("the configuration bundle", () => {
  it("round-trips through metadata items of at most 255 characters, with a checksum over them", () => {
    const bundle: Bundle = { construct: "x/y", files: [{ path: "/etc/a", content: "b".repeat(3000) + "\u00e9" }], users: [{ name: "u", uid: 100_001, home: "/home/u" }] };
    const { metadata, chunks } = encodeBundle(bundle);
    expect(Object.values(metadata).every((v) => v.length <= 255)).toBe(true);
    const back = decodeBundle(metadata);
    expect(back.users).toEqual(bundle.users);
    // The agent travels with every bundle, so a newer drover's agent reaches running machines.
    expect(back.files?.map((f) => f.path)).toEqual(["/usr/local/sbin/drover-agent", "/etc/a"]);
    expect(back.files?.[1]).toEqual(bundle.files![0]);
    expect(Object.keys(metadata)).toHaveLength(chunks + 1);
    const tampered = { ...metadata, drover_cfg_00: `A${metadata.drover_cfg_00!.slice(1)}` };
    expect(() => decodeBundle(tampered)).toThrow(/do not match its checksum/);
  });

  it("refuses a bundle larger than a machine's metadata has room for, saying what to make smaller", () => {
    const noise = Array.from({ length: 40_000 }, (_, i) => ((i * 2654435761) >>> 0).toString(36)).join("");
    expect(() => encodeBundle({ construct: "hpc/lab", files: [{ path: "/etc/big", content: noise }] })).toThrow(
      /the configuration of hpc\/lab takes \d+ metadata items, more than the 112 a machine has room for .*: list fewer users or keys/,
    );
  });
});
