import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { packageRoot } from "../paths.ts";
import { run } from "../exec.ts";
import { ConfigError, UsageError } from "../errors.ts";
import type { Project } from "../app/project.ts";
import { synthEnvironment, type SynthContext } from "../app/synth-context.ts";

const DROVER_BIN = join(packageRoot(), "bin/drover.mjs");

/**
 * A stack's synthesis as it was at a git ref: the project checked out in a temporary worktree
 * (sharing this checkout's node_modules), synthesized by drover in a child process, then
 * removed. Undefined when the stack did not exist at that ref. `context` is the run's (its
 * `--allow-destroy`), so both sides of the comparison are synthesized alike.
 */
export async function synthAtRef(project: Project, stack: string, ref: string, context: SynthContext = {}): Promise<{ sha: string; config: Record<string, unknown> | undefined }> {
  const git = (args: string[], cwd = project.root) => run("git", args, { cwd });
  const top = await git(["rev-parse", "--show-toplevel"]);
  if (top.exitCode !== 0) throw new ConfigError(`--against needs a git repository, and ${project.root} is not in one`);
  const commit = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (commit.exitCode !== 0) throw new UsageError(`--against ${ref}: no such commit, branch or tag in ${String(top.stdout).trim()}`);
  const sha = String(commit.stdout).trim();
  const worktree = await mkdtemp(join(tmpdir(), "drover-against-"));
  try {
    const add = await git(["worktree", "add", "--detach", "--force", worktree, sha]);
    if (add.exitCode !== 0) throw new ConfigError(`git worktree add failed for ${ref}`, [String(add.stderr).trim()]);
    const projectDir = join(worktree, relative(String(top.stdout).trim(), project.root));
    if (!existsSync(join(projectDir, "cdktf.json"))) return { sha, config: undefined };
    if (!existsSync(join(projectDir, "node_modules"))) await symlink(join(project.root, "node_modules"), join(projectDir, "node_modules"));
    const r = await run(process.execPath, [DROVER_BIN, "synth", stack, "--json", "--cwd", projectDir], { env: { ...process.env, ...synthEnvironment(context), NO_COLOR: "1" } });
    if (r.exitCode !== 0) {
      let error: { message?: string; details?: string[] } | undefined;
      try {
        error = (JSON.parse(String(r.stdout)) as { error?: { message?: string; details?: string[] } }).error;
      } catch {
        error = undefined;
      }
      if (error?.message?.startsWith("no stack named")) return { sha, config: undefined };
      throw new ConfigError(`the app as it was at ${ref} (${sha.slice(0, 10)}) did not synthesize`, [error?.message ?? String(r.stderr).trim(), ...(error?.details ?? [])].filter(Boolean));
    }
    const report = JSON.parse(String(r.stdout)) as { stacks: Array<{ name: string; config: string }> };
    const entry = report.stacks.find((s) => s.name === stack);
    return { sha, config: entry ? (JSON.parse(await readFile(join(projectDir, entry.config), "utf8")) as Record<string, unknown>) : undefined };
  } finally {
    await git(["worktree", "remove", "--force", worktree]);
    await rm(worktree, { recursive: true, force: true });
    await git(["worktree", "prune"]);
  }
}
