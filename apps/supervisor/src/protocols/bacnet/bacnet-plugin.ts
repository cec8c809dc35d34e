import { type BacnetPointRef, formatPointRef } from "@bms/schemas";
import type { DevicesRepo } from "../../storage/devices-repo";
import type { EventsRepo } from "../../storage/events-repo";
import { SUPERVISOR_VERSION } from "../../version";
import { parsedPointRef } from "../parsed-refs";
import { PerList } from "../per-list";
import type {
  BrowseEntry,
  PluginContext,
  PluginHealth,
  PointChange,
  PointIO,
  PointIOPluginModule,
  PointLabels,
  PointReading,
  PointWrite,
  SubscriptionStatus,
  WriteOutcome,
} from "../point-io";
import { BacnetService, type BacnetServiceOptions, type KnownDevice } from "./bacnet-service";
import { CovManager } from "./cov-manager";
import { formatDeviceAddress } from "./device-address";
import { DiscoveryService } from "./discovery";
import { browseObjects, type DeviceInfo } from "./object-browser";

/** BACnet's default command priority when a write names none. */
const DEFAULT_PRIORITY = 16;
/** COV subscription lifetime; renewed at 80 %. */
const COV_LIFETIME_S = 300;
/** How often objects that refused COV are read to see a change. */
const COV_POLL_MS = 1000;

interface Subscriber {
  refs: ReadonlySet<string>;
  onChange(changes: PointChange[]): void;
}

/** Properties whose values read like presentValue: they share its units and state texts. */
const VALUE_PROPERTIES = new Set(["presentValue", "relinquishDefault", "priorityArray"]);

/**
 * BACnet/IP behind the seam. Reads and writes go through the registry like every protocol's; what
 * only BACnet has (priority arrays, discovery, object browsing with units and state texts, COV) stays
 * on `service` and `discovery`, reached with `registry.find("bacnet", BacnetPointIO)`.
 */
export class BacnetPointIO implements PointIO {
  readonly protocol = "bacnet";
  readonly capabilities = {
    priority: true,
    priorityArray: true,
    // COV: SubscribeCOV with lifetimes and renewals, and polling where a device refuses (CovManager).
    subscribe: true,
    browse: true,
    write: true,
  };
  private lastError: string | undefined;
  private closed = false;
  private readonly cov: CovManager;
  private readonly subscribers = new Set<Subscriber>();
  private covSync: Promise<void> = Promise.resolve();
  private covSyncQueued = false;

  constructor(
    readonly service: BacnetService,
    readonly discovery: DiscoveryService,
    private readonly options: {
      discoverOnStart: boolean;
      beforeStart?: () => void;
      /** The object cache's units and state texts (filled by browsing), by object. */
      objectLabels?: (device: number, objectType: string, instance: number) => PointLabels | undefined;
    },
    private readonly now: () => number = Date.now,
  ) {
    this.cov = new CovManager(service, {
      lifetimeSeconds: COV_LIFETIME_S,
      pollIntervalMs: COV_POLL_MS,
      onChange: (changes) => this.dispatch(changes),
    });
  }

  async start(): Promise<void> {
    this.options.beforeStart?.();
    await this.service.start();
    this.cov.start();
    // A supervisor that has just started knows its network a few seconds later without being asked:
    // the dashboard's device list and the Designer's browser are filled when someone first looks.
    if (this.options.discoverOnStart) void this.discovery.start({ timeoutMs: 3000 });
  }

  async read(refs: readonly string[]): Promise<PointReading[]> {
    if (this.closed)
      return refs.map((text) => {
        const ref = this.parse(text);
        return typeof ref === "string"
          ? this.refused("invalid_ref", ref)
          : this.refused("busy", "the BACnet plugin is shut down");
      });
    const { invalid, at, parsed } = this.parsedReads.get(refs);
    if (invalid.length === 0) {
      // Every ref parsed, in order (every scan of a steady flow): the reads' own array is the answer.
      const results = await this.service.readPoints(parsed);
      for (let n = 0; n < results.length; n++) {
        const result = results[n]!;
        if (result.quality === "bad" && result.reason) this.lastError = `${refs[n]!}: ${result.reason}`;
      }
      return results;
    }
    const out: PointReading[] = new Array(refs.length);
    for (const { i, reason } of invalid) out[i] = this.refused("invalid_ref", reason);
    if (parsed.length > 0) {
      const results = await this.service.readPoints(parsed);
      for (let n = 0; n < parsed.length; n++) {
        const result = results[n]!;
        if (result.quality === "bad" && result.reason) this.lastError = `${refs[at[n]!]}: ${result.reason}`;
        out[at[n]!] = result;
      }
    }
    return out;
  }

