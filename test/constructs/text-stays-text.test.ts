import { describe, expect, it } from "vitest";
import type { Construct } from "constructs";
import { type DroverStack, GatewayHost, JupyterHubCluster, Network, SlurmCluster, VirtualMachine, jetstream2, openstack, type CloudProfile } from "../../constructs/index.ts";
import { isDroverError } from "../../lib/errors.ts";
import { unescapeTerraformText } from "../../lib/terraform/text.ts";
import { yaml } from "../../lib/vendor.ts";
import { testPublicKey } from "../support/keys.ts";
import { newStack, synthJson, type Json } from "../support/synth.ts";

/**
 * Text stays text, walked over every string a person gives: every string prop of every
 * construct and cloud profile, with Terraform syntax appended to it and in place of it. Each is
 * either refused (a ValidationError naming the prop) or synthesized with the syntax escaped in
 * every string of the Terraform JSON, and as a plain string in every rendered YAML file.
 */
const PAYLOAD = '${file("/etc/hostname")}%{ if true }x%{ endif }';
const LIVE = [/(^|[^$])\$\{file\(/, /(^|[^%])%\{ if true/];
const key = testPublicKey("me@laptop");

interface Subject {
  readonly name: string;
  readonly props: Json;
  readonly build: (stack: DroverStack, props: Json) => void;
  /** The cloud, from the profile props when the subject walks those. */
  readonly cloud?: (props: Json) => CloudProfile;
  /** Props paths the issue names: they must be accepted, and escaped. */
  readonly mustAccept?: readonly string[];
}

const hub = (auth: Json, extra: Json = {}) => ({
  users: 20,
  profile: { cpu: 1, memoryGiB: 2 },
  image: "quay.io/jupyter/scipy-notebook:2025-10-20",
  auth,
  https: { letsEncryptEmail: "ops@example.org" },
  allowSshFrom: ["203.0.113.0/24"],
  adminPublicKey: key,
  ...extra,
});

const SUBJECTS: readonly Subject[] = [
  {
    name: "VirtualMachine",
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
    },
    build: (stack, props) => new VirtualMachine(stack, "box", props as never),
    mustAccept: ["publicKey", "image", "volumes[0].volumeType", "bootCommands[0]"],
  },
  {
    name: "VirtualMachine with a key pair",
    props: { size: { vcpus: 2, memoryGiB: 4 }, keyPairName: "lab-key", allowSshFrom: ["203.0.113.0/24"] },
    build: (stack, props) => new VirtualMachine(stack, "box", props as never),
  },
  {
    name: "SlurmCluster",
    props: {
      controller: { size: "m3.medium" },
      login: { size: "m3.small" },
      partitions: [{ name: "cpu", size: "m3.quad", nodes: 1, elastic: { max: 3 } }],
      allowSshFrom: ["203.0.113.0/24"],
      users: [{ name: "alice", publicKey: key }],
      image: "Featured-Ubuntu24",
      adminPublicKey: key,
      cidr: "10.42.0.0/16",
    },
    build: (stack, props) => new SlurmCluster(stack, "hpc", props as never),
    mustAccept: ["adminPublicKey", "users[0].publicKey"],
  },
  {
    name: "SlurmCluster with static nodes only",
    props: { controller: { size: "m3.medium" }, partitions: [{ name: "cpu", size: "m3.quad", nodes: 1 }], image: "ubuntu-custom" },
    build: (stack, props) => new SlurmCluster(stack, "hpc", props as never),
    mustAccept: ["image"],
  },
  {
    name: "JupyterHubCluster (GitHub, k3s)",
    props: hub({ kind: "github", clientId: "Ov23liExample", allowedOrganizations: ["class"], admins: ["teacher"] }),
    build: (stack, props) => new JupyterHubCluster(stack, "hub", props as never),
    mustAccept: ["adminPublicKey"],
  },
  {
    name: "JupyterHubCluster (OAuth, Magnum)",
    props: hub(
      {
        kind: "oauth",
        clientId: "cilogon:/client_id/abc",
        authorizeUrl: "https://cilogon.org/authorize",
        tokenUrl: "https://cilogon.org/oauth2/token",
        userdataUrl: "https://cilogon.org/oauth2/userinfo",
        allowedUsers: ["a@uni.edu"],
        admins: ["b@uni.edu"],
        loginService: "CILogon",
      },
      { kubernetes: "magnum" },
    ),
    build: (stack, props) => new JupyterHubCluster(stack, "hub", props as never),
    mustAccept: ["auth.clientId", "auth.admins[0]"],
  },
  {
    name: "JupyterHubCluster (workshop)",
    props: hub({ kind: "workshop", allowedUsers: ["student1"], admins: ["teacher"] }),
    build: (stack, props) => new JupyterHubCluster(stack, "hub", props as never),
    mustAccept: ["auth.admins[0]"],
  },
  {
    name: "GatewayHost",
    props: {
      size: "m3.medium",
      domain: "portal.example.org",
      app: { image: "ghcr.io/example/portal:1.4", port: 8000, env: { MODE: "prod" }, dataMountPath: "/data" },
      tls: { letsEncryptEmail: "ops@example.org" },
      allowSshFrom: ["203.0.113.0/24"],
      publicKey: key,
      dataVolumeGiB: 10,
      image: "Featured-Ubuntu24",
    },
    build: (stack, props) => new GatewayHost(stack, "portal", props as never),
    mustAccept: ["publicKey", "image", "app.env.MODE"],
  },
  {
    name: "Network.fromExisting",
    props: { name: "shared-net" },
    build: (stack, props) => new VirtualMachine(stack, "box", { size: "m3.small", network: Network.fromExisting(stack, "net", props as never) }),
    mustAccept: ["name"],
  },
  {
    name: "jetstream2()",
    props: { region: "IU", cloud: "my-cloud", allocation: "bio230123" },
    cloud: (props) => jetstream2(props as never),
    build: (stack) => new VirtualMachine(stack, "box", { size: "m3.small" }),
    mustAccept: ["cloud"],
  },
  {
    name: "openstack()",
    props: { region: "RegionOne", cloud: "lab", externalNetwork: "ext-net", defaultImage: "Ubuntu 24.04", name: "lab" },
    cloud: (props) => openstack(props as never),
    build: (stack) => new VirtualMachine(stack, "box", { size: "m1.small", sshUser: "ubuntu", publicAddress: true }),
    mustAccept: ["externalNetwork", "defaultImage", "cloud"],
  },
];

/** Every path to a string in `value`, as `a.b[0].c`. */
function stringPaths(value: unknown, path = ""): string[] {
  if (typeof value === "string") return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => stringPaths(v, path ? `${path}.${k}` : k));
  return [];
}

function setAt(root: Json, path: string, change: (old: string) => string): Json {
  const copy = structuredClone(root);
  const parts = path.match(/[^.[\]]+/g)!.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  let node: Json = copy;
  for (const p of parts.slice(0, -1)) node = node[p as never];
  const last = parts[parts.length - 1]!;
  node[last as never] = change(node[last as never] as string) as never;
  return copy;
}

/** Every string of the JSON (keys too). */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

type Outcome = { kind: "refused"; message: string } | { kind: "text"; json: Json; files: ReadonlyMap<string, string> };

function attempt(subject: Subject, props: Json): Outcome {
  try {
    const { stack } = subject.cloud ? newStack("lab", { cloud: subject.cloud(props) }) : newStack("lab", { cloud: jetstream2({ allocation: "bio230123" }) });
    subject.build(stack, subject.cloud ? {} : props);
    const json = synthJson(stack);
    return { kind: "text", json, files: (stack as unknown as { renderedFiles: Map<string, string> }).renderedFiles };
  } catch (e) {
    if (isDroverError(e)) return { kind: "refused", message: `${e.message}\n${e.details.join("\n")}` };
    throw e;
  }
}

/** Scalars of every YAML file that names the payload. */
function yamlScalars(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [name, text] of files) {
    if (!/\.ya?ml$/.test(name) || !text.includes('file("/etc/hostname")')) continue;
    const walk = (v: unknown): void => {
      if (typeof v === "string") out.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    for (const doc of yaml().parseAllDocuments(text)) {
      expect({ name, errors: doc.errors.map(String) }).toEqual({ name, errors: [] });
      walk(doc.toJS());
    }
    // Files inside the cloud-config (write_files) are text too: their content is a scalar above.
  }
  return out;
}

describe("text stays text: every string prop of every construct and profile", () => {
  for (const subject of SUBJECTS) {
    it(`GIVEN ${subject.name} WHEN any string prop carries Terraform syntax THEN it is refused or written as text everywhere`, { timeout: 240_000 }, () => {
      const paths = stringPaths(subject.props);
      expect(paths.length).toBeGreaterThan(0);
      const accepted = new Set<string>();
      for (const path of paths) {
        for (const [variant, change] of [
          ["appended", (old: string) => `${old} ${PAYLOAD}`],
          ["in place", () => PAYLOAD],
        ] as const) {
          const outcome = attempt(subject, setAt(subject.props, path, change));
          if (outcome.kind === "refused") {
            // Refused, in the props' words: the message names the prop or its value.
            expect({ path, variant, names: outcome.message.includes(path.split(/[.[]/)[0]!) || outcome.message.includes("file(") }).toEqual({ path, variant, names: true });
            continue;
          }
          accepted.add(path);
          // Wherever the text went (some props only name things in listings, some go compressed), no
          // string of the JSON holds it as a live expression; the props the issue names are there, escaped.
          const all = strings(outcome.json);
          for (const s of all) for (const live of LIVE) expect({ path, variant, live: live.test(s) ? s.slice(0, 200) : "" }).toEqual({ path, variant, live: "" });
          if (subject.mustAccept?.includes(path)) {
            const carried = all.filter((s) => s.includes("file("));
            expect({ path, variant, carried: carried.length > 0 }).toEqual({ path, variant, carried: true });
            for (const s of carried) expect(unescapeTerraformText(s)).toContain("${file(");
          }
          const scalars = yamlScalars(outcome.files);
          if ([...outcome.files.values()].some((t) => t.includes('file("/etc/hostname")'))) {
            expect({ path, variant, inAScalar: scalars.some((s) => s.includes(PAYLOAD)) || [...outcome.files].some(([n, t]) => !/\.ya?ml$/.test(n) && t.includes(PAYLOAD)) }).toEqual({
              path,
              variant,
              inAScalar: true,
            });
          }
        }
      }
      for (const path of subject.mustAccept ?? []) expect({ path, accepted: accepted.has(path) }).toEqual({ path, accepted: true });
    });
  }

  it("GIVEN a hub admin named like the client secret's variable THEN the secret is not copied into a non-sensitive list", () => {
    const { stack } = newStack("lab", { cloud: jetstream2({ allocation: "bio230123" }) });
    const oauth = {
      kind: "oauth",
      clientId: "cilogon:/client_id/abc",
      authorizeUrl: "https://cilogon.org/authorize",
      tokenUrl: "https://cilogon.org/oauth2/token",
      userdataUrl: "https://cilogon.org/oauth2/userinfo",
      allowedUsers: ["a@uni.edu"],
    };
    new JupyterHubCluster(stack, "hub", hub({ ...oauth, admins: ["${var.hub_oauth_client_secret}"] }) as never);
    const json = synthJson(stack);
    const serverData = strings(json).find((s) => s.includes("admin_users"))!;
    expect(serverData).toContain("$${var.hub_oauth_client_secret}");
    // The client_secret setting itself, and its root-only copy that drover-agent fills the chart's values from.
    expect(serverData.match(/(^|[^$])\$\{var\.hub_oauth_client_secret\}/g) ?? []).toHaveLength(2);
    expect(serverData).toMatch(/path: \/etc\/drover\/secrets\/hub-value-\d+\n\s+content: \|-\n\s+\$\{var\.hub_oauth_client_secret\}\n\s+permissions: "0600"/);
  });
});

/** What the issue found with the real terraform: a key comment planned as a file's contents. */
describe("construct scope", () => {
  it("keeps references drover builds as references", () => {
    const { stack } = newStack("lab", { cloud: jetstream2() });
    const vm = new VirtualMachine(stack, "box", { size: "m3.small", publicAddress: true, publicKey: `${key} \${file("/etc/hostname")}` });
    const json = synthJson(stack);
    expect(json.output.box_public_address.value).toMatch(/^\$\{openstack_networking_floatingip_v2\.box_PublicAddress_[0-9A-F]+\.address\}$/);
    expect(Object.values(json.resource.openstack_compute_keypair_v2 as Record<string, Json>)[0]!.public_key).toBe(`${key} $\${file("/etc/hostname")}`);
    expect((vm as Construct).node.id).toBe("box");
  });
});
