import { type DroverStack, GatewayHost, JupyterHubCluster, Network, SlurmCluster, VirtualMachine, jetstream2, openstack } from "../../constructs/index.ts";
import { testPublicKey } from "../support/keys.ts";

/**
 * The corpus's bad input that goes through construct props (built in-process, the way the app
 * builds them, and printed by the CLI's own error printer): wrong types for every prop of every
 * construct and profile, Terraform, shell and YAML syntax in every string a person gives, and
 * secrets written where a credential check must find them.
 */
// biome-ignore lint/suspicious/noExplicitAny: props deliberately of the wrong types
export type Json = Record<string, any>;
type Make = (stack: DroverStack, props: Json) => unknown;

const key = testPublicKey("me@laptop");
export type Kind = "string" | "number" | "boolean" | "list" | "object" | "size" | "network";

/** A construct or profile: valid props, and each top-level prop's kind. */
export interface Subject {
  readonly name: string;
  /** Where messages about it say the problem is: `lab/box`, `jetstream2()`. */
  readonly place: string;
  readonly props: Json;
  readonly kinds: Readonly<Record<string, Kind>>;
  readonly make: Make;
  /** For a profile: the props build the cloud, the stack takes a machine. */
  readonly profile?: (props: Json) => DroverStack["cloud"];
}

const hub = (extra: Json = {}) => ({
  users: 20,
  profile: { cpu: 1, memoryGiB: 2 },
  image: "quay.io/jupyter/scipy-notebook:2025-10-20",
  auth: {
    kind: "oauth",
    clientId: "cilogon:/client_id/abc",
    authorizeUrl: "https://cilogon.org/authorize",
    tokenUrl: "https://cilogon.org/oauth2/token",
    userdataUrl: "https://cilogon.org/oauth2/userinfo",
    allowedUsers: ["a@uni.edu"],
    admins: ["b@uni.edu"],
  },
  https: { letsEncryptEmail: "ops@example.org" },
  allowSshFrom: ["203.0.113.0/24"],
  adminPublicKey: key,
  ...extra,
});

