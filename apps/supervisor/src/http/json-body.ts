import { jsonNestingDepth, MAX_JSON_DEPTH } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { HttpError } from "./route";

/**
 * Fastify's own JSON body parser (prototype-poisoning checks and all), behind a nesting limit: a body
 * nested deeper than any real document is refused with 422 before a recursive walk of it (the package
 * checksum's canonical JSON, a JSON.stringify for storage) can overflow the stack and answer 500.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    if (jsonNestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      done(
        new HttpError(422, "malformed JSON", [
          { path: "(body)", message: `nested deeper than ${MAX_JSON_DEPTH} levels` },
        ]),
        undefined,
      );
      return;
    }
    parse(request, text, done);
  });
}
