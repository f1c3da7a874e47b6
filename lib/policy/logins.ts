/**
 * DRV008 and DRV009: logins that many people share or anyone may guess — a JupyterHub with one
 * password for everyone, and SSH that accepts passwords.
 */
import { finding, type Finding } from "./checks.ts";
import { isObject, stringsIn, type ConfigIndex, type Json } from "./config.ts";
import { RenderedTexts, YamlReader, decodeUserData, fileConstruct, looksLikeYaml, unescapeTerraform, writeFile } from "./text.ts";

/** JupyterHub authenticators that admit everyone with one password (or none). */
const SHARED_AUTHENTICATORS = /shared-?password|dummy/i;

/** DRV008: chart values (a rendered `values.yaml`) whose hub signs everyone in with one password. */
export function sharedHubFindings(stack: string, files: ReadonlyMap<string, string>, reader = new YamlReader()): Finding[] {
  const out: Finding[] = [];
  for (const [path, text] of files) {
    if (!/\.ya?ml$/i.test(path) || /^#cloud-config\b/.test(text.trimStart())) continue;
    for (const doc of reader.docs(text) ?? []) {
      const config = isObject(doc) && isObject(doc.hub) && isObject(doc.hub.config) ? doc.hub.config : undefined;
      const hub = config && isObject(config.JupyterHub) ? config.JupyterHub : undefined;
      const authenticator = typeof hub?.authenticator_class === "string" ? hub.authenticator_class : undefined;
      if (!authenticator || !SHARED_AUTHENTICATORS.test(authenticator)) continue;
      const section = Object.keys(config!).find((k) => SHARED_AUTHENTICATORS.test(k));
      const settings = section && isObject(config![section]) ? (config![section] as Json) : {};
      const anyName = settings.allow_all === true || !Array.isArray(settings.allowed_users);
      out.push(
        finding(
          "DRV008",
          { construct: fileConstruct(stack, path) },
          `the JupyterHub of ${path} signs people in with one shared password (authenticator_class "${authenticator}")${anyName ? ", under any username they type" : ""}`,
        ),
      );
    }
  }
  return out;
}

const PASSWORD_AUTH = /^[ \t]*PasswordAuthentication[ \t]+yes\b/im;
const truthy = (v: unknown) => v === true || v === 1 || (typeof v === "string" && ["true", "yes", "on", "1"].includes(v.trim().toLowerCase()));

/** Where a text turns on SSH passwords: cloud-init's `ssh_pwauth`, or an sshd setting it writes. */
function passwordSshIn(text: string, reader: YamlReader, name = ""): string[] {
  const docs = looksLikeYaml(text, name) ? reader.docs(text) : undefined;
  if (!docs) return PASSWORD_AUTH.test(text) ? ["PasswordAuthentication yes"] : [];
  const found: string[] = [];
  for (const doc of docs) {
    if (!isObject(doc)) continue;
    if (truthy(doc.ssh_pwauth)) found.push(`ssh_pwauth: ${String(doc.ssh_pwauth)}`);
    // The files it writes, decoded (a compressed sshd drop-in is invisible to a line match).
    for (const entry of Array.isArray(doc.write_files) ? doc.write_files : []) {
      const file = writeFile(entry);
      if (file?.content !== undefined && PASSWORD_AUTH.test(file.content)) found.push(`PasswordAuthentication yes in ${file.path || "a written file"}`);
    }
  }
  return [...new Set(found)];
}

/** DRV009: SSH that accepts passwords, in rendered files, user data and Azure machines. */
export function passwordSshFindings(index: ConfigIndex, config: Json, stack: string, files: ReadonlyMap<string, string>, reader = new YamlReader()): Finding[] {
  const out: Finding[] = [];
  const rendered = new RenderedTexts(files);
  const seen = new Map<string, string[]>();
  const readText = (text: string) => {
    let found = seen.get(text);
    if (!found) seen.set(text, (found = passwordSshIn(text, reader)));
    return found;
  };
  for (const [path, text] of files) {
    const found = passwordSshIn(text, reader, path);
    if (found.length > 0) out.push(finding("DRV009", { construct: fileConstruct(stack, path) }, `${path} turns on SSH password login (${found.join(", ")})`));
  }
  const scan = (body: unknown, label: string, construct: string, resource?: string) => {
    const found: string[] = [];
    for (const s of stringsIn(body)) {
      // User data that is a rendered file was read as the file.
      if (rendered.has(s.value)) continue;
      const decoded = /user_data|custom_data/.test(s.key) ? decodeUserData(s.value) : undefined;
      if (decoded !== undefined && rendered.hasDecoded(decoded)) continue;
      const text = decoded ?? unescapeTerraform(s.value);
      for (const f of readText(text)) found.push(`${f} in ${s.path}`);
    }
    if (found.length > 0) out.push(finding("DRV009", { construct, ...(resource ? { resource } : {}) }, `${label} turns on SSH password login (${[...new Set(found)].join("; ")})`));
  };
  for (const r of index.resources) {
    if (r.mode !== "managed") continue;
    if (/^azurerm_(linux_)?virtual_machine$/.test(r.type) && r.body.disable_password_authentication === false) {
      out.push(finding("DRV009", { construct: r.construct, resource: r.address }, `${r.address} accepts SSH password login (disable_password_authentication = false)`));
    }
    scan(r.body, r.address, r.construct, r.address);
  }
  if (isObject(config.locals)) scan(config.locals, "local", stack);
  return out;
}
