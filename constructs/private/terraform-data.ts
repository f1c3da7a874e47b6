import { TerraformResource, type ITerraformDependable, type LocalExecProvisioner } from "cdktf";
import type { Construct } from "constructs";

/**
 * Terraform's built-in `terraform_data` resource, for values that should follow a resource's
 * lifecycle (a replacement trigger) and for steps that run when a stack is created or
 * destroyed (provisioners). cdktf's own `DataResource` adds a validation that runs
 * `terraform version` once per instance while synthesizing, which would make synthesis need
 * terraform (and spawn it for every machine of a large stack); this one does not.
 */
export class TerraformData extends TerraformResource {
  static readonly tfResourceType = "terraform_data";

  constructor(
    scope: Construct,
    id: string,
    private readonly config: {
      /** Kept in state and mirrored, unmarked, to the `output` attribute: never a secret. */
      readonly input?: string | number | boolean | Readonly<Record<string, unknown>>;
      /**
       * Kept in state with its sensitivity and not mirrored anywhere, so a secret may go here
       * (for a destroy-time step to read as `self.triggers_replace`). Any change replaces the
       * resource, running its destroy-time steps.
       */
      readonly triggersReplace?: Readonly<Record<string, unknown>>;
      readonly provisioners?: readonly LocalExecProvisioner[];
      readonly dependsOn?: readonly ITerraformDependable[];
    },
  ) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
      ...(config.provisioners ? { provisioners: [...config.provisioners] } : {}),
      ...(config.dependsOn ? { dependsOn: [...config.dependsOn] } : {}),
    });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {
      ...(this.config.input !== undefined ? { input: this.config.input } : {}),
      ...(this.config.triggersReplace !== undefined ? { triggers_replace: this.config.triggersReplace } : {}),
    };
  }
}
