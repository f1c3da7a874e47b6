import { describe, expect, it } from "vitest";
import { GatewayHost, jetstream2, type GatewayHostProps } from "../../constructs/index.ts";
import { yaml } from "../../lib/vendor.ts";
import { decoded, deployTemplate, type WriteFile } from "../support/cloud-init.ts";
import { testPublicKey } from "../support/keys.ts";
import { compact, newStack, only, resources, schemaFindings, synthJson, validationIssues, type Json } from "../support/synth.ts";

const portal: GatewayHostProps = {
  size: "m3.medium",
  hostname: "portal",
  app: { image: "ghcr.io/example/portal:1.4", port: 8000, env: { DJANGO_SETTINGS_MODULE: "prod" } },
  tls: { letsEncryptEmail: "ops@example.org" },
  allowSshFrom: ["203.0.113.0/24"],
  publicKey: testPublicKey("admin@laptop"),
  dataVolumeGiB: 200,
};

function build(props: GatewayHostProps, cloud = jetstream2({ allocation: "bio230123" })) {
  const { stack } = newStack("gw", { cloud });
  const host = new GatewayHost(stack, "portal", props);
  return { host, json: synthJson(stack) };
}

/** The user data as the machine gets it (references filled with stand-ins). */
function userData(json: Json): { write_files: WriteFile[]; [k: string]: unknown } {
  const text = only(json, "openstack_compute_instance_v2").user_data as string;
  const refs = Object.fromEntries([...text.matchAll(/\$\{[^}]+\}/g)].map((m) => [m[0], "stand-in"]));
  return yaml().parse(deployTemplate(text, refs));
}
const file = (doc: { write_files: WriteFile[] }, path: string) => decoded(doc.write_files.find((f) => f.path === path)!);

describe("GatewayHost", () => {
  it("GIVEN a portal THEN one VM with a public address, 80/443 open to all, SSH from one network, a DNS record and a protected data volume", () => {
    const { json, host } = build(portal);
    const vm = only(json, "openstack_compute_instance_v2");
    expect(vm).toMatchObject({ name: "gw-portal", flavor_name: "m3.medium" });
    const rules = Object.values(resources(json, "openstack_networking_secgroup_rule_v2"))
      .map((r) => [r.protocol, r.port_range_min, r.remote_ip_prefix])
      .sort();
    expect(rules).toEqual([
      ["tcp", 22, "203.0.113.0/24"],
      ["tcp", 443, "0.0.0.0/0"],
      ["tcp", 80, "0.0.0.0/0"],
    ]);
    expect(only(json, "openstack_dns_recordset_v2")).toMatchObject({
      name: "portal.bio230123.projects.jetstream-cloud.org.",
      type: "A",
      records: [expect.stringMatching(/openstack_networking_floatingip_v2\./)],
    });
    // The data volume, and /etc/letsencrypt on a small one of its own: a rebuilt machine keeps the certificate.
    const volumes = Object.values(resources(json, "openstack_blockstorage_volume_v3")).map((v) => [v.name, v.size, v.lifecycle?.prevent_destroy]);
    expect(volumes.sort()).toEqual([
      ["gw-portal-certificates", 1, true],
      ["gw-portal-data", 200, true],
    ]);
    expect(vm.metadata.drover_volume_data).toMatch(/:\/srv\/data$/);
    expect(vm.metadata.drover_volume_certificates).toMatch(/:\/etc\/letsencrypt$/);
    // Rebuilding it loses nothing: it is not marked as holding data.
    expect(vm["//"]?.drover?.stateful).toBeUndefined();
    expect(json.output.portal_url.value).toBe("https://portal.bio230123.projects.jetstream-cloud.org");
    expect(json.output.portal_ssh.value).toBe("ssh ubuntu@portal.bio230123.projects.jetstream-cloud.org");
    expect(host.fqdn).toBe("portal.bio230123.projects.jetstream-cloud.org");
    expect(schemaFindings(json)).toEqual([]);
    expect(compact(json)).toMatchSnapshot();
  });

  it("puts nginx, the app service and the hardening on the machine, with the firewall matching the security group", () => {
    const doc = userData(build(portal).json);
    const paths = doc.write_files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(["/etc/nginx/conf.d/drover-gateway.conf"]));
    const all = doc.write_files.map((f) => decoded(f)).join("\n");
    expect(all).toContain("server_name portal.bio230123.projects.jetstream-cloud.org");
    expect(all).toContain("proxy_pass http://127.0.0.1:8000");
    expect(all).toMatch(/PasswordAuthentication no/);
    expect(all).toMatch(/PermitRootLogin no/);
    expect(all).toMatch(/203\.0\.113\.0\/24/);
    expect(all).toContain("ghcr.io/example/portal:1.4");
    expect(all).toContain("DJANGO_SETTINGS_MODULE");
    expect(file(doc, "/etc/nginx/conf.d/drover-gateway.conf")).toContain("map $http_upgrade");
  });

  it("serves an app you install on a port, with a name you manage: prints the record to create", () => {
    const { json } = build({ ...portal, hostname: undefined, domain: "portal.example.org", app: undefined, upstream: { port: 9000 }, dataVolumeGiB: undefined }, jetstream2());
    expect(resources(json, "openstack_dns_recordset_v2")).toEqual({});
    expect(json.output.portal_dns_record.value).toMatch(/^portal\.example\.org\. 300 IN A \$\{openstack_networking_floatingip_v2\.[^.]+\.address\}$/);
    expect(JSON.stringify(userData(json))).toContain("127.0.0.1:9000");
    // Only the certificates' volume: no data volume was asked for.
    expect(Object.values(resources(json, "openstack_blockstorage_volume_v3")).map((v) => v.name)).toEqual(["gw-portal-certificates"]);
  });

  it("has no SSH rule and no ssh output without allowSshFrom", () => {
    const { json } = build({ ...portal, allowSshFrom: undefined });
    expect(
      Object.values(resources(json, "openstack_networking_secgroup_rule_v2"))
        .map((r) => r.port_range_min)
        .sort(),
    ).toEqual([443, 80]);
    expect(json.output).not.toHaveProperty("portal_ssh");
  });
});

