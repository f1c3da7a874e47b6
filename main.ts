/**
 * The drover app: every example stack, registered by name. `drover synth` (or `cdktf synth`)
 * runs this file. Add your own stacks here.
 */
import { App } from "cdktf";
import { devVm } from "./stacks/dev-vm.ts";
import { virtualSlurm } from "./stacks/virtual-slurm.ts";
import { scienceGateway } from "./stacks/science-gateway.ts";
import { workshopJupyterHub } from "./stacks/workshop-jupyterhub.ts";

const app = new App();
devVm(app);
virtualSlurm(app);
workshopJupyterHub(app);
scienceGateway(app);
app.synth();
