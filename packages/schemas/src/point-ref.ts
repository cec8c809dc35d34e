import { z } from "zod";
import { BACNET_MAX_DEVICE_INSTANCE, BACNET_MAX_OBJECT_INSTANCE } from "./bacnet-limits";
import { MODBUS_TABLES, type ModbusTable } from "./modbus-profile";

/**
 * Point references name every point the product reads or writes. One canonical string form:
 *   bacnet:<deviceInstance>/<objectType>:<instance>[.<property>][[<index>]]
 *   modbus:<host>[:<port>]:<unit>/<table>:<address>
 *   mqtt:<topic>[#<json.path>]   (`#` cannot occur in a topic name, so it separates the payload path)
 *   http:<endpoint>/<json.path>         (the endpoint is named in the HTTP plugin's configuration)
 *   <scheme>:<rest>                     (a plugin's protocol: `virtual:zone1/setpoint`; the plugin parses <rest>)
 * The seed's `bacnet:100:AI1` and `device:bacnet:100:analogInput:1:presentValue` are accepted and normalised.
 */

export { BACNET_MAX_DEVICE_INSTANCE, BACNET_MAX_OBJECT_INSTANCE };

export const BACNET_OBJECT_TYPES = [
  "analogInput",
  "analogOutput",
  "analogValue",
  "binaryInput",
  "binaryOutput",
  "binaryValue",
  "calendar",
  "command",
  "device",
  "eventEnrollment",
  "file",
  "group",
  "loop",
  "multiStateInput",
  "multiStateOutput",
  "notificationClass",
  "program",
  "schedule",
  "averaging",
  "multiStateValue",
  "trendLog",
  "lifeSafetyPoint",
  "lifeSafetyZone",
  "accumulator",
  "pulseConverter",
  "eventLog",
  "globalGroup",
  "trendLogMultiple",
  "loadControl",
  "structuredView",
  "accessDoor",
  "timer",
  "accessCredential",
  "accessPoint",
  "accessRights",
  "accessUser",
  "accessZone",
  "credentialDataInput",
  "networkSecurity",
  "bitstringValue",
  "characterstringValue",
  "datePatternValue",
  "dateValue",
  "datetimePatternValue",
  "datetimeValue",
  "integerValue",
  "largeAnalogValue",
  "octetstringValue",
  "positiveIntegerValue",
  "timePatternValue",
  "timeValue",
  "notificationForwarder",
  "alertEnrollment",
  "channel",
  "lightingOutput",
] as const;
export type BacnetObjectType = (typeof BACNET_OBJECT_TYPES)[number];
export const BacnetObjectTypeSchema = z.enum(BACNET_OBJECT_TYPES);

/** Object types whose presentValue has a priority array in the standard (or optionally, in practice). */
export const COMMANDABLE_OBJECT_TYPES: readonly BacnetObjectType[] = [
  "analogOutput",
  "binaryOutput",
  "multiStateOutput",
  "analogValue",
  "binaryValue",
  "multiStateValue",
  "lightingOutput",
];

/** The abbreviations integrators write (and the seed uses): AI1, BO3, MSV2 ... */
const OBJECT_TYPE_ABBREVIATIONS: Record<string, BacnetObjectType> = {
  AI: "analogInput",
  AO: "analogOutput",
  AV: "analogValue",
  BI: "binaryInput",
  BO: "binaryOutput",
  BV: "binaryValue",
  MI: "multiStateInput",
  MSI: "multiStateInput",
  MO: "multiStateOutput",
  MSO: "multiStateOutput",
  MV: "multiStateValue",
  MSV: "multiStateValue",
  DEV: "device",
  TL: "trendLog",
  SCH: "schedule",
  CAL: "calendar",
  NC: "notificationClass",
  ACC: "accumulator",
  LO: "loop",
};

const OBJECT_TYPE_BY_LOWER = new Map<string, BacnetObjectType>(
  BACNET_OBJECT_TYPES.map((t) => [t.toLowerCase(), t]),
);

