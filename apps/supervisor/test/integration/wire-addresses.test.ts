import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe } from "../bacnet-probe";
import { type FakeDevice, startFakeDevice } from "../fake-device";

// 127.0.9.x and 47860-47865 belong to this file.
const REAL = { bind: "127.0.9.2", port: 47860 };
const MOVED = { bind: "127.0.9.3", port: 47861 };
const SUP_PORT = 47862;
const PINNED_SUP_PORT = 47863;
const FORGER = { bind: "127.0.9.50", port: 47864 };
const PROBE_PORT = 47865;
const REAL_ADDRESS = `${REAL.bind}:${REAL.port}`;
const MOVED_ADDRESS = `${MOVED.bind}:${MOVED.port}`;
const FORGER_ADDRESS = `${FORGER.bind}:${FORGER.port}`;
const BO1 = "bacnet:1001/binaryOutput:1.presentValue";

interface Devices {
  devices: { device_id: number; address: string }[];
}
interface Metrics {
  bacnet: { devices_known: number; wire: Record<string, number> };
}
interface Logs {
  logs: { level: string; source: string; message: string; data?: Record<string, unknown> }[];
}

/**
 * An I-Am is a claim anyone can send. These tests send forged ones at a real supervisor and check,
 * on the simulated devices themselves, where its writes land.
 */
