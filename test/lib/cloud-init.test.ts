import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { renderMachineCloudInit, renderVolumesScript, type MetadataSource } from "../../lib/cloud-init.ts";
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
    expect(doc.runcmd).toEqual([["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", "drover-volumes.timer"], "echo 'hello' > /etc/motd", "systemctl restart sshd"]);
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
    it.each(SOURCES)("the volume script for %s passes shellcheck", (source) => {
      const file = join(dir, `drover-volumes-${source}.sh`);
      writeFileSync(file, renderVolumesScript("ubuntu", source));
      expect(runTool("shellcheck", ["--severity=style", file])).toBe("");
    });
  });
});

const SOURCES: MetadataSource[] = ["openstack", "aws", "gcp", "azure"];

/**
 * What each cloud's metadata service answers (shapes from the clouds' public references): two
 * volumes, plus keys that are not volumes. Azure names disks by resource ID (in another case
 * than its tags, which it does not promise to keep) and says at which LUN each is attached.
 */
const DISK = "/subscriptions/0000/resourceGroups/lab-rg/providers/Microsoft.Compute/disks/lab-box-data";
const METADATA: Record<MetadataSource, (req: IncomingMessage, res: ServerResponse) => void> = {
  openstack: (req, res) => {
    if (req.url !== "/openstack/latest/meta_data.json") return void res.writeHead(404).end();
    res.end(JSON.stringify({ uuid: "x", meta: { drover_volume_data: "0c8a4f2e-1111:/media/volume/data", drover_volume_scratch: "9f1b-2222:/scratch", owner: "me" } }));
  },
  aws: (req, res) => {
    if (req.method === "PUT" && req.url === "/latest/api/token") return void res.end("TOKEN");
    if (req.headers["x-aws-ec2-metadata-token"] !== "TOKEN") return void res.writeHead(401).end();
    const tags: Record<string, string> = { Name: "box", drover_volume_data: "vol-0abc:/media/volume/data", drover_volume_scratch: "vol-0def:/scratch" };
    if (req.url === "/latest/meta-data/tags/instance") return void res.end(Object.keys(tags).join("\n"));
    const key = req.url?.replace("/latest/meta-data/tags/instance/", "") ?? "";
    return tags[key] ? void res.end(tags[key]) : void res.writeHead(404).end();
  },
  gcp: (req, res) => {
    if (req.headers["metadata-flavor"] !== "Google" || req.url !== "/computeMetadata/v1/instance/attributes/?recursive=true") return void res.writeHead(403).end();
    res.end(JSON.stringify({ "user-data": "#cloud-config", drover_volume_data: "lab-box-data:/media/volume/data", drover_volume_scratch: "lab-box-scratch:/scratch" }));
  },
  azure: (req, res) => {
    if (req.headers.metadata !== "true" || req.url !== "/metadata/instance/compute?api-version=2021-02-01") return void res.writeHead(400).end();
    res.end(
      JSON.stringify({
        tagsList: [
          { name: "drover_volume_data", value: `${DISK}:/media/volume/data` },
          { name: "drover_volume_late", value: `${DISK}-late:/late` },
          { name: "drover_stack", value: "lab" },
        ],
        storageProfile: { dataDisks: [{ lun: "0", name: "lab-box-data", managedDisk: { id: DISK.toUpperCase() } }] },
      }),
    );
  },
};

const EXPECTED: Record<MetadataSource, string[]> = {
  openstack: ["data 0c8a4f2e-1111 /media/volume/data", "scratch 9f1b-2222 /scratch"],
  aws: ["data vol-0abc /media/volume/data", "scratch vol-0def /scratch"],
  gcp: ["data lab-box-data /media/volume/data", "scratch lab-box-scratch /scratch"],
  // A disk not attached yet has no LUN: left for the next pass.
  azure: ["data lun0 /media/volume/data"],
};

describe.runIf(hasTool("python3", "apt-get install python3"))("the volume script's metadata reading", () => {
  it.each(SOURCES)("on %s lists each volume's name, what finds its device and its mount path", async (source) => {
    const script = renderVolumesScript("ubuntu", source);
    const branch = script.slice(script.indexOf(`    ${source})\n`));
    const python = branch.slice(branch.indexOf("<<'PY'\n") + 7, branch.indexOf("\nPY\n"));
    const server = createServer(METADATA[source]);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn("python3", ["-c", python.replaceAll("http://169.254.169.254", `http://127.0.0.1:${port}`)]);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(stderr))));
      });
      expect(out.trim().split("\n")).toEqual(EXPECTED[source]);
    } finally {
      server.close();
    }
  });

  it("finds GCP disks by device name and Azure disks by LUN, and leaves OpenStack's script as it was", () => {
    expect(renderVolumesScript("ubuntu", "gcp")).toContain('/dev/disk/by-id/google-"${id}"; do');
    expect(renderVolumesScript("ubuntu", "azure")).toContain('/dev/disk/azure/scsi1/"${id}"; do');
    expect(renderVolumesScript("ubuntu", "openstack")).toBe(renderTemplate("cloud-init/drover-volumes.sh", { owner: "ubuntu", metadataSource: "openstack" }, { shell: true }));
    expect(renderVolumesScript("ubuntu", "openstack")).not.toContain("gcp)");
  });
});

describe("renderTemplate", () => {
  it("fails loudly on a missing or unused value", () => {
    expect(() => renderTemplate("cloud-init/drover-volumes.sh", { owner: "ubuntu" })).toThrow("template cloud-init/drover-volumes.sh: no value for {{metadataSource}}");
    expect(() => renderTemplate("cloud-init/drover-volumes.sh", { owner: "u", metadataSource: "openstack", extra: "x" })).toThrow("template cloud-init/drover-volumes.sh: unused values extra");
  });

  it("refuses values that are unsafe in a shell string", () => {
    expect(() => renderTemplate("cloud-init/drover-volumes.sh", { owner: 'x"; rm -rf /', metadataSource: "openstack" }, { shell: true })).toThrow(
      'value for {{owner}} is not shell-safe: "x\\"; rm -rf /"',
    );
  });
});

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("user data through the real Terraform", () => {
  it("comes out of Terraform byte for byte: shell ${...} and %{...} are escaped, not read as expressions", async () => {
    const { escapeTerraformText } = await import("../../lib/terraform/text.ts");
    const { TerraformDir } = await import("../support/terraform.ts");
    const text = renderMachineCloudInit({ ...cases.full, commands: ["echo ${HOME} %{x}"] });
    expect(text).toContain("${id:0:20}");
    const tf = new TerraformDir().write({ output: { user_data: { value: escapeTerraformText(text) } } });
    const out = JSON.parse(tf.init().apply().run("output", "-json")) as { user_data: { value: string } };
    expect(out.user_data.value).toBe(text);
  });
});
