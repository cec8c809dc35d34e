import { normalizePointRef } from "@bms/schemas";
import {
  api,
  DEMO_REHEAT_VALVE,
  DEMO_VAV1,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommissioningReport } from "../../src/commissioning/report-types";
import { FLOW_LEVEL, FLOW_PRIORITY, startValveStack, type ValveStack } from "../valve-site";

// Reserved for this file: 127.0.105.0/24, BACnet ports 47824-47826.
const NETWORK = {
  simBind: "127.0.105.10",
  simPort: 47824,
  supBind: "127.0.105.1",
  supPort: 47825,
  probeBind: "127.0.105.2",
  probePort: 47826,
};

const REHEAT = normalizePointRef(DEMO_REHEAT_VALVE);
/** Each reply of VAV-1 held back this long during the run: the kill lands between write and relinquish. */
const SLOW_MS = 1200;

interface AuditRecord {
  action: string;
  target: string | null;
  result: string;
  reason?: string;
  details?: Record<string, unknown>;
}

describe("a commissioning write test cut by kill -9", () => {
  let stack: ValveStack;
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  const call = <T = unknown>(method: string, path: string, body?: unknown) =>
    api<T>(sup.url, path, { method, body, token: sup.token });
  const priorityArray = () => stack.priorityArray();
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
    stack = await startValveStack(NETWORK, "Crash site");
    ({ sim, sup } = stack);
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
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

    sup = await stack.startSupervisor(sup.dataDir);
    // Read over BACnet from the device: the test's slot is NULL again, the flow's 35 % at priority 8 stays.
    const slots = await priorityArray();
    expect(slots[6]).toBeNull();
    expect(slots[FLOW_PRIORITY - 1]).toBe(FLOW_LEVEL);
    expect(slots.filter((v, i) => i !== FLOW_PRIORITY - 1 && v !== null)).toEqual([]);

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
    sup = await stack.startSupervisor(sup.dataDir);
    const again = await call<{ records: AuditRecord[] }>("GET", "/api/audit?action=commissioning.relinquish");
    expect(again.body.records).toHaveLength(1);
    expect((await priorityArray())[FLOW_PRIORITY - 1]).toBe(FLOW_LEVEL);
  }, 120_000);

  it("relinquishes a test value left on the slot of a flow an operator stopped: nothing else will", async () => {
    // Regression: the slot of any deployed flow was "left to the flow", taken off the list and kept on
    // the device; a stopped flow (stopped across restarts) never rewrites it, so the test value stayed.
    const flows = await call<{ flows: { flow_id: string; name: string }[] }>("GET", "/api/flows");
    const flowId = flows.body.flows.find((f) => f.name === "VAV-1")!.flow_id;
    expect((await call("POST", `/api/flows/${flowId}/stop`)).status).toBe(200);
    await eventually(async () => ((await simSlots())[FLOW_PRIORITY - 1] === null ? true : undefined), 10_000);
    await slow(SLOW_MS);
    const started = await call<CommissioningReport>("POST", "/api/commissioning/runs", {
      person: "Ines Integrator",
      checkout: {
        points: [DEMO_REHEAT_VALVE],
        write_test: { priority: FLOW_PRIORITY, confirm: [DEMO_REHEAT_VALVE], values: { [REHEAT]: 62 } },
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await eventually(
      async () => ((await simSlots())[FLOW_PRIORITY - 1] === 62 ? true : undefined),
      30_000,
      20,
    );
    sup.child.kill("SIGKILL");
    await sup.stop();
    await slow(0);

    sup = await stack.startSupervisor(sup.dataDir);
    const slots = await priorityArray();
    expect(slots.filter((v) => v !== null)).toEqual([]);
    const audit = await call<{ records: AuditRecord[] }>("GET", "/api/audit?action=commissioning.relinquish");
    expect(audit.body.records.find((r) => r.details?.run === started.body.id)).toMatchObject({
      target: REHEAT,
      result: "ok",
      details: { priority: FLOW_PRIORITY, outcome: "relinquished" },
    });
    // Still stopped after the restart: the flow did not put its 35 % back meanwhile.
    const after = await call<{ flows: { flow_id: string; status: string }[] }>("GET", "/api/flows");
    expect(after.body.flows.find((f) => f.flow_id === flowId)?.status).toBe("stopped");
  }, 120_000);
});
