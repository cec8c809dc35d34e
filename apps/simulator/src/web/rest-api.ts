import { EVENT_VALUE_CHOICES as EVENT_TYPE_NUMBERS, objectTypeId } from "@bms/bacnet";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { defaultToState, INJECTABLE_EVENT_TYPES, sampleEventValues } from "../device/injected-events";
import { NOTIFICATION_CLASS_TYPE, SimNotificationClass } from "../objects/notification-class";
import type { SimObject } from "../objects/sim-object";
import type { Simulator } from "../simulator";
import { deviceView, faultsView, objectView } from "./views";

const OverrideBody = z.object({ value: z.union([z.number(), z.boolean(), z.null()]) }).strict();
const FaultsBody = z
  .object({
    offline: z.boolean().optional(),
    slow_ms: z.number().int().min(0).max(120_000).optional(),
    erroring: z.boolean().optional(),
    frozen: z.boolean().optional(),
  })
  .strict();
const EventBody = z
  .object({
    event_type: z.enum(INJECTABLE_EVENT_TYPES as [string, ...string[]]),
    notification_class: z.number().int().min(0).max(4_194_302).optional(),
    to_state: z.number().int().min(0).max(65535).optional(),
  })
  .strict();
const Paging = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(10_000),
  q: z.string().optional(),
});

type Issue = { path: string; message: string };

function invalid(reply: FastifyReply, issues: Issue[]) {
  return reply.code(422).send({ error: "validation failed", issues });
}

function zodIssues(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));
}

/** Maps a REST override value onto the object's presentValue domain, or explains why it cannot. */
function overrideValue(object: SimObject, value: number | boolean): number | string {
  if (object.kind === "binary") {
    if (typeof value === "boolean") return value ? 1 : 0;
    return value === 0 || value === 1 ? value : "a binary object takes true/false or 0/1";
  }
  if (typeof value === "boolean") return `${object.typeName} takes a number`;
  if (!Number.isFinite(value)) return "value must be finite";
  if (
    object.kind === "multiState" &&
    (!Number.isInteger(value) || value < 1 || value > object.numberOfStates)
  ) {
    return `a multi-state value is an integer 1..${object.numberOfStates}`;
  }
  return value;
}

