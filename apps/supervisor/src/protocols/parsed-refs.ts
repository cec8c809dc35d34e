import { type PointRefParseResult, parsePointRef } from "@bms/schemas";

/**
 * parsePointRef, remembered. A flow reads the same refs every scan and each read parses a ref twice
 * (the registry routes it, the plugin decodes it): at 2,000 points that was ~6 % of a scan's CPU. The
 * results are treated as immutable by every caller. Bounded: a site's refs number in the tens of
 * thousands; past the cap the memory is simply forgotten and refilled.
 */
const MAX_REMEMBERED = 100_000;
const remembered = new Map<string, PointRefParseResult>();

export function parsedPointRef(text: string): PointRefParseResult {
  let parsed = remembered.get(text);
  if (parsed === undefined) {
    parsed = parsePointRef(text);
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
    remembered.set(text, parsed);
  }
  return parsed;
}
