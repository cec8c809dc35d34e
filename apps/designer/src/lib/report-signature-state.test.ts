import { describe, expect, it } from "vitest";
import { reportSignatureState } from "./report-signature-state";

const A = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, "0").toUpperCase()).join(":");
const B = A.replace(/^../, "FF");

describe("a commissioning report's signature against the pinned key", () => {
  it("reads unsigned, signed without a pin, signed by the pinned key, and signed by another key", () => {
    expect(reportSignatureState(null, A)).toEqual({
      kind: "unsigned",
      text: "unsigned (made before signatures)",
    });
    expect(reportSignatureState(A, null)).toEqual({
      kind: "signed",
      text: `signed ${A.slice(0, 11)}…${A.slice(-5)}`,
    });
    expect(reportSignatureState(A, A).kind).toBe("pinned");
    const other = reportSignatureState(B, A);
    expect(other.kind).toBe("other_key");
    expect(other.text).toContain("NOT the pinned key");
    expect(other.text).toContain(B.slice(0, 11));
  });
});
