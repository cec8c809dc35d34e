import bacnetModule, { type BACNetObjectID, type BACNetReadAccessSpecification } from "@bacnet-js/client";
import {
  ApplicationTag,
  BVLC_FUNCTION,
  decodeEventValues,
  type EventValuesDecoded,
  encodeBvll,
  encodeNpdu,
  encodeWhoIsRouter,
  GLOBAL_NETWORK,
  type IHave,
  type IHaveDecoded,
  type PointValue as JsValue,
  type NetworkAddress,
  objectTypeName,
  PROPERTIES,
} from "@bms/bacnet";
import type { BacnetPointRef } from "@bms/schemas";
import type { WriteOutcome } from "../point-io";
import { type CovNotification, CovSubscriptions } from "./cov-subscriptions";
import { type DeviceAddress, toDeviceAddress } from "./device-address";
import { DeviceRegistry, type KnownDevice } from "./device-registry";
import { isDefinitive } from "./errors";
import type { ForeignDeviceOptions } from "./foreign-device";
import { sleep } from "./limiter";
import { BacnetReads, type ReadResult } from "./point-reads";
import { BacnetWrites } from "./point-writes";
import { type PipelineOptions, RequestPipeline } from "./request-pipeline";
import { RouterTable } from "./router-table";
import { UdpTransport } from "./udp-transport";
import { DEFAULT_WIRE_LIMITS, isObjectId, noWireEvents, type WireLimits } from "./wire-checks";

export type { CovNotification } from "./cov-subscriptions";
export type { KnownDevice } from "./device-registry";
export { DeviceUnreachableError } from "./errors";
export type { ReadResult } from "./point-reads";

