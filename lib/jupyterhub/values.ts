import type { Issue } from "../errors.ts";
import { yaml } from "../vendor.ts";
import { CHART_REPO, CHART_VERSION, parseHubValues, type HubValues } from "./values-schema.ts";
import { NVIDIA_RUNTIME_CLASS } from "./k3s.ts";

/**
 * The zero-to-jupyterhub chart's values for a JupyterHubCluster, rendered from typed input:
 * who may log in and how, what each user gets (CPU, memory, home volume, an optional GPU
 * profile), HTTPS, idle culling, user placeholders and image pulling. Plain logic: the
 * construct sizes the cluster and passes the result here; Terraform installs the chart with
 * the text.
 *
 * Secrets (OAuth client secrets, the workshop password) arrive as Terraform references
 * (`${...}`), like `CloudRefs` in `lib/slurm/model.ts`: the values hold the references, never
 * the secrets, and Terraform puts the values in at deploy.
 *
 * Authentication follows JupyterHub 5 and oauthenticator 17 (the chart's hub image): nobody may
 * log in unless `allow_all` is true or an allow list (`allowed_users`, GitHub's
 * `allowed_organizations`, `allowed_groups`) names them; `admin_users` may always log in.
 */

export interface GitHubAuth {
  readonly kind: "github";
  /** The OAuth app's client ID: a Terraform reference, or the ID itself (it is not secret). */
  readonly clientIdRef: string;
  /** The OAuth app's client secret, as a Terraform reference (`${var.github_client_secret}`). */
  readonly clientSecretRef: string;
  /** GitHub organizations (`org`) or teams (`org:team`) whose members may log in. */
  readonly allowedOrganizations?: readonly string[];
  /** GitHub usernames that may log in. */
  readonly allowedUsers?: readonly string[];
  /** GitHub usernames made hub admins (they may always log in). */
  readonly admins?: readonly string[];
  /**
   * Let every GitHub account in (`allow_all`). Without it, allowedOrganizations or allowedUsers
   * must name someone.
   * @default false
   */
  readonly allowAllAuthenticated?: boolean;
}

/** Any OAuth2 / OpenID Connect provider (CILogon, Keycloak, ...), through GenericOAuthenticator. */
export interface GenericOAuthAuth {
  readonly kind: "generic-oauth";
  readonly clientIdRef: string;
  /** The client secret, as a Terraform reference. */
  readonly clientSecretRef: string;
  /** https URLs of the provider's endpoints. */
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly userdataUrl: string;
  /** The userinfo claim that becomes the JupyterHub username, e.g. "preferred_username" or "email". */
  readonly usernameClaim: string;
  /** Scopes to request, e.g. ["openid", "email", "profile"]. */
  readonly scope: readonly string[];
  /** Name on the login button ("Login with <loginService>"). @default "OAuth 2.0" */
  readonly loginService?: string;
  readonly allowedUsers?: readonly string[];
  /** Groups (from the userinfo claim `groupsClaim`) whose members may log in. */
  readonly allowedGroups?: readonly string[];
  /** The userinfo claim that lists a user's groups. @default "groups" */
  readonly groupsClaim?: string;
  readonly admins?: readonly string[];
  /** Let every account the provider authenticates in (`allow_all`). @default false */
  readonly allowAllAuthenticated?: boolean;
}

/**
 * One shared password for a short workshop (JupyterHub's SharedPasswordAuthenticator): anyone
 * with it logs in under any username they type. The hub refuses to start if the password is
 * shorter than 8 characters, or the admin password shorter than 32.
 */
export interface WorkshopAuth {
  readonly kind: "workshop";
  /** The shared password, as a Terraform reference (e.g. a `random_password`'s result). */
  readonly passwordRef: string;
  /** Only these usernames may log in. @default - any username */
  readonly allowedUsers?: readonly string[];
  /** Usernames that log in with `adminPasswordRef` and are hub admins. */
  readonly admins?: readonly string[];
  /** The admin password, as a Terraform reference; required with `admins`. */
  readonly adminPasswordRef?: string;
}

