import { describe, expect, it } from "vitest";
import { secretsInString, secretsInText } from "../../lib/policy/secrets.ts";
import { GatewayHost, JupyterHubCluster, VirtualMachine, jetstream2 } from "../../constructs/index.ts";
import { runPolicy } from "../../lib/policy/index.ts";
import { newStack, synthJson } from "../support/synth.ts";
import { info } from "../support/policy.ts";
import { testPublicKey } from "../support/keys.ts";

/**
 * DRV004's reach: credentials written as literals that the first version missed. Each finding
 * names where the secret is and shows it masked; the secret itself never appears in a finding.
 */
const GH_TOKEN = `ghp_${"A1b2C3d4E5".repeat(4).slice(0, 36)}`;
const CLIENT_SECRET = "0123456789abcdef0123456789abcdef01234567";

describe("DRV004 finds what it used to miss", () => {
  it.each([
    ["a password piped to chpasswd", "#!/bin/sh\necho 'alice:Corr3ct-Horse' | chpasswd\n", "password", "Corr3ct-Horse"],
    ["a password piped to sudo chpasswd", 'echo "bob:hunter22" | sudo chpasswd', "password", "hunter22"],
    ["DB_PASSWORD on an env line", "MODE=prod\nDB_PASSWORD=s3cr3t-db\n", "password", "s3cr3t-db"],
    ["an exported SECRET_KEY", "export SECRET_KEY='django-insecure-abc123'\n", "AWS secret access key", "django-insecure-abc123"],
    ["an API_TOKEN", "API_TOKEN=tok_live_12345\n", "token", "tok_live_12345"],
    ["a GitHub token anywhere", `git clone https://${GH_TOKEN}@github.com/org/repo`, "token", GH_TOKEN],
    ["a GitLab token", "glpat-abcdefghijklmnopqrstuvwx", "token", "glpat-abcdefghijklmnopqrstuvwx"],
  ])("GIVEN %s THEN it is a finding", (_, text, kind, value) => {
    expect(secretsInText(text)).toContainEqual(expect.objectContaining({ kind, value }));
  });

  it.each([
    ["a variable read from elsewhere", "DB_PASSWORD=$(cat /run/secrets/db)\n"],
    ["a reference", "DB_PASSWORD=${var.db}\n"],
    ["a name that is not a secret", "PASSWORD_MIN_LENGTH_HINT_FILE=/etc/x\nMODE=prod\n"],
    ["chpasswd with a variable", 'echo "alice:$PASS" | chpasswd'],
  ])("GIVEN %s THEN it is not", (_, text) => {
    expect(secretsInText(text).filter((h) => h.kind !== "AWS access key ID")).toEqual([]);
  });

  it("GIVEN cloud-init's chpasswd list THEN each clear-text password is found; RANDOM and hashes are not", () => {
    const yaml = "#cloud-config\nchpasswd:\n  expire: false\n  list: |\n    alice:Pl4intext!\n    bob:RANDOM\n    carol:$6$salt$hash\n";
    expect(secretsInString(yaml).map((h) => [h.kind, h.value])).toEqual([["password", "Pl4intext!"]]);
  });

  it("GIVEN a GitHub client secret where the client ID goes THEN it is named as that", () => {
    const yaml = `hub:\n  config:\n    GitHubOAuthenticator:\n      client_id: ${CLIENT_SECRET}\n`;
    expect(secretsInString(yaml, "values.yaml")).toEqual([expect.objectContaining({ kind: "OAuth client secret", value: CLIENT_SECRET })]);
  });
});

describe("DRV004 on stacks built from constructs", () => {
  const policy = (stack: ReturnType<typeof newStack>["stack"]) => {
    const config = synthJson(stack);
    const files = new Map([...(stack as unknown as { renderedFiles: Map<string, string> }).renderedFiles].map(([k, v]) => [`files/${k}`, v]));
    return runPolicy({ config, info: info({ stack: "lab" }), now: new Date(), files }).findings.filter((f) => f.id === "DRV004");
  };

  it.each([
    [
      "a VM whose boot command sets a password",
      (s: ReturnType<typeof newStack>["stack"]) => new VirtualMachine(s, "box", { size: "m3.small", bootCommands: ["echo 'ubuntu:Sup3rSecret' | chpasswd"] }),
      "Sup3rSecret",
      "lab/box",
    ],
    [
      "a gateway with DB_PASSWORD in its env",
      (s: ReturnType<typeof newStack>["stack"]) =>
        new GatewayHost(s, "portal", {
          size: "m3.medium",
          domain: "p.example.org",
          app: { image: "ghcr.io/x/p:1", port: 8000, env: { DB_PASSWORD: "hunter2-db" } },
          tls: { letsEncryptEmail: "a@example.org" },
        }),
      "hunter2-db",
      "lab/portal",
    ],
    [
      "a hub whose client ID is a token",
      (s: ReturnType<typeof newStack>["stack"]) =>
        new JupyterHubCluster(s, "hub", {
          users: 5,
          profile: { cpu: 1, memoryGiB: 2 },
          auth: { kind: "github", clientId: GH_TOKEN, allowedOrganizations: ["org"] },
          https: false,
          adminPublicKey: testPublicKey(),
        }),
      GH_TOKEN,
      "lab/hub",
    ],
  ])("GIVEN %s THEN DRV004 names the construct and masks the value", (_, make, secret, construct) => {
    const { stack } = newStack("lab", { cloud: jetstream2() });
    make(stack);
    const findings = policy(stack);
    expect(findings.map((f) => f.construct)).toContain(construct);
    for (const f of findings) expect(f.message).not.toContain(secret);
    expect(findings.some((f) => /\*{8} \(\d+ characters\)/.test(f.message))).toBe(true);
  });
});
