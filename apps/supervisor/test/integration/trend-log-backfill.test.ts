import type { BACNetObjectID } from "@bacnet-js/client";
import {
  api,
  discoverDevice,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
  tempDir,
  writeSiteFile,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe } from "../bacnet-probe";

// Trend logs end to end over real UDP: the simulated controller logs a point every second; the
// supervisor is stopped for a while, started again on the same data directory, and must fill the gap
// in its history from the device's Trend Log, sample by sample, and mark what it filled.
// 127.0.62.x belongs to this file (ports 47813-47815 on it).
const SIM_BIND = "127.0.62.2";
const SIM_PORT = 47813;
const SUP_BIND = "127.0.62.1";
const SUP_PORT = 47814;
const PROBE = { bind: "127.0.62.3", port: 47815 };
const DEVICE = 6201;
const REF = `bacnet:${DEVICE}/analogInput:1`;
const TREND_LOG = { type: 20, instance: 1 } as BACNetObjectID;

function siteFile(): string {
  const site = {
    name: "Trend logs",
    devices: [
      {
        instance: DEVICE,
        name: "AHU Logger",
        objects: [
          {
            type: "analogInput",
            instance: 1,
            name: "Supply Temp",
            units: "degreesCelsius",
            signal: { kind: "sine", mean: 18, amplitude: 3, periodS: 40 },
          },
        ],
        trendLogs: [
          { instance: 1, name: "Supply Temp Log", object: "analogInput:1", intervalS: 1, bufferSize: 600 },
        ],
      },
    ],
  };
  return writeSiteFile("trend-site", site);
}

interface Sample {
  t: number;
  last: number | null;
  quality: string;
}
interface Series {
  point: string;
  samples: Sample[];
  backfilled: { from: number; to: number; samples: number; source: string }[];
}

describe("trend log backfill over BACnet/IP", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle | undefined;
  const dataDir = tempDir("trend-supervisor");
  const start = () =>
    startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      dataDir,
      env: { BMS_TREND_BACKFILL_INTERVAL_S: "2", BMS_HISTORY_MIN_INTERVAL_MS: "1000" },
    });
  const history = async (from: number, to: number) => {
    const { body } = await api<{ series: Series[] }>(
      sup!.url,
      `/api/data/timeseries?points=${encodeURIComponent(REF)}&from=${from}&to=${to}&bucket=0`,
    );
    return body.series[0]!;
  };

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: siteFile() });
    sup = await start();
    await discoverDevice(sup, DEVICE);
    const watch = await api(sup.url, "/api/data/watch", {
      method: "PUT",
      body: { points: [REF] },
      token: sup.token,
    });
    expect(watch.status).toBe(200);
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("answers ReadRange by position, by sequence number and by time with the same records", async () => {
    const probe = await openProbe(PROBE.bind, PROBE.port);
    try {
      const at = { address: `${SIM_BIND}:${SIM_PORT}` };
      await new Promise((r) => setTimeout(r, 3500));
      const byPosition = await probe.client.readRange(at, TREND_LOG, 1, 3);
      expect(byPosition.itemCount).toBe(3);
      const bySequence = await probe.client.readRange(at, TREND_LOG, 1, 3, { rangeType: 1 });
      expect(bySequence.firstSequence).toBe(1);
      expect(bySequence.values?.map((r) => r.timestamp.getTime())).toEqual(
        byPosition.values?.map((r) => r.timestamp.getTime()),
      );
      const firstTs = byPosition.values![0]!.timestamp;
      const byTime = await probe.client.readRange(at, TREND_LOG, 0, 2, {
        rangeType: 2,
        referenceTime: firstTs,
      });
      // By time gives the records strictly after the reference: the 2nd and 3rd.
      expect(byTime.firstSequence).toBe(2);
      expect(byTime.values?.map((r) => r.value)).toEqual(byPosition.values?.slice(1).map((r) => r.value));
      // Backwards from the newest: a negative count.
      const newest = await probe.client.readRange(at, TREND_LOG, 3, -2);
      expect(newest.values?.map((r) => r.value)).toEqual(byPosition.values?.slice(1).map((r) => r.value));
    } finally {
      probe.close();
    }
  });

  it("fills the gap a supervisor outage left, sample by sample, and marks it", async () => {
    await new Promise((r) => setTimeout(r, 3000));
    const stoppedAt = Date.now();
    await sup!.stop();
    sup = undefined;
    await new Promise((r) => setTimeout(r, 8000));
    const restartedAt = Date.now();
    sup = await start();

    // The device's own records over the outage, read independently of the supervisor.
    const probe = await openProbe(PROBE.bind, PROBE.port);
    let device: { ts: number; value: number }[];
    try {
      const answer = await probe.client.readRange({ address: `${SIM_BIND}:${SIM_PORT}` }, TREND_LOG, 0, 40, {
        rangeType: 2,
        referenceTime: new Date(stoppedAt - 15_000),
      });
      device = (answer.values ?? []).map((r) => ({ ts: r.timestamp.getTime(), value: r.value as number }));
    } finally {
      probe.close();
    }
    const outage = device.filter((r) => r.ts > stoppedAt + 1000 && r.ts < restartedAt - 1000);
    expect(outage.length).toBeGreaterThanOrEqual(6);

    let series: Series | undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      series = await history(stoppedAt - 20_000, Date.now());
      // Ranges from the first run (the log's records from before any history) do not count here.
      if (series.backfilled.some((r) => r.from < restartedAt && r.to > stoppedAt + 1000)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(series?.backfilled.length).toBeGreaterThan(0);
    const byTs = new Map(series!.samples.map((s) => [s.t, s]));
    for (const record of outage) {
      const stored = byTs.get(record.ts);
      expect(stored, `record at ${new Date(record.ts).toISOString()}`).toBeDefined();
      // REAL on the wire: the stored value is the device's float32, exactly.
      expect(stored!.last).toBe(record.value);
      expect(stored!.quality).toBe("good");
      expect(series!.backfilled.some((r) => r.from <= record.ts && record.ts <= r.to)).toBe(true);
    }
    // Nothing stored twice: one sample per timestamp, and the ranges count what was imported.
    expect(byTs.size).toBe(series!.samples.length);
    const counted = series!.backfilled.reduce((n, r) => n + r.samples, 0);
    const inRanges = series!.samples.filter((s) =>
      series!.backfilled.some((r) => r.from <= s.t && s.t <= r.to),
    ).length;
    expect(counted).toBeLessThanOrEqual(inRanges);
    expect(counted).toBeGreaterThanOrEqual(outage.length);

    // A second pass reads on from the cursor and imports nothing again.
    const before = (await history(stoppedAt - 20_000, restartedAt)).samples.length;
    await new Promise((r) => setTimeout(r, 4500));
    expect((await history(stoppedAt - 20_000, restartedAt)).samples.length).toBe(before);
  });
});
