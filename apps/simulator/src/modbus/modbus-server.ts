import { createServer, type Server, type Socket } from "node:net";
import { handlePdu } from "./modbus-pdu";
import { EXCEPTION, type RegisterBank } from "./register-bank";

/** MBAP header (transaction, protocol, length, unit) + the largest PDU. */
const MBAP_LENGTH = 7;
const MAX_ADU = 260;
/** A gateway's answer for a unit it has no path to (Modbus Application Protocol §7, code 0x0B). */
const GATEWAY_TARGET_FAILED = 11;

export interface ModbusFaceStats {
  requests: number;
  exceptions: number;
  connections: number;
}

/**
 * The simulator's Modbus TCP face: one listener serving every Modbus unit of the site, like a
 * gateway. Units are looked up per request, so a site reload swaps them under open connections.
 * Frames that break the MBAP rules close the connection (there is no way to resynchronise a stream).
 */
export class ModbusFace {
  readonly stats: ModbusFaceStats = { requests: 0, exceptions: 0, connections: 0 };
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly units: () => ReadonlyMap<number, RegisterBank>) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        const address = this.server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    this.stats.connections++;
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      while (buffer.length >= MBAP_LENGTH) {
        const protocol = buffer.readUInt16BE(2);
        const length = buffer.readUInt16BE(4);
        if (protocol !== 0 || length < 2 || length + 6 > MAX_ADU) {
          socket.destroy();
          return;
        }
        if (buffer.length < 6 + length) break;
        const frame = buffer.subarray(0, 6 + length);
        buffer = buffer.subarray(6 + length);
        socket.write(this.answer(frame));
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      this.sockets.delete(socket);
      this.stats.connections--;
    });
  }

  private answer(frame: Buffer): Buffer {
    this.stats.requests++;
    const unit = frame[6] ?? 0;
    const pdu = frame.subarray(MBAP_LENGTH);
    const bank = this.units().get(unit);
    let response: Buffer;
    try {
      response = bank ? handlePdu(pdu, bank) : Buffer.from([(pdu[0] ?? 0) | 0x80, GATEWAY_TARGET_FAILED]);
    } catch {
      response = Buffer.from([(pdu[0] ?? 0) | 0x80, EXCEPTION.serverDeviceFailure]);
    }
    if ((response[0] ?? 0) & 0x80) this.stats.exceptions++;
    const header = Buffer.alloc(MBAP_LENGTH);
    frame.copy(header, 0, 0, 4); // transaction and protocol id echoed
    header.writeUInt16BE(response.length + 1, 4);
    header[6] = unit;
    return Buffer.concat([header, response]);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
