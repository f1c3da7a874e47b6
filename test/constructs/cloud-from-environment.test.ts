import { describe, expect, it } from "vitest";
import { CLOUD_NAMES, cloudFromEnvironment } from "../../constructs/index.ts";
import { ConfigError, ExitCode } from "../../lib/errors.ts";

describe("cloudFromEnvironment", () => {
  it("is Jetstream2 when DROVER_CLOUD is unset or empty, with the props given for it", () => {
    expect(cloudFromEnvironment({}, {})).toMatchObject({ kind: "openstack", name: "jetstream2", region: "IU" });
    expect(cloudFromEnvironment({ jetstream2: { region: "TACC", allocation: "bio230123" } }, { DROVER_CLOUD: " " })).toMatchObject({
      name: "jetstream2",
      region: "TACC",
      dnsZone: "bio230123.projects.jetstream-cloud.org.",
    });
  });

  it.each([
    ["aws", { kind: "aws", region: "us-east-2" }],
    ["gcp", { kind: "gcp", region: "us-central1" }],
    ["azure", { kind: "azure", region: "eastus2" }],
    ["openstack", { kind: "openstack", name: "openstack", defaultImage: "ubuntu-24.04" }],
    ["AWS", { kind: "aws" }],
  ])("DROVER_CLOUD=%s gives that cloud with its defaults", (value, expected) => {
    expect(cloudFromEnvironment({}, { DROVER_CLOUD: value })).toMatchObject(expected);
  });

  it("takes each cloud's props from the choices, and checks them as the cloud's own function does", () => {
    expect(cloudFromEnvironment({ aws: { region: "eu-west-1", hostedZone: "lab.example.org" } }, { DROVER_CLOUD: "aws" })).toMatchObject({ region: "eu-west-1", dnsZone: "lab.example.org." });
    expect(() => cloudFromEnvironment({ aws: { region: "us-east-9x" } }, { DROVER_CLOUD: "aws" })).toThrow(/'region' "us-east-9x" is not an AWS region/);
  });

  it("gives the generic OpenStack Jetstream2's sizes, so sizes by need resolve, unless the choices give others", () => {
    const cloud = cloudFromEnvironment({}, { DROVER_CLOUD: "openstack" });
    expect(cloud.flavors.map((f) => f.name)).toContain("m3.small");
    const own = cloudFromEnvironment({ openstack: { flavors: [{ name: "c1.large", vcpus: 4, memoryGiB: 8, rootDiskGiB: 40, gpu: 0, family: "cpu", suPerHour: 4 }] } }, { DROVER_CLOUD: "openstack" });
    expect(own.flavors.map((f) => f.name)).toEqual(["c1.large"]);
  });

  it("refuses any other value with exit code 2, the list of clouds and the nearest one", () => {
    let error: unknown;
    try {
      cloudFromEnvironment({}, { DROVER_CLOUD: "gpc" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(ExitCode.Usage);
    expect((error as ConfigError).message).toBe('DROVER_CLOUD is "gpc", which is not a cloud drover knows');
    expect((error as ConfigError).details).toEqual([
      `Allowed: ${CLOUD_NAMES.join(", ")} (jetstream2 when unset). Did you mean gcp?`,
      "Fix: DROVER_CLOUD=gcp npx drover synth, or unset DROVER_CLOUD for Jetstream2.",
    ]);
  });

  it("GIVEN a misspelt cloud among the choices THEN it is refused with the nearest name, not silently dropped", () => {
    expect(() => cloudFromEnvironment({ jetstrem2: { region: "TACC" } } as never, {})).toThrow(
      "cloudFromEnvironment(): the props have an unknown key 'jetstrem2': did you mean 'jetstream2'? Known: jetstream2, openstack, aws, gcp, azure.",
    );
  });
});
