import type { IConstruct } from "constructs";
import { TerraformResource } from "cdktf";

/**
 * Marks every resource in `scope` as holding data, so that `drover plan` flags deleting or
 * replacing it as destructive and `drover deploy` asks for `--allow-destroy`. Volumes, shares and
 * object containers are marked already; use this for anything else whose loss loses data (a
 * database server, a machine that keeps results on its root disk).
 *
 * @example
 * markStateful(new VirtualMachine(stack, "db", { size: "m3.medium" }));
 */
export function markStateful(scope: IConstruct): void {
  for (const c of scope.node.findAll()) {
    if (TerraformResource.isTerraformResource(c)) c.addOverride("//.drover.stateful", true);
  }
}
