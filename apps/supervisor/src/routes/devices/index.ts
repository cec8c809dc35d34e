import { BacnetDeviceInstanceSchema, DiscoverRequestSchema } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpError, route } from "../../http/route";
import { parseDeviceAddress } from "../../protocols/bacnet/device-address";
import { describeBacnetError } from "../../protocols/bacnet/errors";
import { browseObjects } from "../../protocols/bacnet/object-browser";
import { deviceCommissioningRoutes } from "./commissioning";
import { deviceDiscoveryToolRoutes } from "./discovery-tools";
import { deviceScheduleRoutes } from "./schedules";

const DeviceParams = z.object({ id: z.coerce.number().pipe(BacnetDeviceInstanceSchema) });

export async function deviceRoutes(app: FastifyInstance): Promise<void> {
  // The address as stored ("ip:port net N mac 0a") plus its route as fields, for views that group by network.
  const withRoute = <T extends { address: string }>(device: T) => {
    const parsed = parseDeviceAddress(device.address);
    return { ...device, network: parsed?.net ?? null, mac: parsed?.adr ?? null };
  };
  const listing = () => ({
    devices: app.repos.devices.list().map(withRoute),
    ...app.discovery.progress(),
  });

  route(app, {
    method: "GET",
    url: "/",
    summary: "Known BACnet devices (from discovery, cached in runtime.db)",
    tags: ["devices"],
    auth: "viewer",
    handler: listing,
  });

  route(app, {
    method: "GET",
    url: "/discovery",
    summary: "Discovery progress and the devices found so far",
    tags: ["devices"],
    auth: "viewer",
    handler: listing,
  });

  route(app, {
    method: "POST",
    url: "/discover",
    summary: "Who-Is (broadcast, ranged, or directed to targets); answers at once, poll /discovery",
    tags: ["devices"],
    auth: "operator",
    audit: { action: "devices.discover" },
    body: DiscoverRequestSchema.default({ timeout_ms: 3000 }),
    query: z.object({ wait: z.enum(["true", "false"]).default("false") }),
    async handler({ body, query }, _request, reply) {
      const request = {
        timeoutMs: body.timeout_ms,
        ...(body.low_limit === undefined ? {} : { lowLimit: body.low_limit }),
        ...(body.high_limit === undefined ? {} : { highLimit: body.high_limit }),
        ...(body.targets === undefined ? {} : { targets: body.targets }),
      };
      const scan = app.discovery.start(request);
      if (_request.auditNote) _request.auditNote.details = { ...body };
      if (query.wait === "true") {
        await scan;
        return listing();
      }
      reply.status(202);
      return listing();
    },
  });

  route(app, {
    method: "GET",
    url: "/network",
    summary:
      "The network map: routers and the networks behind them, segmentation counters, foreign-device registration",
    tags: ["devices"],
    auth: "viewer",
    handler: () => app.bacnet.networkView(),
  });

  route(app, {
    method: "GET",
    url: "/:id",
    summary: "One device and its cached objects",
    tags: ["devices"],
    auth: "viewer",
    params: DeviceParams,
    handler({ params }) {
      const device = app.repos.devices.get(params.id);
      if (!device) throw new HttpError(404, `device ${params.id} is not known; run discovery first`);
      return { device, objects: app.repos.devices.objects(params.id) };
    },
  });

  route(app, {
    method: "GET",
    url: "/:id/objects",
    summary: "A device's objects; refresh=true reads the objectList and names from the device",
    tags: ["devices"],
    auth: "viewer",
    params: DeviceParams,
    query: z.object({ refresh: z.enum(["true", "false"]).optional() }),
    async handler({ params, query }) {
      const device = app.repos.devices.get(params.id);
      if (!device) throw new HttpError(404, `device ${params.id} is not known; run discovery first`);
      const cached = app.repos.devices.objects(params.id);
      if (query.refresh === "true" || (cached.length === 0 && query.refresh !== "false")) {
        try {
          const objects = await browseObjects(app.bacnet, params.id);
          app.repos.devices.replaceObjects(params.id, objects);
          return { device_id: params.id, source: "device", objects };
        } catch (error) {
          throw new HttpError(
            504,
            `device ${params.id} did not answer: ${describeBacnetError(error).message}`,
          );
        }
      }
      return { device_id: params.id, source: "cache", objects: cached };
    },
  });

  await deviceScheduleRoutes(app);
  await deviceCommissioningRoutes(app);
  await deviceDiscoveryToolRoutes(app);
}
