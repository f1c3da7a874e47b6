import { randomUUID } from "node:crypto";
import { renderTemplate } from "../templates.ts";
import type { InitTemplate } from "./kinds.ts";

export { INIT_TEMPLATES, type InitTemplate } from "./kinds.ts";

interface TemplateFacts {
  /** One line for the prompt and the README. */
  readonly description: string;
  /** The scaffolded test's third case: its name, and its assertions on `stack`. */
  readonly check: { readonly what: string; readonly assertions: readonly string[] };
}

export const TEMPLATE_FACTS: Readonly<Record<InitTemplate, TemplateFacts>> = {
  vm: {
    description: "one VM with SSH from one network, a public address and a data volume",
    check: {
      what: "is one m3.small, SSH open only to the lab's network",
      assertions: ['expect(hasMachine(stack, "m3.small")).toBe(true);', 'expect(opensPort(stack, 22, "203.0.113.0/24")).toBe(true);'],
    },
  },
  slurm: {
    description: "a virtual Slurm cluster with elastic compute nodes and shared /home",
    check: {
      what: "runs its nodes on m3.quad, SSH open only to the lab's network",
      assertions: ['expect(hasMachine(stack, "m3.quad")).toBe(true);', 'expect(opensPort(stack, 22, "203.0.113.0/24")).toBe(true);'],
    },
  },
  jupyterhub: {
    description: "a Kubernetes JupyterHub for a class, with GitHub sign-in and HTTPS",
    check: {
      what: "serves HTTPS to everyone and keeps SSH closed",
      assertions: ['expect(opensPort(stack, 443, "0.0.0.0/0")).toBe(true);', 'expect(ingress(stack).some((rule) => rule.opens === "tcp/22")).toBe(false);'],
    },
  },
  gateway: {
    description: "a science-gateway web host with DNS and automatic TLS",
    check: {
      what: "opens only the web to everyone, SSH to the lab's network",
      assertions: ['expect(opensPort(stack, 443, "0.0.0.0/0")).toBe(true);', 'expect(opensPort(stack, 22, "203.0.113.0/24")).toBe(true);'],
    },
  },
};

export interface ScaffoldInput {
  /** The project's name (package.json), also its stack's name: a DNS label. */
  readonly name: string;
  readonly template: InitTemplate;
  /** `dependencies.drover` of the new package.json. */
  readonly droverSpec: string;
  /** drover's own package.json: the versions it is built and tested with. */
  readonly drover: { readonly version: string; readonly engines?: { readonly node?: string }; readonly devDependencies?: Readonly<Record<string, string>> };
}

export interface ScaffoldFile {
  /** Relative to the project directory, `/`-separated. */
  readonly path: string;
  readonly content: string;
}

/** `my-lab` → `myLab`: the stack function's name. */
export function functionName(stack: string): string {
  const camel = stack.replace(/-+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return /^[0-9]/.test(camel) ? `stack${camel}` : camel;
}

/**
 * A project name from a directory name: lower case, letters, digits and '-', starting with a
 * letter, at most 40 characters (a stack name is part of every resource's name); undefined
 * when nothing usable is left.
 */
export function projectName(dirName: string): string | undefined {
  const name = dirName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 40)
    .replace(/-+$/, "")
    .replace(/-{2,}/g, "-");
  return name === "" ? undefined : name;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Every file of a new project, in the order they are listed to the person. */
export function scaffoldFiles(input: ScaffoldInput): ScaffoldFile[] {
  const { name, template, drover } = input;
  const fn = functionName(name);
  const facts = TEMPLATE_FACTS[template];
  // The versions drover itself is tested with, so a new project starts from a known-good set.
  const pinned = (pkg: string, fallback: string) => drover.devDependencies?.[pkg] ?? fallback;
  // The drover/testing helpers the assertions call, beside the two every test uses.
  const helpers = new Set(["policyFailures", "synthStack", ...facts.check.assertions.flatMap((a) => [...a.matchAll(/(\w+)\(stack\b/g)].map((m) => m[1]!))]);
  const test = renderTemplate("init/test/stack.test.ts.tmpl", {
    imports: [...helpers].sort().join(", "),
    fn,
    stack: name,
    what: facts.check.what,
    assertions: facts.check.assertions.map((a) => `    ${a}`).join("\n"),
  });
  return [
    {
      path: "package.json",
      content: json({
        name,
        version: "0.1.0",
        private: true,
        type: "module",
        scripts: { synth: "drover synth", plan: "drover plan", deploy: "drover deploy", test: "vitest run", typecheck: "tsc --noEmit" },
        dependencies: { drover: input.droverSpec, cdktf: pinned("cdktf", "0.21.0"), constructs: pinned("constructs", "10.8.1") },
        devDependencies: { "@types/node": pinned("@types/node", "20.19.43"), typescript: pinned("typescript", "7.0.2"), vitest: pinned("vitest", "4.1.12") },
        ...(drover.engines?.node ? { engines: { node: drover.engines.node } } : {}),
      }),
    },
    {
      path: "tsconfig.json",
      content: json({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2023"],
          module: "preserve",
          moduleResolution: "bundler",
          allowImportingTsExtensions: true,
          noEmit: true,
          strict: true,
          isolatedModules: true,
          verbatimModuleSyntax: true,
          skipLibCheck: true,
          types: ["node"],
        },
        include: ["main.ts", "stacks", "test"],
      }),
    },
    {
      path: "cdktf.json",
      content: json({
        language: "typescript",
        app: "npx tsx main.ts",
        output: "cdktf.out",
        projectId: randomUUID(),
        sendCrashReports: "false",
        terraformProviders: [],
        terraformModules: [],
        context: {},
      }),
    },
    { path: "main.ts", content: renderTemplate("init/main.ts.tmpl", { fn, stack: name }) },
    { path: `stacks/${name}.ts`, content: renderTemplate(`init/stacks/${template}.ts.tmpl`, { fn, stack: name }) },
    { path: `test/${name}.test.ts`, content: test },
    { path: ".gitignore", content: renderTemplate("init/gitignore.tmpl", {}) },
    { path: "README.md", content: renderTemplate("init/README.md.tmpl", { name, stack: name, description: facts.description }) },
  ];
}
