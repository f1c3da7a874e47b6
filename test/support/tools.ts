import { execFileSync, spawnSync } from "node:child_process";

/**
 * External tools some tests run (cloud-init, shellcheck, terraform...). When one is missing the
 * test is skipped and the reason printed once; on the development and CI machines they are
 * installed (see .ci/run) and the tests run.
 */
const seen = new Map<string, boolean>();

export function hasTool(name: string, installHint: string): boolean {
  let ok = seen.get(name);
  if (ok === undefined) {
    ok = spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
    seen.set(name, ok);
    if (!ok) console.warn(`[skip] ${name} is not installed, so the tests that need it are skipped (${installHint}).`);
  }
  return ok;
}

/** Runs a tool and returns its output; throws with the tool's output on failure. */
export function runTool(cmd: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], ...(input !== undefined ? { input } : {}) });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
}
