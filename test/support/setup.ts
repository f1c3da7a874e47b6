import { expect } from "vitest";
import { Testing } from "cdktf";

// cdktf's matchers extend the global `expect`; vitest's is not global unless made so.
(globalThis as { expect?: unknown }).expect = expect;
Testing.setupJest();
// Stacks read their default owner from the environment; tests must not depend on who runs them.
delete process.env.DROVER_OWNER;

interface CdktfMatchers<R = unknown> {
  toHaveResource(resource: { tfResourceType: string }): R;
  toHaveResourceWithProperties(resource: { tfResourceType: string }, properties: Record<string, unknown>): R;
  toHaveDataSource(dataSource: { tfResourceType: string }): R;
  toHaveDataSourceWithProperties(dataSource: { tfResourceType: string }, properties: Record<string, unknown>): R;
  toHaveProviderWithProperties(provider: { tfResourceType: string }, properties: Record<string, unknown>): R;
}

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  // biome-ignore lint/suspicious/noExplicitAny: must match vitest's own declaration of Assertion
  interface Assertion<T = any> extends CdktfMatchers<T> {}
}