export type HubAuth = GitHubAuth | GenericOAuthAuth | WorkshopAuth;

/** What each user's server gets. */
export interface HubProfile {
  /** CPUs reserved for each user (may be fractional). */
  readonly cpuGuarantee: number;
  /** Most CPUs a user may use. */
  readonly cpuLimit: number;
  readonly memoryGuaranteeGiB: number;
  /** Most memory a user may use; beyond it the kernel is killed. */
  readonly memoryLimitGiB: number;
  /** Size of each user's home volume. */
  readonly storageGiB: number;
}

export interface HubGpu {
  /** GPUs each user node has (Kubernetes `nvidia.com/gpu`); 0 adds no GPU profile. */
  readonly perNode: number;
  /** GPUs a user of the GPU profile gets. */
  readonly perUser: number;
  /** Image for the GPU profile ("repo:tag"). @default - the hub's image */
  readonly image?: string;
}

export interface HubValuesInput {
  /** The hub's public DNS name (or IP address without HTTPS): `oauth_callback_url` and the certificate's host. */
  readonly host: string;
  /** Let's Encrypt certificates for `host`. @default - no HTTPS (a warning) */
  readonly https?: { readonly letsEncryptEmail: string };
  readonly auth: HubAuth;
  /** People expected to use the hub at the same time; sets the user placeholders (`placeholderCount`). */
  readonly users: number;
  /** The user nodes grow on demand (a cluster autoscaler): placeholders and tight packing make sense. @default false */
  readonly userNodesAutoscale?: boolean;
  readonly profile: HubProfile;
  /** A GPU profile, offered only when the user nodes have GPUs. */
  readonly gpu?: HubGpu;
  /** The user image, "repo:tag" or "repo:tag@sha256:...". */
  readonly image: string;
  /**
   * Shared homes: the PersistentVolumeClaim (in the hub's namespace) every user's home is a
   * sub-directory of, named after the user (the chart's static storage). @default - a volume per user (dynamic storage)
   */
  readonly sharedHomesClaim?: string;
  /** StorageClass for home volumes and the hub's database. @default - the cluster's default class */
  readonly storageClass?: string;
  /** Minutes a server may sit idle before it is stopped (its home volume stays). @default 60 */
  readonly idleCullMinutes?: number;
  /** Seconds a server may take to start. @default DEFAULT_START_TIMEOUT_SECONDS (600) */
  readonly startTimeoutSeconds?: number;
  /** How the proxy is exposed. @default "LoadBalancer" */
  readonly serviceType?: "LoadBalancer" | "NodePort" | "ClusterIP";
  /** A fixed address for the load balancer (e.g. a reserved floating IP the DNS name points at). */
  readonly loadBalancerIP?: string;
  /** Whether pods must, should or need not land on nodes labelled for them (`hub.jupyter.org/node-purpose`). @default - the chart's "prefer" */
  readonly matchNodePurpose?: "ignore" | "prefer" | "require";
  /** Size of the hub's SQLite database volume. @default 1 */
  readonly hubDbGiB?: number;
}

export interface HubValuesResult {
  /** The chart values: plain data, references as given. */
  readonly values: HubValues;
  /**
   * The values as YAML for `helm_release.values`: text, with the references Terraform fills,
   * each in double quotes so the value stays one YAML string (a secret must then hold no `"` or
   * `\`). Synthesis escapes the text for Terraform (lib/terraform/text.ts).
   * Written for YAML 1.1 readers (Helm): strings such as "no" or "on" are quoted.
   */
  readonly yaml: string;
  readonly warnings: readonly string[];
  /**
   * Secret values and where they go (`hub.config.GitHubOAuthenticator.client_secret`). Passing
   * these through `helm_release`'s `set_sensitive` instead of the text keeps the text free of
   * sensitive values, so a plan can still show it.
   */
  readonly sensitive: ReadonlyArray<{ readonly path: string; readonly ref: string }>;
}

