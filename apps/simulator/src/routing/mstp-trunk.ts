import type { SimDevice } from "../device/sim-device";
import type { DatagramHandler } from "../device/udp-endpoints";

/** What the router sees of one MS/TP device: its server, its latency and its load counters. */
export interface TrunkStation {
  device: SimDevice;
  server: DatagramHandler;
  mac: number;
  latencyMs: number;
  requests: number;
  /** Requests waiting or in service for this device now, and the most ever seen at once. */
  outstanding: number;
  maxOutstanding: number;
  /** Requests that arrived while another one to the same device was still outstanding. */
  overlapping: number;
}

export interface TrunkStats {
  network: number;
  requests: number;
  /** Sum of the latencies of every request served: the trunk's busy time. */
  busyMs: number;
  maxQueue: number;
}

interface Queued {
  station: TrunkStation;
  frame: Buffer;
}

/**
 * One MS/TP trunk behind the router, modelled at the level a supervisor can observe: one transaction
 * on the wire at a time (token passing), each taking the addressed device's latency; broadcasts
 * (Who-Is) reach every station at once. The per-device counters let tests assert that a client never
 * has more than one request outstanding to an MS/TP device, which real ones cannot queue.
 */
export class MstpTrunk {
  readonly stations = new Map<number, TrunkStation>();
  readonly stats: TrunkStats;
  private readonly queue: Queued[] = [];
  private busy = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly network: number,
    /** The source address a device sees for everything that comes from the router. */
    private readonly routerSource: { address: string; port: number },
  ) {
    this.stats = { network, requests: 0, busyMs: 0, maxQueue: 0 };
  }

  attach(device: SimDevice, server: DatagramHandler, mac: number, latencyMs: number): void {
    this.stations.set(mac, {
      device,
      server,
      mac,
      latencyMs,
      requests: 0,
      outstanding: 0,
      maxOutstanding: 0,
      overlapping: 0,
    });
  }

  /** A confirmed request for one station: queued behind the trunk's current transaction. */
  request(mac: number, frame: Buffer): boolean {
    const station = this.stations.get(mac);
    if (!station) return false;
    station.requests++;
    this.stats.requests++;
    if (station.outstanding > 0) station.overlapping++;
    station.outstanding++;
    station.maxOutstanding = Math.max(station.maxOutstanding, station.outstanding);
    this.queue.push({ station, frame });
    this.stats.maxQueue = Math.max(this.stats.maxQueue, this.queue.length);
    this.pump();
    return true;
  }

  /** Unconfirmed traffic and answers to a device's own requests pass at once. */
  deliver(mac: number, frame: Buffer): boolean {
    const station = this.stations.get(mac);
    if (!station) return false;
    station.server.handle(frame, this.routerSource);
    return true;
  }

  broadcast(frame: Buffer): void {
    for (const station of this.stations.values()) station.server.handle(frame, this.routerSource);
  }

  private pump(): void {
    if (this.busy) return;
    const next = this.queue.shift();
    if (!next) return;
    this.busy = true;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.stats.busyMs += next.station.latencyMs;
      next.station.outstanding--;
      // The device answers synchronously, so its reply leaves within this transaction.
      next.station.server.handle(next.frame, this.routerSource);
      this.busy = false;
      this.pump();
    }, next.station.latencyMs);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

/**
 * Latencies spread over [min, max] by the golden ratio, so a trunk holds fast and slow devices in a
 * repeatable mix (the same site gives the same latencies every run).
 */
export function stationLatency(index: number, range: { minMs: number; maxMs: number }): number {
  const spread = (index * 0.618_033_988_75) % 1;
  return Math.round(range.minMs + spread * (range.maxMs - range.minMs));
}
