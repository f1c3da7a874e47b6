import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSsmMock } from "/work/main/test/support/aws-ssm-mock.ts";
const attr = process.argv[2] ?? "value";
const mock = await startSsmMock();
const dir = mkdtempSync(join(tmpdir(), "exp-"));
writeFileSync(join(dir, "rc"), "");
const cfg = { provider: { aws: { region: "us-east-2", access_key: "mock", secret_key: "mock", skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true, endpoints: [{ ssm: mock.url, sts: mock.url }] } },
  resource: { aws_ssm_parameter: { p: { name: "/drover/test", type: "String", [attr]: "one" } } } };
writeFileSync(join(dir, "main.tf.json"), JSON.stringify(cfg, null, 2));
const env = { ...process.env, TF_CLI_CONFIG_FILE: join(dir, "rc"), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
const tf = (...a: string[]) => { const t = Date.now(); const o = execFileSync("terraform", a, { cwd: dir, env, encoding: "utf8" }); console.error(a[0], Date.now() - t, "ms"); return o; };
try {
tf("init", "-input=false", "-plugin-dir=/opt/tf-plugins");
tf("apply", "-auto-approve", "-input=false");
console.log("after apply", mock.calls.join(" ")); mock.calls.length = 0;
mock.setValue("/drover/test", "changed-outside");
tf("plan", "-out", "p", "-input=false");
console.log("plan", mock.calls.join(" ")); mock.calls.length = 0;
writeFileSync("/tmp/exp/show-" + attr + ".json", tf("show", "-json", "p"));
tf("apply", "-auto-approve", "-input=false", "p");
console.log("apply p", mock.calls.join(" "), mock.valueOf("/drover/test")); mock.calls.length = 0;
tf("destroy", "-auto-approve", "-input=false");
console.log("destroy", mock.calls.join(" "), mock.valueOf("/drover/test"));
} finally { await mock.close(); }
