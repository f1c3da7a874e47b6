import type { Construct } from "constructs";
import type { DroverStack } from "../drover-stack.ts";

/** Adds one output of a construct: `name` is its ID, `<prefix>_<name>` the name users see. */
export type AddOutput = (name: string, value: string, description: string, sensitive?: boolean) => void;

/** The outputs of `scope`, each named `<prefix>_<name>` in the stack (`prefix`: the construct's id in snake case). */
export function outputsOf(stack: DroverStack, scope: Construct, prefix: string): AddOutput {
  return (name, value, description, sensitive = false) => {
    stack.addOutput(scope, name, `${prefix}_${name}`, { value, description, ...(sensitive ? { sensitive } : {}) });
  };
}
