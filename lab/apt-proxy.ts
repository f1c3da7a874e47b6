import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, open, readFile, writeFile } from "node:fs/promises";
import { createServer as createNetServer, connect } from "node:net";
import { join } from "node:path";
import { ARCHIVE, SECURITY_ARCHIVE } from "./image.ts";
import { background, sleep } from "./host.ts";
import type { RunState } from "./state.ts";

/**
 * The lab's package proxy: Debian's apt-cacher-ng, run by the lab with its own configuration on
 * the host's loopback, its cache kept under the lab's cache directory (so a warm run downloads
 * no package again). Its only upstream is the archive the image names, which apt-cacher-ng's
 * Debian remapping sends to `ARCHIVE` (its own default mirror list names hosts that need not
 * resolve here).
 */
export interface AptProxy {
  /** `127.0.0.1:port`, for the image build on the host. */
  readonly address: string;
  /** A unix socket relaying to the proxy, for the lab networks' door (see services.ts). */
  readonly socket: string;
  /** Bytes apt-cacher-ng fetched from the archive (its transfer log), since it started. */
  downloadedBytes(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A free TCP port on the loopback below 32768: apt-cacher-ng fails to bind ports above
 * ("Error resolving address for binding"), which is where the kernel's ephemeral ones are.
 */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createNetServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port between 20000 and 32000 on 127.0.0.1 for the package proxy");
}

export async function startAptProxy(cacheDir: string, runDir: string, state: RunState): Promise<AptProxy> {
  const conf = join(runDir, "apt-cacher-ng");
  const cache = join(cacheDir, "apt");
  const logs = join(runDir, "apt-cacher-ng-log");
  await mkdir(conf, { recursive: true });
  await mkdir(cache, { recursive: true });
  await mkdir(logs, { recursive: true });
  const port = await freePort();
  const archive = ARCHIVE.replace(/\/?$/, "/");
  const security = SECURITY_ARCHIVE.replace(/^https?:\/\//, "");
  await writeFile(join(conf, "backends_debian"), `${archive}\n`);
  await writeFile(
    join(conf, "acng.conf"),
    [
      `CacheDir: ${cache}`,
      `LogDir: ${logs}`,
      "SupportDir: /usr/lib/apt-cacher-ng",
      `Port: ${port}`,
      "BindAddress: 127.0.0.1",
      `SocketPath: ${join(runDir, "acng-admin.sock")}`,
      "ForeGround: 1",
      "UnbufferLogs: 1",
      "VerboseLog: 1",
      "Remap-debrep: file:deb_mirror*.gz /debian ; file:backends_debian",
      `Remap-secdeb: security.debian.org security.debian.org/debian-security ${security} /debian-security ; ${security}`,
      "ExThreshold: 4",
      // The archive's index files (InRelease, Packages) are taken as fresh for an hour instead of
      // apt-cacher-ng's 27 s: a lab run right after another fetches nothing at all, and the
      // archive keeps the packages an hour-old index names (superseded ones go at its next
      // publishing run, hours apart).
      "FreshIndexMaxAge: 3600",
      "",
    ].join("\n"),
  );
  const log = await open(join(runDir, "apt-cacher-ng.out"), "a");
  const child: ChildProcess = background("apt-cacher-ng", ["-c", conf], { stdio: ["ignore", log.fd, log.fd], detached: true });
  if (child.pid !== undefined) await state.update((r) => r.processes.push(child.pid!));
  const address = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || i > 100) {
      await log.close();
      throw new Error(`apt-cacher-ng did not start (see ${join(runDir, "apt-cacher-ng.out")})`);
    }
    await sleep(100);
  }
  // The door the lab networks' services connect to: a unix socket crosses into a network
  // namespace, the host's loopback does not. socat, so that it outlives the lab with `--keep`.
  const socket = join(runDir, "apt-proxy.sock");
  const relay = background("socat", [`UNIX-LISTEN:${socket},fork,unlink-early`, `TCP:127.0.0.1:${port}`], { stdio: ["ignore", log.fd, log.fd], detached: true });
  if (relay.pid !== undefined) await state.update((r) => r.processes.push(relay.pid!));
  for (let i = 0; !existsSync(socket); i++) {
    if (relay.exitCode !== null || i > 100) throw new Error(`socat did not start the package proxy's relay (see ${join(runDir, "apt-cacher-ng.out")})`);
    await sleep(50);
  }
  return {
    address,
    socket,
    async downloadedBytes() {
      // apt-cacher-ng logs each transfer as time|type|size|client|file, type I for what it fetched from the archive (O: what it served).
      const file = join(logs, "apt-cacher.log");
      if (!existsSync(file)) return 0;
      return (await readFile(file, "utf8"))
        .split("\n")
        .map((line) => line.split("|"))
        .filter((f) => f[1] === "I")
        .reduce((sum, f) => sum + Number(f[2] ?? 0), 0);
    },
    async stop() {
      if (relay.exitCode === null) relay.kill("SIGTERM");
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            child.kill("SIGKILL");
            resolve();
          }, 5000);
          child.once("exit", () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      await log.close();
    },
  };
}
