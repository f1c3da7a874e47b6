import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, ExternalError, isDroverError, type DroverError } from "../../lib/errors.ts";
import { checkQuota, needsIncrease, readLiveQuota, stackNeeds, type LiveQuota } from "../../lib/quota/index.ts";
import { startLimitsMock, type LimitsMock } from "../support/openstack-limits-mock.ts";

let cloud: LimitsMock;

beforeAll(async () => {
  cloud = await startLimitsMock();
});
afterAll(async () => {
  await cloud.close();
});

/** A new cloud with default answers, for a test that changes them. */
async function fresh(): Promise<LimitsMock> {
  await cloud.close();
  cloud = await startLimitsMock();
  return cloud;
}

/** The error readLiveQuota rejects with, and every text of it, to look for secrets in. */
async function failure(run: Promise<unknown>): Promise<{ error: DroverError; all: string }> {
  let caught: unknown;
  try {
    await run;
  } catch (e) {
    caught = e;
  }
  expect(isDroverError(caught)).toBe(true);
  const error = caught as DroverError;
  return { error, all: [error.message, ...error.details, String(error), error.stack ?? ""].join("\n") };
}

function expectNoSecrets(text: string, mock: LimitsMock): void {
  expect(text).not.toContain(mock.applicationCredential.secret);
  expect(text).not.toContain(mock.user.password);
  for (const call of mock.calls) if (call.token) expect(text).not.toContain(call.token);
}

