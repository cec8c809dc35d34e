/**
 * Response headers both apps send on every answer. The CSP has no `unsafe-eval`; pages may not be framed
 * (clickjacking), types are never sniffed, and the referrer never carries a path to another site.
 */
export function securityHeaders(options: { csp: string; tls: boolean }): Record<string, string> {
  return {
    "content-security-policy": options.csp,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    ...(options.tls ? { "strict-transport-security": "max-age=31536000" } : {}),
  };
}

/** A strict CSP for a same-origin single-page app: no inline script, no eval, no framing. */
export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");
