import { describe, expect, it } from "vitest";
import { parseSshPublicKey } from "../../lib/net/ssh-key.ts";
import { rsaPublicKey, testPublicKey } from "../support/keys.ts";

describe("parseSshPublicKey", () => {
  it("accepts an ed25519 key with its comment and computes the OpenSSH fingerprint", () => {
    const line = testPublicKey("me@laptop");
    const r = parseSshPublicKey(`  ${line}\n`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.key.type).toBe("ssh-ed25519");
    expect(r.key.comment).toBe("me@laptop");
    expect(r.key.line).toBe(line);
    expect(r.key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("accepts a 3072-bit RSA key and rejects a 1024-bit one", () => {
    expect(parseSshPublicKey(rsaPublicKey(3072)).ok).toBe(true);
    const weak = parseSshPublicKey(rsaPublicKey(1024));
    expect(weak).toEqual({ ok: false, reason: "is a 1024-bit RSA key; at least 2048 bits are needed (better: ssh-keygen -t ed25519)" });
  });

  it.each([
    [
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...\n-----END OPENSSH PRIVATE KEY-----",
      "is a private key. Never put a private key in a stack: pass the public half (the .pub file, e.g. ~/.ssh/id_ed25519.pub)",
    ],
    ["ssh-dss AAAAB3NzaC1kc3M=", "is a DSA key, which OpenSSH no longer accepts: use an ed25519 key (ssh-keygen -t ed25519)"],
    ["ssh-ed25519", "has no valid base64 key data after the key type: give the whole line of your .pub file, e.g. the content of ~/.ssh/id_ed25519.pub"],
    ["ssh-ed25519 not*base64", "has no valid base64 key data after the key type: give the whole line of your .pub file, e.g. the content of ~/.ssh/id_ed25519.pub"],
    ["ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ==", 'has key data that does not match its type "ssh-ed25519" (truncated or pasted wrong?): copy the whole line of the .pub file again'],
    [
      "AAAAC3NzaC1lZDI1NTE5AAAA",
      'does not start with a known key type (got "AAAAC3NzaC1lZDI1NTE5AAAA"; allowed: ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com): give the whole line of your .pub file, e.g. the content of ~/.ssh/id_ed25519.pub',
    ],
  ])("rejects %j", (text, reason) => {
    expect(parseSshPublicKey(text)).toEqual({ ok: false, reason });
  });

  it("rejects key data cut short", () => {
    const line = testPublicKey("x");
    const [type, blob] = line.split(" ");
    const cut = `${type} ${blob!.slice(0, 12)}`;
    expect(parseSshPublicKey(cut).ok).toBe(false);
  });

  it("gives different keys different fingerprints", () => {
    const a = parseSshPublicKey(testPublicKey("a", 1));
    const b = parseSshPublicKey(testPublicKey("b", 2));
    if (!a.ok || !b.ok) throw new Error("keys did not parse");
    expect(a.key.fingerprint).not.toBe(b.key.fingerprint);
  });

  /** Real ECDSA keys (ssh-keygen), and the same data cut or padded as a bad paste leaves it. */
  const P256 = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBMZKpbfBcgOl76iGqBTqPAGnzMbCWuHXFoIdyKUypFOFwLbSp81EM1DeE7GFtfzGLbdDsVsczzNxFDXayRl5vr0= e@x";
  const P384 =
    "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBN4yw6wPeXOMtC1os+CY5kRRLiXTECyCtD940p4lMFBCfgMftNeGyLnq85L38sTglV1jebUdLw0/MlJOitIPAFZTlz96E9Sclb+t0v9yXGfvf2QU9j3B7hAl008xGhhOyQ== e@x";
  const reblob = (line: string, change: (data: Buffer) => Buffer) => {
    const [type, blob, ...rest] = line.split(" ");
    return [type, change(Buffer.from(blob!, "base64")).toString("base64"), ...rest].join(" ");
  };
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const ed = Buffer.from(testPublicKey("x").split(" ")[1]!, "base64");

  it.each([
    ["a real nistp256 key", P256],
    ["a real nistp384 key", P384],
  ])("accepts %s", (_, line) => {
    expect(parseSshPublicKey(line).ok).toBe(true);
  });

  it.each([
    [
      "an ed25519 key cut to 24 bytes",
      reblob(testPublicKey("x"), () => Buffer.concat([ed.subarray(0, 15), field(ed.subarray(19, 43))])),
      "has a 24-byte ed25519 key; ed25519 keys are 32 bytes (truncated?)",
    ],
    ["an ed25519 key whose length field runs past the data", reblob(testPublicKey("x"), () => ed.subarray(0, 40)), "has key data that ends in the middle of a field (truncated)"],
    ["an ed25519 key with a field too many", reblob(testPublicKey("x"), (d) => Buffer.concat([d, field(Buffer.from("xx"))])), "has 1 field(s) of key data too many"],
    ["a nistp256 key cut to 33 bytes", reblob(P256, (d) => Buffer.concat([d.subarray(0, 35), field(d.subarray(39, 72))])), "has a 33-byte nistp256 point; it should be 65 bytes (truncated?)"],
    [
      "a nistp256 type with a nistp384 curve inside",
      reblob(P256, () => Buffer.concat([field(Buffer.from("ecdsa-sha2-nistp256")), Buffer.from(P384.split(" ")[1]!, "base64").subarray(23)])),
      'names curve "nistp384" inside a ecdsa-sha2-nistp256 key',
    ],
  ])("refuses %s, saying how to get the whole key", (_, line, reason) => {
    expect(parseSshPublicKey(line)).toEqual({ ok: false, reason: `${reason}: copy the whole line of the .pub file (ssh-keygen -y -f ~/.ssh/id_ed25519 prints it again)` });
  });
});
