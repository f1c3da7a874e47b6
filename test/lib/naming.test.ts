import { describe, expect, it } from "vitest";
import { checkName, nearestMatches, orList, resourceName, suggestName } from "../../lib/naming.ts";

describe("naming", () => {
  it.each([
    ["dev-vm", undefined],
    ["a", undefined],
    ["hpc2", undefined],
    ["Dev_VM", `stack name "Dev_VM" is not a valid name (lower-case letters, digits and '-', starting with a letter, at most 63 characters): try "dev-vm"`],
    ["2cool", `stack name "2cool" is not a valid name (lower-case letters, digits and '-', starting with a letter, at most 63 characters): try "cool"`],
    ["trailing-", `stack name "trailing-" is not a valid name (lower-case letters, digits and '-', starting with a letter, at most 63 characters): try "trailing"`],
    ["x".repeat(64), `stack name "${"x".repeat(64)}" is not a valid name (lower-case letters, digits and '-', starting with a letter, at most 63 characters): try "${"x".repeat(63)}"`],
  ])("checkName(%j)", (name, message) => {
    expect(checkName(name, "stack name")).toBe(message);
  });

  it("suggests a usable name", () => {
    expect(suggestName("My Lab VM!")).toBe("my-lab-vm");
    expect(suggestName("__x__y")).toBe("x-y");
  });

  it("joins resource names and skips empty parts", () => {
    expect(resourceName("dev-vm", "box", "sg")).toBe("dev-vm-box-sg");
    expect(resourceName("dev-vm", undefined, "net")).toBe("dev-vm-net");
  });

  it.each([
    ["m3.smal", ["m3.small", "m3.tiny", "m3.quad", "m3.medium", "m3.large", "g3.small"], ["m3.small"]],
    ["m3.smll", ["m3.small", "g3.small", "m3.2xl"], ["m3.small"]],
    ["g3.medum", ["m3.medium", "g3.medium", "g3.small"], ["g3.medium"]],
    ["m3.larg3", ["m3.large", "g3.large", "r3.large"], ["m3.large"]],
    ["M3.LARGE", ["m3.large", "r3.large", "g3.large"], ["m3.large"]],
    ["x3.large", ["m3.large", "r3.large", "g3.large"], ["g3.large", "m3.large", "r3.large"]],
    ["zzzzzz", ["m3.small", "m3.tiny"], []],
    ["flavour_name", ["flavor_name", "flavor_id", "name"], ["flavor_name"]],
  ])("nearestMatches(%j)", (input, candidates, expected) => {
    expect(nearestMatches(input, candidates)).toEqual(expected);
  });

  it("writes or-lists", () => {
    expect(orList([])).toBe("");
    expect(orList(["a"])).toBe("a");
    expect(orList(["a", "b", "c"])).toBe("a, b or c");
  });
});
