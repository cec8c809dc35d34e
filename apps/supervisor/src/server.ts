import type { FastifyInstance } from "fastify";
import { resolveAdminToken } from "./admin-token";
import { buildApp } from "./app";
import type { SupervisorOptions } from "./options";

/** Builds and starts the supervisor; prints one ready line that scripts and tests wait for. */
export async function startServer(options: SupervisorOptions): Promise<FastifyInstance> {
  const { token, created } = resolveAdminToken(options.dataDir, options.token);
  const app = await buildApp({ ...options, token });
  const address = await app.listen({ port: options.httpPort, host: options.httpHost });
  if (created) {
    console.log(
      `bms-supervisor admin token (shown once, stored in ${options.dataDir}/admin-token): ${token}`,
    );
  }
  const port = (app.server.address() as { port: number }).port;
  const shown = options.httpHost === "0.0.0.0" ? `http://127.0.0.1:${port}` : address;
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
