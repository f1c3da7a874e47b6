import { TerraformResource } from "cdktf";
import type { Construct } from "constructs";

/**
 * Terraform's built-in `terraform_data` resource, for values that should follow a resource's
 * lifecycle (a replacement trigger). cdktf's own `DataResource` adds a validation that runs
 * `terraform version` once per instance while synthesizing, which would make synthesis need
 * terraform (and spawn it for every machine of a large stack); this one does not.
 */
export class TerraformData extends TerraformResource {
  static readonly tfResourceType = "terraform_data";

  constructor(
    scope: Construct,
    id: string,
    private readonly config: { readonly input: string | number | boolean | Readonly<Record<string, unknown>> },
  ) {
    super(scope, id, { terraformResourceType: "terraform_data", terraformGeneratorMetadata: { providerName: "terraform" } });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { input: this.config.input };
  }
}
