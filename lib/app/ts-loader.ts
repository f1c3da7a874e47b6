/**
 * Makes `import` of TypeScript files work in this process: the project's app and the drover
 * constructs it imports are TypeScript. Registers tsx once per process (bin/drover.mjs already
 * has when it runs drover from source).
 */
const KEY = Symbol.for("drover.tsxRegistered");

export async function ensureTypeScriptLoader(): Promise<void> {
  const g = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (g[KEY]) return;
  const { register } = await import("tsx/esm/api");
  register();
  g[KEY] = true;
}