  /** The refs parsed, remembered per list (the same parsed list each scan lets the reads remember theirs). */
  private readonly parsedReads = new PerList((refs: readonly string[]) => {
    const invalid: { i: number; reason: string }[] = [];
    const at: number[] = [];
    const parsed: BacnetPointRef[] = [];
    refs.forEach((text, i) => {
      const ref = this.parse(text);
      if (typeof ref === "string") invalid.push({ i, reason: ref });
      else {
        at.push(i);
        parsed.push(ref);
      }
    });
    return { invalid, at, parsed: Object.freeze(parsed) };
  });

  async write(writes: readonly PointWrite[]): Promise<WriteOutcome[]> {
    const out: WriteOutcome[] = new Array(writes.length);
    const parsed: { i: number; ref: BacnetPointRef; write: PointWrite }[] = [];
    writes.forEach((write, i) => {
      const ref = this.parse(write.ref);
      const priority = write.priority ?? DEFAULT_PRIORITY;
      if (typeof ref === "string") out[i] = { ok: false, code: "invalid_ref", error: ref };
      else if (!Number.isInteger(priority) || priority < 1 || priority > 16)
        out[i] = { ok: false, code: "invalid_ref", error: `priority ${priority} is not 1..16` };
      else if (this.closed) out[i] = { ok: false, code: "busy", error: "the BACnet plugin is shut down" };
      else parsed.push({ i, ref, write });
    });
    if (parsed.length > 0) {
      const outcomes = await this.service.writePoints(
        parsed.map((p) => ({
          ref: p.ref,
          value: p.write.value,
          priority: p.write.priority ?? DEFAULT_PRIORITY,
        })),
      );
      parsed.forEach((p, n) => {
        const outcome = outcomes[n]!;
        if (!outcome.ok) this.lastError = `${writes[p.i]!.ref}: ${outcome.error ?? "write failed"}`;
        out[p.i] = outcome;
      });
    }
    return out;
  }

  /**
   * COV for these refs (presentValues; other properties are left to the scan's reads). Subscriptions are
   * shared: a ref two subscribers want is subscribed once on the device, and an unsubscribe followed by
   * a subscribe of the same refs (a site recomputing what it watches) sends nothing to the devices.
   */
  subscribe(refs: readonly string[], onChange: (changes: PointChange[]) => void): () => void {
    const subscriber: Subscriber = { refs: new Set(refs), onChange };
    this.subscribers.add(subscriber);
    this.syncCov();
    return () => {
      if (this.subscribers.delete(subscriber)) this.syncCov();
    };
  }

  subscriptions(): SubscriptionStatus[] {
    return this.cov.status();
  }

  /** Brings the device subscriptions to the union of what subscribers want, once per tick, in order. */
  private syncCov() {
    if (this.covSyncQueued || this.closed) return;
    this.covSyncQueued = true;
    this.covSync = this.covSync.then(async () => {
      await new Promise<void>((r) => setImmediate(r));
      this.covSyncQueued = false;
      if (this.closed) return;
      const wanted = new Set<string>();
      for (const s of this.subscribers) for (const ref of s.refs) wanted.add(ref);
      await this.cov.set([...wanted]).catch((error: unknown) => {
        this.lastError = `COV: ${error instanceof Error ? error.message : String(error)}`;
      });
    });
  }

  private dispatch(changes: PointChange[]) {
    for (const s of this.subscribers) {
      const mine = changes.filter((c) => s.refs.has(c.ref));
      if (mine.length > 0) s.onChange(mine);
    }
  }

  /** Roots are the known devices; a device opens to its objects' presentValues (read from it). */
  async browse(parentId?: string): Promise<BrowseEntry[]> {
    if (parentId === undefined) {
      return [...this.service.devices.values()]
        .sort((a, b) => a.deviceId - b.deviceId)
        .map((d) => ({
          id: `device:${d.deviceId}`,
          name: `device ${d.deviceId}`,
          kind: "device" as const,
          description: `${formatDeviceAddress(d.address)} (${d.status})`,
        }));
    }
    const match = /^device:(\d+)$/.exec(parentId);
    if (!match) return [];
    const deviceId = Number(match[1]);
    const objects = await browseObjects(this.service, deviceId);
    return objects.map((o) => {
      const ref = formatPointRef({
        protocol: "bacnet",
        device: deviceId,
        objectType: o.object_type,
        instance: o.object_instance,
        property: "presentValue",
      });
      return {
        id: ref,
        name: o.object_name,
        kind: "point" as const,
        ref,
        writable: o.commandable,
        ...(o.units ? { units: o.units } : {}),
        ...(o.description ? { description: o.description } : {}),
        ...(o.present_value === undefined
          ? {}
          : { reading: { value: o.present_value, quality: "good" as const, timestamp: this.now() } }),
      };
    });
  }

