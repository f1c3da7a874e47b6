import { JETSTREAM2_FLAVORS } from "../lib/catalog/flavors.ts";
import { ConfigError, IssueCollector } from "../lib/errors.ts";
import { checkProps } from "../lib/props/schemas.ts";
import { nearestMatches, orList } from "../lib/naming.ts";
import type { CloudProfile } from "./cloud.ts";
import { aws, type AwsProps } from "./aws/profile.ts";
import { azure, type AzureProps } from "./azure/profile.ts";
import { gcp, type GcpProps } from "./gcp/profile.ts";
import { jetstream2, openstack, type Jetstream2Props, type OpenStackProps } from "./openstack/profiles.ts";

/** The environment variable that picks the cloud of stacks written with `cloudFromEnvironment`. */
export const CLOUD_VARIABLE = "DROVER_CLOUD";

/** What `DROVER_CLOUD` may name, the default first. */
export const CLOUD_NAMES = ["jetstream2", "openstack", "aws", "gcp", "azure"] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

/**
 * The profile a stack gets on each cloud. A cloud left out gets the defaults below, which suit
 * a first synth; a real deploy names its own account's details.
 */
export interface CloudChoices {
  /** @default { region: "IU" } */
  readonly jetstream2?: Jetstream2Props;
  /**
   * Another OpenStack cloud. @default { cloud: "openstack" } with Jetstream2's flavor sizes
   * and an image "ubuntu-24.04" (login "ubuntu"): pass your cloud's `flavors`, `images` and
   * `defaultImage`.
   */
  readonly openstack?: OpenStackProps;
  /** @default { region: "us-east-2" } */
  readonly aws?: AwsProps;
  /** @default { project: "my-research-project", region: "us-central1" } */
  readonly gcp?: GcpProps;
  /** @default { location: "eastus2" } */
  readonly azure?: AzureProps;
}

/**
 * The cloud named by `DROVER_CLOUD` (jetstream2 when unset), with the props `choices` gives
 * for it: one stack, written once, synthesized for Jetstream2 or retargeted to a commercial
 * cloud without editing the code (`DROVER_CLOUD=aws npx drover synth`). Sizes should then be
 * needs (`{ vcpus, memoryGiB }`), which every cloud's catalog resolves; flavor names are
 * one cloud's.
 *
 * Throws a ConfigError (exit code 2) when the variable names no cloud drover knows.
 *
 * @example
 * new DroverStack(app, "dev-vm", { cloud: cloudFromEnvironment({ aws: { region: "us-west-2" } }) });
 */
export function cloudFromEnvironment(choices: CloudChoices = {}, env: NodeJS.ProcessEnv = process.env): CloudProfile {
  // A misspelt cloud (jetstrem2: {...}) would silently lose its props.
  const issues = new IssueCollector("cloudFromEnvironment()");
  for (const p of checkProps("cloudChoices", choices, "profile")) issues.add(p.code, p.message);
  issues.throwIfAny();
  const raw = env[CLOUD_VARIABLE];
  const name = raw === undefined || raw.trim() === "" ? "jetstream2" : raw.trim().toLowerCase();
  switch (name as CloudName) {
    case "jetstream2":
      return jetstream2({ region: "IU", ...choices.jetstream2 });
    case "openstack":
      return openstack({
        cloud: "openstack",
        flavors: JETSTREAM2_FLAVORS,
        images: [{ name: "ubuntu-24.04", loginUser: "ubuntu", family: "ubuntu" }],
        defaultImage: "ubuntu-24.04",
        ...choices.openstack,
      });
    case "aws":
      return aws({ region: "us-east-2", ...choices.aws });
    case "gcp":
      return gcp({ project: "my-research-project", region: "us-central1", ...choices.gcp });
    case "azure":
      return azure({ location: "eastus2", ...choices.azure });
  }
  const near = nearestMatches(name, CLOUD_NAMES);
  throw new ConfigError(`${CLOUD_VARIABLE} is ${JSON.stringify(raw)}, which is not a cloud drover knows`, [
    `Allowed: ${CLOUD_NAMES.join(", ")} (jetstream2 when unset).${near.length ? ` Did you mean ${orList(near)}?` : ""}`,
    `Fix: ${CLOUD_VARIABLE}=${near[0] ?? "aws"} npx drover synth, or unset ${CLOUD_VARIABLE} for Jetstream2.`,
  ]);
}
