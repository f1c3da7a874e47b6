import pc from "picocolors";
import type { DeployEvent, RunResult } from "../deploy/run.ts";
import { ExitCode } from "../errors.ts";
import { renderPlanText, summaryLine } from "../plan/render.ts";
import { ApplyProgress } from "./progress.ts";

/** What deploy and destroy show while they run, and after. */
export function runReporter(write: (line: string) => void, options: { tty: boolean; verbose: boolean; kind: "deploy" | "destroy" }) {
  let progress: ApplyProgress | undefined;
  let planShown = false;
  let applied = -1;
  return {
    onEvent(e: DeployEvent): void {
      if (e.type === "planned") {
        planShown = true;
        write(renderPlanText(e.plan, { verbose: options.verbose, target: e.target }));
        if (e.plan.hasChanges) {
          progress = new ApplyProgress(write, options.tty, e.plan, options.kind === "destroy" ? "Destroying" : "Applying");
        }
      } else if (e.type === "phase" && e.phase === "apply") {
        progress?.start();
      } else if (e.type === "apply") {
        progress?.handle(e.event);
      } else if (e.type === "converge") {
        progress?.stop();
        if (e.done < e.total && e.done !== applied) write(`  waiting for drover-agent on the machines: ${e.done}/${e.total} applied their configuration`);
        applied = e.done;
      }
    },
    stop(): void {
      progress?.stop();
    },
    get planShown() {
      return planShown;
    },
  };
}

function showOutput(value: unknown, sensitive: boolean): string {
  return sensitive ? "(sensitive)" : JSON.stringify(value);
}

export function renderRunResult(r: RunResult, kind: "deploy" | "destroy"): string {
  const seconds = `${(r.elapsedMs / 1000).toFixed(1)} s`;
  const lines: string[] = [];
  switch (r.outcome) {
    case "no-changes":
      lines.push(`${pc.green("✔")} ${r.stack}: no changes; nothing to ${kind === "deploy" ? "apply" : "destroy"} (${seconds})`);
      break;
    case "declined":
      lines.push(`${r.stack}: not ${kind === "deploy" ? "applied" : "destroyed"}; nothing changed.`);
      break;
    case "applied":
      lines.push(
        `${pc.green("✔")} ${r.stack} ${kind === "deploy" ? "deployed" : "destroyed"} in ${seconds}: ${summaryLine(r.plan).replace(/to (create|update|replace|delete|read|forget)/g, (_, a: string) => ({ create: "created", update: "updated", replace: "replaced", delete: "deleted", read: "read", forget: "forgotten" })[a] ?? a)}`,
      );
      break;
    case "failed":
      lines.push(`${pc.red("✖")} ${r.stack}: the ${kind === "deploy" ? "apply" : "destroy"} failed${r.failed.length ? ` for ${r.failed.join(", ")}` : ""} after ${seconds}`);
      for (const e of r.errors) lines.push(`  ${e}`);
      lines.push(`Terraform saved the state of what it did. Fix the cause and run drover ${kind} ${r.stack} again: it continues from there.`);
      if (kind === "deploy") lines.push("The recorded baseline still describes the last successful deploy.");
      break;
    case "interrupted":
      lines.push(pc.yellow(`Interrupted: terraform stopped cleanly and saved its state after ${seconds}. Run drover ${kind} ${r.stack} again to continue.`));
      break;
  }
  const outputs = Object.entries(r.outputs);
  if (outputs.length && (r.outcome === "applied" || r.outcome === "no-changes")) {
    lines.push("", pc.bold("Outputs"));
    for (const [name, o] of outputs) lines.push(`  ${name} = ${showOutput(o.value, o.sensitive)}`);
  }
  const c = r.convergence;
  if (c && c.converged.length > 0) {
    lines.push(
      `${pc.green("✔")} configuration applied on ${c.converged.length} machine${c.converged.length === 1 ? "" : "s"} by drover-agent (${c.converged.map((m) => `${m.name} ${m.seconds} s`).join(", ")})`,
    );
  }
  if (c && c.pending.length > 0) {
    lines.push(`${pc.red("✖")} not applied yet on ${c.pending.join(", ")}${c.error ? ` (the console logs could not be read: ${c.error})` : " after 5 minutes"}`);
    lines.push("  On such a machine: drover-agent --status, journalctl -u drover-agent (it retries every minute).");
  }
  if (r.outcome === "applied" && kind === "deploy") lines.push(pc.dim(`Recorded as the baseline: drover plan ${r.stack} --offline now compares with this deploy.`));
  return lines.join("\n");
}

export function exitCodeFor(r: RunResult): number {
  switch (r.outcome) {
    case "applied":
      // Applied by terraform, but a machine did not take its new configuration in time.
      return r.convergence && r.convergence.pending.length > 0 ? ExitCode.Failed : ExitCode.Ok;
    case "no-changes":
      return ExitCode.Ok;
    case "declined":
    case "failed":
      return ExitCode.Failed;
    case "interrupted":
      return ExitCode.Interrupted;
  }
}
