/**
 * How deep a JSON request body may nest. Our deepest real document (a deployment package: package →
 * configuration → nodes → node → config → a schedule's entries) is about 12 levels; every recursive walk
 * of a document (canonical JSON for the checksum, JSON.stringify, structured clone) overflows the stack
 * somewhere past 5,000 levels. 64 leaves room for any real document and none for that.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting of arrays and objects in JSON text, counted without parsing (brackets inside
 * strings skipped), so a body can be refused before anything recursive sees it. Stops counting past
 * `stopAt`: the answer is then only known to be greater.
 */
export function jsonNestingDepth(text: string, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAt) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
