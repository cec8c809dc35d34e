import { arch, cpus, platform, totalmem } from "node:os";
import { buildDeploymentPackage } from "@bms/schemas";
import { api, eventually, testFlow } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf, skeletonFlow } from "../test/fixtures";
import { type BrowserSession, openBrowser } from "./support/browser";
import { COOLING_CMD, openView, plotted, ZONE_TEMP } from "./support/dashboard";
import { screenshot } from "./support/screenshots";
import { type DashboardStack, DEPLOYED_BY, startStack } from "./support/stack";

/** How the dashboard writes a machine's RAM (format.ts bytes()). */
function gib(n: number): string {
  const g = n / 1024 ** 3;
  return `${g >= 100 ? Math.round(g) : g.toFixed(1)} GB`;
}

// Own loopback address and ports: other suites run their own simulators.
const SIM_BIND = "127.0.0.60";
const SIM_PORT = 47850;
const SUPERVISOR_BACNET_PORT = 47851;

describe("supervisor dashboard against a supervisor running the skeleton flow on the simulator", () => {
  let stack: DashboardStack;
  let browser: BrowserSession;
  let base: string;
  let admin: string;

  beforeAll(async () => {
    stack = await startStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorBacnetPort: SUPERVISOR_BACNET_PORT,
    });
    base = stack.sup.url;
    admin = stack.sup.token;
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("is served at / as a small static bundle", async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    const script = html.match(/src="(\/assets\/app-[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${base}${script}`, { headers: { "accept-encoding": "gzip" } });
    expect(js.status).toBe(200);
    expect(js.headers.get("content-encoding")).toBe("gzip");
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect((await js.arrayBuffer()).byteLength).toBeLessThan(300 * 1024);
  });

  it("shows the flow running on the overview", async () => {
    const { page } = browser;
    await openView(page, base, "overview", admin);
    await expect.poll(() => page.getByTestId("flow-status").textContent()).toBe("Running");
    expect(await page.getByTestId("flow-name").textContent()).toBe("Zone cooling");
    expect(await page.getByTestId("flow-deployed-by").textContent()).toBe(DEPLOYED_BY);
    expect(await page.getByTestId("flow-version").textContent()).toBe("1.0.0 (config v1)");
    await expect.poll(() => page.getByTestId("last-scan").textContent()).toMatch(/^\d+ s ago$/);
    expect(await page.getByTestId("devices-online").textContent()).toBe("1 online");
    expect(await page.getByTestId("errors-15m").textContent()).toBe("0");
    expect(await page.getByTestId("supervisor-version").textContent()).toMatch(/^\d+\.\d+\.\d+/);
    // CPU is measured between two metric polls (5 s apart).
    await expect
      .poll(() => page.getByTestId("cpu").textContent(), { timeout: 15_000 })
      .toMatch(/% of a core/);
    await expect.poll(() => page.getByTestId("header-status").textContent()).toContain("Zone cooling");
    expect(await page.getByTestId("memory").textContent()).toMatch(/^[\d.]+ MB in use \([\d.]+ % of RAM\)$/);
    expect(await page.getByTestId("cpu").textContent()).toMatch(/% of a core \([\d.]+ % of the machine\)$/);
  });

  it("shows the whole machine's CPU, load and memory beside the supervisor's own", async () => {
    const { page } = browser;
    await openView(page, base, "overview", admin);
    const { body: m } = await api<{
      memory: { rss_bytes: number; heap_used_bytes: number };
      cpu: { user_us: number; load_avg_1m: number };
      system: {
        cpu: { count: number; load_avg_1m: number; load_avg_15m: number; idle_ms: number; total_ms: number };
        memory: { total_bytes: number; free_bytes: number; used_bytes: number };
      };
    }>(base, "/api/monitoring/metrics");
    // The process fields stay as they were; the machine's come beside them.
    expect(m.memory.rss_bytes).toBeGreaterThan(0);
    expect(m.cpu.load_avg_1m).toBeGreaterThanOrEqual(0);
    expect(m.system.cpu.count).toBe(cpus().length);
    expect(m.system.cpu.total_ms).toBeGreaterThan(m.system.cpu.idle_ms);
    expect(m.system.memory.total_bytes).toBe(totalmem());
    expect(m.system.memory.used_bytes + m.system.memory.free_bytes).toBe(m.system.memory.total_bytes);
    expect(m.system.memory.used_bytes).toBeGreaterThan(m.memory.rss_bytes);

    const cores = cpus().length;
    expect(await page.getByTestId("system-device").textContent()).toBe(
      `${platform()} ${arch()}, ${cores} ${cores === 1 ? "core" : "cores"}`,
    );
    expect(await page.getByTestId("system-load").textContent()).toMatch(
      /^\d+\.\d\d · \d+\.\d\d · \d+\.\d\d \(\d+\.\d\d per core\)$/,
    );
    const memory = await page.getByTestId("system-memory").textContent();
    expect(memory).toMatch(/^[\d.]+ [MGT]B used of [\d.]+ [MGT]B, [\d.]+ [KMGT]B free$/);
    expect(memory).toContain(`of ${gib(totalmem())}`);
    const share = Number(await page.getByTestId("system-memory-meter").getAttribute("data-share"));
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(1);
    expect(await page.getByTestId("system-supervisor-share").textContent()).toMatch(
      /^[\d.]+ MB \([\d.]+ % of RAM, [\d.]+ % of the used\)$/,
    );
    expect(await page.getByTestId("system-uptime").textContent()).toMatch(/\d/);
    // The busy share needs two polls of the cores' counters, 5 s apart.
    await expect
      .poll(() => page.getByTestId("system-cpu").textContent(), { timeout: 15_000 })
      .toMatch(/^[\d.]+ % busy$/);
    const busy = Number(await page.getByTestId("system-cpu-meter").getAttribute("data-share"));
    expect(busy).toBeGreaterThanOrEqual(0);
    expect(busy).toBeLessThanOrEqual(1);
    await screenshot(page, "overview");
  });

  it("lists the flow's points and refreshes their values every 2 s", async () => {
    const { page } = browser;
    await openView(page, base, "points", admin);
    const zone = page.locator(`[data-testid="point-row"][data-ref="${ZONE_TEMP}"]`);
    const cooling = page.locator(`[data-testid="point-row"][data-ref="${COOLING_CMD}"]`);
    await zone.waitFor();
    await cooling.waitFor();
    // Name and units come from the device's objects, read once through the supervisor.
    await expect.poll(() => zone.locator("td").first().textContent()).toBe("Zone Temp");
    await expect.poll(() => zone.getByTestId("point-value").textContent()).toMatch(/^-?\d+(\.\d+)? °C$/);
    expect(await zone.textContent()).toContain("Read by flow");
    expect(await cooling.textContent()).toContain("Commanded by flow");
    expect(await cooling.getByTestId("point-value").textContent()).toMatch(/^(On|Off)$/);

    const firstAt = Number(await zone.getByTestId("point-age").getAttribute("data-at"));
    const firstValue = await zone.getByTestId("point-value").textContent();
    // The simulated zone temperature drifts every scan: a new timestamp and, soon, a new value.
    await expect
      .poll(async () => Number(await zone.getByTestId("point-age").getAttribute("data-at")), {
        timeout: 10_000,
      })
      .toBeGreaterThan(firstAt);
    await expect
      .poll(() => zone.getByTestId("point-value").textContent(), { timeout: 15_000 })
      .not.toBe(firstValue);
    const shown = Number.parseFloat((await zone.getByTestId("point-value").textContent()) ?? "");
    expect(shown).toBeGreaterThan(15);
    expect(shown).toBeLessThan(31);

    await page.getByTestId("points-search").fill("cool");
    await expect.poll(() => page.getByTestId("point-row").count()).toBe(1);
    await page.getByTestId("points-search").fill("");
    await expect.poll(() => page.getByTestId("point-row").count()).toBe(2);
    await screenshot(page, "points");
  });

  it("adds a point to the watch list and shows its value, then removes it", async () => {
    const { page } = browser;
    await openView(page, base, "points", admin);
    await page.getByTestId("watch-add-ref").fill("bacnet:1001/analogValue:1");
    await page.getByTestId("watch-add").click();
    const row = page.locator('[data-testid="point-row"][data-ref="bacnet:1001/analogValue:1.presentValue"]');
    await row.waitFor();
    expect(await row.textContent()).toContain("Watch list");
    // The watch poller reads it every 5 s; the setpoint rests at its relinquish default, 24 °C.
    await expect.poll(() => row.getByTestId("point-value").textContent(), { timeout: 20_000 }).toBe("24 °C");
    expect(await row.locator("td").first().textContent()).toBe("Zone Temp Setpoint");
    await row.getByTestId("watch-remove").click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await api<{ points: string[] }>(base, "/api/data/watch")).body.points).toEqual([]);
  });

  it("charts the last 15 minutes from the recorded history, and zooms out to 24 h", async () => {
    const { page } = browser;
    await openView(page, base, "history", admin);
    await page.locator(`[data-testid="history-pick"][data-ref="${COOLING_CMD}"]`).check();
    const chart = await eventually(async () => {
      const c = await plotted(page, ZONE_TEMP);
      return c && c.data[0]!.length >= 5 ? c : undefined;
    }, 30_000);
    expect(chart.to - chart.from).toBeGreaterThanOrEqual(15 * 60_000 - 1000);
    expect(chart.to - chart.from).toBeLessThanOrEqual(15 * 60_000 + 1000);
    // The plotted numbers are the supervisor's history for that window, bucket for bucket.
    const { body } = await api<{ series: { samples: { t: number; avg: number | null }[] }[] }>(
      base,
      `/api/data/timeseries?points=${ZONE_TEMP}&from=${chart.from}&to=${chart.to}&bucket=${chart.bucket_ms}`,
    );
    const stored = body.series[0]!.samples;
    const [xs, avgs] = chart.data as [number[], (number | null)[]];
    // A sample flushed after the page asked may extend the stored series by one bucket; never differ before.
    expect(stored.length).toBeGreaterThanOrEqual(xs.length);
    const aligned = stored.slice(0, xs.length);
    expect(xs).toEqual(aligned.map((s) => s.t / 1000));
    expect(avgs.slice(0, -1)).toEqual(aligned.slice(0, -1).map((s) => s.avg));
    for (const v of avgs) {
      expect(v).not.toBeNull();
      expect(v!).toBeGreaterThan(15);
      expect(v!).toBeLessThan(31);
    }
    const canvas = page.locator(`[data-testid="history-chart"][data-point="${ZONE_TEMP}"] canvas`);
    expect((await canvas.boundingBox())?.width).toBeGreaterThan(200);
    const cooling = await eventually(() => plotted(page, COOLING_CMD), 15_000);
    expect(cooling.data[1]!.every((v) => v === null || v === 0 || v === 1)).toBe(true);
    await screenshot(page, "history");

    await page.getByTestId("range-24h").click();
    const day = await eventually(async () => {
      const c = await plotted(page, ZONE_TEMP);
      return c && c.to - c.from > 23 * 3_600_000 ? c : undefined;
    });
    // Bucketed on the server: a day never comes as one sample per second.
    expect(day.bucket_ms).toBeGreaterThan(1000);
    expect(day.data[0]!.length).toBeGreaterThan(0);
    expect(day.data[0]!.length).toBeLessThanOrEqual(1500);
  });

  it("draws the deployed flow with live node states and values", async () => {
    const { page } = browser;
    await openView(page, base, "execution", admin);
    for (const id of ["temp", "hot", "cool"]) {
      await expect
        .poll(() => page.getByTestId(`exec-node-${id}`).getAttribute("data-status"))
        .toBe("completed");
      expect(await page.getByTestId(`exec-status-${id}`).textContent()).toBe("completed");
    }
    expect(await page.locator('[data-testid^="exec-edge-"]').count()).toBe(2);
    // A straight edge has no height, so "attached" rather than "visible".
    await page.getByTestId("exec-edge-temp-hot").waitFor({ state: "attached" });
    await page.getByTestId("exec-edge-hot-cool").waitFor({ state: "attached" });
    const temp = page.getByTestId("exec-value-temp-value");
    await temp.waitFor();
    const first = await temp.getAttribute("data-value");
    expect(Number.parseFloat(first ?? "")).toBeGreaterThan(15);
    await expect.poll(() => temp.getAttribute("data-value"), { timeout: 15_000 }).not.toBe(first);
    expect(await page.getByTestId("exec-value-hot-result").getAttribute("data-value")).toMatch(/^(On|Off)$/);
    // Nodes sit where the Designer put them (x 0 / 250 / 500): left to right on screen.
    const boxes = await Promise.all(
      ["temp", "hot", "cool"].map((id) => page.getByTestId(`exec-node-${id}`).boundingBox()),
    );
    expect(boxes[0]!.x).toBeLessThan(boxes[1]!.x);
    expect(boxes[1]!.x).toBeLessThan(boxes[2]!.x);
    await page.getByTestId("exec-node-hot").click();
    await expect.poll(() => page.getByTestId("node-details").textContent()).toContain("Inputs");
    expect(await page.getByTestId("log-entry").count()).toBeGreaterThan(0);
    await screenshot(page, "execution");
  });

  it("zooms the execution picture with the wheel and a pinch, pans it by dragging, and fits it again", async () => {
    const { page } = browser;
    await openView(page, base, "execution", admin);
    const picture = page.getByTestId("flow-picture");
    const hot = page.getByTestId("exec-node-hot");
    await hot.waitFor();
    const zoom = async () => Number(await picture.getAttribute("data-zoom"));
    const fitView = await picture.getAttribute("viewBox");
    const fitted = (await hot.boundingBox())!;
    expect(await page.getByTestId("picture-zoom").textContent()).toBe("100 %");
    expect(await page.getByTestId("picture-fit").isDisabled()).toBe(true);

    // The wheel over the threshold node zooms in around the cursor: the node grows where it is.
    const cx = fitted.x + fitted.width / 2;
    const cy = fitted.y + fitted.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, -300);
    await expect.poll(zoom).toBeGreaterThan(150);
    const zoomed = (await hot.boundingBox())!;
    expect(zoomed.width).toBeGreaterThan(fitted.width * 1.5);
    expect(Math.abs(zoomed.x + zoomed.width / 2 - cx)).toBeLessThan(3);
    expect(Math.abs(zoomed.y + zoomed.height / 2 - cy)).toBeLessThan(3);
    expect(await page.getByTestId("picture-zoom").textContent()).toBe(`${await zoom()} %`);

    // A drag that starts on a node pans the picture and does not open the node.
    await page.mouse.down();
    await page.mouse.move(cx - 120, cy - 30, { steps: 8 });
    await page.mouse.up();
    const panned = (await hot.boundingBox())!;
    expect(panned.x - zoomed.x).toBeCloseTo(-120, -0.5);
    expect(panned.y - zoomed.y).toBeCloseTo(-30, -0.5);
    expect(panned.width).toBeCloseTo(zoomed.width, 0);
    expect(await page.getByTestId("node-details").count()).toBe(0);
    // A plain click still opens it.
    await hot.click();
    await page.getByTestId("node-details").waitFor();
    await hot.click();
    await expect.poll(() => page.getByTestId("node-details").count()).toBe(0);

    await page.getByTestId("picture-fit").click();
    await expect.poll(() => picture.getAttribute("viewBox")).toBe(fitView);
    expect(await hot.boundingBox()).toEqual(fitted);
    expect(await page.getByTestId("picture-fit").isDisabled()).toBe(true);

    // Two fingers spreading from 80 to 160 px apart zoom to twice the size, as on a tablet.
    const cdp = await browser.context.newCDPSession(page);
    try {
      await cdp.send("Emulation.setTouchEmulationEnabled", { enabled: true, maxTouchPoints: 5 });
      const box = (await picture.boundingBox())!;
      const mx = box.x + box.width / 2;
      const my = box.y + box.height / 2;
      const fingers = (type: "touchStart" | "touchMove" | "touchEnd", half: number) =>
        cdp.send("Input.dispatchTouchEvent", {
          type,
          touchPoints:
            type === "touchEnd"
              ? []
              : [
                  { x: mx - half, y: my, id: 1 },
                  { x: mx + half, y: my, id: 2 },
                ],
        });
      await fingers("touchStart", 40);
      for (const half of [50, 60, 70, 80]) await fingers("touchMove", half);
      await fingers("touchEnd", 0);
      await expect.poll(zoom).toBeGreaterThanOrEqual(195);
      expect(await zoom()).toBeLessThanOrEqual(205);
    } finally {
      await cdp.send("Emulation.setTouchEmulationEnabled", { enabled: false }).catch(() => undefined);
      await cdp.detach().catch(() => undefined);
    }

    // The buttons, for a mouse without a wheel or a finger that prefers to tap.
    await page.getByTestId("picture-zoom-out").click();
    await expect.poll(zoom).toBeLessThan(195);
    await page.getByTestId("picture-fit").click();
    await expect.poll(() => picture.getAttribute("viewBox")).toBe(fitView);
    await page.getByTestId("picture-zoom-in").click();
    await expect.poll(zoom).toBe(140);
    await page.getByTestId("picture-fit").click();
    await expect.poll(zoom).toBe(100);
  });

  it("lists the devices and runs a discovery with the admin token", async () => {
    const { page } = browser;
    await openView(page, base, "devices", admin);
    const row = page.locator('[data-testid="device-row"][data-device="1001"]');
    await row.waitFor();
    expect(await row.getByTestId("device-status").textContent()).toBe("online");
    expect(await row.textContent()).toContain("Skeleton Controller");
    // The protocol plugins' health above the devices: BACnet, talking to the simulated controller.
    const bacnet = page.locator('[data-testid="plugin-row"][data-protocol="bacnet"]');
    await bacnet.waitFor();
    expect(await bacnet.getByTestId("plugin-state").textContent()).toBe("ok");
    expect(await bacnet.textContent()).toContain("@bms/bacnet-ip");
    expect(await bacnet.textContent()).toMatch(/\d+ (s|min) ago/);
    const before = await api<{ last_scan: string }>(base, "/api/devices/discovery");
    await page.getByTestId("discover").click();
    await eventually(async () => {
      const { body } = await api<{ last_scan: string; scan_status: string }>(base, "/api/devices/discovery");
      return body.last_scan !== before.body.last_scan && body.scan_status === "complete" ? true : undefined;
    });
    await expect
      .poll(() => page.getByTestId("discovery-status").textContent(), { timeout: 10_000 })
      .toMatch(/Last discovery \d+ s ago/);
    expect(await page.getByTestId("discover-error").count()).toBe(0);
    await screenshot(page, "devices");
  });

  it("shows the access rules and who is signed in", async () => {
    const { page } = browser;
    await openView(page, base, "access", admin);
    await expect
      .poll(() => page.getByTestId("access-reads").textContent())
      .toBe("Open to anyone who reaches this address (--public-read)");
    await expect
      .poll(() => page.getByTestId("access-identity").textContent())
      .toBe("Signed in as bootstrap admin (admin)");
    expect(await page.getByTestId("signed-in-name").textContent()).toBe("bootstrap admin (admin)");
  });

  it("shows a latched alarm and acknowledges it from the execution view", async () => {
    // A flow whose alarm is always on: zone temperature above 0 °C, latched until acknowledged.
    const pkg = buildDeploymentPackage({
      project_id: "skeleton",
      project_name: "Skeleton",
      configuration: testFlow({
        name: "Zone alarm",
        nodes: [
          {
            id: "temp",
            type: "sensor_read",
            position: { x: 0, y: 0 },
            config: { point: "bacnet:1001/analogInput:1" },
          },
          { id: "warm", type: "threshold", position: { x: 250, y: 0 }, config: { operator: ">", value: 0 } },
          {
            id: "alarm",
            type: "alert",
            position: { x: 500, y: 0 },
            config: {
              message: "Zone temperature $value above limit",
              priority: "high",
              mode: "latched",
              key: "zone-high",
            },
          },
        ],
        connections: [
          { from_node: "temp", from_output: "value", to_node: "warm", to_input: "value" },
          { from_node: "warm", from_output: "result", to_node: "alarm", to_input: "condition" },
          { from_node: "temp", from_output: "value", to_node: "alarm", to_input: "value" },
        ],
      }),
      bacnet_objects: [],
      created_at: new Date().toISOString(),
    });
    const deploy = await api(base, "/api/config/deploy", { body: pkg, token: admin });
    expect(deploy.status).toBe(200);

    const { page } = browser;
    await openView(page, base, "access", admin);
    await page.locator("#operator-name").fill("Night shift");
    await page.getByRole("button", { name: "Save name" }).click();
    await openView(page, base, "execution", admin);
    const alert = page.locator('[data-testid="alert"][data-key="zone-high"]');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.getAttribute("data-state")).toBe("active");
    expect(await alert.textContent()).toMatch(/Zone temperature [\d.]+ above limit/);
    await expect
      .poll(() => page.getByTestId("exec-node-alarm").getAttribute("data-status"))
      .toBe("completed");
    await screenshot(page, "alarm");

    // The acknowledgement is a form (an optional comment), confirmed by its own button.
    await alert.getByTestId("alert-ack").click();
    await alert.getByTestId("alert-ack-confirm").click();
    await expect.poll(() => alert.getAttribute("data-state")).toBe("acknowledged");
    expect(await alert.getByTestId("alert-ack").count()).toBe(0);
    const { body } = await api<{ alerts: { key: string; state: string; acked_by: string }[] }>(
      base,
      "/api/alerts",
    );
    expect(body.alerts.find((a) => a.key === "zone-high")).toMatchObject({
      state: "acknowledged",
      acked_by: "Night shift",
    });
  });

  it("offers the values a log node records in the History picker and charts them", async () => {
    // The skeleton flow plus a Data Logger recording the zone temperature in °C and in °F every scan.
    const flow = skeletonFlow({ limit: 24.5, name: "Zone cooling, logged" });
    flow.nodes.push({
      id: "logger",
      type: "log",
      label: "Zone logger",
      position: { x: 250, y: 160 },
      config: { data: { zone_c: "a", zone_f: "a * 9 / 5 + 32" } },
    });
    flow.connections.push({ from_node: "temp", from_output: "value", to_node: "logger", to_input: "a" });
    const deploy = await api(base, "/api/config/deploy", { body: packageOf(flow), token: admin });
    expect(deploy.status).toBe(200);
    // Stored under log:<name>, and so listed by /api/data/latest, where the picker finds them.
    await eventually(async () => {
      const { body } = await api<{ values: { point: string }[] }>(base, "/api/data/latest");
      const points = body.values.map((v) => v.point);
      return points.includes("log:zone_c") && points.includes("log:zone_f") ? true : undefined;
    }, 20_000);

    const { page } = browser;
    await openView(page, base, "history", admin);
    const pickF = page.locator('[data-testid="history-pick"][data-ref="log:zone_f"]');
    await pickF.waitFor({ timeout: 20_000 });
    const logged = page.getByTestId("history-logged");
    expect(await logged.textContent()).toContain("zone_c");
    expect(await logged.textContent()).toContain("logged by Zone logger (logger)");
    await pickF.check();
    await page.locator('[data-testid="history-pick"][data-ref="log:zone_c"]').check();

    const chart = await eventually(async () => {
      const c = await plotted(page, "log:zone_f");
      return c && c.data[1]!.filter((v) => v !== null).length >= 3 ? c : undefined;
    }, 30_000);
    expect(chart.to - chart.from).toBeGreaterThanOrEqual(15 * 60_000 - 1000);
    // The plotted numbers are the stored log series, bucket for bucket.
    const { body } = await api<{ series: { point: string; samples: { t: number; avg: number | null }[] }[] }>(
      base,
      `/api/data/timeseries?points=log:zone_f,log:zone_c&from=${chart.from}&to=${chart.to}&bucket=${chart.bucket_ms}`,
    );
    const [storedF, storedC] = [body.series[0]!.samples, body.series[1]!.samples];
    expect(body.series.map((s) => s.point)).toEqual(["log:zone_f", "log:zone_c"]);
    const [xs, avgs] = chart.data as [number[], (number | null)[]];
    expect(storedF.length).toBeGreaterThanOrEqual(xs.length);
    const aligned = storedF.slice(0, xs.length);
    expect(xs).toEqual(aligned.map((s) => s.t / 1000));
    expect(avgs.slice(0, -1)).toEqual(aligned.slice(0, -1).map((s) => s.avg));
    for (const v of avgs) {
      expect(v).not.toBeNull();
      expect(v!).toBeGreaterThan(59);
      expect(v!).toBeLessThan(88);
    }
    // Recorded in the same scans: °F is °C × 9/5 + 32 in every bucket.
    expect(storedC.map((s) => s.t)).toEqual(storedF.map((s) => s.t));
    storedC.forEach((c, i) => {
      expect(storedF[i]!.avg!).toBeCloseTo(c.avg! * 1.8 + 32, 6);
    });
    const celsius = await eventually(() => plotted(page, "log:zone_c"), 15_000);
    expect(celsius.data[0]!.length).toBeGreaterThan(0);
    const figure = page.locator('[data-testid="history-chart"][data-point="log:zone_f"]');
    expect(await figure.locator("figcaption").textContent()).toContain("zone_f");
    expect((await figure.locator("canvas").boundingBox())?.width).toBeGreaterThan(200);
    await screenshot(page, "history-logged");
  });

  it("opens a large flow fitted to the page and zooms it to the Designer's size and beyond", async () => {
    // 40 nodes on an 8 x 5 grid: at fit they are drawn at about half size.
    const flow = skeletonFlow({ limit: 24.5, name: "Large flow" });
    for (let i = 0; i < 39; i++) {
      const col = (i + 1) % 8;
      const row = Math.floor((i + 1) / 8);
      flow.nodes.push({
        id: `t${i}`,
        type: "threshold",
        position: { x: col * 280, y: row * 140 },
        config: { operator: ">", value: 15 + i / 4 },
      });
      flow.connections.push({ from_node: "temp", from_output: "value", to_node: `t${i}`, to_input: "value" });
    }
    flow.nodes = flow.nodes.filter((n) => n.id !== "hot" && n.id !== "cool");
    flow.connections = flow.connections.filter((c) => c.to_node !== "hot" && c.to_node !== "cool");
    const deploy = await api(base, "/api/config/deploy", { body: packageOf(flow), token: admin });
    expect(deploy.status).toBe(200);

    const { page } = browser;
    await openView(page, base, "execution", admin);
    const picture = page.getByTestId("flow-picture");
    const node = page.getByTestId("exec-node-t20");
    await expect.poll(() => node.getAttribute("data-status"), { timeout: 15_000 }).toBe("completed");
    const zoom = async () => Number(await picture.getAttribute("data-zoom"));
    const fitted = (await node.boundingBox())!;
    const frame = (await picture.boundingBox())!;
    // The Designer draws a node 220 px wide; fitted, this one is smaller, and the whole grid is in view.
    expect(fitted.width).toBeLessThan(180);
    for (const id of ["temp", "t6", "t31", "t38"]) {
      const b = (await page.getByTestId(`exec-node-${id}`).boundingBox())!;
      expect(b.x).toBeGreaterThanOrEqual(frame.x);
      expect(b.x + b.width).toBeLessThanOrEqual(frame.x + frame.width + 1);
      expect(b.y).toBeGreaterThanOrEqual(frame.y);
      expect(b.y + b.height).toBeLessThanOrEqual(frame.y + frame.height + 1);
    }
    for (let i = 0; i < 3; i++) await page.getByTestId("picture-zoom-in").click();
    await expect.poll(zoom).toBe(274);
    const zoomed = (await node.boundingBox())!;
    expect(zoomed.width).toBeCloseTo(fitted.width * 2.744, 0);
    expect(zoomed.width).toBeGreaterThan(220);
    await screenshot(page, "execution-large-zoomed");
    // Zooming further stops at three times the Designer's size: a node 660 px wide (690 with its ports).
    for (let i = 0; i < 6; i++) await page.getByTestId("picture-zoom-in").click();
    const closest = await zoom();
    await page.getByTestId("picture-zoom-in").click();
    expect(await zoom()).toBe(closest);
    expect((await node.boundingBox())!.width).toBeCloseTo(690, 0);
    await page.getByTestId("picture-fit").click();
    await expect.poll(zoom).toBe(100);
    expect(await node.boundingBox()).toEqual(fitted);
  });
});
