import { randomUUID } from "node:crypto";
import { OBJECT_TYPES, PROPERTIES } from "@bms/bacnet";
import {
  api,
  DEMO_REHEAT_VALVE,
  DEMO_VAV1,
  discoverDevice,
  eventually,
  reheatOverrideFlow,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe, type ProbeTarget, targetOf } from "../bacnet-probe";
import { packageOf } from "../fixtures";

// Timed manual overrides against the demo building: VAV-1's occupied setpoint is free, its reheat valve
// is held at priority 8 by the deployed flow.
const SIM_BIND = "127.0.24.2";
const SIM_PORT = 47877;
const SUP_PORT = 47878;
const PROBE_PORT = 47879;
const SETPOINT = `bacnet:${DEMO_VAV1}/analogValue:1`;

interface OverrideView {
  id: number;
  point: string;
  priority: number;
  value: number | boolean;
  before: { value: unknown; source: string } | null;
  expires_at: string;
  ended_at: string | null;
  end_reason: string | null;
}
interface OverridesAnswer {
  overrides: OverrideView[];
  ended: OverrideView[];
}

describe("timed manual overrides", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  let vavAddress: ProbeTarget;

  const slot = async (priority: number) =>
    (await probe.read(vavAddress, OBJECT_TYPES.analogValue, 1, PROPERTIES.priorityArray, priority))[0];
  const override = (body: Record<string, unknown>) =>
    api<{ override: OverrideView; error?: string }>(sup.url, "/api/points/overrides", {
      body,
      token: sup.token,
    });
  const list = async () =>
    (await api<OverridesAnswer>(sup.url, "/api/points/overrides", { token: sup.token })).body;
  const end = (id: number) =>
    api<{ override: OverrideView }>(sup.url, `/api/points/overrides/${id}`, {
      method: "DELETE",
      token: sup.token,
    });
  const startSup = (dataDir?: string) =>
    startSupervisor({
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      ...(dataDir ? { dataDir } : {}),
    });

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "demo" });
    sup = await startSup();
    probe = await openProbe("127.0.0.1", PROBE_PORT);
    // VAV-1 sits behind the demo's router on network 2001: the probe goes through it.
    vavAddress = targetOf(await discoverDevice(sup, DEMO_VAV1, 2000));
    const deployed = await api(sup.url, "/api/config/deploy", {
      body: packageOf(reheatOverrideFlow({ flowId: randomUUID() }), "Overrides"),
      token: sup.token,
    });
    expect(deployed.status).toBe(200);
    await eventually(async () => {
      const held = await probe.read(vavAddress, OBJECT_TYPES.analogOutput, 2, PROPERTIES.priorityArray, 8);
      return held[0] === 35 ? true : undefined;
    });
  });

  afterAll(async () => {
    probe?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("refuses a priority the running flow holds for that point (409), and one below 6 (422)", async () => {
    const held = await override({ point: DEMO_REHEAT_VALVE, value: 60, minutes: 1 });
    expect(held.status).toBe(409);
    expect(held.body.error).toMatch(/priority 8 .* held by flow node "reheat"/);
    const critical = await override({ point: SETPOINT, value: 20, priority: 5, minutes: 1 });
    expect(critical.status).toBe(422);
    const tooShort = await override({ point: SETPOINT, value: 20, minutes: 0.01 });
    expect(tooShort.status).toBe(422);
    expect(await slot(8)).toBeNull();
  });

  it("holds the value at priority 8, then relinquishes it when it expires", async () => {
    const started = await override({ point: SETPOINT, value: 25.5, minutes: 0.05 });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const o = started.body.override;
    expect(o).toMatchObject({ point: `${SETPOINT}.presentValue`, priority: 8, value: 25.5, ended_at: null });
    expect(o.before?.source).toBe("device");
    expect(await slot(8)).toBe(25.5);
    expect((await list()).overrides.map((x) => x.id)).toContain(o.id);
    // 3 s, plus at most a one-second tick.
    await eventually(async () => ((await slot(8)) === null ? true : undefined), 10_000);
    const after = await list();
    expect(after.overrides.map((x) => x.id)).not.toContain(o.id);
    expect(after.ended.find((x) => x.id === o.id)?.end_reason).toBe("expired");
    // The audit record carries value, priority, the value before and the expiry.
    const audit = await api<{ records: { action: string; details?: Record<string, unknown> }[] }>(
      sup.url,
      "/api/audit?action=point.override",
      { token: sup.token },
    );
    const record = audit.body.records.find((r) => r.action === "point.override" && r.details?.id === o.id);
    expect(record?.details).toMatchObject({ value: 25.5, priority: 8, expires_at: o.expires_at });
    expect(record?.details?.before).toMatchObject({ source: "device" });
    // The expiry is in the trail too, by the supervisor itself.
    const expired = await api<{
      records: {
        action: string;
        result: string;
        actor: { kind: string };
        details?: Record<string, unknown>;
      }[];
    }>(sup.url, "/api/audit?action=point.override.expire", { token: sup.token });
    const expiry = expired.body.records.find((r) => r.details?.id === o.id);
    expect(expiry).toMatchObject({
      action: "point.override.expire",
      result: "ok",
      actor: { kind: "system" },
    });
  });

  it("relinquishes at once when ended early", async () => {
    const started = await override({ point: SETPOINT, value: 19, minutes: 10 });
    expect(started.status).toBe(200);
    expect(await slot(8)).toBe(19);
    const ended = await end(started.body.override.id);
    expect(ended.status).toBe(200);
    expect(ended.body.override.end_reason).toBe("ended early");
    expect(await slot(8)).toBeNull();
    expect((await end(999_999)).status).toBe(404);
  });

  it("keeps a pending override's expiry across a restart, and relinquishes one that expired meanwhile", async () => {
    const long = (await override({ point: SETPOINT, value: 23, minutes: 10 })).body.override;
    const short = (await override({ point: SETPOINT, value: 18, priority: 9, minutes: 0.05 })).body.override;
    expect(await slot(8)).toBe(23);
    expect(await slot(9)).toBe(18);
    const dataDir = sup.dataDir;
    await sup.stop();
    // The short one expires while no supervisor runs.
    await new Promise((r) => setTimeout(r, 3500));
    expect(await slot(9)).toBe(18);
    sup = await startSup(dataDir);
    await eventually(async () => ((await slot(9)) === null ? true : undefined), 10_000);
    const after = await list();
    const kept = after.overrides.find((x) => x.id === long.id);
    expect(kept?.expires_at).toBe(long.expires_at);
    expect(after.ended.find((x) => x.id === short.id)?.end_reason).toBe("expired");
    expect(await slot(8)).toBe(23);
    expect((await end(long.id)).status).toBe(200);
    expect(await slot(8)).toBeNull();
  });

  it("leaves a slot a flow took over after the override began: ending it writes no NULL there", async () => {
    const o = (await override({ point: SETPOINT, value: 20, priority: 10, minutes: 10 })).body.override;
    expect(await slot(10)).toBe(20);
    const flow = reheatOverrideFlow({ flowId: randomUUID(), level: 21, name: "Setpoint at 10" });
    flow.nodes[2]!.config = { point: SETPOINT, priority: 10 };
    const deployed = await api(sup.url, "/api/config/deploy", {
      body: packageOf(flow, "Setpoint flow"),
      token: sup.token,
    });
    expect(deployed.status).toBe(200);
    await eventually(async () => ((await slot(10)) === 21 ? true : undefined));
    const ended = await end(o.id);
    expect(ended.status).toBe(200);
    expect(ended.body.override.end_reason).toMatch(/commanded by a flow/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await slot(10)).toBe(21);
  });
});
