import { MODBUS_MAX_READ_BITS, MODBUS_MAX_READ_REGISTERS, type ModbusTable } from "@bms/schemas";

/** One value to read: `words` registers (or one bit) from `address` of `table`. */
export interface BlockMember {
  table: ModbusTable;
  address: number;
  words: number;
}

export interface ReadBlock<M extends BlockMember> {
  table: ModbusTable;
  start: number;
  count: number;
  members: M[];
}

export interface BlockLimits {
  registers: number;
  bits: number;
}

export const SPEC_LIMITS: BlockLimits = { registers: MODBUS_MAX_READ_REGISTERS, bits: MODBUS_MAX_READ_BITS };

export function isBitTable(table: ModbusTable): boolean {
  return table === "coil" || table === "discrete_input";
}

/**
 * Groups the values of one unit into as few requests as the limits allow. A block covers only
 * addresses some member asks for (contiguous or overlapping, never a gap), because a device answers a
 * read that touches an address it does not have with "illegal data address" for the whole block.
 */
export function groupReadBlocks<M extends BlockMember>(
  members: readonly M[],
  limits: BlockLimits = SPEC_LIMITS,
): ReadBlock<M>[] {
  const byTable = new Map<ModbusTable, M[]>();
  for (const m of members) {
    const list = byTable.get(m.table);
    if (list) list.push(m);
    else byTable.set(m.table, [m]);
  }
  const blocks: ReadBlock<M>[] = [];
  for (const [table, list] of byTable) {
    const max = isBitTable(table) ? limits.bits : limits.registers;
    const sorted = [...list].sort((a, b) => a.address - b.address || b.words - a.words);
    let current: ReadBlock<M> | undefined;
    for (const m of sorted) {
      const end = m.address + m.words;
      if (current && m.address <= current.start + current.count && end - current.start <= max) {
        current.count = Math.max(current.count, end - current.start);
        current.members.push(m);
        continue;
      }
      current = { table, start: m.address, count: m.words, members: [m] };
      blocks.push(current);
    }
  }
  return blocks;
}
