import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.ts";

// The README is short and points into docs/; the pages point at each other. A page renamed, a
// heading reworded or a file moved would leave a newcomer at a dead link, on GitHub and in the
// published package alike, so every relative link is checked: its file exists and, for a
// `#anchor` into a markdown file, so does the heading (by GitHub's slug rules).

const ROOT = packageRoot();

/** The markdown files whose links are checked: README.md and everything under docs/. */
function markdownFiles(root: string): string[] {
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".md") ? [join(dir, e.name)] : []));
  return [join(root, "README.md"), ...(existsSync(join(root, "docs")) ? walk(join(root, "docs")) : [])].filter((f) => existsSync(f));
}

/** The text outside fenced code blocks (```), where links and headings are markdown. */
function outsideFences(text: string): string {
  let fenced = false;
  return text
    .split("\n")
    .map((line) => {
      if (/^ {0,3}(```|~~~)/.test(line)) {
        fenced = !fenced;
        return "";
      }
      return fenced ? "" : line;
    })
    .join("\n");
}

/**
 * A heading's anchor as GitHub makes it: markup dropped (code spans keep their text, links their
 * words), lower case, every character that is not a letter, digit, space, `-` or `_` removed,
 * then each space a `-`.
 */
function githubSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a markdown file has; a repeated heading gets `-1`, `-2`, ... as on GitHub. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of outsideFences(readFileSync(file, "utf8")).split("\n")) {
    const m = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (!m) continue;
    const slug = githubSlug(m[1]!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** Relative link targets in a markdown file (inline links and images, not inside code). */
function linksOf(file: string): string[] {
  const text = outsideFences(readFileSync(file, "utf8")).replace(/(`+)[\s\S]*?\1/g, "");
  return [...text.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)]
    .map((m) => m[1]!.replace(/^<|>$/g, ""))
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("//"));
}

/** Each broken relative link, as `file: target (what is wrong)`. */
function brokenLinks(root: string): string[] {
  const problems: string[] = [];
  for (const file of markdownFiles(root)) {
    for (const target of linksOf(file)) {
      const [pathPart = "", anchor] = target.split("#", 2) as [string, string | undefined];
      const path = decodeURIComponent(pathPart);
      const into = path === "" ? file : path.startsWith("/") ? join(root, path) : resolve(dirname(file), path);
      const where = `${relative(root, file)}: ${target}`;
      if (!existsSync(into)) {
        problems.push(`${where} (no such file: ${relative(root, into)})`);
        continue;
      }
      if (anchor !== undefined && into.endsWith(".md") && statSync(into).isFile() && !anchorsOf(into).has(decodeURIComponent(anchor))) {
        problems.push(`${where} (no heading with the anchor #${anchor} in ${relative(root, into)})`);
      }
    }
  }
  return problems;
}

describe("links in the README and docs/", () => {
  it("point at files and headings that exist", () => {
    expect(markdownFiles(ROOT).length).toBeGreaterThan(1);
    expect(brokenLinks(ROOT)).toEqual([]);
  });

  it("reach every docs page from the README, directly or through another page", () => {
    const pages = markdownFiles(ROOT);
    const reached = new Set<string>([join(ROOT, "README.md")]);
    const todo = [join(ROOT, "README.md")];
    while (todo.length > 0) {
      const file = todo.pop()!;
      for (const target of linksOf(file)) {
        const path = decodeURIComponent(target.split("#")[0]!);
        if (path === "") continue;
        const into = resolve(dirname(file), path);
        if (into.endsWith(".md") && !reached.has(into) && existsSync(into)) {
          reached.add(into);
          todo.push(into);
        }
      }
    }
    expect(pages.filter((p) => !reached.has(p)).map((p) => relative(ROOT, p))).toEqual([]);
  });
});

describe("the link check", () => {
  const work = mkdtempSync(join(tmpdir(), "drover-docs-links-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each([
    ["Plan, deploy, destroy", "plan-deploy-destroy"],
    ["What `drover init` writes", "what-drover-init-writes"],
    ["The stack's picture", "the-stacks-picture"],
    ["Rehearse locally: the lab", "rehearse-locally-the-lab"],
    ["Know before you apply: SUs, quota, policy, a picture", "know-before-you-apply-sus-quota-policy-a-picture"],
    ["lib/clouds and node_modules", "libclouds-and-node_modules"],
    ["See [Checks](checks.md) → cost", "see-checks--cost"],
  ])("makes GitHub's anchor of the heading %j", (heading, anchor) => {
    expect(githubSlug(heading)).toBe(anchor);
  });

  it("GIVEN a missing file, a missing heading, a repeated heading and links in code WHEN checked THEN only the two broken links are reported", () => {
    mkdirSync(join(work, "docs"), { recursive: true });
    writeFileSync(
      join(work, "README.md"),
      [
        "# Top",
        "[ok](docs/page.md) [ok anchor](docs/page.md#a-heading) [second](docs/page.md#a-heading-1) [here](#top)",
        "[gone](docs/missing.md) [bad anchor](docs/page.md#no-such-heading) [web](https://example.org/x.md)",
        "`[in code](docs/missing-too.md)`",
        "```",
        "[in a fence](docs/missing-three.md)",
        "```",
      ].join("\n"),
    );
    writeFileSync(join(work, "docs/page.md"), "# Page\n\n## A heading\n\n## A heading\n\n[back](../README.md#top)\n");

    expect(brokenLinks(work)).toEqual([
      "README.md: docs/missing.md (no such file: docs/missing.md)",
      "README.md: docs/page.md#no-such-heading (no heading with the anchor #no-such-heading in docs/page.md)",
    ]);
  });
});
