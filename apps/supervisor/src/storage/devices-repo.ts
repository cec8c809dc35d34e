import type { ValueLabels } from "@bms/bacnet/display";
import type { BacnetObject, Device } from "@bms/schemas";
import type { Db } from "./database";

interface DeviceRow {
  device_id: number;
  address: string;
  name: string | null;
  vendor_name: string | null;
  model_name: string | null;
  vendor_id: number | null;
  max_apdu: number | null;
  segmentation: number | null;
  status: string;
  reason: string | null;
  last_seen: number | null;
}

export interface DeviceRecord {
  device_id: number;
  address: string;
  name?: string | null;
  vendor_name?: string | null;
  model_name?: string | null;
  vendor_id?: number | null;
  max_apdu?: number | null;
  segmentation?: number | null;
  status: "online" | "offline" | "unknown";
  reason?: string | null;
  last_seen?: number | null;
}

const SEGMENTATION = ["segmented-both", "segmented-transmit", "segmented-receive", "no-segmentation"];

export function toDeviceDto(row: DeviceRow, objectCount: number | null): Device {
  const dto: Device = {
    device_id: row.device_id,
    address: row.address,
    name: row.name,
    vendor_name: row.vendor_name,
    model_name: row.model_name,
    max_apdu: row.max_apdu,
    segmentation:
      row.segmentation === null ? null : (SEGMENTATION[row.segmentation] ?? String(row.segmentation)),
    status: row.status as Device["status"],
    last_seen: row.last_seen === null ? null : new Date(row.last_seen).toISOString(),
    object_count: objectCount,
  };
  if (row.reason) dto.reason = row.reason;
  return dto;
}

/** The device cache and the `bacnet_objects` table: what discovery found, kept across restarts. */
export class DevicesRepo {
  constructor(private readonly db: Db) {}

  upsert(device: DeviceRecord): void {
    this.db
      .prepare(
        `INSERT INTO devices (device_id, address, name, vendor_name, model_name, vendor_id, max_apdu, segmentation,
           status, reason, last_seen)
         VALUES (@device_id, @address, @name, @vendor_name, @model_name, @vendor_id, @max_apdu, @segmentation,
           @status, @reason, @last_seen)
         ON CONFLICT(device_id) DO UPDATE SET
           address = excluded.address,
           name = COALESCE(excluded.name, devices.name),
           vendor_name = COALESCE(excluded.vendor_name, devices.vendor_name),
           model_name = COALESCE(excluded.model_name, devices.model_name),
           vendor_id = COALESCE(excluded.vendor_id, devices.vendor_id),
           max_apdu = COALESCE(excluded.max_apdu, devices.max_apdu),
           segmentation = COALESCE(excluded.segmentation, devices.segmentation),
           status = excluded.status,
           reason = excluded.reason,
           last_seen = COALESCE(excluded.last_seen, devices.last_seen)`,
      )
      .run({
        name: null,
        vendor_name: null,
        model_name: null,
        vendor_id: null,
        max_apdu: null,
        segmentation: null,
        reason: null,
        last_seen: null,
        ...device,
      });
  }

  list(): Device[] {
    const rows = this.db.prepare("SELECT * FROM devices ORDER BY device_id").all() as DeviceRow[];
    const counts = new Map(
      (
        this.db.prepare("SELECT device_id, COUNT(*) AS n FROM bacnet_objects GROUP BY device_id").all() as {
          device_id: number;
          n: number;
        }[]
      ).map((r) => [r.device_id, r.n]),
    );
    return rows.map((row) => toDeviceDto(row, counts.get(row.device_id) ?? null));
  }

  get(deviceId: number): Device | undefined {
    const row = this.db.prepare("SELECT * FROM devices WHERE device_id = ?").get(deviceId) as
      | DeviceRow
      | undefined;
    if (!row) return undefined;
    const count = this.db
      .prepare("SELECT COUNT(*) AS n FROM bacnet_objects WHERE device_id = ?")
      .get(deviceId) as {
      n: number;
    };
    return toDeviceDto(row, count.n);
  }

  raw(): DeviceRow[] {
    return this.db.prepare("SELECT * FROM devices").all() as DeviceRow[];
  }

  replaceObjects(
    deviceId: number,
    objects: (BacnetObject & { commandable?: boolean })[],
    now = new Date(),
  ): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM bacnet_objects WHERE device_id = ?").run(deviceId);
      this.insertObjects(objects, now);
    })();
  }

  /** Seeds objects from a deployment package without dropping what discovery found. */
  mergeObjects(objects: BacnetObject[], now = new Date()): void {
    this.db.transaction(() => this.insertObjects(objects, now, true))();
  }

  private insertObjects(
    objects: (BacnetObject & { commandable?: boolean })[],
    now: Date,
    keepExisting = false,
  ) {
    const statement = this.db.prepare(
      `INSERT ${keepExisting ? "OR IGNORE" : "OR REPLACE"} INTO bacnet_objects
         (device_id, object_type, object_instance, object_name, description, units, commandable, discovered_at,
          state_text_json, active_text, inactive_text)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const o of objects) {
      statement.run(
        o.device_id,
        o.object_type,
        o.object_instance,
        o.object_name,
        o.description ?? null,
        o.units ?? null,
        o.commandable ? 1 : 0,
        now.toISOString(),
        o.state_text ? JSON.stringify(o.state_text) : null,
        o.active_text ?? null,
        o.inactive_text ?? null,
      );
    }
  }

  objects(deviceId: number): (BacnetObject & { commandable: boolean })[] {
    const rows = this.db
      .prepare(
        `SELECT device_id, object_type, object_instance, object_name, description, units, commandable,
           state_text_json, active_text, inactive_text
         FROM bacnet_objects WHERE device_id = ? ORDER BY object_type, object_instance`,
      )
      .all(deviceId) as ObjectRow[];
    return rows.map((r) => ({
      device_id: r.device_id,
      object_type: r.object_type,
      object_instance: r.object_instance,
      object_name: r.object_name,
      ...(r.description ? { description: r.description } : {}),
      commandable: r.commandable === 1,
      ...rowLabels(r),
    }));
  }

  /**
   * How one object's values read (units, state texts), from the cache; undefined when the object was
   * never browsed. Called on every live read, so it is one indexed lookup.
   */
  labels(deviceId: number, objectType: string, instance: number): ValueLabels | undefined {
    const row = this.db
      .prepare(
        `SELECT units, state_text_json, active_text, inactive_text FROM bacnet_objects
         WHERE device_id = ? AND object_type = ? AND object_instance = ?`,
      )
      .get(deviceId, objectType, instance) as ObjectRow | undefined;
    return row ? rowLabels(row) : undefined;
  }
}

interface ObjectRow
  extends Omit<BacnetObject, "state_text" | "active_text" | "inactive_text" | "units" | "description"> {
  commandable: number;
  description: string | null;
  units: string | null;
  state_text_json: string | null;
  active_text: string | null;
  inactive_text: string | null;
}

function rowLabels(r: Pick<ObjectRow, "units" | "state_text_json" | "active_text" | "inactive_text">) {
  const labels: { units?: string; state_text?: string[]; active_text?: string; inactive_text?: string } = {};
  if (r.units) labels.units = r.units;
  if (r.state_text_json) labels.state_text = JSON.parse(r.state_text_json) as string[];
  if (r.active_text !== null) labels.active_text = r.active_text;
  if (r.inactive_text !== null) labels.inactive_text = r.inactive_text;
  return labels;
}
