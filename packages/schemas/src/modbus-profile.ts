import { z } from "zod";
import { type Validated, zodProblems } from "./common";

/**
 * Modbus register-map profiles: what a device's registers mean (name, table, address, type, word and
 * byte order, scale, offset, units, writable). A profile is assigned to a device in the Modbus plugin's
 * configuration; the simulator's Modbus face serves its devices from the same files, so the client and
 * the server cannot disagree about a register.
 *
 * Addresses in a profile are protocol addresses (0-based, what goes on the wire). Meter manuals often
 * print 1-based "Modicon" numbers (40001 = holding register 0); `resolveModbusAddress` accepts those in
 * point refs, and a profile author subtracts the prefix once.
 */

export const MODBUS_TABLES = ["holding_register", "input_register", "coil", "discrete_input"] as const;
export type ModbusTable = (typeof MODBUS_TABLES)[number];

export const MODBUS_TYPES = [
  "int16",
  "uint16",
  "int32",
  "uint32",
  "float32",
  "float64",
  "bool",
  "bitfield",
] as const;
export type ModbusType = (typeof MODBUS_TYPES)[number];

/** One request reads at most this many registers (FC 3/4) or bits (FC 1/2): the spec's PDU limits. */
export const MODBUS_MAX_READ_REGISTERS = 125;
export const MODBUS_MAX_READ_BITS = 2000;
export const MODBUS_MAX_ADDRESS = 65_535;

const NAME = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, "must start with a lower-case letter and hold only a-z, 0-9 and _")
  .max(64);

export const ModbusRegisterSchema = z
  .object({
    name: NAME,
    label: z.string().min(1).max(80).optional(),
    description: z.string().max(300).optional(),
    table: z.enum(MODBUS_TABLES),
    address: z.number().int().min(0).max(MODBUS_MAX_ADDRESS),
    /** Coils and discrete inputs are always `bool`; registers default to an unsigned 16-bit value. */
    type: z.enum(MODBUS_TYPES).optional(),
    /** For `bitfield`: which bit of the 16-bit register, 0 = least significant. */
    bit: z.number().int().min(0).max(15).optional(),
    /** `big`: the most significant word comes first (the Modbus convention); `little`: swapped words. */
    word_order: z.enum(["big", "little"]).default("big"),
    /** `big`: the high byte of each word first (the Modbus convention); `little`: bytes swapped. */
    byte_order: z.enum(["big", "little"]).default("big"),
    /** Engineering value = raw * scale + offset (numbers only). */
    scale: z
      .number()
      .finite()
      .refine((v) => v !== 0, "scale must not be 0")
      .default(1),
    offset: z.number().finite().default(0),
    units: z.string().max(20).optional(),
    writable: z.boolean().default(false),
  })
  .strict()
  .superRefine((reg, ctx) => {
    const bitTable = reg.table === "coil" || reg.table === "discrete_input";
    const type = reg.type ?? (bitTable ? "bool" : "uint16");
    if (bitTable && type !== "bool") {
      ctx.addIssue({
        code: "custom",
        path: ["type"],
        message: `a ${reg.table} holds one bit: use type bool`,
      });
    }
    if (type === "bitfield" && reg.bit === undefined) {
      ctx.addIssue({ code: "custom", path: ["bit"], message: "a bitfield needs the bit number (0-15)" });
    }
    if (reg.bit !== undefined && type !== "bitfield") {
      ctx.addIssue({ code: "custom", path: ["bit"], message: "bit applies to type bitfield only" });
    }
    if (reg.writable && (reg.table === "input_register" || reg.table === "discrete_input")) {
      ctx.addIssue({ code: "custom", path: ["writable"], message: `a ${reg.table} is read-only` });
    }
    if (reg.writable && type === "bitfield") {
      ctx.addIssue({
        code: "custom",
        path: ["writable"],
        message: "a bitfield shares its register with other bits: write the whole register as uint16",
      });
    }
    if (reg.address + modbusWords(type) - 1 > MODBUS_MAX_ADDRESS) {
      ctx.addIssue({
        code: "custom",
        path: ["address"],
        message: `a ${type} at ${reg.address} runs past register ${MODBUS_MAX_ADDRESS}`,
      });
    }
  })
  .transform((reg) => ({
    ...reg,
    type: reg.type ?? (reg.table === "coil" || reg.table === "discrete_input" ? "bool" : "uint16"),
  }));
