import { describe, expect, it } from "vitest";
import { escapeTerraformText, escapeTerraformValue, holdsToken, unescapeTerraformText } from "../../lib/terraform/text.ts";
import { TerraformDir } from "../support/terraform.ts";
import { hasTool } from "../support/tools.ts";

/** Text a person may write that Terraform would read as an expression or a directive. */
const HOSTILE = [
  'ssh-ed25519 AAAA ${file("/etc/hostname")}',
  "${var.hub_oauth_client_secret}",
  "%{ if true }yes%{ endif }",
  "$${already escaped}",
  "$$${three}",
  "a $ b { c } ${",
  "%%{ double }",
  'echo "${HOME}" %{x}',
  "trailing $",
  "${}",
];

describe("escapeTerraformText: text stays text", () => {
  it.each([
    ["plain text", "Featured-Ubuntu24", "Featured-Ubuntu24"],
    ["an interpolation", '${file("/etc/hostname")}', '$${file("/etc/hostname")}'],
    ["a directive", "%{ if x }a%{ endif }", "%%{ if x }a%%{ endif }"],
    ["an escape already written", "$${x}", "$$${x}"],
    ["a token, which is a reference", "ssh ubuntu@${TfToken[TOKEN.7]}", "ssh ubuntu@${TfToken[TOKEN.7]}"],
    ["text around a token", "${HOME}/${TfToken[TOKEN.12]}/%{x}", "$${HOME}/${TfToken[TOKEN.12]}/%%{x}"],
    ["a $ right before a token", "cost: $${TfToken[TOKEN.3]}", 'cost: ${"$"}${TfToken[TOKEN.3]}'],
    ["two $ right before a token", "$$${TfToken[TOKEN.3]}", '${"$$"}${TfToken[TOKEN.3]}'],
    ["a list token (not a template)", "#{TfToken[TOKEN.9]}", "#{TfToken[TOKEN.9]}"],
    ["braces without $ or %", "{json: 1}", "{json: 1}"],
  ])("GIVEN %s WHEN escaped THEN %j", (_, text, escaped) => {
    expect(escapeTerraformText(text)).toBe(escaped);
  });

  it("GIVEN nested values WHEN escaped THEN every string and every key is, numbers and booleans are not", () => {
    expect(escapeTerraformValue({ "${k}": ["${a}", 1, true, null, { b: "%{c}" }] })).toEqual({ "$${k}": ["$${a}", 1, true, null, { b: "%%{c}" }] });
  });

  it.each(HOSTILE)("GIVEN %j WHEN escaped and unescaped THEN it is the same text", (text) => {
    expect(unescapeTerraformText(escapeTerraformText(text))).toBe(text);
  });

  it("tells a token from text that merely looks like one", () => {
    expect(holdsToken("a ${TfToken[TOKEN.1]} b")).toBe(true);
    expect(holdsToken("${var.x}")).toBe(false);
    expect(holdsToken("${TfToken[not a token")).toBe(false);
  });
});

describe.runIf(hasTool("terraform", "https://developer.hashicorp.com/terraform/install"))("escaped text through the real Terraform", () => {
  it("GIVEN hostile text in outputs, object keys and next to a reference WHEN terraform applies THEN it gives back exactly the text", () => {
    const outputs: Record<string, { value: unknown }> = {};
    for (const [i, text] of HOSTILE.entries()) outputs[`text_${i}`] = { value: escapeTerraformText(text) };
    outputs.keys = { value: escapeTerraformValue({ "${k}": "v", "%{d}": "w" }) };
    // A literal "$" just before a reference: the token stands in for local.price here.
    outputs.price = { value: escapeTerraformText("cost: $${TfToken[TOKEN.1]}").replace("${TfToken[TOKEN.1]}", "${local.price}") };
    const tf = new TerraformDir()
      .write({ locals: { price: "12" }, output: outputs })
      .init()
      .apply();
    const out = JSON.parse(tf.run("output", "-json")) as Record<string, { value: unknown }>;
    for (const [i, text] of HOSTILE.entries()) expect({ i, value: out[`text_${i}`]!.value }).toEqual({ i, value: text });
    expect(out.keys!.value).toEqual({ "${k}": "v", "%{d}": "w" });
    expect(out.price!.value).toBe("cost: $12");
  });
});