/**
 * Long enough for the slowest normal start: on a node that just joined, the user image (often
 * several GB) is pulled before the continuous pre-puller gets to it, and a new home volume is
 * provisioned and attached (Cinder: a minute or more; a volume still attached to a node that
 * went away is force-detached by Kubernetes only after about six minutes). The chart's 300
 * seconds fails such starts, and the person retrying makes it worse.
 */
export const DEFAULT_START_TIMEOUT_SECONDS = 600;
export const DEFAULT_IDLE_CULL_MINUTES = 60;
export const MIN_IDLE_CULL_MINUTES = 5;
export const DEFAULT_HUB_DB_GIB = 1;
/** Placeholders per expected user (see `placeholderCount`). */
export const PLACEHOLDER_FRACTION = 0.1;

/**
 * User placeholders: pods that hold one user's resources at the lowest priority, so a real user
 * evicts one and starts at once while the freed placeholder, now pending, makes the autoscaler
 * add a node. One tenth of the expected concurrent users, rounded up: room for the next
 * arrivals while a node boots (minutes on an OpenStack cloud). None on a fixed-size cluster,
 * where there is no node to warm up and a placeholder would only sit on capacity.
 */
export function placeholderCount(users: number, autoscale: boolean): number {
  return autoscale && users > 0 ? Math.ceil(users * PLACEHOLDER_FRACTION) : 0;
}

/**
 * The idle culler's settings in seconds: `timeout` from the minutes, and `every` (how often it
 * looks) half the timeout within 1 to 10 minutes, so a server goes at most that much after its
 * timeout (the chart's defaults are 3600 and 600).
 */
export function cullSettings(idleMinutes: number): { timeout: number; every: number } {
  const timeout = Math.round(idleMinutes * 60);
  return { timeout, every: Math.min(600, Math.max(60, Math.floor(timeout / 2))) };
}

/** KubeSpawner's memory size for GiB: "4G" (G is GiB for KubeSpawner), "1536M" for 1.5. */
export function memorySize(gib: number): string {
  return Number.isInteger(gib) ? `${gib}G` : `${Math.round(gib * 1024)}M`;
}

const IMAGE_NAME = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/** What is wrong with an image reference, or undefined. */
function imageProblem(ref: string): string | undefined {
  const [named, digest, extra] = ref.split("@");
  if (extra !== undefined || (digest !== undefined && !IMAGE_DIGEST.test(digest))) return "has a malformed digest (expected repo:tag@sha256:<hex>)";
  const slash = named!.lastIndexOf("/");
  const colon = named!.lastIndexOf(":");
  if (colon <= slash) return `has no tag: the chart pulls "name:tag", so pin one (e.g. "${named}:2025.01.06"${digest ? `, or "${named}:<tag>@${digest}"` : ""})`;
  if (!IMAGE_NAME.test(named!.slice(0, colon))) return "has a malformed repository name (lower-case path components, optionally after a registry host)";
  if (!IMAGE_TAG.test(named!.slice(colon + 1))) return "has a malformed tag (letters, digits, '_', '.', '-', at most 128)";
  return undefined;
}

/**
 * "repo:tag" as the chart's image name and tag. A digest stays with the tag
 * ("repo:tag@sha256:..." → tag "tag@sha256:..."), since the chart writes `name:tag`.
 */
