import { ServicesSupported } from "@bacnet-js/client";
import {
  ApplicationTag,
  buildNameTable,
  decodeValue,
  maxApduFromCode,
  objectTypeName,
  PROPERTIES,
} from "@bms/bacnet";
import type { DeviceReport } from "@bms/bacnet/device-report";
import type { BacnetService } from "./bacnet-service";
import { formatDeviceAddress } from "./device-address";
import { DeviceUnreachableError, describeBacnetError } from "./errors";
import { readObjectList } from "./object-browser";
import { MAX_TEXT_LENGTH } from "./wire-checks";

const DEVICE_TYPE = 8;
const SERVICE_NAMES = buildNameTable(ServicesSupported as unknown as Record<string, string | number>).byId;
/** BACnetSegmentation (clause 21). */
const SEGMENTATION = ["segmented-both", "segmented-transmit", "segmented-receive", "no-segmentation"];

/** The Device object properties an EPICS lists, in the order they are read and printed. */
const REPORT_PROPERTIES = {
  object_name: PROPERTIES.objectName,
  vendor_name: PROPERTIES.vendorName,
  vendor_id: PROPERTIES.vendorIdentifier,
  model_name: PROPERTIES.modelName,
  firmware_revision: PROPERTIES.firmwareRevision,
  application_software_version: PROPERTIES.applicationSoftwareVersion,
  description: PROPERTIES.description,
  location: PROPERTIES.location,
  protocol_version: PROPERTIES.protocolVersion,
  protocol_revision: PROPERTIES.protocolRevision,
  services_supported: PROPERTIES.protocolServicesSupported,
  object_types_supported: PROPERTIES.protocolObjectTypesSupported,
  max_apdu: PROPERTIES.maxApduLengthAccepted,
  segmentation: PROPERTIES.segmentationSupported,
  database_revision: PROPERTIES.databaseRevision,
} as const;
type ReportProperty = keyof typeof REPORT_PROPERTIES;

type Answer = { type: number; value: unknown }[] | undefined;

function first(values: Answer): { type: number; value: unknown } | undefined {
  const value = values?.[0];
  if (!value || typeof (value.value as { errorCode?: number })?.errorCode === "number") return undefined;
  return value;
}

function text(values: Answer): string | null {
  const value = first(values);
  if (!value) return null;
  const decoded = decodeValue(value);
  return typeof decoded === "string" ? decoded.slice(0, MAX_TEXT_LENGTH) : null;
}

function unsigned(values: Answer): number | null {
  const value = first(values);
  return (value?.type === ApplicationTag.UNSIGNED_INTEGER || value?.type === ApplicationTag.ENUMERATED) &&
    Number.isInteger(value.value) &&
    (value.value as number) >= 0
    ? (value.value as number)
    : null;
}

/** The set bits of a BACnet bit string in the library's form, as names (unknown bits keep their number). */
function bitNames(values: Answer, name: (bit: number) => string): string[] | null {
  const value = first(values);
  if (value?.type !== ApplicationTag.BIT_STRING) return null;
  const bits = value.value as { bitsUsed?: unknown; value?: unknown };
  if (!Number.isInteger(bits.bitsUsed) || !Array.isArray(bits.value)) return null;
  const used = Math.min(bits.bitsUsed as number, 8 * bits.value.length, 1024);
  const names: string[] = [];
  for (let bit = 0; bit < used; bit++) {
    if (((bits.value[bit >> 3] as number) & (1 << (bit % 8))) !== 0) names.push(name(bit));
  }
  return names;
}

/** A device that does not answer at all: the report stops rather than listing everything as missing. */
function silent(error: unknown): boolean {
  return error instanceof DeviceUnreachableError || describeBacnetError(error).kind === "timeout";
}

/** Reads every report property: one RPM, or one ReadProperty each where the device refuses RPM. */
async function readDeviceProperties(bacnet: BacnetService, deviceId: number): Promise<Map<number, Answer>> {
  const ids = Object.values(REPORT_PROPERTIES);
  const byId = new Map<number, Answer>();
  try {
    const answer = await bacnet.readPropertyMultiple(deviceId, [
      {
        objectId: { type: DEVICE_TYPE, instance: deviceId },
        properties: ids.map((id) => ({ id, index: 0xffffffff })),
      } as never,
    ]);
    for (const v of answer.values?.[0]?.values ?? []) byId.set(v.id, v.value as Answer);
    if (byId.size > 0) return byId;
  } catch (error) {
    if (silent(error)) throw error;
  }
  for (const id of ids) {
    try {
      byId.set(id, (await bacnet.readProperty(deviceId, DEVICE_TYPE, deviceId, id)).values as Answer);
    } catch (error) {
      // An optional property the device lacks answers an Error; a silent device stops the report.
      if (silent(error) || id === PROPERTIES.objectName) throw error;
    }
  }
  return byId;
}

/** Builds the report from the device's own answers; throws when the device cannot be reached. */
export async function readDeviceReport(bacnet: BacnetService, deviceId: number): Promise<DeviceReport> {
  const props = await readDeviceProperties(bacnet, deviceId);
  const get = (key: ReportProperty) => props.get(REPORT_PROPERTIES[key]);
  const objects = await readObjectList(bacnet, deviceId);
  const byType: Record<string, number> = {};
  for (const id of objects) {
    const name = objectTypeName(id.type);
    byType[name] = (byType[name] ?? 0) + 1;
  }
  const known = bacnet.devices.get(deviceId);
  const maxApdu = unsigned(get("max_apdu"));
  const segmentation = unsigned(get("segmentation"));
  const report: DeviceReport = {
    device_id: deviceId,
    generated_at: new Date().toISOString(),
    route: {
      address: known ? formatDeviceAddress(known.address) : "",
      network: known?.address.net ?? null,
      mac: known?.address.net === undefined ? null : [...(known.address.adr ?? [])],
    },
    object_name: text(get("object_name")),
    vendor_name: text(get("vendor_name")),
    vendor_id: unsigned(get("vendor_id")),
    model_name: text(get("model_name")),
    firmware_revision: text(get("firmware_revision")),
    application_software_version: text(get("application_software_version")),
    description: text(get("description")),
    location: text(get("location")),
    protocol_version: unsigned(get("protocol_version")),
    protocol_revision: unsigned(get("protocol_revision")),
    // A device reporting a code (0..5) rather than octets is read through the standard's table.
    max_apdu: maxApdu === null ? null : maxApdu <= 5 ? maxApduFromCode(maxApdu) : maxApdu,
    segmentation: segmentation === null ? null : (SEGMENTATION[segmentation] ?? String(segmentation)),
    database_revision: unsigned(get("database_revision")),
    services_supported:
      bitNames(get("services_supported"), (bit) => SERVICE_NAMES.get(bit) ?? `service-${bit}`) ?? [],
    object_types_supported: bitNames(get("object_types_supported"), objectTypeName) ?? [],
    object_list: { total: objects.length, by_type: byType },
    missing: [],
  };
  report.missing = (Object.keys(REPORT_PROPERTIES) as ReportProperty[]).filter((key) => {
    const value = report[key as keyof DeviceReport];
    return value === null || (key.endsWith("_supported") && get(key) === undefined);
  });
  return report;
}
