import { runStack, type RunOptions, type RunResult } from "../../deploy/run.ts";

/** `drover deploy [stack]`: synth, plan, confirm, apply the saved plan, outputs, baseline. */
export function deploy(options: RunOptions): Promise<RunResult> {
  return runStack("deploy", options);
}

/** `drover destroy [stack]`: plan the destroy, confirm by the stack's name, apply, clear the baseline. */
export function destroy(options: RunOptions): Promise<RunResult> {
  return runStack("destroy", options);
}
