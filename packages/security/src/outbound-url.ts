import { isIP } from "node:net";

/**
 * Outbound HTTP targets an admin registers (a supervisor's base URL, an alarm webhook). They are taken
 * apart with the URL API and rebuilt, so `?`, `#` or `@` in the input cannot change the host or the path
 * the client later appends, and credentials never ride in a URL.
 */
export type ParsedUrl = { ok: true; url: URL } | { ok: false; message: string };

export function parseServiceUrl(input: string, options: { allowPath?: boolean } = {}): ParsedUrl {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, message: "not a valid URL (expected http://host:port or https://host:port)" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { ok: false, message: `the scheme must be http or https, not ${url.protocol.replace(":", "")}` };
  if (url.username || url.password) return { ok: false, message: "credentials do not belong in the URL" };
  if (url.search || input.includes("?")) return { ok: false, message: "a query string is not allowed here" };
  if (url.hash || input.includes("#")) return { ok: false, message: "a fragment is not allowed here" };
  if (!options.allowPath && url.pathname !== "/" && url.pathname !== "")
    return { ok: false, message: "give the base address only (scheme, host and port), without a path" };
  return { ok: true, url };
}

/**
 * `base` + API path, joined by the URL API: the path is always below the base, never a new host. A string
 * path is split at `/`; an array is taken segment by segment, so a segment holding a `/` (a latch inside
 * a sub-flow, `pumps/failed1`) stays one segment, sent as `pumps%2Ffailed1`.
 */
export function endpoint(
  base: URL | string,
  path: string | readonly string[],
  query?: Record<string, string>,
): URL {
  const root = new URL(typeof base === "string" ? base : base.href);
  const segments = (typeof path === "string" ? path.split("/") : path).filter(Boolean);
  // Checked on every part a receiver might split the segment into, so `..%2F..` cannot climb either.
  if (segments.some((s) => s.split("/").some((part) => part === "." || part === "..")))
    throw new Error("invalid path segment");
  const basePath = root.pathname.replace(/\/+$/, "");
  const url = new URL(root.origin);
  url.pathname = `${basePath}/${segments.map(encodeURIComponent).join("/")}`;
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
  return url;
}

/**
 * Loopback, link-local (incl. cloud metadata 169.254.169.254), unspecified and multicast addresses: an
 * outbound call from a server to these is how SSRF reaches what should stay private.
 */
export function isLocalOnlyAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, "").toLowerCase();
  const family = isIP(ip);
  if (family === 4) {
    const [a, b] = ip.split(".").map(Number) as [number, number];
    return a === 127 || a === 0 || (a === 169 && b === 254) || a >= 224;
  }
  if (family === 6) {
    if (ip === "::1" || ip === "::") return true;
    if (ip.startsWith("fe8") || ip.startsWith("fe9") || ip.startsWith("fea") || ip.startsWith("feb"))
      return true;
    if (ip.startsWith("ff")) return true;
    const mapped = ip.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
    return mapped?.[1] ? isLocalOnlyAddress(mapped[1]) : false;
  }
  return false;
}
