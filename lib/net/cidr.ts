import { isIPv4, isIPv6 } from "node:net";

export interface Cidr {
  /** Canonical text, e.g. `203.0.113.0/24`. */
  readonly text: string;
  readonly version: 4 | 6;
  readonly prefix: number;
  /** The network address as a number (IPv4) or bigint (IPv6). */
  readonly network: bigint;
}

export type CidrResult = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly reason: string; readonly suggestion?: string };

function ipv4ToBigInt(a: string): bigint {
  return a.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function bigIntToIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join(".");
}

function ipv6ToBigInt(a: string): bigint {
  const [head = "", tail = ""] = a.includes("::") ? a.split("::") : [a, ""];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  // An embedded IPv4 tail (::ffff:192.0.2.1) counts as two groups.
  const expand = (groups: string[]) =>
    groups.flatMap((g) => {
      if (!g.includes(".")) return [g];
      const v = ipv4ToBigInt(g);
      return [((v >> 16n) & 0xffffn).toString(16), (v & 0xffffn).toString(16)];
    });
  const he = expand(h);
  const te = expand(t);
  const groups = a.includes("::") ? [...he, ...Array(8 - he.length - te.length).fill("0"), ...te] : he;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function bigIntToIpv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  // Compress the longest run of zero groups, as RFC 5952 prescribes.
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(":");
  const left = hex.slice(0, best.start).join(":");
  const right = hex.slice(best.start + best.len).join(":");
  return `${left}::${right}`;
}

/** Parses `a.b.c.d/n` or an IPv6 prefix; explains what is wrong and suggests a fix when it can. */
export function parseCidr(text: string): CidrResult {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  if (slash < 0) {
    if (isIPv4(trimmed)) return { ok: false, reason: "has no prefix length", suggestion: `${trimmed}/32` };
    if (isIPv6(trimmed)) return { ok: false, reason: "has no prefix length", suggestion: `${trimmed}/128` };
    return { ok: false, reason: "is not an address range: write one in CIDR notation, e.g. 203.0.113.0/24" };
  }
  const address = trimmed.slice(0, slash);
  const prefixText = trimmed.slice(slash + 1);
  const version = isIPv4(address) ? 4 : isIPv6(address) ? 6 : 0;
  if (version === 0) return { ok: false, reason: `has an invalid address "${address}": write an IPv4 or IPv6 address before the "/", e.g. 203.0.113.0/24` };
  const bits = version === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return { ok: false, reason: `has an invalid prefix length "/${prefixText}": use /0 to /${bits}, e.g. 203.0.113.0/24` };
  }
  const prefix = Number(prefixText);
  const value = version === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostBits = BigInt(bits - prefix);
  const network = (value >> hostBits) << hostBits;
  const canonical = `${version === 4 ? bigIntToIpv4(network) : bigIntToIpv6(network)}/${prefix}`;
  if (network !== value) {
    return { ok: false, reason: "has host bits set", suggestion: canonical };
  }
  return { ok: true, cidr: { text: canonical, version, prefix, network } };
}

/** True for a range that matches every address of its family (0.0.0.0/0 or ::/0). */
export function isWorldOpen(cidr: Cidr): boolean {
  return cidr.prefix === 0;
}

/** Whether an IPv4 range lies inside one of RFC 1918's private ranges (10/8, 172.16/12, 192.168/16). */
export function isPrivateIpv4(cidr: Cidr): boolean {
  if (cidr.version !== 4) return false;
  const inside = (base: number, prefix: number) => cidr.prefix >= prefix && cidr.network >> BigInt(32 - prefix) === BigInt(base) >> BigInt(32 - prefix);
  return inside(0x0a000000, 8) || inside(0xac100000, 12) || inside(0xc0a80000, 16);
}

/** The usable host address at `index` inside a network (index 1 is the usual gateway). */
export function hostAddress(cidr: Cidr, index: number): string {
  const bits = cidr.version === 4 ? 32 : 128;
  const size = 1n << BigInt(bits - cidr.prefix);
  const i = BigInt(index);
  if (i <= 0n || i >= size - (cidr.version === 4 ? 1n : 0n)) {
    throw new RangeError(`host ${index} is outside ${cidr.text}`);
  }
  const v = cidr.network + i;
  return cidr.version === 4 ? bigIntToIpv4(v) : bigIntToIpv6(v);
}

/** The index of an address inside an IPv4 network (`hostAddress`'s inverse); undefined when outside. */
export function hostIndex(cidr: Cidr, address: string): number | undefined {
  if (cidr.version !== 4 || !isIPv4(address)) return undefined;
  const i = ipv4ToBigInt(address) - cidr.network;
  return i >= 0n && i < 1n << BigInt(32 - cidr.prefix) ? Number(i) : undefined;
}

/**
 * The fewest aligned IPv4 blocks that cover exactly the addresses at indexes `from` to `to`
 * (inclusive) of a network, e.g. 4..9 of 10.0.0.0/24 → 10.0.0.4/30, 10.0.0.8/31.
 */
export function blocksCovering(cidr: Cidr, from: number, to: number): string[] {
  if (cidr.version !== 4) throw new RangeError(`blocksCovering needs an IPv4 network, got ${cidr.text}`);
  const blocks: string[] = [];
  let start = cidr.network + BigInt(from);
  const end = cidr.network + BigInt(to);
  while (start <= end) {
    let bits = 0n;
    // Grow while the block stays aligned and inside the range.
    while (bits < 32n && start % (1n << (bits + 1n)) === 0n && start + (1n << (bits + 1n)) - 1n <= end) bits++;
    blocks.push(`${bigIntToIpv4(start)}/${32n - bits}`);
    start += 1n << bits;
  }
  return blocks;
}
