import { randomUUID } from "node:crypto";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf } from "../fixtures";

/**
 * The supervisor against a BACnet/IP-to-MS/TP router over real UDP: 4 networks × 25 devices found by
 * one global Who-Is, the router learned and served as the network map, reads, WPM and COV through the
 * router with DNET/DADR, and never more than one request outstanding per MS/TP device (the simulated
 * router counts it). 127.0.43.0/24 is this task's loopback range.
 */
const SIM_BIND = "127.0.43.40";
const SIM_PORT = 47893;
const SUP_BIND = "127.0.43.1";
const SUP_PORT = 47892;
const NETWORKS = [2001, 2002, 2003, 2004];
/** Instances of the simulator's `--routed` devices: 200000 + 1000 × network position + MAC. */
const routedInstance = (position: number, mac: number) => 200_000 + position * 1000 + mac;

interface DeviceRow {
  device_id: number;
  address: string;
  network: number | null;
  mac: number[] | null;
  max_apdu: number;
  segmentation: string;
}

interface NetworkMap {
  routers: Array<{ address: string; networks: number[] }>;
  networks: Array<{ network: number; router: string; source: string }>;
}

interface SimNetwork {
  router: {
    address: string;
    networks: Array<{
      network: number;
      stations: Array<{ instance: number; max_outstanding: number; requests: number }>;
    }>;
  };
}

describe("devices behind a BACnet router", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let routerAddress = "";

  beforeAll(async () => {
    sim = await startSimulator({
      bind: SIM_BIND,
      port: SIM_PORT,
      site: "skeleton",
      speed: 10,
      extraArgs: [
        "--broadcast",
        "127.0.43.255",
        "--routed",
        `${NETWORKS.join(",")}:25`,
        "--trunk-latency",
        "5-20",
      ],
    });
    routerAddress = /bms-sim router (\S+)/.exec(sim.output())?.[1] ?? "";
    sup = await startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.0.43.255:${SIM_PORT}`,
    });
  }, 60_000);

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("finds the 100 routed devices with one global Who-Is and maps the router's networks", async () => {
    const found = await api<{ devices: DeviceRow[] }>(sup.url, "/api/devices/discover?wait=true", {
      body: { timeout_ms: 3000 },
      token: sup.token,
    });
    expect(found.status).toBe(200);
    const routed = found.body.devices.filter((d) => d.network !== null);
    expect(routed).toHaveLength(100);
    for (const network of NETWORKS) expect(routed.filter((d) => d.network === network)).toHaveLength(25);
    const one = routed.find((d) => d.device_id === routedInstance(2, 7));
    expect(one).toMatchObject({ network: 2003, mac: [7], max_apdu: 480, segmentation: "no-segmentation" });
    expect(one?.address).toBe(`${routerAddress} net 2003 mac 07`);

    const map = await api<NetworkMap>(sup.url, "/api/devices/network");
    expect(map.body.routers).toEqual([{ address: routerAddress, networks: NETWORKS }]);
    expect(map.body.networks.every((n) => n.source === "i-am-router")).toBe(true);
  });

  it("reads 20 points of a routed device and writes two of them in one WPM through the router", async () => {
    const device = routedInstance(0, 3);
    const points = [
      ...Array.from({ length: 10 }, (_, i) => `bacnet:${device}/analogInput:${i + 1}`),
      ...Array.from({ length: 10 }, (_, i) => `bacnet:${device}/analogValue:${i + 1}`),
    ];
    const read = await api<{ values: Array<{ point: string; quality: string; value: unknown }> }>(
      sup.url,
      "/api/points/read",
      { body: { points } },
    );
    expect(read.status).toBe(200);
    expect(read.body.values.filter((v) => v.quality === "good")).toHaveLength(20);

    const written = await api<{ results: Array<{ ok: boolean }> }>(sup.url, "/api/points/write", {
      token: sup.token,
      body: {
        writes: [
          { point: `bacnet:${device}/analogValue:1`, value: 18.5, priority: 8 },
          { point: `bacnet:${device}/analogValue:2`, value: 24.5, priority: 8 },
        ],
      },
    });
    expect(written.status).toBe(200);
    const objects = await api<{
      objects: Array<{ id: string; presentValue: number; activePriority: number | null }>;
    }>(sim.webUrl, `/api/devices/${device}/objects`);
    const av = (n: number) => objects.body.objects.find((o) => o.id === `analogValue:${n}`);
    expect(av(1)).toMatchObject({ presentValue: 18.5, activePriority: 8 });
    expect(av(2)).toMatchObject({ presentValue: 24.5, activePriority: 8 });
  });

  it("runs an on-change flow on COV notifications from a routed device", async () => {
    const device = routedInstance(1, 12);
    const flow = {
      metadata: {
        flow_id: randomUUID(),
        flow_name: "Routed COV",
        version: "1.0.0",
        generated_at: new Date().toISOString(),
      },
      execution: {
        trigger: { type: "on_change" as const, points: [], debounce_ms: 50, max_interval_ms: 60_000 },
        error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" as const },
      },
      nodes: [
        {
          id: "temp",
          type: "sensor_read",
          position: { x: 0, y: 0 },
          config: { point: `bacnet:${device}/analogInput:1` },
        },
        {
          id: "out",
          type: "actuator_write",
          position: { x: 300, y: 0 },
          config: { point: `bacnet:${device}/analogValue:5`, priority: 10 },
        },
      ],
      connections: [{ from_node: "temp", from_output: "value", to_node: "out", to_input: "value" }],
    };
    const deployed = await api(sup.url, "/api/config/deploy", { body: packageOf(flow), token: sup.token });
    expect(deployed.status).toBe(200);
    await eventually(async () => {
      const status = (
        await api<{ cov: Array<{ ref: string; mode: string }> }>(sup.url, "/api/execution/status")
      ).body;
      return status.cov.some((c) => c.ref.startsWith(`bacnet:${device}/analogInput:1`) && c.mode === "cov")
        ? true
        : undefined;
    });
    // The simulator's operator override moves the input; the notification travels back through the
    // router, the flow runs and commands the routed output.
    await api(sim.webUrl, `/api/devices/${device}/objects/analogInput/1/override`, {
      body: { value: 27.25 },
    });
    await eventually(async () => {
      const objects = await api<{ objects: Array<{ id: string; presentValue: number }> }>(
        sim.webUrl,
        `/api/devices/${device}/objects`,
      );
      const out = objects.body.objects.find((o) => o.id === "analogValue:5");
      return out && Math.abs(out.presentValue - 27.25) < 1e-3 ? true : undefined;
    }, 10_000);
  });

  it("never had more than one request outstanding to any MS/TP device", async () => {
    const view = await api<SimNetwork>(sim.webUrl, "/api/network");
    const stations = view.body.router.networks.flatMap((n) => n.stations);
    expect(stations).toHaveLength(100);
    expect(stations.reduce((sum, s) => sum + s.requests, 0)).toBeGreaterThan(100);
    expect(Math.max(...stations.map((s) => s.max_outstanding))).toBe(1);
  });
});
