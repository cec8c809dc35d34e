import { parsePointRef } from "@bms/schemas";
import fp from "fastify-plugin";
import { SUPERVISOR_VERSION } from "../version";
import { CommandPolicy } from "./sparkplug-commands";
import { SparkplugEdgeNode } from "./sparkplug-edge-node";
import type { SparkplugOptions } from "./sparkplug-options";
import { StoreAndForward } from "./store-and-forward";

declare module "fastify" {
  interface FastifyInstance {
    /** The Sparkplug B edge node, or null when no broker is configured. */
    sparkplug: SparkplugEdgeNode | null;
  }
}

const bacnetInstance = (device: string): number | undefined => {
  const m = /^bacnet:(\d+)$/.exec(device);
  return m ? Number(m[1]) : undefined;
};

/**
 * Wires the Sparkplug edge node to the supervisor through three seams and nothing else: values the
 * history recorder keeps, alarm transitions from the alert sink, and a periodic health read. Commands
 * go through the same write path, flow-ownership rule and audit trail as an operator's API write.
 */
export const sparkplugPlugin = fp<{ options: SparkplugOptions | undefined; dataDir: string }>(
  async (app, { options, dataDir }) => {
    if (!options) {
      app.decorate("sparkplug", null);
      return;
    }
    const { repos } = app;
    const buffer = new StoreAndForward(dataDir, options.bufferMaxRows);
    const commands = new CommandPolicy(
      { enabled: options.commands, hostId: options.hostId, hostRole: options.hostRole },
      {
        flowHolder: (point, priority) => app.engine.writes.holder(point, priority)?.flowId ?? undefined,
        async write(writes) {
          const refs = writes.map((w) => parsePointRef(w.point));
          const bacnet = writes.flatMap((w, i) => {
            const r = refs[i]!;
            return r.ok && r.ref.protocol === "bacnet"
              ? [{ ref: r.ref, value: w.value, priority: w.priority }]
              : [];
          });
          const outcomes = await app.bacnet.writePoints(bacnet);
          let n = 0;
          return refs.map((r) =>
            r.ok && r.ref.protocol === "bacnet"
              ? outcomes[n++]!
              : { ok: false, error: "only BACnet points can be written" },
          );
        },
        audit: (entry) => app.auth.audits.add(entry),
      },
    );
    const node = new SparkplugEdgeNode(
      {
        broker: options.broker,
        group: options.group,
        nodeId: options.nodeId,
        hostId: options.hostId,
        site: options.site,
        version: SUPERVISOR_VERSION,
        healthIntervalMs: options.healthIntervalMs,
        keepaliveSeconds: options.keepaliveSeconds,
        batchSize: 500,
        replayPointsPerSecond: options.replayPointsPerSecond,
      },
      buffer,
      commands,
      {
        health() {
          const devices = repos.devices.list();
          return {
            status: app.engine.status,
            configVersion: app.engine.site?.stored.version ?? null,
            devicesOnline: devices.filter((d) => d.status === "online").length,
            devicesOffline: devices.filter((d) => d.status === "offline").length,
            alarmsActive: repos.alerts.list(true, 10_000).length,
          };
        },
        unitsOf(ref) {
          const parsed = parsePointRef(ref);
          if (!parsed.ok || parsed.ref.protocol !== "bacnet") return undefined;
          return (
            repos.devices.labels(parsed.ref.device, parsed.ref.objectType, parsed.ref.instance)?.units ??
            undefined
          );
        },
        deviceOnline(device) {
          const instance = bacnetInstance(device);
          const status = instance === undefined ? undefined : repos.devices.get(instance)?.status;
          return status === "online" ? true : status === "offline" ? false : undefined;
        },
        event: (level, message) => repos.events.add(level, "sparkplug", message),
      },
    );
    app.decorate("sparkplug", node);
    app.history.onRecorded((ref, value, quality, ts) => node.record(ref, value, quality, ts));
    app.alertSink.onTransition((t) =>
      node.alarm({
        kind: t.kind,
        key: t.alert.key,
        flow_id: t.alert.flow_id,
        node_id: t.alert.node_id,
        priority: t.alert.priority,
        message: t.alert.message,
        state: t.alert.state,
        at: Date.parse(t.alert.updated_at) || Date.now(),
      }),
    );
    app.addHook("onReady", async () => {
      node.start();
      // The broker URL is shown without credentials (they never ride in it; see parseBrokerUrl).
      app.log.info(`sparkplug edge node ${options.group}/${options.nodeId} -> ${options.broker.url}`);
    });
    app.addHook("onClose", async () => node.stop());
  },
  { name: "sparkplug", dependencies: ["engine", "storage", "auth", "protocols"] },
);
