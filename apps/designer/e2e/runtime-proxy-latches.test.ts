import { buildSitePackage, type FlowConfigurationInput } from "@bms/schemas";
import { api, eventually, type SupervisorHandle, startSupervisor } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DesignerHandle, startDesigner } from "./support/designer";

// Reserved for this file: 127.0.64.0/24. The supervisor's BACnet socket is 127.0.64.1:47896 and its
// broadcast 127.0.64.255 (nothing listens there: these flows read no points, so no device is needed).
const BACNET_BIND = "127.0.64.1";
const BACNET_PORT = 47896;

const A = "5c0e6a10-64a1-4b2c-9d3e-0f1a2b3c4d01";
const B = "5c0e6a10-64a1-4b2c-9d3e-0f1a2b3c4d02";
const LATCH = "pumps/failed1";

/**
 * Two plants drawn from one template, as the demo site's CHW and HW flows are: each has a sub-flow node
 * "pumps" holding a latch "failed1", set while the flow's parameter "arm" is true. The supervisor names
 * that latch by its path, `pumps/failed1`, in both flows: only `?flow_id=` tells them apart.
 */
function plant(flowId: string, name: string): FlowConfigurationInput {
  return {
    metadata: { flow_id: flowId, flow_name: name, version: "1.0.0", generated_at: new Date().toISOString() },
    execution: {
      trigger: { type: "interval", interval_ms: 200 },
      error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" },
    },
    nodes: [
      { id: "arm", type: "parameter", label: "Arm", config: { name: "arm", default: true } },
      {
        id: "pumps",
        type: "subflow",
        label: "Pumps",
        config: {
          flow: {
            nodes: [
              { id: "fault", type: "subflow_input", config: { name: "in1" } },
              { id: "failed1", type: "latch", label: "Pump 1 failed to run", config: {} },
              { id: "out", type: "subflow_output", config: { name: "out1" } },
            ],
            connections: [
              { from_node: "fault", from_output: "value", to_node: "failed1", to_input: "set" },
              { from_node: "failed1", from_output: "q", to_node: "out", to_input: "value" },
            ],
          },
        },
      },
    ],
    connections: [{ from_node: "arm", from_output: "value", to_node: "pumps", to_input: "in1" }],
  };
}

interface LatchRow {
  node_id: string;
  flow_id: string;
  q: boolean | null;
}

describe("the Designer's runtime proxy and a latch inside a sub-flow (pumps/failed1), per flow", () => {
  let sup: SupervisorHandle;
  let designer: DesignerHandle;
  /** Through the Designer, signed in as its test admin (api() sends the session, Origin and CSRF token). */
  const viaDesigner = <T = unknown>(method: string, path: string, body?: unknown) =>
    api<T & { code?: string; error?: string; errors?: { code?: string }[] }>(
      designer.url,
      `/api/runtime/${path}`,
      { method, ...(body !== undefined ? { body } : {}) },
    );
  const latches = async () =>
    (await viaDesigner<{ latches: LatchRow[] }>("GET", "execution/latches")).body.latches.filter(
      (l) => l.node_id === LATCH,
    );
  const q = async (flowId: string) => (await latches()).find((l) => l.flow_id === flowId)?.q;
  const resetPath = `execution/latches/${encodeURIComponent(LATCH)}/reset`;

  beforeAll(async () => {
    sup = await startSupervisor({
      bacnetBind: BACNET_BIND,
      bacnetPort: BACNET_PORT,
      broadcast: `127.0.64.255:${BACNET_PORT}`,
    });
    const deployed = await api(sup.url, "/api/config/deploy", {
      token: sup.token,
      body: buildSitePackage({
        project: { id: "plants", name: "Plants", version: "1.0.0" },
        flows: [plant(A, "CHW plant"), plant(B, "HW plant")],
        created_at: new Date().toISOString(),
      }),
    });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    designer = await startDesigner({ supervisorUrl: sup.url, supervisorToken: sup.token });
    // Both latches set (arm is true in both flows) before any test resets one.
    await eventually(async () => ((await q(A)) === true && (await q(B)) === true ? true : undefined));
  });

  afterAll(async () => {
    await designer?.stop();
    await sup?.stop();
  });

  it("lists the nested latch of both flows by its path", async () => {
    expect((await latches()).map((l) => l.flow_id).sort()).toEqual([A, B]);
  });

  it("passes the supervisor's refusal through when the path is in two flows and no flow_id is given", async () => {
    const ambiguous = await viaDesigner("POST", resetPath);
    expect(ambiguous.status, JSON.stringify(ambiguous.body)).toBe(409);
    expect(ambiguous.body.errors?.map((e) => e.code)).toEqual(["ambiguous", "ambiguous"]);
    expect(await q(A)).toBe(true);
    expect(await q(B)).toBe(true);
  });

  it("resets the nested latch of the named flow only, and the supervisor audits it for the signed-in person", async () => {
    // Disarm A first, or the still-asserted set would latch it again on the next scan.
    const disarm = await viaDesigner("PUT", `execution/parameters/arm?flow_id=${A}`, { value: false });
    expect(disarm.status, JSON.stringify(disarm.body)).toBe(200);
    const reset = await viaDesigner<{ node_id: string; flow_id: string; reset: boolean }>(
      "POST",
      `${resetPath}?flow_id=${A}`,
    );
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body).toMatchObject({ node_id: LATCH, flow_id: A, reset: true });
    await eventually(async () => ((await q(A)) === false ? true : undefined));
    expect(await q(B)).toBe(true);

    // The refused attempt without flow_id is recorded too (failed); the reset is the one that succeeded.
    const audit = await api<{
      records: {
        result: string;
        target: string | null;
        actor: { on_behalf_of?: string };
        details?: { flow_id?: string };
      }[];
    }>(sup.url, "/api/audit?action=latch.reset", { token: sup.token });
    expect(audit.status).toBe(200);
    expect(
      audit.body.records
        .filter((r) => r.result === "ok")
        .map((r) => [r.target, r.actor.on_behalf_of, r.details?.flow_id]),
    ).toEqual([[LATCH, "admin", A]]);
    expect(audit.body.records.filter((r) => r.result === "failed").map((r) => r.target)).toEqual([LATCH]);
  });

  it("answers 404 for a nested latch that no flow has, and refuses a path that climbs out", async () => {
    const missing = await viaDesigner("POST", `execution/latches/${encodeURIComponent("pumps/none")}/reset`);
    expect(missing.status, JSON.stringify(missing.body)).toBe(404);
    const climbing = await viaDesigner("POST", `execution/latches/${encodeURIComponent("../..")}/reset`);
    expect(climbing.status).toBe(400);
    expect(climbing.body.code).toBe("invalid_path");
  });
});
