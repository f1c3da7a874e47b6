export * from "./cloud.ts";
export * from "./connections.ts";
export * from "./drover-stack.ts";
export * from "./network.ts";
export * from "./virtual-machine.ts";
export * from "./openstack/profiles.ts";
export { Port } from "../lib/net/port.ts";
export type { Flavor, SizeRequirement } from "../lib/catalog/flavors.ts";
