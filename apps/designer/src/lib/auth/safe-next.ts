/** Only a path on this server: `?next=//evil.example` must not turn sign-in into an open redirect. */
export function safeNext(next: string | null | undefined): string {
  return next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}
