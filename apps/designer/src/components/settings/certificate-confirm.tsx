"use client";

import { parseFingerprint } from "@bms/security/fingerprint";
import { ShieldCheck } from "lucide-react";
import { useState } from "react";
import type { PresentedCertificate } from "../../lib/api-types";
import { Button } from "../ui/button";
import { Input } from "../ui/input";

/**
 * The pinning step (the seed's §14.3): the fingerprint the supervisor presented to the Designer is shown
 * in full for the admin to compare with the one the supervisor printed at start (`--tls self-signed`), or
 * the printed one is pasted. A pasted value that differs from the presented one blocks the confirmation:
 * something between the Designer and the supervisor is presenting another certificate.
 */
export function CertificateConfirm({
  supervisorId,
  certificate,
  changed,
  onConfirm,
}: {
  supervisorId: string;
  certificate: PresentedCertificate;
  /** A pin existed and the presented certificate is another one. */
  changed: boolean;
  onConfirm: (fingerprint: string) => void;
}) {
  const [pasted, setPasted] = useState("");
  const parsed = pasted.trim() ? parseFingerprint(pasted) : null;
  const mismatch = parsed?.ok === true && parsed.fingerprint !== certificate.fingerprint256;
  const blocked = (parsed !== null && !parsed.ok) || mismatch;
  return (
    <div
      className="space-y-2 rounded border border-amber-300 bg-amber-50 p-3 text-xs text-amber-950"
      data-testid={`certificate-confirm-${supervisorId}`}
    >
      <p className="font-medium">
        {changed
          ? "This supervisor now presents a different certificate. Confirm it only if you replaced it."
          : certificate.ca_valid
            ? "Its certificate is signed by a trusted CA. You may also pin it, so only this exact certificate is accepted."
            : "No CA vouches for this certificate (self-signed). Compare its fingerprint with the one the supervisor printed at start."}
      </p>
      <div>
        SHA-256{" "}
        <code className="break-all font-mono" data-testid={`certificate-fingerprint-${supervisorId}`}>
          {certificate.fingerprint256}
        </code>
      </div>
      <div className="text-amber-800">
        {certificate.subject} · valid until {certificate.valid_to}
      </div>
      <label className="block space-y-1">
        Or paste the fingerprint the supervisor printed
        <Input
          value={pasted}
          onChange={(e) => setPasted(e.target.value)}
          placeholder="AB:CD:…"
          data-testid={`certificate-paste-${supervisorId}`}
        />
      </label>
      {parsed && !parsed.ok ? <p className="text-red-700">{parsed.message}</p> : null}
      {mismatch ? (
        <p className="font-medium text-red-700" data-testid={`certificate-mismatch-${supervisorId}`}>
          The pasted fingerprint differs from the certificate presented to this Designer. Do not confirm:
          another party may be answering for the supervisor.
        </p>
      ) : null}
      <Button
        size="sm"
        variant="primary"
        disabled={blocked}
        onClick={() => onConfirm(certificate.fingerprint256)}
        data-testid={`certificate-pin-${supervisorId}`}
      >
        <ShieldCheck /> Pin this certificate
      </Button>
    </div>
  );
}
