import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { decodeValue, impliedType, isWhollyKnown, marksFromPaths, omitUnknowns, schemaSensitivePaths, unknownMarks, type CtyType, type PathStep, type SchemaBlock } from "./cty.ts";
import type { TerraformPlanJson } from "../plan/from-terraform.ts";

/**
 * Reads a saved plan file directly, giving what `terraform show -json <planfile>` would print of
 * it (the parts drover reads). `show -json` starts every provider of the stack again to learn
 * its schema, which for a large provider costs seconds per plan; with the schemas cached
 * (provider-schemas.ts) this takes milliseconds.
 *
 * A plan file is a zip archive whose `tfplan` member is a protocol-buffers message (Terraform's
 * planfile.proto, format version 3), its values msgpack-encoded with each resource type's
 * schema. The format is Terraform's own, not a public interface: drover reads it only from the
 * Terraform versions it was checked against, checks the format version, and falls back to
 * `show -json` on anything it does not expect (see `readPlanFile`'s callers).
 */

const require = createRequire(import.meta.url);

/** The plan-file format this reader knows. */
export const PLAN_FORMAT_VERSION = 3;

export interface SchemaLookup {
  /** The schema block of a resource type (`mode` "managed" or "data") of a provider, by its source address. */
  block(provider: string, mode: "managed" | "data", type: string): SchemaBlock | undefined;
}

export class PlanFileError extends Error {}

// ---- protocol buffers: the few messages and fields read here ----

interface RawPath {
  steps: Array<{ attr?: string; key?: Uint8Array }>;
}
interface RawChange {
  action: number;
  values: Uint8Array[];
  beforeSensitive: RawPath[];
  afterSensitive: RawPath[];
}
interface RawResourceChange {
  addr: string;
  deposedKey: string;
  provider: string;
  change?: RawChange;
  requiredReplace: RawPath[];
  actionReason: number;
}
interface RawOutputChange {
  name: string;
  change?: RawChange;
  sensitive: boolean;
}
interface RawPlan {
  version: number;
  terraformVersion: string;
  errored: boolean;
  resourceChanges: RawResourceChange[];
  resourceDrift: RawResourceChange[];
  outputChanges: RawOutputChange[];
}

type Reader = import("@bufbuild/protobuf/wire").BinaryReader;
const WIRE_LEN = 2;

function lazyWire(): typeof import("@bufbuild/protobuf/wire") {
  return require("@bufbuild/protobuf/wire") as typeof import("@bufbuild/protobuf/wire");
}

/** Reads the fields of one message, calling `field` for each and skipping what it does not take. */
function readMessage(bytes: Uint8Array, field: (no: number, wireType: number, r: Reader) => boolean): void {
  const r = new (lazyWire().BinaryReader)(bytes);
  while (r.pos < r.len) {
    const [no, wireType] = r.tag();
    if (!field(no, wireType, r)) r.skip(wireType, no);
  }
}

function readDynamicValue(bytes: Uint8Array): Uint8Array {
  let msgpack: Uint8Array = new Uint8Array(0);
  readMessage(bytes, (no, wt, r) => (no === 1 && wt === WIRE_LEN ? ((msgpack = r.bytes()), true) : false));
  return msgpack;
}

function readPath(bytes: Uint8Array): RawPath {
  const steps: RawPath["steps"] = [];
  readMessage(bytes, (no, wt, r) => {
    if (no !== 1 || wt !== WIRE_LEN) return false;
    const step: RawPath["steps"][number] = {};
    readMessage(r.bytes(), (sno, swt, sr) => {
      if (sno === 1 && swt === WIRE_LEN) return ((step.attr = sr.string()), true);
      if (sno === 2 && swt === WIRE_LEN) return ((step.key = readDynamicValue(sr.bytes())), true);
      return false;
    });
    steps.push(step);
    return true;
  });
  return { steps };
}

