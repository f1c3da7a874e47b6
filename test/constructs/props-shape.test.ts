import { describe, expect, it } from "vitest";
import { App } from "cdktf";
import { DroverStack, GatewayHost, JupyterHubCluster, Network, SlurmCluster, VirtualMachine, jetstream2, openstack, suppressPolicy, type CloudProfile } from "../../constructs/index.ts";
import { ValidationError, isDroverError } from "../../lib/errors.ts";
import { testPublicKey } from "../support/keys.ts";
import { newStack, synthJson, validationIssues, type Json } from "../support/synth.ts";

/**
 * Props are checked at the boundary: a wrong type, an unknown key or a number that is not one
 * comes back as a message naming the prop, the value, what is allowed and the fix, all at once,
 * never as a JavaScript error from drover's internals.
 */
const key = testPublicKey("me@laptop");
const gateway: Json = { size: "m3.medium", domain: "portal.example.org", app: { image: "ghcr.io/example/portal:1.4", port: 8000 }, tls: { letsEncryptEmail: "ops@example.org" } };
const slurm: Json = { controller: { size: "m3.medium" }, partitions: [{ name: "cpu", size: "m3.quad", nodes: 1 }] };

function problems(make: (stack: DroverStack) => unknown): string[] {
  const { stack } = newStack("lab", { cloud: jetstream2({ allocation: "bio230123" }) });
  return validationIssues(() => make(stack));
}

describe("wrong types come back in the props' words", () => {
  it.each([
    [
      "allowSshFrom given as one string",
      (s: DroverStack) => new VirtualMachine(s, "box", { size: "m3.small", allowSshFrom: "203.0.113.0/24" } as never),
      [`lab/box: 'allowSshFrom' "203.0.113.0/24": must be a list of address ranges, e.g. ["203.0.113.0/24"]`],
    ],
    ["a numeric image", (s: DroverStack) => new VirtualMachine(s, "box", { size: "m3.small", image: 42 } as never), [`lab/box: 'image' 42: must be an image name, e.g. "Featured-Ubuntu24"`]],
    [
      "a numeric env value",
      (s: DroverStack) => new GatewayHost(s, "portal", { ...gateway, app: { ...gateway.app, env: { PORT: 5 } } } as never),
      [`lab/portal: 'app.env.PORT' 5: must be text: quote it, e.g. "5"`],
    ],
    [
      "users as one string",
      (s: DroverStack) => new SlurmCluster(s, "hpc", { ...slurm, users: "alice" } as never),
      [`lab/hpc: 'users' "alice": must be a list of users: [{ name: "alice", publicKey: "ssh-ed25519 AAAA... alice@laptop" }]`],
    ],
    [
      "NaN for a volume's size",
      (s: DroverStack) => new VirtualMachine(s, "box", { size: "m3.small", volumes: [{ name: "data", sizeGiB: Number.NaN }] }),
      [`lab/box: 'volumes[0].sizeGiB' NaN: must be a whole number of GiB from 1 to 10240`],
    ],
    [
      "Infinity for a root volume",
      (s: DroverStack) => new VirtualMachine(s, "box", { size: "m3.small", rootVolumeGiB: Infinity }),
      [`lab/box: 'rootVolumeGiB' Infinity: must be a whole number of GiB from 20 to 10240`],
    ],
    [
      "a GPU count under a misspelt key",
      (s: DroverStack) => new VirtualMachine(s, "box", { size: { vcpus: 4, memoryGiB: 16, gpus: 1 } } as never),
      ["lab/box: 'size' has an unknown key 'gpus': did you mean 'gpu'? Known: vcpus, memoryGiB, gpu."],
    ],
    ["props that are not an object", (s: DroverStack) => new VirtualMachine(s, "box", "m3.small" as never), [`lab/box: the props must be an object ({ ... }), got "m3.small"`]],
  ] as Array<[string, (s: DroverStack) => unknown, string[]]>)("GIVEN %s THEN the message names the prop, the value and what is allowed", (_, make, expected) => {
    expect(problems(make)).toEqual(expected);
  });

  it.each([
    [
      "VirtualMachine",
      (s: DroverStack) => new VirtualMachine(s, "box", { size: "m3.small", publicAdress: true, flavour: "x" } as never),
      [
        "lab/box: the props have an unknown key 'publicAdress': did you mean 'publicAddress'? Known: size, image, network, allowSshFrom, allowPingFrom, publicKey, keyPairName, publicAddress, volumes, rootVolumeGiB, packages, bootCommands, sshUser.",
        "lab/box: the props have an unknown key 'flavour': check the spelling Known: size, image, network, allowSshFrom, allowPingFrom, publicKey, keyPairName, publicAddress, volumes, rootVolumeGiB, packages, bootCommands, sshUser.",
      ],
    ],
    [
      "SlurmCluster",
      (s: DroverStack) => new SlurmCluster(s, "hpc", { ...slurm, acounting: true } as never),
      [
        "lab/hpc: the props have an unknown key 'acounting': did you mean 'accounting'? Known: controller, login, partitions, sharedStorage, allowSshFrom, users, accounting, image, adminPublicKey, cidr, restrictCredential, applicationCredential, imageHasNvidiaDriver.",
      ],
    ],
    [
      "a volume",
      (s: DroverStack) => new VirtualMachine(s, "box", { size: "m3.small", volumes: [{ name: "data", sizeGB: 10 }] } as never),
      [
        "lab/box: 'volumes[0].sizeGiB' is required: must be a whole number of GiB from 1 to 10240",
        "lab/box: 'volumes[0]' has an unknown key 'sizeGB': did you mean 'sizeGiB'? Known: name, sizeGiB, mountPath, volumeType, protect.",
      ],
    ],
    [
      "JupyterHubCluster",
      (s: DroverStack) => new JupyterHubCluster(s, "hub", { users: 5, profile: { cpu: 1, memoryGiB: 2 }, auth: { kind: "workshop" }, https: false, idleCulMinutes: 30 } as never),
      [
        "lab/hub: the props have an unknown key 'idleCulMinutes': did you mean 'idleCullMinutes'? Known: users, profile, image, auth, domain, https, idleCullMinutes, kubernetes, nodes, controlPlane, allowSshFrom, adminPublicKey, hours, homes, applicationCredential.",
      ],
    ],
  ] as Array<[string, (s: DroverStack) => unknown, string[]]>)("GIVEN a misspelt key on %s THEN it is refused with the nearest known key", (_, make, expected) => {
    expect(problems(make)).toEqual(expected);
  });

  it.each([
    ["missing", {}, `lab: 'cloud' is required: must be a cloud profile: jetstream2(), openstack({...}), aws({ region }), gcp({ project, region }) or azure({ location })`],
    ["a string", { cloud: "jetstream2" }, `lab: 'cloud' "jetstream2": must be a cloud profile: jetstream2(), openstack({...}), aws({ region }), gcp({ project, region }) or azure({ location })`],
  ])("GIVEN a stack whose cloud is %s THEN it says what a cloud is", (_, props, expected) => {
    expect(validationIssues(() => new DroverStack(new App(), "lab", props as never))).toEqual([expected]);
  });
});

