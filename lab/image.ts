import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { must, run, sleep } from "./host.ts";

/**
 * The lab's machine image: Debian 13 (trixie, Slurm 24.11: the nearest to Ubuntu 24.04's
 * 23.11) built once with debootstrap from Debian's archive, with what Jetstream2's Ubuntu images
 * bring that drover's user data relies on (systemd, cloud-init, OpenSSH, sudo, python3, curl,
 * nftables, resolved), and the lab's own few files (lab/image/): the NoCloud datasource, the
 * `ubuntu` default account, the package proxy, and the stand-ins for what this kernel lacks.
 * Cached under the lab's cache directory, keyed by all of that: change a package or a file and
 * the next run builds a new image.
 */
export const IMAGE_RELEASE = "trixie";
export const ARCHIVE = "http://deb.debian.org/debian";
export const SECURITY_ARCHIVE = "http://deb.debian.org/debian-security";

/** Installed by debootstrap itself. */
const BASE_PACKAGES = ["systemd", "systemd-sysv", "dbus", "iproute2", "ca-certificates"];
/** Installed in the image afterwards: what an Ubuntu cloud image has that drover's user data uses. */
const IMAGE_PACKAGES = [
  "cloud-init",
  "openssh-server",
  "sudo",
  "python3",
  "curl",
  "gnupg",
  "nftables",
  "iputils-ping",
  "procps",
  "less",
  "netbase",
  "kmod",
  "util-linux",
  "e2fsprogs",
  "locales",
  "systemd-resolved",
  "libnss-resolve",
  "bash-completion",
  "logrotate",
  "cron",
];

const IMAGE_FILES = fileURLToPath(new URL("./image/", import.meta.url));

/** Where each of lab/image/'s files goes in the image, with its mode. */
const PLACED: ReadonlyArray<{ file: string; path: string; mode: number }> = [
  { file: "90-drover-lab.cfg", path: "/etc/cloud/cloud.cfg.d/90-drover-lab.cfg", mode: 0o644 },
  { file: "00drover-lab-proxy", path: "/etc/apt/apt.conf.d/00drover-lab-proxy", mode: 0o644 },
  { file: "drover-lab-cgroups.service", path: "/etc/systemd/system/drover-lab-cgroups.service", mode: 0o644 },
  { file: "cgroups-writable", path: "/usr/local/lib/drover-lab/cgroups-writable", mode: 0o755 },
  { file: "drover-lab-disks.service", path: "/etc/systemd/system/drover-lab-disks.service", mode: 0o644 },
  { file: "disk-links", path: "/usr/local/lib/drover-lab/disk-links", mode: 0o755 },
  { file: "nfs-server.service", path: "/etc/systemd/system/nfs-server.service", mode: 0o644 },
  { file: "drover-lab-nfs@.service", path: "/etc/systemd/system/drover-lab-nfs@.service", mode: 0o644 },
  { file: "systemctl", path: "/usr/local/sbin/systemctl", mode: 0o755 },
  { file: "mount.nfs", path: "/usr/local/lib/drover-lab/mount.nfs", mode: 0o755 },
];

/** Bumped when the build steps below change in a way the inputs do not show. */
const RECIPE = 3;

export async function imageKey(): Promise<string> {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ IMAGE_RELEASE, ARCHIVE, BASE_PACKAGES, IMAGE_PACKAGES, RECIPE }));
  for (const name of (await readdir(IMAGE_FILES)).sort()) hash.update(name).update(await readFile(join(IMAGE_FILES, name)));
  return `${IMAGE_RELEASE}-${hash.digest("hex").slice(0, 12)}`;
}

export interface ImageEvents {
  progress(message: string): void;
}

/**
 * The image's root filesystem, built when not in the cache. `proxy` is the package proxy's
 * address on the host (`127.0.0.1:port`): the build's downloads go through it too, so a second
 * cold build on the same machine finds the packages there.
 */
