import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Construct } from "constructs";
import { Annotations, TerraformBackend, TerraformDataSource, TerraformOutput, TerraformResource, TerraformStack, Token, type ITerraformDependable } from "cdktf";
import { addCustomSynthesis, resolve } from "./private/cdktf-internals.ts";
import { ConfigError, IssueCollector } from "../lib/errors.ts";
import { checkName, resourceName } from "../lib/naming.ts";
import { checkProps } from "../lib/props/schemas.ts";
import { quote } from "../lib/props/check.ts";
import { writeFilesSoon } from "../lib/app/pending-writes.ts";
import { DESTROY_STEP_KEY } from "../lib/plan/destroy-steps.ts";
import type { CloudDriver, CloudProfile, DriverContext, IKeyPair, INetwork } from "./cloud.ts";
import type { StackInfo } from "../lib/app/stack-info.ts";
import { readPowerMarker, SHELVED } from "../lib/state/power.ts";
import { ALLOW_DESTROY_CONTEXT } from "../lib/app/synth-context.ts";
import { Network } from "./network.ts";
import { isMarkedStack, markStack, stackScopeOf } from "./private/stack-scope.ts";
import { createBackend } from "./private/backend.ts";
import { loadProjectConfig, parseBackendSpec, type BackendSpec } from "../lib/config/project-config.ts";
import { stackToTerraform } from "./private/to-terraform.ts";

export interface DroverStackProps {
  /** Where the stack runs: `jetstream2()`, `openstack({...})`. */
  readonly cloud: CloudProfile;
  /**
   * Who is responsible for the stack's resources; every resource is tagged with it.
   * @default - the DROVER_OWNER environment variable; untagged (with a warning) when unset
   */
  readonly owner?: string;
  /**
   * Date after which the stack may be torn down (`YYYY-MM-DD`); tagged on every resource.
   * @default - no expiry
   */
  readonly expiresAt?: string;
  /**
   * One line saying what the stack is for, shown by `drover list`.
   * @default - none
   */
  readonly description?: string;
  /**
   * Where Terraform keeps the stack's state: `{ type: "local" }`, `"s3"` (AWS or an S3-compatible
   * object store), `"pg"` (PostgreSQL, with locking) or `"http"`. Credentials come from the
   * environment, never from here.
   * @default - the project's drover.config.json, else local: terraform.<stack>.tfstate in the project
   */
  readonly backend?: BackendSpec;
}

const OWNER_PATTERN = /^[A-Za-z0-9._@+-]{1,64}$/;

/**
 * A stack of drover constructs on one cloud: configures the cloud's provider, names and tags
 * every resource, pins the local state file to the project, and writes the configuration files
 * its constructs render next to the synthesized Terraform.
 *
 * @example
 * const app = new App();
 * const stack = new DroverStack(app, "dev-vm", { cloud: jetstream2() });
 * new VirtualMachine(stack, "box", { size: "m3.small", allowSshFrom: ["203.0.113.0/24"], publicKey });
 * app.synth();
 */
export class DroverStack extends TerraformStack {
  /** The DroverStack a construct belongs to; throws when it is not inside one. */
  static of(construct: Construct): DroverStack {
    // Only a DroverStack carries the mark.
    return stackScopeOf(construct) as DroverStack;
  }

  static isDroverStack(x: unknown): x is DroverStack {
    return isMarkedStack(x);
  }

