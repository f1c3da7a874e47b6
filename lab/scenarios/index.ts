import type { ScenarioDefinition } from "../scenario.ts";
import { gatewayScenario } from "./gateway.ts";
import { hubScenario } from "./hub.ts";
import { slurmScenario } from "./slurm.ts";
import { vmScenario } from "./vm.ts";

/** Every scenario, in the order `npm run lab` runs and reports them. */
export const SCENARIOS: readonly ScenarioDefinition[] = [slurmScenario, gatewayScenario, vmScenario, hubScenario];
