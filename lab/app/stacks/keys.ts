/**
 * SSH keys of the lab's people: the lab makes a key pair for each per run and hands the public
 * halves to the synthesis in the environment. Without the lab (a plain `drover synth` here) a
 * fixed key stands in, whose private half nobody has.
 */
const STAND_IN = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa lab@drover";

export const labKey = (who: "alice" | "bob" | "admin"): string => process.env[`DROVER_LAB_KEY_${who.toUpperCase()}`] ?? STAND_IN;

/**
 * The stacks as they are on day 2 (`DROVER_LAB_DAY=2`): the lab deploys day 1, then changes the
 * running stacks to this, as a person edits their stack and deploys again.
 */
export const dayTwo = (): boolean => process.env.DROVER_LAB_DAY === "2";
