import { shortFingerprint } from "@bms/security/fingerprint";

/**
 * How a commissioning report's signature reads in the Designer. The supervisor verifies each stored report
 * with its own key and says so in `signature_check` (commissioning/report-store.ts); this compares the
 * fingerprint with the one pinned for the supervisor in the registry. Green only for a signature that
 * verified AND names the pinned key: the fingerprint alone is what the file says, and anyone can copy it.
 * Full verification of a downloaded file is `bms-supervisor verify-report`.
 */

/** The supervisor's verdict, as its report list answers it. */
export type SignatureCheck = "valid" | "other_key" | "bad_signature" | "unsigned";

export type ReportSignatureState =
  /** Made before signatures: a digest only, which proves nothing. */
  | { kind: "unsigned"; text: string }
  /** The signature does not hold: the file was edited after signing, or its signature block is forged. */
  | { kind: "bad_signature"; text: string }
  /** Signed and verified, and no key is pinned for this supervisor: the fingerprint is for a person to compare. */
  | { kind: "signed"; text: string }
  /** Signed by the pinned key, and the signature verified. */
  | { kind: "pinned"; text: string }
  /** Verified, but signed by another key than the pinned one: a rotated key, another supervisor, or a forgery. */
  | { kind: "other_key"; text: string };

export function reportSignatureState(
  signedBy: string | null,
  check: SignatureCheck | undefined,
  pinned: string | null,
): ReportSignatureState {
  // A supervisor from before verdicts answers none: its fingerprint proves nothing, so it is not verified.
  if (check === "bad_signature" || (signedBy && check === undefined))
    return {
      kind: "bad_signature",
      text:
        check === undefined
          ? "signature not verified by this supervisor (update it)"
          : "signature does not verify",
    };
  if (!signedBy || check === "unsigned")
    return { kind: "unsigned", text: "unsigned (made before signatures)" };
  if (!pinned)
    return {
      kind: "signed",
      text:
        check === "valid"
          ? `signed ${shortFingerprint(signedBy)}`
          : `signed ${shortFingerprint(signedBy)}, not this supervisor's current key`,
    };
  if (signedBy === pinned)
    return { kind: "pinned", text: `signed by the pinned key ${shortFingerprint(signedBy)}` };
  return {
    kind: "other_key",
    text: `signed by ${shortFingerprint(signedBy)}, NOT the pinned key ${shortFingerprint(pinned)}`,
  };
}
