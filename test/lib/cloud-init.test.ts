import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderMachineCloudInit } from "../../lib/cloud-init.ts";
import { renderTemplate } from "../../lib/templates.ts";
import { yaml } from "../../lib/vendor.ts";

const yamlParse = (text: string) => yaml().parse(text);
import { hasTool, runTool } from "../support/tools.ts";

const dir = mkdtempSync(join(tmpdir(), "drover-cloud-init-"));

const cases = {
  minimal: { loginUser: "ubuntu", metadataSource: "openstack" as const },
  full: {
    loginUser: "rocky",
    metadataSource: "openstack" as const,
    packages: ["htop", "python3-pip"],
    commands: ["echo 'hello' > /etc/motd", "systemctl restart sshd"],
    comment: "drover: dev-vm/box",
  },
};

describe("renderMachineCloudInit", () => {
  it("starts with #cloud-config and turns off password and root logins", () => {
    const text = renderMachineCloudInit(cases.full);
    expect(text.startsWith("#cloud-config\n# drover: dev-vm/box\n")).toBe(true);
    const doc = yamlParse(text);
    expect(doc).toMatchObject({ ssh_pwauth: false, disable_root: true, package_update: true, packages: ["htop", "python3-pip"] });
    expect(doc.runcmd).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "drover-volumes.timer"],
      "echo 'hello' > /etc/motd",
      "systemctl restart sshd",
    ]);
    const script = doc.write_files.find((f: { path: string }) => f.path === "/usr/local/sbin/drover-volumes");
    expect(script.permissions).toBe("0755");
    expect(script.content).toContain('owner="rocky"');
  });

  it("leaves out packages when there are none", () => {
    expect(yamlParse(renderMachineCloudInit(cases.minimal))).not.toHaveProperty("packages");
  });

  it("matches the reviewed snapshot", () => {
    expect(renderMachineCloudInit(cases.full)).toMatchSnapshot();
  });

  describe.runIf(hasTool("cloud-init", "apt-get install cloud-init"))("checked by the real cloud-init", () => {
    it.each(Object.entries(cases))("%s passes cloud-init schema", (name, input) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, renderMachineCloudInit(input));
      expect(runTool("cloud-init", ["schema", "--config-file", file])).toContain("Valid");
    });
  });

  describe.runIf(hasTool("shellcheck", "apt-get install shellcheck"))("checked by the real shellcheck", () => {
    it("the volume script passes shellcheck", () => {
      const file = join(dir, "drover-volumes.sh");
      writeFileSync(file, renderTemplate("cloud-init/drover-volumes.sh", { owner: "ubuntu", metadataSource: "openstack" }, { shell: true }));
      expect(runTool("shellcheck", ["--severity=style", file])).toBe("");
    });
  });
});

describe("renderTemplate", () => {
  it("fails loudly on a missing or unused value", () => {
    expect(() => renderTemplate("cloud-init/drover-volumes.sh", { owner: "ubuntu" })).toThrow("template cloud-init/drover-volumes.sh: no value for {{metadataSource}}");
    expect(() => renderTemplate("cloud-init/drover-volumes.sh", { owner: "u", metadataSource: "openstack", extra: "x" })).toThrow(
      "template cloud-init/drover-volumes.sh: unused values extra",
    );
  });

  it("refuses values that are unsafe in a shell string", () => {
    expect(() => renderTemplate("cloud-init/drover-volumes.sh", { owner: 'x"; rm -rf /', metadataSource: "openstack" }, { shell: true })).toThrow(
      'value for {{owner}} is not shell-safe: "x\\"; rm -rf /"',
    );
  });
});

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("user data through the real Terraform", () => {
  it("comes out of Terraform byte for byte: shell ${...} and %{...} are escaped, not read as expressions", async () => {
    const { asTerraformLiteral } = await import("../../lib/cloud-init.ts");
    const { TerraformDir } = await import("../support/terraform.ts");
    const text = renderMachineCloudInit({ ...cases.full, commands: ["echo ${HOME} %{x}"] });
    expect(text).toContain("${id:0:20}");
    const tf = new TerraformDir().write({ output: { user_data: { value: asTerraformLiteral(text) } } });
    const out = JSON.parse(tf.init().apply().run("output", "-json")) as { user_data: { value: string } };
    expect(out.user_data.value).toBe(text);
  });
});
