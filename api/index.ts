/**
 * `drover`: the package's main entry. The constructs (`DroverStack`, `VirtualMachine`,
 * `SlurmCluster`, `JupyterHubCluster`, `GatewayHost`), the cloud profiles, `Port`,
 * `suppressPolicy`, `markStateful` and the errors a construct throws.
 *
 * Nothing reachable from this file's types names an optional provider package
 * (`@cdktf/provider-aws`, `-google`, `-azurerm`): an OpenStack user's `tsc` never needs them.
 * Their drivers and bindings are typed in `drover/aws`, `drover/gcp` and `drover/azure`.
 */
export * from "../constructs/index.ts";
export { ConfigError, ValidationError, type Issue } from "../lib/errors.ts";
