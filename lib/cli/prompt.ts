import { createInterface } from "node:readline/promises";
import pc from "picocolors";
import { InterruptedError } from "../errors.ts";
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

/**
 * Asks which of `choices` on the terminal (arrow keys, Enter), on stderr so stdout stays for
 * the result. Ctrl-C is an interruption, exit code 130.
 */
export async function chooseOnTerminal<T extends string>(message: string, choices: ReadonlyArray<{ value: T; description: string }>): Promise<T> {
  const { default: select } = await import("@inquirer/select");
  try {
    return await select({ message, choices: choices.map((c) => ({ value: c.value, name: `${c.value.padEnd(11)} ${pc.dim(c.description)}` })) }, { output: process.stderr });
  } catch (e) {
    if ((e as Error).name === "ExitPromptError") throw new InterruptedError("drover init was interrupted before choosing a template; nothing was written");
    throw e;
  }
}
