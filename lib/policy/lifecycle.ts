/**
 * DRV005-DRV007: data that a destroy would take with it, and stacks that should end.
 */
import type { StackInfo } from "../app/stack-info.ts";
import { STATEFUL_TYPES } from "../clouds/index.ts";
import { finding, type Finding } from "./checks.ts";
import { MACHINE_TYPES } from "../clouds/index.ts";
import { isObject, type ConfigIndex, type Json } from "./config.ts";

function markedStateful(body: Json): boolean {
  return isObject(body["//"]) && isObject((body["//"] as Json).drover) && ((body["//"] as Json).drover as Json).stateful === true;
}

/**
 * DRV005: resources that hold data — volumes, shares, disks, buckets, databases, and machines
 * marked stateful (`markStateful`) — without `lifecycle.prevent_destroy`. Other resources
 * `markStateful` reaches (ports, firewall rules) hold no data and are left alone.
 */
export function protectionFindings(index: ConfigIndex): Finding[] {
  const out: Finding[] = [];
  for (const r of index.resources) {
    if (r.mode !== "managed") continue;
    const stateful = STATEFUL_TYPES.has(r.type) || (markedStateful(r.body) && MACHINE_TYPES.has(r.type));
    if (!stateful) continue;
    const lifecycle = r.body.lifecycle;
    if (isObject(lifecycle) && lifecycle.prevent_destroy === true) continue;
    const what = STATEFUL_TYPES.has(r.type) ? "holds data" : "is marked stateful";
    out.push(finding("DRV005", { construct: r.construct, resource: r.address }, `${r.address} ${what} and has no lifecycle prevent_destroy: a destroy or replace deletes it`));
  }
  return out;
}

/** DRV006 and DRV007: an education or trial stack without an end, and a stack past its end. */
export function expiryFindings(info: StackInfo, now: Date): Finding[] {
  const out: Finding[] = [];
  const type = info.cloud?.allocationType;
  if ((type === "education" || type === "trial") && !info.expiresAt) {
    out.push(finding("DRV006", { construct: info.stack }, `stack ${info.stack} runs on a${type === "education" ? "n" : ""} ${type} allocation of ${info.cloud.name} and has no 'expiresAt'`));
  }
  const today = now.toISOString().slice(0, 10);
  if (info.expiresAt && /^\d{4}-\d{2}-\d{2}$/.test(info.expiresAt) && info.expiresAt < today) {
    out.push(finding("DRV007", { construct: info.stack }, `stack ${info.stack} expired on ${info.expiresAt} (today is ${today}); its machines and accounts are still in the code`));
  }
  return out;
}
