import { spawn } from "node:child_process";
import { DROVER_BIN } from "./project.ts";
import { terraformEnv } from "./terraform.ts";

/**
 * drover on a terminal: `script` (util-linux) gives it a pseudo-terminal, so it shows the live
 * status line and asks its questions, which a person answers by typing.
 */

/** Runs drover in a pseudo-terminal; `answers` are typed when their prompt appears. */
export function onTerminal(dir: string, args: string[], answers: Array<[RegExp, string]> = []): Promise<{ code: number | null; out: string }> {
  const command = [process.execPath, DROVER_BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: dir, env: { ...terraformEnv(), TERM: "xterm", FORCE_COLOR: "1" } });
  let out = "";
  const pending = [...answers];
  child.stdout.on("data", (d) => {
    out += d;
    const next = pending[0];
    if (next?.[0].test(out)) {
      pending.shift();
      child.stdin.write(`${next[1]}\r`);
    }
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out })));
}

/** Terminal output without colours and cursor movements. */
export const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");
