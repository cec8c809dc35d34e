import { networkInterfaces } from "node:os";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, "").toLowerCase();
  return LOOPBACK_NAMES.has(name) || /^127\.\d+\.\d+\.\d+$/.test(name) || name === "::1";
}

/**
 * The host names (without port) the HTTP server answers to besides the loopback ones, which
 * `defaultAllowedHosts` always adds. Given `--allowed-hosts`, exactly those; otherwise the bound address
 * and, bound beyond loopback, this machine's host name (and every interface address when bound to all
 * of them). Our own IP addresses are safe to allow: DNS rebinding needs a host name the attacker owns.
 */
export function allowedHostNames(bind: string, configured: readonly string[], hostname: string): string[] {
  if (configured.length > 0) return configured.map((h) => h.trim().toLowerCase()).filter(Boolean);
  const names = new Set<string>();
  const v6 = (ip: string) => (ip.includes(":") ? `[${ip}]` : ip);
  if (!isLoopbackHost(bind) && bind !== "0.0.0.0" && bind !== "::") names.add(v6(bind));
  if (!isLoopbackHost(bind)) {
    names.add(hostname.toLowerCase());
    if (bind === "0.0.0.0" || bind === "::") {
      for (const list of Object.values(networkInterfaces())) {
        for (const info of list ?? []) {
          if (!info.internal && (bind === "::" || info.family === "IPv4")) names.add(v6(info.address));
        }
      }
    }
  }
  return [...names];
}
