import { writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { encodePayload } from "@bms/sparkplug";
import {
  api,
  eventually,
  hostileValue,
  type Mosquitto,
  type SupervisorHandle,
  startMosquitto,
  startSupervisor,
  tempDir,
} from "@bms/test-support";
import fc from "fast-check";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Hostile field devices and services against a real supervisor process: a Modbus TCP server that lies
 * in every header field, splits and garbles frames or never answers; an MQTT publisher sending broken
 * JSON, deep JSON, huge payloads and broken Sparkplug B commands; an HTTP endpoint answering with huge,
 * gzip-bombed, slow-dripped, never-ending or non-JSON bodies. The supervisor must stay up, answer its
 * API, and never turn a refused answer into a good value. 127.0.110.0/24 belongs to this file.
 */
const HOST = "127.0.110.1";
const MQTT_PORT = 18910;
const MODBUS = { host: "127.0.110.2", port: 15110 };
const HTTP = { host: "127.0.110.3", port: 18911, trap: 18912 };
const SEED = Number(process.env.BMS_FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.BMS_FUZZ_RUNS ?? 80);

const MODBUS_POINT = `modbus:${MODBUS.host}:${MODBUS.port}:1/input_register:0`;
const TRUE_REGISTER = 1234;
/** What a refused answer carries: it must never be read as a good value. */
const FORGED = 999;

interface Reading {
  point: string;
  value: unknown;
  quality: string;
  code?: string;
}

// --- a Modbus TCP server that misbehaves on command -------------------------------------------

type ModbusBehaviour =
  | { kind: "correct" }
  | { kind: "split"; chunks: number[] }
  | { kind: "wrong-tid" }
  | { kind: "wrong-unit" }
  | { kind: "wrong-function" }
  | { kind: "exception"; code: number }
  | { kind: "byte-count"; count: number }
  | { kind: "mbap-length"; delta: number }
  | { kind: "stale-then-correct" }
  | { kind: "trailing-garbage"; bytes: Uint8Array }
  | { kind: "random"; bytes: Uint8Array }
  | { kind: "silent" }
  | { kind: "garbage-forever" }
  | { kind: "close-mid-frame" };

const modbusBehaviour: fc.Arbitrary<ModbusBehaviour> = fc.oneof(
  fc.constant({ kind: "correct" as const }),
  fc.record({
    kind: fc.constant("split" as const),
    chunks: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }),
  }),
  fc.constantFrom(
    { kind: "wrong-tid" as const },
    { kind: "wrong-unit" as const },
    { kind: "wrong-function" as const },
    { kind: "stale-then-correct" as const },
    { kind: "silent" as const },
    { kind: "garbage-forever" as const },
    { kind: "close-mid-frame" as const },
  ),
  fc.record({ kind: fc.constant("exception" as const), code: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant("byte-count" as const),
    count: fc.integer({ min: 0, max: 255 }).filter((c) => c !== 2),
  }),
  fc.record({
    kind: fc.constant("mbap-length" as const),
    delta: fc.integer({ min: -7, max: 300 }).filter((d) => d !== 0),
  }),
  fc.record({
    kind: fc.constant("trailing-garbage" as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
  fc.record({ kind: fc.constant("random" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
);

/** MBAP header + PDU of a Read Input Registers answer carrying one register. */
function answer(
  tid: number,
  unit: number,
  fc4: number,
  value: number,
  byteCount = 2,
  lengthDelta = 0,
): Buffer {
  const frame = Buffer.alloc(11);
  frame.writeUInt16BE(tid, 0);
  frame.writeUInt16BE(0, 2);
  frame.writeUInt16BE(Math.max(0, 5 + lengthDelta), 4);
  frame[6] = unit;
  frame[7] = fc4;
  frame[8] = byteCount;
  frame.writeUInt16BE(value, 9);
  return frame;
}

class HostileModbus {
  next: ModbusBehaviour = { kind: "correct" };
  requests = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private lastTid = 0;

  constructor() {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => {});
      let pending = Buffer.alloc(0);
      socket.on("data", (data) => {
        pending = Buffer.concat([pending, data]);
        while (pending.length >= 12) {
          const request = pending.subarray(0, 12);
          pending = pending.subarray(12);
          this.requests++;
          this.respond(socket, request);
        }
      });
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(MODBUS.port, MODBUS.host, resolve));
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private respond(socket: Socket, request: Buffer): void {
    const tid = request.readUInt16BE(0);
    const unit = request[6] ?? 1;
    const fn = request[7] ?? 4;
    const stale = this.lastTid;
    this.lastTid = tid;
    const good = answer(tid, unit, fn, TRUE_REGISTER);
    const b = this.next;
    const write = (buf: Buffer) => socket.writable && socket.write(buf);
    switch (b.kind) {
      case "correct":
        return void write(good);
      case "split": {
        // The answer in small pieces, each a separate TCP segment some milliseconds apart.
        let at = 0;
        let delay = 0;
        for (const size of [...b.chunks, good.length]) {
          const piece = good.subarray(at, at + size);
          at += size;
          if (piece.length === 0) break;
          delay += 3;
          setTimeout(() => write(piece), delay);
        }
        return;
      }
      case "wrong-tid":
        return void write(answer(tid ^ 0x5a5a, unit, fn, FORGED));
      case "wrong-unit":
        return void write(answer(tid, (unit + 1) & 0xff, fn, FORGED));
      case "wrong-function":
        return void write(answer(tid, unit, fn === 4 ? 3 : 4, FORGED));
      case "exception": {
        const frame = Buffer.from([0, 0, 0, 0, 0, 3, unit, fn | 0x80, b.code]);
        frame.writeUInt16BE(tid, 0);
        return void write(frame);
      }
      case "byte-count":
        return void write(answer(tid, unit, fn, FORGED, b.count));
      case "mbap-length":
        return void write(answer(tid, unit, fn, FORGED, 2, b.delta));
      case "stale-then-correct":
        write(answer(stale, unit, fn, FORGED));
        return void write(good);
      case "trailing-garbage":
        return void write(Buffer.concat([good, Buffer.from(b.bytes)]));
      case "random":
        return void write(Buffer.from(b.bytes));
      case "silent":
        return;
      case "garbage-forever": {
        // Until the supervisor hangs up, or 1.5 s at most: random bytes, 4 KB every 5 ms.
        const started = Date.now();
        const timer = setInterval(() => {
          if (!socket.writable || Date.now() - started > 1500) clearInterval(timer);
          else socket.write(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 73 + tid) & 0xff)));
        }, 5);
        return;
      }
      case "close-mid-frame":
        write(good.subarray(0, 5));
        return void socket.destroy();
    }
  }
}

// --- an HTTP endpoint that misbehaves on every poll -------------------------------------------

type HttpBehaviour =
  | "correct"
  | "html"
  | "declared-huge"
  | "streamed-huge"
  | "gzip-bomb"
  | "slow-drip"
  | "headers-only"
  | "deep-json"
  | "broken-json"
  | "reset-mid-body"
  | "server-error"
  | "redirect";

const HTTP_BEHAVIOURS: HttpBehaviour[] = [
  "correct",
  "html",
  "declared-huge",
  "streamed-huge",
  "gzip-bomb",
  "slow-drip",
  "headers-only",
  "deep-json",
  "broken-json",
  "reset-mid-body",
  "server-error",
  "redirect",
  "correct",
];

function hostileHttp(
  served: HttpBehaviour[],
  trapHits: { count: number },
): { server: HttpServer; trap: HttpServer } {
  let n = 0;
  const server = createHttpServer((req, res) => {
    req.resume();
    const behaviour = HTTP_BEHAVIOURS[n++ % HTTP_BEHAVIOURS.length] ?? "correct";
    served.push(behaviour);
    const forged = JSON.stringify({ t: FORGED, pad: "x".repeat(200_000) });
    switch (behaviour) {
      case "correct":
        return void res.writeHead(200, { "content-type": "application/json" }).end('{"t":12.5}');
      case "html":
        return void res
          .writeHead(200, { "content-type": "text/html" })
          .end("<html><body>{t: 999}</body></html>");
      case "declared-huge":
        res.writeHead(200, { "content-type": "application/json", "content-length": String(50_000_000) });
        return void res.end('{"t":999}');
      case "streamed-huge":
        return void res.writeHead(200, { "content-type": "application/json" }).end(forged);
      case "gzip-bomb":
        // 40 MB of JSON once inflated, 40 KB on the wire.
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        return void res.end(gzipSync(Buffer.from(`{"t":999,"pad":"${"0".repeat(40_000_000)}"}`)));
      case "slow-drip": {
        res.writeHead(200, { "content-type": "application/json" });
        const text = '{"t":999}';
        let i = 0;
        const timer = setInterval(() => {
          if (i >= text.length || res.destroyed) {
            clearInterval(timer);
            res.end();
          } else res.write(text[i++] ?? "");
        }, 150);
        return;
      }
      case "headers-only":
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"t":');
        setTimeout(() => res.destroy(), 3000);
        return;
      case "deep-json":
        return void res
          .writeHead(200, { "content-type": "application/json" })
          .end(`{"t":999,"deep":${"[".repeat(30_000)}${"]".repeat(30_000)}}`);
      case "broken-json":
        return void res.writeHead(200, { "content-type": "application/json" }).end('{"t":999,');
      case "reset-mid-body":
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
        res.write('{"t":999');
        return void setTimeout(() => res.destroy(), 20);
      case "server-error":
        return void res.writeHead(500, { "content-type": "application/json" }).end('{"t":999}');
      case "redirect":
        // A redirect must not be followed (it could carry the bearer token elsewhere): the trap counts.
        return void res.writeHead(302, { location: `http://${HTTP.host}:${HTTP.trap}/stolen` }).end();
    }
  });
  const trap = createHttpServer((_req, res) => {
    trapHits.count++;
    res.writeHead(200, { "content-type": "application/json" }).end('{"t":999}');
  });
  return { server, trap };
}

// --- MQTT payloads ----------------------------------------------------------------------------

/** Up to 1.5 MB: past the 1 MB decode limit, without publishing megabytes for every run. */
const mqttValue = hostileValue.filter((v) => v.json.length < 1_500_000);

const mqttMessage: fc.Arbitrary<{ topic: string; payload: Buffer; kind: string }> = fc.oneof(
  mqttValue.map((v) => ({ topic: "fuzz/json", payload: Buffer.from(v.json), kind: `json ${v.kind}` })),
  mqttValue.map((v) => ({
    topic: "fuzz/json",
    payload: Buffer.from(`{"t":${v.json}}`),
    kind: `t=${v.kind}`,
  })),
  mqttValue.map((v) => ({ topic: "fuzz/raw", payload: Buffer.from(v.json), kind: `raw ${v.kind}` })),
  fc
    .uint8Array({ maxLength: 500 })
    .map((b) => ({ topic: "fuzz/raw", payload: Buffer.from(b), kind: "raw random bytes" })),
  mqttValue.map((v) => ({
    topic: "application/1/device/0011223344556677/event/up",
    payload: Buffer.from(`{"deviceInfo":{"devEui":"0011223344556677"},"time":${v.json},"object":${v.json}}`),
    kind: `lorawan ${v.kind}`,
  })),
  // Sparkplug B commands to this edge node: valid ones mutated, truncated, or a huge metrics array.
  fc
    .tuple(
      fc.constantFrom("spBv1.0/fuzz/NCMD/edge1", "spBv1.0/fuzz/DCMD/edge1/bacnet-1001"),
      fc.integer({ min: 1, max: 3000 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.nat(),
    )
    .map(([topic, count, flips, cut]) => {
      const bytes = Buffer.from(
        encodePayload({
          timestamp: Date.now(),
          metrics: Array.from({ length: count }, (_, i) => ({
            name: i === 0 ? "Node Control/Rebirth" : `bacnet:1001/analogValue:${i}`,
            type: i === 0 ? "Boolean" : "Double",
            value: i === 0 ? true : FORGED,
          })),
        }),
      );
      for (const [at, byte] of flips) bytes[at % bytes.length] = byte;
      const cutAt = cut % 3 === 0 ? cut % bytes.length : bytes.length;
      return { topic, payload: bytes.subarray(0, cutAt), kind: `sparkplug ${count} metrics` };
    }),
  fc.uint8Array({ maxLength: 400 }).map((b) => ({
    topic: "spBv1.0/fuzz/NCMD/edge1",
    payload: Buffer.from(b),
    kind: "sparkplug random bytes",
  })),
  mqttValue.map((v) => ({
    topic: "spBv1.0/STATE/fleet",
    payload: Buffer.from(v.json),
    kind: `state ${v.kind}`,
  })),
  // Topics past any cap: every message a new topic.
  fc.string({ minLength: 1, maxLength: 60 }).map((s) => ({
    // Wildcards and NUL are not allowed in a topic name: replaced, so the publish itself is valid.
    topic: `fuzz/many/${[...s].map((c) => ("#+".includes(c) || c.charCodeAt(0) === 0 ? "_" : c)).join("")}`,
    payload: Buffer.from("1"),
    kind: "new topic",
  })),
);

describe("hostile field devices and services against a real supervisor", () => {
  let broker: Mosquitto;
  let sup: SupervisorHandle;
  let modbus: HostileModbus;
  let http: { server: HttpServer; trap: HttpServer };
  let publisher: MqttClient;
  const served: HttpBehaviour[] = [];
  const trapHits = { count: 0 };
  const httpReadings: Reading[] = [];

  const read = async (points: string[]) =>
    (await api<{ values: Reading[] }>(sup.url, "/api/points/read", { body: { points } })).body.values;

  beforeAll(async () => {
    broker = await startMosquitto({ host: HOST, port: MQTT_PORT });
    modbus = new HostileModbus();
    await modbus.listen();
    http = hostileHttp(served, trapHits);
    await new Promise<void>((resolve) => http.server.listen(HTTP.port, HTTP.host, resolve));
    await new Promise<void>((resolve) => http.trap.listen(HTTP.trap, HTTP.host, resolve));
    const config = join(tempDir("fuzz-field"), "plugins.json");
    writeFileSync(
      config,
      JSON.stringify({
        mqtt: {
          points: [{ topic: "fuzz/json", json_path: "t" }, { topic: "fuzz/raw" }],
        },
        http: {
          min_host_interval_ms: 0,
          max_body_bytes: 65_536,
          endpoints: [
            {
              name: "fuzz",
              url: `http://${HTTP.host}:${HTTP.port}/data`,
              interval_s: 1,
              timeout_ms: 600,
              bearer_token: "fuzz-token-4f1e9a",
            },
          ],
        },
        modbus: { timeout_ms: 300, reconnect_min_ms: 20, reconnect_max_ms: 200 },
      }),
    );
    sup = await startSupervisor({
      bacnetBind: HOST,
      bacnetPort: 48116,
      broadcast: "127.255.255.255:48117",
      extraArgs: [
        "--mqtt-url",
        broker.url,
        "--plugins-config",
        config,
        "--sparkplug-url",
        broker.url,
        "--sparkplug-group",
        "fuzz",
        "--name",
        "edge1",
        "--sparkplug-host-id",
        "fleet",
        "--sparkplug-commands",
      ],
    });
    publisher = await mqtt.connectAsync(broker.url, { clientId: "fuzz-publisher" });
    // The HTTP endpoint is polled all along; its readings are sampled while the other inputs are fuzzed.
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await sup?.stop();
    await modbus?.close();
    await new Promise((r) => http?.server.close(r));
    await new Promise((r) => http?.trap.close(r));
    await broker?.stop();
  });

  it("Modbus: an answer whose byte count disagrees with the request is refused (regression)", async () => {
    // Byte count 3 for one register, the frame length consistent: modbus-serial decoded two registers,
    // the second from the checksum it had appended itself, and the point read the forged 999 as good.
    for (const count of [3, 1, 0, 4]) {
      modbus.next = { kind: "byte-count", count };
      const [r] = await read([MODBUS_POINT]);
      expect(r).toMatchObject({ quality: "bad", code: "decode_error" });
    }
    modbus.next = { kind: "correct" };
    const [good] = await read([MODBUS_POINT]);
    expect(good).toMatchObject({ quality: "good", value: TRUE_REGISTER });
  });

  it("Modbus: a lying, split, garbled or silent server never yields a forged good value", async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(modbusBehaviour, async (behaviour) => {
        modbus.next = behaviour;
        const [modbusReading, httpReading] = await read([MODBUS_POINT, "http:fuzz/t"]);
        if (httpReading) httpReadings.push(httpReading);
        const r = modbusReading!;
        const key = `${behaviour.kind}:${r.quality}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        expect(sup.child.exitCode).toBeNull();
        // Good only with the true register; anything refused reads bad (never a forged 999).
        if (r.quality === "good") expect(r.value).toBe(TRUE_REGISTER);
        if (behaviour.kind === "correct" || behaviour.kind === "split") {
          // A correct answer after a desynchronising one may still fail once: it must not be forged.
          expect([TRUE_REGISTER, null]).toContain(r.value);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // It recovers: a run of correct answers reads good again.
    modbus.next = { kind: "correct" };
    const good = await eventually(async () => {
      const [r] = await read([MODBUS_POINT]);
      return r?.quality === "good" ? r : undefined;
    }, 10_000);
    expect(good.value).toBe(TRUE_REGISTER);
    // The property really exercised both sides: good reads and refusals.
    const goods = [...outcomes].filter(([k]) => k.endsWith(":good")).reduce((n, [, c]) => n + c, 0);
    expect(goods, JSON.stringify(Object.fromEntries(outcomes))).toBeGreaterThan(RUNS / 10);
    expect(goods).toBeLessThan(RUNS);
  });

  it("MQTT and Sparkplug B: broken, deep, huge and random payloads are refused per point", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mqttMessage, { minLength: 1, maxLength: 8 }), async (messages) => {
        for (const m of messages) await publisher.publishAsync(m.topic, m.payload, { qos: 0 });
        const readings = await read(["mqtt:fuzz/json#t", "mqtt:fuzz/raw", "http:fuzz/t"]);
        httpReadings.push(readings[2]!);
        expect(sup.child.exitCode).toBeNull();
        for (const r of readings.slice(0, 2)) {
          // A value is a scalar (JSON null included); a refused payload is bad quality with a code.
          if (r.quality === "bad") expect(r.code).toBeTruthy();
          else if (r.value !== null) expect(["number", "string", "boolean"]).toContain(typeof r.value);
        }
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / 2), endOnFailure: true },
    );
    // Still listening: a well-formed reading arrives and is read.
    await publisher.publishAsync("fuzz/json", '{"t":21.5}', { qos: 1 });
    await eventually(async () => {
      const [r] = await read(["mqtt:fuzz/json#t"]);
      return r?.value === 21.5 && r.quality === "good" ? true : undefined;
    }, 10_000);
    // No command from an unknown publisher was obeyed: nothing was written, the node did not rebirth on it.
    expect(sup.output()).not.toMatch(/uncaught|unhandled/i);
  });

  it("HTTP: no refused answer became a value, the redirect was not followed, the poller goes on", async () => {
    // Every hostile behaviour has been served at least once while the other properties ran.
    await eventually(
      () => (new Set(served).size >= new Set(HTTP_BEHAVIOURS).size ? true : undefined),
      30_000,
      250,
    );
    expect(httpReadings.length).toBeGreaterThan(0);
    for (const r of httpReadings) if (r.quality === "good") expect(r.value).toBe(12.5);
    expect(trapHits.count).toBe(0);
    // And it polls on after all of that: a correct answer reads good.
    await eventually(async () => {
      const [r] = await read(["http:fuzz/t"]);
      return r?.quality === "good" && r.value === 12.5 ? true : undefined;
    }, 20_000);
    expect((await api(sup.url, "/api/health")).status).toBe(200);
    expect(sup.output()).not.toContain("fuzz-token-4f1e9a");
  });
});