export type ModbusRegister = z.infer<typeof ModbusRegisterSchema>;
export type ModbusRegisterInput = z.input<typeof ModbusRegisterSchema>;

export const ModbusProfileSchema = z
  .object({
    /** The id devices name in the plugin configuration (`profile: "generic-energy-meter"`). */
    id: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, "must start with a lower-case letter and hold only a-z, 0-9 and -")
      .max(64),
    /** The device as people call it ("Three-phase energy meter"). */
    device: z.string().min(1).max(80),
    manufacturer: z.string().max(80).optional(),
    model: z.string().max(80).optional(),
    description: z.string().max(500).optional(),
    registers: z.array(ModbusRegisterSchema).min(1).max(2000),
  })
  .strict()
  .superRefine((profile, ctx) => {
    const names = new Map<string, number>();
    profile.registers.forEach((reg, i) => {
      const first = names.get(reg.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["registers", i, "name"],
          message: `"${reg.name}" is already the name of registers[${first}]`,
        });
      } else names.set(reg.name, i);
    });
    // Two values in one register make a write to one clobber the other; bits of a bitfield may share.
    const owner = new Map<string, number>();
    profile.registers.forEach((reg, i) => {
      if (reg.type === "bitfield") return;
      for (let w = 0; w < modbusWords(reg.type); w++) {
        const key = `${reg.table}:${reg.address + w}`;
        const prior = owner.get(key);
        if (prior !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["registers", i, "address"],
            message: `${reg.table} ${reg.address + w} is already used by registers[${prior}] ("${profile.registers[prior]?.name}")`,
          });
          return;
        }
        owner.set(key, i);
      }
    });
  });
export type ModbusProfile = z.infer<typeof ModbusProfileSchema>;

/** Validates a profile; a malformed one answers every problem with its path (`registers[3].type`). */
export function validateModbusProfile(input: unknown): Validated<ModbusProfile> {
  const result = ModbusProfileSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: zodProblems(result.error) };
}

/** 16-bit registers a value of this type occupies (bits count as one unit of their table). */
export function modbusWords(type: ModbusType): number {
  switch (type) {
    case "int32":
    case "uint32":
    case "float32":
      return 2;
    case "float64":
      return 4;
    default:
      return 1;
  }
}

/** The Modicon prefix digit of a table's 1-based numbering (coils have 0, which cannot be told apart). */
const MODICON_PREFIX: Partial<Record<ModbusTable, number>> = {
  holding_register: 4,
  input_register: 3,
  discrete_input: 1,
};

/**
 * The protocol address a point ref's address means. `holding_register:40001` and `:400001` are the
 * Modicon numbering of holding register 0 (likewise 3xxxx for input registers, 1xxxx for discrete
 * inputs); any other number is the 0-based protocol address. Undefined when out of range.
 */
export function resolveModbusAddress(table: ModbusTable, address: number): number | undefined {
  const prefix = MODICON_PREFIX[table];
  if (prefix !== undefined) {
    if (address >= prefix * 10_000 + 1 && address <= prefix * 10_000 + 9_999)
      return address - prefix * 10_000 - 1;
    if (address >= prefix * 100_000 + 1 && address <= prefix * 100_000 + 65_536) {
      return address - prefix * 100_000 - 1;
    }
  }
  return address <= MODBUS_MAX_ADDRESS ? address : undefined;
}

/** The address to put in a ref so `resolveModbusAddress` gives back `protocolAddress` unambiguously. */
export function formatModbusAddress(table: ModbusTable, protocolAddress: number): number {
  const prefix = MODICON_PREFIX[table];
  if (prefix === undefined || resolveModbusAddress(table, protocolAddress) === protocolAddress) {
    return protocolAddress;
  }
  return prefix * 100_000 + protocolAddress + 1;
}

/** What decoding needs of a register; a profile register has it, a raw ref uses `RAW_REGISTER`. */
export type RegisterCodec = Pick<
  ModbusRegister,
  "type" | "bit" | "word_order" | "byte_order" | "scale" | "offset"
>;

export const RAW_REGISTER: RegisterCodec = {
  type: "uint16",
  word_order: "big",
  byte_order: "big",
  scale: 1,
  offset: 0,
};
export const RAW_BIT: RegisterCodec = { ...RAW_REGISTER, type: "bool" };

