/**
 * The lab's app: one stack per scenario, written as a user writes theirs, with drover's
 * constructs. `npm run lab` synthesizes it with `drover synth` and boots what it renders.
 */
import { App } from "cdktf";
import { labGateway } from "./stacks/gateway.ts";
import { labHub } from "./stacks/hub.ts";
import { labSlurm } from "./stacks/slurm.ts";
import { labVm } from "./stacks/vm.ts";

const app = new App();
labSlurm(app);
labGateway(app);
labVm(app);
labHub(app);
app.synth();
