import { createSocket, type Socket } from "node:dgram";

export interface Datagram {
  data: Buffer;
  address: string;
  port: number;
}

/** A bare UDP socket for sending hand-made or hostile frames and looking at the raw replies. */
export class RawUdp {
  private readonly socket: Socket;
  readonly received: Datagram[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("message", (data, rinfo) =>
      this.received.push({ data, address: rinfo.address, port: rinfo.port }),
    );
  }

  static async open(port: number, address = "127.0.0.1"): Promise<RawUdp> {
    const socket = createSocket({ type: "udp4", reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, address, () => resolve());
    });
    socket.setBroadcast(true);
    return new RawUdp(socket);
  }

  send(data: Buffer | number[], address: string, port: number): Promise<void> {
    const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data);
    return new Promise((resolve, reject) =>
      this.socket.send(buffer, port, address, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Sends and collects what arrives within waitMs. */
  async exchange(data: Buffer | number[], address: string, port: number, waitMs = 400): Promise<Datagram[]> {
    const start = this.received.length;
    await this.send(data, address, port);
    await new Promise((r) => setTimeout(r, waitMs));
    return this.received.slice(start);
  }

  close(): void {
    this.socket.close();
  }
}

/** Wraps an NPDU+APDU in a BVLC header (0x0a unicast, 0x0b broadcast). */
export function bvlc(npduAndApdu: number[], func = 0x0a): Buffer {
  const length = npduAndApdu.length + 4;
  return Buffer.from([0x81, func, length >> 8, length & 0xff, ...npduAndApdu]);
}

/** Offset of the APDU in a reply from the simulator (BVLC 4 + NPDU 2, no routing). */
export const APDU_OFFSET = 6;
