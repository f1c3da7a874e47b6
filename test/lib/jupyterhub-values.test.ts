import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkHubValuesInput, cullSettings, DEFAULT_START_TIMEOUT_SECONDS, memorySize, placeholderCount, renderHubValues, splitImage, type HubValuesInput } from "../../lib/jupyterhub/values.ts";
import { CHART_REPO, CHART_VERSION, parseHubValues } from "../../lib/jupyterhub/values-schema.ts";

const HOST = "hub.myclass.projects.jetstream-cloud.org";
const DIGEST = `sha256:${"ab".repeat(32)}`;

const GITHUB = { kind: "github", clientIdRef: "${var.gh_client_id}", clientSecretRef: "${var.gh_client_secret}", allowedOrganizations: ["my-class"] } as const;
const CILOGON = {
  kind: "generic-oauth",
  clientIdRef: "${var.cilogon_client_id}",
  clientSecretRef: "${var.cilogon_client_secret}",
  authorizeUrl: "https://cilogon.org/authorize",
  tokenUrl: "https://cilogon.org/oauth2/token",
  userdataUrl: "https://cilogon.org/oauth2/userinfo",
  usernameClaim: "email",
  scope: ["openid", "email", "org.cilogon.userinfo"],
  loginService: "CILogon",
  allowedGroups: ["CO:COU:class-2026:members:active"],
  groupsClaim: "isMemberOf",
  admins: ["ta@example.edu"],
} as const;
const WORKSHOP = { kind: "workshop", passwordRef: "${random_password.workshop.result}" } as const;

function input(overrides: Partial<HubValuesInput> = {}): HubValuesInput {
  return {
    host: HOST,
    https: { letsEncryptEmail: "ta@example.edu" },
    auth: GITHUB,
    users: 40,
    userNodesAutoscale: true,
    image: "quay.io/jupyter/scipy-notebook:2025-01-06",
    storageClass: "default",
    profile: { cpuGuarantee: 0.5, cpuLimit: 2, memoryGuaranteeGiB: 2, memoryLimitGiB: 4, storageGiB: 10 },
    ...overrides,
  };
}

