import bacnetModule, {
  type BACNetObjectID,
  type BACNetReadAccessSpecification,
  type CovNotifyPayload,
  type WritePropertyMultipleObject,
} from "@bacnet-js/client";
import {
  ApplicationTag,
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
import {
  type DeviceAddress,
  formatDeviceAddress,
  isDeviceInstance,
  sameAddress,
  toDeviceAddress,
} from "./device-address";
import { DeviceRegistry, type KnownDevice, MIN_BACKOFF_MS } from "./device-registry";
import { describeBacnetError, isDefinitive } from "./errors";
import { BacnetTimeoutError, Limiter, sleep, withTimeout } from "./limiter";
import { UdpTransport } from "./udp-transport";
import { checkPresentValue, DEFAULT_WIRE_LIMITS, isObjectId, type WireLimits } from "./wire-checks";

export type { KnownDevice } from "./device-registry";

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
  /** Caps on what devices can make us hold; DEFAULT_WIRE_LIMITS when left out. */
  limits?: WireLimits;
  /** Devices whose address is fixed by configuration: an I-Am never moves them. */
  pins?: ReadonlyMap<number, DeviceAddress>;
  logger?: { warn(msg: string): void; info(msg: string): void };
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
  /**
   * Something on the wire that was refused or needs an integrator's eye (a device moving, a forged
   * reply, a cap reached). Messages are constant per kind (and device), details go in `data`, so the
   * event log's folding of repeats keeps a flood to one row a minute. Address-claim outcomes name the
   * addresses in the message; the registry's confirmation budget bounds those.
   */
  onWireEvent?(level: "info" | "warn", message: string, data?: Record<string, unknown>): void;
}

/** A COV notification, decoded: which object changed and its reported properties (raw app values). */
export interface CovNotification {
  /** Accepted only from the subscribed device's address, with our process id, for a subscribed object. */
  deviceId: number;
  objectType: number;
  instance: number;
  values: Map<number, { type: number; value: unknown }[]>;
  timeRemaining: number;
}

const MAX_BACKOFF_MS = 60_000;
const DEVICE_TYPE = 8;

/**
 * The supervisor's BACnet/IP client: the single place that talks to devices. It owns pacing (per-device
 * and global concurrency), timeouts that cannot be lost, retries with backoff, and device health.
 */
export class BacnetService {
  private client: BACnetClient | undefined;
  private transport: UdpTransport | undefined;
  private readonly registry: DeviceRegistry;
  /** Every device the supervisor knows, by instance (the registry's map). */
  readonly devices: ReadonlyMap<number, KnownDevice>;
  private readonly deviceLimiters = new Map<number, Limiter>();
  private readonly global: Limiter;
  private readonly iAmListeners = new Set<(device: KnownDevice) => void>();
  private readonly covListeners = new Set<(notification: CovNotification) => void>();
  private nextSubscriptionId = 1;
  readonly counters = { requests: 0, timeouts: 0, errors: 0, retries: 0 };
  /** What the wire checks refused or changed, for /api/monitoring/metrics. */
  readonly wire = {
    iam_invalid: 0,
    iam_over_cap: 0,
    iam_pinned_ignored: 0,
    address_confirmations: 0,
    address_changes: 0,
    address_claims_refused: 0,
    address_claims_deferred: 0,
    cov_dropped: 0,
    lists_over_cap: 0,
  };
  readonly limits: WireLimits;
  /** `device:type:instance` -> the subscriber process id we used in SubscribeCOV. */
  private readonly covSubscriptions = new Map<string, number>();

  constructor(
    private readonly options: BacnetServiceOptions,
    private readonly events: DeviceEvents = {},
  ) {
    this.global = new Limiter(Math.min(options.maxInFlight, 200));
    this.limits = options.limits ?? DEFAULT_WIRE_LIMITS;
    this.registry = new DeviceRegistry({
      limits: this.limits,
      pins: options.pins,
      counters: this.wire,
      identify: (at, deviceId) => this.readDeviceIdentity(at, deviceId),
      accepted: (device, { persist }) => {
        // An I-Am is proof of life: a device that came back is online again at once.
        if (device.status !== "online") this.markOnline(device);
        if (persist) this.events.onDeviceSeen?.(device);
        for (const listener of this.iAmListeners) listener(device);
      },
      report: (level, message, data) => this.report(level, message, data),
    });
    this.devices = this.registry.devices;
  }

