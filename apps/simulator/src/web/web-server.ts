import Fastify, { type FastifyInstance } from "fastify";
import type { Simulator } from "../simulator";
import { registerRestApi } from "./rest-api";
import { registerUi } from "./ui-routes";

/** Builds the web app without listening, so tests can use inject(). */
export function buildWebApp(sim: Simulator): FastifyInstance {
  const app = Fastify({ logger: false });
  registerRestApi(app, sim);
  registerUi(app, sim);
  return app;
}

/** Listens and returns the bound port (which differs from the requested one for --web-port 0). */
export async function listenWeb(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("web server has no TCP address");
  return address.port;
}
