import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { must, run } from "./host.ts";
import type { Machine } from "./machine.ts";
import type { RunState } from "./state.ts";

/**
 * The lab's stand-in for NFS between its machines (this kernel has neither an NFS server nor a
 * client). A machine's exports are read from its own export table (/var/lib/nfs/etab, which the
 * real `exportfs` keeps): each exported tree is handed, as a bind mount of the same file system,
 * to every other machine the export names, under /run/drover-lab/incoming/nfs/<server><path>,
 * where the machines' mount.nfs stand-in mounts it. A tree that is a mounted volume on the
 * server is mounted on the host from the same device (the same file system, not a copy).
 */
export interface Export {
  readonly path: string;
  /** Who may mount it, as in /etc/exports: an address, a range, or `*`. */
  readonly client: string;
}

/** The entries of an etab (`path<TAB>client(options)` per line). */
export function parseEtab(text: string): Export[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [path, rest] = line.split(/\s+/, 2);
      return { path: path ?? "", client: (rest ?? "").replace(/\(.*$/, "") };
    })
    .filter((e) => e.path.startsWith("/"));
}

export function clientMatches(client: string, address: string): boolean {
  if (client === "*" || client === address) return true;
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(client);
  if (!m) return false;
  const toN = (ip: string) => ip.split(".").reduce((n, p) => n * 256 + Number(p), 0);
  const bits = Number(m[2]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (toN(address) & mask) >>> 0 === (toN(m[1]!) & mask) >>> 0;
}

export class NfsStandIn {
  /** Host mounts of exported trees, by `<server>:<path>`. */
  private readonly sources = new Map<string, string>();
  /** `<client>|<server>:<path>` already handed over. */
  private readonly handed = new Set<string>();
  readonly served: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly state: RunState,
  ) {}

  /** One pass: hands every export to every machine it names that does not have it yet. */
  async sync(machines: readonly Machine[]): Promise<void> {
    for (const server of machines) {
      if (!server.running) continue;
      const etab = await server.read("var/lib/nfs/etab");
      if (!etab) continue;
      for (const e of parseEtab(etab)) {
        const source = await this.source(server, e.path);
        if (!source) continue;
        for (const client of machines) {
          if (client === server || !client.running || !clientMatches(e.client, client.spec.address)) continue;
          const key = `${client.spec.name}|${server.spec.address}:${e.path}`;
          if (this.handed.has(key)) continue;
          const target = join(client.incoming, "nfs", server.spec.address, e.path);
          await mkdir(target, { recursive: true });
          await must("mount", ["--bind", source, target]);
          await this.state.update((r) => r.mounts.push(target));
          await writeFile(`${target}.drover-lab-exported`, "");
          this.handed.add(key);
          if (!this.served.includes(`${server.spec.address}:${e.path}`)) this.served.push(`${server.spec.address}:${e.path}`);
        }
      }
    }
  }

  /** The exported tree as the host can mount it: the server's volume device, or its root file system's directory. */
  private async source(server: Machine, path: string): Promise<string | undefined> {
    const key = `${server.spec.address}:${path}`;
    const known = this.sources.get(key);
    if (known) return known;
    const pid = server.leader();
    if (pid === undefined) return undefined;
    const found = await run("findmnt", ["-N", String(pid), "-n", "-o", "SOURCE,TARGET", "--mountpoint", path]);
    const target = join(this.dir, server.spec.address, path);
    if (found.code === 0 && found.stdout.trim()) {
      const device = found.stdout.trim().split(/\s+/)[0]!;
      if (!device.startsWith("/dev/")) return undefined;
      await mkdir(target, { recursive: true });
      // The same device mounted again is the same file system (one superblock), not a copy.
      await must("mount", [device, target]);
    } else {
      const inRoot = join(server.root, path);
      if (!existsSync(inRoot)) return undefined;
      await mkdir(target, { recursive: true });
      await must("mount", ["--bind", inRoot, target]);
    }
    await this.state.update((r) => r.mounts.push(target));
    this.sources.set(key, target);
    return target;
  }

  /** Unmounts every tree this stand-in mounted on the host. */
  async release(): Promise<void> {
    for (const target of this.sources.values()) await run("umount", ["-l", target]);
    this.sources.clear();
  }
}
