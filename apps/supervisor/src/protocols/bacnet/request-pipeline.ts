import type bacnetModule from "@bacnet-js/client";
import { withTimeout } from "../with-timeout";
import type { DeviceAddress } from "./device-address";
import { type KnownDevice, MIN_BACKOFF_MS } from "./device-registry";
import { BacnetTimeoutError, DeviceUnreachableError, describeBacnetError, isDefinitive } from "./errors";
import { Limiter, sleep } from "./limiter";

type BACnetClient = bacnetModule;

export interface PipelineOptions {
  /** Per-request guard; a device that does not answer within it counts as a timeout. */
  requestTimeoutMs: number;
  retries: number;
  /** Requests in flight towards one device: small controllers handle 1-4 well. */
  perDeviceConcurrency: number;
  /** Requests in flight in total. Invoke ids are 0-255 per client, so this stays well below 256. */
  maxInFlight: number;
  /** Consecutive failed requests after which a device is marked offline. */
  offlineAfterFailures: number;
  logger?: { warn(msg: string): void; info(msg: string): void };
}

/** What the pipeline needs from the service around it: the socket's client and the device directory. */
export interface PipelineLink {
  client(): BACnetClient;
  /** A device already in the directory (no Who-Is), or undefined. */
  knownDevice?(deviceId: number): KnownDevice | undefined;
  resolveDevice(deviceId: number): Promise<KnownDevice | undefined>;
  onDeviceStatus(device: KnownDevice): void;
}

const MAX_BACKOFF_MS = 60_000;
/** Requests in flight to one network behind a router (see trunkFor). */
const ROUTED_NETWORK_CONCURRENCY = 2;
/** No per-network cap for devices on our own B/IP network. */
const UNLIMITED = { run: <T>(task: () => Promise<T>): Promise<T> => task() };

/**
 * Every confirmed request goes through here: pacing (per-device and global concurrency), a guard
 * timeout the library cannot lose, retries with backoff, and device health (online, offline with an
 * exponential probe interval up to a minute), so a dead controller cannot slow every scan down.
 */
export class RequestPipeline {
  readonly counters = { requests: 0, timeouts: 0, errors: 0, retries: 0 };
  /** Per device on our own B/IP network, by device id (looked up for every request: no key text). */
  private readonly deviceLimiters = new Map<number, Limiter>();
  /** Per device behind a router (one request at a time there). */
  private readonly routedLimiters = new Map<number, Limiter>();
  private readonly trunkLimiters = new Map<string, Limiter>();
  private readonly global: Limiter;

  constructor(
    private readonly options: PipelineOptions,
    private readonly link: PipelineLink,
  ) {
    this.global = new Limiter(Math.min(options.maxInFlight, 200));
  }

