import {
  decodeModbusValue,
  encodeModbusValue,
  type ModbusProfile,
  type ModbusRegister,
  type ModbusTable,
  modbusWords,
} from "@bms/schemas";
import type { SimObject } from "../objects/sim-object";

/** Modbus exception codes the face answers with. */
export const EXCEPTION = {
  illegalFunction: 1,
  illegalDataAddress: 2,
  illegalDataValue: 3,
  serverDeviceFailure: 4,
} as const;

export type BankRead = { ok: true; values: number[] } | { ok: false; exception: number };
export type BankWrite = { ok: true } | { ok: false; exception: number };

/**
 * The BACnet priority a Modbus write commands at: the slot the supervisor's flows use by default, so
 * the last writer wins whichever protocol it spoke, as on a real dual-protocol drive.
 */
export const MODBUS_WRITE_PRIORITY = 16;

interface Bound {
  register: ModbusRegister;
  object: SimObject;
}

/**
 * One Modbus unit's registers, each bound to a simulator object: reads encode the object's present
 * value with the profile's codec at the moment of the request, writes command the object. An address
 * no register covers answers "illegal data address", as a real device does.
 */
export class RegisterBank {
  /** Per table: address -> the registers covering it (one value, or the bits of a status word). */
  private readonly cells = new Map<ModbusTable, Map<number, Bound[]>>();

  constructor(
    readonly unit: number,
    readonly profile: ModbusProfile,
    bindings: ReadonlyMap<string, SimObject>,
  ) {
    for (const register of profile.registers) {
      const object = bindings.get(register.name);
      if (!object) continue;
      let table = this.cells.get(register.table);
      if (!table) {
        table = new Map();
        this.cells.set(register.table, table);
      }
      for (let w = 0; w < modbusWords(register.type); w++) {
        const list = table.get(register.address + w) ?? [];
        list.push({ register, object });
        table.set(register.address + w, list);
      }
    }
  }

  read(table: ModbusTable, start: number, count: number): BankRead {
    const cells = this.cells.get(table);
    if (!cells) return { ok: false, exception: EXCEPTION.illegalDataAddress };
    const values: number[] = [];
    // Each multi-word value is encoded once and its words handed out as the block walks over it.
    const encoded = new Map<ModbusRegister, number[]>();
    for (let address = start; address < start + count; address++) {
      const bound = cells.get(address);
      if (!bound || bound.length === 0) return { ok: false, exception: EXCEPTION.illegalDataAddress };
      let word = 0;
      for (const { register, object } of bound) {
        if (register.type === "bitfield") {
          if (object.presentValue !== 0) word |= 1 << (register.bit ?? 0);
          continue;
        }
        let words = encoded.get(register);
        if (!words) {
          const value = register.type === "bool" ? object.presentValue !== 0 : object.presentValue;
          const result = encodeModbusValue(value, register);
          if (!result.ok) return { ok: false, exception: EXCEPTION.serverDeviceFailure };
          words = result.words;
          encoded.set(register, words);
        }
        word = words[address - register.address] ?? 0;
      }
      values.push(word);
    }
    return { ok: true, values };
  }

  /** Writes must cover whole writable registers: half a float is refused, not guessed at. */
  write(table: ModbusTable, start: number, words: readonly number[]): BankWrite {
    const cells = this.cells.get(table);
    if (!cells) return { ok: false, exception: EXCEPTION.illegalDataAddress };
    const commands: Array<{ object: SimObject; value: number }> = [];
    let address = start;
    while (address < start + words.length) {
      const bound = cells.get(address);
      const target = bound?.length === 1 ? bound[0] : undefined;
      if (!target?.register.writable || target.register.address !== address) {
        return { ok: false, exception: EXCEPTION.illegalDataAddress };
      }
      const size = modbusWords(target.register.type);
      const slice = words.slice(address - start, address - start + size);
      if (slice.length < size) return { ok: false, exception: EXCEPTION.illegalDataAddress };
      const value = decodeModbusValue(slice, target.register);
      const numeric = typeof value === "boolean" ? (value ? 1 : 0) : value;
      const { minPresValue: min, maxPresValue: max } = target.object;
      if ((min !== undefined && numeric < min) || (max !== undefined && numeric > max)) {
        return { ok: false, exception: EXCEPTION.illegalDataValue };
      }
      commands.push({ object: target.object, value: numeric });
      address += size;
    }
    // All or nothing: one bad register in a multi-register write changes none of them.
    for (const { object, value } of commands) object.writePresentValue(value, MODBUS_WRITE_PRIORITY);
    return { ok: true };
  }
}
