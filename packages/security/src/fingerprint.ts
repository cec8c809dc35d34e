/**
 * Certificate fingerprints as people exchange them. No Node imports: the Designer's Settings page uses the
 * same parser to compare a pasted fingerprint with the one a supervisor presented.
 */
const FINGERPRINT_BYTES = 32;

export type ParsedFingerprint = { ok: true; fingerprint: string } | { ok: false; message: string };

/**
 * The canonical form is Node's `fingerprint256` (`AB:CD:…`, 32 upper-case pairs). Accepted on input: any
 * case, colons, spaces or none, and OpenSSL's `SHA256 Fingerprint=` prefix, since admins paste what a
 * terminal printed.
 */
export function parseFingerprint(input: string): ParsedFingerprint {
  const hex = input
    .trim()
    .replace(/^sha-?256\s*(fingerprint)?\s*[=:]?\s*/i, "")
    .replace(/[\s:]/g, "");
  if (!/^[0-9a-fA-F]*$/.test(hex))
    return { ok: false, message: "a SHA-256 fingerprint is hexadecimal (AB:CD:…)" };
  if (hex.length !== FINGERPRINT_BYTES * 2)
    return {
      ok: false,
      message: `a SHA-256 fingerprint has ${FINGERPRINT_BYTES} bytes (${FINGERPRINT_BYTES * 2} hex digits), this has ${hex.length} digits`,
    };
  return { ok: true, fingerprint: hex.toUpperCase().match(/../g)!.join(":") };
}

/** `AB:CD:EF:…:12` shortened for messages; the full value is in Settings. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.length > 24 ? `${fingerprint.slice(0, 11)}…${fingerprint.slice(-5)}` : fingerprint;
}
