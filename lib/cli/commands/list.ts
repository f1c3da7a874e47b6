import { loadProject } from "../../app/project.ts";
import { synthesizeApp } from "../../app/synthesize.ts";

export interface ListOptions {
  readonly cwd: string;
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
}

/** `drover list`: the app's stacks with their cloud and resource counts (nothing is written). */
export async function list(options: ListOptions): Promise<{ readonly stacks: readonly ListedStack[] }> {
  const project = loadProject(options.cwd);
  const result = await synthesizeApp(project, { commit: false });
  try {
    return {
      stacks: result.stacks.map((s) => ({
        name: s.name,
        cloud: s.cloud.name,
        region: s.cloud.region,
        summary: s.cloud.summary,
        resources: s.resources,
        ...(s.info?.owner ? { owner: s.info.owner } : {}),
        ...(s.info?.expiresAt ? { expiresAt: s.info.expiresAt } : {}),
        ...(s.info?.description ? { description: s.info.description } : {}),
      })),
    };
  } finally {
    await result.cleanup();
  }
}
