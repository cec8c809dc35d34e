import { shortFingerprint } from "@bms/security/fingerprint";

/**
 * How a commissioning report's signature reads in the Designer, against the report signing key pinned for
 * its supervisor in the registry. The supervisor checked nothing here: the list says which key signed each
 * report, and whether that is the key the integrator pinned. Full verification of a file is
 * `bms-supervisor verify-report` (the signature itself is checked there, not in the browser).
 */
export type ReportSignatureState =
  /** Made before signatures: a digest only, which proves nothing. */
  | { kind: "unsigned"; text: string }
  /** Signed, and no key is pinned for this supervisor: the fingerprint is shown for a person to compare. */
  | { kind: "signed"; text: string }
  /** Signed by the pinned key. */
  | { kind: "pinned"; text: string }
  /** Signed by another key than the pinned one: a rotated key, another supervisor, or a forgery. */
  | { kind: "other_key"; text: string };

export function reportSignatureState(signedBy: string | null, pinned: string | null): ReportSignatureState {
  if (!signedBy) return { kind: "unsigned", text: "unsigned (made before signatures)" };
  if (!pinned) return { kind: "signed", text: `signed ${shortFingerprint(signedBy)}` };
  if (signedBy === pinned)
    return { kind: "pinned", text: `signed by the pinned key ${shortFingerprint(signedBy)}` };
  return {
    kind: "other_key",
    text: `signed by ${shortFingerprint(signedBy)}, NOT the pinned key ${shortFingerprint(pinned)}`,
  };
}
