import type { z as Z } from "zod";
import { zod } from "../vendor.ts";
import { describeValue, keysAt, pathText } from "../props/check.ts";
import { nearestMatches, orList } from "../naming.ts";

/**
 * The JupyterHubCluster construct's props, checked with zod: types, ranges and the rules that
 * tie fields together (guarantees within limits, GitHub sign-in restricted to someone, HTTPS
 * with an email). Each problem comes back as `{ code, message }` naming the prop path, the
 * value, what is allowed and the fix; the construct reports them all at once.
 */

/** A container image with a pinned tag (and optionally a digest): `quay.io/jupyter/scipy-notebook:2025-10-20`. The chart takes name and tag apart. */
const IMAGE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[a-f0-9]{64})?$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const GITHUB_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,38})$/;

export const MAX_USERS = 2000;
export const DEFAULT_STORAGE_GIB = 10;
export const DEFAULT_IDLE_CULL_MINUTES = 60;

function buildSchema() {
  const z = zod();
  const names = (what: string) => z.array(z.string().regex(GITHUB_NAME, `must be ${what}: letters, digits and '-'`)).optional();
  const users = z.array(z.string().min(1, "must not be empty")).optional();
  const url = z.url({ protocol: /^https$/, error: "must be an https:// URL" });
  const github = z.strictObject({
    kind: z.literal("github"),
    clientId: z.string().min(1, "must be the OAuth app's client ID"),
    allowedOrganizations: names("GitHub organization names"),
    allowedUsers: names("GitHub user names"),
    admins: names("GitHub user names"),
    allowAllAuthenticated: z.boolean().optional(),
  });
  const oauth = z.strictObject({
    kind: z.literal("oauth"),
    clientId: z.string().min(1, "must be the OAuth client ID"),
    authorizeUrl: url,
    tokenUrl: url,
    userdataUrl: url,
    usernameClaim: z.string().min(1).optional(),
    scope: z.array(z.string().min(1)).optional(),
    loginService: z.string().min(1).optional(),
    groupsClaim: z.string().min(1).optional(),
    allowedUsers: users,
    allowedGroups: users,
    admins: users,
    allowAllAuthenticated: z.boolean().optional(),
  });
  const workshop = z.strictObject({
    kind: z.literal("workshop"),
    allowedUsers: users,
    admins: users,
  });
  const size = z.union([z.string().min(1), z.strictObject({ vcpus: z.number().positive(), memoryGiB: z.number().positive(), gpu: z.number().min(0).optional() })]);
  return z.strictObject({
    users: z
      .number({ error: "must be a whole number of at least 1" })
      .int("must be a whole number of at least 1")
      .min(1, "must be a whole number of at least 1")
      .max(MAX_USERS, `must be at most ${MAX_USERS}: split a larger class over several hubs`),
    profile: z.strictObject(
      {
        cpu: z.number().positive("must be more than 0 vCPUs").max(64, "must be at most 64 vCPUs"),
        memoryGiB: z.number().positive("must be more than 0 GiB").max(1000, "must be at most 1000 GiB"),
        cpuLimit: z.number().positive().max(64).optional(),
        memoryLimitGiB: z.number().positive().max(1000).optional(),
        storageGiB: z.number().int("must be a whole number of GiB").min(1, "must be at least 1 GiB").max(1000, "must be at most 1000 GiB").optional(),
        gpus: z.number().int("must be a whole number").min(0).max(8, "must be at most 8").optional(),
      },
      { error: "must be { cpu, memoryGiB }: the vCPUs and GiB guaranteed to each user, e.g. { cpu: 1, memoryGiB: 2 }" },
    ),
    image: z
      .string({ error: 'must be an image with a pinned tag, e.g. "quay.io/jupyter/scipy-notebook:2025-10-20"' })
      .regex(IMAGE, 'must be an image with a pinned tag, e.g. "quay.io/jupyter/scipy-notebook:2025-10-20" (a digest may follow the tag)')
      .optional(),
    auth: z.discriminatedUnion("kind", [github, oauth, workshop], { error: 'must have kind "github", "oauth" or "workshop"' }),
    domain: z.string({ error: 'must be a host name like "hub.example.org"' }).regex(HOSTNAME, 'must be a host name like "hub.example.org" (lower case, no scheme or path)').optional(),
    https: z.union([z.literal(false), z.strictObject({ letsEncryptEmail: z.string().optional() })], { error: 'must be { letsEncryptEmail: "you@example.org" }, or false for plain HTTP' }).optional(),
    idleCullMinutes: z
      .number({ error: "must be a whole number of minutes, e.g. 60" })
      .int("must be a whole number of minutes")
      .min(5, "must be at least 5 minutes")
      .max(7 * 24 * 60, "must be at most 10080 minutes (a week)")
      .optional(),
    kubernetes: z.enum(["k3s", "magnum"], { error: 'must be "k3s" (VMs drover builds) or "magnum" (the cloud\'s managed Kubernetes)' }).optional(),
    nodes: z
      .strictObject(
        {
          size: size.optional(),
          count: z
            .number({ error: "must be a whole number of nodes from 1 to 500" })
            .int("must be a whole number of nodes from 1 to 500")
            .min(1, "must be a whole number of nodes from 1 to 500")
            .max(500, "must be a whole number of nodes from 1 to 500")
            .optional(),
          max: z
            .number({ error: "must be a whole number of nodes from 1 to 500" })
            .int("must be a whole number of nodes from 1 to 500")
            .min(1, "must be a whole number of nodes from 1 to 500")
            .max(500, "must be a whole number of nodes from 1 to 500")
            .optional(),
        },
        { error: "must be { size?, count?, max? }" },
      )
      .optional(),
    controlPlane: z.strictObject({ size: size.optional() }, { error: "must be { size }" }).optional(),
    allowSshFrom: z.array(z.string({ error: 'must be an address range, e.g. "203.0.113.0/24"' }), { error: 'must be a list of address ranges, e.g. ["203.0.113.0/24"]' }).optional(),
    adminPublicKey: z.string({ error: "must be an OpenSSH public key: the content of ~/.ssh/id_ed25519.pub" }).optional(),
    hours: z
      .strictObject(
        {
          perDay: z.number({ error: "must be hours a day, from above 0 to 24" }).positive("must be hours a day, from above 0 to 24").max(24, "must be hours a day, from above 0 to 24"),
          days: z
            .number({ error: "must be a whole number of days from 1 to 365" })
            .int("must be a whole number of days from 1 to 365")
            .min(1, "must be a whole number of days from 1 to 365")
            .max(365, "must be a whole number of days from 1 to 365"),
        },
        { error: "must be { perDay, days }: the hours a day and the days the class runs, e.g. { perDay: 6, days: 3 }" },
      )
      .optional(),
    homes: z.enum(["per-user", "shared"], { error: 'must be "per-user" (a volume for each user) or "shared" (one volume on the k3s server, a sub-directory for each user)' }).optional(),
    applicationCredential: z
      .enum(["create", "provided"], {
        error: 'must be "create" (the stack creates one; deploy with an unrestricted credential) or "provided" (you create one and pass its ID and secret at deploy time)',
      })
      .optional(),
  });
}

