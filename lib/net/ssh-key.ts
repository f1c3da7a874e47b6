import { createHash } from "node:crypto";

/** Key types OpenSSH accepts for login today (ssh-dss is disabled by default since OpenSSH 7.0). */
export const SSH_KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
] as const;

export interface SshPublicKey {
  readonly type: string;
  readonly comment?: string;
  /** `SHA256:...`, as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
  /** The key as one canonical line: type, blob and comment. */
  readonly line: string;
}

export type SshKeyResult = { readonly ok: true; readonly key: SshPublicKey } | { readonly ok: false; readonly reason: string };

const MIN_RSA_BITS = 2048;

function readString(buf: Buffer, offset: number): { value: Buffer; next: number } | undefined {
  if (offset + 4 > buf.length) return undefined;
  const len = buf.readUInt32BE(offset);
  if (offset + 4 + len > buf.length) return undefined;
  return { value: buf.subarray(offset + 4, offset + 4 + len), next: offset + 4 + len };
}

/** Checks an OpenSSH public key line (`ssh-ed25519 AAAA... me@laptop`). */
export function parseSshPublicKey(text: string): SshKeyResult {
  const trimmed = text.trim();
  if (/PRIVATE KEY/.test(trimmed) || trimmed.startsWith("-----BEGIN")) {
    return {
      ok: false,
      reason:
        "is a private key. Never put a private key in a stack: pass the public half (the .pub file, e.g. ~/.ssh/id_ed25519.pub)",
    };
  }
  const parts = trimmed.split(/\s+/);
  const [type = "", blob = "", ...rest] = parts;
  if (type === "ssh-dss") return { ok: false, reason: "is a DSA key, which OpenSSH no longer accepts: use an ed25519 key (ssh-keygen -t ed25519)" };
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      reason: `does not start with a known key type (got "${type.slice(0, 40)}"; allowed: ${SSH_KEY_TYPES.join(", ")})`,
    };
  }
  if (!blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) {
    return { ok: false, reason: "has no valid base64 key data after the key type" };
  }
  const data = Buffer.from(blob, "base64");
  const inner = readString(data, 0);
  if (!inner || inner.value.toString("latin1") !== type) {
    return { ok: false, reason: `has key data that does not match its type "${type}" (truncated or pasted wrong?)` };
  }
  if (type === "ssh-rsa") {
    const e = readString(data, inner.next);
    const n = e && readString(data, e.next);
    if (!n) return { ok: false, reason: "has truncated RSA key data" };
    let bytes = n.value;
    while (bytes.length > 0 && bytes[0] === 0) bytes = bytes.subarray(1);
    const bits = bytes.length * 8 - (bytes.length ? Math.clz32(bytes[0] ?? 0) - 24 : 0);
    if (bits < MIN_RSA_BITS) {
      return { ok: false, reason: `is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are needed (better: ssh-keygen -t ed25519)` };
    }
  }
  const comment = rest.join(" ") || undefined;
  const fingerprint = `SHA256:${createHash("sha256").update(data).digest("base64").replace(/=+$/, "")}`;
  const line = [type, blob, comment].filter(Boolean).join(" ");
  return { ok: true, key: { type, fingerprint, line, ...(comment ? { comment } : {}) } };
}
