import type { Plan } from "./model.ts";

/**
 * Destroy-time steps: resources whose destroy runs a program that deletes what the cloud's
 * software created outside Terraform (elastic nodes, Kubernetes volumes). The construct that
 * makes one writes what it deletes, in words, under this key of the resource's `//` comment,
 * which Terraform ignores (`DroverStack.recordDestroyStep`).
 */
export const DESTROY_STEP_KEY = "drover_destroy_step";

type Json = Record<string, unknown>;

/**
 * The plan with the destroy-time steps it runs (`destroySteps`): the steps it deletes or
 * replaces, found in the configuration that has them (`config`, or `previous`, the deployed one,
 * when the step is gone from the code). A person confirming the plan is told what they delete.
 *
 * ```ts
 * withDestroySteps(plan, config).destroySteps; // [{ construct: "class/hub", deletes: "the volumes the Cinder CSI driver created ..." }]
 * ```
 */
export function withDestroySteps(plan: Plan, config: Json | undefined, previous?: Json): Plan {
  const steps: Array<{ construct: string; deletes: string }> = [];
  for (const r of plan.resources) {
    if (r.action !== "delete" && r.action !== "replace") continue;
    const deletes = stepOf(config, r.type, r.name) ?? stepOf(previous, r.type, r.name);
    if (deletes) steps.push({ construct: r.construct, deletes });
  }
  return steps.length > 0 ? { ...plan, destroySteps: steps } : plan;
}

function stepOf(config: Json | undefined, type: string, name: string): string | undefined {
  const body = ((config?.resource as Json | undefined)?.[type] as Json | undefined)?.[name] as Json | undefined;
  const said = (body?.["//"] as Json | undefined)?.[DESTROY_STEP_KEY];
  return typeof said === "string" ? said : undefined;
}