/** Accepts camelCase, any case, snake/kebab case (`analog_input`, `analog-input`) and abbreviations. */
export function parseObjectType(text: string): BacnetObjectType | undefined {
  const abbreviation = OBJECT_TYPE_ABBREVIATIONS[text.toUpperCase()];
  if (abbreviation) return abbreviation;
  return OBJECT_TYPE_BY_LOWER.get(text.replace(/[-_\s]/g, "").toLowerCase());
}

export interface BacnetPointRef {
  protocol: "bacnet";
  device: number;
  objectType: BacnetObjectType;
  instance: number;
  property: string;
  index?: number;
}

export interface ModbusPointRef {
  protocol: "modbus";
  host: string;
  port?: number;
  unit: number;
  table: ModbusTable;
  address: number;
}

export interface MqttPointRef {
  protocol: "mqtt";
  topic: string;
  /** A JSON path into the payload (`object.temperature`); absent: the whole payload is the value. */
  path?: string;
}

/** An HTTP poll point: a value at a JSON path of an endpoint the HTTP plugin's configuration names. */
export interface HttpPointRef {
  protocol: "http";
  endpoint: string;
  /** `current.temperature_2m`, `items[0].value`; the plugin evaluates it. */
  path: string;
}

/**
 * A point of a protocol loaded as a plugin. `protocol` stays the literal "plugin" (so code that switches
 * on the built-in protocols keeps its exhaustiveness); the registry routes on `scheme`.
 */
export interface PluginPointRef {
  protocol: "plugin";
  scheme: string;
  /** Everything after `<scheme>:`, the plugin's own syntax. */
  rest: string;
}

export type PointRef = BacnetPointRef | ModbusPointRef | MqttPointRef | HttpPointRef | PluginPointRef;

/** Schemes with a syntax of their own here, which a plugin cannot claim. */
export const RESERVED_POINT_SCHEMES = ["bacnet", "modbus", "mqtt", "http", "https", "device"] as const;
/** A plugin scheme: lowercase, 2-32 characters, like a URI scheme without `+` and `.`. */
export const PLUGIN_SCHEME = /^[a-z][a-z0-9_-]{1,31}$/;

/** The registry's routing key: the scheme a ref's plugin answers (`bacnet`, `mqtt`, `virtual` ...). */
export function pointRefScheme(ref: PointRef): string {
  return ref.protocol === "plugin" ? ref.scheme : ref.protocol;
}

export type PointRefParseResult = { ok: true; ref: PointRef } | { ok: false; message: string };

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_-]*$/;