export const SUBJECTS: readonly Subject[] = [
  {
    name: "VirtualMachine",
    place: "lab/box",
    props: {
      size: "m3.small",
      image: "ubuntu-custom",
      sshUser: "ubuntu",
      allowSshFrom: ["203.0.113.0/24"],
      allowPingFrom: ["198.51.100.0/24"],
      publicKey: key,
      publicAddress: true,
      volumes: [{ name: "data", sizeGiB: 10, mountPath: "/media/volume/data", volumeType: "ssd" }],
      packages: ["htop"],
      bootCommands: ["echo hello"],
      rootVolumeGiB: 40,
    },
    kinds: {
      size: "size",
      image: "string",
      sshUser: "string",
      allowSshFrom: "list",
      allowPingFrom: "list",
      publicKey: "string",
      publicAddress: "boolean",
      volumes: "list",
      packages: "list",
      bootCommands: "list",
      rootVolumeGiB: "number",
      keyPairName: "string",
      network: "network",
    },
    make: (stack, props) => new VirtualMachine(stack, "box", props as never),
  },
  {
    name: "SlurmCluster",
    place: "lab/hpc",
    props: {
      controller: { size: "m3.medium" },
      login: { size: "m3.small" },
      partitions: [{ name: "cpu", size: "m3.quad", nodes: 1, elastic: { max: 3 } }],
      allowSshFrom: ["203.0.113.0/24"],
      users: [{ name: "alice", publicKey: key }],
      image: "Featured-Ubuntu24",
      adminPublicKey: key,
      cidr: "10.42.0.0/16",
      sharedStorage: { homeGiB: 100 },
      accounting: false,
      restrictCredential: true,
    },
    kinds: {
      controller: "object",
      login: "object",
      partitions: "list",
      allowSshFrom: "list",
      users: "list",
      image: "string",
      adminPublicKey: "string",
      cidr: "string",
      sharedStorage: "object",
      accounting: "boolean",
      restrictCredential: "boolean",
    },
    make: (stack, props) => new SlurmCluster(stack, "hpc", props as never),
  },
  {
    name: "GatewayHost",
    place: "lab/portal",
    props: {
      size: "m3.medium",
      domain: "portal.example.org",
      app: { image: "ghcr.io/example/portal:1.4", port: 8000, env: { MODE: "prod" }, dataMountPath: "/data" },
      tls: { letsEncryptEmail: "ops@example.org" },
      allowSshFrom: ["203.0.113.0/24"],
      publicKey: key,
      dataVolumeGiB: 10,
      image: "Featured-Ubuntu24",
      maxBodyMiB: 50,
      proxyTimeoutSeconds: 30,
    },
    kinds: {
      size: "size",
      domain: "string",
      app: "object",
      tls: "object",
      allowSshFrom: "list",
      publicKey: "string",
      dataVolumeGiB: "number",
      image: "string",
      maxBodyMiB: "number",
      proxyTimeoutSeconds: "number",
      network: "network",
    },
    make: (stack, props) => new GatewayHost(stack, "portal", props as never),
  },
  {
    name: "JupyterHubCluster",
    place: "lab/hub",
    props: hub(),
    kinds: {
      users: "number",
      profile: "object",
      image: "string",
      auth: "object",
      https: "object",
      allowSshFrom: "list",
      adminPublicKey: "string",
      idleCullMinutes: "number",
      kubernetes: "string",
      nodes: "object",
      hours: "object",
      domain: "string",
    },
    make: (stack, props) => new JupyterHubCluster(stack, "hub", props as never),
  },
  {
    name: "Network",
    place: "lab/net",
    props: { cidr: "10.20.0.0/24", internetAccess: true, dnsNameservers: ["1.1.1.1"] },
    kinds: { cidr: "string", internetAccess: "boolean", dnsNameservers: "list" },
    make: (stack, props) => new Network(stack, "net", props as never),
  },
  {
    name: "Network.fromExisting",
    place: "lab/net",
    props: { name: "shared-net" },
    kinds: { name: "string", id: "string" },
    make: (stack, props) => new VirtualMachine(stack, "box", { size: "m3.small", network: Network.fromExisting(stack, "net", props as never) }),
  },
  {
    name: "jetstream2()",
    place: "jetstream2()",
    props: { region: "IU", cloud: "my-cloud", allocation: "bio230123", allocationType: "research", network: "new" },
    kinds: { region: "string", cloud: "string", allocation: "string", allocationType: "string", network: "string" },
    profile: (props) => jetstream2(props as never),
    make: (stack) => new VirtualMachine(stack, "box", { size: "m3.small" }),
  },
  {
    name: "openstack()",
    place: "openstack()",
    props: {
      region: "RegionOne",
      cloud: "lab",
      externalNetwork: "ext-net",
      defaultImage: "Ubuntu 24.04",
      name: "lab",
      flavors: [{ name: "m1.small", vcpus: 2, memoryGiB: 4, rootDiskGiB: 20, gpu: 0, family: "cpu", suPerHour: 2 }],
      images: [{ name: "Ubuntu 24.04", loginUser: "ubuntu", family: "ubuntu" }],
    },
    kinds: { region: "string", cloud: "string", externalNetwork: "string", defaultImage: "string", name: "string", flavors: "list", images: "list", network: "object" },
    profile: (props) => openstack(props as never),
    make: (stack) => new VirtualMachine(stack, "box", { size: "m1.small", publicAddress: true }),
  },
];

