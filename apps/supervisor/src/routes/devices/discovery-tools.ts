import { objectTypeId } from "@bms/bacnet";
import { formatDeviceReport } from "@bms/bacnet/device-report";
import { BacnetDeviceInstanceSchema } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpError, route } from "../../http/route";
import { readDeviceReport } from "../../protocols/bacnet/device-report";
import { DeviceUnreachableError, describeBacnetError } from "../../protocols/bacnet/errors";
import { whoHas } from "../../protocols/bacnet/who-has";

const DeviceParams = z.object({ id: z.coerce.number().pipe(BacnetDeviceInstanceSchema) });
const Instance = z.number().int().min(0).max(4_194_303);

/** Who-Has looks for an object by name or by identifier, optionally within a device instance range. */
export const WhoHasBodySchema = z
  .object({
    object_name: z.string().min(1).max(255).optional(),
    /** A number, or the type's name as point references spell it (`analogInput`). */
    object_type: z
      .union([
        z.number().int().min(0).max(1023),
        z
          .string()
          .refine((name) => objectTypeId(name) !== undefined, "not a BACnet object type name")
          .transform((name) => objectTypeId(name) ?? 0),
      ])
      .optional(),
    object_instance: Instance.optional(),
    low_limit: Instance.optional(),
    high_limit: Instance.optional(),
    timeout_ms: z.number().int().min(500).max(10_000).default(3000),
  })
  .strict()
  .superRefine((body, ctx) => {
    const byName = body.object_name !== undefined;
    const byId = body.object_type !== undefined || body.object_instance !== undefined;
    if (byName === byId) {
      ctx.addIssue({
        code: "custom",
        path: ["object_name"],
        message: "give object_name, or object_type and object_instance",
      });
    } else if (byId && (body.object_type === undefined || body.object_instance === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["object_instance"],
        message: "an object id needs both object_type and object_instance",
      });
    }
    if ((body.low_limit === undefined) !== (body.high_limit === undefined)) {
      ctx.addIssue({ code: "custom", path: ["high_limit"], message: "give both instance limits or neither" });
    } else if (
      body.low_limit !== undefined &&
      body.high_limit !== undefined &&
      body.low_limit > body.high_limit
    ) {
      ctx.addIssue({ code: "custom", path: ["low_limit"], message: "low_limit is above high_limit" });
    }
  });

function reportFailure(deviceId: number, error: unknown): HttpError {
  if (error instanceof DeviceUnreachableError) return new HttpError(504, error.message);
  const described = describeBacnetError(error);
  if (described.kind === "timeout") return new HttpError(504, `device ${deviceId} did not answer`);
  return new HttpError(409, `device ${deviceId} refused: ${described.message}`);
}

/** Finding things on the network (Who-Has) and describing a device (the EPICS-style report). */
export async function deviceDiscoveryToolRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "POST",
    url: "/who-has",
    summary: "Who-Has on every network (by object name or id); answers the checked I-Have replies",
    tags: ["devices"],
    auth: "admin",
    audit: { action: "devices.who_has" },
    body: WhoHasBodySchema,
    async handler({ body }, request) {
      if (request.auditNote) request.auditNote.details = { ...body };
      const target =
        body.object_name !== undefined
          ? { objectName: body.object_name }
          : { objectId: { type: body.object_type ?? 0, instance: body.object_instance ?? 0 } };
      const limits =
        body.low_limit !== undefined && body.high_limit !== undefined
          ? { lowLimit: body.low_limit, highLimit: body.high_limit }
          : {};
      const result = await whoHas(app.bacnet, { target, ...limits }, body.timeout_ms);
      return { ...result, count: result.found.length };
    },
  });

  route(app, {
    method: "GET",
    url: "/:id/report",
    summary: "EPICS-style device report: services, object types, max APDU, segmentation, vendor, objects",
    tags: ["devices"],
    auth: "viewer",
    params: DeviceParams,
    async handler({ params }) {
      try {
        return await readDeviceReport(app.bacnet, params.id);
      } catch (error) {
        throw reportFailure(params.id, error);
      }
    },
  });

  route(app, {
    method: "GET",
    url: "/:id/report.txt",
    summary: "The device report as an EPICS-style text file (a download)",
    tags: ["devices"],
    auth: "viewer",
    params: DeviceParams,
    async handler({ params }, _request, reply) {
      let report: Awaited<ReturnType<typeof readDeviceReport>>;
      try {
        report = await readDeviceReport(app.bacnet, params.id);
      } catch (error) {
        throw reportFailure(params.id, error);
      }
      return reply
        .type("text/plain; charset=utf-8")
        .header("content-disposition", `attachment; filename="device-${params.id}-epics.txt"`)
        .send(formatDeviceReport(report));
    },
  });
}
