import { MODBUS_MAX_READ_BITS, MODBUS_MAX_READ_REGISTERS, type ModbusTable } from "@bms/schemas";
import { EXCEPTION, type RegisterBank } from "./register-bank";

const READS: Record<number, ModbusTable> = {
  1: "coil",
  2: "discrete_input",
  3: "holding_register",
  4: "input_register",
};

/** FC 15/16 carry at most this many values (Modbus Application Protocol §6.11, §6.12). */
const MAX_WRITE_BITS = 1968;
const MAX_WRITE_REGISTERS = 123;

function exception(fc: number, code: number): Buffer {
  return Buffer.from([fc | 0x80, code]);
}

/**
 * One request PDU (function code + data) to its response PDU, for one unit. Never throws: a short or
 * malformed request answers "illegal data value", an unknown function "illegal function".
 */
export function handlePdu(pdu: Buffer, bank: RegisterBank): Buffer {
  const fc = pdu[0] ?? 0;
  if (pdu.length < 5)
    return exception(
      fc,
      fc in READS || [5, 6, 15, 16].includes(fc) ? EXCEPTION.illegalDataValue : EXCEPTION.illegalFunction,
    );
  const start = pdu.readUInt16BE(1);
  const table = READS[fc];
  if (table) {
    const count = pdu.readUInt16BE(3);
    const bits = fc <= 2;
    if (count < 1 || count > (bits ? MODBUS_MAX_READ_BITS : MODBUS_MAX_READ_REGISTERS)) {
      return exception(fc, EXCEPTION.illegalDataValue);
    }
    if (start + count > 65_536) return exception(fc, EXCEPTION.illegalDataAddress);
    const result = bank.read(table, start, count);
    if (!result.ok) return exception(fc, result.exception);
    if (bits) {
      const bytes = Buffer.alloc(Math.ceil(count / 8));
      result.values.forEach((v, i) => {
        if (v) bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (1 << (i & 7));
      });
      return Buffer.concat([Buffer.from([fc, bytes.length]), bytes]);
    }
    const out = Buffer.alloc(2 + count * 2);
    out[0] = fc;
    out[1] = count * 2;
    result.values.forEach((v, i) => {
      out.writeUInt16BE(v & 0xffff, 2 + i * 2);
    });
    return out;
  }
  switch (fc) {
    case 5: {
      const raw = pdu.readUInt16BE(3);
      if (raw !== 0xff00 && raw !== 0x0000) return exception(fc, EXCEPTION.illegalDataValue);
      const result = bank.write("coil", start, [raw === 0xff00 ? 1 : 0]);
      return result.ok ? Buffer.from(pdu.subarray(0, 5)) : exception(fc, result.exception);
    }
    case 6: {
      const result = bank.write("holding_register", start, [pdu.readUInt16BE(3)]);
      return result.ok ? Buffer.from(pdu.subarray(0, 5)) : exception(fc, result.exception);
    }
    case 15:
    case 16: {
      const count = pdu.readUInt16BE(3);
      const byteCount = pdu[5] ?? 0;
      const coils = fc === 15;
      const expected = coils ? Math.ceil(count / 8) : count * 2;
      if (
        count < 1 ||
        count > (coils ? MAX_WRITE_BITS : MAX_WRITE_REGISTERS) ||
        byteCount !== expected ||
        pdu.length < 6 + byteCount
      ) {
        return exception(fc, EXCEPTION.illegalDataValue);
      }
      const values: number[] = [];
      for (let i = 0; i < count; i++) {
        values.push(coils ? ((pdu[6 + (i >> 3)] ?? 0) >> (i & 7)) & 1 : pdu.readUInt16BE(6 + i * 2));
      }
      const result = bank.write(coils ? "coil" : "holding_register", start, values);
      return result.ok ? Buffer.from(pdu.subarray(0, 5)) : exception(fc, result.exception);
    }
    default:
      return exception(fc, EXCEPTION.illegalFunction);
  }
}
