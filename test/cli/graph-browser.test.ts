import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGraphModel } from "../../lib/graph/build.ts";
import { renderPlanHtml } from "../../lib/graph/plan-page.ts";
import { offlinePlan } from "../../lib/plan/offline.ts";
import { builtinProviders } from "../../lib/schema/registry.ts";
import { drover, makeProject, STACK_TRACE_LINE } from "../support/project.ts";
import { hasTool } from "../support/tools.ts";

type Json = Record<string, unknown>;

const CHROMIUM = "/usr/bin/chromium";
function chromiumAvailable(): boolean {
  if (!hasTool("chromium", "apt-get install chromium")) return false;
  if (existsSync(CHROMIUM)) return true;
  console.warn(`[skip] chromium is on PATH but not at ${CHROMIUM}, so the browser tests are skipped (apt-get install chromium).`);
  return false;
}
const haveChromium = chromiumAvailable();

interface Visit {
  /** Every request that was not for a file: each was blocked. */
  readonly blocked: string[];
  readonly consoleErrors: string[];
  readonly svgTexts: string[];
  readonly tableMachines: string[];
  readonly svgSize: { width: number; height: number };
}

/**
 * Opens a page from a file:// URL in headless Chromium with every non-file request blocked,
 * collects what it shows, and saves a screenshot.
 */
async function visit(browser: Browser, file: string, screenshot: string): Promise<Visit> {
  const page = await browser.newPage();
  const blocked: string[] = [];
  const consoleErrors: string[] = [];
  try {
    await page.setViewport({ width: 1400, height: 900 });
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      if (request.url().startsWith("file:")) void request.continue();
      else {
        blocked.push(request.url());
        void request.abort("blockedbyclient");
      }
    });
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(String(error)));
    const response = await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    expect(response?.ok() ?? true).toBe(true);
    // Evaluated as text: the test project's TypeScript has no DOM types.
    const svgTexts = (await page.evaluate(`[...document.querySelectorAll("figure.picture svg text")].map((t) => t.textContent)`)) as string[];
    const tableMachines = (await page.evaluate(`[...document.querySelectorAll("table.machines .machine-name")].map((t) => t.textContent)`)) as string[];
    const svgSize = (await page.evaluate(`(() => { const r = document.querySelector("figure.picture svg").getBoundingClientRect(); return { width: r.width, height: r.height }; })()`)) as {
      width: number;
      height: number;
    };
    await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
    return { blocked, consoleErrors, svgTexts, tableMachines, svgSize };
  } finally {
    await page.close();
  }
}

