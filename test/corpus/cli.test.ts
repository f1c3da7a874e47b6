import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DROVER_BIN, STACK_TRACE_LINE, makeProject } from "../support/project.ts";
import { terraformEnv } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";
import { APP, CLI_CASES, type CliCase } from "./cases-cli.ts";
import { FIX } from "./fix.ts";

/**
 * The corpus, second half: configuration files, flags, drover's records, Terraform state and
 * signals, through the real command line. For every case: the exit code, no stack trace, the
 * place named and a fix (signals end the run without a word, as a shell expects).
 */
const terraform = hasTool("terraform", "https://developer.hashicorp.com/terraform/install");

function runCase(c: CliCase): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const dir = makeProject({ "main.ts": APP, ...c.files });
  c.setup?.(dir);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DROVER_BIN, ...c.args], { cwd: dir, env: { ...terraformEnv(), NO_COLOR: "1", DROVER_OWNER: "", ...c.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    // The app waits forever: the signal comes once drover runs it.
    const timer = c.signal ? setTimeout(() => child.kill(c.signal), 2500) : setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe("the corpus: the command line, configuration files, state and signals", () => {
  it.each(CLI_CASES.filter((c) => !c.needsTerraform || terraform).map((c) => [`${c.kind}: ${c.name}`, c] as const))("%s", async (_, c) => {
    const r = await runCase(c);
    const shown = `${r.stdout}${r.stderr}`;
    if (c.signal) {
      // Ended by the signal, as any program is; nothing half-written, no trace.
      expect(r.code ?? 128 + ({ SIGINT: 2, SIGHUP: 1, SIGTERM: 15 } as Record<string, number>)[r.signal!]!).toBe(c.code);
      expect(shown).not.toMatch(STACK_TRACE_LINE);
      return;
    }
    expect({ code: r.code, stderr: r.stderr.slice(0, 600) }).toMatchObject({ code: c.code });
    expect(shown).not.toMatch(STACK_TRACE_LINE);
    expect(shown).not.toContain("Internal error");
    expect(shown).toContain(c.place);
    expect(shown).toMatch(FIX);
  });
});
