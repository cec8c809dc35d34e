import { X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 fingerprint as `AB:CD:…`, what a client pins. */
  fingerprint256: string;
  created: boolean;
}

export function certFingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** `--tls-cert/--tls-key`: read once at start; a missing or unreadable file stops start-up with its path. */
export function loadTls(certPath: string, keyPath: string): TlsMaterial {
  const cert = readFileSync(certPath, "utf8");
  const key = readFileSync(keyPath, "utf8");
  return { cert, key, fingerprint256: certFingerprint(cert), created: false };
}

/**
 * `--tls self-signed`: a certificate made on first start in `<dir>/tls/`, kept (key 0600) so its
 * fingerprint stays the same across restarts and clients can pin it.
 */
export async function loadOrCreateSelfSigned(
  dir: string,
  hostNames: readonly string[],
): Promise<TlsMaterial> {
  const folder = join(dir, "tls");
  const certFile = join(folder, "cert.pem");
  const keyFile = join(folder, "key.pem");
  if (existsSync(certFile) && existsSync(keyFile)) {
    chmodSync(keyFile, 0o600);
    return loadTls(certFile, keyFile);
  }
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const names = [...new Set(["localhost", ...hostNames])];
  const altNames = names.map((name) =>
    /^\d+\.\d+\.\d+\.\d+$/.test(name) || name.includes(":")
      ? { type: 7 as const, ip: name.replace(/^\[|\]$/g, "") }
      : { type: 2 as const, value: name },
  );
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 10);
  const pems = await generate([{ name: "commonName", value: names[0] ?? "localhost" }], {
    keySize: 2048,
    algorithm: "sha256",
    notAfterDate: notAfter,
    extensions: [{ name: "subjectAltName", altNames }],
  });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, fingerprint256: certFingerprint(pems.cert), created: true };
}
