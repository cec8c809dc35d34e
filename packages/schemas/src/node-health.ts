/**
 * Whether a node ran on inputs it can trust, for the Designer's live overlay and the dashboard's
 * execution picture alike (one rule, so both say the same). Free of zod and of any other import: the
 * dashboard bundle takes it as it is.
 */

/** A node's input as the engine reports it: `{value, quality, reason?}`; anything else counts as good. */
function qualityOf(raw: unknown): { quality: string; reason?: string } {
  if (raw && typeof raw === "object" && "quality" in raw) {
    const v = raw as { quality?: unknown; reason?: unknown };
    const quality = typeof v.quality === "string" ? v.quality : "good";
    return typeof v.reason === "string" ? { quality, reason: v.reason } : { quality };
  }
  return { quality: "good" };
}

export interface InputWarning {
  /** The input port that is not good (the first one, in the node's port order when given). */
  port: string;
  quality: string;
  /** What to print on the node: `<port label>: <reason>`. */
  text: string;
}

/**
 * The first input that is not good, with the reason to print on the node, or null when every input
 * is good. `ports` gives the order and the labels as drawn; inputs not listed there come after.
 */
export function inputWarning(
  inputs: Record<string, unknown> | undefined,
  ports: readonly { name: string; label?: string }[] = [],
): InputWarning | null {
  if (!inputs) return null;
  const names = [
    ...ports.map((p) => p.name),
    ...Object.keys(inputs).filter((n) => !ports.some((p) => p.name === n)),
  ];
  for (const name of names) {
    if (!(name in inputs)) continue;
    const { quality, reason } = qualityOf(inputs[name]);
    if (quality === "good") continue;
    const label = ports.find((p) => p.name === name)?.label ?? name;
    return { port: name, quality, text: `${label}: ${reason ?? `${quality} quality`}` };
  }
  return null;
}
