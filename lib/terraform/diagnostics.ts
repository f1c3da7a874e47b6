import { ExternalError, UsageError, type DroverError } from "../errors.ts";

/** A diagnostic from terraform's `-json` output. */
export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail: string;
  readonly address?: string;
}

export interface LockInfo {
  readonly id?: string;
  readonly who?: string;
  readonly operation?: string;
  readonly created?: string;
  readonly path?: string;
}

/**
 * Who holds a state lock, from the error terraform prints. The "Lock Info:" block describes the
 * holder for most backends (local, S3), but for some (http) it describes the lock this run tried
 * to take, and the holder appears only in the error message ("already locked: ID=..."). When the
 * two IDs differ, only the holder's ID is known.
 */
export function parseLockInfo(text: string, infoIsAttempt = false): LockInfo | undefined {
  const at = text.indexOf("Lock Info:");
  if (at < 0) return undefined;
  const block = text.slice(at);
  const field = (name: string) => block.match(new RegExp(`^\\s*${name}:\\s*(.*?)\\s*$`, "m"))?.[1] || undefined;
  const info: LockInfo = {
    ...(field("ID") ? { id: field("ID") } : {}),
    ...(field("Who") ? { who: field("Who") } : {}),
    ...(field("Operation") ? { operation: field("Operation") } : {}),
    ...(field("Created") ? { created: field("Created") } : {}),
    ...(field("Path") ? { path: field("Path") } : {}),
  };
  const holder = text.slice(0, at).match(/\bID[=:]\s*([0-9A-Za-z][0-9A-Za-z-]{7,})/)?.[1];
  if (holder && holder !== info.id) return { id: holder };
  return infoIsAttempt ? {} : info;
}

/**
 * Backends whose lock error describes the lock this run tried to take rather than the one
 * held (terraform's pg and http backends).
 */
export const LOCK_INFO_IS_ATTEMPT: ReadonlySet<string> = new Set(["pg", "http"]);

/** The state of a stack is locked by another run (or a crashed one). */
export class StackLockedError extends ExternalError {
  constructor(
    readonly stack: string,
    readonly lock: LockInfo,
    readonly backend = "local",
  ) {
    const operation = lock.operation?.replace(/^OperationType/, "").toLowerCase();
    const by = lock.who ? `by ${lock.who}` : `by another run${lock.id ? ` (lock ${lock.id})` : ""}`;
    const release =
      backend === "pg"
        ? "PostgreSQL holds the lock only while the run that took it is connected: it is released when that run ends, even if it crashed."
        : `If nothing is running for this stack (a crash left the lock behind), release it with: drover unlock ${stack} ${lock.id ?? "<lock id>"}`;
    super(`stack ${stack} is locked ${by}${lock.created ? ` since ${lock.created}` : ""}${operation ? ` (${operation})` : ""}`, [
      "If that run is still going, wait for it, or rerun with --lock-timeout 5m to wait up to five minutes.",
      release,
    ]);
  }
}

/** The plan would destroy resources protected with prevent_destroy (they hold data). */
export class ProtectedDataError extends UsageError {
  constructor(
    readonly stack: string,
    readonly addresses: readonly string[],
  ) {
    super(`this change to ${stack} would destroy data in ${addresses.length === 1 ? "a protected resource" : `${addresses.length} protected resources`}: ${addresses.join(", ")}`, [
      "These resources hold data (volumes, shares, containers) and are protected from being destroyed.",
      "If losing their data is intended, rerun with --allow-destroy.",
    ]);
  }
}

/**
 * The diagnostics in terraform's human output (`init` has no JSON output before Terraform 1.9,
 * and some commands fail before they start their JSON): each "Error:" or "Warning:" with every
 * line after it up to the next one, box-drawing and colour codes removed.
 */
export function diagnosticsFromText(text: string): Diagnostic[] {
  const lines = text
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .map((l) => l.replace(/^[ \t]*[╷│╵][ \t]?/, "").trimEnd());
  const out: Array<{ severity: "error" | "warning"; summary: string; body: string[] }> = [];
  let current: (typeof out)[number] | undefined;
  for (const line of lines) {
    const head = /^(Error|Warning): (.*)$/.exec(line.trim());
    if (head) {
      current = { severity: head[1] === "Error" ? "error" : "warning", summary: head[2]!.trim(), body: [] };
      out.push(current);
    } else if (current && !/^There are some problems with the CLI configuration:$/.test(line.trim())) {
      current.body.push(line);
    }
  }
  return out.map((d) => ({ severity: d.severity, summary: d.summary.replace(/:$/, ""), detail: d.body.join("\n").trim() }));
}

/**
 * A diagnostic's detail as lines for a person: each paragraph on one line, each item of a list
 * ("- ...") on a line of its own, so that every reason terraform gave is there.
 */
export function detailLines(detail: string): string[] {
  const out: string[] = [];
  for (const paragraph of detail.split(/\n\s*\n/)) {
    const items = paragraph.split(/\n(?=\s*- )/);
    for (const item of items) {
      const line = item.replace(/\s+/g, " ").trim();
      if (line) out.push(line);
    }
  }
  return out;
}

/** Turns terraform's failure diagnostics into the error a person should see. */
export function failureFrom(stack: string, command: string, diagnostics: readonly Diagnostic[], stderr: string, backend = "local"): DroverError {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const lockText = [...errors.map((d) => `${d.summary}\n${d.detail}`), stderr].find((t) => /Lock Info:/.test(t));
  if (lockText) return new StackLockedError(stack, parseLockInfo(lockText, LOCK_INFO_IS_ATTEMPT.has(backend)) ?? {}, backend);
  const protectedAddresses = errors
    .filter((d) => /prevent_destroy/.test(d.detail) || /cannot be destroyed/i.test(d.summary))
    .map((d) => d.detail.match(/Resource (\S+) has lifecycle\.prevent_destroy/)?.[1] ?? d.address ?? "")
    .filter(Boolean);
  if (protectedAddresses.length > 0) return new ProtectedDataError(stack, [...new Set(protectedAddresses)]);
  const fromText = errors.length ? [] : diagnosticsFromText(stderr).filter((d) => d.severity === "error");
  const shown = errors.length ? errors : fromText;
  const lines = shown.length
    ? shown.flatMap((d) => {
        const all = detailLines(d.detail);
        const [first, ...more] = all[0]?.startsWith("- ") ? [undefined, ...all] : all;
        return [`${d.address ? `${d.address}: ` : ""}${d.summary}${first ? `: ${first}` : ""}`, ...more.map((l) => `  ${l}`)];
      })
    : stderr.trim().split("\n").filter(Boolean).slice(-15);
  // The state could not be read: say where it is kept and that nothing changed.
  if (shown.some((d) => /state file|refreshing state|Failed to load state|state snapshot/i.test(`${d.summary} ${d.detail}`))) {
    lines.push(
      "Terraform could not read the stack's state; drover changed nothing. Restore it from its backup (terraform.<stack>.tfstate.backup beside a local state, or the backend's versions), then run the command again.",
    );
  }
  return new ExternalError(`terraform ${command} failed for ${stack}`, lines);
}
