import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeTarget } from "../../lib/deploy/target.ts";

const local = { terraform: { backend: { local: { path: "../../../terraform.lab.tfstate" } } } };
const dir = mkdtempSync(join(tmpdir(), "drover-target-"));
const stackDir = join(dir, "cdktf.out/stacks/lab");

describe("describeTarget", () => {
  it("names the OpenStack project from the openrc variables", () => {
    const config = { ...local, provider: { openstack: [{ region: "IU" }] } };
    const env = { OS_PROJECT_NAME: "TRA160003", OS_AUTH_URL: "https://js2.jetstream-cloud.org:5000/v3/" };
    expect(describeTarget(config, dir, env, stackDir)).toBe('OpenStack project "TRA160003" (region IU, https://js2.jetstream-cloud.org:5000/v3/); state in terraform.lab.tfstate (local)');
  });

  it("reads the project of a clouds.yaml entry named by OS_CLOUD", () => {
    writeFileSync(join(dir, "clouds.yaml"), "clouds:\n  js2:\n    region_name: IU\n    auth:\n      auth_url: https://js2.example:5000/v3/\n      project_name: BIO220042\n");
    expect(describeTarget({ ...local, provider: { openstack: [{}] } }, dir, { OS_CLOUD: "js2" }, stackDir)).toBe(
      'OpenStack project "BIO220042" (cloud "js2", region IU, https://js2.example:5000/v3/); state in terraform.lab.tfstate (local)',
    );
  });

  it("says when no project is selected", () => {
    const empty = mkdtempSync(join(tmpdir(), "drover-target-"));
    expect(describeTarget({ ...local, provider: { openstack: [{ region: "IU" }] } }, empty, {}, join(empty, "cdktf.out/stacks/lab"))).toBe(
      "OpenStack, no project selected (set OS_CLOUD or source your allocation's openrc); region IU; state in terraform.lab.tfstate (local)",
    );
  });

  it("names the AWS profile and region, and remote state", () => {
    const config = { terraform: { backend: { s3: { bucket: "b", key: "k.tfstate" } } }, provider: { aws: [{ region: "us-east-2" }] } };
    expect(describeTarget(config, dir, { AWS_PROFILE: "lab" })).toBe('AWS profile "lab", region us-east-2; state in s3://b/k.tfstate');
  });
});
