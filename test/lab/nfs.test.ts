import { describe, expect, it } from "vitest";
import { clientMatches, parseEtab } from "../../lab/nfs.ts";

describe("parseEtab", () => {
  it("reads the paths and clients exportfs keeps (options dropped)", () => {
    const etab = [
      "/home\t10.42.0.0/16(rw,sync,wdelay,hide,nocrossmnt,secure,root_squash,no_all_squash,no_subtree_check)",
      "/opt/software\t10.42.0.0/16(rw,sync,root_squash)",
      "/srv/x\t*(ro)",
      "",
    ].join("\n");
    expect(parseEtab(etab)).toEqual([
      { path: "/home", client: "10.42.0.0/16" },
      { path: "/opt/software", client: "10.42.0.0/16" },
      { path: "/srv/x", client: "*" },
    ]);
  });

  it("is empty for an empty table", () => {
    expect(parseEtab("\n")).toEqual([]);
  });
});

describe("clientMatches", () => {
  it.each([
    ["10.42.0.0/16", "10.42.8.1", true],
    ["10.42.0.0/16", "10.43.0.1", false],
    ["10.42.4.0/22", "10.42.7.255", true],
    ["10.42.4.0/22", "10.42.8.0", false],
    ["*", "192.0.2.7", true],
    ["10.42.0.5", "10.42.0.5", true],
    ["10.42.0.5", "10.42.0.6", false],
    ["lab-login", "10.42.0.5", false],
  ])("%s admits %s: %s", (client, address, expected) => {
    expect(clientMatches(client, address)).toBe(expected);
  });
});
