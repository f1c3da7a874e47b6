import { loadProject } from "../../app/project.ts";
import { synthesizeApp } from "../../app/synthesize.ts";

export interface ListOptions {
  readonly cwd: string;
  /** Only stacks whose `expiresAt` is before `today`. */
  readonly expired?: boolean;
  /** The date expiry is judged on (YYYY-MM-DD, UTC). @default today */
  readonly today?: string;
}

export interface ListedStack {
  readonly name: string;
  readonly cloud: string;
  readonly region: string;
  readonly summary: string;
  readonly resources: number;
  readonly owner?: string;
  readonly expiresAt?: string;
  readonly description?: string;
  /** The stack's `expiresAt` is before today: it should have been destroyed (or extended). */
  readonly expired: boolean;
  /** `drover shelve` holds its machines shelved. */
  readonly shelved: boolean;
}

/** `drover list`: the app's stacks with their cloud and resource counts (nothing is written). */
export async function list(options: ListOptions): Promise<{ readonly stacks: readonly ListedStack[] }> {
  const project = loadProject(options.cwd);
  const result = await synthesizeApp(project, { commit: false });
  try {
    const today = options.today ?? new Date().toISOString().slice(0, 10);
    const all = result.stacks.map(
      (s): ListedStack => ({
        name: s.name,
        cloud: s.cloud.name,
        region: s.cloud.region,
        summary: s.cloud.summary,
        resources: s.resources,
        ...(s.info?.owner ? { owner: s.info.owner } : {}),
        ...(s.info?.expiresAt ? { expiresAt: s.info.expiresAt } : {}),
        ...(s.info?.description ? { description: s.info.description } : {}),
        // ISO dates compare as text; a stack expires at the end of its day.
        expired: s.info?.expiresAt !== undefined && s.info.expiresAt < today,
        shelved: s.info?.powerState === "shelved_offloaded",
      }),
    );
    return { stacks: options.expired ? all.filter((s) => s.expired) : all };
  } finally {
    await result.cleanup();
  }
}
