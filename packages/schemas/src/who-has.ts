// zod/mini and the limits module, not classic Zod or point-ref: the supervisor dashboard's browser bundle
// uses this module, and classic Zod would be ~450 KB of it.
import * as z from "zod/mini";
import { BACNET_MAX_OBJECT_INSTANCE } from "./bacnet-limits";
import { BacnetRouteSchema, routeText } from "./bacnet-route";

/**
 * The Who-Has form of the supervisor dashboard and of the Designer's BACnet browser, less its markup:
 * the request a query builds, the answer's shape (checked before it is shown: nothing from the network
 * is trusted unchecked) and the text of each answer row. The supervisor's route
 * (`POST /api/devices/who-has`) validates the request again and resolves the object type's name.
 */

/** The supervisor's limit on an object name in a Who-Has request. */
export const WHO_HAS_MAX_NAME = 255;
/** How long the forms let the supervisor listen for I-Have answers. */
export const WHO_HAS_FORM_TIMEOUT_MS = 2000;

export type WhoHasBody =
  | { object_name: string; timeout_ms: number }
  | { object_type: string; object_instance: number; timeout_ms: number };

/**
 * The request for what a person typed: `type:instance` (analogInput:1) asks by object id, anything else
 * by object name. Undefined for an empty query; a message for one the supervisor would refuse anyway.
 */
export function whoHasRequest(
  query: string,
): { ok: true; body: WhoHasBody } | { ok: false; message: string } | undefined {
  const text = query.trim();
  if (!text) return undefined;
  const id = /^([A-Za-z]+):(\d+)$/.exec(text);
  if (id) {
    const instance = Number(id[2]);
    if (instance > BACNET_MAX_OBJECT_INSTANCE)
      return { ok: false, message: `an object instance is at most ${BACNET_MAX_OBJECT_INSTANCE}` };
    return {
      ok: true,
      body: { object_type: id[1]!, object_instance: instance, timeout_ms: WHO_HAS_FORM_TIMEOUT_MS },
    };
  }
  if (text.length > WHO_HAS_MAX_NAME)
    return { ok: false, message: `an object name is at most ${WHO_HAS_MAX_NAME} characters` };
  return { ok: true, body: { object_name: text, timeout_ms: WHO_HAS_FORM_TIMEOUT_MS } };
}

/** One I-Have, with where it came from and whether that matches the device the supervisor knows. */
export const WhoHasHitSchema = z.extend(BacnetRouteSchema, {
  device_id: z.int(),
  object_type: z.string(),
  object_instance: z.int(),
  object_name: z.string(),
  /**
   * `known`: the answer came from the address the registry holds for that device; `unknown`: the
   * device has not been discovered (run discovery to browse it); `mismatch`: another address claims
   * to be a known device, which is shown and never used to move the device.
   */
  check: z.enum(["known", "unknown", "mismatch"]),
});
export type WhoHasHit = z.infer<typeof WhoHasHitSchema>;

export const WhoHasAnswerSchema = z.object({
  found: z.array(WhoHasHitSchema),
  truncated: z._default(z.boolean(), false),
});
export type WhoHasAnswer = z.infer<typeof WhoHasAnswerSchema>;

const CHECK_TEXT: Record<WhoHasHit["check"], string> = {
  known: "",
  unknown: " · not discovered yet",
  mismatch: " · answered from another address than the known device (not trusted)",
};

/** What an answer row shows: the object's name, where it answered from, and the check when not `known`. */
export function whoHasRow(hit: WhoHasHit): { key: string; name: string; where: string; note: string } {
  const object = `${hit.object_type}:${hit.object_instance}`;
  return {
    key: `${hit.device_id}/${object}`,
    name: hit.object_name,
    where: `#${hit.device_id} ${object} · ${routeText(hit)}`,
    note: CHECK_TEXT[hit.check],
  };
}

/** An answer as the forms show it, or why it cannot be shown. */
export function parseWhoHasAnswer(
  body: unknown,
): { ok: true; answer: WhoHasAnswer } | { ok: false; message: string } {
  const parsed = WhoHasAnswerSchema.safeParse(body);
  return parsed.success
    ? { ok: true, answer: parsed.data }
    : { ok: false, message: "The supervisor's Who-Has answer has an unexpected shape." };
}

/** What a form shows after a search: the checked answer, or why there is none. */
export type WhoHasOutcome = { answer: WhoHasAnswer; error: null } | { answer: null; error: string };

/**
 * One search as both forms run it: the request from the query, sent by `send` (the form's own way to
 * reach the supervisor: the dashboard's API client, the Designer's proxy), and the answer checked.
 * Undefined for an empty query (nothing is sent).
 */
export async function whoHasSearch(
  query: string,
  send: (body: WhoHasBody) => Promise<{ ok: true; body: unknown } | { ok: false; error: string }>,
): Promise<WhoHasOutcome | undefined> {
  const request = whoHasRequest(query);
  if (!request) return undefined;
  if (!request.ok) return { answer: null, error: request.message };
  const sent = await send(request.body);
  if (!sent.ok) return { answer: null, error: sent.error };
  const parsed = parseWhoHasAnswer(sent.body);
  return parsed.ok ? { answer: parsed.answer, error: null } : { answer: null, error: parsed.message };
}
