import { type AuditRecord, buildSitePackage, type FlowConfigurationInput } from "@bms/schemas";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
  tempDir,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe } from "../bacnet-probe";
import { skeletonFlow } from "../fixtures";

const SIM_BIND = "127.0.37.2";
const SIM_PORT = 47881;
const SUP_PORT = 47882;
const PROBE_PORT = 47883;
const BINARY_OUTPUT = 4;
const PRIORITY_ARRAY = 87;

const COOLING = "0b8f1d2e-3c4a-4b5c-8d6e-7f8091a2b3c4";
const ECONOMY = "1c9a2e3f-4d5b-4c6d-9e7f-8091a2b3c4d5";
const INTRUDER = "2dab3f40-5e6c-4d7e-8f80-91a2b3c4d5e6";
const BETA = { id: "beta", name: "Beta annex" };
const betaFlow = skeletonFlow({ limit: 24.5, priority: 10, name: "Beta cooling", intervalMs: 250 });

/** The cooling sequence plus a PID whose integral grows steadily (PV 26 under a 30 setpoint). */
function coolingFlow(): FlowConfigurationInput {
  const flow = skeletonFlow({ limit: 24.5, priority: 8, name: "Cooling", flowId: COOLING, intervalMs: 300 });
  flow.nodes.push({
    id: "loop",
    type: "pid",
    label: "Zone loop",
    config: { setpoint: 30, kp: 1, ti_s: 20, sample_time_s: 0 },
  });
  flow.connections.push({ from_node: "temp", from_output: "value", to_node: "loop", to_input: "pv" });
  return flow;
}

/** A second writer on the same output, one priority lower (9): the priority array arbitrates. */
function economyFlow(limit = 24): FlowConfigurationInput {
  const flow = skeletonFlow({ limit, priority: 9, name: "Economy", flowId: ECONOMY, intervalMs: 700 });
  flow.nodes[2]!.label = "Economy cmd";
  return flow;
}

function site(flows: FlowConfigurationInput[], project = { id: "alpha", name: "Alpha tower" }) {
  return buildSitePackage({
    project: { ...project, version: "1.0.0" },
    flows,
    created_at: new Date().toISOString(),
  });
}

interface FlowRow {
  flow_id: string;
  name: string;
  status: string;
  scan_count: number;
  last_scan_at: string | null;
  last_error: string | null;
  overruns: number;
}

