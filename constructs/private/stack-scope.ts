import type { Construct } from "constructs";
import type { CloudDriver } from "../cloud.ts";

/**
 * What the constructs `DroverStack` itself creates (its default `Network`) ask of their stack,
 * and how they find it: declared here, apart from drover-stack.ts, so that such a construct does
 * not import the file that imports it.
 */
export interface IStackScope {
  /** The stack's cloud driver. */
  readonly driver: CloudDriver;
  /** `<stack>-<construct path>-<role>`: the cloud name of a resource a construct creates. */
  resourceName(construct: Construct, role?: string): string;
}

// A global symbol: a DroverStack is known even when two copies of drover are loaded in one app.
const STACK_MARK = Symbol.for("drover.DroverStack");

/** Marks `stack` as a DroverStack; called once by its constructor. */
export function markStack(stack: Construct & IStackScope): void {
  Object.defineProperty(stack, STACK_MARK, { value: true });
}

export function isMarkedStack(x: unknown): x is Construct & IStackScope {
  return typeof x === "object" && x !== null && STACK_MARK in x;
}

/** The DroverStack a construct belongs to; throws when it is not inside one. */
export function stackScopeOf(construct: Construct): Construct & IStackScope {
  for (const scope of [...construct.node.scopes].reverse()) {
    if (isMarkedStack(scope)) return scope;
  }
  throw new Error(`${construct.node.path}: drover constructs must be created inside a DroverStack (new DroverStack(app, "name", { cloud: jetstream2() }))`);
}
