import ModbusRTU from "modbus-serial";
import type { PointErrorCode } from "../point-io";
import { withTimeout } from "../with-timeout";
import { modbusExceptionName } from "./modbus-exceptions";

/** Why a request failed, as the plugin reports it on the points it carried. */
export class ModbusRequestError extends Error {
  constructor(
    readonly code: PointErrorCode,
    message: string,
    /** The Modbus exception code when the device answered with one. */
    readonly exception?: number,
  ) {
    super(message);
  }
}

export interface ConnectionOptions {
  timeoutMs: number;
  concurrency: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  now(): number;
}

export interface ConnectionStats {
  requests: number;
  errors: number;
  lastMessageAt?: number;
  lastError?: string;
}

/** Consecutive timeouts after which the socket is presumed dead (half-open) and replaced. */
const TIMEOUTS_BEFORE_RECONNECT = 2;

type Client = InstanceType<typeof ModbusRTU>;
type Job = () => void;

/**
 * One TCP connection to one Modbus endpoint (a device, or a gateway with units behind it): connects
 * on first use, queues requests to the configured concurrency, times them out, and after a failed
 * connect waits out a doubling backoff before trying again, answering `unreachable` meanwhile instead
 * of piling connection attempts onto a device that is down.
 */
export class ModbusConnection {
  readonly stats: ConnectionStats = { requests: 0, errors: 0 };
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private retryAt = 0;
  private backoffMs: number;
  private consecutiveTimeouts = 0;
  private active = 0;
  private readonly waiting: Job[] = [];
  private closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly options: ConnectionOptions,
  ) {
    this.backoffMs = options.reconnectMinMs;
  }

  get connected(): boolean {
    return this.client?.isOpen === true;
  }

  /** Down: the last connect failed and the backoff has not run out. */
  get down(): boolean {
    return !this.connected && this.retryAt > this.options.now();
  }

  /** Runs `fn` when a slot is free, on a connected client; failures become `ModbusRequestError`s. */
  async request<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    // The common case (a free slot, an open socket) takes no extra turn of the event loop.
    if (this.active < this.options.concurrency) this.active++;
    else await this.slot();
    try {
      if (this.closed) throw new ModbusRequestError("busy", "the Modbus plugin is shutting down");
      const client = this.client?.isOpen ? this.client : await this.connect();
      this.stats.requests++;
      const result = await fn(client);
      this.consecutiveTimeouts = 0;
      this.stats.lastMessageAt = this.options.now();
      return result;
    } catch (err) {
      const error = this.classify(err);
      this.stats.errors++;
      this.stats.lastError = error.message;
      // An exception is an answer: the device is there and talking.
      if (error.exception !== undefined) this.stats.lastMessageAt = this.options.now();
      throw error;
    } finally {
      this.release();
    }
  }

  private slot(): Promise<void> {
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.active++;
        resolve();
      }),
    );
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  private connect(): Promise<Client> {
    if (this.client?.isOpen) return Promise.resolve(this.client);
    if (this.connecting) return this.connecting;
    const now = this.options.now();
    if (this.retryAt > now) {
      return Promise.reject(
        new ModbusRequestError(
          "unreachable",
          `${this.host}:${this.port} is down (${this.stats.lastError ?? "connect failed"}); next attempt in ${this.retryAt - now} ms`,
        ),
      );
    }
    this.connecting = this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Client> {
    this.dropClient();
    const client = new ModbusRTU();
    client.setTimeout(this.options.timeoutMs);
    // A socket error also arrives as a failed request or a close; without a listener it would crash us.
    client.on("error", () => {});
    client.on("close", () => {
      if (this.client === client) this.client = undefined;
    });
    try {
      await withTimeout(
        client.connectTCP(this.host, { port: this.port }),
        this.options.timeoutMs,
        () => new Error(`connect to ${this.host}:${this.port} timed out after ${this.options.timeoutMs} ms`),
      );
    } catch (err) {
      client.close(() => {});
      this.retryAt = this.options.now() + this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, this.options.reconnectMaxMs);
      const reason = err instanceof Error ? err.message : String(err);
      throw new ModbusRequestError("unreachable", `cannot connect to ${this.host}:${this.port}: ${reason}`);
    }
    this.backoffMs = this.options.reconnectMinMs;
    this.retryAt = 0;
    this.client = client;
    return client;
  }

  private classify(err: unknown): ModbusRequestError {
    if (err instanceof ModbusRequestError) return err;
    const e = err as { modbusCode?: unknown; errno?: unknown; message?: unknown };
    if (typeof e.modbusCode === "number") {
      this.consecutiveTimeouts = 0;
      const name = modbusExceptionName(e.modbusCode);
      return new ModbusRequestError(
        "device_error",
        `${name} (Modbus exception ${e.modbusCode})`,
        e.modbusCode,
      );
    }
    if (e.errno === "ETIMEDOUT") {
      this.consecutiveTimeouts++;
      if (this.consecutiveTimeouts >= TIMEOUTS_BEFORE_RECONNECT) this.dropClient();
      return new ModbusRequestError("timeout", `no answer within ${this.options.timeoutMs} ms`);
    }
    this.dropClient();
    const message = typeof e.message === "string" ? e.message : String(err);
    return new ModbusRequestError("unreachable", `connection to ${this.host}:${this.port} lost: ${message}`);
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    this.consecutiveTimeouts = 0;
    if (client) client.close(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (client?.isOpen) await new Promise<void>((resolve) => client.close(() => resolve()));
    for (const job of this.waiting.splice(0)) job();
  }
}

