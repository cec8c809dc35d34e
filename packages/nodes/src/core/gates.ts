import type { NodeValue } from "./types";
import { asBoolean } from "./values";

/**
 * Three-valued (Kleene) AND/OR over N inputs, as a DDC programmer expects of a safety interlock: a good
 * dominant input decides the result even when another input is bad (AND with any false is false; OR with
 * any true is true); otherwise one unusable input makes the result bad.
 */
export function kleene(items: readonly NodeValue[], dominant: boolean, now: number): NodeValue {
  let decided: NodeValue | undefined;
  let unusable: NodeValue | undefined;
  for (const item of items) {
    const b = item.quality === "bad" ? undefined : asBoolean(item);
    if (b === undefined) {
      unusable ??= item;
    } else if (
      b === dominant &&
      (decided === undefined || (decided.quality !== "good" && item.quality === "good"))
    ) {
      decided = item;
    }
  }
  if (decided) {
    const out: NodeValue = { value: dominant, quality: decided.quality, timestamp: now };
    if (decided.reason !== undefined) out.reason = decided.reason;
    return out;
  }
  if (unusable || items.length === 0) {
    return {
      value: null,
      quality: "bad",
      timestamp: now,
      reason: unusable?.reason ?? (items.length === 0 ? "no inputs" : "an input is not a boolean"),
    };
  }
  const uncertain = items.find((i) => i.quality !== "good");
  const out: NodeValue = { value: !dominant, quality: uncertain ? "uncertain" : "good", timestamp: now };
  if (uncertain?.reason !== undefined) out.reason = uncertain.reason;
  return out;
}