function readChange(bytes: Uint8Array): RawChange {
  const c: RawChange = { action: 0, values: [], beforeSensitive: [], afterSensitive: [] };
  readMessage(bytes, (no, wt, r) => {
    if (no === 1 && wt === 0) return ((c.action = r.int32()), true);
    if (no === 2 && wt === WIRE_LEN) return (c.values.push(readDynamicValue(r.bytes())), true);
    if (no === 3 && wt === WIRE_LEN) return (c.beforeSensitive.push(readPath(r.bytes())), true);
    if (no === 4 && wt === WIRE_LEN) return (c.afterSensitive.push(readPath(r.bytes())), true);
    return false;
  });
  return c;
}

function readResourceChange(bytes: Uint8Array): RawResourceChange {
  const rc: RawResourceChange = { addr: "", deposedKey: "", provider: "", requiredReplace: [], actionReason: 0 };
  readMessage(bytes, (no, wt, r) => {
    if (no === 13 && wt === WIRE_LEN) return ((rc.addr = r.string()), true);
    if (no === 7 && wt === WIRE_LEN) return ((rc.deposedKey = r.string()), true);
    if (no === 8 && wt === WIRE_LEN) return ((rc.provider = r.string()), true);
    if (no === 9 && wt === WIRE_LEN) return ((rc.change = readChange(r.bytes())), true);
    if (no === 11 && wt === WIRE_LEN) return (rc.requiredReplace.push(readPath(r.bytes())), true);
    if (no === 12 && wt === 0) return ((rc.actionReason = r.int32()), true);
    return false;
  });
  return rc;
}

function readOutputChange(bytes: Uint8Array): RawOutputChange {
  const oc: RawOutputChange = { name: "", sensitive: false };
  readMessage(bytes, (no, wt, r) => {
    if (no === 1 && wt === WIRE_LEN) return ((oc.name = r.string()), true);
    if (no === 2 && wt === WIRE_LEN) return ((oc.change = readChange(r.bytes())), true);
    if (no === 3 && wt === 0) return ((oc.sensitive = r.bool()), true);
    return false;
  });
  return oc;
}

export function readPlanMessage(bytes: Uint8Array): RawPlan {
  const plan: RawPlan = { version: 0, terraformVersion: "", errored: false, resourceChanges: [], resourceDrift: [], outputChanges: [] };
  readMessage(bytes, (no, wt, r) => {
    if (no === 1 && wt === 0) return ((plan.version = Number(r.uint64())), true);
    if (no === 14 && wt === WIRE_LEN) return ((plan.terraformVersion = r.string()), true);
    if (no === 20 && wt === 0) return ((plan.errored = r.bool()), true);
    if (no === 3 && wt === WIRE_LEN) return (plan.resourceChanges.push(readResourceChange(r.bytes())), true);
    if (no === 18 && wt === WIRE_LEN) return (plan.resourceDrift.push(readResourceChange(r.bytes())), true);
    if (no === 4 && wt === WIRE_LEN) return (plan.outputChanges.push(readOutputChange(r.bytes())), true);
    return false;
  });
  return plan;
}

// ---- from the raw plan to show -json's shape ----

/** planfile.proto's Action enum: the action lists `show -json` prints, and which value is before/after. */
const ACTIONS: Record<number, { actions: string[]; before: number; after: number }> = {
  0: { actions: ["no-op"], before: 0, after: 0 },
  1: { actions: ["create"], before: -1, after: 0 },
  2: { actions: ["read"], before: 0, after: 1 },
  3: { actions: ["update"], before: 0, after: 1 },
  5: { actions: ["delete"], before: 0, after: -1 },
  6: { actions: ["delete", "create"], before: 0, after: 1 },
  7: { actions: ["create", "delete"], before: 0, after: 1 },
  8: { actions: ["forget"], before: 0, after: -1 },
};

