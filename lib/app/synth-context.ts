/**
 * What a run tells the app it synthesizes besides the app's own code, as cdktf context: `new
 * App()` reads it from the CDKTF_CONTEXT_JSON environment variable (where the cdktf CLI puts
 * cdktf.json's `context`), and constructs read it with `this.node.tryGetContext(key)`. The app runs
 * in drover's process (lib/app/synthesize.ts), or in a child `drover synth` for a plan against a
 * git ref (lib/plan/git-baseline.ts), which passes the same variables on.
 */
export interface SynthContext {
  /** `--allow-destroy`: the run may destroy data, so stateful resources lose `prevent_destroy`. */
  readonly allowDestroy?: boolean;
}

/** Context key: `true` when the run may destroy data (`drover plan/deploy --allow-destroy`, `drover destroy`). */
export const ALLOW_DESTROY_CONTEXT = "drover:allowDestroy";

/**
 * The environment variables that carry `context` to the app, on top of `env`'s own context. With
 * `allowDestroy`, DROVER_ALLOW_DESTROY=1 is set too: plain cdktf apps, which have no DroverStack,
 * read it to drop their own `prevent_destroy` (drover's constructs read the context key only).
 */
export function synthEnvironment(context: SynthContext, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (!context.allowDestroy) return {};
  const inherited = contextOf(env.CDKTF_CONTEXT_JSON);
  return {
    // Context that is not a JSON object is left as it is: `new App()` reports it, as it would without drover.
    ...(inherited ? { CDKTF_CONTEXT_JSON: JSON.stringify({ ...inherited, [ALLOW_DESTROY_CONTEXT]: true }) } : {}),
    DROVER_ALLOW_DESTROY: "1",
  };
}

function contextOf(json: string | undefined): Record<string, unknown> | undefined {
  if (!json) return {};
  try {
    const value = JSON.parse(json) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
