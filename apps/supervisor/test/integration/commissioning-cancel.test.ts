import { normalizePointRef } from "@bms/schemas";
import { api, DEMO_REHEAT_VALVE, DEMO_ZONE_TEMP, type SupervisorHandle } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommissioningReport } from "../../src/commissioning/report-types";
import { startValveStack, type ValveStack } from "../valve-site";

// Reserved for this file: 127.0.68.0/24 (the commissioning2 helper's range), BACnet ports 47866-47868.
const NETWORK = {
  simBind: "127.0.68.10",
  simPort: 47866,
  supBind: "127.0.68.1",
  supPort: 47867,
  probeBind: "127.0.68.2",
  probePort: 47868,
};

const REHEAT = normalizePointRef(DEMO_REHEAT_VALVE);
const ZONE = normalizePointRef(DEMO_ZONE_TEMP);
/** The reads after the valve's line: enough that the run is still going when the cancel arrives. */
const READS = 400;

describe("cancelling a commissioning run during its write test", () => {
  let stack: ValveStack;
  let sup: SupervisorHandle;
  const call = <T = unknown>(method: string, path: string, body?: unknown) =>
    api<T>(sup.url, path, { method, body, token: sup.token });
  const priorityArray = () => stack.priorityArray();

  beforeAll(async () => {
    stack = await startValveStack(NETWORK, "Cancel site");
    sup = stack.sup;
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
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
