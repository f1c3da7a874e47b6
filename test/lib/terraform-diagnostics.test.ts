import { describe, expect, it } from "vitest";
import { ExternalError } from "../../lib/errors.ts";
import { ProtectedDataError, StackLockedError, diagnosticsFromText, failureFrom, parseLockInfo } from "../../lib/terraform/diagnostics.ts";

const localLock = `Error acquiring the state lock

Error message: resource temporarily unavailable
Lock Info:
  ID:        bedd09c2-ab20-de35-0646-275dee9c2de0
  Path:      terraform.tfstate
  Operation: OperationTypeApply
  Who:       root@vm
  Version:   1.11.4
  Created:   2026-11-22 02:51:52.358786819 +0000 UTC
  Info:      
`;

const httpLock = `Error message: HTTP remote state already locked: ID=f00dfeed-1c0d-4c3b-9a55-0badc0ffee00
Lock Info:
  ID:        916055bc-2d27-4a44-3c62-1d3cba6e7a11
  Operation: OperationTypePlan
  Who:       root@vm
  Created:   2026-11-22 03:00:00 +0000 UTC
`;

describe("parseLockInfo", () => {
  it("reads the holder from a local backend's Lock Info", () => {
    expect(parseLockInfo(localLock)).toEqual({
      id: "bedd09c2-ab20-de35-0646-275dee9c2de0",
      who: "root@vm",
      operation: "OperationTypeApply",
      created: "2026-11-22 02:51:52.358786819 +0000 UTC",
      path: "terraform.tfstate",
    });
  });

  it("keeps only the holder's ID when the Lock Info describes this run's attempt (http)", () => {
    expect(parseLockInfo(httpLock)).toEqual({ id: "f00dfeed-1c0d-4c3b-9a55-0badc0ffee00" });
  });

  it("finds nothing in text without a lock", () => {
    expect(parseLockInfo("Error: something else")).toBeUndefined();
  });
});

describe("failureFrom", () => {
  it("turns a lock diagnostic into StackLockedError with who, since when and how to release", () => {
    const e = failureFrom("demo", "plan", [{ severity: "error", summary: "Error acquiring the state lock", detail: localLock }], "");
    expect(e).toBeInstanceOf(StackLockedError);
    expect(e.message).toBe("stack demo is locked by root@vm since 2026-11-22 02:51:52.358786819 +0000 UTC (apply)");
    expect(e.details[1]).toBe("If nothing is running for this stack (a crash left the lock behind), release it with: drover unlock demo bedd09c2-ab20-de35-0646-275dee9c2de0");
    expect(e.exitCode).toBe(3);
  });

  it("turns prevent_destroy errors into ProtectedDataError naming every resource", () => {
    const d = (address: string) => ({
      severity: "error" as const,
      summary: "Instance cannot be destroyed",
      detail: `Resource ${address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.`,
    });
    const e = failureFrom("lab", "plan", [d("openstack_blockstorage_volume_v3.a"), d("openstack_blockstorage_volume_v3.b")], "");
    expect(e).toBeInstanceOf(ProtectedDataError);
    expect(e.message).toBe("this change to lab would destroy data in 2 protected resources: openstack_blockstorage_volume_v3.a, openstack_blockstorage_volume_v3.b");
    expect(e.exitCode).toBe(2);
  });

  it("lists other errors one per line, with their address", () => {
    const e = failureFrom(
      "lab",
      "plan",
      [
        { severity: "error", summary: "Invalid reference", detail: "A reference to a\nresource type", address: "x.y" },
        { severity: "warning", summary: "w", detail: "" },
      ],
      "",
    );
    expect(e).toBeInstanceOf(ExternalError);
    expect(e.message).toBe("terraform plan failed for lab");
    expect(e.details).toEqual(["x.y: Invalid reference: A reference to a resource type"]);
  });

  it("falls back to the end of stderr when terraform printed no diagnostics", () => {
    expect(failureFrom("lab", "init", [], "one\ntwo\n").details).toEqual(["one", "two"]);
  });

  it("GIVEN terraform init's text failure THEN every reason terraform gave is kept, the cause included", () => {
    const text = `There are some problems with the CLI configuration:
╷
│ Warning: Unable to open CLI configuration file
│
│ The CLI configuration file at "/root/.terraformrc" does not exist.
╵

Initializing the backend...

Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider
example.invalid/x/nothere: could not connect to example.invalid: failed to
request discovery document: no such host

To see which modules are currently depending on example.invalid/x/nothere and
what versions are specified, run the following command:
    terraform providers
`;
    expect(failureFrom("lab", "init", [], text).details).toEqual([
      "Failed to query available provider packages: Could not retrieve the list of available versions for provider example.invalid/x/nothere: could not connect to example.invalid: failed to request discovery document: no such host",
      "  To see which modules are currently depending on example.invalid/x/nothere and what versions are specified, run the following command: terraform providers",
    ]);
  });

  it("GIVEN a state file with two problems THEN both are listed, with where to restore it from", () => {
    const text = `Initializing the backend...

Error: Error refreshing state: 2 problems:

- Unsupported state file format: The state file could not be parsed as JSON: syntax error at byte offset 90.
- Unsupported state file format: The state file does not have a "version" attribute, which is required to identify the format version.

`;
    expect(failureFrom("demo", "init", [], text).details).toEqual([
      "Error refreshing state: 2 problems",
      "  - Unsupported state file format: The state file could not be parsed as JSON: syntax error at byte offset 90.",
      '  - Unsupported state file format: The state file does not have a "version" attribute, which is required to identify the format version.',
      "Terraform could not read the stack's state; drover changed nothing. Restore it from its backup (terraform.<stack>.tfstate.backup beside a local state, or the backend's versions), then run the command again.",
    ]);
  });

  it("reads coloured, boxed diagnostics too", () => {
    expect(diagnosticsFromText("\x1b[31m╷\x1b[0m\n\x1b[31m│\x1b[0m \x1b[1mError: \x1b[0mBad thing\n│ \n│ the reason\n╵")).toEqual([{ severity: "error", summary: "Bad thing", detail: "the reason" }]);
  });
});
