import { randomUUID } from "node:crypto";
import { buildSitePackage, type FlowConfiguration, FlowConfigurationStructureSchema } from "@bms/schemas";
import {
  api,
  deployPackage,
  eventually,
  prioritySlot,
  SKELETON_SETPOINT as SETPOINT,
  type SiteStack,
  type SupervisorHandle,
  startSiteStack,
  zoneToSetpointFlow,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Reserved for this file: 127.0.65.0/24 (the debug-ui range); simulator 47835 on .10, the supervisor's
// BACnet port 47936 on .1 (the capture still sees every packet: the simulator's side is in its range).
const SIM_BIND = "127.0.65.10";
const SIM_PORT = 47835;
const SUP_BIND = "127.0.65.1";
const SUP_PORT = 47936;

const FLOW = randomUUID();

/** zone temperature → expression → the setpoint AV at priority 12, every 200 ms. */
function flow(expression: string): FlowConfiguration {
  return FlowConfigurationStructureSchema.parse(
    zoneToSetpointFlow({ flowId: FLOW, name: "Replayed", expression }),
  );
}

interface ReplayAnswer {
  source: string;
  scans: number;
  scan_ms: number;
  points_replayed: number;
  outputs: {
    point: string;
    priority: number | null;
    changed: boolean;
    maxDelta?: number;
    windows: { from: string; to: string; meanDelta?: number }[];
    summary: string;
    chart: { at: string; running: unknown; candidate: unknown }[];
  }[];
  errors?: { path: string; message: string; code?: string }[];
}

describe("replay of a changed flow over the supervisor's traces and history", () => {
  let stack: SiteStack;
  let sup: SupervisorHandle;
  const replay = (body: unknown) =>
    api<ReplayAnswer>(sup.url, "/api/debug/replay", { method: "POST", body, token: sup.token });
  const slot12 = () => prioritySlot(sup, SETPOINT, 12);

  beforeAll(async () => {
    stack = await startSiteStack({
      site: "skeleton",
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supBind: SUP_BIND,
      supPort: SUP_PORT,
      discover: { device: 1001, timeoutMs: 2000 },
    });
    sup = stack.sup;
    const site = buildSitePackage({
      project: { id: "replay", name: "Replay", version: "1.0.0" },
      created_at: new Date().toISOString(),
      flows: [flow("round(a)")],
    });
    await deployPackage(sup, site);
    await eventually(async () => ((await slot12()) !== null ? true : undefined));
    // A few seconds of traces (one a second) and of history.
    await new Promise((r) => setTimeout(r, 4000));
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("runs both versions over the traces and says how the changed one would command the setpoint", async () => {
    // The zone temperature drifts, and the running version's own command with it (25 -> 26 during a
    // replay failed the last check once): the simulator holds it still while this test looks.
    const hold = (value: number | null) =>
      api(stack.sim.webUrl, "/api/devices/1001/objects/analogInput/1/override", { body: { value } });
    expect((await hold(22.2)).status).toBe(200);
    const before = await eventually(async () => ((await slot12()) === 22 ? 22 : undefined));
    const r = await replay({
      flow_id: FLOW,
      candidate: flow("round(a) + 2"),
      source: "traces",
      time_zone: "UTC",
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.scans).toBeGreaterThanOrEqual(3);
    expect(r.body.points_replayed).toBe(1);
    const [out] = r.body.outputs;
    expect(out).toMatchObject({
      point: `${SETPOINT}.presentValue`,
      priority: 12,
      changed: true,
      maxDelta: 2,
    });
    expect(out!.summary).toMatch(
      /^this change would have commanded bacnet:1001\/analogValue:1\.presentValue 2( \S+)? higher between \d\d:\d\d:\d\d and \d\d:\d\d:\d\d$/,
    );
    expect(out!.chart.length).toBe(r.body.scans);
    // A replay writes nothing: the device still holds the running version's command.
    expect(await slot12()).toBe(before);
    expect((await hold(null)).status).toBe(200);
  });

  it("replays the recorded history as fast as it goes, on the candidate's scan", async () => {
    const r = await replay({
      flow_id: FLOW,
      candidate: flow("round(a) - 1"),
      source: "history",
      hours: 0.25,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ source: "history", scan_ms: 200, scans: 4501, points_replayed: 1 });
    const [out] = r.body.outputs;
    expect(out!.changed).toBe(true);
    expect(out!.summary).toMatch(/ 1( \S+)? lower between /);
    // Before the first recorded value both versions command nothing: no change is claimed there.
    expect(out!.windows[0]!.meanDelta).toBe(-1);
    expect(out!.chart.length).toBeLessThanOrEqual(501);
  });

  it("an unchanged candidate changes nothing", async () => {
    const r = await replay({ flow_id: FLOW, candidate: flow("round(a)") });
    expect(r.status).toBe(200);
    expect(r.body.outputs.map((o) => [o.changed, o.summary])).toEqual([
      [false, `no change to what ${SETPOINT}.presentValue is commanded`],
    ]);
  });

  it("refuses a broken candidate with paths into it, an unknown flow and a second replay at once", async () => {
    const broken = flow("round(a)");
    broken.nodes[1] = { ...broken.nodes[1]!, type: "no_such_node" } as never;
    const bad = await replay({ flow_id: FLOW, candidate: broken });
    expect(bad.status).toBe(422);
    expect(bad.body.errors?.[0]?.path).toMatch(/^candidate\.nodes/);
    const zone = await replay({ flow_id: FLOW, candidate: flow("round(a)"), time_zone: "Mars/Olympus" });
    expect(zone.status).toBe(422);
    expect(zone.body.errors?.[0]).toMatchObject({ path: "time_zone", code: "invalid_time_zone" });
    expect((await replay({ flow_id: "nope", candidate: flow("round(a)") })).status).toBe(404);
    const both = await Promise.all([
      replay({ flow_id: FLOW, candidate: flow("a"), source: "history", hours: 1 }),
      replay({ flow_id: FLOW, candidate: flow("a"), source: "history", hours: 1 }),
    ]);
    expect(both.map((b) => b.status).sort()).toEqual([200, 409]);
    expect(both.find((b) => b.status === 409)!.body.errors?.[0]?.code).toBe("replay_busy");
  });
});