/** The small REST API supervisor tests use to inspect the site and inject overrides and faults. */
export function registerRestApi(app: FastifyInstance, sim: Simulator): void {
  app.get("/api/health", async () => ({
    status: "ok",
    site: sim.siteName,
    devices: sim.devices.length,
    port: sim.network.port,
    uptime_s: Math.round((Date.now() - sim.startedAt) / 1000),
    rss_mb: Math.round(process.memoryUsage().rss / 1048576),
    stats: sim.totals(),
    sim_time: new Date(sim.clock.now()).toISOString(),
    speed: sim.clock.speed,
    environment: sim.environment ?? null,
  }));

  /** The router (trunks, per-device latency and load counters), the BBMD's tables and segmentation counters. */
  app.get("/api/network", async () => ({
    router: sim.router?.view() ?? null,
    bbmd: sim.bbmdView ?? null,
    segmentation: sim.segmentTotals(),
  }));

  app.get("/api/devices", async (request, reply) => {
    const paging = Paging.safeParse(request.query);
    if (!paging.success) return invalid(reply, zodIssues(paging.error));
    const { offset, limit, q } = paging.data;
    const needle = q?.toLowerCase();
    const matching = sim.devices.filter(
      (d) => !needle || d.name.toLowerCase().includes(needle) || String(d.instance).includes(needle),
    );
    return {
      total: matching.length,
      offset,
      limit,
      devices: matching.slice(offset, offset + limit).map((d) => deviceView(d, sim.network.port)),
    };
  });

  app.get<{ Params: { id: string } }>("/api/devices/:id", async (request, reply) => {
    const device = sim.findDevice(Number(request.params.id));
    if (!device) return reply.code(404).send({ error: `no device ${request.params.id}` });
    return deviceView(device, sim.network.port);
  });

  app.get<{ Params: { id: string } }>("/api/devices/:id/objects", async (request, reply) => {
    const device = sim.findDevice(Number(request.params.id));
    if (!device) return reply.code(404).send({ error: `no device ${request.params.id}` });
    return { device: deviceView(device, sim.network.port), objects: device.objects.map(objectView) };
  });

  app.post<{ Params: { id: string; type: string; instance: string } }>(
    "/api/devices/:id/objects/:type/:instance/override",
    async (request, reply) => {
      const device = sim.findDevice(Number(request.params.id));
      if (!device) return reply.code(404).send({ error: `no device ${request.params.id}` });
      const type = objectTypeId(request.params.type);
      const object = type === undefined ? undefined : device.find(type, Number(request.params.instance));
      if (!object) {
        return reply.code(404).send({ error: `no object ${request.params.type}:${request.params.instance}` });
      }
      const body = OverrideBody.safeParse(request.body);
      if (!body.success) return invalid(reply, zodIssues(body.error));
      if (body.data.value === null) {
        object.setOverride(null);
      } else {
        const value = overrideValue(object, body.data.value);
        if (typeof value === "string") return invalid(reply, [{ path: "value", message: value }]);
        object.setOverride(value);
      }
      sim.serverOf(device)?.checkCov();
      return objectView(object);
    },
  );

  app.post<{ Params: { id: string } }>("/api/devices/:id/faults", async (request, reply) => {
    const device = sim.findDevice(Number(request.params.id));
    if (!device) return reply.code(404).send({ error: `no device ${request.params.id}` });
    const body = FaultsBody.safeParse(request.body ?? {});
    if (!body.success) return invalid(reply, zodIssues(body.error));
    const f = body.data;
    if (f.offline !== undefined) device.faults.offline = f.offline;
    if (f.slow_ms !== undefined) device.faults.slowMs = f.slow_ms;
    if (f.erroring !== undefined) device.faults.erroring = f.erroring;
    if (f.frozen !== undefined) device.faults.frozen = f.frozen;
    return { id: device.instance, faults: faultsView(device) };
  });

  /** Each Notification Class with its Recipient_List: who hears this device's alarms. */
  app.get<{ Params: { id: string } }>("/api/devices/:id/notification-classes", async (request, reply) => {
    const device = sim.findDevice(Number(request.params.id));
    if (!device) return reply.code(404).send({ error: `no device ${request.params.id}` });
    const classes = device.serviceObjects.filter((o) => o instanceof SimNotificationClass);
    return {
      notification_classes: classes.map((nc) => ({
        instance: nc.instance,
        name: nc.name,
        recipients: nc.recipients,
      })),
    };
  });

  /**
   * Sends an EventNotification of one event type for an object, with example values (see
   * injected-events.ts), to its class's recipients: how tests exercise every event type a receiver
   * must decode. Answers the values sent and how many recipients took them.
   */
  app.post<{ Params: { id: string; type: string; instance: string } }>(
    "/api/devices/:id/objects/:type/:instance/event",
    async (request, reply) => {
      const device = sim.findDevice(Number(request.params.id));
      if (!device) return reply.code(404).send({ error: `no device ${request.params.id}` });
      const type = objectTypeId(request.params.type);
      const object = type === undefined ? undefined : device.find(type, Number(request.params.instance));
      if (!object) {
        return reply.code(404).send({ error: `no object ${request.params.type}:${request.params.instance}` });
      }
      const body = EventBody.safeParse(request.body ?? {});
      if (!body.success) return invalid(reply, zodIssues(body.error));
      const eventType = body.data.event_type as (typeof INJECTABLE_EVENT_TYPES)[number];
      const classId =
        body.data.notification_class ??
        object.alarm?.config.notificationClass ??
        device.serviceObjects.find((o) => o.type === NOTIFICATION_CLASS_TYPE)?.instance;
      const cls =
        classId === undefined ? undefined : device.findServiceObject(NOTIFICATION_CLASS_TYPE, classId);
      if (!(cls instanceof SimNotificationClass)) {
        return invalid(reply, [
          { path: "notification_class", message: "the device has no such notification class" },
        ]);
      }
      const server = sim.serverOf(device);
      if (!server) return reply.code(409).send({ error: "the device is not running" });
      const values = sampleEventValues(eventType, object, device.instance);
      const toState = body.data.to_state ?? defaultToState(eventType);
      const recipients = server.notifyRecipients(cls, object, {
        transition: 0, // to-offnormal
        at: new Date(Math.floor(device.now().getTime() / 10) * 10),
        eventType: EVENT_TYPE_NUMBERS[eventType],
        messageText: `${object.name} ${eventType}`,
        fromState: 0,
        toState,
        values,
      });
      return { sent: values, to_state: toState, recipients };
    },
  );

  /** Clears every fault and override on every device: one call between supervisor test cases. */
  app.post("/api/reset", async () => {
    for (const device of sim.devices) {
      Object.assign(device.faults, { offline: false, slowMs: 0, erroring: false, frozen: false });
      for (const object of device.objects) if (object.override !== null) object.setOverride(null);
    }
    return { ok: true };
  });
}