/** planfile.proto's ResourceInstanceActionReason enum, as `show -json` names the reasons. */
const REASONS: Record<number, string | undefined> = {
  0: undefined,
  1: "replace_because_tainted",
  2: "replace_by_request",
  3: "replace_because_cannot_update",
  4: "delete_because_no_resource_config",
  5: "delete_because_wrong_repetition",
  6: "delete_because_count_index",
  7: "delete_because_each_key",
  8: "delete_because_no_module",
  9: "replace_by_triggers",
  10: "read_because_config_unknown",
  11: "read_because_dependency_pending",
  12: "delete_because_no_move_target",
  13: "read_because_check_nested",
};

type Msgpack = typeof import("@msgpack/msgpack");

function lazyMsgpack(): Msgpack {
  return require("@msgpack/msgpack") as Msgpack;
}

/** `<type>.web[0]`, `module.net.data.<type>.ubuntu`: mode, type and name. */
export function parseAddress(addr: string): { mode: "managed" | "data"; type: string; name: string } {
  let rest = addr;
  // Module steps: module.<name> with an optional [key]; keys may hold dots inside quotes.
  for (;;) {
    const m = /^module\.[A-Za-z0-9_-]+(\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?\./.exec(rest);
    if (!m) break;
    rest = rest.slice(m[0].length);
  }
  const mode = rest.startsWith("data.") ? "data" : "managed";
  if (mode === "data") rest = rest.slice(5);
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)(\[.*\])?$/.exec(rest);
  if (!m) throw new PlanFileError(`unexpected resource address ${addr}`);
  return { mode, type: m[1]!, name: m[2]! };
}

/** `provider["registry.terraform.io/hashicorp/aws"].west` → `registry.terraform.io/hashicorp/aws`. */
export function providerSource(providerConfig: string): string {
  const m = /provider\["([^"]+)"\]/.exec(providerConfig);
  if (!m) throw new PlanFileError(`unexpected provider configuration address ${providerConfig}`);
  return m[1]!;
}

export interface Decoder {
  readonly msgpack: Msgpack;
  value(bytes: Uint8Array, type: CtyType): unknown;
}

function decoder(): Decoder {
  const msgpack = lazyMsgpack();
  const isExtension = (v: unknown) => v instanceof msgpack.ExtData;
  return {
    msgpack,
    value: (bytes, type) => decodeValue(msgpack.decode(bytes, { useBigInt64: false }), type, isExtension),
  };
}

function pathSteps(d: Decoder, p: RawPath): PathStep[] {
  return p.steps.map((s) => {
    if (s.attr !== undefined) return { attr: s.attr };
    const key = d.value(s.key ?? new Uint8Array([0xc0]), "dynamic");
    if (typeof key === "string" || typeof key === "number") return { key };
    throw new PlanFileError(`unexpected path element key ${JSON.stringify(key)}`);
  });
}

/** A path as `show -json` prints replace_paths: attribute names and element keys. */
const printedPath = (steps: PathStep[]) => steps.map((s) => ("attr" in s ? s.attr : s.key));

interface ChangeJson {
  actions: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  replace_paths?: Array<Array<string | number>>;
}

function changeJson(d: Decoder, raw: RawChange, type: CtyType, block: SchemaBlock | undefined, outputSensitive?: boolean): ChangeJson {
  const shape = ACTIONS[raw.action];
  if (!shape) throw new PlanFileError(`unknown change action ${raw.action}`);
  // Like terraform: a missing side (before a create, after a delete) is null.
  const before = shape.before >= 0 ? d.value(raw.values[shape.before]!, type) : null;
  const after = shape.after >= 0 ? d.value(raw.values[shape.after]!, type) : null;
  const out: ChangeJson = { actions: shape.actions };
  const sensitive = (value: unknown, paths: RawPath[]) => {
    if (outputSensitive !== undefined) return outputSensitive;
    const all = paths.map((p) => pathSteps(d, p));
    if (block) all.push(...schemaSensitivePaths(block, value));
    return marksFromPaths(value, type, all);
  };
  out.before = before;
  out.before_sensitive = sensitive(before, raw.beforeSensitive);
  if (isWhollyKnown(after)) {
    out.after = after;
    out.after_unknown = outputSensitive !== undefined ? false : {};
  } else {
    const filtered = omitUnknowns(after);
    if (filtered !== undefined) out.after = filtered;
    out.after_unknown = unknownMarks(after);
  }
  out.after_sensitive = sensitive(after, raw.afterSensitive);
  return out;
}

