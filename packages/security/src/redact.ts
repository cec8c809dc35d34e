/**
 * What a log must never hold. Pino's `redact` takes these paths for request headers and bodies; the
 * `redactText` fallback scrubs secrets from free text (URLs, error messages) before it is logged.
 */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['x-csrf-token']",
  'res.headers["set-cookie"]',
  "*.password",
  "*.token",
  "*.secret",
  "*.authorization",
  "*.current_password",
  "*.new_password",
];

const SECRET_QUERY = /([?&](?:token|access_token|password|secret|key)=)[^&#\s]*/gi;
const BEARER = /(bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

export function redactText(text: string): string {
  return text.replace(SECRET_QUERY, "$1[redacted]").replace(BEARER, "$1[redacted]");
}