describe("I-Am for a known device from a new address", () => {
  let real: SimulatorHandle;
  let moved: SimulatorHandle;
  let sup: SupervisorHandle;
  let forger: FakeDevice;
  let probe: Awaited<ReturnType<typeof openProbe>>;

  const addressOf = async (s: SupervisorHandle) =>
    (await api<Devices>(s.url, "/api/devices")).body.devices.find((d) => d.device_id === 1001)?.address;
  const logs = async (s: SupervisorHandle) =>
    (await api<Logs>(s.url, "/api/execution/logs?limit=500")).body.logs.filter((l) => l.source === "bacnet");
  const scanDone = (s: SupervisorHandle) =>
    eventually(async () => {
      const { body } = await api<{ scan_status: string }>(s.url, "/api/devices/discovery");
      return body.scan_status === "complete" ? true : undefined;
    });
  const discover = (s: SupervisorHandle, targets?: string[]) =>
    api(s.url, "/api/devices/discover?wait=true", {
      body: { timeout_ms: 500, ...(targets ? { targets } : {}) },
      token: s.token,
    });
  /** Answers to confirmed requests a simulator has sent (its own counter; I-Am is not one). */
  const repliesOf = async (sim: SimulatorHandle) =>
    (await api<{ stats: { replies: number } }>(sim.webUrl, "/api/health")).body.stats.replies;
  const write = async (value: boolean | null, priority: number) => {
    const { body } = await api<{ results: { ok: boolean; error?: string }[] }>(sup.url, "/api/points/write", {
      body: { writes: [{ point: BO1, value, priority }] },
      token: sup.token,
    });
    return body.results[0];
  };
  /** The priority slot as the device itself holds it (BACnet read by an independent client). */
  const slot = async (address: string, priority: number) =>
    (await probe.read(address, 4, 1, 87, priority))[0];

  beforeAll(async () => {
    // Two simulators serve device 1001: the real one, and one at another address (a twin, then the
    // device after a move). The second one's port is not the supervisor's broadcast port, so it only
    // speaks when asked directly.
    [real, moved] = await Promise.all([
      startSimulator({ bind: REAL.bind, port: REAL.port, site: "skeleton" }),
      startSimulator({ bind: MOVED.bind, port: MOVED.port, site: "skeleton" }),
    ]);
    sup = await startSupervisor({ bacnetPort: SUP_PORT, broadcast: `127.255.255.255:${REAL.port}` });
    forger = await startFakeDevice({ instance: 4242, bind: FORGER.bind, port: FORGER.port });
    probe = await openProbe("127.0.0.1", PROBE_PORT);
    await eventually(async () => ((await addressOf(sup)) === REAL_ADDRESS ? true : undefined));
    // A discovery request made while the start-up scan runs joins that scan (and its targets are not sent).
    await scanDone(sup);
  });

  afterAll(async () => {
    probe?.close();
    forger?.close();
    await sup?.stop();
    await Promise.all([real?.stop(), moved?.stop()]);
  });

  it("a forged I-Am (nothing answers as 1001 there) does not redirect writes", async () => {
    forger.announce(`127.0.0.1:${SUP_PORT}`, 1001);
    const refused = await eventually(async () =>
      (await logs(sup)).find(
        (l) => l.message === `device 1001: the new address ${FORGER_ADDRESS} was not adopted`,
      ),
    );
    expect(refused.data).toMatchObject({ known: REAL_ADDRESS, claimed: FORGER_ADDRESS });
    expect(await addressOf(sup)).toBe(REAL_ADDRESS);

    expect(await write(true, 9)).toMatchObject({ ok: true });
    expect(await slot(REAL_ADDRESS, 9)).toBe(1);
    expect(await write(null, 9)).toMatchObject({ ok: true });
  });

  it("a real move (answers at the new address, no longer at the old) is adopted after confirmation", async () => {
    await api(real.webUrl, "/api/devices/1001/faults", { body: { offline: true } });
    // A directed Who-Is makes the device at the new address send its I-Am to the supervisor.
    await discover(sup, [MOVED_ADDRESS]);
    await eventually(async () => ((await addressOf(sup)) === MOVED_ADDRESS ? true : undefined), 15_000);
    const messages = (await logs(sup)).map((l) => l.message);
    expect(messages).toContain(
      `device 1001 announced itself from ${MOVED_ADDRESS}; confirming before using it`,
    );
    expect(messages).toContain(
      `device 1001 moved from ${REAL_ADDRESS} to ${MOVED_ADDRESS} (confirmed by reading it there)`,
    );

    expect(await write(true, 11)).toMatchObject({ ok: true });
    expect(await slot(MOVED_ADDRESS, 11)).toBe(1);
    expect(await write(null, 11)).toMatchObject({ ok: true });
  });

  it("an imitation that answers as 1001 is not adopted while the device answers where it is known", async () => {
    // The old controller comes back at the old address: two devices now claim instance 1001.
    await api(real.webUrl, "/api/devices/1001/faults", { body: { offline: false } });
    await discover(sup);
    const refused = await eventually(
      async () =>
        (await logs(sup)).find(
          (l) => l.message === `device 1001: the new address ${REAL_ADDRESS} was not adopted`,
        ),
      15_000,
    );
    expect(String(refused.data?.reason)).toContain("still answers at its known address");
    expect(await addressOf(sup)).toBe(MOVED_ADDRESS);

    expect(await write(true, 12)).toMatchObject({ ok: true });
    expect(await slot(MOVED_ADDRESS, 12)).toBe(1);
    expect(await slot(REAL_ADDRESS, 12)).toBeNull();
    expect(await write(null, 12)).toMatchObject({ ok: true });
  });

  it("a pinned device ignores I-Ams from elsewhere, and is never probed there", async () => {
    const pinned = await startSupervisor({
      bacnetPort: PINNED_SUP_PORT,
      broadcast: `127.255.255.255:${REAL.port}`,
      extraArgs: ["--bacnet-pin", `1001=${REAL_ADDRESS}`],
    });
    try {
      expect(await addressOf(pinned)).toBe(REAL_ADDRESS);
      await scanDone(pinned);
      const servedBefore = await repliesOf(moved);
      await discover(pinned, [MOVED_ADDRESS]);
      forger.announce(`127.0.0.1:${PINNED_SUP_PORT}`, 1001);
      const ignored = await eventually(async () => {
        const found = (await logs(pinned)).filter(
          (l) => l.message === "device 1001 is pinned: an I-Am for it from another address was ignored",
        );
        return found.length > 0 && found.some((l) => l.data?.from === MOVED_ADDRESS) ? found : undefined;
      });
      expect(ignored[0]?.data).toMatchObject({ pinned: REAL_ADDRESS });
      const metrics = (await api<Metrics>(pinned.url, "/api/monitoring/metrics")).body.bacnet.wire;
      expect(metrics.iam_pinned_ignored).toBeGreaterThanOrEqual(2);
      expect(metrics.address_confirmations).toBe(0);
      // No confirmed request (no confirmation read) reached the device at the other address.
      expect((await repliesOf(moved)) - servedBefore).toBe(0);
      expect(await addressOf(pinned)).toBe(REAL_ADDRESS);

      const { body } = await api<{ results: { ok: boolean }[] }>(pinned.url, "/api/points/write", {
        body: { writes: [{ point: BO1, value: true, priority: 13 }] },
        token: pinned.token,
      });
      expect(body.results[0]).toMatchObject({ ok: true });
      expect(await slot(REAL_ADDRESS, 13)).toBe(1);
      expect(await slot(MOVED_ADDRESS, 13)).toBeNull();
    } finally {
      await pinned.stop();
    }
  });
});
