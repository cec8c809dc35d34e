import { STRICT_CSP } from "@bms/security";

/**
 * The shared strict CSP with this response's nonce added to script-src: Next's production pages carry
 * inline scripts (the RSC payload, `self.__next_f.push`), which Next marks with the nonce it finds in
 * the request's CSP header. No 'unsafe-eval' and no 'unsafe-inline' for scripts.
 */
export function contentSecurityPolicy(nonce: string): string {
  return STRICT_CSP.replace("script-src 'self'", `script-src 'self' 'nonce-${nonce}'`);
}
