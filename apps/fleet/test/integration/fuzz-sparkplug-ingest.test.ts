import { deviceTopic, encodePayload, nodeTopic, type UMetric } from "@bms/sparkplug";
import {
  eventually,
  type FleetHandle,
  type Mosquitto,
  type PostgresHandle,
  startFleetService,
  startMosquitto,
  startPostgres,
} from "@bms/test-support";
import fc from "fast-check";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Generated hostile Sparkplug B traffic (births, data, deaths with mutated, truncated or random
 * payloads, strings PostgreSQL cannot store, malformed alarm JSON, thousands of metrics, many nodes)
 * into a real fleet service on a real broker and PostgreSQL, while a well-behaved edge node publishes:
 * the service must stay up, answer its API, and go on writing the good node's history.
 * 127.0.112.0/24 belongs to this file.
 */
const HOST = "127.0.112.1";
const MQTT_PORT = 18920;
const PG_PORT = 25112;
const SEED = Number(process.env.BMS_FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.BMS_FUZZ_RUNS ?? 60);
const GOOD = { group: "good", node: "edge-good", device: "bacnet-1001", ref: "bacnet:1001/analogInput:1" };

interface Health {
  status: string;
  ingest: { malformed: number; rejected: number; written: number; queued: number };
}

const metric = (name: string, value: unknown, type = "Double", alias?: number): UMetric =>
  ({ name, value, type, ...(alias !== undefined ? { alias } : {}) }) as UMetric;