describe("a site of flows: side by side, deployed without disturbing each other", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  const device = `${SIM_BIND}:${SIM_PORT}`;
  const slot = async (priority: number) =>
    (await probe.read(device, BINARY_OUTPUT, 1, PRIORITY_ARRAY, priority))[0];
  const flows = async () => (await api<{ flows: FlowRow[] }>(sup.url, "/api/flows")).body.flows;
  const flow = async (id: string) => (await flows()).find((f) => f.flow_id === id);
  const pidOutput = async () => {
    const { body } = await api<{
      node_statuses: { node_id: string; output_values: { output?: { value: number } } }[];
    }>(sup.url, `/api/flows/${COOLING}/state`);
    return body.node_statuses.find((n) => n.node_id === "loop")?.output_values.output?.value;
  };
  /** The newest audit records of one action (the bootstrap admin reads the trail). */
  const lastAudit = async (action: string) =>
    (
      await api<{ records: AuditRecord[] }>(sup.url, `/api/audit?action=${action}&limit=1`, {
        token: sup.token,
      })
    ).body.records;
  const deploy = (body: unknown, query = "") =>
    api<{
      flows?: { flow_id: string; action: string }[];
      errors?: { path: string; message: string; code?: string }[];
    }>(sup.url, `/api/config/deploy${query}`, { body, token: sup.token });

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await startSupervisor({
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      dataDir: tempDir("site-flows"),
    });
    probe = await openProbe("127.0.0.1", PROBE_PORT);
    await api(sim.webUrl, "/api/devices/1001/objects/analogInput/1/override", { body: { value: 26 } });
  });

  afterAll(async () => {
    probe?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("runs both flows on their own schedulers, each commanding its own priority", async () => {
    const first = await deploy(site([coolingFlow(), economyFlow()]));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.flows?.map((f) => f.action)).toEqual(["added", "added"]);
    await eventually(async () => ((await slot(8)) === 1 && (await slot(9)) === 1 ? true : undefined));
    // Both flows read the zone temperature: the slower one is served from the faster one's reads.
    const metrics = await eventually(async () => {
      const { body } = await api<{ engine: { reads_saved: number; reads_sent: number } }>(
        sup.url,
        "/api/monitoring/metrics",
      );
      return body.engine.reads_saved >= 3 ? body.engine : undefined;
    });
    console.info(`[site-flows] shared reads: ${metrics.reads_saved} saved, ${metrics.reads_sent} sent`);
    const rows = await flows();
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ["Cooling", "running"],
      ["Economy", "running"],
    ]);
    // Each flow's state carries its own recent scans: their starts are its own period apart (300 / 700 ms).
    for (const [id, period] of [
      [COOLING, 300],
      [ECONOMY, 700],
    ] as const) {
      const scans = await eventually(async () => {
        const { body } = await api<{
          recent_scans: { started_at: number; cycle_ms: number; reads: number; good: number }[];
        }>(sup.url, `/api/flows/${id}/state?timeline=0`);
        return body.recent_scans.length >= 4 ? body.recent_scans : undefined;
      });
      const gaps = scans.slice(1).map((s, i) => s.started_at - scans[i]!.started_at);
      const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
      expect(Math.abs(median - period), `${id}: gaps ${gaps.join(", ")}`).toBeLessThan(period / 4);
      expect(scans.every((s) => s.reads > 0 && s.good <= s.reads && s.cycle_ms >= 0)).toBe(true);
    }
  });

  it("a redeploy that changes one flow leaves the other running: scan counter and PID integral kept", async () => {
    await eventually(async () => ((await flow(COOLING))!.scan_count >= 10 ? true : undefined));
    const before = (await flow(COOLING))!;
    const outputBefore = (await pidOutput())!;
    // Reverse acting, error +4: P gives 4, the integral adds 0.2 a second on top.
    expect(outputBefore).toBeGreaterThan(4);

    const second = await deploy(site([coolingFlow(), economyFlow(23.5)]));
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.flows).toEqual([
      { flow_id: COOLING, name: "Cooling", action: "unchanged" },
      { flow_id: ECONOMY, name: "Economy", action: "restarted" },
    ]);
    const after = (await flow(COOLING))!;
    const economy = (await flow(ECONOMY))!;
    expect(after.scan_count).toBeGreaterThanOrEqual(before.scan_count);
    // The changed flow restarted: its counter began again.
    expect(economy.scan_count).toBeLessThan(before.scan_count);
    await eventually(async () =>
      (await flow(COOLING))!.scan_count > after.scan_count + 3 ? true : undefined,
    );
    // The integral kept integrating: the output went on rising from where it was, not from P alone.
    expect((await pidOutput())!).toBeGreaterThan(outputBefore);
    expect(await slot(8)).toBe(1);
  });

  it("refuses two flows commanding the same point at the same priority, naming both", async () => {
    const intruder = skeletonFlow({ limit: 20, priority: 8, name: "Intruder", flowId: INTRUDER });
    intruder.nodes[2]!.label = "Stray cmd";
    const refused = await deploy(site([coolingFlow(), economyFlow(23.5), intruder]));
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      {
        path: "flows[2].nodes[2]",
        code: "write_conflict",
        message: expect.stringContaining(
          'node "Stray cmd" in flow "Intruder" and node "cool" in flow "Cooling" both command bacnet:1001/binaryOutput:1.presentValue at priority 8',
        ),
      },
    ]);
  });

  it("refuses a manual write at a priority a flow commands unless forced", async () => {
    const point = "bacnet:1001/binaryOutput:1";
    const refused = await api<{ errors: { message: string; code?: string }[] }>(
      sup.url,
      "/api/points/write",
      {
        body: { writes: [{ point, value: 0, priority: 8 }] },
        token: sup.token,
      },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0]?.message).toContain('of flow "Cooling"');
    expect(refused.body.errors[0]?.code).toBe("flow_owned");
    expect(await slot(8)).toBe(1);

    const elsewhere = await api(sup.url, "/api/points/write", {
      body: { writes: [{ point, value: 1, priority: 12 }] },
      token: sup.token,
    });
    expect(elsewhere.status).toBe(200);
    expect(await slot(12)).toBe(1);
    await api(sup.url, "/api/points/write", {
      body: { writes: [{ point, value: null, priority: 12 }] },
      token: sup.token,
    });

    const forced = await api(sup.url, "/api/points/write", {
      body: { writes: [{ point, value: 1, priority: 8 }], force: true },
      token: sup.token,
    });
    expect(forced.status).toBe(200);
    const [record] = await lastAudit("point.write");
    expect(record?.details).toMatchObject({ forced: true, over_flows: ["writes[0]"] });
    expect(record?.actor.role).toBe("admin");
  });

  it("stopping one flow relinquishes its priority only; starting it takes it back", async () => {
    const stopped = await api<FlowRow>(sup.url, `/api/flows/${ECONOMY}/stop`, { body: {}, token: sup.token });
    expect(stopped.body.status).toBe("stopped");
    expect(await slot(9)).toBe(null);
    expect(await slot(8)).toBe(1);
    expect((await flow(COOLING))!.status).toBe("running");
    await api(sup.url, `/api/flows/${ECONOMY}/start`, { body: {}, token: sup.token });
    await eventually(async () => ((await slot(9)) === 1 ? true : undefined));
  });

  it("removing a flow relinquishes exactly the points only it commanded", async () => {
    const before = (await flow(COOLING))!.scan_count;
    const third = await deploy(site([coolingFlow()]));
    expect(third.status, JSON.stringify(third.body)).toBe(200);
    expect(third.body.flows).toEqual([
      { flow_id: COOLING, name: "Cooling", action: "unchanged" },
      { flow_id: ECONOMY, name: "Economy", action: "removed" },
    ]);
    expect(await slot(9)).toBe(null);
    expect(await slot(8)).toBe(1);
    expect((await flow(COOLING))!.scan_count).toBeGreaterThanOrEqual(before);
    expect((await flows()).map((f) => f.flow_id)).toEqual([COOLING]);
  });

  it("refuses another project's site with 409 and changes nothing; mode replace takes over", async () => {
    const other = site([betaFlow], { id: "beta", name: "Beta annex" });
    const refused = await deploy(other);
    expect(refused.status).toBe(409);
    expect(refused.body.errors?.[0]?.message).toContain('this supervisor runs project "Alpha tower"');
    expect(refused.body.errors?.[0]?.code).toBe("project_conflict");
    expect(await slot(8)).toBe(1);
    expect((await flows()).map((f) => f.flow_id)).toEqual([COOLING]);

    const replaced = await deploy(other, "?mode=replace");
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    await eventually(async () => ((await slot(10)) === 1 ? true : undefined));
    expect(await slot(8)).toBe(null);
    expect((await flows()).map((f) => f.name)).toEqual(["Beta cooling"]);
    const [record] = await lastAudit("config.deploy");
    expect(record?.result).toBe("ok");
    expect(record?.details).toMatchObject({
      mode: "replace",
      project_id: "beta",
      replaced_project: { project_id: "alpha", project_name: "Alpha tower" },
    });

    // Logs filter by flow: the removed Cooling flow's events are still there under its id.
    const logs = await api<{ logs: { flow_id?: string }[] }>(
      sup.url,
      `/api/execution/logs?flow_id=${COOLING}&limit=50`,
    );
    expect(logs.body.logs.length).toBeGreaterThan(0);
    expect(logs.body.logs.every((l) => l.flow_id === COOLING)).toBe(true);
  });

  it("one flow spending its whole script budget every scan never slows another", async () => {
    const hostile = skeletonFlow({ limit: 30, priority: 11, name: "Hostile", intervalMs: 200 });
    hostile.nodes.push({ id: "spin", type: "script", config: { code: "while (true) {}", timeout_ms: 800 } });
    hostile.connections.push({ from_node: "temp", from_output: "value", to_node: "spin", to_input: "in1" });
    const deployed = await deploy(site([betaFlow, hostile], BETA));
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    expect(deployed.body.flows?.map((f) => f.action)).toEqual(["unchanged", "added"]);
    const hostileId = hostile.metadata.flow_id;
    await eventually(async () => ((await flow(hostileId))!.scan_count >= 1 ? true : undefined));

    const start = (await flow(betaFlow.metadata.flow_id))!.scan_count;
    await new Promise((r) => setTimeout(r, 4000));
    const beta = (await flow(betaFlow.metadata.flow_id))!;
    const spinning = (await flow(hostileId))!;
    console.info(
      `[site-flows] in 4 s: Beta cooling ${beta.scan_count - start} scans (250 ms period), Hostile ${spinning.scan_count} scans, ${spinning.overruns} overruns`,
    );
    // 250 ms period: 16 scans in 4 s; the hostile flow's 800 ms scans (4x its 200 ms period) take none.
    expect(beta.scan_count - start).toBeGreaterThanOrEqual(13);
    expect(beta.status).toBe("running");
    expect(spinning.overruns).toBeGreaterThan(0);
    expect(spinning.scan_count).toBeLessThanOrEqual(7);
  });
});