export function splitImage(ref: string): { name: string; tag: string } {
  const problem = imageProblem(ref);
  if (problem) throw new Error(`image "${ref}" ${problem}`);
  const at = ref.indexOf("@");
  const named = at < 0 ? ref : ref.slice(0, at);
  const colon = named.lastIndexOf(":");
  return { name: named.slice(0, colon), tag: ref.slice(colon + 1) };
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A Terraform reference somewhere in the text, and nothing that would break its YAML string. */
const isReference = (s: string) => /\$\{[^}]+\}/.test(s) && !/["\\\n]/.test(s);

/**
 * Every problem with the input, each in the input's own names with the value and the fix. The
 * construct reports them with its path; `renderHubValues` refuses input that has any.
 */
export function checkHubValuesInput(input: HubValuesInput): Array<Pick<Issue, "code" | "message">> {
  const problems: Array<Pick<Issue, "code" | "message">> = [];
  const need = (ok: boolean, code: string, message: string) => {
    if (!ok) problems.push({ code, message });
  };
  const positive = (v: number) => Number.isFinite(v) && v > 0;
  const whole = (v: number, min: number) => Number.isInteger(v) && v >= min;

  // Without HTTPS the host may be the address Terraform assigns (a reference to a floating IP).
  need(
    HOSTNAME.test(input.host) || IPV4.test(input.host) || (!input.https && isReference(input.host)),
    "hub.host",
    `'host' ("${input.host}") must be a DNS name or an IPv4 address, without scheme or path, e.g. "hub.myalloc.projects.jetstream-cloud.org"`,
  );
  if (input.https) {
    need(
      !IPV4.test(input.host),
      "hub.https-needs-dns-name",
      `'https' needs a DNS name for 'host', not an address ("${input.host}"): Let's Encrypt certifies names; point a DNS record at the hub and use it`,
    );
    need(
      EMAIL.test(input.https.letsEncryptEmail),
      "hub.https-email",
      `'https.letsEncryptEmail' ("${input.https.letsEncryptEmail}") must be an e-mail address: Let's Encrypt writes to it before a certificate expires`,
    );
  }
  need(whole(input.users, 0), "hub.users", `'users' (${input.users}) must be a whole number of 0 or more: the people expected to use the hub at the same time`);

  const p = input.profile;
  need(positive(p.cpuGuarantee), "hub.profile", `'profile.cpuGuarantee' (${p.cpuGuarantee}) must be more than 0`);
  need(
    positive(p.cpuLimit) && p.cpuLimit >= p.cpuGuarantee,
    "hub.profile",
    `'profile.cpuLimit' (${p.cpuLimit}) must be at least 'profile.cpuGuarantee' (${p.cpuGuarantee}): raise cpuLimit or lower cpuGuarantee`,
  );
  need(positive(p.memoryGuaranteeGiB), "hub.profile", `'profile.memoryGuaranteeGiB' (${p.memoryGuaranteeGiB}) must be more than 0`);
  need(
    positive(p.memoryLimitGiB) && p.memoryLimitGiB >= p.memoryGuaranteeGiB,
    "hub.profile",
    `'profile.memoryLimitGiB' (${p.memoryLimitGiB}) must be at least 'profile.memoryGuaranteeGiB' (${p.memoryGuaranteeGiB}): raise memoryLimitGiB or lower memoryGuaranteeGiB`,
  );
  need(whole(p.storageGiB, 1), "hub.profile", `'profile.storageGiB' (${p.storageGiB}) must be a whole number of GiB, at least 1`);

  const imageIssue = imageProblem(input.image);
  need(!imageIssue, "hub.image", `'image' ("${input.image}") ${imageIssue}`);
  if (input.gpu) {
    const g = input.gpu;
    need(whole(g.perNode, 0), "hub.gpu", `'gpu.perNode' (${g.perNode}) must be a whole number of 0 or more`);
    if (g.perNode > 0)
      need(whole(g.perUser, 1) && g.perUser <= g.perNode, "hub.gpu", `'gpu.perUser' (${g.perUser}) must be a whole number from 1 to 'gpu.perNode' (${g.perNode}): a user's server runs on one node`);
    const gpuImageIssue = g.image === undefined ? undefined : imageProblem(g.image);
    need(!gpuImageIssue, "hub.image", `'gpu.image' ("${g.image}") ${gpuImageIssue}`);
  }
  const idle = input.idleCullMinutes ?? DEFAULT_IDLE_CULL_MINUTES;
  need(whole(idle, MIN_IDLE_CULL_MINUTES), "hub.idle-cull", `'idleCullMinutes' (${idle}) must be a whole number of at least ${MIN_IDLE_CULL_MINUTES}: sooner, people lose their server while reading`);
  const start = input.startTimeoutSeconds ?? DEFAULT_START_TIMEOUT_SECONDS;
  need(whole(start, 60), "hub.start-timeout", `'startTimeoutSeconds' (${start}) must be a whole number of at least 60: pulling the image and attaching the home volume take minutes`);
  need(whole(input.hubDbGiB ?? DEFAULT_HUB_DB_GIB, 1), "hub.db", `'hubDbGiB' (${input.hubDbGiB}) must be a whole number of GiB, at least 1`);

  const secret = (ref: string | undefined, prop: string, example: string) =>
    need(
      ref !== undefined && isReference(ref),
      "hub.secret-not-reference",
      `'${prop}' must be a Terraform reference such as "${example}", not the secret itself (and hold no quote, backslash or line break): secrets never go into stack code or synthesized files`,
    );
  const a = input.auth;
  switch (a.kind) {
    case "github":
      need(a.clientIdRef.length > 0, "hub.auth", "'auth.clientIdRef' must not be empty");
      secret(a.clientSecretRef, "auth.clientSecretRef", "${var.github_client_secret}");
      need(
        Boolean(a.allowAllAuthenticated) || Boolean(a.allowedOrganizations?.length) || Boolean(a.allowedUsers?.length),
        "hub.auth-allows-nobody",
        "GitHub login admits nobody: list 'auth.allowedOrganizations' or 'auth.allowedUsers', or set 'auth.allowAllAuthenticated' to let every GitHub account in",
      );
      break;
    case "generic-oauth":
      need(a.clientIdRef.length > 0, "hub.auth", "'auth.clientIdRef' must not be empty");
      secret(a.clientSecretRef, "auth.clientSecretRef", "${var.oauth_client_secret}");
      for (const key of ["authorizeUrl", "tokenUrl", "userdataUrl"] as const) {
        need(/^https:\/\/[^\s/]+/.test(a[key]), "hub.auth-url", `'auth.${key}' ("${a[key]}") must be an https:// URL of the identity provider`);
      }
      need(a.usernameClaim.length > 0, "hub.auth", "'auth.usernameClaim' must name a userinfo claim, e.g. \"preferred_username\"");
      need(
        Boolean(a.allowAllAuthenticated) || Boolean(a.allowedUsers?.length) || Boolean(a.allowedGroups?.length),
        "hub.auth-allows-nobody",
        "OAuth login admits nobody: list 'auth.allowedUsers' or 'auth.allowedGroups', or set 'auth.allowAllAuthenticated' to let every account of the provider in",
      );
      break;
    case "workshop":
      secret(a.passwordRef, "auth.passwordRef", "${random_password.workshop.result}");
      if (a.adminPasswordRef !== undefined) secret(a.adminPasswordRef, "auth.adminPasswordRef", "${random_password.workshop_admin.result}");
      need(
        !a.admins?.length || a.adminPasswordRef !== undefined,
        "hub.workshop-admins",
        "'auth.admins' cannot log in without 'auth.adminPasswordRef': the shared-password login admits admins only with the admin password (at least 32 characters)",
      );
      need(
        Boolean(a.admins?.length) || a.adminPasswordRef === undefined,
        "hub.workshop-admins",
        "'auth.adminPasswordRef' is given but 'auth.admins' names nobody who may use it: list the admins' usernames",
      );
      break;
  }
  return problems;
}

/** Authenticator settings that hold references: the client ID (not secret) and the secrets. */
const REFERENCE_KEYS = ["client_id", "client_secret", "user_password", "admin_password"] as const;

/** Traitlets settings an authenticator section may carry here: typed, so a misspelt key fails to compile. */
type AuthenticatorSection = {
  allowed_users?: string[];
  admin_users?: string[];
  allow_all: boolean;
  manage_groups?: boolean;
};
type OAuthSection = AuthenticatorSection & {
  client_id: string;
  client_secret: string;
  oauth_callback_url: string;
  scope?: string[];
  login_service?: string;
  allowed_groups?: string[];
  auth_state_groups_key?: string;
};

/** Sorted and without repeats (traitlets reads these lists as sets); undefined when empty. */
function nameList(names: readonly string[] | undefined): string[] | undefined {
  return names && names.length > 0 ? [...new Set(names)].sort() : undefined;
}

/**
 * The chart values for the input, with warnings for what is deliberately unsafe (no HTTPS, a
 * shared password, every account admitted). Deterministic: keys sorted, lists sorted where
 * order means nothing. Throws when the input has problems (`checkHubValuesInput`: the
 * construct reports those first) and, as a guard against drover's own bugs, when its output
 * does not pass the chart schema.
 *
 * @example
 * const { yaml, warnings, sensitive } = renderHubValues({
 *   host: "hub.myalloc.projects.jetstream-cloud.org",
 *   https: { letsEncryptEmail: "ta@example.edu" },
 *   auth: { kind: "github", clientIdRef: "${var.gh_id}", clientSecretRef: "${var.gh_secret}", allowedOrganizations: ["my-class"] },
 *   users: 40, userNodesAutoscale: true, image: "quay.io/jupyter/scipy-notebook:2025-01-06",
 *   profile: { cpuGuarantee: 0.5, cpuLimit: 2, memoryGuaranteeGiB: 2, memoryLimitGiB: 4, storageGiB: 10 },
 * });
 */
export function renderHubValues(input: HubValuesInput): HubValuesResult {
  const problems = checkHubValuesInput(input);
  if (problems.length > 0) throw new Error(`JupyterHub values input has problems:\n${problems.map((p) => `  ${p.code}: ${p.message}`).join("\n")}`);

  const warnings: string[] = [];
  const sensitive: Array<{ path: string; ref: string }> = [];
  const refs = new Set<string>();
  const scheme = input.https ? "https" : "http";
  const callbackUrl = `${scheme}://${input.host}/hub/oauth_callback`;

  const { authenticatorClass, section, config } = authConfig(input.auth, callbackUrl, warnings);
  for (const key of REFERENCE_KEYS) {
    const value = config[key];
    if (typeof value !== "string") continue;
    refs.add(value);
    if (key !== "client_id") sensitive.push({ path: `hub.config.${section}.${key}`, ref: value });
  }
  if (!input.https) {
    warnings.push(
      `HTTPS is off: logins${input.auth.kind === "workshop" ? " (the shared password)" : ""}, session cookies and notebooks cross the network unencrypted to http://${input.host}; give 'https.letsEncryptEmail' (and a DNS name as 'host') for Let's Encrypt certificates`,
    );
  }

  const p = input.profile;
  const autoscale = input.userNodesAutoscale ?? false;
  const placeholders = placeholderCount(input.users, autoscale);
  const cull = cullSettings(input.idleCullMinutes ?? DEFAULT_IDLE_CULL_MINUTES);
  const image = splitImage(input.image);

  const values: HubValues = {
    hub: {
      config: {
        JupyterHub: { authenticator_class: authenticatorClass },
        [section]: config,
      },
      db: {
        type: "sqlite-pvc",
        pvc: { storage: `${input.hubDbGiB ?? DEFAULT_HUB_DB_GIB}Gi`, ...(input.storageClass ? { storageClassName: input.storageClass } : {}) },
      },
    },
    proxy: {
      service: { type: input.serviceType ?? "LoadBalancer", ...(input.loadBalancerIP ? { loadBalancerIP: input.loadBalancerIP } : {}) },
      https: input.https ? { enabled: true, type: "letsencrypt", hosts: [input.host], letsencrypt: { contactEmail: input.https.letsEncryptEmail } } : { enabled: false },
    },
    singleuser: {
      image,
      cpu: { guarantee: p.cpuGuarantee, limit: p.cpuLimit },
      memory: { guarantee: memorySize(p.memoryGuaranteeGiB), limit: memorySize(p.memoryLimitGiB) },
      storage: input.sharedHomesClaim
        ? // One claim for everyone, each user's server mounting only its own sub-directory.
          { type: "static", static: { pvcName: input.sharedHomesClaim, subPath: "{username}" } }
        : {
            type: "dynamic",
            capacity: `${p.storageGiB}Gi`,
            ...(input.storageClass ? { dynamic: { storageClass: input.storageClass } } : {}),
          },
      startTimeout: input.startTimeoutSeconds ?? DEFAULT_START_TIMEOUT_SECONDS,
      ...(input.gpu && input.gpu.perNode > 0 ? { profileList: profiles(p, input.gpu) } : {}),
    },
    scheduling: {
      // Packing users onto few nodes lets the autoscaler remove empty ones; on a fixed-size
      // cluster spreading them is better, and the scheduler's own pods are not needed.
      userScheduler: { enabled: autoscale },
      // Without priorities a user pod cannot evict a placeholder, which then only holds capacity.
      podPriority: { enabled: placeholders > 0 },
      userPlaceholder: { enabled: placeholders > 0, replicas: placeholders },
      ...(input.matchNodePurpose ? { corePods: { nodeAffinity: { matchNodePurpose: input.matchNodePurpose } }, userPods: { nodeAffinity: { matchNodePurpose: input.matchNodePurpose } } } : {}),
    },
    prePuller: {
      // The hook puller makes `helm upgrade` (a Terraform apply) wait until every node has the
      // new image, which can outlast the release's timeout; the continuous puller pulls it on
      // every node, new ones included, without holding up the apply.
      hook: { enabled: false },
      continuous: { enabled: true },
    },
    cull: { enabled: true, timeout: cull.timeout, every: cull.every },
  };

  const sorted = sortKeys(values) as HubValues;
  const parsed = parseHubValues(sorted);
  if (!parsed.ok) throw new Error(`bug: drover's JupyterHub values fail the z2jh ${CHART_VERSION} schema:\n${parsed.problems.map((l) => `  ${l}`).join("\n")}\nPlease report this.`);
  return { values: sorted, yaml: toYaml(sorted, refs), warnings, sensitive };
}

function authConfig(auth: HubAuth, callbackUrl: string, warnings: string[]): { authenticatorClass: string; section: string; config: AuthenticatorSection & Record<string, unknown> } {
  switch (auth.kind) {
    case "github": {
      const orgs = nameList(auth.allowedOrganizations);
      const allowAll = auth.allowAllAuthenticated ?? false;
      if (allowAll)
        warnings.push(
          "GitHub login admits every GitHub account (allowAllAuthenticated): anyone on the internet can start a server on this allocation; list allowedOrganizations or allowedUsers instead",
        );
      const config: OAuthSection & { allowed_organizations?: string[] } = {
        client_id: auth.clientIdRef,
        client_secret: auth.clientSecretRef,
        oauth_callback_url: callbackUrl,
        allow_all: allowAll,
        ...withList("allowed_organizations", orgs),
        // Private organization membership is visible only with read:org.
        ...(orgs ? { scope: ["read:org"] } : {}),
        ...withList("allowed_users", nameList(auth.allowedUsers)),
        ...withList("admin_users", nameList(auth.admins)),
      };
      return { authenticatorClass: "github", section: "GitHubOAuthenticator", config };
    }
    case "generic-oauth": {
      const allowAll = auth.allowAllAuthenticated ?? false;
      const groups = nameList(auth.allowedGroups);
      if (allowAll) warnings.push(`OAuth login admits every account ${new URL(auth.authorizeUrl).host} authenticates (allowAllAuthenticated); list allowedUsers or allowedGroups to restrict it`);
      const config: OAuthSection & { authorize_url: string; token_url: string; userdata_url: string; username_claim: string } = {
        client_id: auth.clientIdRef,
        client_secret: auth.clientSecretRef,
        oauth_callback_url: callbackUrl,
        authorize_url: auth.authorizeUrl,
        token_url: auth.tokenUrl,
        userdata_url: auth.userdataUrl,
        username_claim: auth.usernameClaim,
        scope: [...auth.scope],
        allow_all: allowAll,
        ...(auth.loginService ? { login_service: auth.loginService } : {}),
        ...withList("allowed_users", nameList(auth.allowedUsers)),
        ...withList("admin_users", nameList(auth.admins)),
        // oauthenticator 17: group-based access needs manage_groups, and reads the groups from
        // the auth state, where the userinfo response sits under "oauth_user".
        ...(groups ? { manage_groups: true, allowed_groups: groups, auth_state_groups_key: `oauth_user.${auth.groupsClaim ?? "groups"}` } : {}),
      };
      return { authenticatorClass: "generic-oauth", section: "GenericOAuthenticator", config };
    }
    case "workshop": {
      const allowed = nameList(auth.allowedUsers);
      warnings.push(
        "workshop login (one shared password): anyone with the password can log in under any username, including another participant's, and see that person's files; use it for short events with nothing private, and hand the password out in the room",
      );
      const config: AuthenticatorSection & { user_password: string; admin_password?: string } = {
        user_password: auth.passwordRef,
        ...(auth.adminPasswordRef ? { admin_password: auth.adminPasswordRef } : {}),
        // JupyterHub 5 admits nobody by default; with no list, any username may be used.
        allow_all: !allowed,
        ...withList("allowed_users", allowed),
        ...withList("admin_users", nameList(auth.admins)),
      };
      return { authenticatorClass: "shared-password", section: "SharedPasswordAuthenticator", config };
    }
  }
}

function withList<K extends string>(key: K, list: string[] | undefined): { [P in K]?: string[] } {
  return (list ? { [key]: list } : {}) as { [P in K]?: string[] };
}

/** The CPU-only default and a GPU profile; `kubespawner_override` merges into the singleuser settings. */
function profiles(p: HubProfile, gpu: HubGpu): NonNullable<NonNullable<HubValues["singleuser"]>["profileList"]> {
  const sizing = `${p.cpuGuarantee} to ${p.cpuLimit} CPUs, ${p.memoryGuaranteeGiB} to ${p.memoryLimitGiB} GiB memory`;
  return [
    { display_name: "CPU", slug: "cpu", description: sizing, default: true },
    {
      display_name: `${gpu.perUser} GPU${gpu.perUser > 1 ? "s" : ""}`,
      slug: "gpu",
      description: `${sizing}, ${gpu.perUser} NVIDIA GPU${gpu.perUser > 1 ? "s" : ""}`,
      kubespawner_override: {
        extra_resource_limits: { "nvidia.com/gpu": String(gpu.perUser) },
        // The NVIDIA container runtime, on GPU servers only: CUDA images ask for every device,
        // and a CPU server under this runtime on a GPU node would see them.
        extra_pod_config: { runtimeClassName: NVIDIA_RUNTIME_CLASS },
        ...(gpu.image ? { image: gpu.image } : {}),
      },
    },
  ];
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * A Terraform reference inside a value (`${var.x}`, `${resource.name.attr}`, or a cdktf token
 * that becomes one at synth): the host or load-balancer address Terraform assigns. At least
 * one dot, so a literal such as `${HOME}` is not taken for one. Such a value is double-quoted in
 * the YAML, so whatever Terraform puts there stays one string.
 */
const EMBEDDED_REFERENCE = /\$\{(?:TfToken\[TOKEN\.\d+\]|[A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\]|\["[^"\\]*"\])+)\}/;

const holdsReference = (v: string) => EMBEDDED_REFERENCE.test(v);

function toYaml(values: HubValues, refs: ReadonlySet<string>): string {
  const Y = yaml();
  // YAML 1.1 is what Helm reads: "no", "on" or "y" unquoted would become booleans.
  const doc = new Y.Document(values, { version: "1.1" });
  doc.commentBefore = ` zero-to-jupyterhub ${CHART_VERSION} values (${CHART_REPO}), written by drover`;
  Y.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && (refs.has(node.value) || holdsReference(node.value))) node.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString({ lineWidth: 0 });
}
