import { describe, expect, it } from "vitest";
import { maskSecrets, secretValues } from "../../lib/secrets-mask.ts";

describe("secrets in drover's environment are masked in whatever it prints", () => {
  it.each([
    ["an OpenStack application-credential secret", { OS_APPLICATION_CREDENTIAL_SECRET: "appcred-s3cret" }, "auth failed for appcred-s3cret", "auth failed for (sensitive value)"],
    [
      "a secret Terraform variable",
      { TF_VAR_hub_oauth_client_secret: "0123456789abcdef" },
      "Error running command 'echo 0123456789abcdef': exit 1",
      "Error running command 'echo (sensitive value)': exit 1",
    ],
    ["the password in PG_CONN_STR", { PG_CONN_STR: "postgres://tf:pg-pa55word@db/tf" }, "could not connect as tf:pg-pa55word", "could not connect as tf:(sensitive value)"],
    ["a variable whose name is not secret (left alone)", { TF_VAR_region: "RegionOne" }, "region RegionOne", "region RegionOne"],
    ["a value too short to mask safely (left alone)", { PGPASSWORD: "abc" }, "abc", "abc"],
  ])("GIVEN %s THEN the text is masked", (_, env, text, masked) => {
    expect(maskSecrets(text, secretValues(env))).toBe(masked);
  });

  it("masks a longer secret whole when it contains a shorter one", () => {
    expect(maskSecrets("x longsecret-123456 y", secretValues({ OS_PASSWORD: "secret-123", TF_VAR_api_token: "longsecret-123456" }))).toBe("x (sensitive value) y");
  });
});
