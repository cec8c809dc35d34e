import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";

/**
 * Secrets a server must use again later (a supervisor's bearer token the Designer sends), so they cannot be
 * hashed. They are sealed with AES-256-GCM under a key kept in its own file (0600) beside the database: a
 * copied database, a backup of it or an export holds ciphertext only, and the key never enters the database.
 * The caller's context (a row id) is bound in as additional data, so a sealed value moved to another row
 * does not open there.
 */
export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = "v1";

export type SecretBoxErrorCode = "key_unreadable" | "key_invalid" | "sealed_malformed" | "sealed_unopenable";

export class SecretBoxError extends Error {
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SecretBoxError";
  }
}

export interface SecretBox {
  /** `v1.<iv>.<tag>.<ciphertext>` (base64url); creates the key file on first use. */
  seal(plaintext: string, context: string): string;
  /** Throws SecretBoxError when the value was altered, moved to another context or sealed under another key. */
  open(sealed: string, context: string): string;
  /** Whether a stored value is in the sealed format (anything else is legacy plaintext). */
  isSealed(value: string): boolean;
}

/** The key file is read (or created with 32 random bytes, mode 0600) on the first seal or open, not before. */
export function secretBox(keyFile: string): SecretBox {
  let key: Buffer | null = null;
  const loadKey = (): Buffer => {
    key ??= loadOrCreateKey(keyFile);
    return key;
  };
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", loadKey(), iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [FORMAT, iv, cipher.getAuthTag(), ciphertext].map(encodePart).join(".");
    },
    open(sealed, context) {
      const parts = sealed.split(".");
      if (parts.length !== 4 || parts[0] !== FORMAT)
        throw new SecretBoxError("sealed_malformed", "the stored secret is not in the sealed format");
      const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, "base64url")) as [
        Buffer,
        Buffer,
        Buffer,
      ];
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
        throw new SecretBoxError("sealed_malformed", "the stored secret is not in the sealed format");
      try {
        const decipher = createDecipheriv("aes-256-gcm", loadKey(), iv);
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretBoxError(
          "sealed_unopenable",
          `the stored secret cannot be decrypted with ${keyFile} (the key file was replaced, or the value altered)`,
        );
      }
    },
    isSealed(value) {
      return value.startsWith(`${FORMAT}.`) && value.split(".").length === 4;
    },
  };
}

function encodePart(part: string | Buffer): string {
  return typeof part === "string" ? part : part.toString("base64url");
}

function loadOrCreateKey(keyFile: string): Buffer {
  try {
    // `wx`: two processes starting at once cannot both create a key; the loser reads the winner's.
    writeFileSync(keyFile, randomBytes(SECRET_KEY_BYTES), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST")
      throw new SecretBoxError("key_unreadable", `cannot create ${keyFile}: ${(error as Error).message}`);
  }
  let key: Buffer;
  try {
    // A key file copied in with looser permissions is tightened rather than refused.
    if ((statSync(keyFile).mode & 0o077) !== 0) chmodSync(keyFile, 0o600);
    key = readFileSync(keyFile);
  } catch (error) {
    throw new SecretBoxError("key_unreadable", `cannot read ${keyFile}: ${(error as Error).message}`);
  }
  if (key.length !== SECRET_KEY_BYTES)
    throw new SecretBoxError(
      "key_invalid",
      `${keyFile} holds ${key.length} bytes, not a ${SECRET_KEY_BYTES}-byte key`,
    );
  return key;
}
