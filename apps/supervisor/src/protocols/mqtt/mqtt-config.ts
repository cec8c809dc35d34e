import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * The `mqtt` section of the plugins configuration file. The broker URL may also come from
 * `--mqtt-url` / `BMS_MQTT_URL` (the command line wins, then the environment, then this file), and the
 * password from the environment variable named by `password_env`, so the file need not hold it.
 */
const QosSchema = z.union([z.literal(0), z.literal(1), z.literal(2)]);

export const MqttPointOptionsSchema = z.strictObject({
  /** The topic (no wildcards). */
  topic: z
    .string()
    .min(1)
    .max(512)
    .refine((t) => !/[#+]/.test(t), "a point's topic has no wildcards"),
  /** A JSON path into the payload; absent: the whole payload. Matches refs `mqtt:<topic>#<json_path>`. */
  json_path: z.string().min(1).max(256).optional(),
  units: z.string().max(64).optional(),
  /** No message within this age: uncertain, and after `bad_after_ages` of them, bad (code `stale`). */
  max_age_s: z
    .number()
    .positive()
    .max(31 * 86400)
    .optional(),
  qos: QosSchema.optional(),
  retain: z.boolean().optional(),
  description: z.string().max(256).optional(),
});
export type MqttPointOptions = z.infer<typeof MqttPointOptionsSchema>;

export const MqttConfigSchema = z.strictObject({
  /** `mqtt://host:1883` or `mqtts://host:8883`. Credentials in it are moved out and never shown. */
  url: z.string().optional(),
  username: z.string().max(256).optional(),
  /** Prefer `password_env`: a secret in a config file travels with backups. */
  password: z.string().max(1024).optional(),
  password_env: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .optional(),
  client_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  tls: z
    .strictObject({
      /** PEM file of the CA (or the broker's self-signed certificate) to trust. */
      ca_file: z.string().optional(),
      cert_file: z.string().optional(),
      key_file: z.string().optional(),
      /** Off only for a lab: the broker is then not authenticated at all. */
      reject_unauthorized: z.boolean().default(true),
      server_name: z.string().optional(),
    })
    .optional(),
  keepalive_s: z.number().int().min(5).max(3600).default(30),
  /** Reconnect backoff: doubles from min to max, with jitter so a fleet does not reconnect in step. */
  reconnect_min_ms: z.number().int().min(50).max(60_000).default(500),
  reconnect_max_ms: z.number().int().min(100).max(600_000).default(30_000),
  /** Birth "online" and last-will "offline", both retained; default `bms/<client_id>/status`. */
  status_topic: z.string().min(1).max(512).optional(),
  /** Extra topic filters to subscribe at start, so browsing sees them (`sensors/#`). */
  subscribe: z.array(z.string().min(1).max(512)).max(100).default([]),
  /** ChirpStack applications whose uplinks (`application/<id>/device/+/event/up`) are subscribed. */
  lorawan_applications: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/))
    .max(100)
    .default([]),
  default_max_age_s: z
    .number()
    .positive()
    .max(31 * 86400)
    .optional(),
  /** How many max ages a value stays uncertain before it turns bad. */
  bad_after_ages: z.number().min(1).max(100).default(2),
  /** Publishes from flows: QoS 1 (at least once) unless the write or the point says otherwise. */
  default_qos: QosSchema.default(1),
  publish_timeout_ms: z.number().int().min(100).max(60_000).default(5_000),
  /** A first read of a topic waits this long for its retained message. */
  first_message_wait_ms: z.number().int().min(0).max(10_000).default(500),
  /** The browse tree keeps at most this many topics (memory stays bounded on a busy broker). */
  max_topics: z.number().int().min(10).max(1_000_000).default(10_000),
  points: z.array(MqttPointOptionsSchema).max(100_000).default([]),
});
export type MqttConfig = z.infer<typeof MqttConfigSchema>;

export interface BrokerTarget {
  protocol: "mqtt" | "mqtts";
  host: string;
  port: number;
  /** The URL without credentials: what health, logs and errors show. */
  display: string;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  serverName?: string;
}

export type BrokerResolve = { ok: true; target: BrokerTarget } | { ok: false; message: string };

/**
 * The broker URL and credentials: from the URL's userinfo, then the config, then the environment.
 * Files named by the config are read here, once, so a missing CA stops start-up with its path.
 */
export function resolveBroker(
  config: MqttConfig,
  env: NodeJS.ProcessEnv,
  cliUrl?: string,
): BrokerResolve | undefined {
  const text = cliUrl ?? env.BMS_MQTT_URL ?? config.url;
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: "the MQTT broker URL is not a URL (expected mqtt://host:1883)" };
  }
  if (url.protocol !== "mqtt:" && url.protocol !== "mqtts:")
    return { ok: false, message: `the MQTT broker URL must be mqtt:// or mqtts://, not ${url.protocol}//` };
  if (url.pathname !== "" && url.pathname !== "/")
    return { ok: false, message: "the MQTT broker URL takes no path" };
  const protocol = url.protocol === "mqtts:" ? "mqtts" : "mqtt";
  const port = url.port ? Number(url.port) : protocol === "mqtts" ? 8883 : 1883;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const display = `${protocol}://${url.host.includes(":") || url.port ? url.host : `${url.host}:${port}`}`;
  const target: BrokerTarget = {
    protocol,
    host,
    port,
    display,
    rejectUnauthorized: config.tls?.reject_unauthorized ?? true,
  };
  const username = url.username ? decodeURIComponent(url.username) : config.username;
  const password = url.password
    ? decodeURIComponent(url.password)
    : config.password_env
      ? env[config.password_env]
      : config.password;
  if (config.password_env && !url.password && env[config.password_env] === undefined)
    return {
      ok: false,
      message: `the environment variable ${config.password_env} (MQTT password) is not set`,
    };
  if (username !== undefined) target.username = username;
  if (password !== undefined) target.password = password;
  try {
    if (config.tls?.ca_file) target.ca = readFileSync(config.tls.ca_file, "utf8");
    if (config.tls?.cert_file) target.cert = readFileSync(config.tls.cert_file, "utf8");
    if (config.tls?.key_file) target.key = readFileSync(config.tls.key_file, "utf8");
  } catch (error) {
    const path = (error as NodeJS.ErrnoException).path ?? "?";
    return { ok: false, message: `cannot read the MQTT TLS file ${path}` };
  }
  if (config.tls?.server_name) target.serverName = config.tls.server_name;
  return { ok: true, target };
}
