/**
 * The value a person types for a pin: a number, true/false/on/off, `null` (a device that answers
 * nothing), or else text. Empty is no value at all, so nothing is pinned by accident.
 */
export function parsePinValue(
  text: string,
): { ok: true; value: number | boolean | string | null } | { ok: false; message: string } {
  const t = text.trim();
  if (t === "") return { ok: false, message: "type a value to pin" };
  if (t === "null") return { ok: true, value: null };
  if (/^(true|on)$/i.test(t)) return { ok: true, value: true };
  if (/^(false|off)$/i.test(t)) return { ok: true, value: false };
  const n = Number(t);
  if (Number.isFinite(n)) return { ok: true, value: n };
  if (t.length > 200) return { ok: false, message: "a pinned text is at most 200 characters" };
  return { ok: true, value: t };
}
