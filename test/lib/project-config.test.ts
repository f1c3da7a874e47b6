import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProjectConfig, parseBackendSpec } from "../../lib/config/project-config.ts";
import { ConfigError } from "../../lib/errors.ts";

function withConfig(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "drover-config-"));
  writeFileSync(join(dir, "drover.config.json"), content);
  return dir;
}

function problems(fn: () => unknown): { message: string; details: readonly string[] } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return { message: e.message, details: e.details };
    throw e;
  }
  throw new Error("no error");
}

describe("drover.config.json", () => {
  it("is optional", () => {
    expect(loadProjectConfig(mkdtempSync(join(tmpdir(), "drover-config-")))).toEqual({});
  });

  it("reads a default backend and per-stack ones", () => {
    const dir = withConfig(JSON.stringify({ backend: { type: "pg", connStr: "postgres://tf@db:5432/tf" }, stacks: { scratch: { backend: { type: "local" } } } }));
    expect(loadProjectConfig(dir)).toEqual({ backend: { type: "pg", connStr: "postgres://tf@db:5432/tf" }, stacks: { scratch: { backend: { type: "local" } } } });
  });

  it.each([
    [
      '{ "backend": ',
      /^drover.config.json is not valid JSON: /,
      ['Write it as JSON (double-quoted keys and text, no trailing commas), e.g. { "backend": { "type": "local" } }, or delete it for local state.'],
    ],
    [JSON.stringify({ backend: { type: "consul" } }), /has problems:$/, ["backend.type: must be one of local, s3, pg, http"]],
    [JSON.stringify({ backend: { type: "s3" } }), /has problems:$/, ["backend.bucket: is required: give it (text)"]],
    [
      JSON.stringify({ backend: { type: "pg", connStr: "postgres://tf:hunter2@db/tf" } }),
      /has problems:$/,
      ["backend.connStr: must not hold a password: put it in PGPASSWORD (or the whole URL in PG_CONN_STR)"],
    ],
    [JSON.stringify({ backend: { type: "http", address: "state.example" } }), /has problems:$/, ['backend.address: "state.example" must be a URL, e.g. "https://state.example.org/lab"']],
    [JSON.stringify({ backend: { type: "local", pth: "x" } }), /has problems:$/, ['backend: unknown key "pth": did you mean "path"? Known: type, path.']],
    [JSON.stringify({ stack: {} }), /has problems:$/, ['(top level): unknown key "stack": did you mean "stacks"? Known: $schema, backend, stacks.']],
  ])("explains %s", (content, message, details) => {
    const e = problems(() => loadProjectConfig(withConfig(content)));
    expect(e.message).toMatch(message);
    expect(e.details).toEqual(details);
  });

  it("checks a backend given in code with the same rules", () => {
    const e = problems(() => parseBackendSpec({ type: "s3", bucket: "lab-state", secretKey: "x" }, "lab: 'backend'"));
    expect(e.message).toBe("lab: 'backend': the backend settings have problems:");
    expect(e.details).toEqual(['backend: unknown key "secretKey" Known: type, bucket, key, region, endpoint, usePathStyle, profile, lock, dynamodbTable.']);
  });
});
