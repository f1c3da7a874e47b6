import { describe, expect, it } from "vitest";
import { hostAddress, isPrivateIpv4, isWorldOpen, parseCidr } from "../../lib/net/cidr.ts";

describe("parseCidr", () => {
  it.each([
    ["203.0.113.0/24", "203.0.113.0/24", 4, 24],
    [" 10.0.0.0/8 ", "10.0.0.0/8", 4, 8],
    ["0.0.0.0/0", "0.0.0.0/0", 4, 0],
    ["192.0.2.7/32", "192.0.2.7/32", 4, 32],
    ["2001:db8::/32", "2001:db8::/32", 6, 32],
    ["2001:0db8:0000:0000:0000:0000:0000:0000/48", "2001:db8::/48", 6, 48],
    ["::/0", "::/0", 6, 0],
    ["fe80:0:0:0::/64", "fe80::/64", 6, 64],
  ])("accepts %s as %s", (text, canonical, version, prefix) => {
    const r = parseCidr(text);
    expect(r).toMatchObject({ ok: true, cidr: { text: canonical, version, prefix } });
  });

  it.each([
    ["203.0.113.5/24", "has host bits set", "203.0.113.0/24"],
    ["203.0.113.5", "has no prefix length", "203.0.113.5/32"],
    ["2001:db8::1", "has no prefix length", "2001:db8::1/128"],
    ["2001:db8::1/64", "has host bits set", "2001:db8::/64"],
    ["fe80::1:0:0:0/64", "has host bits set", "fe80::/64"],
    ["10.0.0.0/33", 'has an invalid prefix length "/33": use /0 to /32, e.g. 203.0.113.0/24', undefined],
    ["10.0.0/24", 'has an invalid address "10.0.0": write an IPv4 or IPv6 address before the "/", e.g. 203.0.113.0/24', undefined],
    ["300.1.1.1/32", 'has an invalid address "300.1.1.1": write an IPv4 or IPv6 address before the "/", e.g. 203.0.113.0/24', undefined],
    ["lab-network", "is not an address range: write one in CIDR notation, e.g. 203.0.113.0/24", undefined],
    ["10.0.0.0/x", 'has an invalid prefix length "/x": use /0 to /32, e.g. 203.0.113.0/24', undefined],
  ])("rejects %s: %s", (text, reason, suggestion) => {
    const r = parseCidr(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.suggestion).toBe(suggestion);
    }
  });

  it("knows world-open ranges", () => {
    const world = parseCidr("0.0.0.0/0");
    const lab = parseCidr("203.0.113.0/24");
    expect(world.ok && isWorldOpen(world.cidr)).toBe(true);
    expect(lab.ok && isWorldOpen(lab.cidr)).toBe(false);
  });

  it("computes host addresses and refuses ones outside the range", () => {
    const r = parseCidr("10.1.2.0/24");
    if (!r.ok) throw new Error("parse failed");
    expect(hostAddress(r.cidr, 1)).toBe("10.1.2.1");
    expect(hostAddress(r.cidr, 254)).toBe("10.1.2.254");
    expect(() => hostAddress(r.cidr, 255)).toThrow("host 255 is outside 10.1.2.0/24");
    expect(() => hostAddress(r.cidr, 0)).toThrow();
  });
});

describe("isPrivateIpv4", () => {
  const cidr = (text: string) => {
    const r = parseCidr(text);
    if (!r.ok) throw new Error(r.reason);
    return r.cidr;
  };
  it.each([
    ["10.0.0.0/8", true],
    ["10.255.0.0/16", true],
    ["172.16.0.0/12", true],
    ["172.31.8.0/21", true],
    ["192.168.0.0/16", true],
    ["192.168.8.0/21", true],
    // Wider than the private range, or just outside it.
    ["10.0.0.0/7", false],
    ["172.0.0.0/8", false],
    ["172.32.0.0/16", false],
    ["172.15.0.0/16", false],
    ["192.169.0.0/16", false],
    ["8.8.0.0/16", false],
    ["fd00::/64", false],
  ])("%s → %s", (text, expected) => {
    expect(isPrivateIpv4(cidr(text))).toBe(expected);
  });
});
