import { formatValue, type ValueLabels } from "@bms/bacnet/display";

/** A value from the supervisor, shown in a node badge: short, stable, and honest about quality. */
export interface ShownValue {
  text: string;
  quality?: string;
}

function formatScalar(v: unknown, labels: ValueLabels | undefined): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number" || (typeof v === "boolean" && labels)) return formatValue(v, labels);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return v.length > 24 ? `${v.slice(0, 23)}…` : v;
  if (Array.isArray(v)) return `[${v.length}]`;
  return JSON.stringify(v).slice(0, 24);
}

/**
 * Accepts a bare value or a `{value, quality}` object (the engine's NodeValue). With `labels` (the
 * point's units and state texts) a number reads "21.46 °C" and a multi-state 4 reads "Auto".
 */
export function showValue(raw: unknown, labels?: ValueLabels): ShownValue {
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw) && "value" in raw) {
    const v = raw as { value: unknown; quality?: unknown };
    return {
      text: formatScalar(v.value, labels),
      ...(typeof v.quality === "string" ? { quality: v.quality } : {}),
    };
  }
  return { text: formatScalar(raw, labels) };
}

/** What the supervisor sends with a point's live value: its units and the state text of that value. */
export interface PointLabels {
  value: unknown;
  units?: string | undefined;
  text?: string | undefined;
}

/**
 * A value that belongs to a point (a Sensor Read's output, an Actuator Write's input), shown with the
 * point's units, or by the state text the supervisor sent when the value is the one it described.
 */
export function showPointValue(raw: unknown, live: PointLabels | undefined): ShownValue {
  const shown = showValue(raw, live?.units ? { units: live.units } : undefined);
  const plain =
    raw !== null && typeof raw === "object" && !Array.isArray(raw) && "value" in raw
      ? (raw as { value: unknown }).value
      : raw;
  return live?.text && plain === live.value ? { ...shown, text: live.text } : shown;
}
