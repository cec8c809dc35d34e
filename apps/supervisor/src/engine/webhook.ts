import { lookup as dnsLookup } from "node:dns/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isLocalOnlyAddress, parseServiceUrl } from "@bms/security";

/**
 * Alarm webhooks are the one place the supervisor calls out to a URL that a flow (so any operator who
 * can deploy) chooses. Without checks that is server-side request forgery: a flow could post to the
 * cloud metadata address, a loopback admin port or anywhere else. So:
 * - the host (and optionally the port) must be on the admin's allowlist (`--webhook-allow`);
 * - every address the name resolves to is checked, and loopback/link-local/multicast ones are refused
 *   unless the allowlist names that literal address (or `localhost`): a public name that resolves to
 *   127.0.0.1 or 169.254.169.254 stays refused;
 * - the connection goes to the address that was checked (no second DNS lookup to rebind), and a
 *   redirect is reported as a failure, never followed.
 */
export interface WebhookTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

export type WebhookCheck = { ok: true; target: WebhookTarget } | { ok: false; message: string };

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const defaultResolver: Resolver = (host) => dnsLookup(host, { all: true });

interface AllowEntry {
  host: string;
  port: number | null;
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`, lower case. Throws with the entry on anything else. */
export function parseAllowEntry(entry: string): AllowEntry {
  const text = entry.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match?.[1]) throw new Error(`--webhook-allow: "${entry}" is not host or host:port`);
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) throw new Error(`--webhook-allow: bad port in "${entry}"`);
  return { host: match[1].replace(/^\[|\]$/g, ""), port };
}

export class WebhookPolicy {
  private readonly entries: AllowEntry[];

  constructor(
    allow: readonly string[],
    private readonly resolve: Resolver = defaultResolver,
  ) {
    this.entries = allow.map(parseAllowEntry);
  }

  async check(raw: string): Promise<WebhookCheck> {
    const parsed = parseServiceUrl(raw, { allowPath: true });
    if (!parsed.ok) return { ok: false, message: parsed.message };
    const url = parsed.url;
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const entry = this.entries.find((e) => e.host === host && (e.port === null || e.port === port));
    if (!entry) {
      return {
        ok: false,
        message:
          this.entries.length === 0
            ? `no webhook target is allowed (the admin sets --webhook-allow); ${host}:${port} refused`
            : `${host}:${port} is not on the webhook allowlist`,
      };
    }
    let addresses: { address: string; family: number }[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await this.resolve(host);
      } catch (error) {
        return { ok: false, message: `cannot resolve ${host}: ${(error as Error).message}` };
      }
    }
    if (addresses.length === 0) return { ok: false, message: `${host} has no address` };
    // Local targets only when the admin named a local address (or localhost) itself.
    const localNamed = host === "localhost" || (isIP(host) !== 0 && isLocalOnlyAddress(host));
    const local = addresses.find((a) => isLocalOnlyAddress(a.address));
    if (local && !localNamed) {
      return {
        ok: false,
        message: `${host} resolves to ${local.address} (loopback, link-local or multicast); allow that address explicitly to post there`,
      };
    }
    const first = addresses[0]!;
    return { ok: true, target: { url, address: first.address, family: first.family === 6 ? 6 : 4 } };
  }
}

/** POSTs JSON to a checked target: pinned to the checked address, 5 s budget, redirects refused. */
export function postToTarget(target: WebhookTarget, body: unknown, timeoutMs = 5000): Promise<void> {
  const payload = Buffer.from(JSON.stringify(body));
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else callback(null, target.address, target.family);
  };
  const send = target.url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target.url,
      {
        method: "POST",
        lookup: pinned,
        headers: { "content-type": "application/json", "content-length": payload.length },
        timeout: timeoutMs,
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          reject(new Error(`HTTP ${status} redirect to ${response.headers.location ?? "?"} not followed`));
        } else if (status < 200 || status >= 300) reject(new Error(`HTTP ${status}`));
        else resolve();
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}