describe("hostile Sparkplug B traffic into the fleet service", () => {
  let pg: PostgresHandle;
  let broker: Mosquitto;
  let fleet: FleetHandle;
  let good: MqttClient;
  let hostile: MqttClient;
  let seq = 0;

  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${fleet.url}${path}`, {
      headers: { authorization: `Bearer ${fleet.token}` },
    });
    return (await response.json()) as T;
  };
  const health = () => get<Health>("/api/health");
  const goodSamples = async () =>
    (
      await get<{ samples: { value: unknown }[] }>(
        `/api/history?ref=${encodeURIComponent(GOOD.ref)}&supervisor=${GOOD.node}&limit=100000`,
      )
    ).samples.length;

  /** The well-behaved edge node: a birth, then one data message per call. */
  const goodData = (value: number) =>
    good.publishAsync(
      deviceTopic(GOOD.group, "DDATA", GOOD.node, GOOD.device),
      Buffer.from(
        encodePayload({ timestamp: Date.now(), seq: ++seq % 256, metrics: [metric(GOOD.ref, value)] }),
      ),
    );

  beforeAll(async () => {
    pg = await startPostgres({ host: HOST, port: PG_PORT });
    broker = await startMosquitto({ host: HOST, port: MQTT_PORT });
    fleet = await startFleetService({ mqttUrl: broker.url, pgUrl: pg.url, hostId: "fleet-fuzz" });
    good = await mqtt.connectAsync(broker.url, { clientId: "good-edge" });
    hostile = await mqtt.connectAsync(broker.url, { clientId: "hostile-edge" });
    await eventually(async () => ((await health()).status === "ok" ? true : undefined));
    await good.publishAsync(
      nodeTopic(GOOD.group, "NBIRTH", GOOD.node),
      Buffer.from(encodePayload({ timestamp: Date.now(), seq: 0, metrics: [metric("bdSeq", 0, "Int64")] })),
    );
    await good.publishAsync(
      deviceTopic(GOOD.group, "DBIRTH", GOOD.node, GOOD.device),
      Buffer.from(
        encodePayload({ timestamp: Date.now(), seq: ++seq, metrics: [metric(GOOD.ref, 20, "Double", 1)] }),
      ),
    );
    await goodData(20.5);
    await eventually(async () => ((await goodSamples()) >= 1 ? true : undefined));
  });

  afterAll(async () => {
    await good?.endAsync();
    await hostile?.endAsync();
    await fleet?.stop();
    await broker?.stop();
    await pg?.stop();
  });

  it("a string with U+0000 does not stop history for everyone (regression)", async () => {
    // A node declares a point, then sends it a text value PostgreSQL cannot store. The batch insert
    // failed, the batch went back to the front of the queue and failed again, forever: no supervisor's
    // history was written any more, and the queue grew without bound.
    await hostile.publishAsync(
      nodeTopic("evil", "NBIRTH", "n1"),
      Buffer.from(encodePayload({ timestamp: Date.now(), seq: 0, metrics: [metric("bdSeq", 0, "Int64")] })),
    );
    await hostile.publishAsync(
      deviceTopic("evil", "DBIRTH", "n1", "d1"),
      Buffer.from(
        encodePayload({ timestamp: Date.now(), seq: 1, metrics: [metric("text", "ok", "String")] }),
      ),
    );
    await hostile.publishAsync(
      deviceTopic("evil", "DDATA", "n1", "d1"),
      Buffer.from(
        encodePayload({ timestamp: Date.now(), seq: 2, metrics: [metric("text", "a\u0000b", "String")] }),
      ),
    );
    const before = await goodSamples();
    await goodData(21.5);
    await eventually(async () => ((await goodSamples()) > before ? true : undefined), 15_000);
    expect((await health()).ingest.queued).toBeLessThan(100);
  });

  it("survives generated births, data and deaths, and goes on writing the good node's history", async () => {
    const names = fc.oneof(
      fc.constantFrom("bdSeq", "Node Control/Rebirth", "Health/Uptime", "Alarms/Event", "Site", GOOD.ref),
      fc.string({ maxLength: 30 }),
      fc.constant("x\u0000y"),
    );
    const values = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.string({ maxLength: 50 }),
      fc.constant("nul\u0000inside"),
      fc.constant(
        '{"kind":"alarm","key":"k","flow_id":null,"node_id":"n","priority":"high","message":"m","state":"active","at":1}',
      ),
      fc.constant(
        '{"kind":"alarm","key":"k\\u0000","flow_id":null,"node_id":"n","priority":"high","message":"m","state":"active","at":1}',
      ),
      fc.constant(null),
    );
    const message = fc
      .record({
        type: fc.constantFrom("NBIRTH", "NDATA", "NDEATH", "DBIRTH", "DDATA", "DDEATH"),
        group: fc.constantFrom("evil", "good", "g2"),
        node: fc.constantFrom("n1", "n2", GOOD.node),
        device: fc.constantFrom("d1", GOOD.device),
        seq: fc.integer({ min: -5, max: 300 }),
        timestamp: fc.oneof(fc.constant(Date.now()), fc.double(), fc.integer({ min: -1, max: 2 ** 52 })),
        metrics: fc.array(
          fc.record({
            name: names,
            value: values,
            alias: fc.option(fc.nat(10)),
            type: fc.constantFrom("Double", "String", "Boolean", "Int64"),
          }),
          { maxLength: 20 },
        ),
        many: fc.boolean(),
        flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        cut: fc.nat(),
        random: fc.option(fc.uint8Array({ maxLength: 300 }), { freq: 5 }),
      })
      .map((m) => {
        const metrics = m.many
          ? Array.from({ length: 5000 }, (_, i) => metric(`bulk/${i}`, i))
          : m.metrics.map((x) => {
              // Values that fit the declared type, so the encoder accepts them; the names and texts are the attack.
              const value =
                x.type === "String"
                  ? String(x.value)
                  : x.type === "Boolean"
                    ? Boolean(x.value)
                    : Number(x.value) || 0;
              return metric(
                x.name,
                x.type === "Int64" ? Math.trunc(Math.abs(value as number)) % 2 ** 31 : value,
                x.type,
                x.alias ?? undefined,
              );
            });
        let bytes = Buffer.from(
          m.random ??
            encodePayload({
              timestamp: Math.abs(Math.trunc(m.timestamp)) || 0,
              seq: Math.abs(m.seq) % 1000,
              metrics,
            }),
        );
        for (const [at, byte] of m.flips) if (bytes.length > 0) bytes[at % bytes.length] = byte;
        if (m.cut % 4 === 0 && bytes.length > 0) bytes = bytes.subarray(0, m.cut % bytes.length);
        const topic = m.type.startsWith("N")
          ? nodeTopic(m.group, m.type as "NBIRTH", m.node)
          : deviceTopic(m.group, m.type as "DBIRTH", m.node, m.device);
        return { topic, bytes };
      });

    let batches = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 10 }), async (messages) => {
        for (const m of messages) await hostile.publishAsync(m.topic, m.bytes);
        expect(fleet.child.exitCode).toBeNull();
        if (++batches % 20 === 0) expect((await health()).status).toBe("ok");
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The good node's session may have been disturbed by forgeries in its name (a rebirth fixes that in
    // Sparkplug); it births again and its data is written.
    await good.publishAsync(
      deviceTopic(GOOD.group, "DBIRTH", GOOD.node, GOOD.device),
      Buffer.from(
        encodePayload({
          timestamp: Date.now(),
          seq: ++seq % 256,
          metrics: [metric(GOOD.ref, 22, "Double", 1)],
        }),
      ),
    );
    const before = await goodSamples();
    await goodData(22.5);
    await eventually(async () => ((await goodSamples()) > before ? true : undefined), 15_000);
    const after = await health();
    expect(after.status).toBe("ok");
    expect(after.ingest.malformed).toBeGreaterThan(0);
    expect(after.ingest.queued).toBeLessThan(10_000);
    expect(fleet.output()).not.toMatch(/uncaught|unhandled/i);
  });
});
