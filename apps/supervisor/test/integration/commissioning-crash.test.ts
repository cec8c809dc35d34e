import { OBJECT_TYPES, PROPERTIES } from "@bms/bacnet";
import { normalizePointRef } from "@bms/schemas";
import {
  api,
  DEMO_REHEAT_VALVE,
  DEMO_VAV1,
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

// Reserved for this file: 127.0.105.0/24, BACnet ports 47824-47826.
const SIM_BIND = "127.0.105.10";
const SIM_PORT = 47824;
const SUP_BIND = "127.0.105.1";
const SUP_PORT = 47825;
const PROBE_BIND = "127.0.105.2";
const PROBE_PORT = 47826;

const REHEAT = normalizePointRef(DEMO_REHEAT_VALVE);
/** Each reply of VAV-1 held back this long during the run: the kill lands between write and relinquish. */
const SLOW_MS = 1200;

/** VAV-1: the flow holds the reheat valve at 35 % on priority 8. */
function site() {
  return testFlow({
    name: "VAV-1",
    intervalMs: 500,
    nodes: [
      { id: "level", type: "constant", config: { value: 35 } },
      { id: "reheat", type: "actuator_write", config: { point: DEMO_REHEAT_VALVE, priority: 8 } },
    ],
    connections: [{ from_node: "level", from_output: "value", to_node: "reheat", to_input: "value" }],
  });
}

interface AuditRecord {
  action: string;
  target: string | null;
  result: string;
  reason?: string;
  details?: Record<string, unknown>;
}

describe("a commissioning write test cut by kill -9", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  let vavAddress: ProbeTarget;
  const start = (dataDir?: string) =>
    startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      ...(dataDir ? { dataDir } : {}),
    });
  const call = <T = unknown>(method: string, path: string, body?: unknown) =>
    api<T>(sup.url, path, { method, body, token: sup.token });
  /** The valve's priority array as the device answers a separate BACnet client. */
  const priorityArray = async () => {
    const slots: unknown[] = [];
    for (let p = 1; p <= 16; p++)
      slots.push(
        (await probe.read(vavAddress, OBJECT_TYPES.analogOutput, 2, PROPERTIES.priorityArray, p))[0] ?? null,
      );
    return slots;
  };
  /** The same array from the simulator's own state (no BACnet round trip, so no slow replies). */
  const simSlots = async () => {
    const answer = await api<{ objects: { id: string; priorityArray: unknown[] | null }[] }>(
      sim.webUrl,
      `/api/devices/${DEMO_VAV1}/objects`,
    );
    return answer.body.objects.find((o) => o.id === "analogOutput:2")?.priorityArray ?? [];
  };
  const slow = (ms: number) => api(sim.webUrl, `/api/devices/${DEMO_VAV1}/faults`, { body: { slow_ms: ms } });

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "demo" });
    sup = await start();
    probe = await openProbe(PROBE_BIND, PROBE_PORT);
    // VAV-1 sits behind the demo's router on network 2001: the probe goes through it.
    vavAddress = targetOf(await discoverDevice(sup, DEMO_VAV1, 2000));
    const deployed = await call("POST", "/api/config/deploy", packageOf(site(), "Crash site"));
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    await eventually(async () => ((await simSlots())[7] === 35 ? true : undefined));
  }, 90_000);

  afterAll(async () => {
    probe?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("relinquishes the test value at the next start, leaves the flow's slot, audits it and says so in the report", async () => {
    await slow(SLOW_MS);
    const started = await call<CommissioningReport>("POST", "/api/commissioning/runs", {
      person: "Ines Integrator",
      checkout: {
        points: [DEMO_REHEAT_VALVE],
        write_test: { priority: 7, confirm: [DEMO_REHEAT_VALVE], values: { [REHEAT]: 62 } },
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    // The device took the test value; its acknowledgement is still held back: kill the supervisor now.
    await eventually(async () => ((await simSlots())[6] === 62 ? true : undefined), 30_000, 20);
    sup.child.kill("SIGKILL");
    await sup.stop();
    await slow(0);
    expect((await simSlots())[6]).toBe(62);

    sup = await start(sup.dataDir);
    // Read over BACnet from the device: the test's slot is NULL again, the flow's 35 % at priority 8 stays.
    const slots = await priorityArray();
    expect(slots[6]).toBeNull();
    expect(slots[7]).toBe(35);
    expect(slots.filter((v, i) => i !== 7 && v !== null)).toEqual([]);

    const audit = await call<{ records: AuditRecord[] }>("GET", "/api/audit?action=commissioning.relinquish");
    expect(audit.status).toBe(200);
    expect(audit.body.records).toHaveLength(1);
    expect(audit.body.records[0]).toMatchObject({
      target: REHEAT,
      result: "ok",
      details: { run: started.body.id, priority: 7, outcome: "relinquished" },
    });

    const report = await call<CommissioningReport>("GET", `/api/commissioning/runs/${started.body.id}`);
    expect(report.body.status).toBe("failed");
    expect(report.body.error).toBe(
      `the supervisor stopped during the run; the write test's command on ${REHEAT} at priority 7 was relinquished at the next start`,
    );
    expect(report.body.leftover_commands).toEqual([
      { run: started.body.id, point: REHEAT, priority: 7, outcome: "relinquished" },
    ]);
    expect(report.body.signature).not.toBeNull();
    const html = await api<string>(sup.url, `/api/commissioning/runs/${started.body.id}/report.html`, {
      token: sup.token,
    });
    expect(String(html.body)).toContain("at priority 7 was relinquished at the next start");
    // The finish record of the sealed run names the failure too.
    const finish = await call<{ records: AuditRecord[] }>("GET", "/api/audit?action=commissioning.finish");
    expect(finish.body.records.find((r) => r.target === started.body.id)).toMatchObject({
      result: "failed",
    });

    // Nothing is left on the list: a second restart relinquishes nothing more.
    await sup.stop();
    sup = await start(sup.dataDir);
    const again = await call<{ records: AuditRecord[] }>("GET", "/api/audit?action=commissioning.relinquish");
    expect(again.body.records).toHaveLength(1);
    expect((await priorityArray())[7]).toBe(35);
  }, 120_000);
});
