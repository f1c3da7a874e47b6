import { createInterface } from "node:readline/promises";
import pc from "picocolors";
import type { ConfirmRequest } from "../deploy/run.ts";

/**
 * Questions on the terminal (stdin a TTY, questions on stderr). A deploy asks y/N; a destroy
 * asks for the stack's name, typed out, so that a habitual "y" cannot wipe a stack.
 */
export function canAsk(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

export async function confirmOnTerminal(request: ConfirmRequest): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    if (request.kind === "destroy") {
      const answer = await rl.question(`${pc.red("Destroy")} every resource of ${pc.bold(request.stack)} in ${request.target}?\nType the stack name to confirm: `);
      return answer.trim() === request.stack;
    }
    const answer = await rl.question(`Apply these changes to ${pc.bold(request.stack)} in ${request.target}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