  /** Reports a refused or notable wire event (see DeviceEvents.onWireEvent). */
  report(level: "info" | "warn", message: string, data?: Record<string, unknown>): void {
    this.events.onWireEvent?.(level, message, data);
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
    transport.on("foreign-reply", (from: string) =>
      this.report("warn", "a reply from an address the request was not sent to was dropped", { from }),
    );
    const client = new BACnetClient({ transport, apduTimeout: this.options.requestTimeoutMs });
    this.client = client;
    client.on("error", (err: Error) => this.options.logger?.warn(`bacnet socket: ${err.message}`));
    client.on("iAm", (content) =>
      this.registry.handleIAm(content.payload, senderOf(content.header?.sender, { forwarded: "originator" })),
    );
    client.on("covNotifyUnconfirmed", (content) =>
      this.handleCov(content.payload, senderOf(content.header?.sender)),
    );
    client.on("covNotify", (content) => {
      const accepted = this.handleCov(content.payload, senderOf(content.header?.sender));
      // Confirmed notifications need an acknowledgement (the library sends none); a refused one gets
      // none, so a forged notification from a spoofed address is not answered to that address.
      if (
        accepted &&
        content.header?.sender &&
        content.invokeId !== undefined &&
        content.service !== undefined
      ) {
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

  /** Reads Object_Identifier of device `deviceId` at one address: the instance that answered, if any. */
  private async readDeviceIdentity(at: DeviceAddress, deviceId: number): Promise<number | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        this.counters.requests++;
        const answer = await this.global.run(() =>
          withTimeout(
            this.requireClient().readProperty(
              { ...at },
              { type: DEVICE_TYPE, instance: deviceId } as BACNetObjectID,
              PROPERTIES.objectIdentifier,
            ),
            this.options.requestTimeoutMs + 250,
            `identity of device ${deviceId}: timeout`,
          ),
        );
        const value = answer.values?.[0];
        if (value?.type !== ApplicationTag.OBJECTIDENTIFIER || !isObjectId(value.value)) return undefined;
        return value.value.type === DEVICE_TYPE ? value.value.instance : undefined;
      } catch (error) {
        // An Error/Reject/Abort is an answer: whatever is there is not that device.
        if (isDefinitive(error)) return undefined;
        this.counters.timeouts++;
      }
    }
    return undefined;
  }

  /**
   * A COV notification is used only when it comes from the subscribed device's address, carries the
   * process id we subscribed with, and reports the object we subscribed to. Returns whether it was.
   */
  private handleCov(payload: CovNotifyPayload | undefined, from: DeviceAddress | undefined): boolean {
    const initiating = payload?.initiatingDeviceId as unknown as number | { instance?: unknown } | undefined;
    const deviceId = typeof initiating === "number" ? initiating : initiating?.instance;
    const object = payload?.monitoredObjectId;
    const processId = payload?.subscriberProcessId;
    const drop = (why: string) => {
      this.wire.cov_dropped++;
      this.report("warn", `a COV notification was dropped: ${why}`, {
        ...(from ? { from: formatDeviceAddress(from) } : {}),
        ...(isDeviceInstance(deviceId) ? { device: deviceId } : {}),
        ...(isObjectId(object) ? { object: `${object.type}:${object.instance}` } : {}),
        ...(typeof processId === "number" ? { process_id: processId } : {}),
      });
      return false;
    };
    if (
      !payload ||
      !from ||
      !isDeviceInstance(deviceId) ||
      !isObjectId(object) ||
      typeof processId !== "number" ||
      !Array.isArray(payload.values)
    ) {
      return drop("invalid fields");
    }
    const expected = this.covSubscriptions.get(`${deviceId}:${object.type}:${object.instance}`);
    if (expected === undefined) return drop("no subscription for that object");
    if (processId !== expected) return drop("wrong subscriber process id");
    const device = this.devices.get(deviceId);
    if (!device || !sameAddress(device.address, from))
      return drop("not sent from the subscribed device's address");
    const values = new Map<number, { type: number; value: unknown }[]>();
    for (const v of payload.values) {
      if (typeof v?.property?.id === "number" && Array.isArray(v.value)) values.set(v.property.id, v.value);
    }
    const pv = values.get(PROPERTIES.presentValue)?.[0];
    if (pv && !checkPresentValue(object.type, pv).ok) return drop("a presentValue of the wrong datatype");
    const notification: CovNotification = {
      deviceId,
      objectType: object.type,
      instance: object.instance,
      values,
      timeRemaining: typeof payload.timeRemaining === "number" ? payload.timeRemaining : 0,
    };
    for (const listener of this.covListeners) listener(notification);
    return true;
  }

  /** Restores devices known from a previous run so reads can start before a new Who-Is. */
  remember(
    device: Pick<KnownDevice, "deviceId" | "maxApdu" | "segmentation" | "vendorId"> & { address: string },
  ): void {
    this.registry.remember(device);
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
    send: (client: BACnetClient, to: DeviceAddress) => Promise<T>,
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
              // A copy: the library must not be able to change where the device is.
              send(this.requireClient(), { ...device.address }),
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
    return this.request(deviceId, `read ${objectTypeName(objectType)}:${instance}`, (client, to) =>
      client.readProperty(to, objectId, property, index === undefined ? {} : { arrayIndex: index }),
    );
  }

  async readPropertyMultiple(deviceId: number, specs: BACNetReadAccessSpecification[]) {
    return this.request(deviceId, `rpm ${specs.length} objects`, (client, to) =>
      client.readPropertyMultiple(to, specs),
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
          const spec = specs[n]!;
          const objectValues = response.values?.[n];
          const prop = objectValues?.values?.[0];
          // Results are matched by position, so each one must name the object and property asked for.
          if (!prop) out[i] = badResult("missing in RPM answer", now);
          else if (!sameObject(objectValues.objectId, spec.objectId) || prop.id !== spec.properties[0]!.id)
            out[i] = badResult("the answer names another object or property than the one read", now);
          else out[i] = decodeRead(ref, prop.value, now);
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
          out[i] =
            sameObject(response.objectId, { type: typeId, instance: ref.instance }) &&
            response.property?.id === prop
              ? decodeRead(ref, response.values, Date.now())
              : badResult("the answer names another object or property than the one read", Date.now());
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
    await this.request(ref.device, `write ${ref.objectType}:${ref.instance}`, (client, to) =>
      client.writeProperty(to, objectId, prop, [encoded as never], {
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
    await this.request(deviceId, `wpm ${writes.length} values`, (client, to) =>
      client.writePropertyMultiple(to, [...byObject.values()]),
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
    // Registered before the request: the device may notify before its SimpleAck is processed.
    const key = `${deviceId}:${objectType}:${instance}`;
    this.covSubscriptions.set(key, id);
    try {
      await this.request(deviceId, `subscribe-cov ${objectTypeName(objectType)}:${instance}`, (client, to) =>
        client.subscribeCov(to, objectId, id, false, confirmed, lifetimeSeconds),
      );
    } catch (error) {
      if (this.covSubscriptions.get(key) === id) this.covSubscriptions.delete(key);
      throw error;
    }
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
    const key = `${deviceId}:${objectType}:${instance}`;
    if (this.covSubscriptions.get(key) === subscriptionId) this.covSubscriptions.delete(key);
    const objectId = { type: objectType, instance } as BACNetObjectID;
    await this.request(deviceId, `cancel-cov ${objectTypeName(objectType)}:${instance}`, (client, to) =>
      client.subscribeCov(to, objectId, subscriptionId, true, false, 0),
    );
  }
}

/**
 * Where a message came from, as a checked address, plus SNET/SADR when it came through a router. For
 * an I-Am a BBMD forwarded, the originating B/IP address it names (that is where the device is; a
 * claim there is confirmed before use anyway). Everything else is judged by the UDP sender only: the
 * originator field of a Forwarded-NPDU is bytes anyone can write.
 */
function senderOf(
  sender: { address?: string; forwardedFrom?: string | null; net?: number; adr?: number[] } | undefined,
  options: { forwarded: "originator" | "udp-sender" } = { forwarded: "udp-sender" },
): DeviceAddress | undefined {
  if (!sender) return undefined;
  const address = (options.forwarded === "originator" ? sender.forwardedFrom : undefined) ?? sender.address;
  return toDeviceAddress(
    sender.net === undefined ? { address } : { address, net: sender.net, adr: sender.adr },
  );
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
  const list = Array.isArray(values) ? values : [];
  const first = list[0];
  const prop = propertyId(ref.property)!;
  const wholeArray = ref.index === undefined && (isArrayProperty(prop) || list.length > 1);
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
  // Array index 0 is the array's length (an Unsigned), whatever the elements' type.
  if (ref.index === 0) return { value: presentValueToJs(-1, first), quality: "good", timestamp: now };
  // The priority array and relinquish default hold presentValue's datatype (BinaryPV for binaries: booleans),
  // and must have the datatype the object type gives it: a REAL for analog, BinaryPV for binary.
  const isValueProperty =
    prop === PROPERTIES.presentValue ||
    prop === PROPERTIES.relinquishDefault ||
    prop === PROPERTIES.priorityArray;
  const decode = (v: { type: number; value: unknown }) =>
    isValueProperty ? checkPresentValue(typeId, v) : ({ ok: true, value: presentValueToJs(-1, v) } as const);
  const decoded = (wholeArray ? list : [first]).map(decode);
  const wrong = decoded.find((d) => !d.ok);
  if (wrong && !wrong.ok) return badResult(`unexpected value from the device: ${wrong.problem}`, now);
  const good = decoded.map((d) => (d.ok ? d.value : null));
  return { value: wholeArray ? good : good[0]!, quality: "good", timestamp: now };
}

function sameObject(a: unknown, b: { type: number; instance: number }): boolean {
  return isObjectId(a) && a.type === b.type && a.instance === b.instance;
}

export { propertyName };
