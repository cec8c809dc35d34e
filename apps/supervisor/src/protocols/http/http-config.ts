import { parseServiceUrl } from "@bms/security";
import { z } from "zod";

/**
 * The `http` section of the plugins configuration file: JSON endpoints polled on a schedule. Refs are
 * `http:<endpoint name>/<json.path>`. Tokens and header values are secrets: they are sent, never shown
 * (not in health, logs, errors or browse answers). Prefer `bearer_token_env` to a token in the file.
 */
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Headers the plugin sets itself, or that would let a config smuggle a second identity. */
const RESERVED_HEADERS = new Set(["authorization", "host", "content-length", "cookie", "transfer-encoding"]);

const ServiceUrlSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseServiceUrl(text, { allowPath: true });
  if (!parsed.ok)
    ctx.addIssue({ code: "custom", message: `${parsed.message} (put query parameters in "query")` });
});

export const HttpEndpointSchema = z.strictObject({
  name: z.string().regex(NAME, "a name: a letter, then letters, digits, - or _"),
  /** `https://api.example.com/v1/forecast`: no credentials, no query (see `query`). */
  url: ServiceUrlSchema,
  query: z.record(z.string().max(128), z.string().max(2048)).default({}),
  headers: z
    .record(
      z
        .string()
        .regex(HEADER_NAME)
        .refine(
          (h) => !RESERVED_HEADERS.has(h.toLowerCase()),
          "use bearer_token for authorization; this header is set by the plugin",
        ),
      z.string().max(4096),
    )
    .default({}),
  bearer_token: z.string().min(1).max(4096).optional(),
  bearer_token_env: z.string().regex(ENV_NAME).optional(),
  /** How often to poll; a longer `Cache-Control: max-age` or a `Retry-After` from the server wins. */
  interval_s: z.number().min(1).max(86_400).default(60),
  timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
  /** Values older than this read uncertain (code `stale`). Default: three intervals. */
  max_age_s: z
    .number()
    .positive()
    .max(31 * 86_400)
    .optional(),
  /** Units per JSON path, shown when browsing. */
  units: z.record(z.string().max(256), z.string().max(64)).default({}),
  /** Writes to `http:<name>/<path>` send `{<path>: value}` as JSON by this method. */
  write: z
    .strictObject({
      method: z.enum(["POST", "PUT"]),
      /** Default: the endpoint's own URL. */
      url: ServiceUrlSchema.optional(),
    })
    .optional(),
});
export type HttpEndpoint = z.infer<typeof HttpEndpointSchema>;

export const HttpConfigSchema = z
  .strictObject({
    endpoints: z.array(HttpEndpointSchema).max(1_000).default([]),
    /** At most one request per host per this interval, whatever the endpoints' schedules say. */
    min_host_interval_ms: z.number().int().min(0).max(3_600_000).default(1_000),
    /** Bigger answers are refused (`decode_error`), not parsed. */
    max_body_bytes: z.number().int().min(1_024).max(50_000_000).default(1_048_576),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.endpoints.forEach((e, i) => {
      if (seen.has(e.name))
        ctx.addIssue({
          code: "custom",
          path: ["endpoints", i, "name"],
          message: `duplicate endpoint name ${e.name}`,
        });
      seen.add(e.name);
    });
  });
export type HttpConfig = z.infer<typeof HttpConfigSchema>;
