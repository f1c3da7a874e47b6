import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The corpus's bad input that goes through the command line: cdktf.json, drover.config.json,
 * flags and arguments, drover's records under .drover/, Terraform state, and signals. Each runs
 * the real `drover` in a throw-away project.
 */
export interface CliCase {
  readonly kind: "cli" | "state";
  readonly name: string;
  readonly args: readonly string[];
  /** Files of the project besides the default app (a DroverStack "lab" and a terraform_data stack "demo"). */
  readonly files?: Readonly<Record<string, string>>;
  readonly setup?: (dir: string) => void;
  readonly env?: Readonly<Record<string, string>>;
  /** Send this signal once the app has started (it then waits forever). */
  readonly signal?: NodeJS.Signals;
  readonly code: number;
  /** Text the message must hold: where the problem is (a file, a flag, a stack). */
  readonly place: string;
  readonly needsTerraform?: boolean;
}

/** The default app: a DroverStack with a machine, and a stack of terraform_data. */
export const APP = `import { App, TerraformStack, DataResource } from "cdktf";
import { DroverStack, VirtualMachine, jetstream2 } from "./constructs/index.ts";
const app = new App();
const lab = new DroverStack(app, "lab", { cloud: jetstream2(), owner: "cli@test" });
new VirtualMachine(lab, "box", { size: "m3.small" });
new DataResource(new TerraformStack(app, "demo"), "quick", { input: { n: 1 } });
app.synth();
`;

const cdktf = (text: string) => ({ "cdktf.json": text });
const config = (value: unknown) => ({ "drover.config.json": typeof value === "string" ? value : JSON.stringify(value) });
const write = (path: string, text: string) => (dir: string) => {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), text);
};

const CDKTF_JSON: CliCase[] = [
  ["not JSON", "{ app: "],
  ["empty", ""],
  ["a list", "[]"],
  ["null", "null"],
  ["no app", JSON.stringify({ output: "cdktf.out" })],
  ["app a number", JSON.stringify({ app: 42 })],
  ["app true", JSON.stringify({ app: true })],
  ["app null", JSON.stringify({ app: null })],
  ["app empty", JSON.stringify({ app: "  " })],
  ["app without a file", JSON.stringify({ app: "make synth" })],
  ["app naming a missing file", JSON.stringify({ app: "npx tsx missing.ts" })],
  ["output a number", JSON.stringify({ app: "npx tsx main.ts", output: 3 })],
  ["output empty", JSON.stringify({ app: "npx tsx main.ts", output: "" })],
  ["language a number", JSON.stringify({ app: "npx tsx main.ts", language: 5 })],
].map(([what, text]) => ({ kind: "cli", name: `cdktf.json ${what}`, args: ["synth"], files: cdktf(text!), code: 2, place: "cdktf.json" }));

const DROVER_CONFIG: CliCase[] = [
  ["not JSON", '{ "backend": '],
  ["a list", []],
  ["a misspelt key", { backnd: { type: "local" } }],
  ["an unknown backend", { backend: { type: "consul" } }],
  ["s3 without a bucket", { backend: { type: "s3" } }],
  ["pg with a password", { backend: { type: "pg", connStr: "postgres://tf:hunter2@db/tf" } }],
  ["http with no URL", { backend: { type: "http", address: "state.example" } }],
  ["a local path that is empty", { backend: { type: "local", path: "" } }],
  ["a stack's misspelt key", { stacks: { lab: { backed: {} } } }],
  ["a backend that is a string", { backend: "local" }],
].map(([what, value]) => ({ kind: "cli", name: `drover.config.json ${what}`, args: ["synth"], files: config(value), code: 2, place: "drover.config.json" }));

