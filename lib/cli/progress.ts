import pc from "picocolors";
import yoctoSpinner, { type Spinner } from "yocto-spinner";
import type { Plan } from "../plan/model.ts";
import type { ApplyEvent } from "../terraform/terraform.ts";

/**
 * Shows an apply as it goes: on a terminal a status line (N of M resources done, what is in
 * flight and for how long) above which finished resources and errors scroll; elsewhere (CI,
 * logs) plain lines, one per event.
 */
const PAST: Record<string, string> = { create: "created", update: "updated", delete: "destroyed", read: "read", noop: "checked" };
const ING: Record<string, string> = { create: "creating", update: "updating", delete: "destroying", read: "reading" };

export class ApplyProgress {
  private readonly expected = new Map<string, number>();
  private readonly remaining = new Map<string, number>();
  private readonly names = new Map<string, string>();
  private readonly inFlight = new Map<string, { action: string; since: number }>();
  private done = 0;
  private failed = 0;
  private spinner?: Spinner;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly write: (line: string) => void,
    private readonly tty: boolean,
    plan: Plan,
    private readonly verb: "Applying" | "Destroying",
  ) {
    for (const r of plan.resources) {
      if (r.action === "no-op" || r.action === "read") continue;
      // A replacement is two operations in terraform's events: a delete and a create.
      this.expected.set(r.address, r.action === "replace" ? 2 : 1);
      this.remaining.set(r.address, r.action === "replace" ? 2 : 1);
      this.names.set(r.address, r.constructPath ?? r.address);
    }
  }

  private get total(): number {
    return this.expected.size;
  }

  private name(address: string): string {
    return this.names.get(address) ?? address;
  }

  private status(): string {
    const now = Date.now();
    const flying = [...this.inFlight].map(([a, f]) => `${ING[f.action] ?? f.action} ${this.name(a)} (${Math.round((now - f.since) / 1000)}s)`);
    const shown = flying.slice(0, 3).join(", ") + (flying.length > 3 ? `, +${flying.length - 3} more` : "");
    return `${this.verb}: ${this.done} of ${this.total} done${this.failed ? pc.red(`, ${this.failed} failed`) : ""}${shown ? ` · ${shown}` : ""}`;
  }

  start(): void {
    if (!this.tty) {
      this.write(`${this.verb} ${this.total} resource${this.total === 1 ? "" : "s"}...`);
      return;
    }
    this.spinner = yoctoSpinner({ text: this.status(), stream: process.stderr }).start();
    this.timer = setInterval(() => {
      if (this.spinner) this.spinner.text = this.status();
    }, 1000);
  }

  handle(e: ApplyEvent): void {
    switch (e.type) {
      case "start":
        this.inFlight.set(e.address, { action: e.action, since: Date.now() });
        if (!this.tty) this.write(`  ${ING[e.action] ?? e.action} ${this.name(e.address)}...`);
        break;
      case "progress":
        if (!this.tty) this.write(`  ${this.name(e.address)}: still ${ING[e.action] ?? e.action} (${e.elapsedSeconds}s)`);
        break;
      case "complete": {
        this.inFlight.delete(e.address);
        const left = (this.remaining.get(e.address) ?? 1) - 1;
        this.remaining.set(e.address, left);
        if (left <= 0) this.done++;
        this.write(`${pc.green("✔")} ${this.name(e.address)} ${PAST[e.action] ?? e.action} (${e.elapsedSeconds}s) [${this.done}/${this.total}]`);
        break;
      }
      case "errored":
        this.inFlight.delete(e.address);
        this.failed++;
        this.write(`${pc.red("✖")} ${this.name(e.address)}: ${e.action} failed after ${e.elapsedSeconds}s`);
        break;
      case "provisioner":
        this.write(pc.dim(`    ${this.name(e.address)}: ${e.text}`));
        break;
      case "diagnostic":
        if (e.diagnostic.severity === "error") {
          this.write(
            `${pc.red("error:")} ${e.diagnostic.address ? `${this.name(e.diagnostic.address)}: ` : ""}${e.diagnostic.summary}${e.diagnostic.detail ? `: ${e.diagnostic.detail.replace(/\s+/g, " ").trim()}` : ""}`,
          );
        } else {
          this.write(`${pc.yellow("warning:")} ${e.diagnostic.summary}`);
        }
        break;
      case "interrupt":
        this.write(
          e.count === 1
            ? pc.yellow("Interrupted: terraform is stopping cleanly and saving its state; this can take a minute.")
            : pc.yellow("terraform is still stopping and writing its state. drover will not kill it: that could lose track of resources. Wait, or end terraform yourself if it hangs."),
        );
        break;
      case "summary":
        break;
    }
    if (this.spinner) this.spinner.text = this.status();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.spinner) {
      this.spinner.stop();
      this.spinner = undefined;
    }
  }
}