  readonly cloud: CloudProfile;
  readonly driver: CloudDriver;
  readonly owner?: string;
  readonly expiresAt?: string;
  readonly description?: string;
  /**
   * Synthesized for a run that may destroy data (`drover deploy/destroy --allow-destroy`), as the
   * app's context `drover:allowDestroy` says: the `prevent_destroy` guard on stateful resources
   * is left out. Resources stay marked stateful.
   */
  readonly allowDestroy: boolean;
  private readonly backendSpec?: BackendSpec;
  private readonly renderedFiles = new Map<string, string>();
  private readonly tools = new Map<string, { name: string; why: string; install: string }>();
  /** The machines are shelved (`drover shelve`): drivers keep them so. */
  readonly shelved: boolean = false;
  private readonly elastic: Array<{ construct: string; flavor: string; max: number }> = [];
  private readonly runtimeVolumes: Array<{ construct: string; what: string; count: number; sizeGiB: number }> = [];
  private readonly suppressions: Array<{ id: string; construct: string; reason: string }> = [];
  private readonly keyPairs = new Map<string, IKeyPair>();
  /** Names that must be unique in the stack, each with the constructs that took it. */
  private readonly claims = new Map<string, { kind: UniqueKind; value: string; paths: string[] }>();
  private network?: INetwork;

  constructor(scope: Construct, id: string, props: DroverStackProps) {
    super(scope, id);
    markStack(this);
    const issues = new IssueCollector(id);
    const badName = checkName(id, "stack name");
    if (badName) issues.add("stack.bad-name", badName);
    for (const p of checkProps("stack", props, "stack")) issues.add(p.code, p.message);
    issues.throwIfAny();
    const owner = props.owner ?? (process.env.DROVER_OWNER || undefined);
    if (owner !== undefined && !OWNER_PATTERN.test(owner)) {
      issues.add("stack.bad-owner", `'owner' ${quote(owner)} may hold letters, digits and . _ @ + - only (1-64 characters): use a user name or an e-mail address`);
    }
    if (props.expiresAt !== undefined && !isIsoDate(props.expiresAt)) {
      issues.add("stack.bad-expiry", `'expiresAt' ${quote(props.expiresAt)} is not a date in YYYY-MM-DD form, e.g. "2026-12-31"`);
    }
    // One line for `drover list`: a line break or a terminal control sequence would garble the table.
    if (props.description !== undefined && /[\u0000-\u001f\u007f-\u009f]/.test(props.description)) {
      issues.add("stack.bad-description", `'description' ${quote(props.description)} holds a line break or control character: write one line of plain text`);
    }
    issues.throwIfAny();
    if (props.backend !== undefined) this.backendSpec = parseBackendSpec(props.backend, `${id}: 'backend'`);

    this.cloud = props.cloud;
    this.allowDestroy = this.node.tryGetContext(ALLOW_DESTROY_CONTEXT) === true;
    if (owner !== undefined) this.owner = owner;
    if (props.expiresAt !== undefined) this.expiresAt = props.expiresAt;
    if (props.description !== undefined) this.description = props.description;
    if (owner === undefined) {
      Annotations.of(this).addWarning(`stack ${id} has no owner: resources are tagged without one. Set 'owner' on the stack or the DROVER_OWNER environment variable.`);
    }
    // `drover shelve` keeps the machines shelved until `drover unshelve` (lib/state/power.ts).
    if (readPowerMarker(process.cwd(), id)) {
      if (!props.cloud.facts.shelving) {
        throw new ConfigError(`stack ${id} is marked shelved (.drover/power/${id}.json), and shelving works on OpenStack clouds only; this stack is on ${props.cloud.name}`, [
          `Remove the mark: drover unshelve ${id}`,
        ]);
      }
      this.shelved = true;
    }
    const context: DriverContext = { scope: this, stackName: id, tags: Object.freeze(this.tags), allowDestroy: this.allowDestroy, shelved: this.shelved };
    this.driver = stackDriver(this, props.cloud.createDriver(context));
    this.driver.configureProvider();
    // Two constructs with the same name for a machine, an output or a cluster would overwrite
    // each other (an output silently, a cluster's reaper would delete the other's nodes).
    this.node.addValidation({ validate: () => this.duplicateNames() });
    addCustomSynthesis(this, { onSynthesize: (session) => this.writeSideFiles(session) });
  }

