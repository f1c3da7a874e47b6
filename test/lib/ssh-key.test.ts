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
    ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...\n-----END OPENSSH PRIVATE KEY-----", "is a private key. Never put a private key in a stack: pass the public half (the .pub file, e.g. ~/.ssh/id_ed25519.pub)"],
    ["ssh-dss AAAAB3NzaC1kc3M=", "is a DSA key, which OpenSSH no longer accepts: use an ed25519 key (ssh-keygen -t ed25519)"],
    ["ssh-ed25519", "has no valid base64 key data after the key type"],
    ["ssh-ed25519 not*base64", "has no valid base64 key data after the key type"],
    ["ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ==", 'has key data that does not match its type "ssh-ed25519" (truncated or pasted wrong?)'],
    ["AAAAC3NzaC1lZDI1NTE5AAAA", 'does not start with a known key type (got "AAAAC3NzaC1lZDI1NTE5AAAA"; allowed: ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com)'],
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
});
