import type { FastifyInstance } from "fastify";
import type { FlowEngine } from "../../engine/flow-engine";
import { HttpError } from "../../http/route";

/** The active site's flow `id` for a per-flow route (control, debugging), or a 404 that names it. */
export function flowOf(app: FastifyInstance, id: string): FlowEngine {
  const engine = app.engine.get(id);
  if (!engine) throw new HttpError(404, `the active site has no flow "${id}"`);
  return engine;
}
