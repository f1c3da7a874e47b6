import type { z as Z } from "zod";
import { nearestMatches } from "../naming.ts";
import { zod } from "../vendor.ts";

/**
 * The zero-to-jupyterhub (z2jh) Helm chart's values, as far as drover writes them: a zod schema
 * that follows the chart's own `jupyterhub/values.schema.yaml` at the version pinned below.
 *
 * What "follows" means here:
 * - Every object drover writes into is modelled with all of the chart's key names at that
 *   level. Where the chart says `additionalProperties: false`, the object is strict, so a
 *   misspelt key is an error naming its path; where the chart leaves an object open (traitlets
 *   sections under `hub.config`, `profileList` items, `kubespawner_override`), so does this.
 * - Keys drover writes are typed as the chart types them (`cpu.limit` a number or null,
 *   `memory.limit` a number or a string, ...). Chart keys drover never writes are accepted with
 *   any value (`z.unknown()`): the chart, not drover, is the authority on those.
 * - The values are an overlay on the chart's defaults (helm merges maps, replaces lists), so the
 *   chart's `required` keys are not required here, except where a partial object would combine
 *   with a default into something wrong: an image's `name` and `tag`, and the `enabled` flags of
 *   the sections drover switches.
 * - A few values are checked more tightly than the chart does, where the chart only passes them
 *   on and a wrong one fails later in the hub pod: memory sizes (KubeSpawner's byte sizes),
 *   storage capacities (Kubernetes quantities), `hub.config` section names.
 *
 * Facts from jupyterhub/zero-to-jupyterhub-k8s at tag 4.4.0
 * (commit 5c5f5df751588a68a7781ead01d0f62e88e2e72f): `jupyterhub/values.schema.yaml`,
 * `jupyterhub/values.yaml`, `jupyterhub/files/hub/jupyterhub_config.py`.
 */

/** The chart version the schema and the renderer are written against. */
export const CHART_VERSION = "4.4.0";
/** The chart's Helm repository. */
export const CHART_REPO = "https://hub.jupyter.org/helm-chart/";
export const CHART_NAME = "jupyterhub";
/** JupyterHub in the chart's hub image (appVersion); oauthenticator 17.4.0, kubespawner 7.0.0. */
export const JUPYTERHUB_VERSION = "5.5.0";

/**
 * KubeSpawner's memory sizes (`mem_limit`, `mem_guarantee`: JupyterHub's ByteSpecification): a
 * byte count, or a number with K, M, G or T, each a power of 1024 ("2G" is 2 GiB). A
 * Kubernetes quantity such as "2Gi" is refused by the hub at start-up.
 */
export const MEMORY_PATTERN = /^\d+(\.\d+)?[KMGT]$/;
const MEMORY_MESSAGE = 'must be a byte count or a number with K, M, G or T (powers of 1024, e.g. "2G"); KubeSpawner does not read Kubernetes units such as "2Gi"';
/** A Kubernetes quantity for a volume size (`storage.capacity`, `db.pvc.storage`), e.g. "10Gi". */
export const QUANTITY_PATTERN = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const QUANTITY_MESSAGE = 'must be a Kubernetes quantity, e.g. "10Gi"';
/** `hub.config` section names are Configurable class names: the chart's pattern `^[A-Z].*$`. */
const SECTION_PATTERN = /^[A-Z]/;

/** Chart keys drover leaves to the chart: accepted at their level with any value. */
function chartKeys<const K extends string>(z: typeof Z, names: readonly K[]): { [P in K]: Z.ZodOptional<Z.ZodUnknown> } {
  return Object.fromEntries(names.map((n) => [n, z.unknown().optional()])) as { [P in K]: Z.ZodOptional<Z.ZodUnknown> };
}