/** Registers (as sent on the wire) to the bytes of a big-endian value, undoing word and byte order. */
function wordsToBytes(words: readonly number[], codec: RegisterCodec): DataView {
  const ordered = codec.word_order === "little" ? [...words].reverse() : words;
  const view = new DataView(new ArrayBuffer(ordered.length * 2));
  ordered.forEach((word, i) => {
    const w = word & 0xffff;
    view.setUint16(i * 2, codec.byte_order === "little" ? ((w & 0xff) << 8) | (w >> 8) : w);
  });
  return view;
}

function bytesToWords(view: DataView, codec: RegisterCodec): number[] {
  const words: number[] = [];
  for (let i = 0; i < view.byteLength; i += 2) {
    const w = view.getUint16(i);
    words.push(codec.byte_order === "little" ? ((w & 0xff) << 8) | (w >> 8) : w);
  }
  return codec.word_order === "little" ? words.reverse() : words;
}

/**
 * The engineering value of a register's words (exactly `modbusWords(type)` of them, 0..65535 each).
 * Bits (coils, discrete inputs, `bool` registers, bitfields) read as booleans; numbers get scale and offset.
 */
export function decodeModbusValue(words: readonly number[], codec: RegisterCodec): number | boolean {
  const first = words[0] ?? 0;
  switch (codec.type) {
    case "bool":
      return first !== 0;
    case "bitfield":
      return ((first >> (codec.bit ?? 0)) & 1) === 1;
    default: {
      const view = wordsToBytes(words, codec);
      const raw = readRaw(view, codec.type);
      return raw * codec.scale + codec.offset;
    }
  }
}

function readRaw(view: DataView, type: ModbusType): number {
  switch (type) {
    case "int16":
      return view.getInt16(0);
    case "int32":
      return view.getInt32(0);
    case "uint32":
      return view.getUint32(0);
    case "float32":
      return view.getFloat32(0);
    case "float64":
      return view.getFloat64(0);
    default:
      return view.getUint16(0);
  }
}

const INTEGER_RANGE: Partial<Record<ModbusType, [number, number]>> = {
  int16: [-32_768, 32_767],
  uint16: [0, 65_535],
  int32: [-2_147_483_648, 2_147_483_647],
  uint32: [0, 4_294_967_295],
};

export type EncodeResult = { ok: true; words: number[] } | { ok: false; message: string };

/**
 * The words to write for an engineering value: (value - offset) / scale, rounded for integer types and
 * refused (never wrapped or clamped) when it does not fit the type.
 */
export function encodeModbusValue(value: number | boolean, codec: RegisterCodec): EncodeResult {
  if (codec.type === "bitfield") {
    return { ok: false, message: "a bitfield shares its register: write the whole register" };
  }
  if (codec.type === "bool") {
    if (typeof value === "boolean") return { ok: true, words: [value ? 1 : 0] };
    if (value === 0 || value === 1) return { ok: true, words: [value] };
    return { ok: false, message: `${value} is not a boolean (true, false, 1 or 0)` };
  }
  const numeric = typeof value === "boolean" ? (value ? 1 : 0) : value;
  if (!Number.isFinite(numeric)) return { ok: false, message: `${numeric} is not a finite number` };
  const raw = (numeric - codec.offset) / codec.scale;
  const view = new DataView(new ArrayBuffer(modbusWords(codec.type) * 2));
  const range = INTEGER_RANGE[codec.type];
  if (range) {
    const rounded = Math.round(raw);
    if (rounded < range[0] || rounded > range[1]) {
      return {
        ok: false,
        message: `${numeric} is out of range for ${codec.type} (raw ${rounded} outside ${range[0]}..${range[1]})`,
      };
    }
    if (codec.type === "int16") view.setInt16(0, rounded);
    else if (codec.type === "uint16") view.setUint16(0, rounded);
    else if (codec.type === "int32") view.setInt32(0, rounded);
    else view.setUint32(0, rounded);
  } else if (codec.type === "float32") {
    if (Math.abs(raw) > 3.4028234663852886e38)
      return { ok: false, message: `${numeric} does not fit a float32` };
    view.setFloat32(0, raw);
  } else {
    view.setFloat64(0, raw);
  }
  return { ok: true, words: bytesToWords(view, codec) };
}
