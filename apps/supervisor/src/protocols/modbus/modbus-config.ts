import { type Validated, zodProblems } from "@bms/schemas";
import { z } from "zod";

/**
 * The Modbus plugin's section of the plugins configuration. Devices are listed only to give them a
 * profile (and a name for browsing); a ref to an unlisted host reads raw registers all the same.
 */
export const ModbusDeviceConfigSchema = z
  .object({
    name: z.string().min(1).max(80).optional(),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65_535).default(502),
    unit: z.number().int().min(0).max(255).default(1),
    /** A profile id (a file in the shipped profiles or in `profiles_dir`). */
    profile: z.string().min(1).max(64).optional(),
  })
  .strict();
export type ModbusDeviceConfig = z.infer<typeof ModbusDeviceConfigSchema>;

export const ModbusPluginConfigSchema = z
  .object({
    devices: z.array(ModbusDeviceConfigSchema).max(1000).default([]),
    /** Site profiles, loaded after the shipped ones (same id replaces). */
    profiles_dir: z.string().min(1).optional(),
    /** An unanswered request fails after this long. */
    timeout_ms: z.number().int().min(50).max(60_000).default(1000),
    /**
     * Requests in flight on one TCP connection (one host:port). 1 by default: most devices and
     * gateways answer one at a time and drop or garble a second.
     */
    concurrency: z.number().int().min(1).max(16).default(1),
    /** Largest read block; some devices refuse the spec's 125 registers. */
    max_block_registers: z.number().int().min(1).max(125).default(125),
    max_block_bits: z.number().int().min(1).max(2000).default(2000),
    /** Backoff between connection attempts to a device that is down: doubles up to the maximum. */
    reconnect_min_ms: z.number().int().min(10).max(60_000).default(500),
    reconnect_max_ms: z.number().int().min(10).max(600_000).default(30_000),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.devices.forEach((d, i) => {
      const key = deviceKey(d.host, d.port, d.unit);
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["devices", i],
          message: `${key} is already listed at devices[${first}]`,
        });
      } else seen.set(key, i);
    });
    if (config.reconnect_max_ms < config.reconnect_min_ms) {
      ctx.addIssue({
        code: "custom",
        path: ["reconnect_max_ms"],
        message: "must be at least reconnect_min_ms",
      });
    }
  });
export type ModbusPluginConfig = z.infer<typeof ModbusPluginConfigSchema>;

export function parseModbusConfig(input: unknown): Validated<ModbusPluginConfig> {
  const result = ModbusPluginConfigSchema.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: zodProblems(result.error) };
}

export const MODBUS_DEFAULT_PORT = 502;

/** One TCP connection per endpoint; units behind a gateway share it. */
export function endpointKey(host: string, port: number): string {
  return `${host}:${port}`;
}

export function deviceKey(host: string, port: number, unit: number): string {
  return `${host}:${port}:${unit}`;
}
