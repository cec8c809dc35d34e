import { BacnetDeviceInstanceSchema } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpError, route } from "../../http/route";
import {
  COMMUNICATION_STATES,
  communicationControl,
  REINITIALIZE_STATES,
  reinitializeDevice,
  synchronizeTime,
} from "../../protocols/bacnet/commissioning";
import { DeviceUnreachableError, describeBacnetError } from "../../protocols/bacnet/errors";

const DeviceParams = z.object({ id: z.coerce.number().pipe(BacnetDeviceInstanceSchema) });
/** BACnet passwords are CharacterStrings of at most 20 characters (clause 16.1.1.3). */
const Password = z.string().min(1).max(20).optional();

function failure(deviceId: number, error: unknown): HttpError {
  if (error instanceof DeviceUnreachableError) return new HttpError(504, error.message);
  const described = describeBacnetError(error);
  if (described.kind === "timeout") return new HttpError(504, `device ${deviceId} did not answer`);
  // The device's error names the cause (password-failure, service-request-denied), never the password.
  return new HttpError(409, `device ${deviceId} refused: ${described.message}`);
}

/**
 * Commissioning services: admin only and audited, since they can silence or restart a controller.
 * Passwords are write-only: not in audit details, logs (redacted by pino) or any answer.
 */
export async function deviceCommissioningRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "POST",
    url: "/:id/time-sync",
    summary: "Sends TimeSynchronization (or UTCTimeSynchronization) with the supervisor's clock",
    tags: ["devices"],
    auth: "admin",
    audit: { action: "devices.time_sync", target: ({ params }) => `bacnet:${params.id}` },
    params: DeviceParams,
    body: z
      .object({ utc: z.boolean().default(true) })
      .strict()
      .default({ utc: true }),
    async handler({ params, body }, request) {
      if (request.auditNote) request.auditNote.details = { utc: body.utc };
      try {
        const sent = await synchronizeTime(app.bacnet, params.id, body.utc);
        return { device_id: params.id, utc: body.utc, sent: sent.toISOString() };
      } catch (error) {
        throw failure(params.id, error);
      }
    },
  });

  route(app, {
    method: "POST",
    url: "/:id/communication",
    summary:
      "DeviceCommunicationControl: enable, disable or disable_initiation, for minutes (0 = indefinitely)",
    tags: ["devices"],
    auth: "admin",
    audit: { action: "devices.communication_control", target: ({ params }) => `bacnet:${params.id}` },
    params: DeviceParams,
    body: z
      .object({
        state: z.enum(Object.keys(COMMUNICATION_STATES) as [keyof typeof COMMUNICATION_STATES]),
        minutes: z.number().int().min(0).max(65535).default(0),
        password: Password,
      })
      .strict(),
    async handler({ params, body }, request) {
      if (request.auditNote) request.auditNote.details = { state: body.state, minutes: body.minutes };
      try {
        await communicationControl(app.bacnet, params.id, body.state, body.minutes, body.password);
        return { device_id: params.id, state: body.state, minutes: body.minutes };
      } catch (error) {
        throw failure(params.id, error);
      }
    },
  });

  route(app, {
    method: "POST",
    url: "/:id/reinitialize",
    summary: "ReinitializeDevice (coldstart, warmstart, backup/restore states) with the device's password",
    tags: ["devices"],
    auth: "admin",
    audit: { action: "devices.reinitialize", target: ({ params }) => `bacnet:${params.id}` },
    params: DeviceParams,
    body: z
      .object({
        state: z.enum(Object.keys(REINITIALIZE_STATES) as [keyof typeof REINITIALIZE_STATES]),
        password: Password,
      })
      .strict(),
    async handler({ params, body }, request) {
      if (request.auditNote) request.auditNote.details = { state: body.state };
      try {
        await reinitializeDevice(app.bacnet, params.id, body.state, body.password);
        return { device_id: params.id, state: body.state };
      } catch (error) {
        throw failure(params.id, error);
      }
    },
  });
}
