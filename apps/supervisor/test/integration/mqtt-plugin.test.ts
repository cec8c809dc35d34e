import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadOrCreateSelfSigned } from "@bms/security";
import {
  eventually,
  type Mosquitto,
  type RunningProcess,
  startMosquitto,
  startProcess,
  tempDir,
  tsxArgs,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMqttPointIO } from "../../src/protocols/mqtt";
import type { MqttPointIO } from "../../src/protocols/mqtt/mqtt-plugin";
import type { PointChange } from "../../src/protocols/point-io";

// 127.0.42.0/24 and ports 18830-18849 are this file's and http-plugin.test.ts's.
const HOST = "127.0.42.1";
const PORT = 18830;
const TLS_PORT = 18831;
const USER = "bms";
const PASSWORD = "s3cret-broker-pass";

/** An independent client: what the broker itself delivers, not what the plugin believes it sent. */
function pub(topic: string, message: string, extra: string[] = []) {
  execFileSync("mosquitto_pub", [
    "-h",
    HOST,
    "-p",
    String(PORT),
    "-q",
    "1",
    "-t",
    topic,
    "-m",
    message,
    ...extra,
  ]);
}

async function sub(topic: string, count: number): Promise<RunningProcess> {
  // Line-buffered: mosquitto_sub's stdout to a pipe would otherwise hold its lines until it exits.
  return startProcess(
    "stdbuf",
    [
      "-oL",
      "mosquitto_sub",
      "-h",
      HOST,
      "-p",
      String(PORT),
      "-q",
      "1",
      "-d",
      "-t",
      topic,
      "-C",
      String(count),
      "-F",
      "%q %r %t %p",
    ],
    { name: "mosquitto_sub", ready: /received SUBACK/ },
  );
}

interface TestPlugin {
  plugin: MqttPointIO;
  logs: string[];
  advance(ms: number): void;
}

function makePlugin(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): TestPlugin {
  const logs: string[] = [];
  let offset = 0;
  const plugin = createMqttPointIO(
    {
      config,
      logger: {
        info: (msg, data) => logs.push(`${msg} ${JSON.stringify(data)}`),
        warn: (msg, data) => logs.push(`${msg} ${JSON.stringify(data)}`),
      },
      now: () => Date.now() + offset,
      dataDir: tempDir("mqtt-plugin"),
    },
    env,
  );
  return { plugin, logs, advance: (ms) => (offset += ms) };
}