  get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs;
  }

  /** One paced attempt with the guard timeout and no retries (identity checks of an address claim). */
  once<T>(label: string, send: (client: BACnetClient) => Promise<T>): Promise<T> {
    this.counters.requests++;
    return this.global.run(() =>
      withTimeout(
        send(this.link.client()),
        this.options.requestTimeoutMs + 250,
        () => new BacnetTimeoutError(`${label}: timeout`),
      ),
    );
  }

  /**
   * Runs one confirmed request against a device with pacing, a guard timeout and retries. An offline
   * device gets no traffic until its next probe time.
   */
  async request<T>(
    deviceId: number,
    label: string,
    send: (client: BACnetClient, to: DeviceAddress) => Promise<T>,
  ): Promise<T> {
    const device = this.link.knownDevice?.(deviceId) ?? (await this.link.resolveDevice(deviceId));
    if (!device) throw new DeviceUnreachableError(`device ${deviceId} did not answer Who-Is`);
    if (device.status === "offline" && Date.now() < device.nextProbeAt) {
      throw new DeviceUnreachableError(`device ${deviceId} is offline (${device.reason ?? "no answer"})`);
    }
    const attempts = device.status === "offline" ? 1 : 1 + this.options.retries;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        this.counters.retries++;
        await sleep(Math.min(100 * 2 ** (attempt - 1), 2000));
      }
      try {
        this.counters.requests++;
        const result = await this.paced(device, label, send);
        this.markOnline(device);
        return result;
      } catch (error) {
        lastError = error;
        if (isDefinitive(error)) {
          // The device answered: it is alive, the request was wrong.
          this.markOnline(device);
          throw error;
        }
        this.counters.timeouts++;
      }
    }
    this.markFailure(device, describeBacnetError(lastError).message);
    throw lastError instanceof Error ? lastError : new BacnetTimeoutError(String(lastError));
  }

  /**
   * One attempt inside the device's, the trunk's and the global limits. When every slot is free (each
   * request of a steady scan) they are taken at once, without a task queued on each limiter.
   */
  private paced<T>(
    device: KnownDevice,
    label: string,
    send: (client: BACnetClient, to: DeviceAddress) => Promise<T>,
  ): Promise<T> {
    const limiter = this.limiterFor(device);
    const trunk = this.trunkFor(device);
    if (trunk === UNLIMITED && limiter.tryEnter()) {
      if (this.global.tryEnter()) {
        let attempt: Promise<T>;
        try {
          attempt = this.guarded(device, label, send);
        } catch (error) {
          attempt = Promise.reject(error);
        }
        const leave = this.leaving(limiter);
        attempt.then(leave, leave);
        return attempt;
      }
      limiter.leave();
    }
    return limiter.run(() => trunk.run(() => this.global.run(() => this.guarded(device, label, send))));
  }

  /** Gives back the slots `paced` took (an anonymous function: see point-reads' note on keepNames). */
  private leaving(limiter: Limiter): () => void {
    return () => {
      this.global.leave();
      limiter.leave();
    };
  }

  private guarded<T>(
    device: KnownDevice,
    label: string,
    send: (client: BACnetClient, to: DeviceAddress) => Promise<T>,
  ): Promise<T> {
    const ms = this.options.requestTimeoutMs;
    return withTimeout(
      // A copy: the library must not be able to change where the device is.
      send(this.link.client(), { ...device.address }),
      ms + 250,
      () => new BacnetTimeoutError(`${label}: timeout after ${ms} ms`),
    );
  }

  markOnline(device: KnownDevice): void {
    const changed = device.status !== "online";
    device.status = "online";
    device.consecutiveFailures = 0;
    device.backoffMs = MIN_BACKOFF_MS;
    device.nextProbeAt = 0;
    delete device.reason;
    device.lastSeen = Date.now();
    if (changed) {
      this.options.logger?.info(`device ${device.deviceId} is online`);
      this.link.onDeviceStatus(device);
    }
  }

  private markFailure(device: KnownDevice, reason: string): void {
    device.consecutiveFailures++;
    device.reason = reason;
    if (device.status === "offline") {
      device.backoffMs = Math.min(device.backoffMs * 2, MAX_BACKOFF_MS);
      device.nextProbeAt = Date.now() + device.backoffMs;
      return;
    }
    if (device.consecutiveFailures >= this.options.offlineAfterFailures) {
      device.status = "offline";
      device.nextProbeAt = Date.now() + device.backoffMs;
      this.options.logger?.warn(`device ${device.deviceId} is offline: ${reason}`);
      this.link.onDeviceStatus(device);
    }
  }

  /**
   * A device behind a router is on a token-passing trunk (MS/TP) and cannot queue requests: exactly one
   * at a time there, whatever --bacnet-per-device says for B/IP controllers.
   */
  /**
   * A router's trunk carries one transaction at a time: more requests than that only wait in the
   * router's queue, where they time out and come back as retries (a second request to a device that
   * is still busy with the first). Two per network keeps the trunk busy without a queue.
   */
  private trunkFor(device: KnownDevice): Pick<Limiter, "run"> {
    const net = device.address.net;
    if (net === undefined) return UNLIMITED;
    const key = `${device.address.address}/${net}`;
    let limiter = this.trunkLimiters.get(key);
    if (!limiter) {
      limiter = new Limiter(ROUTED_NETWORK_CONCURRENCY);
      this.trunkLimiters.set(key, limiter);
    }
    return limiter;
  }

  private limiterFor(device: KnownDevice): Limiter {
    const routed = device.address.net !== undefined;
    const limiters = routed ? this.routedLimiters : this.deviceLimiters;
    let limiter = limiters.get(device.deviceId);
    if (!limiter) {
      limiter = new Limiter(routed ? 1 : this.options.perDeviceConcurrency);
      limiters.set(device.deviceId, limiter);
    }
    return limiter;
  }
}
