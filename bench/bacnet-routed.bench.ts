// Routed-polling benchmark (issue 14), run by `pnpm bench bacnet-routed`. The supervisor's BacnetService
// polls 4 router networks × 25 MS/TP-like devices × 20 points behind the simulator's BACnet/IP-to-MS/TP
// router (trunk latency 30-150 ms per request, one transaction per trunk at a time). Reports:
//  - the achieved scan time against the floor: per trunk, the sum of the latencies of the requests a
//    scan needs there; trunks run in parallel, so the floor is the slowest trunk's sum (ratio ≤ 1.3 is
//    the goal);
//  - requests per device per scan;
//  - the most requests ever outstanding to one MS/TP device (must be 1; the run fails otherwise).
// Results: bench/results/bacnet-routed.json. BENCH_SCANS sets the number of scans (default 5).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BacnetPointRef } from "@bms/schemas";
import { api, REPO_ROOT, startSimulator } from "@bms/test-support";
import { BacnetService } from "../apps/supervisor/src/protocols/bacnet/bacnet-service";

const NETWORKS = [2001, 2002, 2003, 2004];
const PER_NETWORK = 25;
const SIM_BIND = "127.0.43.100";
const SIM_PORT = 47859;
const SERVICE_PORT = 47833;
const SCANS = Number(process.env.BENCH_SCANS ?? 5);

interface Station {
  instance: number;
  latency_ms: number;
  requests: number;
  max_outstanding: number;
}
interface Trunk {
  network: number;
  busyMs: number;
  stations: Station[];
}
interface SimNetwork {
  router: { networks: Trunk[] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const sim = await startSimulator({
    bind: SIM_BIND,
    port: SIM_PORT,
    site: "skeleton",
    extraArgs: ["--broadcast", "127.0.43.255", "--routed", `${NETWORKS.join(",")}:${PER_NETWORK}`],
  });
  const service = new BacnetService({
    bindAddress: "127.0.43.1",
    port: SERVICE_PORT,
    broadcast: `127.0.43.255:${SIM_PORT}`,
    requestTimeoutMs: 2000,
    retries: 2,
    perDeviceConcurrency: 4,
    maxInFlight: 200,
    offlineAfterFailures: 2,
  });
  try {
    await service.start();
    const found = await service.discover({ timeoutMs: 3000 });
    const routed = found.filter((d) => d.address.net !== undefined);
    if (routed.length !== NETWORKS.length * PER_NETWORK) {
      throw new Error(`found ${routed.length} routed devices, expected ${NETWORKS.length * PER_NETWORK}`);
    }
    const refs: BacnetPointRef[] = routed.flatMap((d) =>
      Array.from({ length: 10 }, (_, i) => i + 1).flatMap((instance) => [
        {
          protocol: "bacnet" as const,
          device: d.deviceId,
          objectType: "analogInput" as const,
          instance,
          property: "presentValue",
        },
        {
          protocol: "bacnet" as const,
          device: d.deviceId,
          objectType: "analogValue" as const,
          instance,
          property: "presentValue",
        },
      ]),
    );
    // One warm-up scan (address resolution, limiter creation), then the measured scans.
    await service.readPoints(refs);
    const before = (await api<SimNetwork>(sim.webUrl, "/api/network")).body.router.networks;
    const scanMs: number[] = [];
    let good = 0;
    for (let s = 0; s < SCANS; s++) {
      const started = performance.now();
      const results = await service.readPoints(refs);
      scanMs.push(performance.now() - started);
      good += results.filter((r) => r.quality === "good").length;
    }
    const after = (await api<SimNetwork>(sim.webUrl, "/api/network")).body.router.networks;
    // The floor of one scan: per trunk, Σ latency × requests that scan made there; the slowest trunk.
    const trunkFloors = after.map((trunk) => {
      const was = before.find((t) => t.network === trunk.network);
      const requests = trunk.stations.map(
        (st) => st.requests - (was?.stations.find((w) => w.instance === st.instance)?.requests ?? 0),
      );
      const floorMs = trunk.stations.reduce(
        (sum, st, i) => sum + (st.latency_ms * (requests[i] ?? 0)) / SCANS,
        0,
      );
      return {
        network: trunk.network,
        floor_ms: Math.round(floorMs),
        requests: requests.reduce((a, b) => a + b, 0),
      };
    });
    const floorMs = Math.max(...trunkFloors.map((t) => t.floor_ms));
    const totalRequests = trunkFloors.reduce((sum, t) => sum + t.requests, 0);
    const maxOutstanding = Math.max(...after.flatMap((t) => t.stations.map((s) => s.max_outstanding)));
    const scan = median(scanMs);
    const result = {
      measured_at: new Date().toISOString(),
      topology: `${NETWORKS.length} networks x ${PER_NETWORK} MS/TP-like devices x 20 points behind one router`,
      trunk_latency_ms: "30-150 per request, one transaction per trunk at a time",
      scans: SCANS,
      points_per_scan: refs.length,
      good_fraction: Number((good / (refs.length * SCANS)).toFixed(4)),
      scan_ms_median: Math.round(scan),
      scan_ms_all: scanMs.map(Math.round),
      floor_ms: floorMs,
      scan_to_floor_ratio: Number((scan / floorMs).toFixed(3)),
      trunks: trunkFloors,
      requests_per_device_per_scan: Number((totalRequests / routed.length / SCANS).toFixed(2)),
      max_outstanding_per_device: maxOutstanding,
    };
    writeFileSync(
      join(REPO_ROOT, "bench/results/bacnet-routed.json"),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    console.log(JSON.stringify(result, null, 2));
    if (maxOutstanding > 1) throw new Error(`an MS/TP device had ${maxOutstanding} requests outstanding`);
  } finally {
    service.stop();
    await sim.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