/**
 * What `terraform show -json` prints for a plan: resource changes, drift and output changes,
 * decoded with the providers' schemas.
 */
export function planJsonFromMessage(raw: RawPlan, schemas: SchemaLookup): TerraformPlanJson {
  if (raw.version !== PLAN_FORMAT_VERSION) throw new PlanFileError(`plan file format ${raw.version}, not ${PLAN_FORMAT_VERSION}`);
  const d = decoder();
  const types = new Map<SchemaBlock, CtyType>();
  const typeOf = (block: SchemaBlock) => {
    let t = types.get(block);
    if (!t) types.set(block, (t = impliedType(block)));
    return t;
  };
  const resource = (rc: RawResourceChange) => {
    const { mode, type, name } = parseAddress(rc.addr);
    const source = providerSource(rc.provider);
    const block = schemas.block(source, mode, type);
    if (!block) throw new PlanFileError(`no schema for ${mode === "data" ? "data source" : "resource type"} ${type} of ${source}`);
    if (!rc.change) throw new PlanFileError(`no change recorded for ${rc.addr}`);
    const change = changeJson(d, rc.change, typeOf(block), block);
    if (rc.requiredReplace.length > 0) change.replace_paths = rc.requiredReplace.map((p) => printedPath(pathSteps(d, p)));
    const reason = REASONS[rc.actionReason];
    if (rc.actionReason !== 0 && reason === undefined) throw new PlanFileError(`unknown action reason ${rc.actionReason}`);
    return {
      address: rc.addr,
      mode,
      type,
      name,
      change,
      ...(rc.deposedKey ? { deposed: rc.deposedKey } : {}),
      ...(reason ? { action_reason: reason } : {}),
    };
  };
  const visible = (rc: RawResourceChange) => !(parseAddress(rc.addr).mode === "data" && rc.change?.action === 5);
  const byAddress = <T extends { address: string }>(a: T, b: T) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);
  const outputs: Record<string, ChangeJson> = {};
  for (const oc of raw.outputChanges) {
    if (!oc.change) throw new PlanFileError(`no change recorded for output ${oc.name}`);
    outputs[oc.name] = changeJson(d, oc.change, "dynamic", undefined, oc.sensitive);
  }
  const json = {
    format_version: "1.2",
    terraform_version: raw.terraformVersion,
    resource_changes: raw.resourceChanges.filter(visible).map(resource).sort(byAddress),
    resource_drift: raw.resourceDrift.filter(visible).map(resource).sort(byAddress),
    output_changes: outputs,
  };
  return json as TerraformPlanJson;
}

/** The `tfplan` member of a plan file (a zip archive). */
export async function readTfplan(planFile: string): Promise<Uint8Array> {
  const zip = await readFile(planFile);
  const { unzipSync } = require("fflate") as typeof import("fflate");
  const files = unzipSync(zip, { filter: (f) => f.name === "tfplan" });
  const tfplan = files.tfplan;
  if (!tfplan) throw new PlanFileError(`${planFile} has no tfplan member: not a Terraform plan file`);
  return tfplan;
}

/** A saved plan, read as `terraform show -json` would print it. */
export async function readPlanFile(planFile: string, schemas: SchemaLookup): Promise<TerraformPlanJson> {
  return planJsonFromMessage(readPlanMessage(await readTfplan(planFile)), schemas);
}
