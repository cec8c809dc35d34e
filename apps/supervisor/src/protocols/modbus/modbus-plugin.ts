import {
  decodeModbusValue,
  encodeModbusValue,
  formatModbusAddress,
  formatPointRef,
  type ModbusProfile,
  type ModbusRegister,
  type ModbusTable,
  modbusWords,
  parsePointRef,
  RAW_BIT,
  RAW_REGISTER,
  type RegisterCodec,
  resolveModbusAddress,
} from "@bms/schemas";
import type {
  BrowseEntry,
  PluginHealth,
  PointErrorCode,
  PointIO,
  PointLabels,
  PointReading,
  PointWrite,
  WriteOutcome,
} from "../point-io";
import {
  deviceKey,
  endpointKey,
  MODBUS_DEFAULT_PORT,
  type ModbusDeviceConfig,
  type ModbusPluginConfig,
} from "./modbus-config";
import {
  ModbusConnection,
  ModbusRequestError,
  readBits,
  readRegisters,
  writeCoils,
  writeRegisters,
} from "./modbus-connection";
import { ILLEGAL_DATA_ADDRESS } from "./modbus-exceptions";
import { groupReadBlocks, isBitTable, type ReadBlock } from "./read-blocks";

/** A ref resolved to what goes on the wire and how to decode it. */
interface ResolvedPoint {
  index: number;
  host: string;
  port: number;
  unit: number;
  table: ModbusTable;
  address: number;
  words: number;
  codec: RegisterCodec;
  register?: ModbusRegister;
}

interface ReadPlan {
  failures: Array<{ index: number; code: PointErrorCode; reason: string }>;
  blocks: Array<{ connection: ModbusConnection; unit: number; block: ReadBlock<ResolvedPoint> }>;
  /** Where each resolved point's reading is kept for browsing. */
  keys: Array<[index: number, key: string]>;
}

/** Distinct read batches whose plans are kept (one per flow scan group, in practice). */
const MAX_CACHED_PLANS = 64;

interface PreparedWrite {
  point: ResolvedPoint;
  words: number[];
}

/** Runs of writes to consecutive addresses of one unit's table, in address order. */
function groupWriteRuns(prepared: readonly PreparedWrite[]): PreparedWrite[][] {
  const byTable = new Map<string, PreparedWrite[]>();
  for (const p of prepared) {
    const key = `${deviceKey(p.point.host, p.point.port, p.point.unit)}/${p.point.table}`;
    const list = byTable.get(key);
    if (list) list.push(p);
    else byTable.set(key, [p]);
  }
  const runs: PreparedWrite[][] = [];
  for (const list of byTable.values()) {
    let run: PreparedWrite[] = [];
    let next = -1;
    for (const p of [...list].sort((a, b) => a.point.address - b.point.address)) {
      // Two writes to one address in a batch stay separate requests, in address order.
      if (run.length > 0 && p.point.address !== next) {
        runs.push(run);
        run = [];
      }
      run.push(p);
      next = p.point.address + p.words.length;
    }
    if (run.length > 0) runs.push(run);
  }
  return runs;
}

type Resolution = { ok: true; point: ResolvedPoint } | { ok: false; code: PointErrorCode; reason: string };

interface KnownDevice {
  config: ModbusDeviceConfig;
  profile?: ModbusProfile;
  /** Profile registers by `table:address`. */
  registers: Map<string, ModbusRegister>;
}

export interface ModbusPluginDeps {
  now(): number;
  logger?: { warn(msg: string, data?: Record<string, unknown>): void };
}

/**
 * Modbus TCP behind the `PointIO` seam. A ref `modbus:<host>[:<port>]:<unit>/<table>:<address>` reads
 * the raw register (or bit) unless the device is listed with a profile, whose register at that address
 * brings its type, word/byte order, scale, offset and units. Reads of one unit are grouped into
 * contiguous blocks; a block answered with "illegal data address" is re-read value by value, so one
 * missing register does not blank its neighbours.
 */
export class ModbusPointIO implements PointIO {
  readonly protocol = "modbus";
  readonly capabilities = {
    priority: false,
    priorityArray: false,
    subscribe: false,
    browse: true,
    write: true,
  };
  private readonly devices = new Map<string, KnownDevice>();
  private readonly connections = new Map<string, ModbusConnection>();
  /** The last reading of each point read so far, by `device/table:address`, for browsing. */
  private readonly lastReadings = new Map<string, PointReading>();
  private readonly refErrors = { count: 0 };
  private readonly plans = new Map<string, ReadPlan>();
  private closed = false;

