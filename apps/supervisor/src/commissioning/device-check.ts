import type { PointReading } from "../protocols/point-io";
import { counterDelta, type ProtocolCounters } from "./counters";
import { type DeviceCheckLine, stats } from "./report-types";

/**
 * The device communication check (issue 16): each device is probed on its own, `samples` times, with a
 * read of (up to five of) its site points in one request. Response time, timeouts and other errors come
 * from those reads; retries from the protocol's counter over the device's probe (one device at a time,
 * so the difference is that device's); segmentation and the largest APDU from what the device announced.
 */

export const PROBE_POINTS = 5;

export interface DeviceInfo {
  name: string | null;
  address: string | null;
  segmentation: string | null;
  maxApdu: number | null;
}

export interface DeviceCheckDeps {
  read(refs: readonly string[]): Promise<PointReading[]>;
  devices: ReadonlyMap<string, readonly string[]>;
  info(device: string): DeviceInfo | undefined;
  counters(): ProtocolCounters[];
  samples: number;
}

const TIMEOUT_CODES = new Set(["timeout", "unreachable"]);

export async function checkDevices(deps: DeviceCheckDeps): Promise<DeviceCheckLine[]> {
  const lines: DeviceCheckLine[] = [];
  for (const [device, refs] of deps.devices) {
    const probe = refs.slice(0, PROBE_POINTS);
    const protocol = device.split(":")[0] ?? device;
    const before = deps.counters();
    const times: number[] = [];
    let timeouts = 0;
    let errors = 0;
    for (let i = 0; i < deps.samples; i++) {
      const t0 = performance.now();
      const readings = await deps.read(probe);
      const elapsed = performance.now() - t0;
      const timedOut = readings.some((r) => r.code && TIMEOUT_CODES.has(r.code));
      if (timedOut) timeouts++;
      else times.push(elapsed);
      errors += readings.filter((r) => r.quality !== "good" && !(r.code && TIMEOUT_CODES.has(r.code))).length;
    }
    const delta = counterDelta(before, deps.counters()).find((c) => c.protocol === protocol);
    const info = deps.info(device);
    const problems = [
      ...(timeouts > 0 ? [`${timeouts} of ${deps.samples} probes timed out`] : []),
      ...(errors > 0 ? [`${errors} readings answered with an error`] : []),
    ];
    lines.push({
      device,
      name: info?.name ?? null,
      address: info?.address ?? null,
      samples: deps.samples,
      response: stats(times),
      timeouts,
      errors,
      retries: delta?.retries ?? null,
      segmentation: info?.segmentation ?? null,
      max_apdu: info?.maxApdu ?? null,
      verdict: problems.length === 0 ? "pass" : "fail",
      detail:
        problems.length === 0
          ? `${deps.samples} probes of ${probe.length} point${probe.length === 1 ? "" : "s"}, all answered`
          : problems.join("; "),
    });
  }
  return lines;
}