/**
 * An answer whose byte count is not the one the request implies (2 per register, 1 per 8 bits). The
 * library checks the frame's length but decodes by the byte count it carries, reading past the data
 * into the checksum it appended itself: such an answer is refused whole, never read as values.
 */
function byteCountProblem(
  result: { buffer?: Buffer } | undefined,
  expected: number,
): ModbusRequestError | undefined {
  const got = result?.buffer?.length;
  if (got === expected) return undefined;
  return new ModbusRequestError(
    "decode_error",
    `the device answered ${got ?? 0} data bytes where the request implies ${expected}`,
  );
}

/** The callback API with an explicit unit per request (`setID` is client-wide state). */
export function readRegisters(
  client: Client,
  unit: number,
  table: "holding_register" | "input_register",
  start: number,
  count: number,
): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const done = (err: unknown, result: { data: number[]; buffer?: Buffer } | undefined) => {
      if (err) return reject(err);
      const problem = byteCountProblem(result, count * 2);
      return problem ? reject(problem) : resolve(result?.data ?? []);
    };
    if (table === "holding_register") client.writeFC3(unit, start, count, done);
    else client.writeFC4(unit, start, count, done);
  });
}

export function readBits(
  client: Client,
  unit: number,
  table: "coil" | "discrete_input",
  start: number,
  count: number,
): Promise<boolean[]> {
  return new Promise((resolve, reject) => {
    const done = (err: unknown, result: { data: boolean[]; buffer?: Buffer } | undefined) => {
      if (err) return reject(err);
      const problem = byteCountProblem(result, Math.ceil(count / 8));
      return problem ? reject(problem) : resolve((result?.data ?? []).slice(0, count));
    };
    if (table === "coil") client.writeFC1(unit, start, count, done);
    else client.writeFC2(unit, start, count, done);
  });
}

/** FC 5 for one coil, FC 15 for several. */
export function writeCoils(client: Client, unit: number, start: number, states: boolean[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: unknown) => (err ? reject(err) : resolve());
    if (states.length === 1) client.writeFC5(unit, start, states[0] === true, done);
    else client.writeFC15(unit, start, states, done);
  });
}

/** FC 6 for one register, FC 16 for a multi-register value. */
export function writeRegisters(client: Client, unit: number, start: number, words: number[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: unknown) => (err ? reject(err) : resolve());
    if (words.length === 1) client.writeFC6(unit, start, words[0] ?? 0, done);
    else client.writeFC16(unit, start, words, done);
  });
}