/** The value at a dotted path of plain data. */
// biome-ignore lint/suspicious/noExplicitAny: whatever is at the path, for expect()
function at(root: unknown, path: string): any {
  return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

const VARIANTS: Array<[string, HubValuesInput]> = [
  ["github", input()],
  ["generic oauth", input({ auth: CILOGON })],
  ["workshop", input({ auth: WORKSHOP, userNodesAutoscale: false })],
  ["gpu profile", input({ gpu: { perNode: 1, perUser: 1, image: `quay.io/jupyter/pytorch-notebook:cuda12-2025-01-06@${DIGEST}` } })],
  ["no https", input({ https: undefined })],
];

describe("renderHubValues: every variant", () => {
  it.each(VARIANTS)("%s: passes the chart schema and its YAML reads back as the same values", (_name, given) => {
    // WHEN
    const { values, yaml } = renderHubValues(given);
    // THEN
    expect(parseHubValues(values)).toEqual({ ok: true, values });
    // Helm reads YAML 1.1; the text is also plain YAML 1.2.
    expect(parse(yaml, { version: "1.1" })).toEqual(values);
    expect(parse(yaml)).toEqual(values);
    expect(yaml.startsWith(`# zero-to-jupyterhub ${CHART_VERSION} values (${CHART_REPO}), written by drover\n`)).toBe(true);
  });

  it.each(VARIANTS)("%s: deterministic, keys sorted", (_name, given) => {
    const a = renderHubValues(given);
    expect(renderHubValues(given).yaml).toBe(a.yaml);
    const keys = Object.keys(a.values);
    expect(keys).toEqual([...keys].sort());
    expect(Object.keys(at(a.values, "singleuser"))).toEqual(Object.keys(at(a.values, "singleuser")).sort());
  });

  it("writes the user's server settings as the chart and KubeSpawner read them", () => {
    const { values } = renderHubValues(input({ profile: { cpuGuarantee: 0.5, cpuLimit: 2, memoryGuaranteeGiB: 1.5, memoryLimitGiB: 4, storageGiB: 20 } }));
    expect(values.singleuser).toEqual({
      image: { name: "quay.io/jupyter/scipy-notebook", tag: "2025-01-06" },
      cpu: { guarantee: 0.5, limit: 2 },
      memory: { guarantee: "1536M", limit: "4G" },
      storage: { type: "dynamic", capacity: "20Gi", dynamic: { storageClass: "default" } },
      startTimeout: DEFAULT_START_TIMEOUT_SECONDS,
    });
    expect(values.hub?.db).toEqual({ type: "sqlite-pvc", pvc: { storage: "1Gi", storageClassName: "default" } });
    expect(values.proxy).toEqual({
      service: { type: "LoadBalancer" },
      https: { enabled: true, type: "letsencrypt", hosts: [HOST], letsencrypt: { contactEmail: "ta@example.edu" } },
    });
    expect(values.prePuller).toEqual({ hook: { enabled: false }, continuous: { enabled: true } });
  });

  it("leaves the storage class to the cluster when none is given", () => {
    const { values } = renderHubValues(input({ storageClass: undefined }));
    expect(at(values, "singleuser.storage")).toEqual({ type: "dynamic", capacity: "10Gi" });
    expect(at(values, "hub.db.pvc")).toEqual({ storage: "1Gi" });
  });
});

describe("authentication", () => {
  it("github: organizations with read:org, callback on the hub's https URL", () => {
    const { values, warnings } = renderHubValues(input({ auth: { ...GITHUB, allowedUsers: ["zed", "amy", "zed"], admins: ["amy"] } }));
    expect(at(values, "hub.config")).toEqual({
      JupyterHub: { authenticator_class: "github" },
      GitHubOAuthenticator: {
        client_id: "${var.gh_client_id}",
        client_secret: "${var.gh_client_secret}",
        oauth_callback_url: `https://${HOST}/hub/oauth_callback`,
        allow_all: false,
        allowed_organizations: ["my-class"],
        scope: ["read:org"],
        allowed_users: ["amy", "zed"],
        admin_users: ["amy"],
      },
    });
    expect(warnings).toEqual([]);
  });

  it("github: allowAllAuthenticated becomes allow_all, with a warning", () => {
    const { values, warnings } = renderHubValues(input({ auth: { kind: "github", clientIdRef: "abc123", clientSecretRef: "${var.s}", allowAllAuthenticated: true } }));
    expect(at(values, "hub.config.GitHubOAuthenticator")).toEqual({
      client_id: "abc123",
      client_secret: "${var.s}",
      oauth_callback_url: `https://${HOST}/hub/oauth_callback`,
      allow_all: true,
    });
    expect(warnings).toEqual([
      "GitHub login admits every GitHub account (allowAllAuthenticated): anyone on the internet can start a server on this allocation; list allowedOrganizations or allowedUsers instead",
    ]);
  });

  it("github: without organizations, users or allowAllAuthenticated nobody could log in, which is refused", () => {
    const auth = { kind: "github", clientIdRef: "${var.id}", clientSecretRef: "${var.s}" } as const;
    expect(checkHubValuesInput(input({ auth }))).toEqual([
      {
        code: "hub.auth-allows-nobody",
        message: "GitHub login admits nobody: list 'auth.allowedOrganizations' or 'auth.allowedUsers', or set 'auth.allowAllAuthenticated' to let every GitHub account in",
      },
    ]);
    expect(() => renderHubValues(input({ auth }))).toThrow(/hub\.auth-allows-nobody: GitHub login admits nobody/);
  });

  it("generic oauth: endpoints, claims and group access as oauthenticator 17 reads them", () => {
    const { values, warnings } = renderHubValues(input({ auth: CILOGON }));
    expect(at(values, "hub.config")).toEqual({
      JupyterHub: { authenticator_class: "generic-oauth" },
      GenericOAuthenticator: {
        client_id: "${var.cilogon_client_id}",
        client_secret: "${var.cilogon_client_secret}",
        oauth_callback_url: `https://${HOST}/hub/oauth_callback`,
        authorize_url: "https://cilogon.org/authorize",
        token_url: "https://cilogon.org/oauth2/token",
        userdata_url: "https://cilogon.org/oauth2/userinfo",
        username_claim: "email",
        scope: ["openid", "email", "org.cilogon.userinfo"],
        login_service: "CILogon",
        allow_all: false,
        admin_users: ["ta@example.edu"],
        manage_groups: true,
        allowed_groups: ["CO:COU:class-2026:members:active"],
        auth_state_groups_key: "oauth_user.isMemberOf",
      },
    });
    expect(warnings).toEqual([]);
  });

  it("generic oauth: refuses plain-http endpoints and an allow list that admits nobody", () => {
    const auth = { ...CILOGON, tokenUrl: "http://cilogon.org/oauth2/token", allowedGroups: undefined };
    expect(checkHubValuesInput(input({ auth })).map((p) => p.code)).toEqual(["hub.auth-url", "hub.auth-allows-nobody"]);
    expect(checkHubValuesInput(input({ auth }))[0]!.message).toBe("'auth.tokenUrl' (\"http://cilogon.org/oauth2/token\") must be an https:// URL of the identity provider");
  });

  it("workshop: the shared-password authenticator, any username allowed, and a warning", () => {
    const { values, warnings } = renderHubValues(input({ auth: WORKSHOP }));
    expect(at(values, "hub.config")).toMatchInlineSnapshot(`
      {
        "JupyterHub": {
          "authenticator_class": "shared-password",
        },
        "SharedPasswordAuthenticator": {
          "allow_all": true,
          "user_password": "\${random_password.workshop.result}",
        },
      }
    `);
    expect(warnings).toEqual([
      "workshop login (one shared password): anyone with the password can log in under any username, including another participant's, and see that person's files; use it for short events with nothing private, and hand the password out in the room",
    ]);
  });

  it("workshop: an allow list turns allow_all off; admins need the admin password", () => {
    const auth = { ...WORKSHOP, allowedUsers: ["s01", "s02"], admins: ["teacher"], adminPasswordRef: "${random_password.admin.result}" };
    expect(at(renderHubValues(input({ auth })).values, "hub.config.SharedPasswordAuthenticator")).toEqual({
      user_password: "${random_password.workshop.result}",
      admin_password: "${random_password.admin.result}",
      allow_all: false,
      allowed_users: ["s01", "s02"],
      admin_users: ["teacher"],
    });
    expect(checkHubValuesInput(input({ auth: { ...WORKSHOP, admins: ["teacher"] } }))).toEqual([
      {
        code: "hub.workshop-admins",
        message: "'auth.admins' cannot log in without 'auth.adminPasswordRef': the shared-password login admits admins only with the admin password (at least 32 characters)",
      },
    ]);
  });
});

describe("secrets", () => {
  it.each([
    ["github", GITHUB, "GitHubOAuthenticator", { client_secret: GITHUB.clientSecretRef }],
    ["generic oauth", CILOGON, "GenericOAuthenticator", { client_secret: CILOGON.clientSecretRef }],
    [
      "workshop",
      { ...WORKSHOP, admins: ["t"], adminPasswordRef: "${random_password.admin.result}" },
      "SharedPasswordAuthenticator",
      { user_password: WORKSHOP.passwordRef, admin_password: "${random_password.admin.result}" },
    ],
  ] as const)("%s: only the references given, each in double quotes, listed as sensitive", (_name, auth, section, secrets) => {
    const { values, yaml, sensitive } = renderHubValues(input({ auth }));
    expect(sensitive).toEqual(Object.entries(secrets).map(([key, ref]) => ({ path: `hub.config.${section}.${key}`, ref })));
    for (const [key, ref] of Object.entries(secrets)) {
      expect(at(values, `hub.config.${section}.${key}`)).toBe(ref);
      expect(yaml).toContain(`${key}: "${ref}"`);
    }
    // Nothing else in the output is a reference: every `${` belongs to one that was passed in.
    const passed = Object.values(auth).filter((v): v is string => typeof v === "string" && v.includes("${"));
    const found = [...yaml.matchAll(/\$\{[^}]*\}/g)].map((m) => m[0]);
    expect(new Set(found)).toEqual(new Set(passed));
  });

  it("refuses a secret that is not a Terraform reference", () => {
    const problems = checkHubValuesInput(input({ auth: { ...GITHUB, clientSecretRef: "0123456789abcdef0123" } }));
    expect(problems).toEqual([
      {
        code: "hub.secret-not-reference",
        message:
          "'auth.clientSecretRef' must be a Terraform reference such as \"${var.github_client_secret}\", not the secret itself (and hold no quote, backslash or line break): secrets never go into stack code or synthesized files",
      },
    ]);
    expect(() => renderHubValues(input({ auth: { ...WORKSHOP, passwordRef: "correct horse battery" } }))).toThrow(/'auth\.passwordRef' must be a Terraform reference/);
  });

  it("writes other text as it is (synthesis escapes it for Terraform), YAML 1.1 booleans quoted", () => {
    const { values, yaml } = renderHubValues(input({ auth: { ...CILOGON, loginService: "Campus ${sso}", allowedUsers: ["no", "on"] } }));
    expect(at(values, "hub.config.GenericOAuthenticator.login_service")).toBe("Campus ${sso}");
    expect(yaml).toContain("login_service: Campus ${sso}");
    expect(at(parse(yaml, { version: "1.1" }), "hub.config.GenericOAuthenticator.allowed_users")).toEqual(["no", "on"]);
  });
});

