/**
 * The stack's topology as Graphviz DOT: a box per network with a box per subnet inside, the
 * machines in their subnets, routers at the network's edge, public addresses and DNS records
 * leading in from the left, volumes hanging off their machines, and each security group as a
 * note listing what it opens. Graphviz does the layout (see `render.ts`).
 */
import type { GraphElement, GraphMachine, GraphModel, GraphRule, GraphSecurityGroup } from "./model.ts";

/** The plan actions a picture distinguishes; `read` and `forget` draw as `no-op`. */
export type GraphAction = "create" | "update" | "replace" | "delete" | "no-op";

/** A resource the plan deletes that is no longer in the stack: drawn in a box of its own. */
export interface RemovedElement {
  /** Its Terraform address. */
  readonly id: string;
  readonly kind: "machine" | "volume" | "network" | "subnet" | "router" | "public-address" | "security-group" | "dns-record" | "kubernetes-cluster";
  readonly name: string;
}

export interface DotOptions {
  /** Colour elements by what a plan does to them (by element `id`); otherwise by kind. */
  readonly actions?: ReadonlyMap<string, GraphAction>;
  /** Deleted elements to draw in a "removed" box. */
  readonly removed?: readonly RemovedElement[];
}

/** Colours per action: fill, border. Red for anything that destroys, as in `drover plan`. */
export const ACTION_COLORS: Readonly<Record<GraphAction, { fill: string; border: string }>> = {
  create: { fill: "#bbf7d0", border: "#15803d" },
  update: { fill: "#fde68a", border: "#b45309" },
  replace: { fill: "#fecaca", border: "#b91c1c" },
  delete: { fill: "#fecaca", border: "#b91c1c" },
  "no-op": { fill: "#e5e7eb", border: "#9ca3af" },
};

const KIND_COLORS = {
  machine: { fill: "#dbeafe", border: "#1d4ed8" },
  volume: { fill: "#fef3c7", border: "#a16207" },
  "public-address": { fill: "#ede9fe", border: "#6d28d9" },
  "security-group": { fill: "#f8fafc", border: "#64748b" },
  "dns-record": { fill: "#e0f2fe", border: "#0369a1" },
  router: { fill: "#f1f5f9", border: "#334155" },
  external: { fill: "#f5f5f4", border: "#57534e" },
  "kubernetes-cluster": { fill: "#dbeafe", border: "#1d4ed8" },
} as const;

/** Most rules a security group's note lists before "+N more". */
const MAX_RULES = 12;

/**
 * Escapes text for a double-quoted DOT string that Graphviz shows (label, tooltip): backslash
 * and quote are escaped, `&` becomes `&amp;` (Graphviz would read `&lt;` as an entity), each
 * line break becomes `\n`, and other control characters are dropped. Graphviz escapes the
 * result again for SVG, so `<script>` in a name arrives as text.
 */
export function escapeDotText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, "")
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/&/g, "&amp;")
    .replace(/\n/g, "\\n");
}

/** A DOT value written as is: a label already escaped, with its own line ends. */
interface Escaped {
  readonly dot: string;
}

/** A label of several lines: centred, or left-justified (`\l` ends each line). */
function label(lines: ReadonlyArray<string | undefined | false>, justify: "center" | "left" = "center"): Escaped {
  const kept = lines.filter((l): l is string => typeof l === "string" && l.length > 0).map(escapeDotText);
  return { dot: justify === "left" ? `"${kept.map((l) => `${l}\\l`).join("")}"` : `"${kept.join("\\n")}"` };
}

type AttrValue = string | number | Escaped | undefined;