// The package is CommonJS with `exports.default`; under ESM the default import is the exports object.
const BACnetClient: typeof bacnetModule =
  (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;
type BACnetClient = bacnetModule;

export interface BacnetServiceOptions extends PipelineOptions {
  bindAddress: string;
  port: number;
  broadcast: string;
  /** Caps on what devices can make us hold; DEFAULT_WIRE_LIMITS when left out. */
  limits?: WireLimits;
  /** Devices whose address is fixed by configuration: an I-Am never moves them. */
  pins?: ReadonlyMap<number, DeviceAddress>;
  /** Register as a foreign device with this BBMD (`--bbmd`, `--bbmd-ttl`). */
  bbmd?: ForeignDeviceOptions;
  /** The network number of our own B/IP network, if the site gives it one: no router may claim it. */
  localNetwork?: number;
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

const DEVICE_TYPE = 8;

/** Told of an EventNotification as decoded, with its checked sender; true when it was accepted. */
export type EventListener = (
  payload: Record<string, unknown> | undefined,
  from: DeviceAddress | undefined,
  values: EventValuesDecoded,
) => boolean;

/**
 * The supervisor's BACnet/IP client: the single place that talks to devices. It owns the socket and
 * the device directory (Who-Is, I-Am, addresses), and composes the parts that do the rest, one
 * responsibility each: the request pipeline (pacing, timeouts, retries, backoff, device health),
 * reads (RPM batching), writes (WP/WPM, relinquish) and COV subscriptions. The `bacnet` PointIO plugin
 * (bacnet-plugin.ts) puts it behind the seam.
 */
export class BacnetService {
  private client: BACnetClient | undefined;
  private transport: UdpTransport | undefined;
  private readonly registry: DeviceRegistry;
  /** Every device the supervisor knows, by instance (the registry's map). */
  readonly devices: ReadonlyMap<number, KnownDevice>;
  private readonly pipeline: RequestPipeline;
  private readonly reads: BacnetReads;
  private readonly writes: BacnetWrites;
  private readonly cov: CovSubscriptions;
  private readonly iAmListeners = new Set<(device: KnownDevice) => void>();
  /** EventNotification handlers (device-alarms.ts); true when one took the notification. */
  private readonly eventListeners = new Set<EventListener>();
  private readonly iHaveListeners = new Set<(answer: IHave, from: DeviceAddress) => void>();
  readonly counters: RequestPipeline["counters"];
  /** What the wire checks refused or changed, for /api/monitoring/metrics. */
  readonly wire = noWireEvents();
  readonly limits: WireLimits;
  /** Which networks are behind which router (I-Am-Router-To-Network, routed I-Ams). */
  readonly routers: RouterTable;

  constructor(
    private readonly options: BacnetServiceOptions,
    private readonly events: DeviceEvents = {},
  ) {
    this.limits = options.limits ?? DEFAULT_WIRE_LIMITS;
    this.routers = new RouterTable(options.localNetwork);
    this.pipeline = new RequestPipeline(options, {
      client: () => this.requireClient(),
      knownDevice: (deviceId) => this.devices.get(deviceId),
      resolveDevice: (deviceId) => this.resolveDevice(deviceId),
      onDeviceStatus: (device) => this.events.onDeviceStatus?.(device),
    });
    this.counters = this.pipeline.counters;
    this.registry = new DeviceRegistry({
      limits: this.limits,
      pins: options.pins,
      counters: this.wire,
      identify: (at, deviceId) => this.readDeviceIdentity(at, deviceId),
      accepted: (device, { persist }) => {
        // An I-Am is proof of life: a device that came back is online again at once.
        if (device.status !== "online") this.pipeline.markOnline(device);
        if (persist) this.events.onDeviceSeen?.(device);
        for (const listener of this.iAmListeners) listener(device);
      },
      report: (level, message, data) => this.report(level, message, data),
    });
    this.devices = this.registry.devices;
    this.reads = new BacnetReads(this.pipeline, this.devices, (deviceId) => this.resolveDevice(deviceId));
    this.writes = new BacnetWrites(this.pipeline, this.devices);
    this.cov = new CovSubscriptions(this.pipeline, this.devices, (why, data) => {
      this.wire.cov_dropped++;
      this.report("warn", `a COV notification was dropped: ${why}`, data);
    });
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
      bbmd: this.options.bbmd,
      segmentTimeoutMs: this.options.requestTimeoutMs,
    });
    this.transport = transport;
    transport.on("i-am-router", (from: string, networks: number[]) => {
      const accepted = this.routers.learn(from, networks);
      if (accepted.length < networks.length) {
        this.report("warn", "an I-Am-Router-To-Network claim was refused", { from, networks, accepted });
      }
    });
    transport.on("i-have", (decoded: IHaveDecoded, from: string, source: NetworkAddress | undefined) => {
      const at = toDeviceAddress(
        source ? { address: from, net: source.net, adr: source.adr } : { address: from },
      );
      if (!decoded.ok || !at) {
        this.wire.i_have_invalid++;
        this.report("warn", "a malformed I-Have was dropped", {
          from,
          problem: decoded.ok ? "bad-source" : decoded.problem,
        });
        return;
      }
      for (const listener of this.iHaveListeners) listener(decoded.iHave, at);
    });
    transport.on("reject-message-to-network", (from: string, reason: number, network: number) => {
      this.routers.stats.reject_message_to_network++;
      this.report("warn", "a router rejected a message to a network", { from, reason, network });
    });
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
    client.on("iAm", (content) => {
      const from = senderOf(content.header?.sender, { forwarded: "originator" });
      // A routed I-Am also tells which router reaches its network (checked like an I-Am-Router claim).
      if (from?.net !== undefined) this.routers.learn(from.address, [from.net], "device");
      this.registry.handleIAm(content.payload, from);
    });
    client.on("covNotifyUnconfirmed", (content) =>
      this.cov.handle(content.payload, senderOf(content.header?.sender)),
    );
    client.on("covNotify", (content) => {
      const accepted = this.cov.handle(content.payload, senderOf(content.header?.sender));
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
    client.on("eventNotify", (content) => {
      const from = senderOf(content.header?.sender);
      // The library stops before the event values; we decode them from the same datagram.
      const apdu = this.transport?.currentApdu();
      const values: EventValuesDecoded = apdu ? decodeEventValues(apdu) : { problem: "bad-header" };
      let accepted = false;
      for (const listener of this.eventListeners)
        accepted = listener(content.payload, from, values) || accepted;
      // As for COV: only an accepted confirmed notification is acknowledged (never a forged one).
      const header = content.header as { confirmedService?: boolean; sender?: never } | undefined;
      if (accepted && header?.confirmedService && header.sender && content.invokeId !== undefined) {
        client.simpleAckResponse(header.sender, content.service ?? 2, content.invokeId);
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

  /** Hears every EventNotification, confirmed or not; returns its removal. */
  onEventNotification(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** The address and port our BACnet socket is bound to (a device's recipient list names it). */
  get localAddress(): { ip: string; port: number } {
    return { ip: this.options.bindAddress, port: this.options.port };
  }

  onCov(listener: (notification: CovNotification) => void): () => void {
    return this.cov.onCov(listener);
  }

  stop(): void {
    this.client?.close();
    this.client = undefined;
    this.transport = undefined;
  }

  get started(): boolean {
    return this.client !== undefined;
  }

  get transportStats() {
    return this.transport?.stats;
  }

  /** Reads Object_Identifier of device `deviceId` at one address: the instance that answered, if any. */
  private async readDeviceIdentity(at: DeviceAddress, deviceId: number): Promise<number | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const answer = await this.pipeline.once(`identity of device ${deviceId}`, (client) =>
          client.readProperty(
            { ...at },
            { type: DEVICE_TYPE, instance: deviceId } as BACNetObjectID,
            PROPERTIES.objectIdentifier,
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
    // A global broadcast (DNET 0xFFFF): routers pass it to every network behind them (clause 6.3.2).
    client.whoIs({ net: GLOBAL_NETWORK } as never, range ?? {});
  }

  /** Who-Is-Router-To-Network, broadcast (through the BBMD when registered as a foreign device). */
  whoIsRouter(): void {
    this.transport?.sendFrame(encodeBvll(BVLC_FUNCTION.originalBroadcast, encodeWhoIsRouter()));
  }

  /** Broadcasts an unconfirmed APDU to every network (DNET 0xFFFF), e.g. Who-Has. */
  broadcastGlobal(apdu: Buffer): void {
    const npdu = encodeNpdu({ destination: { net: GLOBAL_NETWORK, adr: [] } });
    this.requireClient();
    this.transport?.sendFrame(encodeBvll(BVLC_FUNCTION.originalBroadcast, Buffer.concat([npdu, apdu])));
  }

  /** Checked I-Have answers as they arrive; returns the unsubscribe. */
  onIHave(listener: (answer: IHave, from: DeviceAddress) => void): () => void {
    this.iHaveListeners.add(listener);
    return () => this.iHaveListeners.delete(listener);
  }

  /** The network map, segmentation counters and foreign-device registration, for the API. */
  networkView() {
    return {
      ...this.routers.view(),
      counters: this.routers.stats,
      segmentation: this.transport?.segments.stats ?? null,
      foreign_device: this.transport?.foreignDevice?.view() ?? null,
    };
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
      this.whoIsRouter();
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

  private requireClient(): BACnetClient {
    if (!this.client) throw new Error("BACnet service is not started");
    return this.client;
  }

  /**
   * One confirmed request through the pipeline (pacing, guard timeout, retries, device health), for
   * the service families kept in their own files (schedules, trend logs, alarms, commissioning).
   */
  call<T>(deviceId: number, label: string, send: (client: BACnetClient, to: DeviceAddress) => Promise<T>) {
    return this.pipeline.request(deviceId, label, send);
  }

  readProperty(deviceId: number, objectType: number, instance: number, property: number, index?: number) {
    return this.reads.readProperty(deviceId, objectType, instance, property, index);
  }

  readPropertyMultiple(deviceId: number, specs: BACNetReadAccessSpecification[]) {
    return this.reads.readPropertyMultiple(deviceId, specs);
  }

  /** Never throws: every point gets a value or a bad quality with the reason and a code. */
  readPoints(refs: readonly BacnetPointRef[]): Promise<ReadResult[]> {
    return this.reads.readPoints(refs);
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

  /** Writes one value at a priority; null relinquishes that priority. Throws what the device answered. */
  writePoint(ref: BacnetPointRef, value: JsValue, priority: number): Promise<void> {
    return this.writes.writePoint(ref, value, priority);
  }

  /** WPM per device where it is taken, single writes otherwise; one outcome (with a code) per write. */
  writePoints(
    writes: readonly { ref: BacnetPointRef; value: JsValue; priority: number }[],
  ): Promise<WriteOutcome[]> {
    return this.writes.writePoints(writes);
  }

  /** SubscribeCOV (unconfirmed by default); pass the process id of an existing subscription to renew it. */
  subscribeCov(
    deviceId: number,
    objectType: number,
    instance: number,
    lifetimeSeconds: number,
    confirmed = false,
    processId?: number,
  ): Promise<number> {
    return this.cov.subscribe(deviceId, objectType, instance, lifetimeSeconds, confirmed, processId);
  }

  cancelCov(deviceId: number, objectType: number, instance: number, subscriptionId: number): Promise<void> {
    return this.cov.cancel(deviceId, objectType, instance, subscriptionId);
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
