import { describe, expect, it } from "vitest";
import { describeValue, pathText } from "../../lib/props/check.ts";
import { checkProps } from "../../lib/props/schemas.ts";

describe("describeValue: what a message shows of a value", () => {
  it.each([
    [Number.NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
    [undefined, "nothing"],
    [null, "null"],
    ["a\u001b[31mred", '"a\\u001b[31mred"'],
    [() => 1, "a function"],
    [[1, "x"], '[1, "x"]'],
    [{ a: Number.NaN }, "{ a: NaN }"],
    ["x".repeat(100), `"${"x".repeat(76)}...`],
    [new Map(), "a Map"],
  ])("%j → %s", (value, shown) => {
    expect(describeValue(value)).toBe(shown);
  });
});

describe("checkShape", () => {
  it("names paths as a person writes them", () => {
    expect(pathText(["volumes", 0, "name"])).toBe("volumes[0].name");
  });

  it("knows the keys at a path through lists and unions", () => {
    expect(checkProps("virtualMachine", { size: { vcpus: 1, memoryGiB: 1, gpus: 1 } }, "vm")).toEqual([
      { code: "vm.unknown-prop", message: "'size' has an unknown key 'gpus': did you mean 'gpu'? Known: vcpus, memoryGiB, gpu." },
    ]);
  });

  it("reports every problem at once, in the order of the props", () => {
    expect(checkProps("slurmCluster", { controller: "m3.small", partitions: [{ name: 1, size: "x" }], accounting: "yes" }, "slurm").map((i) => i.message)).toEqual([
      "'controller' \"m3.small\": must be { size }",
      "'partitions[0].name' 1: must be a partition name, e.g. \"cpu\"",
      "'accounting' \"yes\": must be true or false (slurmdbd with MariaDB)",
    ]);
  });

  it.each([
    ["nothing", undefined, "the props must be an object ({ ... }), got nothing"],
    ["a list", [], "the props must be an object ({ ... }), got []"],
  ])("GIVEN %s for the props THEN one problem says so", (_, props, message) => {
    expect(checkProps("gatewayHost", props, "gateway")).toEqual([{ code: "gateway.bad-props", message }]);
  });
});