  /** `<stack>-<construct path>-<role>`: the cloud name of a resource a construct creates. */
  resourceName(construct: Construct, role?: string): string {
    const path = construct.node.scopes.slice(construct.node.scopes.indexOf(this) + 1).map((s) => s.node.id);
    return resourceName(this.node.id, ...path, role);
  }

  /**
   * Takes a name that must be unique in the stack (a machine's name, an output's, a cluster's
   * tag). Two constructs taking the same one fail the stack's validation, naming both.
   */
  claimUnique(kind: UniqueKind, value: string, construct: Construct): void {
    const key = `${kind}\u0000${value}`;
    const claim = this.claims.get(key) ?? { kind, value, paths: [] };
    claim.paths.push(construct.node.path);
    this.claims.set(key, claim);
  }

  /** An output of the stack under the name users see (`<construct>_<name>`), unique in the stack. */
  addOutput(scope: Construct, id: string, name: string, config: { value: string; description: string; sensitive?: boolean }): TerraformOutput {
    const output = new TerraformOutput(scope, id, config);
    output.overrideLogicalId(name);
    this.claimUnique("output", name, scope);
    return output;
  }

  private duplicateNames(): string[] {
    return [...this.claims.values()]
      .filter((c) => c.paths.length > 1)
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value))
      .map((c) => `'${c.value}' is the ${c.kind} of both ${c.paths[0]} and ${c.paths[1]}${c.paths.length > 2 ? ` (and ${c.paths.length - 2} more)` : ""}: ${UNIQUE_FIX[c.kind]}`);
  }

  /** Tags every resource of the stack carries (as OpenStack metadata or tags, AWS tags, labels). */
  get tags(): Readonly<Record<string, string>> {
    return {
      drover_stack: this.node.id,
      ...(this.owner ? { drover_owner: this.owner } : {}),
      ...(this.expiresAt ? { drover_expires: this.expiresAt } : {}),
    };
  }

  /** The network machines join when none is given: created (or looked up) once per stack. */
  defaultNetwork(): INetwork {
    if (!this.network) {
      const choice = this.cloud.defaultNetwork;
      this.network = choice === "new" ? new Network(this, "network") : this.driver.importNetwork(this, "network", choice);
    }
    return this.network;
  }

  /**
   * The key pair for an OpenSSH public key, registered once per stack however many machines use
   * it: a key belongs to a person, not to a machine. Named `<stack>-key-<fingerprint>`.
   */
  keyPairFor(publicKeyLine: string, fingerprint: string): IKeyPair {
    let pair = this.keyPairs.get(fingerprint);
    if (!pair) {
      const short = fingerprint
        .replace(/^SHA256:/, "")
        .replace(/[^A-Za-z0-9]/g, "")
        .slice(0, 8)
        .toLowerCase();
      pair = this.driver.createKeyPair(this, `KeyPair-${short}`, { name: resourceName(this.node.id, "key", short), publicKey: publicKeyLine });
      this.keyPairs.set(fingerprint, pair);
    }
    return pair;
  }

  /**
   * Registers a configuration file a construct rendered (cloud-init, slurm.conf, ...), written at
   * synth to `<stack dir>/files/<construct path>/<fileName>` for review.
   */
  addRenderedFile(construct: Construct, fileName: string, content: string): void {
    const key = this.renderedFileKey(construct, fileName);
    if (this.renderedFiles.has(key)) throw new Error(`${construct.node.path}: rendered file ${fileName} registered twice`);
    this.renderedFiles.set(key, content);
  }

  /**
   * Records a program a deploy or destroy of this stack runs on the machine running drover (a
   * Terraform step's `local-exec`), so `drover deploy` checks for it before changing anything.
   */
  requireTool(construct: Construct, tool: { name: string; install: string }): void {
    const known = this.tools.get(tool.name);
    const why = known ? `${known.why}, ${construct.node.path}` : construct.node.path;
    this.tools.set(tool.name, { name: tool.name, why, install: tool.install });
  }

  /**
   * Records machines software in the cloud creates at run time (elastic Slurm nodes), which
   * Terraform does not hold, so cost and quota can count them at full scale.
   */
  recordElastic(construct: Construct, machines: { readonly flavor: string; readonly max: number }): void {
    this.elastic.push({ construct: construct.node.path, flavor: machines.flavor, max: machines.max });
  }

  /**
   * Records volumes software in the cloud creates at run time (a hub's home volumes, made by the
   * Cinder CSI driver), which Terraform does not hold, so quota counts them.
   */
  recordRuntimeVolumes(construct: Construct, volumes: { readonly what: string; readonly count: number; readonly sizeGiB: number }): void {
    if (volumes.count > 0) this.runtimeVolumes.push({ construct: construct.node.path, ...volumes });
  }

  /**
   * Marks a destroy-time step (`step`, a resource whose destroy runs a program) with what it
   * deletes, so that plans that delete it say so before anything is confirmed. The words go in
   * the resource's `//` comment (`${DESTROY_STEP_KEY}`), which Terraform ignores: a plan finds
   * them in the configuration that still has the step, the deployed one when the step is gone.
   */
  recordDestroyStep(step: ITerraformDependable, deletes: string): void {
    if (!TerraformResource.isTerraformResource(step)) throw new Error(`recordDestroyStep: ${String(step)} is not a resource`);
    step.addOverride(`//.${DESTROY_STEP_KEY}`, deletes);
  }

  /** Records a policy finding suppressed on a construct (see `suppressPolicy`). */
  addPolicySuppression(construct: Construct, id: string, reason: string): void {
    this.suppressions.push({ id, construct: construct.node.path, reason });
  }

  /** Where `addRenderedFile` writes a file, relative to the stack's synthesized directory. */
  renderedFilePath(construct: Construct, fileName: string): string {
    return `files/${this.renderedFileKey(construct, fileName)}`;
  }

  private renderedFileKey(construct: Construct, fileName: string): string {
    const path = construct.node.scopes.slice(construct.node.scopes.indexOf(this) + 1).map((s) => s.node.id);
    return [...path, fileName].join("/");
  }

  /**
   * cdktf's preparation resolves every token of the stack once, only to discover references to
   * other stacks. An app with a single stack has none, and for a large stack that pass costs
   * as much as synthesis itself, so it is skipped then.
   */
  override prepareStack(): void {
    const stacks = this.node.root.node.findAll().filter((c) => TerraformStack.isStack(c));
    if (stacks.length === 1) {
      this.ensureBackendExists();
      return;
    }
    super.prepareStack();
  }

  /** The stack's Terraform JSON; see private/to-terraform.ts for how it differs from cdktf's. */
  // biome-ignore lint/suspicious/noExplicitAny: cdktf's TerraformStack.toTerraform() returns any
  override toTerraform(): any {
    return stackToTerraform(this);
  }

  /** The backend given in code, else in drover.config.json, else local state in the project. */
  override ensureBackendExists(): TerraformBackend {
    const existing = this.node.findAll().find(TerraformBackend.isBackend);
    if (existing) return existing;
    const config = loadProjectConfig(process.cwd());
    const spec = this.backendSpec ?? config.stacks?.[this.node.id]?.backend ?? config.backend ?? { type: "local" as const };
    return createBackend(this, spec);
  }

  private writeSideFiles(session: { outdir: string; manifest: { forStack(stack: TerraformStack): { workingDirectory: string } } }): void {
    const dir = join(session.outdir, session.manifest.forStack(this).workingDirectory);
    // Files built from references (a token for a value Terraform knows) show the reference itself.
    const rendered = [...this.renderedFiles]
      // (cdktf writes a token into a string as "${TfToken[TOKEN.n]}": a cheap test before its own.)
      .map(([key, content]) => [key, content.includes("${TfToken[") && Token.isUnresolved(content) ? String(resolve(this, content)) : content] as const)
      .sort(([a], [b]) => a.localeCompare(b));
    writeFilesSoon(rendered.map(([key, content]) => [join(dir, "files", key), content] as const));
    const files = rendered.map(([key]) => `files/${key}`);
    const counts = { resources: 0, dataSources: 0, outputs: 0 };
    for (const c of this.node.findAll()) {
      if (TerraformStack.isStack(c) && c !== this) continue;
      if (TerraformResource.isTerraformResource(c)) counts.resources++;
      else if (c instanceof TerraformDataSource) counts.dataSources++;
      else if (TerraformOutput.isTerraformOutput(c)) counts.outputs++;
    }
    const info: StackInfo = {
      stack: this.node.id,
      cloud: {
        kind: this.cloud.kind,
        name: this.cloud.name,
        region: this.cloud.region,
        summary: this.cloud.summary,
        ...(this.cloud.allocationType ? { allocationType: this.cloud.allocationType } : {}),
        ...(this.cloud.project ? { project: this.cloud.project } : {}),
      },
      ...(this.owner ? { owner: this.owner } : {}),
      ...(this.expiresAt ? { expiresAt: this.expiresAt } : {}),
      ...(this.description ? { description: this.description } : {}),
      files,
      counts,
      ...(this.tools.size > 0 ? { tools: [...this.tools.values()] } : {}),
      ...(this.elastic.length > 0 ? { elastic: [...this.elastic] } : {}),
      ...(this.runtimeVolumes.length > 0 ? { runtimeVolumes: [...this.runtimeVolumes] } : {}),
      ...(this.suppressions.length > 0 ? { policySuppressions: [...this.suppressions] } : {}),
      ...(this.shelved ? { powerState: SHELVED } : {}),
    };
    writeFileSync(join(dir, "drover.json"), `${JSON.stringify(info, null, 2)}\n`);
  }
}

