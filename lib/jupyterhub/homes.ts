/**
 * Where a hub's users keep their homes, and what that takes from the project's volume quota.
 * Pure arithmetic; the JupyterHubCluster construct calls `planHomes`.
 *
 * The rules:
 *
 * - **Per-user volumes** (the chart's dynamic storage): the volume driver makes one volume per
 *   user of the class, `storageGiB` each, and one for the hub's database. Kubernetes creates
 *   them, not Terraform, but they count against the project's volume quota all the same.
 * - **Shared homes** (the chart's static storage): one protected volume, made by Terraform and
 *   attached to the k3s server, exported to the cluster over NFS, each user a sub-directory of
 *   it. It holds `users × storageGiB`: homes on one volume share its free space, so no user is
 *   limited to their share. Where the quota's volume storage cannot hold that beside the hub's
 *   database, the volume is as large as it can be and a warning says how much each user gets on
 *   average. The hub's database stays a volume of its own.
 * - **The default**: per-user volumes when they and the database fit the cloud's default volume
 *   quota (a volume count and volume storage), shared homes when not. Without a known quota,
 *   per-user volumes. Whichever is chosen explicitly is kept; per-user volumes over the quota
 *   then show as "over" in the quota check, as anything else over it does.
 *
 * @example
 * planHomes({ users: 127, storageGiB: 10, hubDbGiB: 1, quota: { volumes: 10, gigabytes: 1000 } });
 * // { kind: "shared", from: "default", sharedGiB: 999, runtimeVolumes: [{ what: "hub database", count: 1, sizeGiB: 1 }], warnings: [...] }
 */

export type HomesKind = "per-user" | "shared";

export interface HomesInput {
  /** Users of the class: each gets a home. */
  readonly users: number;
  /** Each user's home, GiB. */
  readonly storageGiB: number;
  /** The hub's database volume, GiB. */
  readonly hubDbGiB: number;
  /** What the person chose. @default - by the quota (see above) */
  readonly kind?: HomesKind;
  /** The project's default volume quota, when the cloud publishes one. */
  readonly quota?: { readonly volumes: number; readonly gigabytes: number };
}

export interface HomesPlan {
  readonly kind: HomesKind;
  /** Chosen by the person (`given`) or here (`default`). */
  readonly from: "given" | "default";
  /** Shared homes: the size of the one volume, GiB. */
  readonly sharedGiB?: number;
  /** Volumes Kubernetes makes at run time, for the quota check. */
  readonly runtimeVolumes: ReadonlyArray<{ readonly what: string; readonly count: number; readonly sizeGiB: number }>;
  readonly warnings: readonly string[];
}

export function planHomes(input: HomesInput): HomesPlan {
  const { users, storageGiB, hubDbGiB, quota } = input;
  const database = { what: "hub database", count: 1, sizeGiB: hubDbGiB };
  const perUserFits = !quota || (users + 1 <= quota.volumes && users * storageGiB + hubDbGiB <= quota.gigabytes);
  const kind = input.kind ?? (perUserFits ? "per-user" : "shared");
  const from = input.kind ? "given" : "default";
  if (kind === "per-user") {
    return { kind, from, runtimeVolumes: [{ what: "user home volumes", count: users, sizeGiB: storageGiB }, database], warnings: [] };
  }
  const whole = users * storageGiB;
  const room = quota ? quota.gigabytes - hubDbGiB : Infinity;
  const sharedGiB = Math.max(1, Math.min(whole, room));
  const warnings: string[] = [];
  if (sharedGiB < whole) {
    const each = Math.round((sharedGiB / users) * 10) / 10;
    warnings.push(
      `the ${users} users' homes share one ${sharedGiB} GiB volume, not ${whole} GiB (${users} × profile.storageGiB ${storageGiB}): the quota's volume storage (${quota!.gigabytes} GB) holds no more beside the hub's database. ` +
        `That is ${each} GiB each on average; ask for more volume storage (Jetstream2: help@jetstream-cloud.org), or lower profile.storageGiB`,
    );
  }
  return { kind, from, sharedGiB, runtimeVolumes: [database], warnings };
}
