/**
 * The JSON paths MQTT and HTTP points name a value with: dot-separated keys and `[n]` indices, as an
 * integrator writes them from a sample payload (`object.temperature`, `current.temperature_2m`,
 * `data[0].value`; a leading `$.` is accepted). Deliberately not JSONPath with filters or scripts:
 * a point names one value, and nothing the user types is evaluated.
 */
export type JsonPathSegment = string | number;

export type JsonPathParse = { ok: true; segments: JsonPathSegment[] } | { ok: false; message: string };

const KEY = /^[^.[\]]+$/;
/** Longer paths are a typo or an attack, never a sensor. */
const MAX_SEGMENTS = 32;

export function parseJsonPath(text: string): JsonPathParse {
  const path = text.startsWith("$.") ? text.slice(2) : text === "$" ? "" : text;
  if (path === "") return { ok: true, segments: [] };
  const segments: JsonPathSegment[] = [];
  for (const part of path.split(".")) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return { ok: false, message: `"${part}" is not a key or key[index]` };
    const key = m[1] ?? "";
    const indices = m[2] ?? "";
    if (key !== "") {
      if (!KEY.test(key)) return { ok: false, message: `"${key}" is not a valid key` };
      segments.push(key);
    } else if (indices === "") {
      return { ok: false, message: "empty key in path" };
    }
    for (const index of indices.matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  if (segments.length > MAX_SEGMENTS) return { ok: false, message: `more than ${MAX_SEGMENTS} segments` };
  return { ok: true, segments };
}

export type JsonPathLookup = { found: true; value: unknown } | { found: false; at: string };

/** Walks `segments` into `document`; `at` names the first segment that was missing. */
export function lookupJsonPath(document: unknown, segments: readonly JsonPathSegment[]): JsonPathLookup {
  let current: unknown = document;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as JsonPathSegment;
    if (typeof segment === "number") {
      if (!Array.isArray(current) || segment >= current.length)
        return { found: false, at: formatAt(segments, i) };
      current = current[segment];
    } else {
      if (
        current === null ||
        typeof current !== "object" ||
        Array.isArray(current) ||
        !Object.hasOwn(current, segment)
      )
        return { found: false, at: formatAt(segments, i) };
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: current };
}

/** The inverse for writes: `{a: {b: value}}` for `a.b`. Indices build arrays padded with nulls. */
export function buildJsonPath(segments: readonly JsonPathSegment[], value: unknown): unknown {
  let result: unknown = value;
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i] as JsonPathSegment;
    if (typeof segment === "number") {
      const array: unknown[] = new Array(segment + 1).fill(null);
      array[segment] = result;
      result = array;
    } else {
      result = { [segment]: result };
    }
  }
  return result;
}

function formatAt(segments: readonly JsonPathSegment[], end: number): string {
  return segments
    .slice(0, end + 1)
    .map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join("");
}

export type ScalarResult =
  | { ok: true; value: number | boolean | string | null }
  | { ok: false; message: string };

/** A point's value must be a scalar: an object or array at the path is a configuration mistake. */
export function asScalar(value: unknown): ScalarResult {
  if (value === null || typeof value === "boolean" || typeof value === "string") return { ok: true, value };
  if (typeof value === "number")
    return Number.isFinite(value) ? { ok: true, value } : { ok: false, message: "not a finite number" };
  return {
    ok: false,
    message: Array.isArray(value)
      ? "the path names an array, not a value"
      : "the path names an object, not a value",
  };
}
