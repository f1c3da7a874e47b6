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

/** Bytes of the public point for each ECDSA curve (uncompressed: 0x04, x, y). */
const ECDSA_POINT_BYTES: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };

/**
 * What is wrong with the key data after its type, for the types whose layout is fixed: a
 * truncated or padded key still decodes as base64, and the cloud or sshd would refuse it later.
 */
function keyDataProblem(type: string, data: Buffer, offset: number): string | undefined {
  const fields: Buffer[] = [];
  let at = offset;
  while (at < data.length) {
    const next = readString(data, at);
    if (!next) return `has key data that ends in the middle of a field (truncated)`;
    fields.push(next.value);
    at = next.next;
  }
  const count = (n: number) =>
    fields.length < n ? `has truncated key data (${fields.length} of ${n} fields)` : fields.length > n ? `has ${fields.length - n} field(s) of key data too many` : undefined;
  switch (type) {
    case "ssh-ed25519":
      return count(1) ?? (fields[0]!.length !== 32 ? `has a ${fields[0]!.length}-byte ed25519 key; ed25519 keys are 32 bytes (truncated?)` : undefined);
    case "sk-ssh-ed25519@openssh.com":
      return count(2) ?? (fields[0]!.length !== 32 ? `has a ${fields[0]!.length}-byte ed25519 key; ed25519 keys are 32 bytes (truncated?)` : undefined);
    case "ssh-rsa":
      return count(2);
    default: {
      const curve = type.match(/nistp\d+/)?.[0] ?? "";
      const n = type.startsWith("sk-") ? 3 : 2;
      const bad = count(n);
      if (bad) return bad;
      if (fields[0]!.toString("latin1") !== curve) return `names curve "${fields[0]!.toString("latin1").slice(0, 20)}" inside a ${type} key`;
      const want = ECDSA_POINT_BYTES[curve];
      return want !== undefined && fields[1]!.length !== want ? `has a ${fields[1]!.length}-byte ${curve} point; it should be ${want} bytes (truncated?)` : undefined;
    }
  }
}

/** Checks an OpenSSH public key line (`ssh-ed25519 AAAA... me@laptop`). */
export function parseSshPublicKey(text: string): SshKeyResult {
  const trimmed = text.trim();
  if (/PRIVATE KEY/.test(trimmed) || trimmed.startsWith("-----BEGIN")) {
    return {
      ok: false,
      reason: "is a private key. Never put a private key in a stack: pass the public half (the .pub file, e.g. ~/.ssh/id_ed25519.pub)",
    };
  }
  const parts = trimmed.split(/\s+/);
  const [type = "", blob = "", ...rest] = parts;
  if (type === "ssh-dss") return { ok: false, reason: "is a DSA key, which OpenSSH no longer accepts: use an ed25519 key (ssh-keygen -t ed25519)" };
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      reason: `does not start with a known key type (got ${JSON.stringify(type.slice(0, 40))}; allowed: ${SSH_KEY_TYPES.join(", ")}): give the whole line of your .pub file, e.g. the content of ~/.ssh/id_ed25519.pub`,
    };
  }
  if (!blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) {
    return { ok: false, reason: "has no valid base64 key data after the key type: give the whole line of your .pub file, e.g. the content of ~/.ssh/id_ed25519.pub" };
  }
  const data = Buffer.from(blob, "base64");
  const inner = readString(data, 0);
  if (!inner || inner.value.toString("latin1") !== type) {
    return { ok: false, reason: `has key data that does not match its type "${type}" (truncated or pasted wrong?): copy the whole line of the .pub file again` };
  }
  const shape = keyDataProblem(type, data, inner.next);
  if (shape) return { ok: false, reason: `${shape}: copy the whole line of the .pub file (ssh-keygen -y -f ~/.ssh/id_ed25519 prints it again)` };
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
