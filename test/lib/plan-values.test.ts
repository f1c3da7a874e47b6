import { describe, expect, it } from "vitest";
import { compareValues, deepEqual, showValue } from "../../lib/plan/values.ts";

const line = (c: ReturnType<typeof compareValues>[number]) => `${c.path}: ${showValue(c.before)} → ${showValue(c.after)}${c.forcesReplacement ? " !" : ""}`;

describe("compareValues", () => {
  it.each([
    ["equal bodies", { a: 1, b: [1, 2], m: { k: "v" } }, { a: 1, b: [1, 2], m: { k: "v" } }, []],
    ["a scalar", { name: "a" }, { name: "b" }, ['name: "a" → "b"']],
    ["a map entry added, one removed", { m: { a: "1", b: "2" } }, { m: { a: "1", c: "3" } }, ['m.b: "2" → (none)', 'm.c: (none) → "3"']],
    ["a list of scalars as one value", { tags: ["a", "b"] }, { tags: ["a", "c"] }, ['tags: ["a","b"] → ["a","c"]']],
    ["nested blocks by index", { network: [{ port: "p1" }, { uuid: "u" }] }, { network: [{ port: "p2" }, { uuid: "u" }] }, ['network[0].port: "p1" → "p2"']],
    ["a block added", { network: [{ port: "p1" }] }, { network: [{ port: "p1" }, { uuid: "u" }] }, ['network[1].uuid: (none) → "u"']],
    ["null and absent are the same", { a: null, b: 1 }, { b: 1 }, []],
    ["a new resource lists its leaves", undefined, { name: "x", meta: { a: "1" } }, ['meta.a: (none) → "1"', 'name: (none) → "x"']],
  ])("%s", (_, before, after, expected) => {
    expect(compareValues(before, after).map(line)).toEqual(expected);
  });

  it("marks unknown values, including attributes absent from after", () => {
    const changes = compareValues({ id: "1", v: 1 }, { v: 2 }, { afterUnknown: { id: true, out: true } });
    expect(changes.map(line)).toEqual(['id: "1" → (known after apply)', "out: (none) → (known after apply)", "v: 1 → 2"]);
  });

  it("never carries sensitive values, before or after", () => {
    const changes = compareValues({ pass: "old-secret", n: 1 }, { pass: "new-secret", n: 1 }, { beforeSensitive: { pass: true }, afterSensitive: { pass: true } });
    expect(changes.map(line)).toEqual(["pass: (sensitive) → (sensitive)"]);
    expect(JSON.stringify(changes)).not.toMatch(/secret/);
  });

  it("treats a whole sensitive subtree as sensitive", () => {
    const changes = compareValues({ creds: { user: "u", key: "k1" } }, { creds: { user: "u", key: "k2" } }, { afterSensitive: { creds: true }, beforeSensitive: { creds: true } });
    expect(changes.map(line)).toEqual(["creds.key: (sensitive) → (sensitive)"]);
  });

  it("asks which paths force replacement", () => {
    const changes = compareValues({ user_data: "a", name: "n" }, { user_data: "b", name: "m" }, { forcesReplacement: (p) => p[0] === "user_data" });
    expect(changes.map(line)).toEqual(['name: "n" → "m"', 'user_data: "a" → "b" !']);
  });

  it("gives long text a unified line diff", () => {
    const before = "#cloud-config\npackages:\n  - htop\nruncmd:\n  - echo a\n";
    const after = "#cloud-config\npackages:\n  - htop\n  - tmux\nruncmd:\n  - echo a\n";
    const [c] = compareValues({ user_data: before }, { user_data: after });
    expect(c?.textDiff).toBe(["--- user_data (before)", "+++ user_data (after)", "@@ -2,4 +2,5 @@", " packages:", "   - htop", "+  - tmux", " runcmd:", "   - echo a"].join("\n"));
  });
});

describe("deepEqual and showValue", () => {
  it("compares structures, ignoring null-vs-absent", () => {
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(deepEqual({ a: 1, b: null }, { a: 1 })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
  });

  it("shows values in words or short JSON", () => {
    expect(showValue({ kind: "absent" })).toBe("(none)");
    expect(showValue({ kind: "unknown" })).toBe("(known after apply)");
    expect(showValue({ kind: "sensitive" })).toBe("(sensitive)");
    expect(showValue({ kind: "known", value: { a: 1 } })).toBe('{"a":1}');
    expect(showValue({ kind: "known", value: "x".repeat(100) }, 20)).toBe(`"${"x".repeat(18)}…`);
  });
});
