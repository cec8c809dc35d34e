import { z } from "zod";

// The wire shapes of the supervisor's `/api/plugins` routes. The route validates its answers with them and
// the Designer's plugin browsers parse with them, so the two sides cannot drift apart.

/** A plugin's health as `GET /api/plugins` answers it: times as ISO strings, absent values as null. */
export const PluginHealthSchema = z.object({
  protocol: z.string(),
  state: z.enum(["ok", "degraded", "down", "disabled"]),
  connections: z.number(),
  errors: z.number(),
  last_message_at: z.string().nullable(),
  last_error: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

export const PluginInfoSchema = z.object({
  name: z.string(),
  protocol: z.string(),
  version: z.string(),
  capabilities: z.object({
    priority: z.boolean(),
    priorityArray: z.boolean(),
    subscribe: z.boolean(),
    browse: z.boolean(),
    write: z.boolean(),
  }),
  health: PluginHealthSchema,
});
export type PluginInfo = z.infer<typeof PluginInfoSchema>;

export const PluginsResponseSchema = z.object({ plugins: z.array(PluginInfoSchema) });

/** One entry of `GET /api/plugins/:protocol/browse`: a device, a folder or a point. */
export const PluginBrowseEntrySchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(["device", "folder", "point"]),
  /** For points: the ref a node binds to. */
  ref: z.string().optional(),
  units: z.string().optional(),
  writable: z.boolean().optional(),
  description: z.string().optional(),
  /** For points, when the plugin has one at hand (MQTT's last payload, a register's last value). */
  reading: z
    .object({
      value: z.unknown(),
      quality: z.enum(["good", "uncertain", "bad"]),
      reason: z.string().optional(),
      code: z.string().optional(),
      timestamp: z.string(),
    })
    .optional(),
});
export type PluginBrowseEntry = z.infer<typeof PluginBrowseEntrySchema>;

export const PluginBrowseListingSchema = z.object({ entries: z.array(PluginBrowseEntrySchema) });
