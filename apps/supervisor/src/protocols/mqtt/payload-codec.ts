import { jsonNestingDepth, MAX_JSON_DEPTH } from "@bms/schemas";
import { asScalar, buildJsonPath, type JsonPathSegment, lookupJsonPath } from "../json-path";
import type { PointScalar } from "../point-io";

/**
 * MQTT payloads to point values and back. Without a path the payload is the value: a bare number
 * (`21.5`) reads as that number, `true`/`false` as booleans, any other text as a string. With a path the
 * payload must be JSON; one that is not is bad quality with a reason (`decode_error`), never a guess.
 */
export type Decoded = { ok: true; value: PointScalar } | { ok: false; reason: string };

/** Bigger payloads are not sensor readings; they are not parsed. */
export const MAX_DECODED_PAYLOAD_BYTES = 1_048_576;

/** A payload that is not JSON at all (`notJson`) may still be a plain-text value; any other failure may not. */
export type ParsedPayload = { ok: true; document: unknown } | { ok: false; reason: string; notJson?: true };

export function parseJsonPayload(payload: Buffer): ParsedPayload {
  if (payload.length === 0) return { ok: false, reason: "empty payload" };
  if (payload.length > MAX_DECODED_PAYLOAD_BYTES)
    return {
      ok: false,
      reason: `payload of ${payload.length} bytes is over the ${MAX_DECODED_PAYLOAD_BYTES}-byte limit`,
    };
  const text = payload.toString("utf8");
  // Nothing a sensor reports nests this deep; refused before any walk of it can overflow the stack.
  if (jsonNestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    return { ok: false, reason: `payload nests deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, document: JSON.parse(text) };
  } catch {
    return { ok: false, reason: `payload is not JSON: "${preview(payload)}"`, notJson: true };
  }
}

export function decodePayload(
  payload: Buffer,
  path: readonly JsonPathSegment[] | undefined,
  document?: ParsedPayload,
): Decoded {
  if (path && path.length > 0) {
    const parsed = document ?? parseJsonPayload(payload);
    if (!parsed.ok) return parsed;
    const found = lookupJsonPath(parsed.document, path);
    if (!found.found) return { ok: false, reason: `no "${found.at}" in the payload` };
    const scalar = asScalar(found.value);
    return scalar.ok ? scalar : { ok: false, reason: scalar.message };
  }
  if (payload.length === 0) return { ok: false, reason: "empty payload" };
  if (payload.length > MAX_DECODED_PAYLOAD_BYTES)
    return { ok: false, reason: `payload of ${payload.length} bytes is over the limit` };
  const text = payload.toString("utf8").trim();
  const parsed = document ?? parseJsonPayload(payload);
  if (parsed.ok) {
    const scalar = asScalar(parsed.document);
    return scalar.ok
      ? scalar
      : {
          ok: false,
          reason: `the payload is a JSON ${Array.isArray(parsed.document) ? "array" : "object"}: name a value with mqtt:<topic>#<path>`,
        };
  }
  // Text that is not JSON is the value itself; a payload refused for its size or nesting is not.
  if (!parsed.notJson) return { ok: false, reason: parsed.reason };
  return { ok: true, value: text };
}

/** Writes: a scalar as text (`21.5`, `true`), or under a path as JSON (`{"setpoint":21.5}`). */
export function encodePayload(value: PointScalar, path: readonly JsonPathSegment[] | undefined): string {
  if (path && path.length > 0) return JSON.stringify(buildJsonPath(path, value));
  return typeof value === "string" ? value : JSON.stringify(value);
}

function preview(payload: Buffer): string {
  const text = payload
    .subarray(0, 40)
    .toString("utf8")
    .replace(/[^\x20-\x7e]/g, "?");
  return payload.length > 40 ? `${text}…` : text;
}