describe("input that used to be accepted silently", () => {
  it.each([
    [
      "sshUser root",
      (s: DroverStack) => new VirtualMachine(s, "box", { size: "m3.small", sshUser: "root" }),
      [`lab/box: 'sshUser' "root" cannot log in: drover machines disable root login over SSH. Use the image's own account (ubuntu) and sudo`],
    ],
    [
      "a volume on /home",
      (s: DroverStack) => new VirtualMachine(s, "box", { size: "m3.small", volumes: [{ name: "home", sizeGiB: 10, mountPath: "/home" }] }),
      [`lab/box: 'volumes[0].mountPath' "/home" would hide the users' homes: mount beneath /media, /mnt, /data or /srv (e.g. "/mnt/home")`],
    ],
    [
      "a volume under /var",
      (s: DroverStack) => new VirtualMachine(s, "box", { size: "m3.small", volumes: [{ name: "db", sizeGiB: 10, mountPath: "/var/lib/mysql" }] }),
      [`lab/box: 'volumes[0].mountPath' "/var/lib/mysql" would hide a system directory: mount beneath /media, /mnt, /data or /srv (e.g. "/mnt/db")`],
    ],
    [
      "a volume on /opt itself",
      (s: DroverStack) => new VirtualMachine(s, "box", { size: "m3.small", volumes: [{ name: "sw", sizeGiB: 10, mountPath: "/opt" }] }),
      [`lab/box: 'volumes[0].mountPath' "/opt" would hide a system directory: mount beneath /media, /mnt, /data or /srv (e.g. "/mnt/sw")`],
    ],
    [
      "a truncated ed25519 key",
      (s: DroverStack) => new VirtualMachine(s, "box", { size: "m3.small", publicKey: truncated(key) }),
      ["lab/box: 'publicKey' has a 24-byte ed25519 key; ed25519 keys are 32 bytes (truncated?): copy the whole line of the .pub file (ssh-keygen -y -f ~/.ssh/id_ed25519 prints it again)"],
    ],
    [
      "an empty gateway image",
      (s: DroverStack) => new GatewayHost(s, "portal", { ...gateway, app: { image: "", port: 8000 } } as never),
      [
        `lab/portal: 'app.image' ("") must be an image name with its registry, in lower case, with an optional :tag or @sha256 digest, e.g. "docker.io/library/nginx:1.27" or "ghcr.io/myorg/portal:1.4": podman on Ubuntu does not guess a registry`,
      ],
    ],
    [
      "a numeric gateway image",
      (s: DroverStack) => new GatewayHost(s, "portal", { ...gateway, app: { image: 7, port: 8000 } } as never),
      [`lab/portal: 'app.image' 7: must be a container image with its registry, e.g. "ghcr.io/example/portal:1.4"`],
    ],
    [
      "a construct id with a slash",
      (s: DroverStack) => new VirtualMachine(s, "web/box", { size: "m3.small" }),
      [`lab/web--box: construct id "web/box" is not a valid name (lower-case letters, digits and '-', starting with a letter, at most 63 characters): try "web-box"`],
    ],
    [
      "a suppression of a check that does not exist",
      (s: DroverStack) => suppressPolicy(new VirtualMachine(s, "box", { size: "m3.small" }), "DRV0002", "a workshop server, keys only"),
      [expect.stringMatching(/^lab\/box: suppressPolicy: "DRV0002" is not one of drover's policy checks: did you mean DRV002\? Checks: DRV001 \(.*\), .*DRV009 \(SSH password login enabled\)\.$/)],
    ],
  ] as Array<[string, (s: DroverStack) => unknown, unknown[]]>)("GIVEN %s THEN it is refused with the fix", (_, make, expected) => {
    expect(problems(make)).toEqual(expected);
  });

  it("GIVEN a custom flavor catalog with negative or NaN numbers THEN each is named", () => {
    const flavors = [
      { name: "big", vcpus: -4, memoryGiB: Number.NaN, rootDiskGiB: 20, gpu: 0, family: "cpu", suPerHour: 1 },
      { name: "ok", vcpus: 2, memoryGiB: 4, rootDiskGiB: 20, gpu: 0, family: "cpu", suPerHour: Infinity },
    ];
    expect(validationIssues(() => openstack({ flavors } as never))).toEqual([
      "openstack(): 'flavors[0].memoryGiB' NaN: must be GiB of memory, above 0",
      "openstack(): 'flavors[1].suPerHour' Infinity: must be the units charged per hour, 0 or more",
    ]);
    expect(validationIssues(() => openstack({ flavors: [{ ...flavors[0], memoryGiB: 4 }] } as never))).toEqual(["openstack(): 'flavors[0].vcpus' -4 must be a whole number of vCPUs, at least 1"]);
  });

  it("GIVEN a valid custom flavor catalog THEN a machine is sized from it", () => {
    const cloud: CloudProfile = openstack({ flavors: [{ name: "m1.small", vcpus: 2, memoryGiB: 4, rootDiskGiB: 20, gpu: 0, family: "cpu", suPerHour: 2 }], defaultImage: "ubuntu-24.04" });
    const { stack } = newStack("lab", { cloud });
    expect(new VirtualMachine(stack, "box", { size: { vcpus: 1, memoryGiB: 2 }, sshUser: "ubuntu" }).flavor.name).toBe("m1.small");
  });

  it("GIVEN a network id or props of the wrong shape THEN they are named too", () => {
    expect(problems((s) => new Network(s, "net", { cidr: 10 } as never))).toEqual([`lab/net: 'cidr' 10: must be a private IPv4 range, e.g. "10.0.0.0/24"`]);
    expect(problems((s) => Network.fromExisting(s, "net", { nam: "x" } as never))).toEqual(["lab/net: the props have an unknown key 'nam': did you mean 'name'? Known: name, id."]);
  });

  it("GIVEN one problem THEN it is the message and printed once, not repeated as a detail", () => {
    try {
      problems((s) => new VirtualMachine(s, "box", { size: "m3.small", sshUser: "root" }));
      new VirtualMachine(newStack("x").stack, "box", { size: "m3.small", sshUser: "root" });
    } catch (e) {
      expect(isDroverError(e) && e instanceof ValidationError).toBe(true);
      expect((e as ValidationError).details).toEqual([]);
      expect((e as ValidationError).message).toMatch(/^x\/box: 'sshUser' "root" cannot log in/);
      return;
    }
    throw new Error("expected a ValidationError");
  });

  it("GIVEN a valid example THEN nothing is refused (the schemas know every prop)", () => {
    const { stack } = newStack("lab", { cloud: jetstream2({ allocation: "bio230123" }) });
    new GatewayHost(stack, "portal", {
      ...gateway,
      app: { ...gateway.app, env: { MODE: "prod" }, dataMountPath: "/data" },
      dataVolumeGiB: 10,
      publicKey: key,
      allowSshFrom: ["203.0.113.0/24"],
      maxBodyMiB: 50,
      proxyTimeoutSeconds: 30,
    } as never);
    expect(Object.keys(synthJson(stack).resource).length).toBeGreaterThan(3);
  });
});

/** An ed25519 key line whose 32-byte key is cut to 24 bytes (still valid base64). */
function truncated(line: string): string {
  const [type, blob, comment] = line.split(" ");
  const data = Buffer.from(blob!, "base64");
  const cut = Buffer.concat([data.subarray(0, 4 + 11), Buffer.from([0, 0, 0, 24]), data.subarray(19, 19 + 24)]);
  return `${type} ${cut.toString("base64")} ${comment}`;
}
