import { defaultAllowedHosts, type GuardPolicy } from "@bms/security";

/**
 * What the server entry (server.ts) knows and the route handlers need: the browser-guard policy, whether
 * we serve TLS, and the one-time setup code. server.ts runs in the same process as Next and sets it on
 * globalThis before the first request; without it (`next start`, unit tests) it is derived from the
 * environment with the same defaults.
 */
export interface DesignerServerConfig {
  policy: GuardPolicy;
  tls: boolean;
  /** Required by /setup when the server listens beyond loopback; null otherwise. */
  setupCode: string | null;
}

/** The request header server.ts sets to the socket's peer address (any client-sent value is replaced). */
export const CLIENT_ADDRESS_HEADER = "x-bms-client-address";

const holder = globalThis as typeof globalThis & { __bmsDesignerServer?: DesignerServerConfig };

export function listFromEnv(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

export function policyFromEnv(port: number, extraHosts: readonly string[] = []): GuardPolicy {
  return {
    allowedHosts: defaultAllowedHosts(port, [...listFromEnv(process.env.BMS_ALLOWED_HOSTS), ...extraHosts]),
    allowedOrigins: listFromEnv(process.env.BMS_ALLOWED_ORIGINS),
  };
}

export function setServerConfig(config: DesignerServerConfig): void {
  holder.__bmsDesignerServer = config;
}

/**
 * The running server's settings. In production they must come from server.ts: `next start` alone
 * would skip the Host check, the CSP and the client address, so the guard refuses to work without them.
 */
export function serverConfig(): DesignerServerConfig | null {
  if (!holder.__bmsDesignerServer && process.env.NODE_ENV === "production") return null;
  holder.__bmsDesignerServer ??= {
    policy: policyFromEnv(Number(process.env.PORT) || 3000),
    tls: false,
    setupCode: null,
  };
  return holder.__bmsDesignerServer;
}

/** Where a request came from, as the server entry saw the socket; "unknown" when started without it. */
export function clientAddress(request: Request): string {
  return request.headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown";
}
