// The Designer's production server: Next's request handler behind a plain Node http/https server, so
// the browser guard runs before Next sees a request (Host allowlist against DNS rebinding; Origin,
// Sec-Fetch-Site and JSON-only for state changes), every answer carries the security headers, and
// every page gets a CSP nonce instead of 'unsafe-inline'/'unsafe-eval'. `next build` stays the build.
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { isIP } from "node:net";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import {
  checkHost,
  checkStateChange,
  loadOrCreateSelfSigned,
  loadTls,
  securityHeaders,
  type TlsMaterial,
} from "@bms/security";
import { pruneAudit } from "./src/lib/auth/audit-repository";
import {
  builtTestWorkerScripts,
  contentSecurityPolicy,
  isTestWorkerScript,
  testWorkerContentSecurityPolicy,
} from "./src/lib/auth/content-security-policy";
import {
  CLIENT_ADDRESS_HEADER,
  listFromEnv,
  policyFromEnv,
  setServerConfig,
} from "./src/lib/auth/server-config";
import { pruneSessions } from "./src/lib/auth/sessions-repository";
import { countUsers } from "./src/lib/auth/users-repository";
import { dataDir } from "./src/lib/data-dir";
import { getDb } from "./src/lib/db/client";

(process.env as Record<string, string>).NODE_ENV = "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const { values: args } = parseArgs({
  options: {
    port: { type: "string" },
    "http-host": { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    tls: { type: "string" },
    "allowed-hosts": { type: "string" },
    // Demand the setup code on loopback too: a machine other people can log in to.
    "setup-code": { type: "boolean", default: false },
  },
});

const port = Number(args.port ?? process.env.PORT ?? 3000);
const host = args["http-host"] ?? process.env.HOST ?? "127.0.0.1";
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`bms-designer: --port must be 0-65535, got ${args.port ?? process.env.PORT}`);
  process.exit(2);
}

function isLoopback(address: string): boolean {
  return address === "localhost" || address === "::1" || (isIP(address) === 4 && address.startsWith("127."));
}

async function tlsMaterial(): Promise<TlsMaterial | null> {
  if (args.tls === "self-signed") {
    const names = [
      host,
      ...listFromEnv(args["allowed-hosts"]),
      ...listFromEnv(process.env.BMS_ALLOWED_HOSTS),
    ];
    return loadOrCreateSelfSigned(
      dataDir(),
      names.filter((n) => n !== "0.0.0.0" && n !== "::"),
    );
  }
  if (args.tls !== undefined) {
    console.error(`bms-designer: --tls takes only "self-signed" (or give --tls-cert and --tls-key)`);
    process.exit(2);
  }
  if (args["tls-cert"] || args["tls-key"]) {
    if (!args["tls-cert"] || !args["tls-key"]) {
      console.error("bms-designer: --tls-cert and --tls-key go together");
      process.exit(2);
    }
    return loadTls(args["tls-cert"], args["tls-key"]);
  }
  return null;
}

const tls = await tlsMaterial();
const wildcard = host === "0.0.0.0" || host === "::";
const extraHosts = [...listFromEnv(args["allowed-hosts"]), ...(wildcard || isLoopback(host) ? [] : [host])];
const policy = policyFromEnv(port, extraHosts);

const db = getDb();
pruneSessions(db);
pruneAudit(db);
// Beyond loopback, whoever reaches the port first could claim a fresh installation: demand a code
// that only someone who can read this log has.
const setupCode =
  (!isLoopback(host) || args["setup-code"]) && countUsers(db) === 0
    ? randomBytes(9).toString("base64url")
    : null;
setServerConfig({ policy, tls: tls !== null, setupCode });

const { default: next } = await import("next");
const appDir = dirname(new URL(import.meta.url).pathname);
const app = next({ dev: false, dir: appDir, hostname: host, port });
await app.prepare();
// The test runner's worker files this build wrote: only they may compile WebAssembly.
const testWorkerScripts = builtTestWorkerScripts(join(appDir, ".next/static/chunks"));
const handle = app.getRequestHandler();

/** A refusal at the door is a security event worth a line: method, path (never the query) and why. */
function logRefusal(req: IncomingMessage, code: string): void {
  const path = (req.url ?? "").split("?")[0]?.slice(0, 200);
  const origin = typeof req.headers.origin === "string" ? ` origin ${req.headers.origin.slice(0, 100)}` : "";
  console.warn(
    `bms-designer refused ${req.method} ${path} from ${req.socket.remoteAddress}${origin}: ${code}`,
  );
}

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("cache-control", "no-store");
  res.end(JSON.stringify({ error: message, code }));
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  // Route handlers learn the peer address from this header; a client-sent value is never trusted.
  req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? "unknown";
  const nonce = randomBytes(16).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  // The test runner's worker takes its policy from its own response: it alone may compile WebAssembly.
  const testWorker =
    req.method === "GET" && isTestWorkerScript((req.url ?? "").split("?")[0] ?? "", testWorkerScripts);
  const responseCsp = testWorker ? testWorkerContentSecurityPolicy() : csp;
  for (const [name, value] of Object.entries(securityHeaders({ csp: responseCsp, tls: tls !== null })))
    res.setHeader(name, value);

  const hostVerdict = checkHost(req.headers, policy);
  if (!hostVerdict.ok) {
    logRefusal(req, hostVerdict.code);
    refuse(res, hostVerdict.status, hostVerdict.code, hostVerdict.message);
    return;
  }
  // Origin, Sec-Fetch-Site and the JSON rule hold for every state change, pages included; the CSRF
  // token is checked by the route guard, which knows the session.
  const change = checkStateChange(
    {
      method: req.method ?? "GET",
      headers: req.headers,
      scheme: tls ? "https" : "http",
      cookieAuthenticated: false,
    },
    policy,
  );
  if (!change.ok) {
    logRefusal(req, change.code);
    refuse(res, change.status, change.code, change.message);
    return;
  }
  // Next reads the nonce from the request's CSP header and puts it on every script it renders.
  req.headers["content-security-policy"] = csp;
  void handle(req, res).catch((error: unknown) => {
    console.error("[designer] request failed:", error instanceof Error ? error.message : error);
    if (!res.headersSent)
      refuse(res, 500, "internal_error", "the Designer server failed to handle this request");
  });
}

const server = tls
  ? createHttpsServer({ cert: tls.cert, key: tls.key }, onRequest)
  : createHttpServer(onRequest);
// Longer than a browser's or a reverse proxy's idle keep-alive, so a pooled connection is not closed
// under a client that is just sending its next request.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(port, host, () => {
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  const shown = host.includes(":") ? `[${host}]` : host;
  // The ready line comes last, so whoever waits for it has the fingerprint and setup code already.
  if (tls) console.log(`bms-designer TLS certificate SHA-256 fingerprint ${tls.fingerprint256}`);
  if (setupCode)
    console.log(`bms-designer setup code ${setupCode} (asked for at /setup until the first admin exists)`);
  if (countUsers(db) === 0)
    console.log(
      "bms-designer has no users yet: open /setup, or run `pnpm designer user add <name> --role admin`",
    );
  console.log(`bms-designer listening ${tls ? "https" : "http"}://${shown}:${bound}`);
});

function stop(): void {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
