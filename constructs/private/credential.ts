import { TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import type { CredentialAbility, CredentialSpec, ICloudCredential } from "../cloud.ts";
import type { DroverStack } from "../drover-stack.ts";

/** Where a cluster's application credential comes from (the `applicationCredential` prop). */
export type CredentialSource = "create" | "provided";

/**
 * A cluster's application credential: created by the stack (which needs the deploying
 * credential to be unrestricted: Keystone refuses a restricted one that), or one the person
 * created themselves, given at deploy time as two sensitive variables
 * (`TF_VAR_<id>_application_credential_id` and `_secret`), so no unrestricted credential is ever
 * needed. Either way the access rules it needs are written to `access-rules.json` beside the
 * construct's other rendered files, in the form `openstack application credential create
 * --access-rules` reads.
 */
export function clusterCredential(stack: DroverStack, scope: Construct, credentials: CredentialAbility, source: CredentialSource, spec: CredentialSpec): ICloudCredential {
  if (spec.accessRules) stack.addRenderedFile(scope, "access-rules.json", `${JSON.stringify(spec.accessRules, null, 2)}\n`);
  if (source === "create") return credentials.create(scope, "Credential", spec);
  const prefix = scope.node.id.replace(/-/g, "_");
  const variable = (name: string, description: string) => {
    const v = new TerraformVariable(scope, `ApplicationCredential-${name}`, { type: "string", sensitive: true, nullable: false, description });
    v.overrideLogicalId(`${prefix}_application_credential_${name}`);
    stack.claimUnique("variable", `${prefix}_application_credential_${name}`, scope);
    return v.stringValue;
  };
  return credentials.create(scope, "Credential", {
    ...spec,
    provided: {
      id: variable("id", `ID of the application credential ${scope.node.path} uses (${spec.description.replace(/^drover: /, "")})`),
      secret: variable("secret", `Secret of the application credential ${scope.node.path} uses`),
    },
  });
}
