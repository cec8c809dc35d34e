import { createHash, type KeyObject, sign, verify } from "node:crypto";
import type { CommissioningReport, ReportSignature } from "./report-types";
import { publicKeyFingerprint, publicKeyFromRaw, type ReportSigningKey, rawPublicKey } from "./signing-key";

/**
 * Signing and verifying commissioning reports. What is signed is the report's content (every field but
 * `digest` and `signature`) in a canonical serialization: JSON with object keys sorted by UTF-16 code
 * units at every level, no whitespace, strings and numbers written as ECMAScript's JSON.stringify writes
 * them. For JSON values this is RFC 8785 (JCS). It is stable because it depends only on the values, not on
 * key order, indentation or line endings: the pretty-printed file on disk, the route's answer, or the
 * file after any tool re-saved it all give the same bytes. The bytes are prefixed with SIGNED_FORMAT, so a
 * signature made for a report can never be taken for a signature over anything else.
 *
 * A valid signature proves that the holder of the key with that fingerprint signed exactly this content.
 * It proves which supervisor made the report only when the fingerprint is compared with one obtained
 * from that supervisor another way (its dashboard, `GET /api/commissioning/signing-key`, the Designer).
 */

export const SIGNED_FORMAT = "bms-commissioning-report/1";

/** Verification results; callers branch on these codes, never on the message. */
export type VerifyCode =
  | "valid"
  | "not_a_report"
  | "unsigned"
  | "malformed_signature"
  | "unsupported_format"
  | "bad_signature"
  | "digest_mismatch"
  | "wrong_key";

export interface VerifyResult {
  valid: boolean;
  code: VerifyCode;
  /** For people: why it passed or failed. */
  message: string;
  /** The fingerprint of the key the report says signed it (null when there is none to read). */
  fingerprint: string | null;
  /** Whether the key was checked against a trusted key or fingerprint (valid reports only). */
  trusted: boolean;
}

/** RFC 8785 canonical JSON for values JSON.parse produces. Throws on anything JSON cannot hold. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("a canonical JSON number must be finite");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}

/** The exact bytes a report's signature covers. */
export function signedBytes(report: Record<string, unknown>): Buffer {
  const { digest: _digest, signature: _signature, ...content } = report;
  return Buffer.from(`${SIGNED_FORMAT}\n${canonicalJson(content)}`, "utf8");
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/**
 * The digest and signature for a finished report. Signed over the report as its JSON file will hold it
 * (a JSON round trip first), so what is stored is exactly what was signed.
 */
export function signReport(
  report: CommissioningReport,
  key: ReportSigningKey,
): { digest: string; signature: ReportSignature } {
  const stored = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
  const bytes = signedBytes(stored);
  return {
    digest: sha256(bytes),
    signature: {
      algorithm: "Ed25519",
      format: SIGNED_FORMAT,
      public_key: key.publicKeyRaw.toString("base64"),
      fingerprint: key.fingerprint,
      value: sign(null, bytes, key.privateKey).toString("base64"),
    },
  };
}

/** Whether a report carries a signature (older reports carry only a digest). */
export function isSigned(report: Pick<CommissioningReport, "signature">): boolean {
  return Boolean(report.signature);
}

/**
 * Strict base64: only the one encoding of the bytes is accepted. Decoders ignore the unused low bits of
 * the last character, so without this check a changed character there would still verify.
 */
function strictBase64(text: string): Buffer {
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : Buffer.alloc(0);
}

/**
 * Checks a report (as parsed from its JSON) against its signature, and when `trust` names a key or a
 * fingerprint, that it was signed by that key. Never throws: anything wrong with the input is a result.
 */
export function verifyReport(
  input: unknown,
  trust: { publicKey?: KeyObject; fingerprint?: string } = {},
): VerifyResult {
  const fail = (code: VerifyCode, message: string, fingerprint: string | null = null): VerifyResult => ({
    valid: false,
    code,
    message,
    fingerprint,
    trusted: false,
  });
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return fail("not_a_report", "not a commissioning report: expected a JSON object");
  const report = input as Record<string, unknown>;
  if (typeof report.id !== "string" || typeof report.started_at !== "string" || !("summary" in report))
    return fail("not_a_report", "not a commissioning report: it has no id, started_at or summary");
  const s = report.signature as Partial<ReportSignature> | null | undefined;
  if (s === undefined || s === null)
    return fail(
      "unsigned",
      report.status === "running"
        ? "unsigned: the run had not ended (reports are signed when the run ends)"
        : "unsigned (made before signatures): its digest can be recomputed by anyone who edits it, so it proves nothing",
    );
  if (typeof s !== "object" || typeof s.public_key !== "string" || typeof s.value !== "string")
    return fail("malformed_signature", "the signature block has no public_key or value");
  if (s.algorithm !== "Ed25519" || s.format !== SIGNED_FORMAT)
    return fail(
      "unsupported_format",
      `signed as ${String(s.algorithm)} / ${String(s.format)}; this version verifies Ed25519 / ${SIGNED_FORMAT}`,
    );
  const raw = strictBase64(s.public_key);
  const value = strictBase64(s.value);
  if (raw.length !== 32 || value.length !== 64)
    return fail("malformed_signature", "the public key must be 32 bytes and the signature 64 (base64)");
  const fingerprint = publicKeyFingerprint(raw);
  if (s.fingerprint !== fingerprint)
    return fail(
      "malformed_signature",
      `the signature block names fingerprint ${String(s.fingerprint)} but its key's is ${fingerprint}`,
      fingerprint,
    );
  let bytes: Buffer;
  try {
    bytes = signedBytes(report);
  } catch (error) {
    return fail("not_a_report", `the report's content is not JSON: ${(error as Error).message}`, fingerprint);
  }
  let holds: boolean;
  try {
    holds = verify(null, bytes, publicKeyFromRaw(raw), value);
  } catch {
    // Node takes any 32 bytes as a key today; a stricter OpenSSL refusing a point is still an answer.
    return fail("malformed_signature", "the public key is not a valid Ed25519 key", fingerprint);
  }
  if (!holds)
    return fail(
      "bad_signature",
      "the signature does not match the content: the report was changed after it was signed",
      fingerprint,
    );
  if (report.digest !== sha256(bytes))
    return fail("digest_mismatch", "the signature holds but the printed digest was changed", fingerprint);
  const expected = trust.publicKey ? publicKeyFingerprint(rawPublicKey(trust.publicKey)) : trust.fingerprint;
  if (expected !== undefined && expected !== fingerprint)
    return fail(
      "wrong_key",
      `signed by the key with fingerprint ${fingerprint}, not by the expected key ${expected}`,
      fingerprint,
    );
  return {
    valid: true,
    code: "valid",
    message:
      expected === undefined
        ? `the signature is valid and the content unchanged, signed by the key with fingerprint ${fingerprint}; compare it with the supervisor's`
        : `the signature is valid and the content unchanged, signed by the expected key ${fingerprint}`,
    fingerprint,
    trusted: expected !== undefined,
  };
}
