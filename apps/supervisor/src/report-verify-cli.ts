import { readFileSync } from "node:fs";
import { verifyReport } from "./commissioning/report-signature";
import { normalizeFingerprint, parsePublicKey, SigningKeyError } from "./commissioning/signing-key";

/**
 * `bms-supervisor verify-report <report.json> [--key <pub>|--fingerprint <hex>]`: checks a commissioning
 * report's signature offline, with nothing but the file (no supervisor, no network). Exit codes, so a
 * customer's script can tell them apart:
 *   0  signed, unchanged, and by the key given (--key or --fingerprint);
 *   1  not valid: unsigned, changed, malformed or signed by another key (the reason is printed);
 *   2  the command could not run (unreadable file, bad --key or --fingerprint);
 *   3  signed and unchanged, but no trusted key was given: who signed it is not established.
 */

export const VERIFY_EXIT = { valid: 0, invalid: 1, usage: 2, untrusted: 3 } as const;

export interface VerifyFlags {
  key?: string;
  fingerprint?: string;
}

/** Runs the check and answers the exit code; prints one line for people (stdout when valid, else stderr). */
export function verifyReportFile(file: string, flags: VerifyFlags): number {
  if (flags.key && flags.fingerprint) {
    console.error("verify-report: give --key or --fingerprint, not both");
    return VERIFY_EXIT.usage;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.error(`verify-report: cannot read ${file} as JSON: ${(error as Error).message}`);
    return VERIFY_EXIT.usage;
  }
  let trust: Parameters<typeof verifyReport>[1];
  try {
    if (flags.key) {
      // A file holding the key (a PEM saved from the supervisor), or the key itself in base64 or hex.
      let text = flags.key;
      try {
        text = readFileSync(flags.key, "utf8");
      } catch {
        // not a file: the argument is the key
      }
      trust = { publicKey: parsePublicKey(text) };
    } else if (flags.fingerprint) {
      trust = { fingerprint: normalizeFingerprint(flags.fingerprint) };
    }
  } catch (error) {
    if (!(error instanceof SigningKeyError)) throw error;
    console.error(`verify-report: ${flags.key ? "--key" : "--fingerprint"}: ${error.message}`);
    return VERIFY_EXIT.usage;
  }
  const result = verifyReport(parsed, trust);
  if (!result.valid) {
    console.error(`verify-report: INVALID (${result.code}): ${result.message}`);
    return VERIFY_EXIT.invalid;
  }
  if (!result.trusted) {
    console.log(`verify-report: signature valid, key NOT checked: ${result.message}`);
    console.error(
      "verify-report: pass --fingerprint <the supervisor's signing key fingerprint> (or --key) to check who signed it",
    );
    return VERIFY_EXIT.untrusted;
  }
  console.log(`verify-report: VALID: ${result.message}`);
  return VERIFY_EXIT.valid;
}
