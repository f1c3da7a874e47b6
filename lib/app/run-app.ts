import { relative } from "node:path";
import { ConfigError, type DroverError } from "../errors.ts";
import { userFrame } from "./app-errors.ts";
import type { Project } from "./project.ts";

/**
 * Runs a person's app (its module's top-level code) inside drover's own process, so that what
 * the app does wrong comes back as an error naming the app and its line, never as a Node crash or
 * silence: a promise it rejects that nothing awaits, a throw in one of its timers, a call to
 * `process.exit()`, top-level code that never finishes (a notice after a few seconds, then the
 * `--timeout`), or an await nothing can ever settle.
 */
export interface AppRunSettings {
  /** Give up after this long (`--timeout`); undefined waits as long as the app takes. */
  timeoutMs?: number;
  /** Say what drover waits for after this long. */
  noticeMs: number;
  /** Where the notice goes (the CLI: stderr); nowhere when undefined. */
  notice?: (text: string) => void;
}

const KEY = Symbol.for("drover.appRunSettings");
/** Process-wide, like the app itself: the CLI sets them once, before any command runs. */
export function appRunSettings(): AppRunSettings {
  const g = globalThis as unknown as Record<symbol, AppRunSettings | undefined>;
  return (g[KEY] ??= { noticeMs: Number(process.env.DROVER_APP_NOTICE_MS) || 5_000 });
}

/** `process.exit(code)` called by the app, thrown instead so drover can say so. */
class AppExit extends Error {
  constructor(readonly code: unknown) {
    super(`process.exit(${code === undefined ? "" : String(code)})`);
  }
}

function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Loads the app with `load` and resolves once its top-level code has finished; rejects with a
 * ConfigError for what the app did wrong (thrown errors themselves are left to the caller).
 * `dispose()` stops watching; call it once drover has what it needs from the app.
 */
export function watchApp(project: Project, load: () => Promise<unknown>): { done: Promise<void>; dispose: () => void } {
  const app = relative(project.root, project.entry);
  const settings = appRunSettings();
  const where = (e: unknown) => {
    const frame = userFrame(e, project.root);
    return frame ? [`at ${frame}`] : [];
  };
  let fail!: (e: DroverError) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const exited = (e: AppExit) =>
    new ConfigError(`${app} called ${e.message} while building its stacks, which would end drover without a word`, [
      ...where(e),
      "drover runs the app in its own process: let the app end with app.synth() and return, and report a problem by throwing an Error.",
    ]);

  const onRejection = (reason: unknown) => {
    if (reason instanceof AppExit) return fail(exited(reason));
    fail(
      new ConfigError(`${app} left a promise rejected that nothing awaited: ${message(reason)}`, [
        ...where(reason),
        "await it (or add .catch) so the app fails where it happens. Set DROVER_DEBUG=1 for the full stack trace.",
      ]),
    );
  };
  const onException = (error: unknown) => {
    if (error instanceof AppExit) return fail(exited(error));
    fail(
      new ConfigError(`${app} threw outside its top-level code (in a timer or a callback): ${message(error)}`, [
        ...where(error),
        "Build the stacks in the app's top-level code, or catch the error where it happens. Set DROVER_DEBUG=1 for the full stack trace.",
      ]),
    );
  };
  let pending = true;
  // The event loop ran dry while the app still awaits: nothing can ever settle its promise.
  const onBeforeExit = () => {
    if (!pending) return;
    fail(
      new ConfigError(`${app} never finished building its stacks: its top-level code awaits a promise that nothing will ever settle`, [
        "Look for an await on a promise no timer, socket or process resolves; the app must build its stacks and call app.synth().",
      ]),
    );
  };
  const originalExit = process.exit;
  process.exit = ((code?: unknown) => {
    throw new AppExit(code);
  }) as typeof process.exit;
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  process.on("beforeExit", onBeforeExit);

  const started = Date.now();
  const notice = setTimeout(() => {
    settings.notice?.(
      `drover: still waiting for ${app} to finish building its stacks (${Math.round((Date.now() - started) / 1000)} s): its top-level code has not returned. ` +
        `A top-level await on something slow (a network call, a prompt)? Stop with Ctrl-C${settings.timeoutMs ? "" : ", or limit the wait with --timeout 2m"}.`,
    );
  }, settings.noticeMs);
  notice.unref();
  const timeout =
    settings.timeoutMs !== undefined
      ? setTimeout(() => {
          fail(
            new ConfigError(`${app} did not finish building its stacks within ${formatDuration(settings.timeoutMs!)} (--timeout)`, [
              "Its top-level code is still waiting on something (an await on a network call, a lock, a prompt): build the stacks without waiting, or raise --timeout.",
            ]),
          );
        }, settings.timeoutMs)
      : undefined;
  // Neither timer keeps the process up: an app awaiting nothing at all is caught by beforeExit.
  timeout?.unref();

  const done = (async () => {
    try {
      await Promise.race([load(), failed]);
      pending = false;
      // A rejection the app's last microtasks left unhandled is reported on the next turn.
      await Promise.race([new Promise((r) => setImmediate(r)), failed]);
    } catch (e) {
      if (e instanceof AppExit) throw exited(e);
      throw e;
    } finally {
      pending = false;
      clearTimeout(notice);
      if (timeout) clearTimeout(timeout);
    }
  })();
  return {
    done,
    dispose: () => {
      process.exit = originalExit;
      process.off("unhandledRejection", onRejection);
      process.off("uncaughtException", onException);
      process.off("beforeExit", onBeforeExit);
    },
  };
}
