/** A value from the supervisor, shown in a node badge: short, stable, and honest about quality. */
export interface ShownValue {
  text: string;
  quality?: string;
}

function formatScalar(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return v.length > 24 ? `${v.slice(0, 23)}…` : v;
  if (Array.isArray(v)) return `[${v.length}]`;
  return JSON.stringify(v).slice(0, 24);
}

/** Accepts a bare value or a `{value, quality}` object (the engine's NodeValue). */
export function showValue(raw: unknown): ShownValue {
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw) && "value" in raw) {
    const v = raw as { value: unknown; quality?: unknown };
    return {
      text: formatScalar(v.value),
      ...(typeof v.quality === "string" ? { quality: v.quality } : {}),
    };
  }
  return { text: formatScalar(raw) };
}