describe("user placeholders", () => {
  it.each([
    [0, true, 0],
    [1, true, 1],
    [10, true, 1],
    [11, true, 2],
    [45, true, 5],
    [200, true, 20],
    [200, false, 0],
  ])("%i users, autoscaling %s → %i placeholders", (users, autoscale, expected) => {
    expect(placeholderCount(users, autoscale)).toBe(expected);
    const { values } = renderHubValues(input({ users, userNodesAutoscale: autoscale }));
    expect(values.scheduling).toEqual({
      userScheduler: { enabled: autoscale },
      podPriority: { enabled: expected > 0 },
      userPlaceholder: { enabled: expected > 0, replicas: expected },
    });
  });

  it("asks for nodes labelled by purpose when told to", () => {
    const { values } = renderHubValues(input({ matchNodePurpose: "require" }));
    expect(at(values, "scheduling.corePods")).toEqual({ nodeAffinity: { matchNodePurpose: "require" } });
    expect(at(values, "scheduling.userPods")).toEqual({ nodeAffinity: { matchNodePurpose: "require" } });
  });
});

describe("idle culling and start timeout", () => {
  it.each([
    [5, 300, 150],
    [10, 600, 300],
    [30, 1800, 600],
    [60, 3600, 600],
    [480, 28800, 600],
  ])("%i idle minutes → timeout %i s, checked every %i s", (minutes, timeout, every) => {
    expect(cullSettings(minutes)).toEqual({ timeout, every });
    expect(renderHubValues(input({ idleCullMinutes: minutes })).values.cull).toEqual({ enabled: true, timeout, every });
  });

  it("culls after an hour and allows ten minutes to start unless told otherwise", () => {
    const { values } = renderHubValues(input());
    expect(values.cull).toEqual({ enabled: true, timeout: 3600, every: 600 });
    expect(at(values, "singleuser.startTimeout")).toBe(600);
    expect(at(renderHubValues(input({ startTimeoutSeconds: 900 })).values, "singleuser.startTimeout")).toBe(900);
  });

  it("refuses a cull sooner than five minutes", () => {
    expect(checkHubValuesInput(input({ idleCullMinutes: 2 }))).toEqual([
      { code: "hub.idle-cull", message: "'idleCullMinutes' (2) must be a whole number of at least 5: sooner, people lose their server while reading" },
    ]);
  });
});

