import type { BACNetReadAccessSpecification } from "@bacnet-js/client";
import { ApplicationTag, PROPERTIES, unitsSymbol } from "@bms/bacnet";
import type { BacnetService } from "./bacnet-service";
import { describeBacnetError } from "./errors";

type ObjectId = { type: number; instance: number };
type Spec = BACNetReadAccessSpecification;

const ALL_INDEXES = 0xffffffff;
/** Objects one ReadPropertyMultiple asks Units of: about 14 bytes each in the answer, inside 480. */
const PER_REQUEST = 20;
/**
 * How long lookups for one device gather before their read leaves. A device sends a burst's
 * notifications within a millisecond or two of each other (one per datagram, one event-loop turn
 * each), so they go out together in one read, not one read for the first and one for the rest.
 */
const GATHER_MS = 10;

interface Waiting {
  object: ObjectId;
  resolve(symbol: string): void;
}

/**
 * The Units of objects that report events, for an alarm's text ("31.2 °C above high limit 28").
 * Units rarely change, so each object's is read once and kept until its device registers again
 * (`forget`). Reads go per device in ReadPropertyMultiple batches: lookups made while a device's
 * read is gathering or on the wire go together in its next one. Before, every alarm of a burst
 * waited in turn for its own ReadProperty, so the last of ten alarms came ten round trips late.
 * Never throws: an object without Units, or a device that does not answer, gives "".
 */
export class EventUnits {
  private readonly known = new Map<string, Promise<string>>();
  private readonly queued = new Map<number, Waiting[]>();
  /** Devices with a read gathering or on the wire: new lookups wait for the next batch. */
  private readonly busy = new Set<number>();
  constructor(
    private readonly bacnet: () => BacnetService | undefined,
    /** Told of every request sent (the supervisor's metrics count them). */
    private readonly sent: () => void = () => undefined,
  ) {}

  /** The unit symbol of one object ("" when it has none or did not say). */
  of(deviceId: number, object: ObjectId): Promise<string> {
    const key = `${deviceId}/${object.type}:${object.instance}`;
    const known = this.known.get(key);
    if (known) return known;
    const lookup = new Promise<string>((resolve) => {
      const list = this.queued.get(deviceId);
      if (list) list.push({ object, resolve });
      else this.queued.set(deviceId, [{ object, resolve }]);
    });
    this.known.set(key, lookup);
    this.pump(deviceId);
    return lookup;
  }

  /** Reads the Units of these objects now, in one batch (the alarms a device has standing at registration). */
  async prefetch(deviceId: number, objects: readonly ObjectId[]): Promise<void> {
    await Promise.all(objects.map((o) => this.of(deviceId, o)));
  }

  /** Drops what is known of a device's objects: it registers again, and its objects may have changed. */
  forget(deviceId: number): void {
    const prefix = `${deviceId}/`;
    for (const key of [...this.known.keys()]) if (key.startsWith(prefix)) this.known.delete(key);
  }

  private pump(deviceId: number): void {
    if (this.busy.has(deviceId) || !this.queued.has(deviceId)) return;
    this.busy.add(deviceId);
    setTimeout(() => {
      const batch = this.queued.get(deviceId) ?? [];
      this.queued.delete(deviceId);
      void this.read(deviceId, batch)
        .catch(() => undefined) // every lookup of the batch has been answered "" by then
        .finally(() => {
          this.busy.delete(deviceId);
          this.pump(deviceId);
        });
    }, GATHER_MS);
  }

  private async read(deviceId: number, batch: Waiting[]): Promise<void> {
    const bacnet = this.bacnet();
    try {
      for (let i = 0; i < batch.length; i += PER_REQUEST) {
        const chunk = batch.slice(i, i + PER_REQUEST);
        const symbols = bacnet ? await this.readChunk(bacnet, deviceId, chunk) : [];
        chunk.forEach((w, n) => {
          const symbol = symbols[n];
          // Not answered (a timeout, no BACnet): this alarm goes without its unit, and the next one asks
          // again rather than every alarm of the object going without until the device registers again.
          if (symbol === undefined) this.known.delete(`${deviceId}/${w.object.type}:${w.object.instance}`);
          w.resolve(symbol ?? "");
        });
      }
    } finally {
      // Whatever went wrong, no alarm waits for ever on its unit (resolving twice changes nothing).
      for (const w of batch) w.resolve("");
    }
  }

  /** Each object's symbol, "" when the device said it has none, undefined when the device did not answer. */
  private async readChunk(
    bacnet: BacnetService,
    deviceId: number,
    chunk: Waiting[],
  ): Promise<(string | undefined)[]> {
    const rpm = chunk.length > 1 && bacnet.devices.get(deviceId)?.supportsRpm !== false;
    if (rpm) {
      try {
        this.sent();
        const specs: Spec[] = chunk.map((w) => ({
          objectId: w.object as Spec["objectId"],
          properties: [{ id: PROPERTIES.units, index: ALL_INDEXES }] as Spec["properties"],
        }));
        const answer = await bacnet.readPropertyMultiple(deviceId, specs);
        return chunk.map((w, n) => {
          const result = answer.values?.[n];
          // The answer must name the object asked for: a reordered or short answer gives no unit.
          if (result?.objectId?.type !== w.object.type || result.objectId.instance !== w.object.instance)
            return "";
          return symbolOf(result.values?.find((v) => v.id === PROPERTIES.units)?.value?.[0]);
        });
      } catch (error) {
        // A silent device would be as silent to ReadProperty: no unit this time.
        if (describeBacnetError(error).kind === "timeout") return [];
      }
    }
    const out: (string | undefined)[] = [];
    for (const w of chunk) {
      try {
        this.sent();
        const answer = await bacnet.readProperty(
          deviceId,
          w.object.type,
          w.object.instance,
          PROPERTIES.units,
        );
        out.push(symbolOf(answer.values?.[0]));
      } catch (error) {
        // No Units property: known to have none. No answer: unknown, asked again next time.
        out.push(describeBacnetError(error).kind === "timeout" ? undefined : "");
      }
    }
    return out;
  }
}

function symbolOf(value: { type: number; value: unknown } | undefined): string {
  return value?.type === ApplicationTag.ENUMERATED && typeof value.value === "number"
    ? unitsSymbol(value.value)
    : "";
}
