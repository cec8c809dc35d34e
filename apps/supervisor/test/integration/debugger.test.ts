import { randomUUID } from "node:crypto";
import { type AuditRecord, buildSitePackage } from "@bms/schemas";
import {
  api,
  deployPackage,
  eventually,
  prioritySlot,
  SKELETON_SETPOINT as SETPOINT,
  type SiteStack,
  type SupervisorHandle,
  startSiteStack,
  SKELETON_ZONE as ZONE,
  zoneToSetpointFlow,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Reserved for this file: 127.0.49.0/24 (issue 16's range), BACnet ports 47854-47855.
const SIM_BIND = "127.0.49.10";
const SIM_PORT = 47854;
const SUP_BIND = "127.0.49.1";
const SUP_PORT = 47855;

const FLOW = randomUUID();

/** zone temperature → "round(a)" → the setpoint AV at priority 12, every 200 ms: what the device holds shows what the flow computed. */
const site = buildSitePackage({
  project: { id: "debugger", name: "Debugger", version: "1.0.0" },
  created_at: new Date().toISOString(),
  flows: [zoneToSetpointFlow({ flowId: FLOW, name: "Debugged" })],
});

interface DebugState {
  status: string;
  breakpoints: string[];
  pins: { id: string; label: string; value: unknown; expires_at: string }[];
  paused: null | {
    node_id: string;
    scan: number;
    reason: string;
    writes_in_force: { point: string; priority: number; value: unknown }[];
    nodes: {
      id: string;
      phase: string;
      inputs: Record<string, { value: unknown }> | null;
      outputs: Record<string, { value: unknown }> | null;
    }[];
  };
  dry_run: null | { would_command: { point: string; value: unknown; priority: number }[] };
  errors?: { path: string; code?: string }[];
}

describe("the live debugger on a running flow against the simulator", () => {
  let stack: SiteStack;
  let sup: SupervisorHandle;
  const call = <T = DebugState>(method: string, path: string, body?: unknown, token = sup.token) =>
    api<T>(sup.url, path, { method, body, token });
  const state = async () => (await call("GET", `/api/debug/flows/${FLOW}`)).body;
  /** The value the flow holds at priority 12 in the device's own priority array. */
  const slot12 = () => prioritySlot(sup, SETPOINT, 12);
  const pinZone = (value: number, expires_in_s = 600) =>
    call<{ id: string }>("POST", `/api/debug/flows/${FLOW}/pins`, { point: ZONE, value, expires_in_s });

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
    await deployPackage(sup, site);
    // A pinned zone temperature drives the setpoint the device holds: the pin reaches the building.
    expect((await pinZone(30)).status).toBe(201);
    await eventually(async () => ((await slot12()) === 30 ? true : undefined));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("pauses before a breakpoint with the scan's write held, shows every node, steps and continues", async () => {
    const set = await call("PUT", `/api/debug/flows/${FLOW}/breakpoints`, {
      nodes: ["sp"],
      max_pause_s: 120,
    });
    expect(set.status).toBe(200);
    const paused = await eventually(async () =>
      (await state()).paused?.node_id === "sp" ? state() : undefined,
    );
    expect(paused.paused!.reason).toBe("breakpoint");
    // The command sent before the pause stays in force, and the API says so.
    expect(paused.paused!.writes_in_force).toEqual([
      expect.objectContaining({ point: `${SETPOINT}.presentValue`, priority: 12, value: 30 }),
    ]);
    expect(paused.paused!.nodes.map((n) => [n.id, n.phase])).toEqual([
      ["zone", "evaluated"],
      ["calc", "evaluated"],
      ["sp", "paused"],
    ]);
    expect(paused.paused!.nodes[1]!.inputs?.a?.value).toBe(30);
    expect(paused.paused!.nodes[2]!.inputs?.value?.value).toBe(30);

    // A new pin while paused: the held scan keeps its values and its write stays held.
    await pinZone(31);
    await new Promise((r) => setTimeout(r, 800));
    expect((await state()).paused?.scan).toBe(paused.paused!.scan);
    expect(await slot12()).toBe(30);

    // Step one scan: the held scan finishes and the next stops before its first node.
    const stepped = await call("POST", `/api/debug/flows/${FLOW}/resume`, { mode: "scan" });
    expect(stepped.status).toBe(200);
    const next = await eventually(async () => {
      const s = await state();
      return s.paused?.node_id === "zone" && s.paused.scan > paused.paused!.scan ? s : undefined;
    });
    expect(next.paused!.reason).toBe("step");
    // Step node by node to the breakpoint: the new pin is what this scan read.
    await call("POST", `/api/debug/flows/${FLOW}/resume`, { mode: "node" });
    const atCalc = await eventually(async () =>
      (await state()).paused?.node_id === "calc" ? state() : undefined,
    );
    expect(atCalc.paused!.nodes[0]!.outputs?.value?.value).toBe(31);
    await call("POST", `/api/debug/flows/${FLOW}/resume`, { mode: "node" });
    await eventually(async () => ((await state()).paused?.node_id === "sp" ? true : undefined));
    expect(await slot12()).toBe(30);

    // Clearing the breakpoints lets the held scan go: its write reaches the device.
    await call("PUT", `/api/debug/flows/${FLOW}/breakpoints`, { nodes: [] });
    await eventually(async () => ((await slot12()) === 31 ? true : undefined));
    expect((await state()).paused).toBeNull();
  });

  it("resumes by itself after the maximum pause", async () => {
    await call("PUT", `/api/debug/flows/${FLOW}/breakpoints`, { nodes: ["calc"], max_pause_s: 1 });
    const first = await eventually(async () => (await state()).paused ?? undefined);
    // Nobody resumes: a later scan pauses again, so the first one went on by itself.
    await eventually(async () => ((await state()).paused?.scan ?? 0) > first.scan || undefined, 5000);
    const events = await call<{ logs: { message: string }[] }>("GET", "/api/execution/logs?limit=200");
    expect(JSON.stringify(events.body)).toContain("resumed by itself after the maximum pause of 1000 ms");
    await call("PUT", `/api/debug/flows/${FLOW}/breakpoints`, { nodes: [] });
  });

  it("pins a node input, lists pins site-wide, and drops a pin when it expires", async () => {
    const input = await call<{ id: string }>("POST", `/api/debug/flows/${FLOW}/pins`, {
      node: "sp",
      port: "value",
      value: 27,
      expires_in_s: 2,
    });
    expect(input.status).toBe(201);
    await eventually(async () => ((await slot12()) === 27 ? true : undefined));
    const listed = await call<{ pins: { flow_id: string; label: string }[] }>("GET", "/api/debug/pins");
    expect(listed.body.pins.map((p) => p.label).sort()).toEqual([
      "input sp.value",
      `point ${ZONE}.presentValue`,
    ]);
    // Expired: the wire's value (the pinned zone, 31) is back.
    await eventually(async () => ((await slot12()) === 31 ? true : undefined), 6000);
    expect((await state()).pins.map((p) => p.label)).toEqual([`point ${ZONE}.presentValue`]);
  });

  it("dry run: the writes it would make, with priorities, and none sent", async () => {
    expect((await call("PUT", `/api/debug/flows/${FLOW}/dry-run`, { enabled: true })).status).toBe(200);
    await pinZone(25);
    const dry = await eventually(async () => {
      const s = await state();
      return s.dry_run?.would_command.some((w) => w.value === 25) ? s : undefined;
    });
    expect(dry.dry_run!.would_command).toEqual([
      expect.objectContaining({ point: `${SETPOINT}.presentValue`, value: 25, priority: 12, node_id: "sp" }),
    ]);
    await new Promise((r) => setTimeout(r, 600));
    expect(await slot12()).toBe(31);
    await call("PUT", `/api/debug/flows/${FLOW}/dry-run`, { enabled: false });
    await eventually(async () => ((await slot12()) === 25 ? true : undefined));
  });

  it("refuses bad input with coded problems, viewers, and audits every change", async () => {
    const unknown = await call("PUT", `/api/debug/flows/${FLOW}/breakpoints`, { nodes: ["nope"] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ path: "nodes[0]", code: "unknown_node" }),
    ]);
    const notRead = await call("POST", `/api/debug/flows/${FLOW}/pins`, {
      point: "bacnet:1001/analogInput:9",
      value: 1,
    });
    expect(notRead.body.errors?.[0]?.code).toBe("point_not_read");
    expect((await call("POST", `/api/debug/flows/${FLOW}/resume`, {})).status).toBe(409);

    const viewer = await call<{ secret: string }>("POST", "/api/auth/tokens", {
      name: "debug-viewer",
      role: "viewer",
    });
    const denied = await call(
      "PUT",
      `/api/debug/flows/${FLOW}/breakpoints`,
      { nodes: ["sp"] },
      viewer.body.secret,
    );
    expect(denied.status).toBe(403);
    expect((await call("GET", `/api/debug/flows/${FLOW}`, undefined, viewer.body.secret)).status).toBe(200);

    const audit = await call<{ records: AuditRecord[] }>("GET", "/api/audit?limit=1000");
    const actions = audit.body.records
      .filter((r) => r.action.startsWith("debug."))
      .map((r) => `${r.action}:${r.result}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        "debug.breakpoints:ok",
        "debug.resume:ok",
        "debug.pin:ok",
        "debug.dry_run:ok",
        "debug.breakpoints:denied",
      ]),
    );
  });

  it("stops a paused flow without waiting for the pause", async () => {
    await call("PUT", `/api/debug/flows/${FLOW}/breakpoints`, { nodes: ["sp"], max_pause_s: 600 });
    await eventually(async () => (await state()).paused ?? undefined);
    const started = Date.now();
    const stopped = await call("POST", `/api/flows/${FLOW}/stop`);
    expect(stopped.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await state()).paused).toBeNull();
    // Stopped: the flow relinquished its command.
    await eventually(async () => ((await slot12()) === null ? true : undefined));
  });
});