describe("GPU profile", () => {
  it("offers a GPU profile beside the default CPU one when the nodes have GPUs", () => {
    const image = `quay.io/jupyter/pytorch-notebook:cuda12-2025-01-06@${DIGEST}`;
    const { values } = renderHubValues(input({ gpu: { perNode: 4, perUser: 2, image } }));
    expect(at(values, "singleuser.profileList")).toEqual([
      { display_name: "CPU", slug: "cpu", description: "0.5 to 2 CPUs, 2 to 4 GiB memory", default: true },
      {
        display_name: "2 GPUs",
        slug: "gpu",
        description: "0.5 to 2 CPUs, 2 to 4 GiB memory, 2 NVIDIA GPUs",
        kubespawner_override: { extra_resource_limits: { "nvidia.com/gpu": "2" }, extra_pod_config: { runtimeClassName: "nvidia" }, image },
      },
    ]);
  });

  it.each([[undefined], [{ perNode: 0, perUser: 1 }]])("no profile list without GPUs (%j)", (gpu) => {
    expect(at(renderHubValues(input({ gpu })).values, "singleuser.profileList")).toBeUndefined();
  });

  it("refuses more GPUs per user than a node has", () => {
    expect(checkHubValuesInput(input({ gpu: { perNode: 1, perUser: 2 } }))).toEqual([
      { code: "hub.gpu", message: "'gpu.perUser' (2) must be a whole number from 1 to 'gpu.perNode' (1): a user's server runs on one node" },
    ]);
  });
});