/** Names that must be unique in a stack. */
export type UniqueKind = "machine name" | "volume name" | "network name" | "firewall name" | "output" | "variable" | "cluster name";

const UNIQUE_FIX: Record<UniqueKind, string> = {
  "machine name": "machine names come from the stack, the construct's id (and a partition's name): give one of them another id or partition name",
  "volume name": "volume names come from the stack, the construct's id and the volume's name: give one another id or name",
  "network name": "give one of the constructs another id",
  "firewall name": "give one of the constructs another id",
  output: "outputs are named after the construct's id: give one of them another id",
  variable: "variables are named after the construct's id: give one of them another id",
  "cluster name": "a cluster's name comes from the stack and its id, and its machines are tagged with it: give one of them another id",
};

/**
 * The stack's driver: it claims the name of every machine, volume, network and firewall it
 * makes, and joins every network a construct creates to the cloud's shared router when the
 * cloud has one (`jetstream2({ network: "auto-allocated" })`), so no construct adds a router.
 */
function stackDriver(stack: DroverStack, driver: CloudDriver): CloudDriver {
  const router = stack.cloud.sharedRouter;
  const kinds: Partial<Record<keyof CloudDriver, UniqueKind>> = {
    createMachine: "machine name",
    createVolume: "volume name",
    createNetwork: "network name",
    createFirewall: "firewall name",
  };
  return new Proxy(driver, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      const kind = kinds[prop as keyof CloudDriver];
      if (!kind || typeof value !== "function") return value;
      return (scope: Construct, id: string, spec: { readonly name: string; readonly internetAccess?: boolean; readonly router?: unknown }, ...rest: unknown[]) => {
        stack.claimUnique(kind, spec.name, scope);
        const joined = prop === "createNetwork" && router && spec.internetAccess && !spec.router ? { ...spec, router: { name: router } } : spec;
        return (value as (...a: unknown[]) => unknown).call(target, scope, id, joined, ...rest);
      };
    },
  });
}

function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(text);
}
