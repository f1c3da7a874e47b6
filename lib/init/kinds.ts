/**
 * The stacks `drover init --template` starts a project with. Alone in this file so that the
 * command line can offer them (and complete them) without loading the scaffolding.
 */
export const INIT_TEMPLATES = ["vm", "slurm", "jupyterhub", "gateway"] as const;
export type InitTemplate = (typeof INIT_TEMPLATES)[number];
