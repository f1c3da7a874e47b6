import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import semver from "semver";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.ts";
import { compilePackage } from "../../scripts/build-package.mjs";

const ROOT = packageRoot();
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));

/** The package names a .d.ts file and everything it imports (relatively) refer to. */
function typeClosure(start: string): { files: number; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const todo = [start];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      const spec = m[1]!;
      if (!spec.startsWith(".")) {
        packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
        continue;
      }
      const base = resolve(dirname(file), spec).replace(/\.(js|ts)$/, "");
      const next = [`${base}.d.ts`, join(base, "index.d.ts")].find((p) => existsSync(p));
      if (!next) throw new Error(`${file} imports ${spec}, which has no .d.ts in dist/`);
      todo.push(next);
    }
  }
  return { files: seen.size, packages };
}

describe("the package", () => {
  // The build is what `npm pack` runs (prepack); the checks below read its output.
  compilePackage();

  it("declares a Node range that every locked dependency accepts", () => {
    const range = pkg.engines.node as string;
    const refusing = Object.entries(lock.packages as Record<string, { engines?: { node?: string } }>)
      .filter(([path, p]) => path !== "" && p.engines?.node && !semver.subset(range, p.engines.node))
      .map(([path, p]) => `${path.replace(/^.*node_modules\//, "")} wants ${p.engines!.node}`);
    expect(refusing).toEqual([]);
  });

  it("is public, with cdktf and constructs as peer ranges shared with the user's app", () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.dependencies.cdktf).toBeUndefined();
    expect(pkg.dependencies.constructs).toBeUndefined();
    expect(semver.satisfies(lock.packages["node_modules/cdktf"].version, pkg.peerDependencies.cdktf)).toBe(true);
    expect(semver.satisfies(lock.packages["node_modules/constructs"].version, pkg.peerDependencies.constructs)).toBe(true);
    expect(semver.satisfies("0.24.0", pkg.peerDependencies.cdktf)).toBe(true);
  });

  it("maps every entry to compiled JavaScript and declarations that exist", () => {
    for (const [subpath, target] of Object.entries(pkg.exports as Record<string, { types: string; default: string } | string>)) {
      const files = typeof target === "string" ? [target] : [target.types, target.default];
      for (const f of files) expect(existsSync(join(ROOT, f)), `${subpath} → ${f}`).toBe(true);
    }
    expect(Object.keys(pkg.exports)).toEqual([".", "./testing", "./aws", "./gcp", "./azure", "./package.json"]);
  });

  it("keeps the optional providers' types out of drover and drover/testing, and each in its own subpath", () => {
    const provider = (p: string) => p.startsWith("@cdktf/provider-") && p !== "@cdktf/provider-random";
    const of = (entry: string) => [...typeClosure(join(ROOT, pkg.exports[entry].types)).packages].filter(provider).sort();
    expect(of(".")).toEqual([]);
    expect(of("./testing")).toEqual([]);
    expect(of("./aws")).toEqual(["@cdktf/provider-aws"]);
    expect(of("./gcp")).toEqual(["@cdktf/provider-google"]);
    expect(of("./azure")).toEqual(["@cdktf/provider-azurerm"]);
  });

  it("resolves by its own name (self-reference) to the compiled constructs", async () => {
    const require = createRequire(join(ROOT, "main.ts"));
    expect(require.resolve("drover/package.json")).toBe(join(ROOT, "package.json"));
    const drover = await import("drover");
    expect(typeof drover.DroverStack).toBe("function");
    expect(typeof drover.SlurmCluster).toBe("function");
  });

  it("packs the compiled code, the CLI, templates, schemas and docs, and no tests, benches or lab", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toContain("bin/drover.mjs");
    expect(files).toContain("dist/cli.mjs");
    expect(files).toContain("dist/api/index.js");
    expect(files).toContain("dist/api/testing.d.ts");
    expect(files).toContain("providers/openstack/schema.json");
    expect(files).toContain("templates/init/stacks/vm.ts.tmpl");
    expect(files).toContain("README.md");
    expect(files).toContain("docs/architecture.md");
    expect(files).toContain("docs/constructs/slurm-cluster.md");
    const unwanted = files.filter((f) => /^(test|bench|lab|scripts|stacks|\.ci)\//.test(f) || (/\.test\.|\.tsbuildinfo$|\.ts$/.test(f.replace(/\.d\.ts$/, "")) && !f.endsWith(".tmpl")));
    expect(unwanted).toEqual([]);
  });
});
