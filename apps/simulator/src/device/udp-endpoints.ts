import { createSocket, type RemoteInfo, type Socket } from "node:dgram";

export interface DatagramHandler {
  handle(msg: Buffer, source: { address: string; port: number }): void;
}

/** Binds a socket and resolves once it listens; rejects with the bind error (e.g. EADDRINUSE). */
function bindSocket(socket: Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    socket.once("error", onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off("error", onError);
      resolve();
    });
  });
}

/**
 * A device's own unicast socket (127.0.0.N:port on loopback). Every reply and COV notification of
 * that device leaves from here, so clients see the device's real source address.
 */
export class DeviceSocket {
  private readonly socket: Socket;
  sendErrors = 0;

  constructor(
    readonly address: string,
    readonly port: number,
    private readonly handler: DatagramHandler,
  ) {
    this.socket = createSocket({ type: "udp4", reuseAddr: false });
    this.socket.on("message", (msg: Buffer, rinfo: RemoteInfo) => {
      this.handler.handle(msg, { address: rinfo.address, port: rinfo.port });
    });
    this.socket.on("error", () => {
      this.sendErrors++;
    });
  }

  bind(): Promise<void> {
    return bindSocket(this.socket, this.address, this.port);
  }

  /** A BBMD re-broadcasts on its subnet from its own socket. */
  allowBroadcast(): void {
    this.socket.setBroadcast(true);
  }

  send(frame: Buffer, address: string, port: number): void {
    this.socket.send(frame, port, address, (err) => {
      if (err) this.sendErrors++;
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

/**
 * The one socket bound to the broadcast address (127.255.255.255:port): Linux delivers a datagram
 * sent to the broadcast address only to sockets bound to it (or to 0.0.0.0), never to the devices'
 * unicast sockets, so this listener hands each broadcast to every device. reuseAddr lets another
 * simulator or tool on the same port share it.
 */
export class BroadcastListener {
  private readonly socket: Socket;

  constructor(
    readonly address: string,
    readonly port: number,
    private readonly handlers: () => readonly DatagramHandler[],
  ) {
    this.socket = createSocket({ type: "udp4", reuseAddr: true });
    this.socket.on("message", (msg: Buffer, rinfo: RemoteInfo) => {
      const source = { address: rinfo.address, port: rinfo.port };
      for (const handler of this.handlers()) handler.handle(msg, source);
    });
    this.socket.on("error", () => {});
  }

  bind(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.socket.once("error", onError);
      this.socket.bind({ address: this.address, port: this.port }, () => {
        this.socket.off("error", onError);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

/** 127.0.0.2 + 3 -> 127.0.0.5, carrying into the next octet. */
export function offsetAddress(base: string, offset: number): string {
  const parts = base.split(".").map((p) => Number.parseInt(p, 10));
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${base}`);
  }
  const [a = 0, b = 0, c = 0, d = 0] = parts;
  const value = (((a << 24) >>> 0) + (b << 16) + (c << 8) + d + offset) >>> 0;
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join(".");
}
