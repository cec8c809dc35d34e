/** The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure under TLS. */
export const SESSION_COOKIE = "bms_session";

export function sessionCookie(value: string, options: { tls: boolean; maxAgeSeconds: number }): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    ...(options.tls ? ["Secure"] : []),
  ].join("; ");
}

export function clearedSessionCookie(tls: boolean): string {
  return sessionCookie("", { tls, maxAgeSeconds: 0 });
}

export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
