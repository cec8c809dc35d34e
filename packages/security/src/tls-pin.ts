import type { ClientRequestArgs } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { isIP, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { connect, type TLSSocket } from "node:tls";
import { shortFingerprint } from "./fingerprint";

/**
 * Certificate pinning (the seed's §14.3): a client that has confirmed a server's SHA-256 certificate
 * fingerprint once trusts exactly that certificate afterwards, self-signed or not, and refuses any other,
 * whatever a CA says. The check runs when the TLS handshake completes and before the socket is handed to
 * the HTTP client, so a refused server never receives a request line, a header or a token.
 */

export class CertificatePinError extends Error {
  readonly code = "certificate_changed";
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `the supervisor's certificate changed: expected ${shortFingerprint(expected)}, got ${shortFingerprint(actual)}; re-confirm it in Settings if this is expected`,
    );
    this.name = "CertificatePinError";
  }
}

export interface PeerCertificate {
  fingerprint256: string;
  /** Whether the chain and host name verify against the system CAs (false for a self-signed certificate). */
  caValid: boolean;
  /** OpenSSL's reason when not CA-valid, e.g. DEPTH_ZERO_SELF_SIGNED_CERT. */
  caError: string | null;
  subject: string;
  validTo: string;
}

function tlsServerName(host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, "");
  return isIP(bare) ? undefined : bare;
}

/**
 * Handshake only: connects, reads the certificate the server presents and closes. Not a single byte of
 * application data is written, so it is safe against a server nobody trusts yet.
 */
export function readPeerCertificate(
  host: string,
  port: number,
  options: { timeoutMs?: number } = {},
): Promise<PeerCertificate> {
  const bare = host.replace(/^\[|\]$/g, "");
  return new Promise((resolve, reject) => {
    const socket = connect({ host: bare, port, servername: tlsServerName(bare), rejectUnauthorized: false });
    socket.setTimeout(options.timeoutMs ?? 5_000, () =>
      socket.destroy(Object.assign(new Error("TLS handshake timed out"), { code: "ETIMEDOUT" })),
    );
    socket.once("error", reject);
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      const authError = socket.authorizationError;
      socket.destroy();
      if (!cert?.fingerprint256) {
        reject(new Error("the server presented no certificate"));
        return;
      }
      resolve({
        fingerprint256: cert.fingerprint256,
        caValid: socket.authorized,
        caError: authError ? String(authError) : null,
        subject: Object.entries(cert.subject ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(", "),
        validTo: cert.valid_to,
      });
    });
  });
}

type ConnectCallback = (error: Error | null, socket: Duplex) => void;

/**
 * An https.Agent that hands a socket to the HTTP client only after the server's certificate passed, so a
 * refused server never receives a request line, a header or a token:
 * - with a pin, exactly the certificate with that SHA-256 fingerprint is trusted (self-signed or not),
 *   and nothing else, whatever a CA says;
 * - without one, the system CAs and the host name decide, as for any https client.
 * Node's http Agent accepts a socket passed to the `createConnection` callback later; the request is
 * attached to it (and its headers written) only then. No TLS session is cached or resumed, so every new
 * connection shows its certificate again; a verified connection is kept alive and reused (a full
 * handshake per call costs ~1.7 ms on loopback, a reused connection ~0.26 ms).
 */
export class TrustedHttpsAgent extends HttpsAgent {
  constructor(
    readonly pin: string | null,
    private readonly handshakeTimeoutMs = 10_000,
  ) {
    super({ keepAlive: true, maxCachedSessions: 0 });
  }

  override createConnection(options: ClientRequestArgs, callback?: ConnectCallback): Duplex | undefined {
    const socket: TLSSocket = connect({
      ...(options as Record<string, unknown>),
      host: options.host ?? undefined,
      port: Number(options.port),
      // With a pin, the pin replaces CA validation; without one, Node refuses an untrusted chain or name.
      rejectUnauthorized: this.pin === null,
      session: undefined,
    });
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      socket.removeListener("error", onError);
      if (error) {
        socket.destroy();
        callback?.(error, socket as unknown as Socket);
      } else callback?.(null, socket);
    };
    const onError = (error: Error) => settle(error);
    socket.once("error", onError);
    socket.setTimeout(this.handshakeTimeoutMs, () =>
      settle(Object.assign(new Error("TLS handshake timed out"), { code: "ETIMEDOUT" })),
    );
    socket.once("secureConnect", () => {
      if (this.pin === null) {
        settle(null);
        return;
      }
      const actual = socket.getPeerCertificate()?.fingerprint256 ?? "(none)";
      settle(actual === this.pin ? null : new CertificatePinError(this.pin, actual));
    });
    return undefined;
  }
}
