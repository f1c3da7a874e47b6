/**
 * The picture and the page: the model's DOT laid out by Graphviz (compiled to WebAssembly, the
 * `@viz-js/viz` package, loaded only when a picture is drawn), and one self-contained HTML file
 * with the SVG inline, its CSS inline, no script and no external URL, so it opens from a file,
 * offline, and can be attached to a ticket or a pull request as is.
 *
 * @example
 * const model = buildGraphModel(config, { stack: "dev-vm" });
 * await writeFile("graph.svg", await renderGraphSvg(model));
 * await writeFile("graph.html", await renderGraphHtml(model, "dev-vm"));
 */
import type { Viz } from "@viz-js/viz";
import { type DotOptions, type GraphAction, ruleLine, toDot } from "./dot.ts";
import type { GraphMachine, GraphModel } from "./model.ts";

let viz: Promise<Viz> | undefined;

/** Lays out DOT with Graphviz and returns the SVG element's markup (no XML prolog). */
export async function renderDotSvg(dot: string): Promise<string> {
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  const result = (await viz).render(dot, { format: "svg", engine: "dot" });
  if (result.status !== "success") {
    throw new Error(`Graphviz could not lay out the picture: ${result.errors.map((e) => e.message).join("; ")}`);
  }
  return result.output.slice(result.output.indexOf("<svg"));
}

/** The stack's topology as an SVG picture. */
export async function renderGraphSvg(model: GraphModel, options: DotOptions = {}): Promise<string> {
  const svg = await renderDotSvg(toDot(model, options));
  return svg.replace("<svg ", `<svg role="img" aria-label="${escapeHtml(`Topology of stack ${model.stack}`)}" `);
}

/** One self-contained HTML page: the picture, and every machine in a table beside it. */
export async function renderGraphHtml(model: GraphModel, title: string): Promise<string> {
  const svg = await renderGraphSvg(model);
  const body = `
<header>
  <h1>${escapeHtml(title)}</h1>
  <p class="meta">${escapeHtml(describe(model))}</p>
</header>
<main class="layout">
  <figure class="picture">
    ${svg}
    <figcaption>${legendByKind()}</figcaption>
  </figure>
  <aside class="side">
    ${machineTable(model)}
  </aside>
</main>
${securityGroupSection(model)}`;
  return page(title, body);
}

