/** A protocol and port range a firewall rule opens. */
export interface Port {
  readonly protocol: "tcp" | "udp" | "icmp" | "any";
  /** First port; undefined for ICMP and "any". */
  readonly from?: number;
  /** Last port (inclusive). */
  readonly to?: number;
  /** ICMP type (8 = echo request); undefined for every type. */
  readonly icmpType?: number;
  /** Human text for previews and messages: "tcp/22", "icmp echo". */
  readonly label: string;
}

function checkPort(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new RangeError(`port ${n} is outside 1-65535`);
  return n;
}

export const Port = {
  tcp: (port: number): Port => ({ protocol: "tcp", from: checkPort(port), to: port, label: `tcp/${port}` }),
  tcpRange: (from: number, to: number): Port => ({ protocol: "tcp", from: checkPort(from), to: checkPort(to), label: `tcp/${from}-${to}` }),
  udp: (port: number): Port => ({ protocol: "udp", from: checkPort(port), to: port, label: `udp/${port}` }),
  udpRange: (from: number, to: number): Port => ({ protocol: "udp", from: checkPort(from), to: checkPort(to), label: `udp/${from}-${to}` }),
  /** ICMP echo request: what `ping` sends. */
  ping: (): Port => ({ protocol: "icmp", icmpType: 8, label: "icmp echo" }),
  allIcmp: (): Port => ({ protocol: "icmp", label: "icmp" }),
  allTraffic: (): Port => ({ protocol: "any", label: "all traffic" }),
} as const;
