import { parseAllDocuments } from "yaml";
import { CheckFailure, type ScenarioDefinition } from "../scenario.ts";

const SERVER = "lab-hub-hub-server";
const AGENT_PREFIX = "lab-hub-hub-agent-";

/** k3s's download, the only part of the hub's first boot this machine cannot do. */
const K3S_DOWNLOAD = /drover-k3s-install|github\.com/;

/**
 * `hub`: a k3s JupyterHub boots as far as it can without the k3s binary (k3s, its images and
 * the JupyterHub chart come from GitHub and container registries, which nothing here reaches).
 * What runs is checked: every step of the first boot before the download, the files k3s would
 * read (its configuration, the join token, the chart and CSI manifests) in place, valid and
 * readable by root alone, and the download failing clearly rather than hanging the boot.
 */
export const hubScenario: ScenarioDefinition = {
  name: "hub",
  stack: "lab-hub",
  summary: "a k3s JupyterHub as far as it boots without the k3s binary: what runs, checked",
  substitutions: [
    "k3s, its container images and the JupyterHub chart cannot be downloaded here (no GitHub, no registries): k3s does not run, so the hub, its sign-in and the users' servers are not exercised; the first boot up to k3s's download is",
    "cloud-init reads a NoCloud seed; security groups are not enforced; image: Debian 13 (trixie)",
  ],
  firstBoot: {
    errors: /scripts_user|runcmd|scripts-user/,
    output: K3S_DOWNLOAD,
    why: "k3s's download from GitHub, which nothing here reaches, is the only step that failed",
  },
  async exercise(run) {
    const server = run.machine(SERVER);
    const agents = [...run.machines.values()].filter((m) => m.spec.name.startsWith(AGENT_PREFIX));

    await run.check("the k3s install says why it stopped: the release could not be fetched", async () => {
      const out = await server.cloudInitOutput(60);
      const line = out.split("\n").find((l) => /curl: \(\d+\)/.test(l));
      if (!line) throw new CheckFailure("no curl error in the server's cloud-init output", out);
      const installed = await server.exec(["test", "-e", "/usr/local/bin/k3s"]);
      if (installed.code === 0) throw new CheckFailure("a k3s binary is installed although its download failed");
      return `${line.trim()}; no k3s binary installed, no unchecked binary run`;
    });

    await run.check("the server has k3s's configuration, the chart and the CSI manifests, valid YAML", async () => {
      const files = [
        "/etc/rancher/k3s/config.yaml",
        "/var/lib/rancher/k3s/server/manifests/drover-jupyterhub.yaml",
        "/var/lib/rancher/k3s/server/manifests/drover-cinder-csi.yaml",
        "/var/lib/rancher/k3s/server/manifests/drover-cinder-csi-cloud-config.yaml",
      ];
      const kinds: string[] = [];
      for (const f of files) {
        const text = await server.read(f.slice(1));
        if (text === undefined) throw new CheckFailure(`${f} is missing`, await run.evidence(server));
        const docs = parseAllDocuments(text);
        const bad = docs.find((d) => d.errors.length > 0);
        if (bad) throw new CheckFailure(`${f} is not valid YAML: ${bad.errors[0]!.message}`);
        for (const d of docs) {
          const kind = (d.toJS() as { kind?: string } | null)?.kind;
          if (kind) kinds.push(kind);
        }
      }
      if (!kinds.includes("HelmChart")) throw new CheckFailure(`no HelmChart among the manifests (${kinds.join(", ")})`);
      return `${files.length} files; kinds: ${[...new Set(kinds)].join(", ")}`;
    });

    await run.check("the join token and the cloud credentials are readable by root alone", async () => {
      // config.yaml names the token file and holds no secret itself.
      const paths = ["/etc/rancher/k3s/agent-token", "/var/lib/rancher/k3s/server/manifests/drover-cinder-csi-cloud-config.yaml"];
      const seen: string[] = [];
      for (const p of paths) {
        const r = await server.exec(["stat", "-c", "%a %U:%G %n", p]);
        if (r.code !== 0) throw new CheckFailure(`${p}: ${r.stderr.trim()}`);
        const [mode, owner] = r.stdout.trim().split(" ");
        if (!/^[0-7]00$/.test(mode ?? "") || owner !== "root:root") throw new CheckFailure(`${p} is ${mode} ${owner}: others may read it`);
        seen.push(r.stdout.trim());
      }
      for (const a of agents) {
        const r = await a.exec(["stat", "-c", "%a %U:%G %n", "/etc/rancher/k3s/token"]);
        const [mode] = r.stdout.trim().split(" ");
        if (r.code !== 0 || !/^[0-7]00$/.test(mode ?? "")) throw new CheckFailure(`${a.spec.name}: /etc/rancher/k3s/token: ${(r.stdout + r.stderr).trim()}`);
        seen.push(`${a.spec.name}: ${r.stdout.trim()}`);
      }
      return seen.join("; ");
    });

    await run.check("every user node booted as far as the k3s install too", async () => {
      if (agents.length === 0) throw new CheckFailure("the stack has no user node");
      const out: string[] = [];
      for (const a of agents) {
        const log = await a.cloudInitOutput(60);
        if (!/curl: \(\d+\)/.test(log)) throw new CheckFailure(`${a.spec.name}: no k3s download attempt in its cloud-init output`, log);
        out.push(a.spec.name);
      }
      return `${out.join(", ")}: stopped at the k3s download, as the server`;
    });
  },
};
