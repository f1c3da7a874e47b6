/**
 * Generates the typed OpenStack bindings in `.gen/providers/openstack/` from the project's schema
 * file, `providers/openstack/schema.json`, with cdktf's own provider generator. The output is
 * deterministic; never edit it by hand.
 *
 *   npm run gen              regenerate
 *   npm run gen -- --check   exit 1 when `.gen/` differs from what the schema file produces
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { mkdtemp, readFile, readdir, rm, mkdir, rename } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

// @cdktf/commons runs `terraform version` and phones a version server when imported; terraform
// then complains about a TF_CLI_CONFIG_FILE that does not exist. Neither matters for generating.
process.env.CHECKPOINT_DISABLE = "1";
if (process.env.TF_CLI_CONFIG_FILE && !existsSync(process.env.TF_CLI_CONFIG_FILE)) process.env.TF_CLI_CONFIG_FILE = "/dev/null";
const require = createRequire(import.meta.url);

const PROVIDER_SOURCE = "terraform-provider-openstack/openstack";
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemaPath = (root: string) => join(root, "providers/openstack/schema.json");
const genDir = (root: string) => join(root, ".gen");

/** Keys of our own that the terraform schema format does not have. */
const EXTENSION_KEYS = new Set(["force_new"]);
function stripExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripExtensions);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !EXTENSION_KEYS.has(k))
        .map(([k, v]) => [k, stripExtensions(v)]),
    );
  }
  return value;
}

/** Writes the bindings for the schema file into `outdir` (which must be empty); returns the file count. */
async function generateInto(root: string, outdir: string): Promise<number> {
  const { TerraformProviderGenerator } = require("@cdktf/provider-generator/lib/get/generator/provider-generator");
  const { CodeMaker } = require("codemaker");
  const commons = require("@cdktf/commons");
  const schema = stripExtensions(JSON.parse(await readFile(schemaPath(root), "utf8")));
  const version = (schema as { provider_versions: Record<string, string> }).provider_versions[`registry.terraform.io/${PROVIDER_SOURCE}`];
  const constraint = new commons.TerraformProviderConstraint({
    name: "openstack",
    source: PROVIDER_SOURCE,
    version: `~> ${version}`,
  });
  const target = commons.ConstructsMakerTarget.from(constraint, commons.Language.TYPESCRIPT);
  const code = new CodeMaker();
  const generator = new TerraformProviderGenerator(code, schema);
  generator.generate(target);
  await generator.save(outdir);
  // The package is ESM and the project imports bindings by deep path only: the CommonJS lazy index
  // cannot load here and the eager index would pull every resource class in.
  const providerDir = join(outdir, "providers/openstack");
  await rm(join(providerDir, "lazy-index.ts"), { force: true });
  await rm(join(providerDir, "index.ts"), { force: true });
  return (await listFiles(outdir)).length;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Regenerates `.gen/` atomically: the old bindings stay in place if generation fails. */
export async function generateBindings(root = projectRoot): Promise<number> {
  const staging = await mkdtemp(join(root, ".gen-staging-"));
  try {
    const count = await generateInto(root, staging);
    await rm(genDir(root), { recursive: true, force: true });
    await mkdir(dirname(genDir(root)), { recursive: true });
    await rename(staging, genDir(root));
    return count;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Lists the files whose committed content differs from a fresh generation (empty when current). */
export async function compareBindings(root = projectRoot): Promise<string[]> {
  const fresh = await mkdtemp(join(tmpdir(), "drover-gen-"));
  try {
    await generateInto(root, fresh);
    const want = await listFiles(fresh);
    const have = await listFiles(genDir(root)).catch(() => [] as string[]);
    const differences: string[] = [];
    for (const f of want) {
      if (!have.includes(f)) differences.push(`missing: .gen/${f}`);
      else if ((await readFile(join(fresh, f), "utf8")) !== (await readFile(join(genDir(root), f), "utf8"))) differences.push(`changed: .gen/${f}`);
    }
    for (const f of have) if (!want.includes(f)) differences.push(`extra: .gen/${f}`);
    return differences;
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--check")) {
    const differences = await compareBindings();
    if (differences.length > 0) {
      console.error(`.gen/ is out of date with providers/openstack/schema.json (${differences.length} files):`);
      for (const line of differences.slice(0, 20)) console.error(`  ${line}`);
      console.error("Run `npm run gen` and commit the result.");
      process.exitCode = 1;
    } else {
      console.log(".gen/ is up to date with providers/openstack/schema.json");
    }
  } else {
    const count = await generateBindings();
    console.log(`generated ${count} files in .gen/providers/openstack/ from providers/openstack/schema.json`);
  }
}
