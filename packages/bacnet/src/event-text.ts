import type { AnyValue, EventValues, PropertyState } from "./event-values";
import { objectTypeName } from "./object-types";

/**
 * One line for an operator from decoded event values, e.g. "out of range: 31.2 °C above high limit
 * 28, deadband 1". `toState` (BACnetEventState) says which limit was crossed; `unit` is the event
 * object's unit symbol when known. Fields that did not decode are left out.
 */
const STATE_CHOICES = [
  "boolean",
  "binary value",
  "event type",
  "polarity",
  "program change",
  "program state",
  "reason for halt",
  "reliability",
  "event state",
  "system status",
  "units",
  "unsigned value",
  "life safety mode",
  "life safety state",
];

const LIFE_SAFETY_STATES = [
  "quiet",
  "pre-alarm",
  "alarm",
  "fault",
  "fault-pre-alarm",
  "fault-alarm",
  "not-ready",
  "active",
  "tamper",
  "test-alarm",
  "test-active",
  "test-fault",
  "test-fault-alarm",
  "holdup",
  "duress",
  "tamper-alarm",
  "abnormal",
  "emergency-power",
  "delayed",
  "blocked",
  "local-alarm",
  "general-alarm",
  "supervisory",
  "test-supervisory",
];
const LIFE_SAFETY_MODES = [
  "off",
  "on",
  "test",
  "manned",
  "unmanned",
  "armed",
  "disarmed",
  "prearmed",
  "slow",
  "fast",
  "disconnected",
  "enabled",
  "disabled",
  "automatic-release-disabled",
  "default",
];
const LIFE_SAFETY_OPERATIONS = [
  "none",
  "silence",
  "silence-audible",
  "silence-visual",
  "reset",
  "reset-alarm",
  "reset-fault",
  "unsilence",
  "unsilence-audible",
  "unsilence-visual",
];

const HIGH_LIMIT = 3;
const LOW_LIMIT = 4;

/** Six significant digits: a REAL's 31.200000762939453 is shown as 31.2. */
export function formatReal(v: number): string {
  return String(Number(v.toPrecision(6)));
}

const named = (table: readonly string[], n: number | undefined) =>
  n === undefined ? undefined : (table[n] ?? String(n));
const bitText = (bits: readonly boolean[]) => bits.map((b) => (b ? "1" : "0")).join("");

function stateText(s: PropertyState): string {
  if (s.choice === 1)
    return `binary value ${s.value === 1 ? "active" : s.value === 0 ? "inactive" : s.value}`;
  return `${STATE_CHOICES[s.choice] ?? `state choice ${s.choice}`} ${String(s.value)}`;
}

const anyText = (v: AnyValue) => (typeof v.value === "number" ? formatReal(v.value) : String(v.value));

function join(parts: (string | undefined | false)[]): string {
  return parts.filter((p): p is string => typeof p === "string" && p.length > 0).join(", ");
}

export function describeEventValues(values: EventValues, toState: number, unit = ""): string {
  const u = (v: number | undefined) =>
    v === undefined ? undefined : `${formatReal(v)}${unit ? ` ${unit}` : ""}`;
  const limitWord =
    toState === HIGH_LIMIT ? "above high limit" : toState === LOW_LIMIT ? "below low limit" : "limit";
  switch (values.type) {
    case "out-of-range": {
      const head = toState === HIGH_LIMIT || toState === LOW_LIMIT ? "out of range" : "back in range";
      const value = u(values.exceedingValue);
      const limit =
        values.exceededLimit === undefined ? undefined : `${limitWord} ${formatReal(values.exceededLimit)}`;
      const first = [value, limit].filter(Boolean).join(" ");
      return `${head}: ${join([first, values.deadband !== undefined && `deadband ${formatReal(values.deadband)}`])}`;
    }
    case "floating-limit":
      return `floating limit: ${join([
        u(values.referenceValue),
        values.setpointValue !== undefined && `setpoint ${formatReal(values.setpointValue)}`,
        values.errorLimit !== undefined && `error limit ${formatReal(values.errorLimit)}`,
      ])}`;
    case "change-of-value":
      if (!values.newValue) return "change of value";
      return "changedValue" in values.newValue
        ? `change of value: ${u(values.newValue.changedValue)}`
        : `change of value: bits ${bitText(values.newValue.changedBits)}`;
    case "change-of-state":
      return values.newState ? `change of state: ${stateText(values.newState)}` : "change of state";
    case "change-of-bitstring":
      return values.referencedBitstring
        ? `change of bitstring: ${bitText(values.referencedBitstring)}`
        : "change of bitstring";
    case "command-failure":
      return `command failure: ${join([
        values.commandValue && `commanded ${anyText(values.commandValue)}`,
        values.feedbackValue && `feedback ${anyText(values.feedbackValue)}`,
      ])}`;
    case "change-of-life-safety":
      return `life safety: ${join([
        named(LIFE_SAFETY_STATES, values.newState),
        values.newMode !== undefined && `mode ${named(LIFE_SAFETY_MODES, values.newMode)}`,
        values.operationExpected !== undefined &&
          `operation expected ${named(LIFE_SAFETY_OPERATIONS, values.operationExpected)}`,
      ])}`;
    case "unsigned-range":
      return `unsigned range: ${join([
        [values.exceedingValue, values.exceededLimit !== undefined && `${limitWord} ${values.exceededLimit}`]
          .filter((p) => p !== undefined && p !== false)
          .join(" "),
      ])}`;
    case "buffer-ready": {
      const ref = values.bufferProperty;
      return `buffer ready: ${join([
        ref && `${objectTypeName(ref.object.type)}:${ref.object.instance}`,
        values.previousNotification !== undefined &&
          values.currentNotification !== undefined &&
          `records ${values.previousNotification} to ${values.currentNotification}`,
      ])}`;
    }
    case "extended":
      return `extended event: ${join([
        values.vendorId !== undefined && `vendor ${values.vendorId}`,
        values.extendedEventType !== undefined && `type ${values.extendedEventType}`,
        values.parameters !== undefined && `${values.parameters.length / 2} octets of parameters`,
      ])}`;
    case "other":
      return `event values of choice ${values.choice}`;
  }
}