  health(): PluginHealth {
    const devices = [...this.service.devices.values()];
    const online = devices.filter((d) => d.status === "online").length;
    const lastSeen = Math.max(0, ...devices.map((d) => d.lastSeen ?? 0));
    const offline = devices.length - online - devices.filter((d) => d.status === "unknown").length;
    const counters = this.service.counters;
    return {
      protocol: this.protocol,
      state: !this.service.started ? "down" : offline > 0 ? "degraded" : "ok",
      connections: online,
      errors: counters.timeouts + counters.errors,
      ...(lastSeen > 0 ? { last_message_at: lastSeen } : {}),
      ...(this.lastError ? { last_error: this.lastError } : {}),
      detail: {
        devices_known: devices.length,
        devices_online: online,
        devices_offline: offline,
        requests: counters.requests,
        retries: counters.retries,
      },
    };
  }

  async shutdown(): Promise<void> {
    // Subscriptions are cancelled on the devices while the socket is still open.
    this.subscribers.clear();
    await this.covSync;
    await this.cov.stop();
    this.closed = true;
    this.service.stop();
  }

  /** An object's units and state texts, for the properties that read like its value. */
  labels(ref: string): PointLabels | undefined {
    const parsed = this.parse(ref);
    if (typeof parsed === "string" || !VALUE_PROPERTIES.has(parsed.property)) return undefined;
    return this.options.objectLabels?.(parsed.device, parsed.objectType, parsed.instance);
  }

  private parse(text: string): BacnetPointRef | string {
    const parsed = parsedPointRef(text);
    if (!parsed.ok) return parsed.message;
    if (parsed.ref.protocol !== "bacnet") return `${text} is not a BACnet point`;
    return parsed.ref;
  }

  private refused(code: "invalid_ref" | "busy", reason: string): PointReading {
    return { value: null, quality: "bad", code, reason, timestamp: this.now() };
  }
}

/** What the built-in BACnet plugin needs from the supervisor: its options and the device cache. */
export interface BacnetPluginDeps {
  options: Omit<BacnetServiceOptions, "logger"> & { discoverOnStart: boolean };
  devices: DevicesRepo;
  events: EventsRepo;
}

/** The built-in `bacnet` plugin, wired to the device cache in runtime.db and the event log. */
export function bacnetPluginModule(deps: BacnetPluginDeps): PointIOPluginModule {
  return {
    name: "@bms/bacnet-ip",
    protocol: "bacnet",
    version: SUPERVISOR_VERSION,
    create(context: PluginContext) {
      const { devices, events } = deps;
      const save = (device: KnownDevice, info?: DeviceInfo) =>
        devices.upsert({
          device_id: device.deviceId,
          address: formatDeviceAddress(device.address),
          vendor_id: device.vendorId,
          max_apdu: device.maxApdu,
          segmentation: device.segmentation,
          status: device.status,
          reason: device.reason ?? null,
          last_seen: device.lastSeen,
          ...(info ?? {}),
        });
      const service = new BacnetService(
        {
          ...deps.options,
          logger: { info: (m) => context.logger.info(m), warn: (m) => context.logger.warn(m) },
        },
        {
          // Every I-Am lands in the cache, also those answering the ranged Who-Is a flow's first read sends.
          onDeviceSeen: (device) => save(device),
          onDeviceStatus: (device) => {
            save(device);
            events.add(
              device.status === "online" ? "info" : "warn",
              "bacnet",
              `device ${device.deviceId} is ${device.status}${device.reason ? `: ${device.reason}` : ""}`,
            );
          },
          onWireEvent: (level, message, data) => events.add(level, "bacnet", message, data),
        },
      );
      const restore = () => {
        // Pinned devices are listed from the start, at the address the configuration gives them.
        for (const device of service.devices.values()) if (device.pinned) save(device);
        // Devices found in earlier runs are addressable at once, before any new Who-Is. Under the device
        // cap, those that ever answered (their name was read) come first, so a past I-Am flood cannot
        // push them out.
        const rows = devices
          .raw()
          .sort(
            (a, b) =>
              Number(a.name === null) - Number(b.name === null) || (b.last_seen ?? 0) - (a.last_seen ?? 0),
          );
        for (const row of rows) {
          service.remember({
            deviceId: row.device_id,
            address: row.address,
            maxApdu: row.max_apdu ?? 1476,
            segmentation: row.segmentation ?? 3,
            vendorId: row.vendor_id ?? 0,
          });
        }
      };
      return new BacnetPointIO(
        service,
        new DiscoveryService(service, save),
        {
          discoverOnStart: deps.options.discoverOnStart,
          beforeStart: restore,
          objectLabels: (device, objectType, instance) => devices.labels(device, objectType, instance),
        },
        () => context.now(),
      );
    },
  };
}
