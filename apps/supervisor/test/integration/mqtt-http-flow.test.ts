import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { FlowConfigurationInput } from "@bms/schemas";
import {
  api,
  eventually,
  type Mosquitto,
  type RunningProcess,
  type SupervisorHandle,
  startMosquitto,
  startProcess,
  startSupervisor,
  tempDir,
  testFlow,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf } from "../fixtures";

// 127.0.42.0/24 is this task's range; 18832/18833 are this file's MQTT and HTTP ports, 47892 its BACnet port.
const HOST = "127.0.42.3";
const MQTT_PORT = 18832;
const HTTP_PORT = 18833;
const BACNET_PORT = 47892;
const WEATHER_TOKEN = "wx-token-5d8e2f71c9a4";

/** An MQTT sensor and an HTTP weather feed in, the difference published to MQTT: the "done when". */
function comfortFlow(): FlowConfigurationInput {
  return testFlow({
    name: "Zone vs outdoor",
    flowId: "8f1c2d3e-4b5a-4c6d-9e8f-0a1b2c3d4e5f",
    intervalMs: 300,
    nodes: [
      {
        id: "zone",
        type: "sensor_read",
        position: { x: 0, y: 0 },
        config: { point: "mqtt:site/zone1/sensor#temperature" },
      },
      {
        id: "outdoor",
        type: "sensor_read",
        position: { x: 0, y: 150 },
        config: { point: "http:weather/current.temperature_2m" },
      },
      { id: "delta", type: "math", position: { x: 250, y: 0 }, config: { expression: "a - b" } },
      {
        id: "publish",
        type: "actuator_write",
        position: { x: 500, y: 0 },
        config: { point: "mqtt:site/zone1/delta" },
      },
    ],
    connections: [
      { from_node: "zone", from_output: "value", to_node: "delta", to_input: "a" },
      { from_node: "outdoor", from_output: "value", to_node: "delta", to_input: "b" },
      { from_node: "delta", from_output: "result", to_node: "publish", to_input: "value" },
    ],
  });
}

describe("a deployed flow reads MQTT and HTTP and publishes to MQTT, in a real supervisor", () => {
  let broker: Mosquitto;
  let weather: Server;
  let sup: SupervisorHandle;
  let watcher: RunningProcess;
  const pub = (topic: string, message: string) =>
    execFileSync("mosquitto_pub", [
      "-h",
      HOST,
      "-p",
      String(MQTT_PORT),
      "-q",
      "1",
      "-r",
      "-t",
      topic,
      "-m",
      message,
    ]);

  beforeAll(async () => {
    broker = await startMosquitto({ host: HOST, port: MQTT_PORT });
    weather = createServer((req, res) => {
      const authorized = req.headers.authorization === `Bearer ${WEATHER_TOKEN}`;
      res.writeHead(authorized ? 200 : 401, {
        "content-type": "application/json",
        "cache-control": "max-age=1",
      });
      res.end(JSON.stringify(authorized ? { current: { temperature_2m: 12.5 } } : { error: "unauthorized" }));
    });
    await new Promise<void>((resolve) => weather.listen(HTTP_PORT, HOST, resolve));
    const dir = tempDir("mqtt-http-flow");
    const pluginsConfig = join(dir, "plugins.json");
    writeFileSync(
      pluginsConfig,
      JSON.stringify({
        mqtt: {
          points: [{ topic: "site/zone1/sensor", json_path: "temperature", units: "°C", max_age_s: 600 }],
        },
        http: {
          endpoints: [
            {
              name: "weather",
              url: `http://${HOST}:${HTTP_PORT}/v1/forecast`,
              interval_s: 1,
              bearer_token_env: "TEST_WEATHER_TOKEN",
            },
          ],
        },
      }),
    );
    pub("site/zone1/sensor", JSON.stringify({ temperature: 21.5, battery: 98 }));
    watcher = await startProcess(
      "stdbuf",
      [
        "-oL",
        "mosquitto_sub",
        "-h",
        HOST,
        "-p",
        String(MQTT_PORT),
        "-d",
        "-q",
        "1",
        "-t",
        "site/zone1/delta",
        "-F",
        "%t %p",
      ],
      { name: "mosquitto_sub", ready: /received SUBACK/ },
    );
    sup = await startSupervisor({
      bacnetBind: HOST,
      bacnetPort: BACNET_PORT,
      broadcast: `127.255.255.255:${BACNET_PORT + 1}`,
      extraArgs: ["--mqtt-url", broker.url, "--plugins-config", pluginsConfig],
      env: { TEST_WEATHER_TOKEN: WEATHER_TOKEN },
    });
  });

  afterAll(async () => {
    await watcher?.stop();
    await sup?.stop();
    await broker?.stop();
    await new Promise((r) => weather?.close(r));
  });

  it("publishes zone minus outdoor temperature, and follows the sensor", async () => {
    const deploy = await api(sup.url, "/api/config/deploy", {
      body: packageOf(comfortFlow(), "MQTT and HTTP"),
      token: sup.token,
    });
    expect(deploy.status).toBe(200);
    await watcher.waitFor(/site\/zone1\/delta 9\b/, 20_000);
    pub("site/zone1/sensor", JSON.stringify({ temperature: 23, battery: 97 }));
    await watcher.waitFor(/site\/zone1\/delta 10\.5\b/, 20_000);
    const state = await eventually(async () => {
      const { body } = await api<{ node_statuses: { node_id: string; output_values: unknown }[] }>(
        sup.url,
        "/api/execution/state",
      );
      const zone = body.node_statuses.find((s) => s.node_id === "zone");
      return JSON.stringify(zone?.output_values ?? "").includes("23") ? body : undefined;
    });
    const outdoor = state.node_statuses.find((s) => s.node_id === "outdoor")?.output_values as {
      value: { value: number; quality: string };
    };
    expect(outdoor.value).toMatchObject({ value: 12.5, quality: "good" });
    // The supervisor's log never holds the weather token.
    expect(sup.output()).not.toContain(WEATHER_TOKEN);
  });
});
