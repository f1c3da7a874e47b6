import { generateKeyPairSync } from "node:crypto";

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

function mpint(b: Buffer): Buffer {
  let v = b;
  while (v.length > 1 && v[0] === 0) v = v.subarray(1);
  if ((v[0] ?? 0) & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return sshString(v);
}

/** Real ed25519 public keys, fixed so snapshots stay stable (their private halves were discarded). */
const ED25519_BLOBS = [
  "AAAAC3NzaC1lZDI1NTE5AAAAINH2gSAOn1cA4cEz2KFpcLmZMATCb7oziHDevBdnwgaK",
  "AAAAC3NzaC1lZDI1NTE5AAAAILhffTNVlK5H5qJzo2F/ndQ3mSYE3cZtRye8uU0Fhndf",
  "AAAAC3NzaC1lZDI1NTE5AAAAIJA3ll6hd6ynMOaeHEBwtPkTavvnGZv8dq7b8DPJGbhi",
];

/** A real ed25519 public key line; `seed` 1 to 3 picks one of three different keys. */
export function testPublicKey(comment = "test@drover", seed = 1): string {
  const blob = ED25519_BLOBS[seed - 1];
  if (!blob) throw new Error(`no test key ${seed}`);
  return `ssh-ed25519 ${blob} ${comment}`;
}

/** A real RSA public key line of the given size. */
export function rsaPublicKey(bits: number): string {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const jwk = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const n = Buffer.from(jwk.n, "base64url");
  const e = Buffer.from(jwk.e, "base64url");
  const blob = Buffer.concat([sshString(Buffer.from("ssh-rsa")), mpint(e), mpint(n)]).toString("base64");
  return `ssh-rsa ${blob} rsa@test`;
}
