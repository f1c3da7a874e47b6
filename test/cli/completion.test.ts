import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, STACK_TRACE_LINE, drover } from "../support/project.ts";
import { hasTool } from "../support/tools.ts";

// Each script is loaded by the real shell and asked what it completes, as a person's shell would.

function script(shell: string): string {
  const r = drover(REPO, ["completion", shell]);
  expect(r.code).toBe(0);
  const file = join(mkdtempSync(join(tmpdir(), "drover-completion-")), `drover.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

function shell(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: REPO });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return r.stdout;
}

describe("drover completion", () => {
  it.runIf(hasTool("bash", "apt-get install bash"))("bash completes commands, options, option values and subcommands", () => {
    const file = script("bash");
    const complete = (...words: string[]) =>
      shell("bash", ["-c", `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _drover; printf '%s\\n' "\${COMPREPLY[@]}"`])
        .trim()
        .split("\n");
    expect(complete("drover", "s")).toEqual(["synth", "shelve", "size"]);
    expect(complete("drover", "-C", "/tmp", "va")).toEqual(["validate"]);
    expect(complete("drover", "init", "--template", "")).toEqual(["vm", "slurm", "jupyterhub", "gateway"]);
    expect(complete("drover", "plan", "--off")).toEqual(["--offline"]);
    expect(complete("drover", "size", "")).toEqual(["jupyterhub"]);
    expect(complete("drover", "size", "jupyterhub", "--mem")).toEqual(["--memory", "--memory-limit"]);
    expect(complete("drover", "completion", "")).toEqual(["bash", "zsh", "fish"]);
  });

  it.runIf(hasTool("fish", "apt-get install fish"))("fish completes commands, options and option values", () => {
    const file = script("fish");
    const complete = (line: string) =>
      shell("fish", ["-c", `source ${file}; complete -C '${line}'`])
        .trim()
        .split("\n")
        .map((l) => l.split("\t")[0]);
    expect(complete("drover sy")).toEqual(["synth"]);
    expect(complete("drover init --template ")).toEqual(["gateway", "jupyterhub", "slurm", "vm"]);
    expect(complete("drover deploy --allow-")).toEqual(["--allow-destroy"]);
    expect(complete("drover completion ")).toEqual(["bash", "fish", "zsh"]);
  });

  it.runIf(hasTool("zsh", "apt-get install zsh"))("zsh loads the script after compinit and registers _drover for drover", () => {
    const file = script("zsh");
    shell("zsh", ["-n", file]);
    const out = shell("zsh", ["-f", "-c", `autoload -U compinit && compinit -u -D && source ${file} && whence -w _drover && print -r -- $_comps[drover]`]);
    expect(out.trim().split("\n")).toEqual(["_drover: function", "_drover"]);
  });

  it("refuses a shell it does not know with exit 2 and the three it does", () => {
    const r = drover(REPO, ["completion", "powershell"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error: command-argument value 'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.");
    expect(r.stderr).not.toMatch(STACK_TRACE_LINE);
  });
});
