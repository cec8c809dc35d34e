import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import {
  type Mosquitto,
  type SimulatorHandle,
  type SupervisorHandle,
  startMosquitto,
  startSimulator,
  startSupervisor,
  tempDir,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser } from "./support/browser";
import { selectNode } from "./support/canvas";
import { type DesignerHandle, startDesigner } from "./support/designer";
import { createProjectInUi } from "./support/projects";

/**
 * The device browser's Modbus, MQTT and HTTP tabs in real Chromium, against a real supervisor with the
 * simulator's Modbus TCP face, a real mosquitto and a local HTTP server: each tab shows live values, a
 * Modbus register and an MQTT topic dragged onto the canvas deploy and show their values live.
 * Addresses: 127.0.52.0/24 (the simulator's devices from .100 up).
 */
const SIM_BIND = "127.0.52.100";
const SIM_PORT = 47850;
const SUP = { address: "127.0.52.7", port: 47851 };
const MODBUS = { host: "127.0.52.5", port: 15040 };
const MQTT = { host: "127.0.52.6", port: 18870 };
const WEATHER = { host: "127.0.52.6", port: 18871 };

describe("the device browser's plugin tabs", () => {
  let sim: SimulatorHandle;
  let broker: Mosquitto;
  let weather: Server;
  let sup: SupervisorHandle;
  let designer: DesignerHandle;
  let browser: BrowserSession;
  let publisher: ReturnType<typeof setInterval> | undefined;
  let reading = 20;

  const publish = (topic: string, message: string) =>
    new Promise<void>((resolve, reject) =>
      execFile(
        "mosquitto_pub",
        ["-h", MQTT.host, "-p", String(MQTT.port), "-q", "1", "-r", "-t", topic, "-m", message],
        (error) => (error ? reject(error) : resolve()),
      ),
    );

  beforeAll(async () => {
    sim = await startSimulator({
      site: "demo",
      bind: SIM_BIND,
      port: SIM_PORT,
      extraArgs: ["--modbus-port", String(MODBUS.port), "--modbus-bind", MODBUS.host],
    });
    broker = await startMosquitto({ host: MQTT.host, port: MQTT.port });
    weather = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=1" });
      res.end(JSON.stringify({ current: { temperature_2m: 12.5, wind_speed_10m: 3.25 }, source: "test" }));
    });
    await new Promise<void>((resolve) => weather.listen(WEATHER.port, WEATHER.host, resolve));
    // A bare-number sensor topic that changes every second, and a JSON one.
    await publish("site/zone1/temp", String(reading));
    await publish("site/ahu1/status", JSON.stringify({ fan: true, supply_temp: 14.5 }));
    publisher = setInterval(() => {
      reading = reading >= 25 ? 20 : reading + 1;
      void publish("site/zone1/temp", String(reading)).catch(() => undefined);
    }, 1000);

    const dir = tempDir("designer-plugins");
    const pluginsConfig = join(dir, "plugins.json");
    writeFileSync(
      pluginsConfig,
      JSON.stringify({
        modbus: {
          devices: [
            { name: "Main meter", ...MODBUS, unit: 1, profile: "bms-sim-meter" },
            { name: "CHWP-1 VFD", ...MODBUS, unit: 11, profile: "bms-sim-vfd" },
          ],
        },
        mqtt: { subscribe: ["site/#"] },
        http: {
          endpoints: [
            { name: "weather", url: `http://${WEATHER.host}:${WEATHER.port}/v1/forecast`, interval_s: 1 },
          ],
        },
      }),
    );
    sup = await startSupervisor({
      bacnetBind: SUP.address,
      bacnetPort: SUP.port,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      extraArgs: ["--mqtt-url", `mqtt://${MQTT.host}:${MQTT.port}`, "--plugins-config", pluginsConfig],
    });
    designer = await startDesigner({ supervisorUrl: sup.url, supervisorToken: sup.token });
    browser = await openBrowser();
  });

  afterAll(async () => {
    if (publisher) clearInterval(publisher);
    await browser?.close();
    await designer?.stop();
    await sup?.stop();
    await new Promise<void>((resolve) => (weather ? weather.close(() => resolve()) : resolve()));
    await broker?.stop();
    await sim?.stop();
  });

  const page = () => browser.page;
  const canvas = () => page().getByTestId("flow-canvas");
  const pointRow = (protocol: string, ref: string) =>
    page().locator(`[data-testid="${protocol}-point"][data-ref="${ref}"]`);
  const shownValue = async (protocol: string, ref: string) =>
    (await pointRow(protocol, ref).getByTestId(`${protocol}-point-value`).textContent())?.trim() ?? "";

  const DEMAND = `modbus:${MODBUS.host}:${MODBUS.port}:1/input_register:0`;
  const SPEED_CMD = `modbus:${MODBUS.host}:${MODBUS.port}:11/holding_register:0`;
  const ZONE_TEMP = "mqtt:site/zone1/temp";

  it("shows the Modbus devices and their profile registers with live values", async () => {
    await createProjectInUi(page(), designer.url, "Plugin browser");
    await page().getByTestId("side-tab-modbus").click();
    const meter = page().getByTestId("modbus-toggle").filter({ hasText: "Main meter" });
    await meter.waitFor({ timeout: 15_000 });
    await meter.click();
    await pointRow("modbus", DEMAND).waitFor({ timeout: 15_000 });
    expect(await pointRow("modbus", DEMAND).textContent()).toMatch(/Demand/);
    // The meter's demand arrives over Modbus TCP, as a float32 in kW, and keeps arriving.
    await expect.poll(() => shownValue("modbus", DEMAND), { timeout: 15_000 }).toMatch(/^\d+(\.\d+)? kW$/);
    expect(
      await pointRow("modbus", DEMAND).getByTestId("modbus-point-value").getAttribute("data-quality"),
    ).toBe("good");
    await page().getByTestId("modbus-toggle").filter({ hasText: "CHWP-1 VFD" }).click();
    await pointRow("modbus", SPEED_CMD).waitFor({ timeout: 15_000 });
    await expect.poll(() => shownValue("modbus", SPEED_CMD), { timeout: 15_000 }).toMatch(/^\d+(\.\d+)? %$/);
  });

  it("drags a Modbus register onto the canvas: a Sensor Read, and a writable one an Actuator Write", async () => {
    await pointRow("modbus", DEMAND).dragTo(canvas(), { targetPosition: { x: 160, y: 140 } });
    await page().getByTestId("flow-node-sensor_read_1").waitFor();
    expect(await page().getByTestId("node-title-sensor_read_1").textContent()).toBe("Demand");

    await pointRow("modbus", SPEED_CMD)
      .locator("div")
      .first()
      .dragTo(canvas(), {
        targetPosition: { x: 560, y: 140 },
      });
    await page().getByTestId("flow-node-actuator_write_1").waitFor();
    await selectNode(page(), "actuator_write_1");
    expect(await page().getByTestId("field-point").inputValue()).toBe(SPEED_CMD);
    // Not wired in this flow: removed again, so the flow deploys with reads only.
    await page().keyboard.press("Delete");
    await page().getByTestId("flow-node-actuator_write_1").waitFor({ state: "detached" });
  });

  it("shows the broker's topic tree with live payloads and drags a topic onto the canvas", async () => {
    await page().getByTestId("side-tab-mqtt").click();
    const site = page().getByTestId("mqtt-toggle").filter({ hasText: "site" });
    await site.waitFor({ timeout: 15_000 });
    await site.click();
    await page().getByTestId("mqtt-toggle").filter({ hasText: "zone1" }).click();
    await pointRow("mqtt", ZONE_TEMP).waitFor({ timeout: 10_000 });
    // A bare number payload, republished every second with a new value: the row follows it.
    await expect.poll(() => shownValue("mqtt", ZONE_TEMP), { timeout: 10_000 }).toMatch(/^\d+$/);
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          seen.add(await shownValue("mqtt", ZONE_TEMP));
          return seen.size;
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBeGreaterThan(1);
    // A JSON payload opens into its fields, each a point.
    await page().getByTestId("mqtt-toggle").filter({ hasText: "ahu1" }).click();
    await page().getByTestId("mqtt-toggle").filter({ hasText: "status" }).click();
    const supply = "mqtt:site/ahu1/status#supply_temp";
    await expect.poll(() => shownValue("mqtt", supply), { timeout: 10_000 }).toBe("14.5");

    // Topics can be published to, but the row reads; its `write` handle makes an Actuator Write.
    await pointRow("mqtt", ZONE_TEMP).dragTo(canvas(), { targetPosition: { x: 160, y: 320 } });
    await page().getByTestId("flow-node-sensor_read_2").waitFor();
    expect(await page().getByTestId("node-title-sensor_read_2").textContent()).toBe("temp");
    expect(await pointRow("mqtt", ZONE_TEMP).getByTestId("mqtt-point-write-handle").count()).toBe(1);
  });

  it("tests an HTTP endpoint: its JSON and the value at a JSON path", async () => {
    await page().getByTestId("side-tab-http").click();
    const endpoint = page().getByTestId("http-toggle").filter({ hasText: "weather" });
    await endpoint.waitFor({ timeout: 15_000 });
    await endpoint.click();
    await expect
      .poll(() => shownValue("http", "http:weather/current.temperature_2m"), { timeout: 15_000 })
      .toBe("12.5");
    await page().getByTestId("http-tester-endpoint").selectOption("weather");
    await page().getByTestId("http-tester-path").fill("current.wind_speed_10m");
    await page().getByTestId("http-tester-run").click();
    await expect
      .poll(() => page().getByTestId("http-tester-value").textContent(), { timeout: 10_000 })
      .toMatch(/http:weather\/current\.wind_speed_10m = 3\.25 \(good\)/);
    const json = JSON.parse((await page().getByTestId("http-tester-json").textContent()) ?? "{}");
    expect(json).toMatchObject({
      "current.temperature_2m": 12.5,
      "current.wind_speed_10m": 3.25,
      source: "test",
    });
  });

  it("deploys the dragged points and shows their values live on the canvas", async () => {
    await page().getByTestId("deploy-button").click();
    const outcome = page().getByTestId("deploy-outcome-default");
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.getAttribute("data-ok"), (await outcome.textContent()) ?? "").toBe("true");
    await expect
      .poll(() => page().getByTestId("node-value-sensor_read_1-value").textContent(), { timeout: 20_000 })
      .toMatch(/^\d+(\.\d+)?/);
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const text = (await page().getByTestId("node-value-sensor_read_2-value").textContent()) ?? "";
          if (/^\d+/.test(text)) seen.add(text);
          return seen.size;
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBeGreaterThan(1);
  });
});