export async function ensureImage(cacheDir: string, proxy: string, events: ImageEvents): Promise<{ rootfs: string; key: string; built: boolean; seconds: number }> {
  const key = await imageKey();
  const dir = join(cacheDir, "images", key);
  const rootfs = join(dir, "rootfs");
  if (existsSync(join(dir, "ready"))) return { rootfs, key, built: false, seconds: 0 };
  await mkdir(join(cacheDir, "images"), { recursive: true });
  // One build at a time per cache: a second lab waits for the first one's image.
  const lock = join(cacheDir, "images", `${key}.lock`);
  for (let waited = 0; ; waited++) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (existsSync(join(dir, "ready"))) return { rootfs, key, built: false, seconds: 0 };
      if (waited === 0) events.progress(`waiting for another lab building the image ${key}`);
      if (waited > 1200) throw new Error(`the image lock ${lock} is still held after 20 minutes: remove it if no lab is running`);
      await sleep(1000);
    }
  }
  const started = Date.now();
  const staging = join(cacheDir, "images", `.${key}.building`);
  try {
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const target = join(staging, "rootfs");
    const env = { ...process.env, http_proxy: `http://${proxy}`, DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C.UTF-8" };
    events.progress(`building the lab image ${key}: debootstrap ${IMAGE_RELEASE} from ${ARCHIVE}`);
    await must("debootstrap", ["--variant=minbase", `--include=${BASE_PACKAGES.join(",")}`, IMAGE_RELEASE, target, ARCHIVE], { env });
    await rm(join(target, "etc/apt/sources.list"), { force: true });
    await writeFile(
      join(target, "etc/apt/sources.list.d/debian.sources"),
      [
        `Types: deb\nURIs: ${ARCHIVE}\nSuites: ${IMAGE_RELEASE} ${IMAGE_RELEASE}-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
        `Types: deb\nURIs: ${SECURITY_ARCHIVE}\nSuites: ${IMAGE_RELEASE}-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
      ].join("\n"),
    );
    // The build reaches the proxy on the host's loopback; the machines at the lab's address.
    await writeFile(join(target, "etc/apt/apt.conf.d/00drover-lab-build-proxy"), `Acquire::http::Proxy "http://${proxy}/";\n`);
    // Nothing may start daemons inside the build's chroot.
    await writeFile(join(target, "usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 101\n");
    await chmod(join(target, "usr/sbin/policy-rc.d"), 0o755);
    events.progress(`building the lab image ${key}: installing ${IMAGE_PACKAGES.length} packages`);
    await must("chroot", [target, "apt-get", "update", "-q"], { env });
    await must("chroot", [target, "apt-get", "install", "-y", "-q", "--no-install-recommends", ...IMAGE_PACKAGES], { env });
    for (const p of PLACED) {
      await mkdir(join(target, p.path, ".."), { recursive: true });
      await copyFile(join(IMAGE_FILES, p.file), join(target, p.path));
      await chmod(join(target, p.path), p.mode);
    }
    // The NFS client's mount helper is the lab's stand-in; nfs-common, when a machine installs
    // it, puts the real one beside it (dpkg-divert), as it would for any diverted file.
    await must("chroot", [target, "dpkg-divert", "--local", "--rename", "--divert", "/usr/sbin/mount.nfs.distrib", "--add", "/usr/sbin/mount.nfs"]);
    await must("chroot", [target, "ln", "-sf", "/usr/local/lib/drover-lab/mount.nfs", "/usr/sbin/mount.nfs"]);
    await must("chroot", [target, "systemctl", "enable", "systemd-networkd", "systemd-resolved", "drover-lab-cgroups.service", "drover-lab-disks.service"]);
    // Each machine is new: its own machine ID, host keys and hostname, made at its first boot.
    await writeFile(join(target, "etc/machine-id"), "");
    await rm(join(target, "etc/hostname"), { force: true });
    for (const f of await readdir(join(target, "etc/ssh"))) if (f.startsWith("ssh_host_")) await rm(join(target, "etc/ssh", f));
    await rm(join(target, "usr/sbin/policy-rc.d"), { force: true });
    await rm(join(target, "etc/apt/apt.conf.d/00drover-lab-build-proxy"), { force: true });
    await run("chroot", [target, "apt-get", "clean"]);
    await rm(join(target, "var/lib/apt/lists"), { recursive: true, force: true });
    await mkdir(join(target, "var/lib/apt/lists/partial"), { recursive: true });
    await writeFile(join(staging, "image.json"), `${JSON.stringify({ key, release: IMAGE_RELEASE, packages: [...BASE_PACKAGES, ...IMAGE_PACKAGES], built: new Date().toISOString() }, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    await writeFile(join(dir, "ready"), "");
    return { rootfs, key, built: true, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