const FLAGS: CliCase[] = [
  { name: "an unknown command", args: ["sinth"], place: "sinth" },
  { name: "an unknown option", args: ["synth", "--jsn"], place: "--jsn" },
  { name: "--lock-timeout that is not a duration", args: ["plan", "--lock-timeout", "forever"], place: "--lock-timeout" },
  { name: "--policy-level that is not a level", args: ["validate", "--policy-level", "loud"], place: "--policy-level" },
  { name: "--timeout of zero", args: ["synth", "--timeout", "0s"], place: "--timeout" },
  { name: "--timeout that is not a duration", args: ["synth", "--timeout", "soon"], place: "--timeout" },
  { name: "cost without a stack", args: ["cost"], place: "stack" },
  { name: "cost --hours negative", args: ["cost", "lab", "--hours", "-5"], place: "--hours" },
  { name: "cost --days not a number", args: ["cost", "lab", "--days", "many"], place: "--days" },
  { name: "size --users zero", args: ["size", "jupyterhub", "--users", "0", "--cpu", "1", "--memory", "2"], place: "--users" },
  { name: "size --cpu not a number", args: ["size", "jupyterhub", "--users", "10", "--cpu", "abc", "--memory", "2"], place: "--cpu" },
  { name: "size --memory NaN", args: ["size", "jupyterhub", "--users", "10", "--cpu", "1", "--memory", "NaN"], place: "--memory" },
  { name: "size --flavor misspelt", args: ["size", "jupyterhub", "--users", "10", "--cpu", "1", "--memory", "2", "--flavor", "m3.smal"], place: "m3.smal" },
  { name: "size --nodes a fraction", args: ["size", "jupyterhub", "--users", "10", "--cpu", "1", "--memory", "2", "--nodes", "1.5"], place: "--nodes" },
  { name: "size --hours beyond a day", args: ["size", "jupyterhub", "--users", "10", "--cpu", "1", "--memory", "2", "--hours", "25"], place: "--hours" },
  { name: "-C a directory that does not exist", args: ["-C", "/nonexistent/project", "synth"], place: "/nonexistent/project" },
  { name: "a stack the app does not have", args: ["synth", "nosuch"], place: "nosuch" },
  { name: "deploy without naming one of two stacks", args: ["deploy", "--yes"], place: "deploy" },
  { name: "unlock without a lock ID", args: ["unlock", "demo"], place: "lock-id" },
  { name: "graph into /proc", args: ["graph", "lab", "--out", "/proc/drover-graph"], place: "/proc/drover-graph" },
  { name: "output of a stack never synthesized", args: ["output", "demo"], place: "demo" },
  { name: "unshelve of a stack not shelved", args: ["unshelve", "lab", "--yes"], place: "lab" },
  { name: "a terraform binary that does not exist", args: ["plan", "demo", "--terraform-binary", "/nonexistent/terraform"], place: "/nonexistent/terraform" },
  { name: "a terraform binary that is not terraform", args: ["plan", "demo", "--terraform-binary", "/bin/false"], place: "/bin/false", code: 3 },
].map((c) => ({ kind: "cli", code: 2, ...c }));

const STATE: CliCase[] = [
  ...[
    ["not JSON", "{ resource"],
    ["a list", "[]"],
    ["null", "null"],
    ["a number", "42"],
  ].map(
    ([what, text]): CliCase => ({
      kind: "state",
      name: `.drover/deployed/<stack>/cdk.tf.json ${what}`,
      args: ["plan", "--offline", "demo"],
      setup: write(".drover/deployed/demo/cdk.tf.json", text!),
      code: 2,
      place: ".drover/deployed/demo/cdk.tf.json",
    }),
  ),
  {
    kind: "state",
    name: ".drover/deployed/<stack>/deployed.json not JSON",
    args: ["plan", "--offline", "demo"],
    setup: (dir) => (write(".drover/deployed/demo/cdk.tf.json", "{}")(dir), write(".drover/deployed/demo/deployed.json", "{ at")(dir)),
    code: 2,
    place: ".drover/deployed/demo/deployed.json",
  },
  ...[
    ["not JSON", "{ shelved"],
    ["null", "null"],
    ["a list", "[]"],
    ["text", '"shelved"'],
  ].map(
    ([what, text]): CliCase => ({
      kind: "state",
      name: `.drover/power/<stack>.json ${what}`,
      args: ["synth", "lab"],
      setup: write(".drover/power/lab.json", text!),
      code: 2,
      place: ".drover/power/lab.json",
    }),
  ),
  { kind: "state", name: ".drover is a file when a shelve writes its mark", args: ["shelve", "lab", "--yes"], setup: write(".drover", "x"), code: 2, place: ".drover/power/lab.json" },
  ...[
    ["not JSON", "{ version"],
    ["an empty object", "{}"],
    ["a truncated state", '{"version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": "x", "resources": ['],
    ["a future version", JSON.stringify({ version: 99, serial: 1, lineage: "x" })],
  ].map(
    ([what, text]): CliCase => ({
      kind: "state",
      name: `terraform.<stack>.tfstate ${what}`,
      args: ["plan", "demo"],
      setup: write("terraform.demo.tfstate", text!),
      code: 3,
      place: "terraform",
      needsTerraform: true,
    }),
  ),
  { kind: "state", name: "Ctrl-C while the app hangs", args: ["synth"], files: { "main.ts": "await new Promise((r) => setTimeout(r, 600_000));\n" }, signal: "SIGINT", code: 130, place: "" },
  { kind: "state", name: "a hang-up while the app hangs", args: ["synth"], files: { "main.ts": "await new Promise((r) => setTimeout(r, 600_000));\n" }, signal: "SIGHUP", code: 129, place: "" },
  { kind: "state", name: "a terminate while the app hangs", args: ["synth"], files: { "main.ts": "await new Promise((r) => setTimeout(r, 600_000));\n" }, signal: "SIGTERM", code: 143, place: "" },
];

export const CLI_CASES: readonly CliCase[] = [...CDKTF_JSON, ...DROVER_CONFIG, ...FLAGS, ...STATE];
