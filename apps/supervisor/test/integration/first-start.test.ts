import { OBJECT_TYPES, PROPERTIES } from "@bms/bacnet";
import { DEMO_FLOW_IDS, DEMO_PROJECT } from "@bms/nodes/starters";
import { buildSitePackage } from "@bms/schemas";
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

// Reserved for this file: 127.0.46.0/24, BACnet ports 47884-47886.
const SIM_BIND = "127.0.46.2";
const SIM_PORT = 47884;
const SUP_PORT = 47885;
const PROBE_PORT = 47886;
// The demo building's IP devices take consecutive addresses from SIM_BIND: the CHW plant (2005) is the
// fifteenth (apps/simulator/src/site/demo-site.test.ts pins the order). The ten VAV boxes sit behind
// the router (the address after the last device's, the eighteenth) on network 2001, MAC = box number.
const ROUTER = "127.0.46.19:47884";
const VAV1 = { address: ROUTER, net: 2001, adr: [1] };
const CHW = "127.0.46.16:47884";

interface FlowRow {
  flow_id: string;
  name: string;
  status: string;
  scan_count: number;
  last_error: string | null;
}
interface ConfigAnswer {
  active_version: number | null;
  versions: { version: number; project_id: string; project_version: number | null }[];
}

describe("quick start: the first start deploys the demo site, later starts keep the user's", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle | undefined;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  const dataDir = tempDir("first-start");
  const start = () =>
    startSupervisor({
      bacnetBind: "127.0.46.1",
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      dataDir,
      extraArgs: ["--first-start-demo"],
    });
  const flows = async (s: SupervisorHandle) =>
    (await api<{ flows: FlowRow[] }>(s.url, "/api/flows")).body.flows;
  const configs = async (s: SupervisorHandle) =>
    (await api<ConfigAnswer>(s.url, "/api/config/history", { token: s.token })).body;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "demo" });
    probe = await openProbe("127.0.46.1", PROBE_PORT);
  });

  afterAll(async () => {
    probe?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("runs the five demo flows within a minute of the banner and commands the building", async () => {
    const startedAt = Date.now();
    sup = await start();
    const s = sup;
    const running = await eventually(async () => {
      const list = await flows(s);
      return list.length === 5 && list.every((f) => f.status === "running" && f.scan_count > 0)
        ? list
        : undefined;
    }, 60_000);
    expect(Date.now() - startedAt).toBeLessThan(60_000);
    expect(running.map((f) => f.flow_id).sort()).toEqual(Object.values(DEMO_FLOW_IDS).sort());
    expect(running.filter((f) => f.last_error !== null)).toEqual([]);
    // The VAV instance commands VAV-1's damper and the lead/lag pumps start one CHW pump, at priority 16.
    await eventually(async () => {
      const damper = await probe.read(VAV1, OBJECT_TYPES.analogOutput, 1, PROPERTIES.priorityArray, 16);
      return typeof damper[0] === "number" ? true : undefined;
    }, 30_000);
    await eventually(async () => {
      const [p1] = await probe.read(CHW, OBJECT_TYPES.binaryOutput, 51, PROPERTIES.priorityArray, 16);
      const [p2] = await probe.read(CHW, OBJECT_TYPES.binaryOutput, 61, PROPERTIES.priorityArray, 16);
      return [p1, p2].filter((v) => v === 1).length === 1 ? true : undefined;
    }, 30_000);
    // The supervisor found the boxes behind the router with its global Who-Is, each with its route.
    const listed = await api<{
      devices: { device_id: number; network: number | null; mac: number[] | null }[];
    }>(s.url, "/api/devices");
    const vavs = listed.body.devices
      .filter((d) => d.device_id >= 3001 && d.device_id <= 3010)
      .sort((a, b) => a.device_id - b.device_id);
    expect(vavs.map((d) => [d.device_id, d.network, d.mac])).toEqual(
      Array.from({ length: 10 }, (_, i) => [3001 + i, 2001, [1 + i]]),
    );
    const history = await configs(s);
    expect(history.versions.map((v) => v.project_id)).toEqual([DEMO_PROJECT.id]);
    // The Designer seeds "Demo building" as its v1 from the same document: its editor then reads
    // "project v1 → running as config v1", not "project (version not recorded)".
    expect(history.versions[0]?.project_version).toBe(1);
    // The supervisor's own deploy is in the audit trail, by a system actor.
    const audit = await api<{
      records: { action: string; actor: { kind: string; name: string }; result: string }[];
    }>(s.url, "/api/audit?action=config.deploy", { token: s.token });
    expect(audit.body.records).toEqual([
      expect.objectContaining({
        action: "config.deploy",
        result: "ok",
        actor: expect.objectContaining({ kind: "system", name: "first start" }),
      }),
    ]);
  });

  it("a restart resumes what runs without deploying the demo again", async () => {
    await sup?.stop();
    sup = await start();
    const s = sup;
    await eventually(async () => ((await flows(s)).every((f) => f.status === "running") ? true : undefined));
    expect((await configs(s)).versions).toHaveLength(1);
  });

  it("never replaces a user's deploy: their site survives the next start untouched", async () => {
    const s = sup!;
    const mine = skeletonFlow({ limit: 24, name: "My cooling", intervalMs: 500 });
    const pkg = buildSitePackage({
      project: { id: "my-building", name: "My building", version: "1.0.0" },
      flows: [mine],
      created_at: new Date().toISOString(),
    });
    const deployed = await api(s.url, "/api/config/deploy?mode=replace", { body: pkg, token: s.token });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    await s.stop();
    sup = await start();
    const again = sup;
    const list = await eventually(async () => {
      const l = await flows(again);
      return l.length === 1 && l[0]!.scan_count > 0 ? l : undefined;
    });
    expect(list.map((f) => f.name)).toEqual(["My cooling"]);
    const history = await configs(again);
    expect(history.versions.map((v) => v.project_id)).toEqual(["my-building", DEMO_PROJECT.id]);
  });
});