/** Values that are not of each kind (and, for numbers, numbers that are not valid sizes). */
const NOT: Readonly<Record<Kind, ReadonlyArray<readonly [string, unknown]>>> = {
  string: [
    ["a number", 42],
    ["true", true],
    ["a list", ["x"]],
    ["an object", { x: 1 }],
    ["null", null],
    ["NaN", Number.NaN],
    ["a function", () => "x"],
  ],
  number: [
    ["a string", "10"],
    ["true", true],
    ["a list", [1]],
    ["an object", {}],
    ["null", null],
    ["NaN", Number.NaN],
    ["Infinity", Infinity],
    ["-1", -1],
  ],
  boolean: [
    ["a string", "yes"],
    ["1", 1],
    ["a list", []],
    ["null", null],
  ],
  list: [
    ["a string", "x"],
    ["a number", 42],
    ["an object", {}],
    ["null", null],
    ["a list of numbers", [42]],
  ],
  object: [
    ["a string", "x"],
    ["a number", 42],
    ["a list", []],
    ["null", null],
    ["true", true],
  ],
  size: [
    ["a number", 42],
    ["true", true],
    ["a list", []],
    ["null", null],
    ["an object with a misspelt key", { vcpus: 2, memoryGiB: 4, gpus: 1 }],
  ],
  network: [
    ["a string", "net"],
    ["a number", 42],
    ["an empty object", {}],
    ["null", null],
  ],
};

export interface PropsCase {
  readonly kind: "props";
  readonly name: string;
  readonly subject: Subject;
  readonly props: Json;
  /** The prop the message must name. */
  readonly prop: string;
}

export const PROPS_CASES: readonly PropsCase[] = SUBJECTS.flatMap((subject) =>
  Object.entries(subject.kinds).flatMap(([prop, kind]) =>
    NOT[kind].map(([what, value]): PropsCase => ({ kind: "props", name: `${subject.name} '${prop}' as ${what}`, subject, props: { ...subject.props, [prop]: value }, prop })),
  ),
);

/** Unknown and misspelt keys, at the top and nested. */
export const MISSPELT_CASES: readonly PropsCase[] = [
  ["VirtualMachine", "publicAdress"],
  ["VirtualMachine", "flavour"],
  ["VirtualMachine", "allowSSHFrom"],
  ["SlurmCluster", "acounting"],
  ["SlurmCluster", "partition"],
  ["GatewayHost", "letsEncryptEmail"],
  ["JupyterHubCluster", "idleCulMinutes"],
  ["Network", "cidrs"],
  ["jetstream2()", "alocation"],
  ["openstack()", "externalNetworks"],
].map(([name, key]) => {
  const subject = SUBJECTS.find((s) => s.name === name)!;
  return { kind: "props", name: `${name} with an unknown key '${key}'`, subject, props: { ...subject.props, [key!]: "x" }, prop: key! };
});

/** Text that Terraform, a shell, YAML or a terminal would read as more than text. */
export const PAYLOADS: ReadonlyArray<readonly [string, string]> = [
  ["a Terraform interpolation", '${file("/etc/passwd")}'],
  ["a Terraform directive", "%{ for x in [1] }y%{ endfor }"],
  ["an escaped interpolation", "$${keep}"],
  ["a reference to a secret variable", "${var.hub_oauth_client_secret}"],
  ["a command substitution", "$(reboot)"],
  ["backquotes", "`id`"],
  ["a YAML break-out", "x\n- runcmd: [reboot]"],
  ["a terminal escape", "\u001b]0;owned\u0007"],
];

export interface InjectionCase {
  readonly kind: "injection";
  readonly name: string;
  readonly subject: Subject;
  readonly props: Json;
  readonly path: string;
  readonly payload: string;
}

/** Every string of the VM's, the gateway's and the hub's props, with each payload in its place. */
export const INJECTION_CASES: readonly InjectionCase[] = ["VirtualMachine", "GatewayHost", "JupyterHubCluster", "openstack()"].flatMap((name) => {
  const subject = SUBJECTS.find((s) => s.name === name)!;
  return stringPaths(subject.props)
    .filter((path) => path !== "size" && !/^auth\.(authorizeUrl|tokenUrl|userdataUrl)$/.test(path))
    .flatMap((path) =>
      PAYLOADS.filter((_, i) => (path.length + i) % 2 === 0 || i < 2).map(
        ([what, payload]): InjectionCase => ({ kind: "injection", name: `${name} '${path}' holding ${what}`, subject, props: setAt(subject.props, path, payload), path, payload }),
      ),
    );
});