  constructor(
    private readonly config: ModbusPluginConfig,
    profiles: ReadonlyMap<string, ModbusProfile>,
    private readonly deps: ModbusPluginDeps,
  ) {
    for (const device of config.devices) {
      const profile = device.profile === undefined ? undefined : profiles.get(device.profile);
      const registers = new Map<string, ModbusRegister>();
      for (const r of profile?.registers ?? []) {
        // Bits of one status word share an address; a ref to the address itself reads the whole word.
        if (r.type !== "bitfield") registers.set(`${r.table}:${r.address}`, r);
      }
      this.devices.set(deviceKey(device.host, device.port, device.unit), {
        config: device,
        profile,
        registers,
      });
    }
  }

  async start(): Promise<void> {
    // Connections open on first use: a device that is off at start is health, not a failed start.
  }

  async read(refs: readonly string[]): Promise<PointReading[]> {
    const timestamp = this.deps.now();
    const readings: PointReading[] = new Array(refs.length);
    if (this.closed) return refs.map(() => bad("busy", "the Modbus plugin is shut down", timestamp));
    const plan = this.plan(refs);
    for (const f of plan.failures) readings[f.index] = bad(f.code, f.reason, timestamp);
    const work: Promise<void>[] = [];
    for (const { connection, unit, block } of plan.blocks) {
      work.push(this.readBlock(connection, unit, block, readings, true));
    }
    await Promise.all(work);
    for (const [index, key] of plan.keys) {
      const reading = readings[index];
      if (reading) this.lastReadings.set(key, reading);
    }
    return readings;
  }

  /**
   * How to read a batch: refs resolved and grouped into blocks per unit. A scan asks for the same
   * batch every period, so plans are kept by batch (a few; the cache is dropped when it grows).
   */
  private plan(refs: readonly string[]): ReadPlan {
    const cacheKey = refs.join("\n");
    const cached = this.plans.get(cacheKey);
    if (cached) return cached;
    const plan: ReadPlan = { failures: [], blocks: [], keys: [] };
    const byUnit = new Map<string, ResolvedPoint[]>();
    refs.forEach((ref, index) => {
      const resolved = this.resolve(ref, index);
      if (!resolved.ok) {
        plan.failures.push({ index, code: resolved.code, reason: resolved.reason });
        return;
      }
      const p = resolved.point;
      plan.keys.push([index, pointKey(p)]);
      const key = deviceKey(p.host, p.port, p.unit);
      const list = byUnit.get(key);
      if (list) list.push(p);
      else byUnit.set(key, [p]);
    });
    const limits = { registers: this.config.max_block_registers, bits: this.config.max_block_bits };
    for (const unitPoints of byUnit.values()) {
      const first = unitPoints[0];
      if (!first) continue;
      const connection = this.connection(first.host, first.port);
      for (const block of groupReadBlocks(unitPoints, limits)) {
        plan.blocks.push({ connection, unit: first.unit, block });
      }
    }
    if (this.plans.size >= MAX_CACHED_PLANS) this.plans.clear();
    this.plans.set(cacheKey, plan);
    return plan;
  }

  private async readBlock(
    connection: ModbusConnection,
    unit: number,
    block: ReadBlock<ResolvedPoint>,
    readings: PointReading[],
    splitOnIllegalAddress: boolean,
  ): Promise<void> {
    try {
      const values = await connection.request<Array<number | boolean>>((client) =>
        block.table === "coil" || block.table === "discrete_input"
          ? readBits(client, unit, block.table, block.start, block.count)
          : readRegisters(client, unit, block.table, block.start, block.count),
      );
      const timestamp = this.deps.now();
      for (const p of block.members) {
        const offset = p.address - block.start;
        const slice = values.slice(offset, offset + p.words);
        if (slice.length < p.words) {
          readings[p.index] = bad(
            "decode_error",
            `the device answered ${values.length} of ${block.count} values`,
            timestamp,
          );
          continue;
        }
        const words = slice.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
        const value = decodeModbusValue(words, p.codec);
        readings[p.index] = { value, quality: "good", timestamp };
      }
    } catch (err) {
      const error =
        err instanceof ModbusRequestError ? err : new ModbusRequestError("decode_error", String(err));
      if (splitOnIllegalAddress && error.exception === ILLEGAL_DATA_ADDRESS && block.members.length > 1) {
        await Promise.all(
          block.members.map((p) =>
            this.readBlock(
              connection,
              unit,
              { table: block.table, start: p.address, count: p.words, members: [p] },
              readings,
              false,
            ),
          ),
        );
        return;
      }
      const timestamp = this.deps.now();
      for (const p of block.members) readings[p.index] = bad(error.code, error.message, timestamp);
    }
  }

