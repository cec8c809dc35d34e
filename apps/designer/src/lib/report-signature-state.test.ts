import { describe, expect, it } from "vitest";
import { reportSignatureState } from "./report-signature-state";

const A = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, "0").toUpperCase()).join(":");
const B = A.replace(/^../, "FF");

describe("a commissioning report's signature against the pinned key", () => {
  it("reads unsigned, signed without a pin, signed by the pinned key, and signed by another key", () => {
    expect(reportSignatureState(null, "unsigned", A)).toEqual({
      kind: "unsigned",
      text: "unsigned (made before signatures)",
    });
    expect(reportSignatureState(A, "valid", null)).toEqual({
      kind: "signed",
      text: `signed ${A.slice(0, 11)}…${A.slice(-5)}`,
    });
    expect(reportSignatureState(A, "other_key", null).text).toContain("not this supervisor's current key");
    expect(reportSignatureState(A, "valid", A).kind).toBe("pinned");
    // A report the supervisor's earlier (pinned) key signed still verified and names the pin.
    expect(reportSignatureState(A, "other_key", A).kind).toBe("pinned");
    const other = reportSignatureState(B, "valid", A);
    expect(other.kind).toBe("other_key");
    expect(other.text).toContain("NOT the pinned key");
    expect(other.text).toContain(B.slice(0, 11));
  });

  it("is never green for a tampered report that copies the pinned fingerprint", () => {
    // The file names the pinned key, but the supervisor found that its signature does not hold.
    expect(reportSignatureState(A, "bad_signature", A)).toEqual({
      kind: "bad_signature",
      text: "signature does not verify",
    });
    expect(reportSignatureState(A, "bad_signature", null).kind).toBe("bad_signature");
    // A supervisor too old to answer a verdict: the fingerprint alone is not taken for a signature.
    expect(reportSignatureState(A, undefined, A).kind).toBe("bad_signature");
  });
});