function buildSchema() {
  const z = zod();
  const str = z.string();
  const names = z.array(z.string().min(1));
  const memory = z.union([z.int().nonnegative(), z.string().regex(MEMORY_PATTERN, MEMORY_MESSAGE)], { error: MEMORY_MESSAGE });
  const quantity = z.string().regex(QUANTITY_PATTERN, QUANTITY_MESSAGE);
  const image = z.strictObject({
    name: z.string().min(1),
    tag: z.string().min(1),
    ...chartKeys(z, ["pullPolicy", "pullSecrets"]),
  });

  // hub.config: traitlets configuration, one open section per Configurable class. Drover types
  // the keys it writes; the class decides what the rest mean.
  const authenticator = {
    allowed_users: names.optional(),
    admin_users: names.optional(),
    allow_all: z.boolean().optional(),
    allow_existing_users: z.boolean().optional(),
    manage_groups: z.boolean().optional(),
  };
  const oauthenticator = {
    ...authenticator,
    client_id: str.optional(),
    client_secret: str.optional(),
    // The hub's address may be one Terraform fills in (a floating IP without a DNS name).
    oauth_callback_url: z.union([z.url(), z.string().regex(/^https?:\/\/\$\{[^}\s]+\}(\/\S*)?$/)]).optional(),
    scope: names.optional(),
    login_service: str.optional(),
    allowed_groups: names.optional(),
    admin_groups: names.optional(),
    auth_state_groups_key: str.optional(),
  };
  const hubConfig = z
    .object({
      JupyterHub: z.looseObject({ authenticator_class: str.optional(), subdomain_host: str.optional(), admin_access: z.boolean().optional() }).optional(),
      Authenticator: z.looseObject(authenticator).optional(),
      GitHubOAuthenticator: z.looseObject({ ...oauthenticator, allowed_organizations: names.optional() }).optional(),
      GenericOAuthenticator: z
        .looseObject({ ...oauthenticator, authorize_url: z.url().optional(), token_url: z.url().optional(), userdata_url: z.url().optional(), username_claim: str.optional() })
        .optional(),
      SharedPasswordAuthenticator: z.looseObject({ ...authenticator, user_password: str.optional(), admin_password: str.optional() }).optional(),
    })
    .catchall(z.record(z.string(), z.unknown()))
    .superRefine(
      (value, ctx) => {
        if (typeof value !== "object" || value === null) return;
        for (const key of Object.keys(value)) {
          if (!SECTION_PATTERN.test(key)) ctx.addIssue({ code: "custom", path: [key], message: "not a Configurable class name (hub.config sections start with a capital letter, e.g. JupyterHub)" });
        }
      },
      // Run even when a section's value is wrong, so every problem is reported at once.
      { when: () => true },
    );

  const hub = z.strictObject({
    ...chartKeys(z, [
      "revisionHistoryLimit",
      "extraFiles",
      "baseUrl",
      "command",
      "args",
      "cookieSecret",
      "image",
      "networkPolicy",
      "labels",
      "initContainers",
      "extraEnv",
      "fsGid",
      "service",
      "pdb",
      "existingSecret",
      "nodeSelector",
      "tolerations",
      "activeServerLimit",
      "allowNamedServers",
      "annotations",
      "authenticatePrometheus",
      "concurrentSpawnLimit",
      "consecutiveFailureLimit",
      "podSecurityContext",
      "containerSecurityContext",
      "deploymentStrategy",
      "extraContainers",
      "extraVolumeMounts",
      "extraVolumes",
      "livenessProbe",
      "readinessProbe",
      "namedServerLimitPerUser",
      "redirectToServer",
      "resources",
      "lifecycle",
      "services",
      "loadRoles",
      "shutdownOnLogout",
      "templatePaths",
      "templateVars",
      "serviceAccount",
      "extraPodSpec",
    ]),
    config: hubConfig.optional(),
    // Python snippets, run in the order of their keys.
    extraConfig: z.record(z.string(), z.string()).optional(),
    db: z
      .strictObject({
        type: z.enum(["sqlite-pvc", "sqlite-memory", "mysql", "postgres", "other"]).optional(),
        pvc: z
          .strictObject({
            storage: quantity.optional(),
            storageClassName: str.nullable().optional(),
            ...chartKeys(z, ["annotations", "selector", "accessModes", "subPath"]),
          })
          .optional(),
        ...chartKeys(z, ["upgrade", "url", "password"]),
      })
      .optional(),
  });

  const proxy = z.strictObject({
    ...chartKeys(z, ["chp", "secretToken", "traefik", "labels", "annotations", "deploymentStrategy", "secretSync"]),
    service: z
      .strictObject({
        type: z.enum(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]).optional(),
        loadBalancerIP: str.nullable().optional(),
        ...chartKeys(z, ["labels", "annotations", "nodePorts", "disableHttpPort", "extraPorts", "externalIPs", "loadBalancerSourceRanges", "ipFamilyPolicy", "ipFamilies"]),
      })
      .optional(),
    https: z
      .strictObject({
        enabled: z.boolean().nullable().optional(),
        type: z.enum(["", "letsencrypt", "manual", "offload", "secret"]).nullable().optional(),
        letsencrypt: z.strictObject({ contactEmail: z.email().nullable().optional(), ...chartKeys(z, ["acmeServer"]) }).optional(),
        hosts: names.optional(),
        ...chartKeys(z, ["manual", "secret"]),
      })
      .optional(),
  });

  // A profile and its overrides are KubeSpawner's (profile_list), passed through by the chart.
  const kubespawnerOverride = z.looseObject({
    image: z.string().min(1).optional(),
    cpu_guarantee: z.number().positive().nullable().optional(),
    cpu_limit: z.number().positive().nullable().optional(),
    mem_guarantee: memory.nullable().optional(),
    mem_limit: memory.nullable().optional(),
    extra_resource_limits: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    extra_resource_guarantees: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  });
  const profile = z.looseObject({
    display_name: z.string().min(1),
    slug: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and '-'")
      .optional(),
    description: str.optional(),
    default: z.boolean().optional(),
    kubespawner_override: kubespawnerOverride.optional(),
  });

  const singleuser = z.strictObject({
    ...chartKeys(z, [
      "networkPolicy",
      "podNameTemplate",
      "initContainers",
      "extraFiles",
      "extraEnv",
      "nodeSelector",
      "extraTolerations",
      "extraNodeAffinity",
      "extraPodAffinity",
      "extraPodAntiAffinity",
      "cloudMetadata",
      "cmd",
      "defaultUrl",
      "events",
      "extraAnnotations",
      "extraContainers",
      "extraLabels",
      "extraPodConfig",
      "extraResource",
      "fsGid",
      "lifecycleHooks",
      "networkTools",
      "serviceAccountName",
      "allowPrivilegeEscalation",
      "uid",
    ]),
    cpu: z.strictObject({ limit: z.number().positive().nullable().optional(), guarantee: z.number().positive().nullable().optional() }).optional(),
    memory: z.strictObject({ limit: memory.nullable().optional(), guarantee: memory.nullable().optional() }).optional(),
    image: image.optional(),
    profileList: z.array(profile).optional(),
    startTimeout: z.int().positive().nullable().optional(),
    storage: z
      .strictObject({
        type: z.enum(["dynamic", "static", "none"]).optional(),
        capacity: quantity.nullable().optional(),
        dynamic: z
          .strictObject({
            storageClass: str.nullable().optional(),
            ...chartKeys(z, ["pvcNameTemplate", "storageAccessModes", "subPath", "volumeNameTemplate"]),
          })
          .optional(),
        static: z.strictObject({ pvcName: str.nullable().optional(), subPath: str.optional() }).optional(),
        ...chartKeys(z, ["extraLabels", "extraVolumeMounts", "extraVolumes", "homeMountPath"]),
      })
      .optional(),
  });

  const podsPlacement = z.strictObject({
    ...chartKeys(z, ["tolerations"]),
    nodeAffinity: z.strictObject({ matchNodePurpose: z.enum(["ignore", "prefer", "require"]).optional() }).optional(),
  });
  const scheduling = z.strictObject({
    userScheduler: z
      .strictObject({
        enabled: z.boolean(),
        ...chartKeys(z, [
          "revisionHistoryLimit",
          "replicas",
          "image",
          "pdb",
          "nodeSelector",
          "tolerations",
          "labels",
          "annotations",
          "containerSecurityContext",
          "logLevel",
          "plugins",
          "pluginConfig",
          "resources",
          "serviceAccount",
          "extraPodSpec",
        ]),
      })
      .optional(),
    podPriority: z
      .strictObject({
        enabled: z.boolean(),
        ...chartKeys(z, ["globalDefault", "defaultPriority", "imagePullerPriority", "userPlaceholderPriority"]),
      })
      .optional(),
    userPlaceholder: z
      .strictObject({
        enabled: z.boolean(),
        replicas: z.int().nonnegative().optional(),
        ...chartKeys(z, ["image", "revisionHistoryLimit", "labels", "annotations", "resources", "containerSecurityContext", "extraPodSpec"]),
      })
      .optional(),
    corePods: podsPlacement.optional(),
    userPods: podsPlacement.optional(),
  });

  const prePuller = z.strictObject({
    ...chartKeys(z, ["revisionHistoryLimit", "labels", "annotations", "resources", "extraTolerations", "pullProfileListImages", "extraImages", "containerSecurityContext", "pause"]),
    hook: z
      .strictObject({
        enabled: z.boolean(),
        ...chartKeys(z, [
          "pullOnlyOnChanges",
          "podSchedulingWaitDuration",
          "nodeSelector",
          "tolerations",
          "containerSecurityContext",
          "image",
          "resources",
          "serviceAccount",
          "serviceAccountImagePuller",
          "daemonsetAnnotations",
        ]),
      })
      .optional(),
    continuous: z.strictObject({ enabled: z.boolean(), ...chartKeys(z, ["serviceAccount", "daemonsetAnnotations"]) }).optional(),
  });

  // jupyterhub-idle-culler's flags; timeout and every in seconds.
  const cull = z.strictObject({
    enabled: z.boolean(),
    timeout: z.int().positive().nullable().optional(),
    every: z.int().positive().nullable().optional(),
    ...chartKeys(z, ["users", "adminUsers", "removeNamedServers", "concurrency", "maxAge"]),
  });

  return z.strictObject({
    ...chartKeys(z, ["enabled", "fullnameOverride", "nameOverride", "imagePullSecret", "imagePullSecrets", "ingress", "httpRoute", "custom", "debug", "rbac", "global"]),
    hub: hub.optional(),
    proxy: proxy.optional(),
    singleuser: singleuser.optional(),
    scheduling: scheduling.optional(),
    prePuller: prePuller.optional(),
    cull: cull.optional(),
  });
}

