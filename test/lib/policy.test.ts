import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StackInfo } from "../../lib/app/stack-info.ts";
import { renderHubValues } from "../../lib/jupyterhub/values.ts";
import { POLICY_CHECKS, policyOutcome, renderFindings, runPolicy, type Finding, type PolicyInput } from "../../lib/policy/index.ts";
import { drover, makeProject } from "../support/project.ts";
import { STACK, config, ids, info, meta, run, NOW, CLOUDS, type Body, type Resources } from "../support/policy.ts";

// Secrets: made at run time, so no credential-shaped literal sits in the repository.
const pem = (kind: string) =>
  [
    `-----BEGIN ${kind}PRIVATE KEY-----`,
    ...(randomBytes(240)
      .toString("base64")
      .match(/.{1,64}/g) ?? []),
    `-----END ${kind}PRIVATE KEY-----`,
  ].join("\n");
const KEY_ID = ["AK", "IA", "Q7WERTYUIOPASDF3"].join("");
const SECRET_KEY = randomBytes(30).toString("base64");
const APP_SECRET = `appcred-${randomBytes(12).toString("hex")}`;
const PASSWORD = `Hunter2-${randomBytes(6).toString("hex")}`;
const gzb64 = (text: string) => gzipSync(Buffer.from(text)).toString("base64");

