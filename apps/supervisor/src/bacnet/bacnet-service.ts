import bacnetModule, {
  type BACNetObjectID,
  type BACNetReadAccessSpecification,
  type CovNotifyPayload,
  type WritePropertyMultipleObject,
} from "@bacnet-js/client";
import {
  BIP_MAX_APDU,
  encodeValue,
  isArrayProperty,
  type PointValue as JsValue,
  objectTypeId,
  objectTypeName,
  PROPERTIES,
  presentValueToJs,
  propertyId,
  propertyName,
} from "@bms/bacnet";
import type { BacnetPointRef, Quality } from "@bms/schemas";
import { describeBacnetError, isDefinitive } from "./errors";
import { BacnetTimeoutError, Limiter, sleep, withTimeout } from "./limiter";
import { UdpTransport } from "./udp-transport";

// The package is CommonJS with `exports.default`; under ESM the default import is the exports object.
const BACnetClient: typeof bacnetModule =
  (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;
type BACnetClient = bacnetModule;

export interface BacnetServiceOptions {
  bindAddress: string;
  port: number;
  broadcast: string;
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

export interface KnownDevice {
  deviceId: number;
  address: string;
  maxApdu: number;
  segmentation: number;
  vendorId: number;
  status: "online" | "offline" | "unknown";
  lastSeen: number | null;
  consecutiveFailures: number;
  /** When offline: no request before this time, except the recovery probe. */
  nextProbeAt: number;
  backoffMs: number;
  supportsRpm: boolean;
  /** Unknown until tried: a device that rejects WritePropertyMultiple gets single writes from then on. */
  supportsWpm: boolean;
  reason?: string;
}

export interface ReadResult {
  /** A whole-array read (priorityArray without an index) answers every element, in order. */
  value: JsValue | JsValue[];
  quality: Quality;
  reason?: string;
  timestamp: number;
}

export interface DeviceEvents {
  onDeviceSeen?(device: KnownDevice): void;
  onDeviceStatus?(device: KnownDevice): void;
}

/** A COV notification, decoded: which object changed and its reported properties (raw app values). */
export interface CovNotification {
  deviceId: number;
  objectType: number;
  instance: number;
  values: Map<number, { type: number; value: unknown }[]>;
  timeRemaining: number;
}

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

/**
 * The supervisor's BACnet/IP client: the single place that talks to devices. It owns pacing (per-device
 * and global concurrency), timeouts that cannot be lost, retries with backoff, and device health.
 */
export class BacnetService {
  private client: BACnetClient | undefined;
  private transport: UdpTransport | undefined;
  readonly devices = new Map<number, KnownDevice>();
  private readonly deviceLimiters = new Map<number, Limiter>();
  private readonly global: Limiter;
  private readonly iAmListeners = new Set<(device: KnownDevice) => void>();
  private readonly covListeners = new Set<(notification: CovNotification) => void>();
  private nextSubscriptionId = 1;
  readonly counters = { requests: 0, timeouts: 0, errors: 0, retries: 0 };

  constructor(
    private readonly options: BacnetServiceOptions,
    private readonly events: DeviceEvents = {},
  ) {
    this.global = new Limiter(Math.min(options.maxInFlight, 200));
  }

  async start(): Promise<void> {
    const transport = new UdpTransport({
      bindAddress: this.options.bindAddress,
      port: this.options.port,
      broadcast: this.options.broadcast,
    });
    this.transport = transport;
    const listening = new Promise<void>((resolve, reject) => {
      transport.once("listening", () => resolve());
      transport.once("error", reject);
    });
    transport.on("warning", (message: string) => this.options.logger?.warn(message));
    const client = new BACnetClient({ transport, apduTimeout: this.options.requestTimeoutMs });
    this.client = client;
    client.on("error", (err: Error) => this.options.logger?.warn(`bacnet socket: ${err.message}`));
    client.on("iAm", (content) => {
      const { payload } = content;
      const address = content.header?.sender.address ?? payload.address;
      if (typeof address !== "string") return;
      this.handleIAm(payload.deviceId, address, payload.maxApdu, payload.segmentation, payload.vendorId);
    });
    const onCov = (content: { payload: CovNotifyPayload }) => {
      const { payload } = content;
      const device = payload.initiatingDeviceId as unknown as number | { instance: number };
      const values = new Map<number, { type: number; value: unknown }[]>();
      for (const v of payload.values) values.set(v.property.id, v.value);
      const notification: CovNotification = {
        deviceId: typeof device === "number" ? device : device.instance,
        objectType: payload.monitoredObjectId.type,
        instance: payload.monitoredObjectId.instance,
        values,
        timeRemaining: payload.timeRemaining,
      };
      for (const listener of this.covListeners) listener(notification);
    };
    client.on("covNotifyUnconfirmed", onCov);
    client.on("covNotify", (content) => {
      onCov(content);
      // Confirmed notifications need an acknowledgement; the library does not send one.
      if (content.header?.sender && content.invokeId !== undefined && content.service !== undefined) {
        client.simpleAckResponse(content.header.sender, content.service, content.invokeId);
      }
    });
    try {
      await listening;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const where = `${this.options.bindAddress}:${this.options.port}`;
      if (code === "EADDRINUSE") {
        throw new Error(`BACnet/IP port ${where} is already in use (another supervisor or BACnet tool?)`);
      }
      if (code === "EADDRNOTAVAIL") {
        throw new Error(`cannot bind BACnet/IP to ${where}: no interface has that address (--bacnet-bind)`);
      }
      throw error;
    }
  }

  onCov(listener: (notification: CovNotification) => void): () => void {
    this.covListeners.add(listener);
    return () => this.covListeners.delete(listener);
  }

  stop(): void {
    this.client?.close();
    this.client = undefined;
    this.transport = undefined;
  }

  get transportStats() {
    return this.transport?.stats;
  }

  private handleIAm(
    deviceId: number,
    address: string,
    maxApdu: number,
    segmentation: number,
    vendorId: number,
  ) {
    const now = Date.now();
    const existing = this.devices.get(deviceId);
    const device: KnownDevice = existing ?? {
      deviceId,
      address,
      maxApdu,
      segmentation,
      vendorId,
      status: "online",
      lastSeen: now,
      consecutiveFailures: 0,
      nextProbeAt: 0,
      backoffMs: MIN_BACKOFF_MS,
      supportsRpm: true,
      supportsWpm: true,
    };
    device.address = address;
    device.maxApdu = Math.min(maxApdu || BIP_MAX_APDU, BIP_MAX_APDU);
    device.segmentation = segmentation;
    device.vendorId = vendorId;
    device.lastSeen = now;
    this.devices.set(deviceId, device);
    // An I-Am is proof of life: a device that came back is online again at once.
    if (device.status !== "online") this.markOnline(device);
    this.events.onDeviceSeen?.(device);
    for (const listener of this.iAmListeners) listener(device);
  }

  /** Restores devices known from a previous run so reads can start before a new Who-Is. */
  remember(
    device: Pick<KnownDevice, "deviceId" | "address" | "maxApdu" | "segmentation" | "vendorId">,
  ): void {
    if (this.devices.has(device.deviceId)) return;
    this.devices.set(device.deviceId, {
      ...device,
      status: "unknown",
      lastSeen: null,
      consecutiveFailures: 0,
      nextProbeAt: 0,
      backoffMs: MIN_BACKOFF_MS,
      supportsRpm: true,
      supportsWpm: true,
    });
  }

  /** Broadcasts a Who-Is (optionally ranged), and sends a directed one to each target `ip[:port]`. */
  whoIs(options: { lowLimit?: number; highLimit?: number; targets?: readonly string[] } = {}): void {
    const client = this.requireClient();
    const range =
      options.lowLimit !== undefined || options.highLimit !== undefined
        ? { lowLimit: options.lowLimit ?? 0, highLimit: options.highLimit ?? 4_194_303 }
        : undefined;
    if (options.targets && options.targets.length > 0) {
      for (const target of options.targets) {
        const address = target.includes(":") ? target : `${target}:47808`;
        client.whoIs({ address }, range);
      }
      return;
    }
    client.whoIs(range);
  }

  /**
   * Collects I-Am answers for `timeoutMs`, reporting each new device as it arrives. Returns the devices
   * that answered this time (whether or not they were known before).
   */
  async discover(
    options: { lowLimit?: number; highLimit?: number; targets?: readonly string[]; timeoutMs: number },
    onFound?: (device: KnownDevice) => void,
  ): Promise<KnownDevice[]> {
    const found = new Map<number, KnownDevice>();
    const listener = (device: KnownDevice) => {
      const inRange =
        (options.lowLimit === undefined || device.deviceId >= options.lowLimit) &&
        (options.highLimit === undefined || device.deviceId <= options.highLimit);
      if (!inRange || found.has(device.deviceId)) return;
      found.set(device.deviceId, device);
      onFound?.(device);
    };
    this.iAmListeners.add(listener);
    try {
      this.whoIs(options);
      // A second Who-Is halfway catches devices that missed the first in a burst of UDP.
      await sleep(Math.min(options.timeoutMs / 2, 1000));
      this.whoIs(options);
      await sleep(Math.max(0, options.timeoutMs - Math.min(options.timeoutMs / 2, 1000)));
    } finally {
      this.iAmListeners.delete(listener);
    }
    return [...found.values()];
  }

  /** Finds a device's address: cached, else a ranged Who-Is for just that instance. */
  async resolveDevice(deviceId: number, timeoutMs = 1500): Promise<KnownDevice | undefined> {
    const known = this.devices.get(deviceId);
    if (known) return known;
    const found = await new Promise<KnownDevice | undefined>((resolve) => {
      const listener = (device: KnownDevice) => {
        if (device.deviceId !== deviceId) return;
        clearTimeout(timer);
        this.iAmListeners.delete(listener);
        resolve(device);
      };
      const timer = setTimeout(() => {
        this.iAmListeners.delete(listener);
        resolve(undefined);
      }, timeoutMs);
      this.iAmListeners.add(listener);
      this.whoIs({ lowLimit: deviceId, highLimit: deviceId });
    });
    return found;
  }

  private limiterFor(deviceId: number): Limiter {
    let limiter = this.deviceLimiters.get(deviceId);
    if (!limiter) {
      limiter = new Limiter(this.options.perDeviceConcurrency);
      this.deviceLimiters.set(deviceId, limiter);
    }
    return limiter;
  }

  private markOnline(device: KnownDevice) {
    const changed = device.status !== "online";
    device.status = "online";
    device.consecutiveFailures = 0;
    device.backoffMs = MIN_BACKOFF_MS;
    device.nextProbeAt = 0;
    delete device.reason;
    device.lastSeen = Date.now();
    if (changed) {
      this.options.logger?.info(`device ${device.deviceId} is online`);
      this.events.onDeviceStatus?.(device);
    }
  }

  private markFailure(device: KnownDevice, reason: string) {
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
      this.events.onDeviceStatus?.(device);
    }
  }

  /**
   * Runs one confirmed request against a device with pacing, a guard timeout and retries. An offline
   * device gets no traffic until its next probe time (exponential backoff up to a minute), so a dead
   * controller cannot slow every scan down.
   */
  private async request<T>(
    deviceId: number,
    label: string,
    send: (client: BACnetClient, address: string) => Promise<T>,
  ): Promise<T> {
    const device = await this.resolveDevice(deviceId);
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
        const result = await this.limiterFor(deviceId).run(() =>
          this.global.run(() =>
            withTimeout(
              send(this.requireClient(), device.address),
              this.options.requestTimeoutMs + 250,
              `${label}: timeout after ${this.options.requestTimeoutMs} ms`,
            ),
          ),
        );
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

  private requireClient(): BACnetClient {
    if (!this.client) throw new Error("BACnet service is not started");
    return this.client;
  }

  async readProperty(
    deviceId: number,
    objectType: number,
    instance: number,
    property: number,
    index?: number,
  ) {
    const objectId = { type: objectType, instance } as BACNetObjectID;
    return this.request(deviceId, `read ${objectTypeName(objectType)}:${instance}`, (client, address) =>
      client.readProperty({ address }, objectId, property, index === undefined ? {} : { arrayIndex: index }),
    );
  }

  async readPropertyMultiple(deviceId: number, specs: BACNetReadAccessSpecification[]) {
    return this.request(deviceId, `rpm ${specs.length} objects`, (client, address) =>
      client.readPropertyMultiple({ address }, specs),
    );
  }

  /**
   * Reads points grouped per device with ReadPropertyMultiple, in chunks that fit the device's
   * max APDU, falling back to ReadProperty for devices that refuse RPM. Never throws: every point gets
   * a value or a bad quality with the reason.
   */
  async readPoints(refs: readonly BacnetPointRef[]): Promise<ReadResult[]> {
    const results: ReadResult[] = new Array(refs.length);
    const byDevice = new Map<number, number[]>();
    refs.forEach((ref, i) => {
      const list = byDevice.get(ref.device);
      if (list) list.push(i);
      else byDevice.set(ref.device, [i]);
    });
    await Promise.all(
      [...byDevice].map(async ([deviceId, indexes]) => {
        const device = await this.resolveDevice(deviceId);
        const chunkSize = rpmChunkSize(device?.maxApdu ?? BIP_MAX_APDU);
        const chunks: number[][] = [];
        for (let i = 0; i < indexes.length; i += chunkSize) chunks.push(indexes.slice(i, i + chunkSize));
        await Promise.all(chunks.map((chunk) => this.readChunk(deviceId, chunk, refs, results)));
      }),
    );
    return results;
  }

  private async readChunk(
    deviceId: number,
    requested: number[],
    refs: readonly BacnetPointRef[],
    out: ReadResult[],
  ) {
    const device = this.devices.get(deviceId);
    // A property name BACnet does not define never goes on the wire: it would read something else.
    const chunk: number[] = [];
    // The library's RPM encoder drops array index 0 (it tests the index for truthiness), which would
    // turn "how many elements" into a whole-array read; ReadProperty encodes it correctly.
    const single: number[] = [];
    for (const i of requested) {
      const ref = refs[i]!;
      if (propertyId(ref.property) === undefined)
        out[i] = badResult(`unknown property "${ref.property}"`, Date.now());
      else if (ref.index === 0) single.push(i);
      else chunk.push(i);
    }
    const useRpm = chunk.length > 1 && (device?.supportsRpm ?? true);
    if (useRpm) {
      try {
        const specs = chunk.map((i) => specFor(refs[i]!));
        const response = await this.readPropertyMultiple(deviceId, specs);
        const now = Date.now();
        chunk.forEach((i, n) => {
          const ref = refs[i]!;
          const objectValues = response.values[n];
          const prop = objectValues?.values[0];
          out[i] = prop ? decodeRead(ref, prop.value, now) : badResult("missing in RPM answer", now);
        });
        chunk.length = 0;
      } catch (error) {
        const { kind, message } = describeBacnetError(error);
        if ((kind === "reject" || kind === "abort" || message.includes("services")) && device) {
          // RPM refused: remember it and read one property at a time from now on.
          device.supportsRpm = false;
        } else {
          const now = Date.now();
          for (const i of [...chunk, ...single]) out[i] = badResult(describeError(error), now);
          return;
        }
      }
    }
    await Promise.all(
      [...chunk, ...single].map(async (i) => {
        const ref = refs[i]!;
        try {
          const typeId = objectTypeId(ref.objectType)!;
          const prop = propertyId(ref.property)!;
          const response = await this.readProperty(deviceId, typeId, ref.instance, prop, ref.index);
          out[i] = decodeRead(ref, response.values, Date.now());
        } catch (error) {
          out[i] = badResult(describeError(error), Date.now());
        }
      }),
    );
  }

  /** Writes one value at a priority; null relinquishes that priority. */
  async writePoint(ref: BacnetPointRef, value: JsValue, priority: number): Promise<void> {
    const typeId = objectTypeId(ref.objectType);
    const prop = propertyId(ref.property);
    if (typeId === undefined || prop === undefined) {
      throw new Error(`cannot write ${ref.objectType}.${ref.property}: unknown type or property`);
    }
    const encoded = encodeValue(typeId, prop, value);
    const objectId = { type: typeId, instance: ref.instance } as BACNetObjectID;
    await this.request(ref.device, `write ${ref.objectType}:${ref.instance}`, (client, address) =>
      client.writeProperty({ address }, objectId, prop, [encoded as never], {
        priority,
        ...(ref.index === undefined ? {} : { arrayIndex: ref.index }),
      }),
    );
  }

  /**
   * Writes a batch: one WritePropertyMultiple per device where the device takes it, single writes
   * otherwise (and for a device that refused WPM once). Each write gets its own outcome.
   */
  async writePoints(
    writes: readonly { ref: BacnetPointRef; value: JsValue; priority: number }[],
  ): Promise<{ ok: boolean; error?: string }[]> {
    const outcomes: { ok: boolean; error?: string }[] = new Array(writes.length);
    const byDevice = new Map<number, number[]>();
    writes.forEach((w, i) => {
      const list = byDevice.get(w.ref.device);
      if (list) list.push(i);
      else byDevice.set(w.ref.device, [i]);
    });
    const single = async (i: number) => {
      const w = writes[i]!;
      try {
        await this.writePoint(w.ref, w.value, w.priority);
        outcomes[i] = { ok: true };
      } catch (error) {
        outcomes[i] = { ok: false, error: describeError(error) };
      }
    };
    await Promise.all(
      [...byDevice].map(async ([deviceId, indexes]) => {
        const device = this.devices.get(deviceId);
        if (indexes.length > 1 && (device?.supportsWpm ?? true)) {
          try {
            await this.writePropertyMultiple(
              deviceId,
              indexes.map((i) => writes[i]!),
            );
            for (const i of indexes) outcomes[i] = { ok: true };
            return;
          } catch (error) {
            const { kind } = describeBacnetError(error);
            if (kind === "timeout" || error instanceof DeviceUnreachableError) {
              for (const i of indexes) outcomes[i] = { ok: false, error: describeError(error) };
              return;
            }
            // Refused, or one property failed: WPM does not say which, single writes do.
            if (device && (kind === "reject" || kind === "abort")) device.supportsWpm = false;
          }
        }
        await Promise.all(indexes.map(single));
      }),
    );
    return outcomes;
  }

  private async writePropertyMultiple(
    deviceId: number,
    writes: readonly { ref: BacnetPointRef; value: JsValue; priority: number }[],
  ): Promise<void> {
    const byObject = new Map<string, WritePropertyMultipleObject>();
    for (const w of writes) {
      const typeId = objectTypeId(w.ref.objectType);
      const prop = propertyId(w.ref.property);
      if (typeId === undefined || prop === undefined)
        throw new Error(`cannot write ${w.ref.objectType}.${w.ref.property}`);
      const key = `${typeId}:${w.ref.instance}`;
      let object = byObject.get(key);
      if (!object) {
        object = { objectId: { type: typeId, instance: w.ref.instance } as BACNetObjectID, values: [] };
        byObject.set(key, object);
      }
      object.values.push({
        // The encoder writes an index unless told ARRAY_ALL, and devices answer property-is-not-an-array.
        property: {
          id: prop,
          index: w.ref.index ?? 0xffffffff,
        } as WritePropertyMultipleObject["values"][number]["property"],
        value: [encodeValue(typeId, prop, w.value) as never],
        priority: w.priority,
      });
    }
    await this.request(deviceId, `wpm ${writes.length} values`, (client, address) =>
      client.writePropertyMultiple({ address }, [...byObject.values()]),
    );
  }

  /** SubscribeCOV (unconfirmed by default); pass the process id of an existing subscription to renew it. */
  async subscribeCov(
    deviceId: number,
    objectType: number,
    instance: number,
    lifetimeSeconds: number,
    confirmed = false,
    processId?: number,
  ): Promise<number> {
    const id = processId ?? (this.nextSubscriptionId++ % 0x3fffffff) + 1;
    const objectId = { type: objectType, instance } as BACNetObjectID;
    await this.request(
      deviceId,
      `subscribe-cov ${objectTypeName(objectType)}:${instance}`,
      (client, address) => client.subscribeCov({ address }, objectId, id, false, confirmed, lifetimeSeconds),
    );
    return id;
  }

  /** presentValue of objects given by numeric type, for callers that already resolved the type. */
  readObjects(objects: readonly { device: number; type: number; instance: number }[]): Promise<ReadResult[]> {
    return this.readPoints(
      objects.map((o) => ({
        protocol: "bacnet" as const,
        device: o.device,
        objectType: objectTypeName(o.type) as BacnetPointRef["objectType"],
        instance: o.instance,
        property: "presentValue",
      })),
    );
  }

  async cancelCov(deviceId: number, objectType: number, instance: number, subscriptionId: number) {
    const objectId = { type: objectType, instance } as BACNetObjectID;
    await this.request(deviceId, `cancel-cov ${objectTypeName(objectType)}:${instance}`, (client, address) =>
      client.subscribeCov({ address }, objectId, subscriptionId, true, false, 0),
    );
  }
}

export class DeviceUnreachableError extends Error {
  override name = "DeviceUnreachableError";
}

/** Properties per RPM request so the answer fits the device's max APDU (about 20 bytes a value). */
function rpmChunkSize(maxApdu: number): number {
  return Math.max(1, Math.min(50, Math.floor((maxApdu - 20) / 24)));
}

function specFor(ref: BacnetPointRef): BACNetReadAccessSpecification {
  return {
    objectId: { type: objectTypeId(ref.objectType)!, instance: ref.instance } as BACNetObjectID,
    properties: [
      {
        id: propertyId(ref.property)!,
        index: ref.index ?? 0xffffffff,
      } as BACNetReadAccessSpecification["properties"][number],
    ],
  };
}

function badResult(reason: string, timestamp: number): ReadResult {
  return { value: null, quality: "bad", reason, timestamp };
}

function describeError(error: unknown): string {
  if (error instanceof DeviceUnreachableError) return error.message;
  return describeBacnetError(error).message;
}

/** An RPM/RP answer holds either values or an error value (tag ERROR with errorClass/errorCode). */
function decodeRead(
  ref: BacnetPointRef,
  values: { type: number; value: unknown }[],
  now: number,
): ReadResult {
  const first = values[0];
  const prop = propertyId(ref.property)!;
  const wholeArray = ref.index === undefined && (isArrayProperty(prop) || values.length > 1);
  // An empty array is a legal answer (a multi-state object with no State_Text entries); no answer is not.
  if (!first)
    return wholeArray ? { value: [], quality: "good", timestamp: now } : badResult("empty answer", now);
  const errorValue = first.value as { errorClass?: number; errorCode?: number } | null;
  if (errorValue && typeof errorValue === "object" && "errorCode" in errorValue) {
    return badResult(
      describeBacnetError(
        new Error(`BacnetError - Class:${errorValue.errorClass} - Code:${errorValue.errorCode}`),
      ).message,
      now,
    );
  }
  const typeId = objectTypeId(ref.objectType)!;
  // The priority array and relinquish default hold presentValue's datatype (BinaryPV for binaries: booleans).
  const isValueProperty =
    prop === PROPERTIES.presentValue ||
    prop === PROPERTIES.relinquishDefault ||
    prop === PROPERTIES.priorityArray;
  const decode = (v: { type: number; value: unknown }) => presentValueToJs(isValueProperty ? typeId : -1, v);
  // Array index 0 is the array's length (an Unsigned), whatever the elements' type.
  if (ref.index === 0) return { value: presentValueToJs(-1, first), quality: "good", timestamp: now };
  if (wholeArray) return { value: values.map(decode), quality: "good", timestamp: now };
  return { value: decode(first), quality: "good", timestamp: now };
}

export { propertyName };
