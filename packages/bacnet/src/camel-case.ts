/**
 * The library's enums use UPPER_SNAKE keys (ANALOG_INPUT); the canonical point reference and the
 * BACnet standard's ASN.1 use lowerCamel (analogInput). One conversion keeps both in step.
 */
export function snakeToCamel(key: string): string {
  return key.toLowerCase().replace(/_([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase());
}

/** Builds both directions of a name <-> id table from a numeric TypeScript enum object. */
export function buildNameTable(enumObject: Record<string, string | number>): {
  byName: ReadonlyMap<string, number>;
  byId: ReadonlyMap<number, string>;
} {
  const byName = new Map<string, number>();
  const byId = new Map<number, string>();
  for (const [key, value] of Object.entries(enumObject)) {
    if (typeof value !== "number") continue; // skip the reverse-mapping entries of TS enums
    const name = snakeToCamel(key);
    byName.set(name, value);
    // First name wins for ids that have aliases, so the reverse lookup is stable.
    if (!byId.has(value)) byId.set(value, name);
  }
  return { byName, byId };
}