describe("DRV004: credentials written into the configuration", () => {
  const PEM = pem("OPENSSH ");
  const RSA = pem("RSA ");
  const cases: ReadonlyArray<{ name: string; secret: string; input: Partial<PolicyInput> & { resources?: Resources; extra?: Body }; where: string; hint: string }> = [
    {
      name: "a private key in a machine's user data",
      secret: PEM,
      input: {
        resources: {
          openstack_compute_instance_v2: {
            box: { ...meta("box/Resource"), user_data: `#cloud-config\nwrite_files:\n  - path: /root/.ssh/id_ed25519\n    content: |\n${PEM.replace(/^/gm, "      ")}\n` },
          },
        },
      },
      where: "openstack_compute_instance_v2.box.user_data (write_files[0].content (/root/.ssh/id_ed25519), line 5)",
      hint: "-----BEGIN OPENSSH PRIVATE KEY-----… (",
    },
    {
      name: "an AWS access key ID in the provider",
      secret: KEY_ID,
      input: { extra: { provider: { aws: [{ region: "us-east-2", access_key: KEY_ID }] } } },
      where: "provider.aws[0].access_key",
      hint: `AKIA************${KEY_ID.slice(-4)}`,
    },
    {
      name: "an AWS secret access key in the provider",
      secret: SECRET_KEY,
      input: { extra: { provider: { aws: [{ region: "us-east-2", secret_key: SECRET_KEY }] } } },
      where: "provider.aws[0].secret_key",
      hint: "******** (40 characters)",
    },
    {
      name: "an AWS secret access key in the S3 backend",
      secret: SECRET_KEY,
      input: { extra: { terraform: { backend: { s3: { bucket: "state", secret_key: SECRET_KEY } } } } },
      where: "terraform.backend.s3.secret_key",
      hint: "******** (40 characters)",
    },
    {
      name: "an OpenStack application-credential secret in the provider",
      secret: APP_SECRET,
      input: { extra: { provider: { openstack: [{ application_credential_id: "abc", application_credential_secret: APP_SECRET }] } } },
      where: "provider.openstack[0].application_credential_secret",
      hint: `******** (${APP_SECRET.length} characters)`,
    },
    {
      name: "an application credential's own secret",
      secret: APP_SECRET,
      input: { resources: { openstack_identity_application_credential_v3: { cred: { ...meta("hpc/Credential"), name: "x", secret: APP_SECRET } } } },
      where: "openstack_identity_application_credential_v3.cred.secret",
      hint: "********",
    },
    {
      name: "an OpenStack password in the provider",
      secret: PASSWORD,
      input: { extra: { provider: { openstack: [{ user_name: "me", password: PASSWORD }] } } },
      where: "provider.openstack[0].password",
      hint: "********",
    },
    {
      name: "a machine's admin password",
      secret: PASSWORD,
      input: { resources: { openstack_compute_instance_v2: { box: { ...meta("box/Resource"), admin_pass: PASSWORD } } } },
      where: "openstack_compute_instance_v2.box.admin_pass",
      hint: "********",
    },
    {
      name: "a sensitive variable's default",
      secret: PASSWORD,
      input: { extra: { variable: { db: { type: "string", sensitive: true, default: PASSWORD } } } },
      where: "var.db.default",
      hint: "********",
    },
    {
      name: "an openrc in a rendered script",
      secret: APP_SECRET,
      input: { files: { "files/box/setup.sh": `#!/bin/sh\nexport OS_AUTH_TYPE=v3applicationcredential\nexport OS_APPLICATION_CREDENTIAL_SECRET=${APP_SECRET}\n` } },
      where: "files/box/setup.sh (line 3)",
      hint: "********",
    },
    {
      name: "a clouds.yaml written by a rendered cloud-init",
      secret: APP_SECRET,
      input: {
        files: {
          "files/hpc/cloud-init.yaml": `#cloud-config\nwrite_files:\n  - path: /etc/openstack/clouds.yaml\n    content: |\n      clouds:\n        drover:\n          auth:\n            application_credential_secret: ${APP_SECRET}\n`,
        },
      },
      where: "files/hpc/cloud-init.yaml (write_files[0].content (/etc/openstack/clouds.yaml), line 8)",
      hint: "********",
    },
    {
      name: "an AWS credentials file written compressed (gz+b64)",
      secret: SECRET_KEY,
      input: {
        files: {
          "files/box/cloud-init.yaml": `#cloud-config\nwrite_files:\n  - path: /root/.aws/credentials\n    encoding: gz+b64\n    content: ${gzb64(`[default]\naws_access_key_id = x\naws_secret_access_key = ${SECRET_KEY}\n`)}\n`,
        },
      },
      where: "files/box/cloud-init.yaml (write_files[0].content (/root/.aws/credentials))",
      hint: "******** (40 characters)",
    },
    {
      name: "a private key in a local",
      secret: RSA,
      input: { extra: { locals: { deploy_key: RSA } } },
      where: "local.deploy_key",
      hint: "-----BEGIN RSA PRIVATE KEY-----… (",
    },
  ];

  it.each(cases)("$name: found, shown masked", ({ secret, input, where, hint }) => {
    // WHEN
    const findings = run(input.resources ?? {}, input);
    // THEN one finding, which tells where and never shows the secret
    expect(ids(findings)).toEqual(["DRV004"]);
    const [f] = findings;
    expect(f!.message).toContain(`in ${where}: `);
    expect(f!.message).toContain(hint);
    const text = `${JSON.stringify(findings)}\n${renderFindings(findings)}`;
    expect(text).not.toContain(secret);
    // Not even one line of a key's body.
    for (const line of secret.split("\n").filter((l) => !l.startsWith("-----"))) expect(text).not.toContain(line);
  });

  it("names the kind of secret, its place and the hint in one sentence", () => {
    const [f] = run({}, { extra: { provider: { aws: [{ secret_key: SECRET_KEY }] } } });
    expect(f).toMatchObject({ id: "DRV004", severity: "error", construct: STACK, message: "an AWS secret access key written as literal text in provider.aws[0].secret_key: ******** (40 characters)" });
    expect(f!.resource).toBeUndefined();
  });

  it("a resource's finding carries its construct and address", () => {
    const [f] = run({ openstack_compute_instance_v2: { box: { ...meta("box/Resource"), admin_pass: PASSWORD } } });
    expect(f).toMatchObject({ construct: "s/box/Resource", resource: "openstack_compute_instance_v2.box" });
  });

  it("user data that is a rendered file is reported once, as the file", () => {
    // GIVEN the same cloud-init in the JSON (Terraform escapes a literal ${ as $${) and as a rendered file
    const text = `#cloud-config\nruncmd:\n  - [sh, -c, 'echo "$\${HOME}"']\nwrite_files:\n  - path: /etc/x.conf\n    content: |\n      OS_PASSWORD=${PASSWORD}\n`;
    const resources = { openstack_compute_instance_v2: { box: { ...meta("box/Resource"), user_data: text.replace(/\$\{/g, "$${") } } };
    // WHEN
    const findings = run(resources, { files: { "files/box/cloud-init.yaml": text } });
    // THEN
    expect(findings.map((f) => [f.id, f.construct])).toEqual([["DRV004", "s/box"]]);
  });

  it("a secret repeated across resources of one construct is one finding listing the places", () => {
    const resources = {
      aws_instance: { box: { ...meta("box/Resource"), user_data: `#!/bin/sh\nexport AWS_SECRET_ACCESS_KEY=${SECRET_KEY}\n`, tags: { note: `AWS_SECRET_ACCESS_KEY=${SECRET_KEY}` } } },
    };
    const findings = run(resources);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toBe("an AWS secret access key written as literal text in aws_instance.box.user_data (line 2); aws_instance.box.tags.note: ******** (40 characters)");
  });

  it.each([
    ["a reference to a variable", { extra: { provider: { openstack: [{ password: "${var.os_password}" }] } } }],
    ["a reference to a generated password", { resources: { azurerm_linux_virtual_machine: { vm: { ...meta("vm/Resource"), admin_password: "${random_password.vm.result}" } } } }],
    [
      "a cdktf token in a rendered file",
      {
        files: {
          "files/hpc/cloud-init.yaml":
            '#cloud-config\nwrite_files:\n  - path: /etc/openstack/clouds.yaml\n    content: |\n      clouds:\n        drover:\n          auth:\n            application_credential_secret: "${TfToken[TOKEN.28]}"\n',
        },
      },
    ],
    ["a shell variable", { files: { "files/hpc/setup.sh": '#!/bin/sh\nOS_PASSWORD=$(cat /run/secret)\nexport OS_APPLICATION_CREDENTIAL_SECRET="$SECRET"\n' } }],
    ["a placeholder filled at boot", { files: { "files/hpc/slurmdbd.yaml": 'storage:\n  password: "@@DROVER_SLURMDBD_PASSWORD@@"\n' } }],
    ["code that reads a secret from the environment", { files: { "files/hpc/reap.mjs": "const config = {\n  secret: env.DROVER_APP_CRED_SECRET,\n  OS_PASSWORD: process.env.OS_PASSWORD,\n};\n" } }],
    ["a sensitive variable without a default", { extra: { variable: { hub_oauth_client_secret: { type: "string", sensitive: true } } } }],
    [
      "public keys and names that merely look like secrets",
      {
        resources: {
          aws_key_pair: { k: { ...meta("KeyPair"), public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd researcher@laptop", key_name: "s-key" } },
          aws_efs_file_system: { fs: { ...meta("fs"), creation_token: "s-home", lifecycle: { prevent_destroy: true } } },
          random_password: { p: { ...meta("p"), length: 32, special: false } },
          azurerm_linux_virtual_machine: { vm: { ...meta("vm/Resource"), disable_password_authentication: true } },
        },
      },
    ],
    ["a private-key header in documentation", { files: { "files/box/README.md": "Put the key (-----BEGIN OPENSSH PRIVATE KEY----- ... -----END OPENSSH PRIVATE KEY-----) in ~/.ssh.\n" } }],
  ] as const)("no finding for %s", (_name, input: Partial<PolicyInput> & { resources?: Resources; extra?: Body }) => {
    expect(run(input.resources ?? {}, input)).toEqual([]);
  });
});

describe("DRV005: stateful resources without destroy protection", () => {
  const PROTECTED = { lifecycle: { prevent_destroy: true } };
  it.each([
    ["openstack_blockstorage_volume_v3", {}, ["DRV005"]],
    ["openstack_blockstorage_volume_v3", PROTECTED, []],
    ["openstack_sharedfilesystem_share_v2", {}, ["DRV005"]],
    ["aws_ebs_volume", {}, ["DRV005"]],
    ["aws_ebs_volume", PROTECTED, []],
    ["google_compute_disk", {}, ["DRV005"]],
    ["azurerm_managed_disk", { lifecycle: { prevent_destroy: false } }, ["DRV005"]],
    ["openstack_compute_instance_v2", { "//": { drover: { stateful: true }, metadata: { path: "s/x" } } }, ["DRV005"]],
    ["openstack_compute_instance_v2", { "//": { drover: { stateful: true }, metadata: { path: "s/x" } }, ...PROTECTED }, []],
    ["openstack_networking_port_v2", { "//": { drover: { stateful: true }, metadata: { path: "s/x" } } }, []],
    ["openstack_compute_instance_v2", {}, []],
  ] as const)("%s %j: %j", (type, body, expected) => {
    expect(ids(run({ [type]: { x: { ...meta("x"), ...body } } }))).toEqual(expected);
  });

  it("says which resource and why", () => {
    expect(run({ aws_ebs_volume: { data: { ...meta("box/Volume-data") } } })).toEqual([
      expect.objectContaining({
        construct: "s/box/Volume-data",
        resource: "aws_ebs_volume.data",
        message: "aws_ebs_volume.data holds data and has no lifecycle prevent_destroy: a destroy or replace deletes it",
      }),
    ]);
  });

  it("is not checked on a synth for --allow-destroy, which leaves the guard out on purpose", () => {
    expect(run({ aws_ebs_volume: { data: { ...meta("box/Volume-data") } } }, { allowDestroy: true })).toEqual([]);
  });
});

describe("DRV006, DRV007: expiry", () => {
  const cloud = (allocationType?: "research" | "education" | "trial") => ({ ...info().cloud, ...(allocationType ? { allocationType } : {}) });
  it.each([
    ["an education allocation without expiresAt", { cloud: cloud("education") }, ["DRV006"]],
    ["a trial allocation without expiresAt", { cloud: cloud("trial") }, ["DRV006"]],
    ["an education allocation with expiresAt", { cloud: cloud("education"), expiresAt: "2026-05-15" }, []],
    ["a research allocation without expiresAt", { cloud: cloud("research") }, []],
    ["no allocation type", {}, []],
    ["a stack past its expiry", { expiresAt: "2026-02-28" }, ["DRV007"]],
    ["a stack expiring today", { expiresAt: "2026-03-01" }, []],
    ["an education stack past its expiry", { cloud: cloud("education"), expiresAt: "2025-12-19" }, ["DRV007"]],
  ] as const)("%s: %j", (_name, overrides, expected) => {
    const findings = run({}, { info: info(overrides) });
    expect(ids(findings)).toEqual(expected);
    for (const f of findings) expect(f.construct).toBe(STACK);
  });

  it("messages", () => {
    expect(run({}, { info: info({ cloud: cloud("education") }) })[0]!.message).toBe("stack s runs on an education allocation of jetstream2 and has no 'expiresAt'");
    expect(run({}, { info: info({ expiresAt: "2026-02-28" }) })[0]!.message).toBe("stack s expired on 2026-02-28 (today is 2026-03-01); its machines and accounts are still in the code");
  });
});

describe("DRV008, DRV009: shared and guessable logins", () => {
  const values = (auth: Parameters<typeof renderHubValues>[0]["auth"]) =>
    renderHubValues({
      host: "hub.example.org",
      https: { letsEncryptEmail: "ta@example.edu" },
      auth,
      users: 20,
      image: "quay.io/jupyter/scipy-notebook:2025-10-20",
      profile: { cpuGuarantee: 1, cpuLimit: 2, memoryGuaranteeGiB: 2, memoryLimitGiB: 4, storageGiB: 10 },
    }).yaml;

  it.each([
    ["the workshop login (one shared password)", values({ kind: "workshop", passwordRef: "${random_password.pw.result}" }), ["DRV008"]],
    ["the workshop login for listed users", values({ kind: "workshop", passwordRef: "${random_password.pw.result}", allowedUsers: ["ana", "bo"] }), ["DRV008"]],
    ["GitHub login", values({ kind: "github", clientIdRef: "Ov23li", clientSecretRef: "${var.secret}", allowedOrganizations: ["class"] }), []],
    ["the dummy authenticator", "hub:\n  config:\n    JupyterHub:\n      authenticator_class: dummy\n", ["DRV008"]],
  ])("a hub with %s", (_name, yaml, expected) => {
    const findings = run({}, { files: { "files/hub/values.yaml": yaml } });
    expect(ids(findings)).toEqual(expected);
    for (const f of findings) expect(f.construct).toBe("s/hub");
  });

  it("says how the hub signs people in", () => {
    const [f] = run({}, { files: { "files/hub/values.yaml": values({ kind: "workshop", passwordRef: "${random_password.pw.result}" }) } });
    expect(f!.message).toBe('the JupyterHub of files/hub/values.yaml signs people in with one shared password (authenticator_class "shared-password"), under any username they type');
  });

  const cloudInit = (extra: string) => `#cloud-config\nssh_pwauth: false\n${extra}`;
  it.each([
    ["ssh_pwauth: true in a rendered cloud-init", { files: { "files/box/cloud-init.yaml": "#cloud-config\nssh_pwauth: true\n" } }, ["DRV009"], "s/box"],
    ["ssh_pwauth: false", { files: { "files/box/cloud-init.yaml": cloudInit("") } }, [], ""],
    [
      "PasswordAuthentication yes in an sshd drop-in",
      { files: { "files/box/cloud-init.yaml": cloudInit("write_files:\n  - path: /etc/ssh/sshd_config.d/50-x.conf\n    content: |\n      PasswordAuthentication yes\n") } },
      ["DRV009"],
      "s/box",
    ],
    [
      "PasswordAuthentication yes written compressed",
      { files: { "files/box/cloud-init.yaml": cloudInit(`write_files:\n  - path: /etc/ssh/sshd_config.d/50-x.conf\n    encoding: gz+b64\n    content: ${gzb64("PasswordAuthentication yes\n")}\n`) } },
      ["DRV009"],
      "s/box",
    ],
    ["PasswordAuthentication no", { files: { "files/box/sshd.conf": "PasswordAuthentication no\n#PasswordAuthentication yes\n" } }, [], ""],
    ["ssh_pwauth in a machine's own user data", { resources: { aws_instance: { box: { ...meta("box/Resource"), user_data: "#cloud-config\nssh_pwauth: yes\n" } } } }, ["DRV009"], "s/box/Resource"],
    [
      "ssh_pwauth in base64 user data (Azure)",
      { resources: { azurerm_linux_virtual_machine: { box: { ...meta("box/Resource"), custom_data: Buffer.from("#cloud-config\nssh_pwauth: true\n").toString("base64") } } } },
      ["DRV009"],
      "s/box/Resource",
    ],
    [
      "an Azure machine with password authentication",
      { resources: { azurerm_linux_virtual_machine: { box: { ...meta("box/Resource"), disable_password_authentication: false } } } },
      ["DRV009"],
      "s/box/Resource",
    ],
  ] as const)("%s", (_name, input: Partial<PolicyInput> & { resources?: Resources }, expected, construct) => {
    const findings = run(input.resources ?? {}, input);
    expect(ids(findings)).toEqual(expected);
    for (const f of findings) expect(f.construct).toBe(construct);
  });

  it("says which file or attribute turns password login on", () => {
    expect(run({}, { files: { "files/box/cloud-init.yaml": "#cloud-config\nssh_pwauth: true\n" } })[0]!.message).toBe("files/box/cloud-init.yaml turns on SSH password login (ssh_pwauth: true)");
    expect(run({ aws_instance: { box: { ...meta("box/Resource"), user_data: "#cloud-config\nssh_pwauth: yes\n" } } })[0]).toMatchObject({
      resource: "aws_instance.box",
      message: "aws_instance.box turns on SSH password login (ssh_pwauth: yes in user_data)",
    });
  });
});

describe("suppressions", () => {
  const sshOpen = CLOUDS.openstack!({ protocol: "tcp", port: 22, source: "0.0.0.0/0" });
  const withSuppressions = (policySuppressions: StackInfo["policySuppressions"]) => runPolicy({ config: config(sshOpen), info: info({ policySuppressions }), now: NOW });
  const REASON = "tutorial attendees connect from hotel networks; keys only, fail2ban";

  it.each([
    ["on the rule itself", "s/box/Firewall-rule", true],
    ["on the machine's construct, a parent", "s/box", true],
    ["on the stack", "s", true],
    ["on a sibling whose name is a prefix", "s/bo", false],
    ["on a child of the rule", "s/box/Firewall-rule/x", false],
  ])("a suppression %s (%s): suppressed %s", (_name, construct, suppressed) => {
    const report = withSuppressions([{ id: "DRV002", construct, reason: REASON }]);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]!.suppressed).toEqual(suppressed ? { reason: REASON } : undefined);
    expect(report.unusedSuppressions).toHaveLength(suppressed ? 0 : 1);
  });

  it("covers only its own check", () => {
    const report = withSuppressions([{ id: "DRV001", construct: "s/box", reason: REASON }]);
    expect(report.findings[0]!.suppressed).toBeUndefined();
    expect(report.unusedSuppressions).toEqual([{ id: "DRV001", construct: "s/box", reason: REASON }]);
  });

  it("a suppressed finding is kept, shown with its reason, and not counted", () => {
    const { findings } = withSuppressions([{ id: "DRV002", construct: "s/box", reason: REASON }]);
    expect(policyOutcome(findings, "warning")).toEqual({ failed: false, counted: [] });
    const text = renderFindings(findings);
    expect(text).toContain("suppressed DRV002 SSH open to the internet (error) at s/box/Firewall-rule");
    expect(text).toContain(`reason: ${REASON}`);
    expect(text).toContain("0 errors, 0 warnings, 1 suppressed");
  });
});

describe("policyOutcome: the three levels", () => {
  const f = (id: string, severity: "error" | "warning", suppressed = false): Finding => ({
    id,
    severity,
    construct: "s/x",
    message: id,
    fix: "",
    ...(suppressed ? { suppressed: { reason: "because" } } : {}),
  });
  const ERROR = f("DRV002", "error");
  const WARNING = f("DRV005", "warning");
  const SUPPRESSED = f("DRV001", "error", true);

  it.each([
    ["error", [ERROR, WARNING, SUPPRESSED], true, [ERROR]],
    ["error", [WARNING, SUPPRESSED], false, []],
    ["warning", [ERROR, WARNING, SUPPRESSED], true, [ERROR, WARNING]],
    ["warning", [WARNING], true, [WARNING]],
    ["warning", [SUPPRESSED], false, []],
    ["off", [ERROR, WARNING], false, []],
    ["error", [], false, []],
  ] as const)("level %s with %j: failed %s", (level, findings, failed, counted) => {
    expect(policyOutcome(findings, level)).toEqual({ failed, counted });
  });
});

describe("the check table", () => {
  it("has stable, unique IDs, each with a severity, title, description and fix", () => {
    expect(POLICY_CHECKS.map((c) => c.id)).toEqual(["DRV001", "DRV002", "DRV003", "DRV004", "DRV005", "DRV006", "DRV007", "DRV008", "DRV009"]);
    for (const c of POLICY_CHECKS) {
      expect(["error", "warning"]).toContain(c.severity);
      expect(c.title.length).toBeGreaterThan(10);
      expect(c.description.length).toBeGreaterThan(40);
      expect(c.fix.length).toBeGreaterThan(20);
    }
  });

  it("orders findings errors first, then by check and construct", () => {
    const resources = { ...CLOUDS.aws!({ protocol: "tcp", port: 22, source: "0.0.0.0/0" }), aws_ebs_volume: { v: { ...meta("a/Volume") } } };
    const findings = run(resources, { info: info({ cloud: { ...info().cloud, allocationType: "trial" } }) });
    expect(findings.map((x) => `${x.id} ${x.construct}`)).toEqual(["DRV002 s/box/Firewall-rule", "DRV005 s/a/Volume", "DRV006 s"]);
  });
});

describe("renderFindings", () => {
  it("nothing to report", () => {
    expect(renderFindings([])).toBe("no policy findings\n");
  });

  it("errors, warnings, then suppressed ones with their reason", () => {
    const resources = { ...CLOUDS.openstack!({ protocol: "tcp", port: 8888, source: "0.0.0.0/0" }), openstack_blockstorage_volume_v3: { v: { ...meta("box/Volume-scratch") } } };
    const { findings } = runPolicy({
      config: config(resources),
      info: info({ cloud: { ...info().cloud, allocationType: "education" }, policySuppressions: [{ id: "DRV006", construct: "s", reason: "a one-day tutorial, torn down by the instructor" }] }),
      now: NOW,
    });
    expect(renderFindings(findings)).toMatchInlineSnapshot(`
      "error   DRV001 Port open to the internet at s/box/Firewall-rule
        tcp/8888 open to the internet (0.0.0.0/0) on s/box, by openstack_networking_secgroup_rule_v2.rule
        fix: Open the port only to the networks that need it (a CIDR list such as ["203.0.113.0/24"], or another firewall), or reach the service through SSH or a web gateway on 443.
      warning DRV005 Stateful resource without destroy protection at s/box/Volume-scratch
        openstack_blockstorage_volume_v3.v holds data and has no lifecycle prevent_destroy: a destroy or replace deletes it
        fix: Create volumes through drover's constructs (they are protected), or add the guard: resource.addOverride("lifecycle.prevent_destroy", true). To destroy on purpose, run deploy or destroy with --allow-destroy.
      suppressed DRV006 Education or trial stack without an expiry (warning) at s
        stack s runs on an education allocation of jetstream2 and has no 'expiresAt'
        reason: a one-day tutorial, torn down by the instructor
      1 error, 1 warning, 1 suppressed
      "
    `);
  });
});

// The real example stacks, synthesized by the CLI on every cloud, and one stack that breaks the rules.
const RISKY_MAIN = `import { App } from "cdktf";
import { devVm } from "./stacks/dev-vm.ts";
import { virtualSlurm } from "./stacks/virtual-slurm.ts";
import { scienceGateway } from "./stacks/science-gateway.ts";
import { workshopJupyterHub } from "./stacks/workshop-jupyterhub.ts";
import { DroverStack, Peer, Port, VirtualMachine, jetstream2, suppressPolicy } from "./constructs/index.ts";

const app = new App();
devVm(app);
virtualSlurm(app);
workshopJupyterHub(app);
scienceGateway(app);
const risky = new DroverStack(app, "risky", { cloud: jetstream2({ allocationType: "education" }), owner: "ta@example.edu" });
const vm = new VirtualMachine(risky, "box", {
  size: "m3.small",
  allowSshFrom: ["0.0.0.0/0"],
  publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDCgcPCAd+7fwsxiLAcDaQ0phhGXQd1ycaaszgy8mXVa ta@laptop",
  publicAddress: true,
  volumes: [{ name: "scratch", sizeGiB: 10, protect: false }],
});
vm.connections.allowFrom(Peer.anyIpv4(), Port.tcp(8888));
vm.connections.allowFrom(Peer.anyIpv4(), Port.tcp(443));
suppressPolicy(vm, "DRV002", "tutorial attendees connect from hotel networks; keys only");
app.synth();
`;

function policyOf(dir: string, stack: string) {
  const stackDir = join(dir, "cdktf.out/stacks", stack);
  const stackInfo = JSON.parse(readFileSync(join(stackDir, "drover.json"), "utf8")) as StackInfo;
  const files = Object.fromEntries(stackInfo.files.map((f) => [f, readFileSync(join(stackDir, f), "utf8")]));
  return runPolicy({ config: JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")), info: stackInfo, files, now: NOW });
}

describe("the example stacks, synthesized with drover synth", () => {
  const EXAMPLES = ["dev-vm", "science-gateway", "virtual-slurm", "workshop-jupyterhub"];
  const dirs: Record<string, string> = {};

  beforeAll(() => {
    for (const cloud of ["jetstream2", "aws", "gcp", "azure"]) {
      const dir = makeProject(cloud === "jetstream2" ? { "main.ts": RISKY_MAIN } : {}, { copyExamples: true });
      const r = drover(dir, ["synth"], { DROVER_CLOUD: cloud });
      if (r.code !== 0) throw new Error(`drover synth on ${cloud} failed (${r.code}):\n${r.stderr}`);
      dirs[cloud] = dir;
    }
  }, 240_000);
  afterAll(() => {
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
  });

  // The gateway's and the hub's 80/443 are open to the world on web gateways; SSH is open to one
  // range; volumes are protected; user data is keys-only; the hub signs in with GitHub.
  it.each(["jetstream2", "aws", "gcp", "azure"])("on %s: no findings in any example", (cloud) => {
    for (const stack of EXAMPLES) {
      const report = policyOf(dirs[cloud]!, stack);
      expect({ stack, findings: report.findings }).toEqual({ stack, findings: [] });
      expect(report.unusedSuppressions).toEqual([]);
    }
  });

  it("a stack that breaks the rules: world-open ports, an unprotected volume, no expiry on an education allocation", () => {
    const report = policyOf(dirs.jetstream2!, "risky");
    expect(report.findings.map((f) => ({ id: f.id, construct: f.construct, suppressed: f.suppressed?.reason }))).toEqual([
      { id: "DRV001", construct: "risky/box/Firewall-tcp-8888-0-0-0-0-0", suppressed: undefined },
      { id: "DRV002", construct: "risky/box/Firewall-tcp-22-0-0-0-0-0", suppressed: "tutorial attendees connect from hotel networks; keys only" },
      { id: "DRV003", construct: "risky/box/Firewall-tcp-443-0-0-0-0-0", suppressed: undefined },
      { id: "DRV005", construct: "risky/box/Volume-scratch", suppressed: undefined },
      { id: "DRV006", construct: "risky", suppressed: undefined },
    ]);
    expect(report.findings[0]!.message).toMatch(/^tcp\/8888 open to the internet \(0\.0\.0\.0\/0\) on risky\/box, by openstack_networking_secgroup_rule_v2\.box_Firewall-tcp-8888/);
    expect(policyOutcome(report.findings, "error")).toMatchObject({ failed: true, counted: [expect.objectContaining({ id: "DRV001" })] });
    expect(policyOutcome(report.findings, "warning").counted.map((f) => f.id)).toEqual(["DRV001", "DRV003", "DRV005", "DRV006"]);
  });
});