  /**
   * Contiguous writes to one unit's table in one batch go as one request (FC 15 for coils, FC 16 for
   * registers); a lone coil is FC 5 and a lone one-register value FC 6. A batch's run succeeds or
   * fails as a whole, as the device applies it.
   */
  async write(writes: readonly PointWrite[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = new Array(writes.length);
    const prepared: PreparedWrite[] = [];
    writes.forEach((w, index) => {
      const result = this.prepareWrite(w, index);
      if ("ok" in result) outcomes[index] = result;
      else prepared.push(result);
    });
    await Promise.all(
      groupWriteRuns(prepared).map(async (run) => {
        const outcome = await this.sendRun(run);
        for (const p of run) outcomes[p.point.index] = outcome;
      }),
    );
    return outcomes;
  }

  private prepareWrite(w: PointWrite, index: number): WriteOutcome | PreparedWrite {
    if (this.closed) return { ok: false, code: "busy", error: "the Modbus plugin is shut down" };
    const resolved = this.resolve(w.ref, index);
    if (!resolved.ok) return { ok: false, code: resolved.code, error: resolved.reason };
    const point = resolved.point;
    if (point.table === "input_register" || point.table === "discrete_input") {
      return { ok: false, code: "unsupported", error: `a ${point.table} is read-only` };
    }
    if (point.register && !point.register.writable) {
      const profile = this.devices.get(deviceKey(point.host, point.port, point.unit))?.profile?.id;
      return {
        ok: false,
        code: "write_denied",
        error: `${point.register.name} is not writable in profile ${profile}`,
      };
    }
    const value: unknown = w.value;
    // A relinquish (the flow stopped commanding): Modbus has no priority array, so there is nothing to
    // release and nothing is sent; the register keeps the last value written (point-io.ts, one rule).
    if (value === null || value === undefined) return { ok: true };
    if (typeof value !== "number" && typeof value !== "boolean") {
      return {
        ok: false,
        code: "write_denied",
        error: `a Modbus ${point.table} takes a number or a boolean`,
      };
    }
    const encoded = encodeModbusValue(value, point.codec);
    if (!encoded.ok) return { ok: false, code: "write_denied", error: encoded.message };
    return { point, words: encoded.words };
  }

  private async sendRun(run: PreparedWrite[]): Promise<WriteOutcome> {
    const first = run[0];
    if (!first) return { ok: true };
    const { host, port, unit, table, address } = first.point;
    const words = run.flatMap((p) => p.words);
    try {
      await this.connection(host, port).request((client) =>
        table === "coil"
          ? writeCoils(
              client,
              unit,
              address,
              words.map((word) => word !== 0),
            )
          : writeRegisters(client, unit, address, words),
      );
      return { ok: true };
    } catch (err) {
      const error =
        err instanceof ModbusRequestError ? err : new ModbusRequestError("device_error", String(err));
      // The device refusing the function, an address or a value is a refused write; a failing one is not.
      const refused = error.exception !== undefined && error.exception <= 3;
      return { ok: false, code: refused ? "write_denied" : error.code, error: error.message };
    }
  }

  async browse(parentId?: string): Promise<BrowseEntry[]> {
    if (parentId === undefined) {
      return [...this.devices.values()].map((d) => ({
        id: deviceKey(d.config.host, d.config.port, d.config.unit),
        name: d.config.name ?? `${d.config.host}:${d.config.port} unit ${d.config.unit}`,
        kind: "device" as const,
        description: d.profile
          ? `${d.profile.device} (profile ${d.profile.id})`
          : "no profile: raw registers",
      }));
    }
    const device = this.devices.get(parentId);
    if (!device?.profile) return [];
    const { host, port, unit } = device.config;
    return device.profile.registers.map((r) => {
      const ref = modbusRef(host, port, unit, r.table, r.address);
      const reading = this.lastReadings.get(
        `${deviceKey(host, port, unit)}/${r.table}:${r.address}:${r.bit ?? ""}`,
      );
      const entry: BrowseEntry = {
        id: `${parentId}/${r.name}`,
        name: r.label ?? r.name,
        kind: "point",
        writable: r.writable,
        description: [
          r.description,
          `${r.table} ${r.address} ${r.type}${r.bit === undefined ? "" : ` bit ${r.bit}`}`,
        ]
          .filter(Boolean)
          .join("; "),
      };
      // A bitfield has no ref of its own: its address reads the whole word.
      if (r.type !== "bitfield") entry.ref = ref;
      if (r.units !== undefined) entry.units = r.units;
      if (reading) entry.reading = reading;
      return entry;
    });
  }

  health(): PluginHealth {
    let connected = 0;
    let down = 0;
    let errors = this.refErrors.count;
    let lastMessageAt: number | undefined;
    let lastError: string | undefined;
    for (const c of this.connections.values()) {
      if (c.connected) connected++;
      if (c.down) down++;
      errors += c.stats.errors;
      if (c.stats.lastMessageAt !== undefined && (lastMessageAt ?? 0) < c.stats.lastMessageAt) {
        lastMessageAt = c.stats.lastMessageAt;
      }
      if (c.stats.lastError) lastError = c.stats.lastError;
    }
    const health: PluginHealth = {
      protocol: this.protocol,
      state: this.closed
        ? "disabled"
        : down === 0
          ? "ok"
          : down < this.connections.size
            ? "degraded"
            : "down",
      connections: connected,
      errors,
      detail: {
        endpoints: [...this.connections.values()].map((c) => ({
          endpoint: endpointKey(c.host, c.port),
          connected: c.connected,
          down: c.down,
          requests: c.stats.requests,
          errors: c.stats.errors,
        })),
        devices: this.devices.size,
      },
    };
    if (lastMessageAt !== undefined) health.last_message_at = lastMessageAt;
    if (lastError !== undefined) health.last_error = lastError;
    return health;
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.connections.values()].map((c) => c.close()));
    this.connections.clear();
    this.plans.clear();
  }

  private connection(host: string, port: number): ModbusConnection {
    const key = endpointKey(host, port);
    let connection = this.connections.get(key);
    if (!connection) {
      connection = new ModbusConnection(host, port, {
        timeoutMs: this.config.timeout_ms,
        concurrency: this.config.concurrency,
        reconnectMinMs: this.config.reconnect_min_ms,
        reconnectMaxMs: this.config.reconnect_max_ms,
        now: this.deps.now,
      });
      this.connections.set(key, connection);
    }
    return connection;
  }

  /** A profile register's units, for the values read from it. Raw registers have none. */
  labels(ref: string): PointLabels | undefined {
    const located = this.locate(ref);
    const units = located.ok ? located.register?.units : undefined;
    return units === undefined ? undefined : { units };
  }

  private resolve(ref: string, index: number): Resolution {
    const located = this.locate(ref);
    if (!located.ok) {
      this.refErrors.count++;
      return { ok: false, code: "invalid_ref", reason: located.reason };
    }
    const { host, port, unit, table, address, register } = located;
    const codec = register ?? (isBitTable(table) ? RAW_BIT : RAW_REGISTER);
    const words = isBitTable(table) ? 1 : modbusWords(codec.type);
    const point: ResolvedPoint = { index, host, port, unit, table, address, words, codec };
    if (register) point.register = register;
    return { ok: true, point };
  }

  /** Where a ref points: its endpoint, unit, table and 0-based address, and its profile register if any. */
  private locate(ref: string):
    | {
        ok: true;
        host: string;
        port: number;
        unit: number;
        table: ModbusTable;
        address: number;
        register: ModbusRegister | undefined;
      }
    | { ok: false; reason: string } {
    const parsed = parsePointRef(ref);
    if (!parsed.ok) return { ok: false, reason: parsed.message };
    if (parsed.ref.protocol !== "modbus") return { ok: false, reason: `${ref} is not a Modbus point` };
    const { host, unit, table } = parsed.ref;
    const port = parsed.ref.port ?? MODBUS_DEFAULT_PORT;
    const address = resolveModbusAddress(table, parsed.ref.address);
    if (address === undefined)
      return { ok: false, reason: `${table} address ${parsed.ref.address} is out of range` };
    const register = this.devices.get(deviceKey(host, port, unit))?.registers.get(`${table}:${address}`);
    return { ok: true, host, port, unit, table, address, register };
  }
}

function bad(code: PointErrorCode, reason: string, timestamp: number): PointReading {
  return { value: null, quality: "bad", code, reason, timestamp };
}

function pointKey(p: ResolvedPoint): string {
  return `${deviceKey(p.host, p.port, p.unit)}/${p.table}:${p.address}:${p.codec.bit ?? ""}`;
}

/** The canonical ref of a register, its address in a form that reads back unambiguously. */
export function modbusRef(
  host: string,
  port: number,
  unit: number,
  table: ModbusTable,
  address: number,
): string {
  return formatPointRef({
    protocol: "modbus",
    host,
    port,
    unit,
    table,
    address: formatModbusAddress(table, address),
  });
}
