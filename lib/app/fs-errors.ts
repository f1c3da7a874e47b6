import { ConfigError, ExternalError, type DroverError } from "../errors.ts";

/**
 * A file-system error while drover writes (the output directory, a rendered file, a baseline),
 * as an error naming the path, what is wrong in words and the fix, never a stack trace. A full
 * disk is the machine's problem (exit 3); a path that is a file, read-only or not allowed is the
 * configuration's (exit 2). Undefined for anything that is not such an error.
 */
export function fileWriteFailure(error: unknown, what: string, fix: string): DroverError | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  const code = e?.code;
  if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return undefined;
  const where = e?.path ? ` (${e.path})` : "";
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return new ExternalError(`could not write ${what}: the disk is full${where}`, [
        "Free some space on that disk and run the command again; nothing was replaced: the previous output stays as it was.",
      ]);
    case "EIO":
      return new ExternalError(`could not write ${what}: the disk reported an input/output error${where}`, ["Check the disk (dmesg), then run the command again."]);
    case "EROFS":
      return new ConfigError(`could not write ${what}: it is on a read-only file system${where}`, [fix]);
    case "EACCES":
    case "EPERM":
      return new ConfigError(`could not write ${what}: permission denied${where}`, [fix]);
    case "EEXIST":
    case "ENOTDIR":
      return new ConfigError(`could not write ${what}: a file stands where a directory must be${where}`, [fix]);
    case "ENOENT":
      return new ConfigError(`could not write ${what}: its directory cannot be created there${where}`, [fix]);
    case "EMFILE":
    case "ENFILE":
      return new ExternalError(`could not write ${what}: too many open files${where}`, ["Raise the open-file limit (ulimit -n) and run the command again."]);
    default:
      return undefined;
  }
}

/**
 * `mkdir -p`, one level at a time. Node's own recursive mkdir never returns for some paths (under
 * /proc it retries forever); this fails with the first level that cannot be made.
 */
export async function makeDirectory(path: string): Promise<void> {
  const { mkdir, stat } = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  const missing: string[] = [];
  let dir = path;
  for (;;) {
    const s = await stat(dir).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e)));
    if (s) {
      if (!s.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: "ENOTDIR", path: dir, syscall: "mkdir" });
      break;
    }
    missing.unshift(dir);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const d of missing) {
    await mkdir(d).catch((e: NodeJS.ErrnoException) => (e.code === "EEXIST" ? undefined : Promise.reject(e)));
  }
}