function parseInteger(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function bacnetRef(
  deviceText: string,
  typeText: string,
  instanceText: string,
  propertyText: string | undefined,
  indexText: string | undefined,
): PointRefParseResult {
  const device = parseInteger(deviceText);
  if (device === undefined)
    return { ok: false, message: `device instance "${deviceText}" is not an integer` };
  if (device > BACNET_MAX_DEVICE_INSTANCE) {
    return {
      ok: false,
      message: `device instance ${device} is out of range 0..${BACNET_MAX_DEVICE_INSTANCE}`,
    };
  }
  const objectType = parseObjectType(typeText);
  if (!objectType) return { ok: false, message: `unknown BACnet object type "${typeText}"` };
  const instance = parseInteger(instanceText);
  if (instance === undefined) {
    return { ok: false, message: `object instance "${instanceText}" is not an integer` };
  }
  if (instance > BACNET_MAX_OBJECT_INSTANCE) {
    return {
      ok: false,
      message: `object instance ${instance} is out of range 0..${BACNET_MAX_OBJECT_INSTANCE}`,
    };
  }
  // The literal, not the regex's copy: a site of 50,000 refs held 50,000 "presentValue" strings.
  const property =
    propertyText === undefined || propertyText === "presentValue" ? "presentValue" : propertyText;
  if (!IDENTIFIER.test(property)) return { ok: false, message: `invalid property name "${property}"` };
  const ref: BacnetPointRef = { protocol: "bacnet", device, objectType, instance, property };
  if (indexText !== undefined) {
    const index = parseInteger(indexText);
    if (index === undefined) return { ok: false, message: `array index "${indexText}" is not an integer` };
    ref.index = index;
  }
  return { ok: true, ref };
}

// bacnet:1001/analogInput:1.presentValue[3]
const CANONICAL_BACNET = /^bacnet:([^/]+)\/([A-Za-z_-]+):([^.[\]]+)(?:\.([^[\]]+))?(?:\[([^\]]*)\])?$/;
// bacnet:100:AI1  or  bacnet:100:AI:1
const SEED_SHORT_BACNET = /^bacnet:(\d+):([A-Za-z]+):?(\d+)$/;
// device:bacnet:100:analogInput:1:presentValue
const SEED_LONG_BACNET = /^device:bacnet:([^:]+):([A-Za-z_-]+):([^:]+)(?::([A-Za-z][A-Za-z0-9_-]*))?$/;
// modbus:10.0.0.5:502:1/holding_register:40001  or  modbus:10.0.0.5:1/holding_register:40001
const MODBUS = /^modbus:([^/]+)\/([a-z_]+):(\d+)$/;
// http:weather/current.temperature_2m
const HTTP = /^http:([A-Za-z0-9_-]{1,64})\/(\S{1,256})$/;
// virtual:zone1/setpoint
const PLUGIN = /^([a-z][a-z0-9_-]*):(\S.*)$/;

function parseModbus(hostPart: string, tableText: string, addressText: string): PointRefParseResult {
  const parts = hostPart.split(":");
  if (parts.length < 2 || parts.length > 3) {
    return { ok: false, message: "modbus reference must be modbus:<host>[:<port>]:<unit>/<table>:<address>" };
  }
  const host = parts[0] ?? "";
  const port = parts.length === 3 ? parseInteger(parts[1] ?? "") : undefined;
  const unit = parseInteger(parts[parts.length - 1] ?? "");
  if (!host) return { ok: false, message: "modbus host is empty" };
  if (parts.length === 3 && (port === undefined || port < 1 || port > 65535)) {
    return { ok: false, message: `modbus port "${parts[1]}" is not 1..65535` };
  }
  if (unit === undefined || unit > 255) return { ok: false, message: `modbus unit id must be 0..255` };
  const table = MODBUS_TABLES.find((t) => t === tableText);
  if (!table)
    return { ok: false, message: `unknown modbus table "${tableText}" (${MODBUS_TABLES.join(", ")})` };
  const address = Number(addressText);
  if (address > 465535) return { ok: false, message: `modbus address ${address} is out of range` };
  const ref: ModbusPointRef = { protocol: "modbus", host, unit, table, address };
  if (port !== undefined) ref.port = port;
  return { ok: true, ref };
}

