import type { FastifyError, FastifyInstance } from "fastify";
import { HttpError } from "./route";

/** One shape for every error: `{error, errors?}`. Bodies that are not JSON get 422, like invalid ones. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      return reply
        .status(error.statusCode)
        .send({ error: error.message, ...(error.problems ? { errors: error.problems } : {}) });
    }
    const code = (error as FastifyError).code;
    if (
      code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
      code === "FST_ERR_CTP_EMPTY_JSON_BODY" ||
      error instanceof SyntaxError
    ) {
      return reply
        .status(422)
        .send({ error: "malformed JSON", errors: [{ path: "(body)", message: error.message }] });
    }
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply.status(413).send({ error: "request body is too large" });
    }
    if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      return reply.status(415).send({ error: "send application/json" });
    }
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.status(status).send({ error: error.message });
    }
    request.log.error({ err: error }, "unhandled error");
    return reply.status(500).send({ error: "internal error; see the supervisor log" });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}` });
  });
}
