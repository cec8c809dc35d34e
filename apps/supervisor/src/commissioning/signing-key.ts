import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseFingerprint } from "@bms/security";

/**
 * The supervisor's report signing key (Ed25519): made on first start as `<data-dir>/report-signing-key.pem`
 * (PKCS#8 PEM, mode 0600) and kept, so every report this supervisor makes carries the same fingerprint.
 * The private key stays in that file and in this process: no route, log line, export or report holds it.
 * Rotation is deleting the file (the next start makes a new key, with a new fingerprint); reports signed
 * before keep verifying against the old public key, which each of them carries.
 */

export const REPORT_KEY_FILE = "report-signing-key.pem";

export interface ReportSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The 32-byte raw public key (RFC 8032), what the fingerprint is taken over. */
  publicKeyRaw: Buffer;
  /** SHA-256 of the raw public key as `AB:CD:…`, the form the TLS fingerprint is shown in. */
  fingerprint: string;
  created: boolean;
}

export type SigningKeyErrorCode = "key_unreadable" | "key_invalid";

export class SigningKeyError extends Error {
  constructor(
    readonly code: SigningKeyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SigningKeyError";
  }
}

/** SHA-256 of a raw Ed25519 public key, upper-case pairs joined by colons. */
export function publicKeyFingerprint(raw: Buffer): string {
  return createHash("sha256").update(raw).digest("hex").toUpperCase().match(/../g)!.join(":");
}

/** The raw 32 bytes of an Ed25519 public key (from its JWK `x`, the only portable way out of a KeyObject). */
export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: "jwk" });
  if (key.asymmetricKeyType !== "ed25519" || typeof jwk.x !== "string")
    throw new SigningKeyError("key_invalid", `not an Ed25519 key (${key.asymmetricKeyType ?? "unknown"})`);
  return Buffer.from(jwk.x, "base64url");
}

/** An Ed25519 public key from its 32 raw bytes. */
export function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32)
    throw new SigningKeyError("key_invalid", `an Ed25519 public key has 32 bytes, this has ${raw.length}`);
  return createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") },
    format: "jwk",
  });
}

/**
 * A public key as people hand it over: a PEM (`-----BEGIN PUBLIC KEY-----`, what `GET
 * /api/commissioning/signing-key` answers as `public_key_pem`) or the 32 raw bytes in base64 or hex.
 */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith("-----BEGIN")) {
    let key: KeyObject;
    try {
      key = createPublicKey(trimmed);
    } catch (error) {
      throw new SigningKeyError("key_invalid", `not a public key PEM: ${(error as Error).message}`);
    }
    if (key.asymmetricKeyType !== "ed25519")
      throw new SigningKeyError("key_invalid", `not an Ed25519 key (${key.asymmetricKeyType ?? "unknown"})`);
    return key;
  }
  const raw = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : Buffer.from(trimmed, "base64");
  return publicKeyFromRaw(raw);
}

/** A pasted fingerprint in the canonical `AB:CD:…` form (any case, colons, spaces or none accepted). */
export function normalizeFingerprint(text: string): string {
  const parsed = parseFingerprint(text);
  if (!parsed.ok) throw new SigningKeyError("key_invalid", parsed.message);
  return parsed.fingerprint;
}

function describe(key: KeyObject, created: boolean): ReportSigningKey {
  const publicKey = createPublicKey(key);
  const publicKeyRaw = rawPublicKey(publicKey);
  return {
    privateKey: key,
    publicKey,
    publicKeyRaw,
    fingerprint: publicKeyFingerprint(publicKeyRaw),
    created,
  };
}

/** Reads the key file, or makes it on first start. A damaged file stops start-up with its path. */
export function loadOrCreateReportKey(dataDir: string): ReportSigningKey {
  const file = join(dataDir, REPORT_KEY_FILE);
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    let pem: string;
    try {
      pem = readFileSync(file, "utf8");
    } catch (error) {
      throw new SigningKeyError("key_unreadable", `cannot read ${file}: ${(error as Error).message}`);
    }
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch {
      // The parser's message is not repeated: it could quote the file.
      throw new SigningKeyError(
        "key_invalid",
        `${file} is not a PKCS#8 PEM private key; delete it to make a new signing key (a new fingerprint)`,
      );
    }
    if (key.asymmetricKeyType !== "ed25519")
      throw new SigningKeyError("key_invalid", `${file} is not an Ed25519 key; delete it to make a new one`);
    return describe(key, false);
  }
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync("ed25519");
  // wx: two processes starting on one data dir never overwrite each other's key.
  writeFileSync(file, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600, flag: "wx" });
  return describe(privateKey, true);
}
