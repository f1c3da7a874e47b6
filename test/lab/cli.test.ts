import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const lab = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "lab/main.ts", "--cache", mkdtempSync(join(tmpdir(), "drover-lab-cache-")), ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

describe("npm run lab, refusing what it cannot do", () => {
  it("names the scenarios when given one it does not know (exit 2, no stack trace)", () => {
    const r = lab("slurmm");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("lab: no scenario named 'slurmm': the scenarios are slurm, gateway, vm, hub\n");
  });

  it("says how to keep machines when asked for a shell in one that is not kept", () => {
    const r = lab("--shell", "lab-slurm-hpc-login");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("lab: no machine is kept: run the lab with --keep first (npm run lab -- slurm --keep)\n");
  });

  it("lists the scenarios in its help", () => {
    const r = lab("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/slurm +a Slurm cluster/);
    expect(r.stdout).toMatch(/hub +a k3s JupyterHub/);
  });
});
