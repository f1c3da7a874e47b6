import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { CLOUD_KINDS } from "../../lib/clouds/index.ts";

/**
 * Issue 17's rule, kept: what a cloud means lives in lib/clouds/<cloud>/ and constructs/<cloud>/.
 * No other source file of lib/ or constructs/ names a cloud's resource type, in its code or in
 * its comments (an example address is written `<type>.box`).
 */

const ROOT = join(import.meta.dirname, "../..");
const PREFIXES = ["openstack", "aws", "google", "azurerm"];
const TYPE_NAME = new RegExp(`\\b(?:${PREFIXES.join("|")})_[a-z0-9]+(?:_[a-z0-9]+)*\\b`, "g");
/** Names with a provider's prefix that are not resource types: credential variable names the secret check looks for. */
const NOT_TYPES = new Set(["aws_secret_key"]);
const CLOUD_FOLDERS = new Set<string>([...CLOUD_KINDS].map((k) => `constructs/${k}`).concat([...CLOUD_KINDS].map((k) => `lib/clouds/${k}`)));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (name === ".gen" || name === "node_modules" || CLOUD_FOLDERS.has(path)) continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Resource-type names in the text of one file. */
function typeNamesIn(text: string): string[] {
  return [...text.matchAll(TYPE_NAME)].map((m) => m[0]).filter((n) => !NOT_TYPES.has(n));
}

describe("each cloud's facts have one home", () => {
  it("finds a type name in code and in comments, and not a credential variable's name", () => {
    expect(typeNamesIn('const t = "openstack_compute_instance_v2";')).toEqual(["openstack_compute_instance_v2"]);
    expect(typeNamesIn("/** `aws_instance.web` */\nconst x = 1; // google_compute_disk\n")).toEqual(["aws_instance", "google_compute_disk"]);
    expect(typeNamesIn('const n = "aws_secret_key"; const y = "<type>.box";')).toEqual([]);
  });

  it("no module of lib/ or constructs/ outside the cloud folders names a cloud's resource type", () => {
    const files = [...sourceFiles("lib"), ...sourceFiles("constructs")];
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((f) => typeNamesIn(readFileSync(join(ROOT, f), "utf8")).map((n) => `${relative(ROOT, join(ROOT, f))}: ${n}`));
    expect(found).toEqual([]);
  });
});
