import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadLabStack } from "../../lab/stack.ts";
import { serviceCatalog } from "../../lab/standin/openstack.ts";
import { firstHost } from "../../lab/values.ts";
import { hasTool } from "../support/tools.ts";

/** A stack as drover synthesizes it for OpenStack: a network, two machines, a volume, a floating IP, a record, a credential. */
const CONFIG = {
  data: { openstack_identity_auth_scope_v3: { scope: { name: "cred" } }, openstack_dns_zone_v2: { zone: { name: "lab000001.projects.jetstream-cloud.org." } } },
  locals: { "auth-url": '${[for s in data.openstack_identity_auth_scope_v3.scope.service_catalog : [for e in s.endpoints : e.url if e.interface == "public"][0] if s.type == "identity"][0]}' },
  resource: {
    openstack_networking_network_v2: { net: { name: "lab-net" } },
    openstack_networking_subnet_v2: { subnet: { cidr: "10.42.0.0/16", network_id: "${openstack_networking_network_v2.net.id}", allocation_pool: [{ start: "10.42.0.10", end: "10.42.3.254" }] } },
    openstack_networking_secgroup_v2: { sg: { name: "lab-internal" } },
    openstack_networking_port_v2: {
      ctl_port: {
        network_id: "${openstack_networking_network_v2.net.id}",
        fixed_ip: [{ subnet_id: "${openstack_networking_subnet_v2.subnet.id}", ip_address: "10.42.0.4" }],
        security_group_ids: ["${openstack_networking_secgroup_v2.sg.id}"],
      },
      web_port: { network_id: "${openstack_networking_network_v2.net.id}", fixed_ip: [{ subnet_id: "${openstack_networking_subnet_v2.subnet.id}" }] },
    },
    openstack_compute_keypair_v2: { key: { name: "lab-key", public_key: "ssh-ed25519 AAAA admin" } },
    openstack_blockstorage_volume_v3: { home: { name: "lab-home", size: 2 } },
    openstack_compute_instance_v2: {
      ctl: {
        name: "lab-ctl",
        flavor_name: "m3.small",
        image_name: "Featured-Ubuntu24",
        key_pair: "${openstack_compute_keypair_v2.key.name}",
        network: [{ port: "${openstack_networking_port_v2.ctl_port.id}" }],
        metadata: { drover_volume_home: "${openstack_blockstorage_volume_v3.home.id}:/home" },
        user_data:
          "#cloud-config\nkey: ${random_bytes.munge.base64}\nauth: ${local.auth-url}\nid: ${openstack_identity_application_credential_v3.cred.id}\nsecret: ${openstack_identity_application_credential_v3.cred.secret}\nnet: ${openstack_networking_network_v2.net.id}\nshell: $${HOME}\n",
      },
      web: { name: "lab-web", flavor_name: "m3.small", image_name: "Featured-Ubuntu24", network: [{ port: "${openstack_networking_port_v2.web_port.id}" }], user_data: "#cloud-config\n" },
    },
    openstack_compute_volume_attach_v2: { attach: { instance_id: "${openstack_compute_instance_v2.ctl.id}", volume_id: "${openstack_blockstorage_volume_v3.home.id}" } },
    openstack_networking_floatingip_v2: { ip: { pool: "public" } },
    openstack_networking_floatingip_associate_v2: { assoc: { floating_ip: "${openstack_networking_floatingip_v2.ip.address}", port_id: "${openstack_networking_port_v2.web_port.id}" } },
    openstack_dns_recordset_v2: {
      rec: { name: "web.lab000001.projects.jetstream-cloud.org.", type: "A", records: ["${openstack_networking_floatingip_v2.ip.address}"], zone_id: "${data.openstack_dns_zone_v2.zone.id}" },
    },
    openstack_identity_application_credential_v3: { cred: { name: "cred", access_rules: [{ service: "compute", method: "GET", path: "/v2.1/servers" }] } },
    random_bytes: { munge: { length: 8 } },
  },
};

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("loadLabStack", () => {
  it("fills in what an apply would, and gives each machine its address, volumes, floating IP and key", async () => {
    // GIVEN a synthesized stack
    const dir = mkdtempSync(join(tmpdir(), "drover-lab-stack-"));
    writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(CONFIG));
    const credential = { id: "cred-id", secret: "cred-secret" };

    // WHEN
    const stack = await loadLabStack(
      "lab",
      join(dir, "cdk.tf.json"),
      "terraform",
      dir,
      { catalog: serviceCatalog("http://10.42.0.1:5000", "IU"), region: "IU", projectId: "p", credential },
      { publicRange: "198.51.100.0/24" },
    );

    // THEN
    const ctl = stack.machines.find((m) => m.name === "lab-ctl")!;
    const web = stack.machines.find((m) => m.name === "lab-web")!;
    expect(ctl.address).toBe("10.42.0.4");
    // A port without a fixed address gets the first of its subnet's pool.
    expect(web.address).toBe("10.42.0.10");
    expect(ctl.subnet).toMatchObject({ cidr: "10.42.0.0/16", prefix: 16, gateway: "10.42.0.1" });
    expect(web.publicAddress).toBe("198.51.100.10");
    expect(ctl.publicAddress).toBeUndefined();
    expect(ctl.volumes).toEqual([{ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: "lab-home", sizeGiB: 2 }]);
    expect(ctl.metadata.drover_volume_home).toBe(`${ctl.volumes[0]!.id}:/home`);
    expect(ctl.publicKeys).toEqual(["ssh-ed25519 AAAA admin"]);
    expect(ctl.securityGroupIds).toEqual([stack.securityGroupIds["lab-internal"]]);
    // The user data as the machine receives it: references filled, escapes undone.
    const lines = ctl.userData.split("\n");
    expect(lines[1]).toMatch(/^key: [A-Za-z0-9+/]{11}=$/);
    expect(lines.slice(2)).toEqual(["auth: http://10.42.0.1:5000/identity/v3", "id: cred-id", "secret: cred-secret", `net: ${ctl.subnet.networkId}`, "shell: ${HOME}", ""]);
    expect(stack.dns).toEqual([{ name: "web.lab000001.projects.jetstream-cloud.org", addresses: ["198.51.100.10"] }]);
    expect(stack.credential).toEqual({ ...credential, accessRules: [{ service: "compute", method: "GET", path: "/v2.1/servers" }] });
  });
});

describe("firstHost", () => {
  it.each([
    ["10.42.0.0/16", "10.42.0.1"],
    ["10.0.0.0/24", "10.0.0.1"],
    ["192.168.7.128/25", "192.168.7.129"],
    ["10.42.5.7/16", "10.42.0.1"],
  ])("%s → %s", (cidr, gateway) => {
    expect(firstHost(cidr)).toBe(gateway);
  });

  it("refuses what is not an IPv4 range", () => {
    expect(() => firstHost("fd00::/64")).toThrow("not an IPv4 range: fd00::/64");
  });
});
