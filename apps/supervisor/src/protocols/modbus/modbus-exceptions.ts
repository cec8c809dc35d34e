/**
 * Modbus exception codes (Modbus Application Protocol v1.1b3, §7) by the names integrators know them,
 * so a bad point says "illegal data address", not "exception 2".
 */
const EXCEPTION_NAMES: Record<number, string> = {
  1: "illegal function",
  2: "illegal data address",
  3: "illegal data value",
  4: "server device failure",
  5: "acknowledge",
  6: "server device busy",
  8: "memory parity error",
  10: "gateway path unavailable",
  11: "gateway target device failed to respond",
};

export const ILLEGAL_DATA_ADDRESS = 2;

export function modbusExceptionName(code: number): string {
  return EXCEPTION_NAMES[code] ?? `exception ${code}`;
}
