import { DeviceSchema } from "@bms/schemas";
import { z } from "zod";

/** What the supervisor's device routes answer; read leniently, since it may add fields. */
export const DeviceListingSchema = z.object({
  devices: z
    .array(
      DeviceSchema.partial().extend({
        device_id: z.number().int(),
        // The route: the network behind a router and the MAC there (null on the local B/IP network).
        network: z.number().int().nullable().optional(),
        mac: z.array(z.number().int()).nullable().optional(),
      }),
    )
    .default([]),
  scan_status: z.string().optional(),
  progress: z
    .object({ found: z.number(), elapsed_ms: z.number(), timeout_ms: z.number() })
    .partial()
    .optional(),
  error_message: z.string().optional(),
});
export type DeviceListing = z.infer<typeof DeviceListingSchema>;

export const BrowsedObjectSchema = z.object({
  device_id: z.number().int(),
  object_type: z.string(),
  object_instance: z.number().int(),
  object_name: z.string().default(""),
  description: z.string().optional(),
  units: z.string().optional(),
  state_text: z.array(z.string()).optional(),
  active_text: z.string().optional(),
  inactive_text: z.string().optional(),
  present_value: z.union([z.number(), z.boolean(), z.string(), z.null()]).optional(),
  commandable: z.boolean().optional(),
});
export type BrowsedObject = z.infer<typeof BrowsedObjectSchema>;

export const ObjectListingSchema = z.object({ objects: z.array(BrowsedObjectSchema).default([]) });

export function objectKey(o: { device_id: number; object_type: string; object_instance: number }): string {
  return `${o.device_id}/${o.object_type}:${o.object_instance}`;
}

export function pointRefOf(o: { device_id: number; object_type: string; object_instance: number }): string {
  return `bacnet:${o.device_id}/${o.object_type}:${o.object_instance}.presentValue`;
}
