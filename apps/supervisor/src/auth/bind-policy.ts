import { isLoopbackHost } from "./allowed-hosts";

/** The token `pnpm start` publishes in its banner: fine on loopback, never on a network. */
export const DEMO_TOKEN = "demo-admin-token-change-me";
export const MIN_NETWORK_TOKEN_LENGTH = 32;

/**
 * A supervisor reachable from the network must not be guarded by a guessable bootstrap token. Returns
 * the one-line reason to refuse start-up, or null.
 */
export function bootstrapTokenProblem(httpHost: string, token: string): string | null {
  if (isLoopbackHost(httpHost)) return null;
  if (token === DEMO_TOKEN)
    return `the demo token is refused on a non-loopback address (--http-host ${httpHost}); set BMS_SUPERVISOR_TOKEN to a long random value`;
  if (token.length < MIN_NETWORK_TOKEN_LENGTH)
    return `BMS_SUPERVISOR_TOKEN must be at least ${MIN_NETWORK_TOKEN_LENGTH} characters on a non-loopback address (--http-host ${httpHost}); it has ${token.length}`;
  return null;
}