/** `[k="v", ...]`: strings are escaped, numbers bare, labels as built. */
const attrs = (a: Record<string, AttrValue>) =>
  `[${Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "number" ? v : typeof v === "string" ? `"${escapeDotText(v)}"` : v!.dot}`)
    .join(", ")}]`;

/** A rule as one line: `tcp 22 ← 203.0.113.0/24`, `out all → 0.0.0.0/0`. */
export function ruleLine(rule: GraphRule): string {
  const what = rule.protocol === "all" ? "all traffic" : rule.ports === "all" ? `${rule.protocol} (all)` : `${rule.protocol} ${rule.ports}`;
  const verb = rule.deny ? "deny " : "";
  return rule.direction === "egress" ? `${verb}out ${what} → ${rule.peer}` : `${verb}${what} ← ${rule.peer}`;
}

/** The machine's one-line size and address, as in the label and the table. */
export function machineDetail(m: GraphMachine): string {
  return [m.size, m.fixedAddress, m.count !== undefined ? `× ${m.count}` : undefined].filter(Boolean).join(" · ");
}

function tooltip(e: GraphElement): string {
  return [e.id, e.constructPath].filter(Boolean).join("\n");
}

/** Renders the model as a DOT digraph. */
export function toDot(model: GraphModel, options: DotOptions = {}): string {
  const out: string[] = [];
  const ids = new Map<string, string>();
  const nodeId = (id: string) => {
    let n = ids.get(id);
    if (!n) ids.set(id, (n = `e${ids.size + 1}`));
    return n;
  };
  const plan = options.actions !== undefined;
  const actionOf = (id: string): GraphAction => options.actions?.get(id) ?? "no-op";
  const colors = (id: string, kind: keyof typeof KIND_COLORS) => (plan ? ACTION_COLORS[actionOf(id)] : KIND_COLORS[kind]);
  const actionLine = (id: string) => (plan && actionOf(id) !== "no-op" ? `[${actionOf(id)}]` : undefined);
  const cls = (kind: string, id: string) => `${kind}${plan ? ` action-${actionOf(id)}` : ""}`;
  const node = (e: GraphElement, kind: keyof typeof KIND_COLORS, lines: ReadonlyArray<string | undefined | false>, extra: Record<string, AttrValue> = {}, indent = "  ") => {
    const c = colors(e.id, kind);
    const justify = kind === "security-group" ? "left" : "center";
    out.push(
      `${indent}${nodeId(e.id)} ${attrs({
        label: label([...lines, actionLine(e.id)], justify),
        fillcolor: c.fill,
        color: c.border,
        class: cls(kind, e.id),
        tooltip: tooltip(e),
        ...(plan && actionOf(e.id) === "no-op" ? { fontcolor: "#4b5563" } : {}),
        ...extra,
      })};`,
    );
  };

  out.push(`digraph "${escapeDotText(`stack ${model.stack}`)}" {`);
  out.push(
    `  graph ${attrs({ rankdir: "LR", compound: "true", fontname: "Helvetica", fontsize: 12, nodesep: 0.25, ranksep: 0.7, pad: 0.3, bgcolor: "white", label: label([model.stack]), labelloc: "t" })};`,
  );
  out.push(`  node ${attrs({ shape: "box", style: "rounded,filled", fontname: "Helvetica", fontsize: 10, penwidth: 1.2 })};`);
  out.push(`  edge ${attrs({ fontname: "Helvetica", fontsize: 9, color: "#64748b", arrowsize: 0.7 })};`);

  // Where each machine, cluster and router goes: its subnet's box when that is drawn, else its
  // network's box, else the top level.
  const internal = model.networks.filter((n) => !n.external);
  const drawnNetworks = new Set(internal.map((n) => n.id));
  const subnetsOf = (network: string | undefined) => model.subnets.filter((s) => (network ? s.network === network : !s.network || !drawnNetworks.has(s.network)));
  const drawnSubnets = new Set(model.subnets.map((s) => s.id));
  const placeOf = (e: { subnet?: string; network?: string }) => (e.subnet && drawnSubnets.has(e.subnet) ? e.subnet : e.network && drawnNetworks.has(e.network) ? e.network : undefined);
  const machinesAt = (place: string | undefined) => model.machines.filter((m) => placeOf(m) === place);
  const kubesAt = (place: string | undefined) => model.kubernetesClusters.filter((k) => placeOf(k) === place);
  const routersAt = (network: string | undefined) => model.routers.filter((r) => (network ? r.network === network : !r.network || !drawnNetworks.has(r.network)));

  /** Draws what sits at a place; returns the first node, an anchor for edges into its box. */
  const drawAt = (place: string | undefined, indent: string): string | undefined => {
    const first: string[] = [];
    for (const m of machinesAt(place)) {
      node(m, "machine", [m.name, machineDetail(m), m.role && `role: ${m.role}`], {}, indent);
      first.push(nodeId(m.id));
    }
    for (const k of kubesAt(place)) {
      node(k, "kubernetes-cluster", kubeLines(k), { shape: "box3d", style: "filled" }, indent);
      first.push(nodeId(k.id));
    }
    return first[0];
  };
  const placeholder = (id: string, text: string, indent: string) => {
    const empty = `${nodeId(id)}_empty`;
    out.push(`${indent}${empty} ${attrs({ label: label([text]), shape: "plaintext", style: "", fontcolor: "#64748b" })};`);
    return empty;
  };

  // Edges into a subnet's box go to a node inside it, clipped at the box (`lhead`).
  const subnetBox = new Map<string, { cluster: string; anchor: string }>();
  let clusters = 0;
  const drawSubnet = (sub: GraphModel["subnets"][number], indent: string) => {
    const cluster = `cluster_${++clusters}`;
    const c = plan ? ACTION_COLORS[actionOf(sub.id)] : { fill: "#ffffff", border: "#94a3b8" };
    out.push(`${indent}subgraph "${cluster}" {`);
    out.push(
      `${indent}  graph ${attrs({ label: label([`subnet ${sub.name}`, sub.cidr, actionLine(sub.id)]), style: "rounded,dashed,filled", color: c.border, fillcolor: "#ffffff", penwidth: plan && actionOf(sub.id) !== "no-op" ? 2 : 1, class: cls("subnet", sub.id), tooltip: tooltip(sub) })};`,
    );
    const anchor = drawAt(sub.id, `${indent}  `) ?? placeholder(sub.id, "(no machines)", `${indent}  `);
    subnetBox.set(sub.id, { cluster, anchor });
    out.push(`${indent}}`);
  };

  for (const net of internal) {
    const c = plan ? ACTION_COLORS[actionOf(net.id)] : { fill: "#f8fafc", border: "#475569" };
    out.push(`  subgraph "cluster_${++clusters}" {`);
    out.push(
      `    graph ${attrs({ label: label([`network ${net.name}`, net.cidr, actionLine(net.id)]), style: "rounded,filled", color: c.border, fillcolor: plan ? "#ffffff" : c.fill, penwidth: plan && actionOf(net.id) !== "no-op" ? 2 : 1, class: cls("network", net.id), tooltip: tooltip(net) })};`,
    );
    const subnets = subnetsOf(net.id);
    for (const sub of subnets) drawSubnet(sub, "    ");
    const direct = drawAt(net.id, "    ");
    const routers = routersAt(net.id);
    for (const r of routers) node(r, "router", [r.name, r.kind === "internet-gateway" ? "internet gateway" : "router"], { shape: "hexagon", style: "filled" }, "    ");
    if (!direct && subnets.length === 0 && routers.length === 0) placeholder(net.id, "(empty)", "    ");
    out.push(`  }`);
  }
  for (const sub of subnetsOf(undefined)) drawSubnet(sub, "  ");
  drawAt(undefined, "  ");
  for (const r of routersAt(undefined)) node(r, "router", [r.name, r.kind === "internet-gateway" ? "internet gateway" : "router"], { shape: "hexagon", style: "filled" });
  for (const n of model.networks.filter((n) => n.external)) {
    node(n, "external", [n.name, n.id === "internet" ? undefined : "external network"], { shape: "ellipse", style: "filled" });
  }
  for (const p of model.publicAddresses) node(p, "public-address", [p.name, p.pool ? `public address (${p.pool})` : "public address"], { shape: "ellipse", style: "filled" });
  for (const v of model.volumes) node(v, "volume", [v.name, v.sizeGiB !== undefined ? `${v.sizeGiB} GiB` : undefined], { shape: "cylinder", style: "filled" });
  for (const d of model.dnsRecords) node(d, "dns-record", [`${d.recordType} ${d.name}`, d.zone && `zone ${d.zone}`], { shape: "note", style: "filled" });
  for (const g of model.securityGroups) node(g, "security-group", securityGroupLines(g), { shape: "note", style: "filled" });

  if (options.removed?.length) {
    out.push(`  subgraph "cluster_removed" {`);
    out.push(`    graph ${attrs({ label: label(["removed by this plan"]), style: "rounded,dashed", color: ACTION_COLORS.delete.border, class: "removed" })};`);
    for (const r of options.removed) {
      const c = ACTION_COLORS.delete;
      out.push(`    ${nodeId(r.id)} ${attrs({ label: label([r.name, r.kind.replace(/-/g, " "), "[delete]"]), fillcolor: c.fill, color: c.border, class: `${r.kind} action-delete`, tooltip: r.id })};`);
    }
    out.push(`  }`);
  }

  // Edges: from the outside in, left to right.
  const edge = (from: string, to: string, a: Record<string, AttrValue> = {}) => out.push(`  ${from} -> ${to} ${attrs(a)};`);
  for (const r of model.routers) {
    if (r.external && ids.has(r.external)) edge(nodeId(r.external), nodeId(r.id), { class: "uplink", arrowhead: "none", penwidth: 1.5 });
    for (const s of r.subnets) {
      const box = subnetBox.get(s);
      if (box) edge(nodeId(r.id), box.anchor, { lhead: box.cluster, class: "routes", style: "dashed", arrowhead: "none" });
    }
  }
  for (const d of model.dnsRecords) for (const t of d.targets) edge(nodeId(d.id), nodeId(t), { class: "resolves" });
  for (const p of model.publicAddresses) if (p.machine) edge(nodeId(p.id), nodeId(p.machine), { class: "public", color: "#6d28d9", penwidth: 1.5 });
  for (const g of model.securityGroups) {
    for (const m of model.machines.filter((m) => m.securityGroups.includes(g.id))) edge(nodeId(g.id), nodeId(m.id), { class: "guards", style: "dotted", arrowhead: "odot" });
  }
  for (const v of model.volumes) {
    for (const a of v.attachments) edge(nodeId(a.machine), nodeId(v.id), { class: "attached", label: label([a.mountPoint ?? a.device]), arrowhead: "none" });
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

function securityGroupLines(g: GraphSecurityGroup): string[] {
  const rules = g.rules.map(ruleLine);
  const shown = rules.slice(0, MAX_RULES);
  return [`${g.name}`, ...(shown.length ? shown : ["(no rules: closed)"]), ...(rules.length > MAX_RULES ? [`+${rules.length - MAX_RULES} more`] : [])];
}

function kubeLines(k: GraphModel["kubernetesClusters"][number]): string[] {
  const nodes = [k.masters !== undefined ? `${k.masters} control` : undefined, k.workers !== undefined ? `${k.workers} workers` : undefined].filter(Boolean).join(", ");
  return [k.name, "Kubernetes", [k.size, nodes].filter(Boolean).join(" · ")];
}