export function parsePointRef(input: string): PointRefParseResult {
  const text = input.trim();
  if (text.length === 0) return { ok: false, message: "point reference is empty" };
  if (text.length > 512) return { ok: false, message: "point reference is longer than 512 characters" };

  let m = CANONICAL_BACNET.exec(text);
  if (m) return bacnetRef(m[1] ?? "", m[2] ?? "", m[3] ?? "", m[4], m[5]);
  m = SEED_SHORT_BACNET.exec(text);
  if (m) return bacnetRef(m[1] ?? "", m[2] ?? "", m[3] ?? "", undefined, undefined);
  m = SEED_LONG_BACNET.exec(text);
  if (m) return bacnetRef(m[1] ?? "", m[2] ?? "", m[3] ?? "", m[4], undefined);
  m = MODBUS.exec(text);
  if (m) return parseModbus(m[1] ?? "", m[2] ?? "", m[3] ?? "");
  if (text.startsWith("mqtt:")) {
    const [topic = "", path, ...extra] = text.slice(5).split("#");
    if (!topic || topic.includes("+") || extra.length > 0) {
      return { ok: false, message: "mqtt topic must be non-empty and must not contain wildcards" };
    }
    if (path === "")
      return {
        ok: false,
        message: "mqtt topic must not contain wildcards (# starts a payload path, empty here)",
      };
    return {
      ok: true,
      ref: path === undefined ? { protocol: "mqtt", topic } : { protocol: "mqtt", topic, path },
    };
  }
  if (text.startsWith("http:")) {
    m = HTTP.exec(text);
    if (!m) return { ok: false, message: "http reference must be http:<endpoint>/<json.path>" };
    return { ok: true, ref: { protocol: "http", endpoint: m[1] ?? "", path: m[2] ?? "" } };
  }
  m = PLUGIN.exec(text);
  if (m && !(RESERVED_POINT_SCHEMES as readonly string[]).includes(m[1] ?? "")) {
    const scheme = m[1] ?? "";
    if (!PLUGIN_SCHEME.test(scheme))
      return { ok: false, message: `plugin scheme "${scheme}" must be 2-32 of a-z, 0-9, _ and -` };
    return { ok: true, ref: { protocol: "plugin", scheme, rest: m[2] ?? "" } };
  }
  return {
    ok: false,
    message: `"${text.slice(0, 80)}" is not a point reference (expected bacnet:<device>/<objectType>:<instance>[.<property>])`,
  };
}

export function formatPointRef(ref: PointRef): string {
  switch (ref.protocol) {
    case "bacnet": {
      const index = ref.index === undefined ? "" : `[${ref.index}]`;
      return `bacnet:${ref.device}/${ref.objectType}:${ref.instance}.${ref.property}${index}`;
    }
    case "modbus": {
      const port = ref.port === undefined ? "" : `:${ref.port}`;
      return `modbus:${ref.host}${port}:${ref.unit}/${ref.table}:${ref.address}`;
    }
    case "mqtt":
      return ref.path === undefined ? `mqtt:${ref.topic}` : `mqtt:${ref.topic}#${ref.path}`;
    case "http":
      return `http:${ref.endpoint}/${ref.path}`;
    case "plugin":
      return `${ref.scheme}:${ref.rest}`;
  }
}

/** Parses any accepted form and returns the canonical string, or throws with the parse message. */
export function normalizePointRef(input: string): string {
  const result = parsePointRef(input);
  if (!result.ok) throw new Error(result.message);
  return sameOrCanonical(input, formatPointRef(result.ref));
}

/**
 * The input itself when it is already canonical (the usual case), else the canonical form. A formatted
 * ref is a V8 rope of ~7 concatenated pieces (~230 bytes beside the flat ~60 of the input string it
 * equals); every compiled node, read list and history key kept one per point (heap snapshot at 50,000
 * points, issue 15), so keeping the input's flat string shares one string per ref instead.
 */
function sameOrCanonical(input: string, canonical: string): string {
  return canonical === input ? input : canonical;
}

/** A point reference string in any accepted form; the parsed value is the canonical string. */
export const PointRefSchema = z.string().transform((text, ctx) => {
  const result = parsePointRef(text);
  if (!result.ok) {
    ctx.addIssue({ code: "custom", message: result.message });
    return z.NEVER;
  }
  return sameOrCanonical(text, formatPointRef(result.ref));
});

/** For JSON Schema export and forms: the wire form is a string. */
export const PointRefInputSchema = z
  .string()
  .min(1)
  .max(512)
  .describe("Point reference, e.g. bacnet:1001/analogInput:1.presentValue");

export const BacnetDeviceInstanceSchema = z.number().int().min(0).max(BACNET_MAX_DEVICE_INSTANCE);
export const BacnetObjectInstanceSchema = z.number().int().min(0).max(BACNET_MAX_OBJECT_INSTANCE);