describe("readLiveQuota: token and catalog", () => {
  it("returns undefined without OS_AUTH_URL (no openrc sourced): the check stays offline", async () => {
    expect(await readLiveQuota({ OS_CLOUD: "js2", HOME: "/home/me" })).toBeUndefined();
  });

  it("authenticates with the application credential and reads the public endpoints of the region", async () => {
    const mock = await fresh();
    // GIVEN an openrc as Jetstream2 writes it
    // WHEN the live quota is read
    const live = (await readLiveQuota(mock.env()))!;
    // THEN one token request, then one read-only GET per service, each with the token
    expect(mock.calls.map((c) => `${c.service} ${c.method} ${c.path} ${c.status}`)).toEqual(
      expect.arrayContaining([
        "identity POST /v3/auth/tokens 201",
        "compute GET /v2.1/limits 200",
        `network GET /v2.0/quotas/${mock.projectId}/details.json 200`,
        `volume GET /v3/${mock.projectId}/limits 200`,
      ]),
    );
    expect(mock.calls).toHaveLength(4);
    expect(mock.calls[0]!.body).toEqual({
      auth: { identity: { methods: ["application_credential"], application_credential: { id: mock.applicationCredential.id, secret: mock.applicationCredential.secret } } },
    });
    const token = mock.calls.find((c) => c.service === "compute")!.token;
    expect(token).toMatch(/^gAAAAA/);
    expect(mock.calls.filter((c) => c.method === "GET").every((c) => c.token === token)).toBe(true);
    expect(live.project).toEqual({ id: mock.projectId, name: "TRA000000" });
    expect(live.region).toBe("IU");
    expect(live.quota.name).toBe("project TRA000000 in region IU");
  });

  it("authenticates with a password, scoped to the project by name and domain", async () => {
    const mock = await fresh();
    const env = {
      OS_AUTH_URL: mock.authUrl.replace(/\/v3\/$/, ""), // without /v3: drover adds it
      OS_REGION_NAME: mock.region,
      OS_USERNAME: mock.user.name,
      OS_PASSWORD: mock.user.password,
      OS_PROJECT_NAME: mock.projectName,
      OS_USER_DOMAIN_NAME: mock.user.domain,
      OS_PROJECT_DOMAIN_NAME: mock.user.domain,
    };
    const live = await readLiveQuota(env);
    expect(live?.project.id).toBe(mock.projectId);
    expect(mock.calls[0]!.body).toEqual({
      auth: {
        identity: { methods: ["password"], password: { user: { name: mock.user.name, domain: { name: mock.user.domain }, password: mock.user.password } } },
        scope: { project: { name: mock.projectName, domain: { name: mock.user.domain } } },
      },
    });
  });

  it("says which variables are missing when OS_AUTH_URL is set but the credential is not", async () => {
    const { error } = await failure(readLiveQuota({ OS_AUTH_URL: cloud.authUrl, OS_APPLICATION_CREDENTIAL_ID: "abc" }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe("OS_AUTH_URL is set but the OpenStack credentials are incomplete: OS_APPLICATION_CREDENTIAL_SECRET is missing");
    const { error: pw } = await failure(readLiveQuota({ OS_AUTH_URL: cloud.authUrl, OS_USERNAME: "me" }));
    expect(pw.message).toBe("OS_AUTH_URL is set but the OpenStack credentials are incomplete: OS_PASSWORD, OS_PROJECT_NAME are missing");
  });
});

describe("readLiveQuota: each endpoint", () => {
  let live: LiveQuota;
  beforeAll(async () => {
    const mock = await fresh();
    mock.state.compute = { maxTotalInstances: 20, totalInstancesUsed: 3, maxTotalCores: 150, totalCoresUsed: 44, maxTotalRAMSize: 599040, totalRAMUsed: 165888 };
    mock.state.volume = { maxTotalVolumes: 10, totalVolumesUsed: 4, maxTotalVolumeGigabytes: 3000, totalGigabytesUsed: 700 };
    mock.state.network.router = { used: 1, limit: 1, reserved: 0 };
    mock.state.network.port = { used: 7, limit: 500, reserved: "2" };
    mock.state.network.floatingip = { used: 3, limit: 10, reserved: 1 };
    mock.state.network.security_group_rule = { used: 12, limit: -1, reserved: 0 };
    live = (await readLiveQuota(mock.env()))!;
  });

  it("Nova /limits: instances, cores and RAM (MiB) with their use", () => {
    expect(live.quota).toMatchObject({ instances: 20, cores: 150, ramMiB: 599040 });
    expect(live.inUse).toMatchObject({ instances: 3, cores: 44, ramMiB: 165888 });
  });

  it('Neutron quota details: limit, and use with reservations (a string "reserved" too); -1 stays unlimited', () => {
    expect(live.quota).toMatchObject({ floatingIps: 10, networks: 100, subnets: 100, routers: 1, securityGroups: 10, securityGroupRules: -1, ports: 500 });
    expect(live.inUse).toMatchObject({ floatingIps: 4, networks: 1, subnets: 1, routers: 1, securityGroups: 1, securityGroupRules: 12, ports: 9 });
  });

  it("Cinder /limits: volumes and gigabytes", () => {
    expect(live.quota).toMatchObject({ volumes: 10, gigabytes: 3000 });
    expect(live.inUse).toMatchObject({ volumes: 4, gigabytes: 700 });
  });

  it("feeds checkQuota: a stack's new router on a project whose one router is taken", () => {
    const after = stackNeeds({ resource: { openstack_networking_router_v2: { r: {} }, openstack_networking_network_v2: { n: {} } } });
    const check = checkQuota(after, live.quota, live.inUse, needsIncrease(after));
    expect(check.ok).toBe(false);
    expect(check.text.split("\n").slice(0, 2)).toEqual(["Quota: the deploy needs more than is left of project TRA000000 in region IU:", "  routers: need 1 more, 1 in use, limit 1"]);
  });
});

describe("readLiveQuota: failures name the call, the status and what to check, never a secret", () => {
  it("a 401 from Keystone: the credential variables to check", async () => {
    const mock = await fresh();
    mock.echoSecrets(true); // the server quotes the request back, secret included
    const { error, all } = await failure(readLiveQuota(mock.env({ OS_APPLICATION_CREDENTIAL_SECRET: `${mock.applicationCredential.secret}-old` })));
    expect(error).toBeInstanceOf(ExternalError);
    expect(error.message).toBe(`Reading the project's quota: Keystone POST ${mock.authUrl}auth/tokens failed: HTTP 401 Unauthorized`);
    expect(error.details.at(-1)).toBe(
      "Keystone refused the credentials: check OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET (source the openrc of the allocation you mean; an application credential may have expired or been deleted).",
    );
    expect(error.details[0]).toContain("[redacted]");
    expect(all).not.toContain(`${mock.applicationCredential.secret}-old`);
    expectNoSecrets(all, mock);
  });

  it("a 403 from Neutron: which call, and that the credential may not read quotas", async () => {
    const mock = await fresh();
    mock.echoSecrets(true);
    mock.failOn("network", 403);
    const { error, all } = await failure(readLiveQuota(mock.env()));
    expect(error.message).toMatch(
      new RegExp(`^Reading the project's quota: Neutron GET http://127\\.0\\.0\\.1:\\d+/network/v2\\.0/quotas/${mock.projectId}/details\\.json failed: HTTP 403 Forbidden$`),
    );
    expect(error.details.at(-1)).toContain("The credential may not read quotas");
    expectNoSecrets(all, mock);
    expect(all).toContain("[redacted]");
  });

  it("a 500 from Cinder: the service failed", async () => {
    const mock = await fresh();
    mock.failOn("volume", 500);
    const { error } = await failure(readLiveQuota(mock.env()));
    expect(error.message).toMatch(/^Reading the project's quota: Cinder GET http:\/\/127\.0\.0\.1:\d+\/volume\/v3\/[0-9a-f]+\/limits failed: HTTP 500 Internal Server Error$/);
    expect(error.details).toEqual(["The server said: Request failed", "The cloud's service failed: try again later, or check the cloud's status page."]);
  });

  it("a service missing from the catalog: which one, in which region", async () => {
    const mock = await fresh();
    mock.omitFromCatalog("volumev3");
    const { error, all } = await failure(readLiveQuota(mock.env()));
    expect(error.message).toBe("Reading the project's quota: the service catalog of project TRA000000 has no public block-storage (Cinder, type volumev3) endpoint in region IU");
    expect(error.details).toEqual(["Check OS_REGION_NAME and OS_INTERFACE, and that the cloud offers this service."]);
    expectNoSecrets(all, mock);
  });

  it("a region the catalog does not have: the regions it does", async () => {
    const mock = await fresh();
    const { error } = await failure(readLiveQuota(mock.env({ OS_REGION_NAME: "TACC" })));
    expect(error.message).toBe("Reading the project's quota: the service catalog of project TRA000000 has no public compute (Nova) endpoint in region TACC");
    expect(error.details).toEqual(["The catalog has one in: elsewhere, IU. Check OS_REGION_NAME (Jetstream2: IU)."]);
  });

  it("a service that does not answer in time: the call and the timeout", async () => {
    const mock = await fresh();
    mock.delay("network", 3_000);
    const started = Date.now();
    const { error, all } = await failure(readLiveQuota(mock.env(), { timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(error).toBeInstanceOf(ExternalError);
    expect(error.message).toMatch(
      new RegExp(`^Reading the project's quota: Neutron GET http://127\\.0\\.0\\.1:\\d+/network/v2\\.0/quotas/${mock.projectId}/details\\.json did not answer within 300 ms$`),
    );
    expect(error.details).toEqual(["Check your network and OS_AUTH_URL (and the region's endpoints); the cloud may be slow or down."]);
    expectNoSecrets(all, mock);
  });

  it("an auth URL nothing listens on: the connection error", async () => {
    // GIVEN a port that was free a moment ago
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { error, all } = await failure(readLiveQuota({ ...cloud.env(), OS_AUTH_URL: `http://127.0.0.1:${port}/v3` }));
    expect(error.message).toBe(`Reading the project's quota: Keystone POST http://127.0.0.1:${port}/v3/auth/tokens failed: ECONNREFUSED`);
    expectNoSecrets(all, cloud);
  });
});