describe("GatewayHost validation", () => {
  const issues = (props: Partial<GatewayHostProps>, cloud = jetstream2({ allocation: "bio230123" })) =>
    validationIssues(() => {
      const { stack } = newStack("gw", { cloud });
      new GatewayHost(stack, "portal", { ...portal, ...props } as GatewayHostProps);
    });

  it.each([
    [{ hostname: "Portal_1" }, "gw/portal: 'hostname' \"Portal_1\" must be one DNS label: lower-case letters, digits and '-', at most 63, not starting or ending with '-' (e.g. \"portal\")"],
    [
      { hostname: undefined, domain: "https://portal.example.org" },
      'gw/portal: \'domain\' "https://portal.example.org" must be a full host name, lower case, without scheme or path (e.g. "portal.example.org")',
    ],
    [
      { domain: "portal.example.org" },
      "gw/portal: 'hostname' \"portal\" and 'domain' \"portal.example.org\" both name the host: give 'hostname' (in the cloud's DNS zone) or 'domain' (a name you manage), not both",
    ],
    [{ tls: { letsEncryptEmail: "ops" } }, "gw/portal: 'tls.letsEncryptEmail' \"ops\" must be an email address: Let's Encrypt sends expiry notices there"],
    [{ upstream: { port: 9000 } }, "gw/portal: 'app' and 'upstream' both say what nginx serves: give 'app' (a container drover runs) or 'upstream' (a port your own software listens on), not both"],
    [{ app: undefined }, "gw/portal: nothing to serve: give 'app' ({ image, port }) for a container drover runs, or 'upstream' ({ port }) for software you install"],
    [{ app: { image: "ghcr.io/x/y:1", port: 70000 } }, "gw/portal: 'app.port' 70000 must be a port from 1 to 65535 other than 22, 80 and 443 (nginx and SSH hold those)"],
    [{ app: { image: "ghcr.io/x/y:1", port: 443 } }, "gw/portal: 'app.port' 443 must be a port from 1 to 65535 other than 22, 80 and 443 (nginx and SSH hold those)"],
    [
      { app: { image: "ghcr.io/x/y:1", port: 8000, env: { "1BAD": "x", "DB-HOST": "y" } } },
      [
        "gw/portal: 'app.env' name \"1BAD\" is not a variable name: letters, digits and '_', not starting with a digit",
        "gw/portal: 'app.env' name \"DB-HOST\" is not a variable name: letters, digits and '_', not starting with a digit",
      ],
    ],
  ])("refuses %j", (props, expected) => {
    expect(issues(props)).toEqual(Array.isArray(expected) ? expected : [expected]);
  });

  it("needs a name and TLS: the gateway always serves HTTPS", () => {
    expect(issues({ hostname: undefined })).toEqual(["gw/portal: the certificate needs a name: give 'hostname' (in the cloud's DNS zone, e.g. \"portal\") or 'domain' (a name you manage)"]);
    expect(issues({ tls: undefined })).toEqual([
      "gw/portal: 'tls' is required: must be { letsEncryptEmail: \"you@example.org\" }: the gateway serves HTTPS with Let's Encrypt certificates, and Let's Encrypt sends expiry notices there",
    ]);
  });

  it("reports the host's own limits as issues, not crashes", () => {
    expect(issues({ maxBodyMiB: 0 })).toEqual([expect.stringMatching(/^gw\/portal: 'maxBodyMiB' .*0/)]);
    expect(issues({ app: { image: "portal:1.4", port: 8000 } })).toEqual([expect.stringMatching(/^gw\/portal: .*image.*"portal:1\.4".*registry/)]);
  });

  it("refuses to open SSH to a host nobody has a key for, as VirtualMachine does", () => {
    expect(issues({ publicKey: undefined })).toEqual([
      "gw/portal: 'allowSshFrom' opens SSH but no key is given, and password login is off: set 'publicKey' (the content of ~/.ssh/id_ed25519.pub), or leave SSH closed",
    ]);
    // SSH closed: no key needed.
    const { stack } = newStack("gw", { cloud: jetstream2({ allocation: "bio230123" }) });
    expect(() => new GatewayHost(stack, "portal", { ...portal, publicKey: undefined, allowSshFrom: undefined } as GatewayHostProps)).not.toThrow();
  });

  it("needs the cloud's zone for a short hostname", () => {
    expect(issues({}, jetstream2())).toEqual([
      "gw/portal: 'hostname' \"portal\" needs the cloud's DNS zone: name the allocation (jetstream2({ allocation: \"...\" })), or give the full name as 'domain'",
    ]);
  });
});