/** `openstack · 4 machines, 1 network, 2 volumes`. */
export function describe(model: GraphModel): string {
  const n = (count: number, word: string, plural = `${word}s`) => `${count} ${count === 1 ? word : plural}`;
  const parts = [
    n(model.machines.length, "machine"),
    n(model.networks.filter((x) => !x.external).length, "network"),
    n(model.subnets.length, "subnet"),
    n(model.publicAddresses.length, "public address", "public addresses"),
    n(model.volumes.length, "volume"),
    n(model.securityGroups.length, "security group"),
  ];
  if (model.dnsRecords.length) parts.push(n(model.dnsRecords.length, "DNS record"));
  if (model.kubernetesClusters.length) parts.push(n(model.kubernetesClusters.length, "Kubernetes cluster"));
  return `stack ${model.stack} · ${model.clouds.join(", ") || "no cloud"} · ${parts.join(", ")}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** The machines table; with `actions`, a first column says what the plan does to each. */
export function machineTable(model: GraphModel, actions?: ReadonlyMap<string, GraphAction>, removed: ReadonlyArray<{ readonly id: string; readonly name: string }> = []): string {
  const names = (ids: readonly string[], from: ReadonlyArray<{ id: string; name: string }>) => ids.map((id) => escapeHtml(from.find((e) => e.id === id)?.name ?? id)).join("<br>");
  const publicOf = (m: GraphMachine) => {
    const named = m.publicAddresses.map((id) => escapeHtml(model.publicAddresses.find((p) => p.id === id)?.name ?? id));
    if (m.ephemeralPublicAddress) named.push('<span class="dim">ephemeral</span>');
    return named.join("<br>") || '<span class="dim">none</span>';
  };
  const volumes = (m: GraphMachine) =>
    m.volumes
      .map((id) => {
        const v = model.volumes.find((x) => x.id === id);
        if (!v) return escapeHtml(id);
        const mount = v.attachments.find((a) => a.machine === m.id)?.mountPoint;
        return escapeHtml([v.name, v.sizeGiB !== undefined ? `${v.sizeGiB} GiB` : "", mount ? `at ${mount}` : ""].filter(Boolean).join(" "));
      })
      .join("<br>");
  const actionCell = (id: string) => {
    const a = actions?.get(id) ?? "no-op";
    return `<td><span class="badge action-${a}">${a}</span></td>`;
  };
  const rows = model.machines.map(
    (m) => `<tr class="machine-row" data-address="${escapeHtml(m.id)}">${actions ? actionCell(m.id) : ""}
      <td><strong class="machine-name">${escapeHtml(m.name)}</strong>${m.role ? `<br><span class="dim">${escapeHtml(m.role)}</span>` : ""}</td>
      <td class="nowrap">${escapeHtml([m.size, m.count !== undefined ? `× ${m.count}` : ""].filter(Boolean).join(" ")) || '<span class="dim">-</span>'}</td>
      <td class="nowrap">${m.fixedAddress ? `<code>${escapeHtml(m.fixedAddress)}</code>` : '<span class="dim">assigned</span>'}</td>
      <td>${publicOf(m)}</td>
      <td>${names(m.securityGroups, model.securityGroups)}</td>
      <td>${volumes(m)}</td>
    </tr>`,
  );
  for (const r of removed) {
    rows.push(`<tr class="machine-row removed" data-address="${escapeHtml(r.id)}"><td><span class="badge action-delete">delete</span></td>
      <td><strong class="machine-name">${escapeHtml(r.name)}</strong></td><td colspan="5"><span class="dim">${escapeHtml(r.id)}</span></td></tr>`);
  }
  return `<h2>Machines (${model.machines.length + removed.length})</h2>
    <table class="machines">
      <thead><tr>${actions ? "<th>Change</th>" : ""}<th>Machine</th><th>Size</th><th>Private address</th><th>Public address</th><th>Security groups</th><th>Volumes</th></tr></thead>
      <tbody>${rows.join("\n") || `<tr><td colspan="${actions ? 7 : 6}" class="dim">The stack has no machines.</td></tr>`}</tbody>
    </table>`;
}

/** Each security group with what it opens and to which machines. */
export function securityGroupSection(model: GraphModel): string {
  if (model.securityGroups.length === 0) return "";
  const groups = model.securityGroups.map((g) => {
    const machines = model.machines.filter((m) => m.securityGroups.includes(g.id)).map((m) => escapeHtml(m.name));
    const rules = g.rules.map((r) => `<li><code>${escapeHtml(ruleLine(r))}</code>${r.description ? ` <span class="dim">${escapeHtml(r.description)}</span>` : ""}</li>`);
    return `<div class="group"><h3>${escapeHtml(g.name)}</h3>
      <ul>${rules.join("") || '<li class="dim">no rules: closed</li>'}</ul>
      <p class="dim">on: ${machines.join(", ") || "no machine"}</p></div>`;
  });
  return `<section class="groups"><h2>Security groups</h2><div class="group-list">${groups.join("\n")}</div></section>`;
}

function legendByKind(): string {
  const items: Array<[string, string, string]> = [
    ["machine", "#dbeafe", "#1d4ed8"],
    ["volume", "#fef3c7", "#a16207"],
    ["public address", "#ede9fe", "#6d28d9"],
    ["DNS record", "#e0f2fe", "#0369a1"],
    ["security group", "#f8fafc", "#64748b"],
  ];
  return `<ul class="legend">${items.map(([name, fill, border]) => `<li><span class="swatch" style="background:${fill};border-color:${border}"></span>${name}</li>`).join("")}</ul>`;
}

/** The page around a body: inline CSS, and a policy that forbids loading anything or running scripts. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="drover">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.trim()}
<footer>Drawn by <code>drover</code> from the stack's synthesized Terraform; Graphviz did the layout.</footer>
</body>
</html>
`;
}

const CSS = `
:root { color-scheme: light; --fg: #0f172a; --dim: #64748b; --line: #e2e8f0; }
* { box-sizing: border-box; }
body { margin: 0; padding: 1.25rem 1.5rem 2rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
h3 { font-size: .95rem; margin: 0 0 .25rem; }
.meta, .dim { color: var(--dim); }
code { font: 12px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.5rem; align-items: start; }
@media (max-width: 1100px) { .layout { grid-template-columns: 1fr; } }
.picture { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: .5rem; overflow: auto; }
.picture svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.side { overflow-x: auto; }
.side h2 { margin-top: 0; }
.machines td { overflow-wrap: anywhere; }
.machines td.nowrap { white-space: nowrap; overflow-wrap: normal; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; background: #f8fafc; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0; margin: .5rem 0 0; color: var(--dim); }
.swatch { display: inline-block; width: .9rem; height: .9rem; border: 1px solid; border-radius: 3px; margin-right: .35rem; vertical-align: -2px; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: 4px; border: 1px solid; font-size: 12px; }
.action-create { background: #bbf7d0; border-color: #15803d; }
.action-update { background: #fde68a; border-color: #b45309; }
.action-replace, .action-delete { background: #fecaca; border-color: #b91c1c; }
.action-no-op { background: #e5e7eb; border-color: #9ca3af; }
.group-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: .75rem; }
.group { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; }
.group ul { margin: .25rem 0; padding-left: 1.1rem; }
.severity-error { color: #b91c1c; font-weight: 600; }
.severity-warning { color: #b45309; font-weight: 600; }
.severity-info { color: var(--dim); font-weight: 600; }
.suppressed { opacity: .7; }
footer { margin-top: 2rem; color: var(--dim); font-size: 12px; }
`;