describe("no HTTPS", () => {
  it("turns the proxy's HTTPS off, calls back over http and warns", () => {
    const { values, warnings } = renderHubValues(input({ https: undefined }));
    expect(at(values, "proxy.https")).toEqual({ enabled: false });
    expect(at(values, "hub.config.GitHubOAuthenticator.oauth_callback_url")).toBe(`http://${HOST}/hub/oauth_callback`);
    expect(warnings).toEqual([
      `HTTPS is off: logins, session cookies and notebooks cross the network unencrypted to http://${HOST}; give 'https.letsEncryptEmail' (and a DNS name as 'host') for Let's Encrypt certificates`,
    ]);
  });

  it("refuses HTTPS for an address: Let's Encrypt certifies names", () => {
    expect(checkHubValuesInput(input({ host: "149.165.150.7" })).map((p) => p.code)).toEqual(["hub.https-needs-dns-name"]);
    expect(checkHubValuesInput(input({ host: "149.165.150.7", https: undefined }))).toEqual([]);
  });
});

describe("images", () => {
  it.each([
    ["quay.io/jupyter/scipy-notebook:2025-01-06", "quay.io/jupyter/scipy-notebook", "2025-01-06"],
    ["localhost:5000/class/image:1.0", "localhost:5000/class/image", "1.0"],
    ["jupyter/base-notebook:latest", "jupyter/base-notebook", "latest"],
    [`quay.io/jupyter/minimal-notebook:2025-01-06@${DIGEST}`, "quay.io/jupyter/minimal-notebook", `2025-01-06@${DIGEST}`],
  ])("%s → name %s, tag %s", (ref, name, tag) => {
    expect(splitImage(ref)).toEqual({ name, tag });
  });

  it.each([
    ["jupyter/base-notebook", 'image "jupyter/base-notebook" has no tag: the chart pulls "name:tag", so pin one (e.g. "jupyter/base-notebook:2025.01.06")'],
    [
      `jupyter/base-notebook@${DIGEST}`,
      `image "jupyter/base-notebook@${DIGEST}" has no tag: the chart pulls "name:tag", so pin one (e.g. "jupyter/base-notebook:2025.01.06", or "jupyter/base-notebook:<tag>@${DIGEST}")`,
    ],
    ["Jupyter/Base:1", 'image "Jupyter/Base:1" has a malformed repository name (lower-case path components, optionally after a registry host)'],
    ["jupyter/base:1@sha256:abc", 'image "jupyter/base:1@sha256:abc" has a malformed digest (expected repo:tag@sha256:<hex>)'],
  ])("refuses %s", (ref, message) => {
    expect(() => splitImage(ref)).toThrow(message);
  });

  it("memory sizes are KubeSpawner's (G is GiB)", () => {
    expect([memorySize(2), memorySize(0.5), memorySize(1.5)]).toEqual(["2G", "512M", "1536M"]);
  });
});

