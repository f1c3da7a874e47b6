/**
 * `drover.json`, written beside each drover stack's `cdk.tf.json` at synth: what the CLI needs to
 * know about a stack without running the app again. Plain cdktf stacks have none; the CLI infers
 * their cloud from the providers they use.
 */
/** Jetstream2's allocation types: startup and research allocations share one default quota. */
export type AllocationType = "research" | "education" | "trial";

export interface StackInfo {
  readonly stack: string;
  readonly cloud: {
    readonly kind: string;
    readonly name: string;
    readonly region: string;
    readonly summary: string;
    /** Jetstream2's allocation type, when the profile names it: picks the default quota and policy. */
    readonly allocationType?: AllocationType;
    /** The project (Jetstream2 allocation) when the profile names it: stacks of one project share its quota. */
    readonly project?: string;
  };
  readonly owner?: string;
  readonly expiresAt?: string;
  readonly description?: string;
  /** Rendered configuration files, relative to the stack directory (`files/box/cloud-init.yaml`). */
  readonly files: readonly string[];
  /** What the stack's `cdk.tf.json` holds, counted at synth so nobody has to parse it again. */
  readonly counts?: { readonly resources: number; readonly dataSources: number; readonly outputs: number };
  /** Programs a deploy or destroy runs besides terraform (`why`: the constructs that need them). */
  readonly tools?: ReadonlyArray<{ readonly name: string; readonly why: string; readonly install: string }>;
  /**
   * Machines software in the cloud creates at run time (elastic Slurm nodes), which Terraform
   * does not hold: per construct, the flavor and the most there can be at once. Cost and quota
   * count them at full scale.
   */
  readonly elastic?: ReadonlyArray<{ readonly construct: string; readonly flavor: string; readonly max: number }>;
  /**
   * Volumes software in the cloud creates at run time (the Cinder CSI driver, for a hub's users'
   * homes and its database), which Terraform does not hold: per construct and purpose, how many
   * at most and the size of each. Quota counts them.
   */
  readonly runtimeVolumes?: ReadonlyArray<{ readonly construct: string; readonly what: string; readonly count: number; readonly sizeGiB: number }>;

  /** Policy findings suppressed in code (`suppressPolicy`), each with its reason, shown in reports. */
  /** "shelved_offloaded" while `drover shelve` holds the machines shelved. */
  readonly powerState?: "shelved_offloaded";
  readonly policySuppressions?: ReadonlyArray<{ readonly id: string; readonly construct: string; readonly reason: string }>;
}