describe.skipIf(!haveChromium)("drover graph, opened in a real browser", () => {
  let dir: string;
  let browser: Browser;
  let config: Json;

  beforeAll(async () => {
    dir = makeProject({}, { copyExamples: true });
    // synth first so the plan page below has the stack's Terraform to compare with.
    const synth = drover(dir, ["synth", "virtual-slurm"]);
    expect(synth.stderr).toBe("");
    expect(synth.code).toBe(0);
    config = JSON.parse(readFileSync(join(dir, "cdktf.out/stacks/virtual-slurm/cdk.tf.json"), "utf8")) as Json;
    const { launch } = await import("puppeteer-core");
    browser = await launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check"],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("GIVEN the virtual-slurm example THEN graph.html shows every machine in the picture and the table, offline", async () => {
    const r = drover(dir, ["graph", "virtual-slurm"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("cdktf.out/stacks/virtual-slurm/graph.svg");
    expect(r.stdout).toContain("cdktf.out/stacks/virtual-slurm/graph.html");
    const out = join(dir, "cdktf.out/stacks/virtual-slurm");
    expect(readFileSync(join(out, "graph.svg"), "utf8")).toMatch(/^<svg /);

    const machines = buildGraphModel(config, { stack: "virtual-slurm" }).machines.map((m) => m.name);
    expect(machines).toEqual(["virtual-slurm-cpu-1", "virtual-slurm-cpu-2", "virtual-slurm-hpc-controller", "virtual-slurm-hpc-login"]);

    const shot = join(dir, "graph.png");
    const seen = await visit(browser, join(out, "graph.html"), shot);
    expect(seen.blocked).toEqual([]);
    expect(seen.consoleErrors).toEqual([]);
    for (const name of machines) {
      expect(seen.svgTexts).toContain(name);
      expect(seen.tableMachines).toContain(name);
    }
    expect(seen.tableMachines).toHaveLength(machines.length);
    expect(seen.svgSize.width).toBeGreaterThan(300);
    expect(seen.svgSize.height).toBeGreaterThan(150);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  });

  it("GIVEN a plan that adds, resizes and removes machines THEN the plan page shows them coloured, offline", async () => {
    // The deployed stack, as the plan compares with it: cpu-1 not there yet, cpu-2 smaller,
    // and an extra node that the new code no longer has.
    const baseline = structuredClone(config) as { resource: Record<string, Record<string, Json>> };
    const servers = baseline.resource.openstack_compute_instance_v2!;
    const cpu1 = Object.keys(servers).find((k) => k.startsWith("hpc_cpu-1_"))!;
    const cpu2 = Object.keys(servers).find((k) => k.startsWith("hpc_cpu-2_"))!;
    servers["hpc_old-node_0000"] = { ...servers[cpu1]!, name: "virtual-slurm-old-node", "//": { metadata: { path: "virtual-slurm/hpc/old-node/Resource", uniqueId: "hpc_old-node_0000" } } };
    delete servers[cpu1];
    servers[cpu2] = { ...servers[cpu2]!, flavor_name: "m3.small" };
    const plan = offlinePlan({ stack: "virtual-slurm", current: config, baseline, baselineInfo: { kind: "deployed", description: "a test baseline" }, providers: builtinProviders() });
    const model = buildGraphModel(config, { stack: "virtual-slurm" });
    const html = await renderPlanHtml({
      stack: model,
      plan,
      cost: { line: "SUs per hour: 20 → 24 (+4)" },
      policy: [{ id: "DRV002", severity: "warning", message: "SSH is open to 203.0.113.0/24", construct: "virtual-slurm/hpc" }],
    });
    const file = join(dir, "plan.html");
    writeFileSync(file, html);

    const shot = join(dir, "plan.png");
    const seen = await visit(browser, file, shot);
    expect(seen.blocked).toEqual([]);
    expect(seen.consoleErrors).toEqual([]);
    for (const m of model.machines) {
      expect(seen.svgTexts).toContain(m.name);
      expect(seen.tableMachines).toContain(m.name);
    }
    expect(seen.svgTexts).toContain("old-node");
    expect(seen.tableMachines).toContain("old-node");
    expect(seen.svgTexts).toEqual(expect.arrayContaining(["[create]", "[update]", "[delete]"]));
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  });

  it("GIVEN an unknown stack or an unwritable --out THEN exit 2 with a clear message and no stack trace", () => {
    const unknown = drover(dir, ["graph", "virtual-slurmm"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no stack named "virtual-slurmm"');
    expect(unknown.stderr).toContain("did you mean");
    expect(unknown.stderr).not.toMatch(STACK_TRACE_LINE);

    writeFileSync(join(dir, "a-file"), "");
    const unwritable = drover(dir, ["graph", "virtual-slurm", "--out", "a-file/pictures"]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toContain(`cannot write the picture of virtual-slurm to ${join(dir, "a-file/pictures")}: ENOTDIR`);
    expect(unwritable.stderr).not.toMatch(STACK_TRACE_LINE);

    const json = drover(dir, ["graph", "virtual-slurm", "--out", "pictures", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      stack: "virtual-slurm",
      files: { svg: join(dir, "pictures/graph.svg"), html: join(dir, "pictures/graph.html") },
      counts: expect.objectContaining({ machines: 4, networks: 1, volumes: 3, securityGroups: 2, publicAddresses: 1 }),
    });
  });
});
