import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A cgroup of its own, in every hierarchy the host mounts, for each lab machine: systemd inside
 * the machine manages everything below it, and Slurm's cgroup plugins make a cgroup per job
 * there, without meeting the other machines' (which share the host's hierarchies otherwise).
 * The machine's cgroups sit below the lab's own, so whatever limits the lab runs under hold.
 */
interface Hierarchy {
  readonly mountPoint: string;
  /** The lab's own cgroup in this hierarchy, relative to the mount point. */
  readonly path: string;
  readonly cpuset: boolean;
}

function hierarchies(): Hierarchy[] {
  const own = new Map<string, string>();
  for (const line of readFileSync("/proc/self/cgroup", "utf8").trim().split("\n")) {
    // id:controllers:path; the unified hierarchy's controllers field is empty.
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    own.set(line.slice(first + 1, second), line.slice(second + 1) || "/");
  }
  const found: Hierarchy[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").trim().split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [fstype, , options] = right.split(" ");
    const root = fields[3] ?? "/";
    const mountPoint = fields[4] ?? "";
    if (fstype === "cgroup2") {
      const path = own.get("");
      if (path !== undefined) found.push({ mountPoint, path: relative(root, path), cpuset: false });
    } else if (fstype === "cgroup") {
      const controllers = (options ?? "")
        .split(",")
        .filter((o) => !["rw", "ro", "relatime", "nosuid", "nodev", "noexec", "noatime", "xattr", "clone_children"].includes(o) && !o.startsWith("release_agent"));
      const key = [...own.keys()].find((k) => k !== "" && sameSet(k.split(","), controllers));
      if (key !== undefined) found.push({ mountPoint, path: relative(root, own.get(key)!), cpuset: controllers.includes("cpuset") });
    }
  }
  return found;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
const relative = (root: string, path: string) => (root !== "/" && path.startsWith(root) ? path.slice(root.length) || "/" : path);

/** Creates the machine's cgroups and returns their directories (write a PID to `cgroup.procs` of each). */
export async function createMachineCgroups(name: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const h of hierarchies()) {
    let dir = join(h.mountPoint, h.path);
    for (const part of ["drover-lab", name]) {
      const parent = dir;
      dir = join(dir, part);
      if (!existsSync(dir)) {
        await mkdir(dir);
        // A new cpuset cgroup has no CPUs or memory nodes until it is given its parent's.
        if (h.cpuset) {
          for (const f of ["cpuset.cpus", "cpuset.mems"]) await writeFile(join(dir, f), (await readFile(join(parent, f), "utf8")).trim() || "0");
        }
      }
    }
    dirs.push(dir);
  }
  return dirs;
}

/** Removes a machine's cgroups (and whatever its systemd left below them) once it is stopped. */
export async function removeMachineCgroups(dirs: readonly string[]): Promise<void> {
  const remove = async (dir: string): Promise<void> => {
    if (!existsSync(dir)) return;
    for (const entry of await readdir(dir, { withFileTypes: true })) if (entry.isDirectory()) await remove(join(dir, entry.name));
    await rmdir(dir).catch(() => undefined);
  };
  for (const dir of dirs) {
    await remove(dir);
    // The lab's own level goes too once no machine of any run is left in it.
    await rmdir(join(dir, "..")).catch(() => undefined);
  }
}
