import { api, eventually, type SupervisorHandle, startSupervisor } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDevice, startFakeDevice } from "../fake-device";

// 127.0.11.x and 47870-47872 belong to this file.
const SUP_PORT = 47870;
const FLOODER = { bind: "127.0.11.50", port: 47871 };
const BROADCAST_PORT = 47872; // nothing listens there: this supervisor discovers no one by itself
const FAKE_INSTANCES = 100_000;
const CAP = 5000; // the default BMS_BACNET_MAX_DEVICES

interface Metrics {
  memory: { rss_bytes: number; heap_used_bytes: number };
  bacnet: { devices_known: number; packets_received: number; wire: Record<string, number> };
}

async function timed<T>(call: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await call();
  return performance.now() - start;
}

describe("an I-Am flood of 100,000 fake instances", () => {
  let sup: SupervisorHandle;
  let flooder: FakeDevice;
  const metrics = async () => (await api<Metrics>(sup.url, "/api/monitoring/metrics")).body;

  beforeAll(async () => {
    sup = await startSupervisor({ bacnetPort: SUP_PORT, broadcast: `127.255.255.255:${BROADCAST_PORT}` });
    flooder = await startFakeDevice({ instance: 1, ...FLOODER });
  });

  afterAll(async () => {
    flooder?.close();
    await sup?.stop();
  });

  it("creates at most the capped number of devices, keeps memory bounded and the API responsive", async () => {
    // Settle: the start-up discovery is over, the heap has warmed up.
    await new Promise((r) => setTimeout(r, 3500));
    const before = await metrics();

    const latencies: number[] = [];
    let flooding = true;
    const poller = (async () => {
      while (flooding) {
        latencies.push(await timed(() => api(sup.url, "/api/health")));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = performance.now();
    for (let instance = 1; instance <= FAKE_INSTANCES; instance++) {
      // Well-formed I-Ams (the library's encoder), each a different device instance.
      flooder.announce(`127.0.0.1:${SUP_PORT}`, instance);
      // Paced (50 per 2 ms timer tick) so most of them reach the process rather than overflow the socket buffer.
      if (instance % 50 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    const floodMs = performance.now() - started;
    // Settle: the decoded datagrams are garbage by now, and an idle process collects most of it.
    await new Promise((r) => setTimeout(r, 3000));
    flooding = false;
    await poller;

    const after = await metrics();
    const received = after.bacnet.packets_received - before.bacnet.packets_received;
    const rssGrowthMb = (after.memory.rss_bytes - before.memory.rss_bytes) / 1_048_576;
    const heapGrowthMb = (after.memory.heap_used_bytes - before.memory.heap_used_bytes) / 1_048_576;
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)] ?? 0;
    const worst = latencies.at(-1) ?? 0;
    console.log(
      `[wire-flood] ${FAKE_INSTANCES} I-Ams sent in ${floodMs.toFixed(0)} ms, ${received} received; ` +
        `devices ${before.bacnet.devices_known} -> ${after.bacnet.devices_known}; over cap ${after.bacnet.wire.iam_over_cap}; ` +
        `RSS ${(before.memory.rss_bytes / 1_048_576).toFixed(1)} -> ${(after.memory.rss_bytes / 1_048_576).toFixed(1)} MB, ` +
        `heap +${((after.memory.heap_used_bytes - before.memory.heap_used_bytes) / 1_048_576).toFixed(1)} MB; ` +
        `/api/health p50 ${p50.toFixed(1)} ms, worst ${worst.toFixed(1)} ms over ${latencies.length} calls`,
    );

    // The flood really reached the process: far more I-Ams than the cap.
    expect(received).toBeGreaterThan(CAP * 4);
    expect(after.bacnet.devices_known).toBe(CAP);
    expect(after.bacnet.wire.iam_over_cap).toBe(received - CAP);
    // 5,000 devices cost a few MB of live heap; 100,000 would have cost tens (and 100,000 rows on disk).
    // RSS also holds the young generation's headroom from decoding ~100,000 datagrams, which V8 keeps
    // mapped for a while (measured 100 MB in one CI run, under 60 MB in others): it gets a looser bound.
    expect(heapGrowthMb).toBeLessThan(60);
    expect(rssGrowthMb).toBeLessThan(160);
    expect(p50).toBeLessThan(200);
    expect(worst).toBeLessThan(2000);

    // The device list on disk holds the cap too, and the refusals are one folded event, not 95,000 rows.
    const { body } = await api<{ devices: unknown[] }>(sup.url, "/api/devices");
    expect(body.devices).toHaveLength(CAP);
    const logs = await api<{ logs: { message: string }[] }>(sup.url, "/api/execution/logs?limit=5000");
    const capEvents = logs.body.logs.filter((l) => l.message.includes(`device cap (${CAP}) is reached`));
    expect(capEvents).toHaveLength(1);

    // Still a working supervisor afterwards: health answers at once.
    expect(
      await timed(() =>
        eventually(async () => (await api(sup.url, "/api/health")).status === 200 || undefined),
      ),
    ).toBeLessThan(500);
  });
});