let built: ReturnType<typeof buildSchema> | undefined;

/** The schema, built on first use (zod is loaded lazily, see `lib/vendor.ts`). */
export function hubValuesSchema(): ReturnType<typeof buildSchema> {
  return (built ??= buildSchema());
}

/** Chart values as drover writes them. */
export type HubValues = Z.input<ReturnType<typeof buildSchema>>;

export type HubValuesParse = { readonly ok: true; readonly values: HubValues } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Checks values against the schema. Problems come one per line as `path: message`, every one
 * at once, e.g. `singleuser.memory.limt: not a key of the chart's singleuser.memory (did you
 * mean "limit"?)`.
 */
export function parseHubValues(value: unknown): HubValuesParse {
  const r = hubValuesSchema().safeParse(value);
  if (r.success) return { ok: true, values: value as HubValues };
  return { ok: false, problems: r.error.issues.flatMap((issue) => describeIssue(issue, value)) };
}

/** The value at a path, or undefined when the path leads nowhere. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function describeIssue(issue: Z.ZodError["issues"][number], root: unknown): string[] {
  const where = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const allowed = keysAt(issue.path);
    return issue.keys.map((key) => {
      const near = nearestMatches(key, allowed);
      const hint = near.length > 0 ? ` (did you mean ${near.map((n) => `"${n}"`).join(" or ")}?)` : "";
      return `${where ? `${where}.` : ""}${key}: not a key of the chart's ${where || "top level"}${hint}`;
    });
  }
  if (issue.code === "invalid_type" && valueAt(root, issue.path) === undefined) return [`${where || "(top level)"}: is required`];
  return [`${where || "(top level)"}: ${issue.message}`];
}

/** The key names the schema allows at a path (for suggestions); empty when it cannot tell. */
function keysAt(path: readonly PropertyKey[]): string[] {
  const z = zod();
  let node: unknown = hubValuesSchema();
  const unwrap = (n: unknown): unknown => {
    while (n instanceof z.ZodOptional || n instanceof z.ZodNullable) n = n.unwrap();
    return n;
  };
  for (const segment of path) {
    node = unwrap(node);
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, unknown>)[String(segment)];
    else if (node instanceof z.ZodArray) node = node.element;
    else if (node instanceof z.ZodRecord) node = node.valueType;
    else return [];
  }
  node = unwrap(node);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}
