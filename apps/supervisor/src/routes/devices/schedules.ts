import { scheduleProblems } from "@bms/bacnet";
import {
  BacnetDeviceInstanceSchema,
  CalendarDateListSchema,
  DeviceScheduleResponseSchema,
  DeviceScheduleSchema,
} from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpError, route } from "../../http/route";
import { DeviceUnreachableError, describeBacnetError } from "../../protocols/bacnet/errors";
import {
  readDeviceCalendar,
  readDeviceSchedule,
  ScheduleShapeError,
  scheduleOutlook,
  writeDeviceCalendar,
  writeDeviceSchedule,
} from "../../protocols/bacnet/schedules";

const ObjectParams = z.object({
  id: z.coerce.number().pipe(BacnetDeviceInstanceSchema),
  instance: z.coerce.number().int().min(0).max(4194302),
});

/** What went wrong talking to the device, as an HTTP status: the device's own refusal is a 409. */
function deviceFailure(deviceId: number, error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ScheduleShapeError) return new HttpError(502, error.message);
  if (error instanceof DeviceUnreachableError) return new HttpError(504, error.message);
  const described = describeBacnetError(error);
  if (described.kind === "timeout") return new HttpError(504, `device ${deviceId} did not answer`);
  return new HttpError(409, `device ${deviceId} refused: ${described.message}`);
}

/** Runs one exchange with a device; whatever goes wrong answers as `deviceFailure` says. */
async function withDevice<T>(deviceId: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw deviceFailure(deviceId, error);
  }
}

/**
 * Schedule and Calendar objects on devices: read as the week grid's JSON with what happens now and
 * next, written whole. Writing is an operator's job (a parameter change on a device), audited.
 */
export async function deviceScheduleRoutes(app: FastifyInstance): Promise<void> {
  const answer = async (deviceId: number, instance: number) => {
    const read = await readDeviceSchedule(app.bacnet, deviceId, instance);
    return {
      device_id: deviceId,
      instance,
      name: read.name,
      present_value: read.presentValue,
      schedule: read.schedule,
      ...scheduleOutlook(read.schedule),
    };
  };
  const calendarAnswer = async (deviceId: number, instance: number) => {
    const read = await readDeviceCalendar(app.bacnet, deviceId, instance);
    return {
      device_id: deviceId,
      instance,
      name: read.name,
      present_value: read.presentValue,
      date_list: read.dateList,
    };
  };

  route(app, {
    method: "GET",
    url: "/:id/schedules/:instance",
    summary: "A device's Schedule object as a week grid with exceptions, and what it does now and next",
    tags: ["devices"],
    auth: "viewer",
    params: ObjectParams,
    response: DeviceScheduleResponseSchema,
    async handler({ params }) {
      return withDevice(params.id, () => answer(params.id, params.instance));
    },
  });

  route(app, {
    method: "PUT",
    url: "/:id/schedules/:instance",
    summary: "Writes a device's Schedule (default, effective period, week, exceptions) and reads it back",
    tags: ["devices"],
    auth: "operator",
    audit: {
      action: "devices.schedule.write",
      target: ({ params }) => `bacnet:${params.id}/schedule:${params.instance}`,
    },
    params: ObjectParams,
    body: DeviceScheduleSchema,
    response: DeviceScheduleResponseSchema,
    async handler({ params, body }, request) {
      const problems = scheduleProblems(body);
      if (problems.length > 0) throw new HttpError(422, "invalid schedule", problems);
      if (request.auditNote) {
        request.auditNote.details = {
          weekly_entries: body.weekly.reduce((n, day) => n + day.length, 0),
          exceptions: body.exceptions.length,
          schedule_default: body.scheduleDefault,
        };
      }
      return withDevice(params.id, async () => {
        // A schedule's datatype is fixed by what it commands; the device refuses values of another.
        const current = await readDeviceSchedule(app.bacnet, params.id, params.instance);
        if (current.schedule.valueType !== body.valueType) {
          throw new HttpError(422, "invalid schedule", [
            {
              path: "valueType",
              message: `this schedule holds ${current.schedule.valueType} values; the device fixes the type`,
            },
          ]);
        }
        await writeDeviceSchedule(app.bacnet, params.id, params.instance, body);
        return answer(params.id, params.instance);
      });
    },
  });

  route(app, {
    method: "GET",
    url: "/:id/calendars/:instance",
    summary: "A device's Calendar object: its date list and whether today is in it",
    tags: ["devices"],
    auth: "viewer",
    params: ObjectParams,
    async handler({ params }) {
      return withDevice(params.id, () => calendarAnswer(params.id, params.instance));
    },
  });

  route(app, {
    method: "PUT",
    url: "/:id/calendars/:instance",
    summary: "Writes a device's Calendar date list and reads it back",
    tags: ["devices"],
    auth: "operator",
    audit: {
      action: "devices.calendar.write",
      target: ({ params }) => `bacnet:${params.id}/calendar:${params.instance}`,
    },
    params: ObjectParams,
    body: z.object({ date_list: CalendarDateListSchema }).strict(),
    async handler({ params, body }, request) {
      if (request.auditNote) request.auditNote.details = { entries: body.date_list.length };
      return withDevice(params.id, async () => {
        await writeDeviceCalendar(app.bacnet, params.id, params.instance, body.date_list);
        return calendarAnswer(params.id, params.instance);
      });
    },
  });
}