let schema: ReturnType<typeof buildSchema> | undefined;

export type HubProps = Z.infer<ReturnType<typeof buildSchema>>;

export interface PropsIssue {
  readonly code: string;
  readonly message: string;
}

const describe = describeValue;

function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) v = v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** Checks the props; returns the typed props or every problem found. */
export function checkHubProps(input: unknown): { ok: true; props: HubProps } | { ok: false; issues: PropsIssue[] } {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { ok: false, issues: [{ code: "hub.bad-props", message: `the props must be an object ({ users, profile, auth, https }), got ${describe(input)}` }] };
  }
  const r = (schema ??= buildSchema()).safeParse(input);
  if (!r.success) {
    return {
      ok: false,
      issues: r.error.issues.flatMap((i) => {
        const path = pathText(i.path);
        if (i.code === "unrecognized_keys") {
          const known = keysAt(schema!, i.path, input);
          return i.keys.map((k) => {
            const near = nearestMatches(k, known);
            return {
              code: "hub.unknown-prop",
              message: `${path ? `'${path}' has` : "the props have"} an unknown key '${k}'${near.length ? `: did you mean ${orList(near.map((n) => `'${n}'`))}?` : ": check the spelling"} Known: ${known.join(", ")}.`,
            };
          });
        }
        const value = at(input, i.path);
        const shown = value === undefined ? "is required and" : `${describe(value)}`;
        return [{ code: "hub.bad-prop", message: `'${path}' ${shown} ${i.message}`.replace(" is required and Invalid input", " is required") }];
      }),
    };
  }
  const props = r.data;
  const issues: PropsIssue[] = [];
  const add = (code: string, message: string) => issues.push({ code, message });
  const p = props.profile;
  if (p.cpuLimit !== undefined && p.cpuLimit < p.cpu)
    add("hub.guarantee-above-limit", `'profile.cpu' ${p.cpu} is above 'profile.cpuLimit' ${p.cpuLimit}: a guarantee cannot exceed its limit; raise cpuLimit or lower cpu`);
  if (p.memoryLimitGiB !== undefined && p.memoryLimitGiB < p.memoryGiB) {
    add(
      "hub.guarantee-above-limit",
      `'profile.memoryGiB' ${p.memoryGiB} is above 'profile.memoryLimitGiB' ${p.memoryLimitGiB}: a guarantee cannot exceed its limit; raise memoryLimitGiB or lower memoryGiB`,
    );
  }
  const a = props.auth;
  if (a.kind === "github" && !a.allowAllAuthenticated && !(a.allowedOrganizations?.length || a.allowedUsers?.length)) {
    add(
      "hub.auth-open",
      "'auth' signs in with GitHub but names no 'allowedOrganizations' or 'allowedUsers': any GitHub account could start a server; name who may, or set allowAllAuthenticated: true",
    );
  }
  if (a.kind === "oauth" && !a.allowAllAuthenticated && !(a.allowedUsers?.length || a.allowedGroups?.length)) {
    add("hub.auth-open", "'auth' signs in with OAuth but names no 'allowedUsers' or 'allowedGroups': anyone the provider knows could start a server; name who may, or set allowAllAuthenticated: true");
  }
  if (props.https === undefined) {
    add("hub.https-missing", "'https' is required: { letsEncryptEmail: \"you@example.org\" } for a Let's Encrypt certificate, or https: false to serve plain HTTP (passwords and tokens in the clear)");
  } else if (props.https !== false && !(props.https.letsEncryptEmail && EMAIL.test(props.https.letsEncryptEmail))) {
    add("hub.https-email", `'https.letsEncryptEmail' ${describe(props.https.letsEncryptEmail)} must be an email address: Let's Encrypt sends expiry notices there`);
  }
  if (props.nodes?.count !== undefined && props.nodes.max !== undefined && props.nodes.max < props.nodes.count) {
    add("hub.bad-nodes", `'nodes.max' ${props.nodes.max} is below 'nodes.count' ${props.nodes.count}: raise max or lower count`);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, props };
}
