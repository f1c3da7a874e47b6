/**
 * What an inbound rule opens, in words every cloud's rule reader shares (lib/clouds/<cloud>/ingress.ts):
 * protocols and port ranges as written, read into `Opening`s, and the context a reader adds its rules to.
 */
import type { ConfigIndex, TfResource } from "./config.ts";

/** What a rule opens: a protocol and its port ranges ("all": every port, or a protocol without ports). */
export interface Opening {
  readonly protocol: "tcp" | "udp" | "icmp" | "any" | (string & {});
  readonly ports: "all" | ReadonlyArray<readonly [number, number]>;
}

/** An inbound allow rule, with every address range it admits. */
export interface InboundRule {
  readonly resource: TfResource;
  readonly openings: readonly Opening[];
  /**
   * The address ranges it admits, as written (`203.0.113.0/24`, `0.0.0.0/0`, Azure's `Internet`),
   * with a cloud's implicit source spelled out (an OpenStack rule without a prefix or a group is
   * `0.0.0.0/0` or `::/0`; a GCP rule without a source is `0.0.0.0/0`). A rule that admits other
   * machines by group or tag only has none.
   */
  readonly sources: readonly string[];
  /** The machines it reaches, as far as the configuration tells. */
  readonly machines: readonly TfResource[];
  /** Words the cloud reads as every address, besides a /0 range (Azure's `*`, `Internet`, `Any`), lower case. */
  readonly worldWords: readonly string[];
}

/** What a cloud's rule reader is given: the configuration, and where its rules go. */
export interface RuleReading {
  readonly index: ConfigIndex;
  /** Adds a rule (nothing when it opens nothing); `machines` is asked only when needed. */
  add(resource: TfResource, openings: Opening[], sources: string[], machines: () => TfResource[], worldWords?: readonly string[]): void;
  /** The machines carrying the firewall a reference names (`${...secgroup.web.id}`). */
  groupMachines(ref: unknown): () => TfResource[];
}

/** Reads one resource's inbound allow rules into `reading`. */
export type RuleReader = (resource: TfResource, reading: RuleReading) => void;

export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : []);

export function protocolName(raw: unknown): Opening["protocol"] {
  const p = raw === undefined || raw === null ? "" : String(raw).trim().toLowerCase();
  if (p === "" || p === "-1" || p === "all" || p === "any" || p === "*") return "any";
  if (p === "tcp" || p === "6") return "tcp";
  if (p === "udp" || p === "17") return "udp";
  if (["icmp", "1", "icmpv6", "ipv6-icmp", "58"].includes(p)) return "icmp";
  return p;
}

export const hasPorts = (protocol: Opening["protocol"]) => protocol === "tcp" || protocol === "udp";

export function range(from: unknown, to: unknown): "all" | Array<[number, number]> {
  const a = Number(from);
  const b = to === undefined || to === null ? a : Number(to);
  if (from === undefined || from === null || !Number.isFinite(a) || !Number.isFinite(b) || a < 0 || b < 0) return "all";
  if (a <= 1 && b >= 65535) return "all";
  return [[a, b]];
}

/** `"22"`, `"1000-2000"`, `"*"` (Azure, GCP): port ranges. */
export function portList(values: string[]): "all" | Array<[number, number]> {
  if (values.length === 0) return "all";
  const out: Array<[number, number]> = [];
  for (const v of values) {
    const t = v.trim();
    if (t === "*" || t === "") return "all";
    const m = /^(\d+)(?:-(\d+))?$/.exec(t);
    if (!m) return "all";
    const r = range(m[1], m[2]);
    if (r === "all") return "all";
    out.push(...r);
  }
  return out;
}

export function covers(o: Opening, port: number): boolean {
  return o.ports === "all" || o.ports.some(([a, b]) => a <= port && port <= b);
}
