import type { z as Z } from "zod";
import { zod } from "../vendor.ts";
import { checkShape, type ShapeIssue } from "./check.ts";

/**
 * One schema per construct and cloud profile: the shape of its props (types, known keys,
 * numbers that are numbers). The constructs check their props against these before anything
 * else (`checkShape`), and their own rules (ranges, names, CIDRs, keys, rules across props) once
 * the shape is right. JupyterHubCluster's schema, which carries its rules too, is
 * lib/jupyterhub/props.ts.
 */

/** Something with a network ID: a `Network` or `Network.fromExisting(...)`. */
const isNetwork = (v: unknown) => typeof v === "object" && v !== null && "networkId" in v;

function build() {
  const z = zod();
  const text = (what: string) => z.string({ error: `must be ${what}` });
  const flag = (what: string) => z.boolean({ error: `must be true or false (${what})` });
  const number = (what: string) => z.number({ error: `must be ${what}` });
  const list = <T extends Z.ZodType>(of: T, what: string) => z.array(of, { error: `must be a list of ${what}` });
  const size = z.union(
    [
      z.string(),
      z.strictObject({
        vcpus: number("a whole number of vCPUs, at least 1"),
        memoryGiB: number("GiB of memory, above 0"),
        gpu: number("a share of GPUs from 0 to 8 (0.25 = a quarter of one)").optional(),
      }),
    ],
    { error: 'must be a flavor name ("m3.small") or what the machine needs ({ vcpus: 4, memoryGiB: 16, gpu?: 1 })' },
  );
  const cidrs = list(text('an address range, e.g. "203.0.113.0/24"'), 'address ranges, e.g. ["203.0.113.0/24"]');
  const key = text("an OpenSSH public key: the content of ~/.ssh/id_ed25519.pub");
  const image = text('an image name, e.g. "Featured-Ubuntu24"');
  const network = z.custom<object>(isNetwork, { error: 'must be a network: new Network(stack, "net") or Network.fromExisting(stack, "net", { name })' });
  const sizeOnly = z.strictObject({ size }, { error: "must be { size }" });

  const virtualMachine = z.strictObject({
    size,
    image: image.optional(),
    network: network.optional(),
    allowSshFrom: cidrs.optional(),
    allowPingFrom: cidrs.optional(),
    publicKey: key.optional(),
    keyPairName: text("the name of a key pair registered with the cloud").optional(),
    publicAddress: flag("a public address, or none").optional(),
    volumes: list(
      z.strictObject({
        name: text('a volume name, e.g. "data"'),
        sizeGiB: number("a whole number of GiB from 1 to 10240"),
        mountPath: text('an absolute path, e.g. "/media/volume/data"').optional(),
        volumeType: text("the cloud's volume type").optional(),
        protect: flag("protected from destroy").optional(),
      }),
      'volumes: [{ name: "data", sizeGiB: 100 }]',
    ).optional(),
    rootVolumeGiB: number("a whole number of GiB from 20 to 10240").optional(),
    packages: list(text("a package name"), 'package names, e.g. ["htop"]').optional(),
    bootCommands: list(text("a shell command"), 'shell commands, e.g. ["echo hello"]').optional(),
    sshUser: text('the image\'s login account, e.g. "ubuntu"').optional(),
  });

  const slurmCluster = z.strictObject({
    controller: sizeOnly,
    login: sizeOnly.optional(),
    partitions: list(
      z.strictObject({
        name: text('a partition name, e.g. "cpu"'),
        size,
        nodes: number("a whole number of static nodes, 0 or more").optional(),
        elastic: z
          .strictObject({ max: number("the partition's largest number of nodes"), idleMinutes: number("minutes a node may sit idle").optional() }, { error: "must be { max, idleMinutes? }" })
          .optional(),
        default: flag("Slurm's default partition").optional(),
        gpu: flag("a GPU partition").optional(),
      }),
      'partitions: [{ name: "cpu", size: "m3.quad", nodes: 2 }]',
    ),
    sharedStorage: z
      .strictObject(
        {
          kind: z.enum(["nfs", "manila"], { error: 'must be "nfs" or "manila"' }).optional(),
          homeGiB: number("a whole number of GiB from 1 to 10240").optional(),
          softwareGiB: number("a whole number of GiB from 1 to 10240").optional(),
          protocol: z.enum(["NFS", "CEPHFS"], { error: 'must be "NFS" or "CEPHFS"' }).optional(),
        },
        { error: 'must be { kind?: "nfs" | "manila", homeGiB?, softwareGiB?, protocol? }' },
      )
      .optional(),
    allowSshFrom: cidrs.optional(),
    users: list(
      z.strictObject({
        name: text('an account name, e.g. "alice"'),
        publicKey: z.union([key, z.array(key)], { error: "must be an OpenSSH public key, or a list of them" }),
        uid: number("a whole number from 1000 to 2147483647").optional(),
      }),
      'users: [{ name: "alice", publicKey: "ssh-ed25519 AAAA... alice@laptop" }]',
    ).optional(),
    accounting: flag("slurmdbd with MariaDB").optional(),
    image: image.optional(),
    adminPublicKey: key.optional(),
    cidr: text('a private IPv4 range from /16 to /21, e.g. "10.42.0.0/16"').optional(),
    restrictCredential: flag("limit the elastic nodes' credential with access rules").optional(),
    applicationCredential: z
      .enum(["create", "provided"], {
        error: 'must be "create" (the stack creates one; deploy with an unrestricted credential) or "provided" (you create one and pass its ID and secret at deploy time)',
      })
      .optional(),
    imageHasNvidiaDriver: flag("the image carries the NVIDIA driver").optional(),
  });

  const port = (what: string) => number(`a port from 1 to 65535 (${what})`);
  const gatewayHost = z.strictObject({
    size,
    hostname: text('one DNS label, e.g. "portal"').optional(),
    domain: text('a full host name, e.g. "portal.example.org"').optional(),
    app: z
      .strictObject(
        {
          image: text('a container image with its registry, e.g. "ghcr.io/example/portal:1.4"'),
          port: port("the app's port"),
          env: z.record(z.string(), z.string({ error: 'must be text: quote it, e.g. "5"' }), { error: 'must be { NAME: "value" }' }).optional(),
          dataMountPath: text('a path inside the container, e.g. "/data"').optional(),
        },
        { error: "must be { image, port, env?, dataMountPath? }" },
      )
      .optional(),
    upstream: z.strictObject({ port: port("where your software listens") }, { error: "must be { port }" }).optional(),
    tls: z.strictObject(
      { letsEncryptEmail: text("an email address for Let's Encrypt") },
      { error: `must be { letsEncryptEmail: "you@example.org" }: the gateway serves HTTPS with Let's Encrypt certificates, and Let's Encrypt sends expiry notices there` },
    ),
    allowSshFrom: cidrs.optional(),
    publicKey: key.optional(),
    dataVolumeGiB: number("a whole number of GiB from 1 to 10240").optional(),
    maxBodyMiB: number("a whole number of MiB").optional(),
    proxyTimeoutSeconds: number("a whole number of seconds").optional(),
    image: image.optional(),
    network: network.optional(),
  });

  const networkProps = z.strictObject({
    cidr: text('a private IPv4 range, e.g. "10.0.0.0/24"').optional(),
    internetAccess: flag("routed to the internet").optional(),
    dnsNameservers: list(text("an IPv4 address"), 'IPv4 addresses, e.g. ["1.1.1.1"]').optional(),
  });
  const networkLookup = z.strictObject({
    name: text("the existing network's name").optional(),
    id: text("the existing network's ID").optional(),
  });

  const stack = z.strictObject({
    cloud: z.custom<object>((v) => typeof v === "object" && v !== null && typeof (v as { createDriver?: unknown }).createDriver === "function", {
      error: "must be a cloud profile: jetstream2(), openstack({...}), aws({ region }), gcp({ project, region }) or azure({ location })",
    }),
    owner: text("a user name or an e-mail address").optional(),
    expiresAt: text('a date in YYYY-MM-DD form, e.g. "2026-12-31"').optional(),
    description: text("one line saying what the stack is for").optional(),
    backend: z.custom<object>((v) => typeof v === "object" && v !== null, { error: 'must be backend settings, e.g. { type: "local" }' }).optional(),
  });

  const lookup = z.union([z.literal("new"), z.strictObject({ name: z.string().optional(), id: z.string().optional() })], { error: 'must be "new", { name: "..." } or { id: "..." }' });
  const flavor = z.strictObject({
    name: text('a flavor name, e.g. "m1.large"'),
    vcpus: number("a whole number of vCPUs, at least 1"),
    memoryGiB: number("GiB of memory, above 0"),
    rootDiskGiB: number("GiB of root disk, 0 or more"),
    gpu: number("a share of GPUs, 0 for none"),
    gpuModel: z.string().optional(),
    family: z.enum(["cpu", "large-memory", "gpu"], { error: 'must be "cpu", "large-memory" or "gpu"' }),
    suPerHour: number("the units charged per hour, 0 or more"),
    onRequest: z.boolean().optional(),
    custom: z.boolean().optional(),
  });
  const openstack = z.strictObject({
    region: text('a region name, e.g. "RegionOne"').optional(),
    cloud: text("an entry of clouds.yaml").optional(),
    externalNetwork: text('the external network\'s name, e.g. "public"').optional(),
    flavors: list(flavor, "flavors: [{ name, vcpus, memoryGiB, rootDiskGiB, gpu, family, suPerHour }]").optional(),
    images: list(
      z
        .strictObject({
          name: text("an image name"),
          loginUser: text('the image\'s login account, e.g. "ubuntu"'),
          family: z.enum(["ubuntu", "rocky", "alma", "debian"], { error: 'must be "ubuntu", "rocky", "alma" or "debian"' }),
        })
        .loose(),
      "images: [{ name, loginUser, family }]",
    ).optional(),
    defaultImage: image.optional(),
    network: lookup.optional(),
    name: text('a short name for listings, e.g. "mycloud"').optional(),
  });
  const jetstream2 = z.strictObject({
    region: text('a Jetstream2 region, e.g. "IU"').optional(),
    cloud: text("an entry of clouds.yaml").optional(),
    network: z.enum(["new", "auto-allocated"], { error: 'must be "new" or "auto-allocated"' }).optional(),
    allocation: text('an allocation name, e.g. "bio230123"').optional(),
    allocationType: z.enum(["research", "education", "trial"], { error: 'must be "research", "education" or "trial" (a startup allocation is "research")' }).optional(),
  });
  const keysOnly = (keys: readonly string[]) => z.strictObject(Object.fromEntries(keys.map((k) => [k, z.unknown().optional()])));
  return {
    virtualMachine,
    slurmCluster,
    gatewayHost,
    network: networkProps,
    networkLookup,
    stack,
    openstack,
    jetstream2,
    aws: keysOnly(["region", "profile", "vpc", "hostedZone"]),
    gcp: keysOnly(["project", "region", "zone", "network", "dnsZone", "credentialsFile"]),
    azure: keysOnly(["location", "subscriptionId", "resourceGroup", "network", "dnsZone"]),
    cloudChoices: keysOnly(["jetstream2", "openstack", "aws", "gcp", "azure"]),
  };
}

let schemas: ReturnType<typeof build> | undefined;

export type PropsSchema = keyof ReturnType<typeof build>;

/**
 * Checks props against the named schema: every shape problem, each as `{ code, message }` with
 * `prefix` starting its code. A props object that is not an object at all is one problem.
 */
export function checkProps(name: PropsSchema, props: unknown, prefix: string): ShapeIssue[] {
  if (props === undefined || props === null || typeof props !== "object" || Array.isArray(props)) {
    return [{ code: `${prefix}.bad-props`, message: `the props must be an object ({ ... }), got ${props === undefined ? "nothing" : (JSON.stringify(props) ?? String(props))}` }];
  }
  return checkShape((schemas ??= build())[name], props, prefix);
}