describe("the chart schema", () => {
  // biome-ignore lint/suspicious/noExplicitAny: the tests break the values at arbitrary paths
  const base = () => structuredClone(renderHubValues(input({ gpu: { perNode: 1, perUser: 1 } })).values) as Record<string, any>;

  it.each([
    ["", "singleUser", 'did you mean "singleuser"'],
    ["hub", "confg", 'did you mean "config"'],
    ["hub.db", "tpye", 'did you mean "type"'],
    ["hub.db.pvc", "storageClass", 'did you mean "storageClassName"'],
    ["proxy", "http", 'did you mean "https"'],
    ["proxy.service", "typ", 'did you mean "type"'],
    ["proxy.https", "host", 'did you mean "hosts"'],
    ["proxy.https.letsencrypt", "contactEmal", 'did you mean "contactEmail"'],
    ["singleuser", "startTimout", 'did you mean "startTimeout"'],
    ["singleuser.cpu", "limt", 'did you mean "limit"'],
    ["singleuser.memory", "gurantee", 'did you mean "guarantee"'],
    ["singleuser.image", "tags", 'did you mean "tag"'],
    ["singleuser.storage", "capcity", 'did you mean "capacity"'],
    ["singleuser.storage.dynamic", "storageClassName", 'did you mean "storageClass"'],
    ["scheduling", "userPlaceholders", 'did you mean "userPlaceholder"'],
    ["scheduling.userScheduler", "enbled", 'did you mean "enabled"'],
    ["scheduling.podPriority", "enable", 'did you mean "enabled"'],
    ["scheduling.userPlaceholder", "replica", 'did you mean "replicas"'],
    ["prePuller", "continous", 'did you mean "continuous"'],
    ["prePuller.hook", "enable", 'did you mean "enabled"'],
    ["prePuller.continuous", "enable", 'did you mean "enabled"'],
    ["cull", "timout", 'did you mean "timeout"'],
  ])("a misspelt key under %s (%s) is an error naming its path", (path, key, hint) => {
    // GIVEN
    const values = base();
    (path ? at(values, path) : values)[key] = 1;
    // WHEN
    const r = parseHubValues(values);
    // THEN
    const where = path ? `${path}.${key}` : key;
    expect(r).toEqual({ ok: false, problems: [`${where}: not a key of the chart's ${path || "top level"} (${hint}?)`] });
  });

  it("accepts the chart's own keys that drover does not write, and open sections as the chart leaves them", () => {
    const values = base();
    values.ingress = { enabled: false };
    values.hub.baseUrl = "/";
    values.singleuser.cloudMetadata = { blockWithIptables: true, ip: "169.254.169.254" };
    values.hub.config.GitHubOAuthenticator.populate_teams_in_auth_state = true;
    values.hub.config.KubeSpawner = { k8s_api_request_timeout: 10 };
    values.singleuser.profileList[1].profile_options = {};
    expect(parseHubValues(values).ok).toBe(true);
  });

  it("reports every wrong type at once, each with its path", () => {
    const values = base();
    values.singleuser.cpu.limit = "2";
    values.singleuser.memory.guarantee = "2Gi";
    values.singleuser.startTimeout = 1.5;
    values.singleuser.storage.capacity = "10GB";
    values.cull.enabled = "yes";
    values.proxy.service.type = "LoadBalancr";
    values.scheduling.userPlaceholder.replicas = -1;
    values.hub.config.GitHubOAuthenticator.allowed_users = "amy";
    values.hub.config.jupyterhub = {};
    delete values.singleuser.image.tag;
    const r = parseHubValues(values);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : [...r.problems].sort()).toEqual([
      "cull.enabled: Invalid input: expected boolean, received string",
      "hub.config.GitHubOAuthenticator.allowed_users: Invalid input: expected array, received string",
      "hub.config.jupyterhub: not a Configurable class name (hub.config sections start with a capital letter, e.g. JupyterHub)",
      'proxy.service.type: Invalid option: expected one of "ClusterIP"|"NodePort"|"LoadBalancer"|"ExternalName"',
      "scheduling.userPlaceholder.replicas: Too small: expected number to be >=0",
      "singleuser.cpu.limit: Invalid input: expected number, received string",
      "singleuser.image.tag: is required",
      'singleuser.memory.guarantee: must be a byte count or a number with K, M, G or T (powers of 1024, e.g. "2G"); KubeSpawner does not read Kubernetes units such as "2Gi"',
      "singleuser.startTimeout: Invalid input: expected int, received number",
      'singleuser.storage.capacity: must be a Kubernetes quantity, e.g. "10Gi"',
    ]);
  });
});
