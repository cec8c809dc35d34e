import { CertificatePinError, parseServiceUrl, readPeerCertificate } from "@bms/security";
import type { PresentedCertificate, SupervisorTestResult } from "./api-types";
import { callSupervisor, type SupervisorConnection } from "./supervisor-client";

const TEST_TIMEOUT_MS = 3_000;

/**
 * The Settings connection test, in the order trust is built:
 * 1. https: a bare TLS handshake reads the certificate (no request, no token) and compares it with the
 *    pin; an unpinned certificate no CA vouches for stops here and is shown for the admin to confirm;
 * 2. health (reachability, latency, version), then an authenticated read, so a wrong token is reported as
 *    such rather than as "works" until the first deploy fails.
 * Steps 2 go through the same pinned agent as every other call, which checks the certificate again on
 * its own connection: step 1 only informs, it does not grant.
 */
export async function testSupervisorConnection(target: SupervisorConnection): Promise<SupervisorTestResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const base = target.problem ? null : parseServiceUrl(target.url);
  if (!base?.ok)
    return {
      ok: false,
      code: "invalid_target",
      latency_ms: 0,
      error: target.problem ?? (base && !base.ok ? base.message : "invalid URL"),
    };

  let certificate: PresentedCertificate | undefined;
  if (base.url.protocol === "https:") {
    const pin = target.tls_fingerprint ?? null;
    try {
      const presented = await readPeerCertificate(base.url.hostname, Number(base.url.port || 443), {
        timeoutMs: TEST_TIMEOUT_MS,
      });
      certificate = {
        fingerprint256: presented.fingerprint256,
        ca_valid: presented.caValid,
        ca_error: presented.caError,
        subject: presented.subject,
        valid_to: presented.validTo,
        matches_pin: pin !== null && presented.fingerprint256 === pin,
      };
    } catch (error) {
      return {
        ok: false,
        code: "unreachable",
        latency_ms: elapsed(),
        error: `no TLS handshake with ${base.url.host}: ${(error as Error).message}`,
      };
    }
    if (pin !== null && !certificate.matches_pin)
      return {
        ok: false,
        code: "certificate_changed",
        latency_ms: elapsed(),
        error: new CertificatePinError(pin, certificate.fingerprint256).message,
        certificate,
      };
    if (pin === null && !certificate.ca_valid)
      return {
        ok: false,
        code: "certificate_unconfirmed",
        latency_ms: elapsed(),
        error: `no CA vouches for this certificate (${certificate.ca_error ?? "untrusted"}): compare its fingerprint with the one the supervisor printed at start, then confirm it`,
        certificate,
      };
  }

  const health = await callSupervisor(target, "/api/health", { timeoutMs: TEST_TIMEOUT_MS });
  if (!health.ok)
    return {
      ok: false,
      code: health.code === "certificate_changed" ? "certificate_changed" : "unreachable",
      latency_ms: Math.round(health.latency_ms),
      error: health.error,
      ...(certificate ? { certificate } : {}),
    };
  const auth = await callSupervisor(target, "/api/config/history", {
    query: { limit: "1" },
    timeoutMs: TEST_TIMEOUT_MS,
  });
  const body = health.body as { version?: unknown } | null;
  const refused = !auth.ok && (auth.status === 401 || auth.status === 403);
  return {
    ok: auth.ok,
    latency_ms: Math.round(health.latency_ms),
    version: typeof body?.version === "string" ? body.version : null,
    ...(auth.ok
      ? {}
      : {
          code: refused ? ("token_refused" as const) : ("failed" as const),
          error: refused ? "reachable, but the token was refused" : auth.error,
        }),
    ...(certificate ? { certificate } : {}),
  };
}
