import { hostname } from "node:os";
import { join } from "node:path";
import { loadOrCreateBootstrapToken, loadOrCreateSelfSigned, loadTls, type TlsMaterial } from "@bms/security";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app";
import { allowedHostNames, isLoopbackHost } from "./auth/allowed-hosts";
import { bootstrapTokenProblem } from "./auth/bind-policy";
import type { SupervisorOptions } from "./options";

export interface TlsChoice {
  mode: "off" | "files" | "self-signed";
  cert?: string;
  key?: string;
}

async function loadTlsChoice(
  choice: TlsChoice,
  dataDir: string,
  names: string[],
): Promise<TlsMaterial | undefined> {
  if (choice.mode === "off") return undefined;
  if (choice.mode === "files") return loadTls(choice.cert!, choice.key!);
  return loadOrCreateSelfSigned(dataDir, names);
}

/** Builds and starts the supervisor; prints one ready line that scripts and tests wait for. */
export async function startServer(
  options: SupervisorOptions,
  tlsChoice: TlsChoice = { mode: "off" },
): Promise<FastifyInstance> {
  // From BMS_SUPERVISOR_TOKEN/--token when given, else generated once into <data-dir>/admin-token.
  const { token, created } = loadOrCreateBootstrapToken(
    join(options.dataDir, "admin-token"),
    options.token,
    "the admin token",
  );
  const problem = bootstrapTokenProblem(options.httpHost, token);
  if (problem) throw new Error(problem);
  const hostNames = allowedHostNames(options.httpHost, options.allowedHosts ?? [], hostname());
  const tls = await loadTlsChoice(tlsChoice, options.dataDir, [
    "127.0.0.1",
    ...hostNames.map((h) => h.replace(/^\[|\]$/g, "")),
  ]);
  if (options.publicRead && !isLoopbackHost(options.httpHost)) {
    console.warn(
      `bms-supervisor warning: --public-read on ${options.httpHost}: anyone who reaches this address can read points, flows and logs`,
    );
  }
  const app = await buildApp({
    ...options,
    token,
    hostNames,
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
  });
  const address = await app.listen({ port: options.httpPort, host: options.httpHost });
  if (created) {
    // The token itself is not printed: console output ends up in journald and CI logs.
    console.log(
      `bms-supervisor admin token generated in ${options.dataDir}/admin-token (mode 0600; read it there)`,
    );
  }
  if (tls) console.log(`bms-supervisor TLS fingerprint SHA-256 ${tls.fingerprint256}`);
  // The public fingerprint only: what a customer compares with a commissioning report's.
  console.log(`bms-supervisor report signing key SHA-256 ${app.reportKeyFingerprint}`);
  const port = (app.server.address() as { port: number }).port;
  const scheme = tls ? "https" : "http";
  const shown =
    options.httpHost === "0.0.0.0" || options.httpHost === "::" ? `${scheme}://127.0.0.1:${port}` : address;
  console.log(`bms-supervisor listening ${shown}`);
  const shutdown = async (signal: string) => {
    app.log.info(`${signal}: shutting down`);
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  return app;
}
