/**
 * `drover.json`, written beside each drover stack's `cdk.tf.json` at synth: what the CLI needs to
 * know about a stack without running the app again. Plain cdktf stacks have none; the CLI infers
 * their cloud from the providers they use.
 */
export interface StackInfo {
  readonly stack: string;
  readonly cloud: {
    readonly kind: string;
    readonly name: string;
    readonly region: string;
    readonly summary: string;
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
}