describe("MQTT plugin against a real mosquitto", () => {
  let broker: Mosquitto;
  let certFile: string;
  const started: MqttPointIO[] = [];
  const start = async (config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
    const made = makePlugin(config, env);
    started.push(made.plugin);
    await made.plugin.start();
    return made;
  };

  beforeAll(async () => {
    const dir = tempDir("mqtt-tls");
    const tls = await loadOrCreateSelfSigned(dir, [HOST]);
    certFile = join(dir, "broker-ca.pem");
    writeFileSync(certFile, tls.cert);
    broker = await startMosquitto({
      host: HOST,
      port: PORT,
      tlsListener: { port: TLS_PORT, certPem: tls.cert, keyPem: tls.key, users: { [USER]: PASSWORD } },
    });
  });

  afterAll(async () => {
    for (const p of started) await p.shutdown();
    await broker?.stop();
  });

  it("reads a JSON path, a bare number and a raw string, and names a non-JSON payload as decode_error", async () => {
    pub("t1/ahu/supply", '{"temperature": 18.5, "fan": {"on": true}, "list": [1, 2]}', ["-r"]);
    pub("t1/zone/temp", "21.25", ["-r"]);
    pub("t1/zone/mode", "occupied", ["-r"]);
    pub("t1/bad", "not json {", ["-r"]);
    const { plugin } = await start({ url: broker.url, points: [{ topic: "t1/zone/temp", units: "°C" }] });
    const readings = await plugin.read([
      "mqtt:t1/ahu/supply#temperature",
      "mqtt:t1/ahu/supply#fan.on",
      "mqtt:t1/ahu/supply#list[1]",
      "mqtt:t1/zone/temp",
      "mqtt:t1/zone/mode",
      "mqtt:t1/bad#temperature",
      "mqtt:t1/ahu/supply#missing",
      "mqtt:t1/ahu/supply",
      "mqtt:t1/+/x",
    ]);
    expect(readings.map((r) => [r.value, r.quality, r.code])).toEqual([
      [18.5, "good", undefined],
      [true, "good", undefined],
      [2, "good", undefined],
      [21.25, "good", undefined],
      ["occupied", "good", undefined],
      [null, "bad", "decode_error"],
      [null, "bad", "decode_error"],
      [null, "bad", "decode_error"],
      [null, "bad", "invalid_ref"],
    ]);
    expect(readings[5]?.reason).toContain("not JSON");
    expect(readings[6]?.reason).toContain('no "missing"');
    expect(readings[7]?.reason).toContain("mqtt:<topic>#<path>");
    // Browsing: the topic tree seen so far, with last payloads and configured units.
    const roots = await plugin.browse();
    expect(roots.find((e) => e.name === "t1")?.kind).toBe("folder");
    const zone = await plugin.browse("t:t1/zone");
    const temp = zone.find((e) => e.ref === "mqtt:t1/zone/temp");
    expect(temp?.reading?.value).toBe(21.25);
    expect(temp?.units).toBe("°C");
    const fields = await plugin.browse("j:t1/ahu/supply");
    expect(fields.map((e) => e.ref)).toEqual(
      expect.arrayContaining([
        "mqtt:t1/ahu/supply#temperature",
        "mqtt:t1/ahu/supply#fan.on",
        "mqtt:t1/ahu/supply#list[0]",
      ]),
    );
  });

  it("publishes with QoS 1 (received by mosquitto_sub) and with retain", async () => {
    const { plugin } = await start({ url: broker.url });
    const listener = await sub("t2/cmd/#", 2);
    const outcomes = await plugin.write([
      { ref: "mqtt:t2/cmd/setpoint", value: 22.5, qos: 1 },
      { ref: "mqtt:t2/cmd/json#value.sp", value: 19, qos: 1 },
    ]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    await listener.waitFor(/t2\/cmd\/json/);
    const lines = listener
      .output()
      .split("\n")
      .filter((l) => /^\d \d t2\//.test(l));
    expect(lines).toEqual(
      expect.arrayContaining(["1 0 t2/cmd/setpoint 22.5", '1 0 t2/cmd/json {"value":{"sp":19}}']),
    );
    await listener.stop();

    expect(await plugin.write([{ ref: "mqtt:t2/retained", value: "auto", retain: true, qos: 2 }])).toEqual([
      { ok: true },
    ]);
    // A client arriving later gets it from the broker, flagged retained.
    const late = await sub("t2/retained", 1);
    await late.waitFor(/1 1 t2\/retained auto/);
    await late.stop();

    const refused = await plugin.write([
      { ref: "mqtt:t2/x", value: null },
      { ref: "mqtt:$SYS/broker/x", value: 1 },
      { ref: "mqtt:t2/+/x", value: 1 },
    ]);
    // A relinquish publishes nothing and succeeds (no priority array to release).
    expect(refused.map((o) => o.code ?? "ok")).toEqual(["ok", "write_denied", "invalid_ref"]);
  });

  it("pushes changes to subscribers", async () => {
    const { plugin } = await start({ url: broker.url });
    const changes: PointChange[] = [];
    const stop = plugin.subscribe(["mqtt:t3/a#v", "mqtt:t3/b"], (c) => changes.push(...c));
    await eventually(() => (plugin.health().detail?.subscriptions === 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 200));
    pub("t3/a", '{"v": 1.5}');
    pub("t3/b", "7");
    await eventually(() => (changes.length >= 2 ? true : undefined), 5_000);
    expect(changes.map((c) => [c.ref, c.reading.value])).toEqual([
      ["mqtt:t3/a#v", 1.5],
      ["mqtt:t3/b", 7],
    ]);
    stop();
    pub("t3/b", "8");
    await new Promise((r) => setTimeout(r, 300));
    expect(changes).toHaveLength(2);
  });

  it("turns a value uncertain after its max age, then bad (code stale), and pushes the transition", async () => {
    pub("t4/sensor", "5", ["-r"]);
    const { plugin, advance } = await start({
      url: broker.url,
      points: [{ topic: "t4/sensor", max_age_s: 60 }],
    });
    const first = await plugin.read(["mqtt:t4/sensor"]);
    expect(first[0]).toMatchObject({ value: 5, quality: "good" });
    const changes: PointChange[] = [];
    plugin.subscribe(["mqtt:t4/sensor"], (c) => changes.push(...c));
    advance(61_000);
    expect((await plugin.read(["mqtt:t4/sensor"]))[0]).toMatchObject({
      value: 5,
      quality: "uncertain",
      code: "stale",
    });
    await eventually(() => changes.find((c) => c.reading.quality === "uncertain"), 5_000);
    advance(60_000);
    expect((await plugin.read(["mqtt:t4/sensor"]))[0]).toMatchObject({ quality: "bad", code: "stale" });
    await eventually(() => changes.find((c) => c.reading.quality === "bad"), 5_000);
    // A fresh message makes it good again.
    pub("t4/sensor", "6");
    await eventually(async () => {
      const [r] = await plugin.read(["mqtt:t4/sensor"]);
      return r?.value === 6 ? r : undefined;
    }, 5_000);
  });

  it("reads a ChirpStack LoRaWAN uplink's object fields, timed by the network server", async () => {
    const topic = "application/7/device/0102030405060708/event/up";
    const time = new Date(Date.now() - 5_000).toISOString();
    const uplink = {
      deduplicationId: "3ac7e3c4-4401-4b8d-9386-a5c902f9202d",
      time,
      deviceInfo: { applicationId: "7", deviceName: "office-th-3", devEui: "0102030405060708" },
      fCnt: 10,
      fPort: 1,
      data: "AQIDBA==",
      object: { temperature: 22.3, humidity: 41, door: false },
      rxInfo: [{ gatewayId: "0016c001ff10a235", rssi: -57, snr: 10 }],
    };
    const { plugin } = await start({ url: broker.url, lorawan_applications: ["7"] });
    await eventually(() => (plugin.health().state === "ok" ? true : undefined));
    await new Promise((r) => setTimeout(r, 200));
    pub(topic, JSON.stringify(uplink));
    const readings = await eventually(async () => {
      const r = await plugin.read([
        `mqtt:${topic}#object.temperature`,
        `mqtt:${topic}#object.door`,
        `mqtt:${topic}#rxInfo[0].rssi`,
      ]);
      return r[0]?.quality === "good" ? r : undefined;
    }, 5_000);
    expect(readings.map((r) => r.value)).toEqual([22.3, false, -57]);
    expect(readings[0]?.timestamp).toBe(Date.parse(time));
    const device = await plugin.browse("t:application/7/device/0102030405060708/event");
    expect(device[0]).toMatchObject({ id: `j:${topic}`, kind: "device" });
    expect(device[0]?.description).toContain("office-th-3");
    const fields = await plugin.browse(`j:${topic}`);
    expect(fields.slice(0, 3).map((f) => f.ref)).toEqual([
      `mqtt:${topic}#object.temperature`,
      `mqtt:${topic}#object.humidity`,
      `mqtt:${topic}#object.door`,
    ]);
  });

  it("reconnects with backoff after the broker restarts, and resubscribes", async () => {
    const { plugin } = await start({ url: broker.url, reconnect_min_ms: 100, reconnect_max_ms: 1_000 });
    pub("t5/value", "1", ["-r"]);
    expect((await plugin.read(["mqtt:t5/value"]))[0]?.value).toBe(1);
    await broker.process().stop();
    await eventually(() => (plugin.health().state === "down" ? true : undefined), 10_000);
    const during = await plugin.read(["mqtt:t5/value"]);
    expect(during[0]).toMatchObject({ value: 1, quality: "uncertain", code: "unreachable" });
    expect((await plugin.write([{ ref: "mqtt:t5/cmd", value: 1 }]))[0]?.code).toBe("unreachable");
    await broker.restart();
    await eventually(() => (plugin.health().state === "ok" ? true : undefined), 15_000);
    expect(plugin.health().detail?.reconnects).toBeGreaterThan(0);
    // The broker lost everything (no persistence): only a resubscribed client sees the next message.
    await new Promise((r) => setTimeout(r, 300));
    pub("t5/value", "2");
    await eventually(
      async () => ((await plugin.read(["mqtt:t5/value"]))[0]?.value === 2 ? true : undefined),
      5_000,
    );
  });

  it("publishes its last will when the supervisor's process dies", async () => {
    const status = "t6/supervisor/status";
    const watcher = await sub(status, 2);
    const [cmd, args] = tsxArgs("apps/supervisor/test/mqtt-will-probe.ts", [broker.url, status]);
    const probe = await startProcess(cmd, args, { name: "will-probe", ready: /probe ok/ });
    await watcher.waitFor(/t6\/supervisor\/status online/);
    await probe.stop("SIGKILL");
    await watcher.waitFor(/t6\/supervisor\/status offline/, 15_000);
    await watcher.stop();
  });

  it("connects over TLS to a self-signed broker with credentials that never show", async () => {
    const tlsUrl = broker.tlsUrl ?? "";
    const good = await start(
      { url: tlsUrl, username: USER, password_env: "TEST_MQTT_PASSWORD", tls: { ca_file: certFile } },
      { TEST_MQTT_PASSWORD: PASSWORD },
    );
    expect(good.plugin.health().state).toBe("ok");
    pub("t7/secure", "3.5", ["-r"]);
    expect((await good.plugin.read(["mqtt:t7/secure"]))[0]?.value).toBe(3.5);
    // Credentials in the URL are taken out of it: health shows the bare URL.
    const inUrl = await start({
      url: tlsUrl.replace("mqtts://", `mqtts://${USER}:${PASSWORD}@`),
      tls: { ca_file: certFile },
    });
    expect(inUrl.plugin.health()).toMatchObject({ state: "ok", detail: { broker: tlsUrl } });

    const wrong = await start(
      { url: tlsUrl, username: USER, password: "wrong-password-xyz", tls: { ca_file: certFile } },
      {},
    );
    await eventually(() => (wrong.plugin.health().last_error ? true : undefined), 5_000);
    expect(wrong.plugin.health().state).toBe("down");
    const untrusted = await start({ url: tlsUrl, username: USER, password: PASSWORD });
    await eventually(() => (untrusted.plugin.health().last_error ? true : undefined), 5_000);
    expect(untrusted.plugin.health().state).toBe("down");
    expect(untrusted.plugin.health().last_error).toMatch(/certificate/i);
    for (const p of [good, inUrl, wrong, untrusted]) {
      const shown = JSON.stringify(p.plugin.health()) + p.logs.join("\n");
      expect(shown).not.toContain(PASSWORD);
      expect(shown).not.toContain("wrong-password-xyz");
    }
  });
});