export interface SecretCase {
  readonly kind: "secrets";
  readonly name: string;
  readonly build: (stack: DroverStack) => unknown;
  readonly secret: string;
  readonly place: string;
}

const GH = ["ghp_", "gho_", "ghs_"].map((p, i) => `${p}${`Q${i}w7Er9Ty3Ui5Op1As3Df5Gh7Jk9Lz2Xc4Vb6`.slice(0, 36)}`);
const PASSWORDS = ["Corr3ct-Horse-Battery", "hunter2-db-pass", "Sup3r.S3cret!"];
export const SECRET_CASES: readonly SecretCase[] = [
  ...["DB_PASSWORD", "SECRET_KEY", "API_TOKEN", "AWS_SECRET_ACCESS_KEY", "OS_PASSWORD", "POSTGRES_PASSWORD", "DJANGO_SECRET_KEY", "SMTP_PASS"].flatMap((name) =>
    PASSWORDS.map(
      (secret): SecretCase => ({
        kind: "secrets",
        name: `a gateway env ${name}`,
        secret,
        place: "lab/portal",
        build: (stack) =>
          new GatewayHost(stack, "portal", {
            size: "m3.medium",
            domain: "portal.example.org",
            app: { image: "ghcr.io/x/p:1", port: 8000, env: { [name]: secret } },
            tls: { letsEncryptEmail: "a@example.org" },
          }),
      }),
    ),
  ),
  ...PASSWORDS.flatMap(
    (secret) =>
      [
        {
          kind: "secrets",
          name: "chpasswd in a boot command",
          secret,
          place: "lab/box",
          build: (stack: DroverStack) => new VirtualMachine(stack, "box", { size: "m3.small", bootCommands: [`echo 'ubuntu:${secret}' | chpasswd`] }),
        },
        {
          kind: "secrets",
          name: "an exported password in a boot command",
          secret,
          place: "lab/box",
          build: (stack: DroverStack) => new VirtualMachine(stack, "box", { size: "m3.small", bootCommands: [`export DB_PASSWORD='${secret}'`] }),
        },
      ] as SecretCase[],
  ),
  ...GH.flatMap(
    (secret) =>
      [
        {
          kind: "secrets",
          name: "a GitHub token as the hub's client ID",
          secret,
          place: "lab/hub",
          build: (stack: DroverStack) => new JupyterHubCluster(stack, "hub", hub({ auth: { kind: "github", clientId: secret, allowedOrganizations: ["org"] } }) as never),
        },
        {
          kind: "secrets",
          name: "a GitHub token in a boot command",
          secret,
          place: "lab/box",
          build: (stack: DroverStack) => new VirtualMachine(stack, "box", { size: "m3.small", bootCommands: [`git clone https://${secret}@github.com/org/repo`] }),
        },
      ] as SecretCase[],
  ),
  ...["0123456789abcdef0123456789abcdef01234567", "fedcba9876543210fedcba9876543210fedcba98"].map(
    (secret): SecretCase => ({
      kind: "secrets",
      name: "a GitHub client secret as the client ID",
      secret,
      place: "lab/hub",
      build: (stack) => new JupyterHubCluster(stack, "hub", hub({ auth: { kind: "github", clientId: secret, allowedOrganizations: ["org"] } }) as never),
    }),
  ),
];

/** Every path to a string in `value`, as `a.b[0].c`. */
export function stringPaths(value: unknown, path = ""): string[] {
  if (typeof value === "string") return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => stringPaths(v, path ? `${path}.${k}` : k));
  return [];
}

export function setAt(root: Json, path: string, value: string): Json {
  const copy = structuredClone(root);
  const parts = path.match(/[^.[\]]+/g)!.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  let node: Json = copy;
  for (const p of parts.slice(0, -1)) node = node[p as never];
  node[parts[parts.length - 1] as never] = value as never;
  return copy;
}
