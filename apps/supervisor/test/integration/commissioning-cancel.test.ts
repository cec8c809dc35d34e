import { OBJECT_TYPES, PROPERTIES } from "@bms/bacnet";
import { normalizePointRef } from "@bms/schemas";
import {
  api,
  DEMO_REHEAT_VALVE,
  DEMO_VAV1,
  DEMO_ZONE_TEMP,
  discoverDevice,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
  testFlow,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommissioningReport } from "../../src/commissioning/report-types";
import { openProbe, type ProbeTarget, targetOf } from "../bacnet-probe";
import { packageOf } from "../fixtures";

// Reserved for this file: 127.0.68.0/24 (the commissioning2 helper's range), BACnet ports 47866-47868.
const SIM_BIND = "127.0.68.10";
const SIM_PORT = 47866;
const SUP_BIND = "127.0.68.1";
const SUP_PORT = 47867;
const PROBE_BIND = "127.0.68.2";
const PROBE_PORT = 47868;

const REHEAT = normalizePointRef(DEMO_REHEAT_VALVE);
const ZONE = normalizePointRef(DEMO_ZONE_TEMP);
/** The reads after the valve's line: enough that the run is still going when the cancel arrives. */
const READS = 400;

/** VAV-1: the flow holds the reheat valve at 35 % on priority 8 and reads the zone temperature. */
function site() {
  return testFlow({
    name: "VAV-1",
    intervalMs: 300,
    nodes: [
      { id: "zone", type: "sensor_read", config: { point: DEMO_ZONE_TEMP } },
      { id: "level", type: "constant", config: { value: 35 } },
      { id: "reheat", type: "actuator_write", config: { point: DEMO_REHEAT_VALVE, priority: 8 } },
    ],
    connections: [{ from_node: "level", from_output: "value", to_node: "reheat", to_input: "value" }],
  });
}

describe("cancelling a commissioning run during its write test", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  let vavAddress: ProbeTarget;
  const call = <T = unknown>(method: string, path: string, body?: unknown) =>
    api<T>(sup.url, path, { method, body, token: sup.token });
  /** The valve's whole priority array, read from the device by a separate BACnet client. */
  const priorityArray = async () => {
    const slots: unknown[] = [];
    for (let p = 1; p <= 16; p++)
      slots.push(
        (await probe.read(vavAddress, OBJECT_TYPES.analogOutput, 2, PROPERTIES.priorityArray, p))[0] ?? null,
      );
    return slots;
  };

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "demo" });
    sup = await startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
    });
    probe = await openProbe(PROBE_BIND, PROBE_PORT);
    // VAV-1 sits behind the demo's router on network 2001: the probe goes through it.
    vavAddress = targetOf(await discoverDevice(sup, DEMO_VAV1, 2000));
    const deployed = await call("POST", "/api/config/deploy", packageOf(site(), "Cancel site"));
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    await eventually(async () => ((await priorityArray())[7] === 35 ? true : undefined));
  });

  afterAll(async () => {
    probe?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("stops between lines, relinquishes the test value and stores a cancelled report with the lines done", async () => {
    const started = await call<CommissioningReport>("POST", "/api/commissioning/runs", {
      person: "Ines Integrator",
      checkout: {
        // The valve first: its write test is under way when the cancel below arrives.
        points: [DEMO_REHEAT_VALVE, ...Array.from({ length: READS }, () => DEMO_ZONE_TEMP)],
        write_test: { priority: 7, confirm: [DEMO_REHEAT_VALVE], values: { [REHEAT]: 62 } },
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const cancelled = await call<CommissioningReport>(
      "POST",
      `/api/commissioning/runs/${started.body.id}/cancel`,
    );
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    expect(cancelled.body.cancelled_by).toBe("bootstrap admin");
    expect(cancelled.body.finished_at).not.toBeNull();

    // The device: no test value left anywhere, the flow's 35 % at priority 8 untouched.
    const slots = await priorityArray();
    expect(slots.filter((v, i) => i !== 7 && v !== null)).toEqual([]);
    expect(slots[7]).toBe(35);

    // The stored report: cancelled, with the lines done before it stopped, the valve's stroke released.
    const stored = await call<CommissioningReport>("GET", `/api/commissioning/runs/${started.body.id}`);
    expect(stored.body.status).toBe("cancelled");
    const lines = stored.body.checkout!;
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThan(READS + 1);
    expect(lines[0]).toMatchObject({ point: REHEAT, verdict: "pass" });
    expect(lines[0]!.write_test).toMatchObject({
      priority: 7,
      test_value: 62,
      after_write: 62,
      after_release: null,
    });
    expect(lines.slice(1).every((l) => l.point === ZONE)).toBe(true);
    expect(stored.body.summary.pass).toBe(lines.filter((l) => l.verdict === "pass").length);
    const html = await api<string>(sup.url, `/api/commissioning/runs/${started.body.id}/report.html`, {
      token: sup.token,
    });
    expect(html.status).toBe(200);
    expect(String(html.body)).toContain("cancelled by bootstrap admin");
    expect(String(html.body)).toContain("CANCELLED");

    // Audited: who cancelled which run; and the run's own record names the canceller.
    const audit = await call<{
      records: { action: string; target: string | null; details?: Record<string, unknown> }[];
    }>("GET", `/api/audit?action=commissioning.cancel`);
    expect(audit.body.records.some((r) => r.target === started.body.id)).toBe(true);

    // A run that has ended cannot be cancelled again; an unknown run is 404.
    const again = await call<{ errors: { code: string }[] }>(
      "POST",
      `/api/commissioning/runs/${started.body.id}/cancel`,
    );
    expect(again.status).toBe(409);
    expect(again.body.errors[0]!.code).toBe("run_not_running");
    expect((await call("POST", "/api/commissioning/runs/cr-20260101-000000-abcdef/cancel")).status).toBe(404);
  });
});
