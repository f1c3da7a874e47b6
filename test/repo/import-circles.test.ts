import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/project.ts";

/**
 * No import runs in a circle among drover's source files (issue 17): each layer imports the ones
 * below it. Type-only imports count: a circle of types is still two files that cannot be read
 * apart. Dynamic `import("./x.ts")` of a literal path counts too.
 */

const ROOTS = ["api", "constructs", "lib", "scripts", "bin"];
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === ".gen" || name === "node_modules") continue;
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith(".d.ts") && !name.endsWith(".d.mts")) out.push(path);
  }
  return out;
}

/** The import graph: file → the files it imports (relative specifiers only), comments left out. */
function importGraph(files: readonly string[], read: (f: string) => string): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const code = read(f)
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const targets = [...code.matchAll(SPECIFIER)].map((m) => resolve(dirname(f), m[1]!)).filter((t) => known.has(t));
    graph.set(f, [...new Set(targets)]);
  }
  return graph;
}

/** Every circle: the strongly connected components with more than one file, or a file importing itself. */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("imports", () => {
  it("finds a circle, type imports and dynamic imports included", () => {
    const files = ["/a.ts", "/b.ts", "/c.ts", "/d.ts"];
    const text: Record<string, string> = {
      "/a.ts": 'import type { B } from "./b.ts";',
      "/b.ts": 'export const load = () => import("./a.ts");',
      "/c.ts": '// import { a } from "./a.ts";\nimport { b } from "./b.ts";',
      "/d.ts": 'import "./d.ts";',
    };
    expect(circles(importGraph(files, (f) => text[f]!))).toEqual([["/a.ts", "/b.ts"], ["/d.ts"]]);
  });

  it("runs in no circle among drover's source files", () => {
    const files = ROOTS.flatMap((r) => sources(join(REPO, r)));
    expect(files.length).toBeGreaterThan(150);
    const found = circles(importGraph(files, (f) => readFileSync(f, "utf8"))).map((c) => c.map((f) => relative(REPO, f)).join(" → "));
    expect(found).toEqual([]);
  });
});
