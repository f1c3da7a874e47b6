/**
 * `drover/testing`: synthesize a stack in a test, snapshot its Terraform and ask it questions.
 * Nothing here depends on a test framework; the results are plain data.
 *
 * @example
 * import { expect, it } from "vitest";
 * import { synthStack, hasMachine, opensPort, policyFailures } from "drover/testing";
 * import { devVm } from "../stacks/dev-vm.ts";
 *
 * it("is one small VM, SSH from the lab only, within policy", async () => {
 *   const vm = await synthStack(devVm);
 *   expect(vm.snapshot).toMatchSnapshot();
 *   expect(hasMachine(vm, "m3.small")).toBe(true);
 *   expect(opensPort(vm, 22, "203.0.113.0/24")).toBe(true);
 *   expect(policyFailures(vm)).toEqual([]);
 * });
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { StackInfo } from "../lib/app/stack-info.ts";
import { settleWrites } from "../lib/app/pending-writes.ts";
import { forSnapshot, type Json } from "../lib/testing/snapshot.ts";
import type { SynthesizedStackView } from "../lib/testing/inspect.ts";

export { compact, forSnapshot, type Json } from "../lib/testing/snapshot.ts";
export {
  hasMachine,
  ingress,
  machines,
  opensPort,
  passesPolicy,
  policyFailures,
  policyFindings,
  type Ingress,
  type Machine,
  type SynthesizedStackView,
} from "../lib/testing/inspect.ts";
export type { Finding, PolicyLevel } from "../lib/policy/index.ts";
export type { StackInfo } from "../lib/app/stack-info.ts";

/** One stack, synthesized in a test. */
export interface SynthesizedStack extends SynthesizedStackView {
  /** The Terraform JSON with what changes by itself normalised (`forSnapshot`): for `toMatchSnapshot`. */
  readonly snapshot: Json;
}

export interface SynthStackOptions {
  /** Which stack, when the function builds several; the only one otherwise. */
  readonly stack?: string;
}

/**
 * Builds the stacks `build` adds to a fresh cdktf app, synthesizes them in a temporary directory
 * (removed afterwards) and returns one: its Terraform JSON, its snapshot form, its `drover.json`
 * and its rendered files. `build` is what a stack file exports, `(scope) => new DroverStack(...)`.
 * The local state path and `drover.config.json` are read from the working directory, as
 * `drover synth` does from the project's.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a stack file's build may return nothing (it adds stacks to the scope); void accepts such functions, undefined does not
export async function synthStack(build: (scope: Construct) => TerraformStack | void, options: SynthStackOptions = {}): Promise<SynthesizedStack> {
  const outdir = mkdtempSync(join(tmpdir(), "drover-test-"));
  try {
    const app = new App({ outdir });
    build(app);
    app.synth();
    // DroverStack writes rendered files from a worker thread while synthesis goes on.
    await settleWrites();
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
      stacks: Record<string, { workingDirectory: string; synthesizedStackPath: string }>;
    };
    const names = Object.keys(manifest.stacks).sort();
    const name = options.stack ?? (names.length === 1 ? names[0] : undefined);
    const entry = name === undefined ? undefined : manifest.stacks[name];
    if (name === undefined || !entry) {
      const which = options.stack === undefined ? `it built ${names.length === 0 ? "none" : names.join(", ")}: pass { stack: "<name>" }` : `it built ${names.join(", ") || "none"}`;
      throw new Error(`synthStack: no stack ${options.stack === undefined ? "to choose" : `named "${options.stack}"`}; ${which}`);
    }
    const dir = join(outdir, entry.workingDirectory);
    const terraform = JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), "utf8")) as Json;
    const infoPath = join(dir, "drover.json");
    const info = existsSync(infoPath) ? (JSON.parse(readFileSync(infoPath, "utf8")) as StackInfo) : undefined;
    const files = Object.fromEntries((info?.files ?? []).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
    return { name, terraform, snapshot: forSnapshot(terraform), files, ...(info ? { info } : {}) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
