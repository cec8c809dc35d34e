import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { lookup as dnsLookup, type LookupOneOptions } from "node:dns";
import { EventEmitter } from "node:events";
import { isIPv4 } from "node:net";
import {
  BVLC_FUNCTION,
  decodeBvll,
  decodeIHave,
  decodeNetworkList,
  decodeNpdu,
  encodeBvll,
  isIHave,
  NETWORK_MESSAGE,
  NPDU_CONTROL,
} from "@bms/bacnet";
import { type ForeignDeviceOptions, ForeignDeviceRegistration } from "./foreign-device";
import { ReplyMatcher } from "./reply-matcher";
import { SegmentReceiver } from "./segment-receiver";

export interface UdpTransportOptions {
  /** Local address to bind: the LAN interface on a site, 127.0.0.1 on a development machine. */
  bindAddress: string;
  port: number;
  /** Where broadcasts (Who-Is) go, with an optional port: `192.168.1.255` or `127.255.255.255:47808`. */
  broadcast: string;
  /** Register as a foreign device with this BBMD and broadcast through it (Distribute-Broadcast-To-Network). */
  bbmd?: ForeignDeviceOptions;
  /** How long a segmented reply may stall before it is abandoned (the request's retry asks again). */
  segmentTimeoutMs?: number;
}

export interface TransportStats {
  received: number;
  sent: number;
  sendErrors: number;
  dropped: number;
  /** Replies (acks, errors, rejects, aborts) from a peer other than the one the request went to. */
  foreignReplies: number;
  /** Replies to an invoke id no request used. */
  unsolicitedReplies: number;
}

/**
 * The UDP side of BACnet/IP, handed to @bacnet-js/client as its `transport`.
 * It differs from the library's own transport in two ways that matter on a real site:
 * - a sender is always reported as `ip:port`. The library omits `:47808` and then silently drops every
 *   service request (I-Am, COV notifications) from `127.0.0.1`, so a device there was unreachable;
 * - socket errors and oversize datagrams are counted and dropped, never thrown into the process;
 * - a reply is handed to the library only when it comes from the peer its request went to (see
 *   ReplyMatcher): the library matches by invoke id alone. A foreign reply is counted and reported
 *   with a `foreign-reply` event, then dropped.
 */
export class UdpTransport extends EventEmitter {
  private socket: Socket | undefined;
  private broadcastSocket: Socket | undefined;
  readonly stats: TransportStats = {
    received: 0,
    sent: 0,
    sendErrors: 0,
    dropped: 0,
    foreignReplies: 0,
    unsolicitedReplies: 0,
  };
  private readonly replies = new ReplyMatcher();
  private readonly broadcastHost: string;
  private readonly broadcastPort: number;
  /** Our own broadcasts come back to us on loopback; recognise them so we don't answer ourselves. */
  private readonly recentBroadcasts = new Set<string>();
  readonly segments: SegmentReceiver;
  /** The datagram being handed to the library (see currentApdu). */
  private delivering: Buffer | undefined;
  readonly foreignDevice: ForeignDeviceRegistration | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** The bound port, read once: `socket.address()` asks the OS on every call, and receive runs per datagram. */
  private localPort = -1;
  /** Datagrams whose handling threw (see receive). */
  private undecodable = 0;

  constructor(private readonly options: UdpTransportOptions) {
    super();
    const [host, port] = options.broadcast.split(":");
    this.broadcastHost = host ?? "255.255.255.255";
    this.broadcastPort = port ? Number(port) : 47808;
    this.segments = new SegmentReceiver(
      (frame, to) => this.sendFrame(frame, to),
      options.segmentTimeoutMs ?? 3000,
    );
    this.foreignDevice = options.bbmd
      ? new ForeignDeviceRegistration(options.bbmd, (frame, to) => this.sendFrame(frame, to))
      : undefined;
  }

  getBroadcastAddress(): string {
    return `${this.broadcastHost}:${this.broadcastPort}`;
  }

  getMaxPayload(): number {
    return 1476;
  }

  open(): void {
    // No SO_REUSEADDR: a second supervisor (or another BACnet tool) on the same port must fail loudly,
    // not silently share the unicast traffic with this one.
    const socket = createSocket({
      type: "udp4",
      reuseAddr: false,
      lookup: literalLookup(() => this.localPort >= 0),
    });
    this.socket = socket;
    socket.on("message", (msg: Buffer, rinfo: RemoteInfo) => this.receive(msg, rinfo));
    socket.on("listening", () => {
      this.localPort = socket.address().port;
      socket.setBroadcast(true);
      this.openBroadcastListener();
      this.foreignDevice?.start();
      this.sweepTimer = setInterval(() => this.segments.sweep(), 500);
      this.sweepTimer.unref();
      this.emit("listening", socket.address());
    });
    socket.on("error", (err) => this.emit("error", err));
    socket.on("close", () => this.emit("close"));
    socket.bind(this.options.port, this.options.bindAddress);
  }

  /**
   * A socket bound to one unicast address does not receive datagrams sent to the subnet's broadcast
   * address, and most devices answer Who-Is with a *broadcast* I-Am. So when bound to an interface
   * address we also listen on the broadcast address, same port (shared: other BACnet software on the
   * machine may listen there too). Bound to 0.0.0.0, the one socket already gets everything.
   */
  private openBroadcastListener(): void {
    if (this.options.bindAddress === "0.0.0.0") return;
    const port = this.socket?.address().port;
    if (port === undefined) return;
    const listener = createSocket({ type: "udp4", reuseAddr: true });
    listener.on("message", (msg: Buffer, rinfo: RemoteInfo) => this.receive(msg, rinfo));
    listener.on("error", (err) => {
      this.emit("warning", `cannot listen for broadcasts on ${this.broadcastHost}:${port}: ${err.message}`);
      listener.close();
      this.broadcastSocket = undefined;
    });
    listener.bind(port, this.broadcastHost);
    this.broadcastSocket = listener;
  }

  /**
   * The socket's handler: whatever a datagram makes a decoder or a listener throw is counted as dropped
   * here. A throw out of a dgram "message" handler is an uncaught exception, which ends the process.
   */
  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    try {
      this.receiveDatagram(msg, rinfo);
    } catch (error) {
      this.stats.dropped++;
      // Logged sparingly: a sender of such datagrams must not be able to flood the log as well.
      this.undecodable++;
      if (this.undecodable <= 20 || this.undecodable % 1000 === 0)
        this.emit(
          "warning",
          `a datagram from ${rinfo.address}:${rinfo.port} was dropped (${this.undecodable} so far): ${String(error)}`,
        );
    }
  }

  private receiveDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    if (msg.length < 4 || msg.length > 1600) {
      this.stats.dropped++;
      return;
    }
    // Our own broadcasts echo back within seconds of sending one; other datagrams skip the hex key.
    if (
      this.recentBroadcasts.size > 0 &&
      rinfo.port === this.localPort &&
      this.recentBroadcasts.has(msg.toString("hex"))
    )
      return;
    this.stats.received++;
    const sender = `${rinfo.address}:${rinfo.port}`;
    if (this.networkLayer(msg, sender)) return;
    const verdict = this.replies.check(msg, sender);
    if (verdict === "foreign") {
      this.stats.foreignReplies++;
      this.emit("foreign-reply", sender);
      return;
    }
    if (verdict === "unsolicited") {
      this.stats.unsolicitedReplies++;
      return;
    }
    // Segments are reassembled here (the library's own segment handling is unusable); the library gets
    // the whole reply once, as if it had come unsegmented.
    const whole = this.segments.handle(msg, sender);
    if (whole === null) return;
    // The library decodes synchronously in this emit; a datagram it chokes on is dropped by receive().
    try {
      this.delivering = whole ?? msg;
      this.emit("message", this.delivering, sender);
    } finally {
      this.delivering = undefined;
    }
  }

  /**
   * The APDU of the datagram the library is handling right now: its handlers run synchronously inside
   * the "message" emit, so a handler can decode what the library does not (event values) from it.
   */
  currentApdu(): Buffer | undefined {
    if (!this.delivering) return undefined;
    const bvll = decodeBvll(this.delivering);
    if (!bvll.ok || !bvll.bvll.npdu) return undefined;
    const npdu = decodeNpdu(bvll.bvll.npdu, 0);
    return npdu.ok ? bvll.bvll.npdu.subarray(npdu.offset) : undefined;
  }

  /**
   * What the library drops: BVLC-Results (our foreign-device registration) and network-layer messages
   * (I-Am-Router-To-Network, Reject-Message-To-Network), emitted as events, and I-Have answers, which
   * the library decodes without checks and we decode ourselves (`i-have`). True when consumed.
   */
  private networkLayer(msg: Buffer, sender: string): boolean {
    if (msg[1] === BVLC_FUNCTION.result) {
      const bvll = decodeBvll(msg);
      if (bvll.ok && bvll.bvll.result !== undefined) this.foreignDevice?.result(bvll.bvll.result, sender);
      return true;
    }
    const bvll = decodeBvll(msg);
    if (!bvll.ok || !bvll.bvll.npdu) return false;
    const npdu = bvll.bvll.npdu;
    if (npdu[0] !== 0x01) return false;
    const control = npdu[1] ?? 0;
    // NPDU control bit 7: a network-layer message, not an APDU.
    if ((control & 0x80) === 0) return this.iHave(npdu, control, bvll.bvll.origin, sender);
    const decoded = decodeNpdu(npdu, 0);
    if (!decoded.ok) {
      this.stats.dropped++;
      return true;
    }
    const from = bvll.bvll.origin ? `${bvll.bvll.origin.address}:${bvll.bvll.origin.port}` : sender;
    if (decoded.npdu.messageType === NETWORK_MESSAGE.iAmRouterToNetwork) {
      const networks = decodeNetworkList(npdu, decoded.offset);
      if (networks) this.emit("i-am-router", from, networks);
      else this.stats.dropped++;
    } else if (decoded.npdu.messageType === NETWORK_MESSAGE.rejectMessageToNetwork) {
      // Reason (1 octet) and network number (2): a message cut short is dropped, not read past its end.
      if (npdu.length < decoded.offset + 3) this.stats.dropped++;
      else
        this.emit(
          "reject-message-to-network",
          from,
          npdu[decoded.offset],
          npdu.readUInt16BE(decoded.offset + 1),
        );
    }
    return true;
  }

  /**
   * An I-Have, local (APDU at octet 2) or routed (SNET/SADR). A forwarded one is reported from its
   * originator, like an I-Am; the service checks the answer against the device registry anyway.
   */
  private iHave(
    npdu: Buffer,
    control: number,
    origin: { address: string; port: number } | undefined,
    sender: string,
  ): boolean {
    const routed = (control & (NPDU_CONTROL.source | NPDU_CONTROL.destination)) !== 0;
    if (!routed && !isIHave(npdu, 2)) return false;
    const header = routed ? decodeNpdu(npdu, 0) : undefined;
    if (header && (!header.ok || !isIHave(npdu, header.offset))) return false;
    const offset = header?.ok ? header.offset : 2;
    const source = header?.ok ? header.npdu.source : undefined;
    const from = origin ? `${origin.address}:${origin.port}` : sender;
    this.emit("i-have", decodeIHave(npdu, offset), from, source);
    return true;
  }

  /** A whole frame the library did not build (Who-Is-Router, Segment-ACK, Register-Foreign-Device). */
  sendFrame(frame: Buffer, receiver?: string): void {
    this.send(frame, frame.length, receiver);
  }

  send(buffer: Buffer, offset: number, receiver?: string): void {
    const socket = this.socket;
    if (!socket) return;
    let host: string;
    let port: number;
    if (receiver) {
      const [h, p] = receiver.split(":");
      host = h ?? receiver;
      port = p ? Number(p) : 47808;
    } else if (this.foreignDevice && buffer[1] === BVLC_FUNCTION.originalBroadcast) {
      // A foreign device cannot broadcast on a subnet it is not on: the BBMD does it for us (J.5.2.4).
      const [h = "", p = "47808"] = this.foreignDevice.options.bbmd.split(":");
      host = h;
      port = Number(p);
      const relayed = encodeBvll(BVLC_FUNCTION.distributeBroadcastToNetwork, buffer.subarray(4, offset));
      this.socket?.send(relayed, port, host, (err) => {
        if (err) this.stats.sendErrors++;
        else this.stats.sent++;
      });
      return;
    } else {
      host = this.broadcastHost;
      port = this.broadcastPort;
      const key = buffer.subarray(0, offset).toString("hex");
      this.recentBroadcasts.add(key);
      setTimeout(() => this.recentBroadcasts.delete(key), 5000).unref();
    }
    // The library reuses its encode buffer; copy so a queued send is not overwritten by the next encode.
    this.transmit(socket, Buffer.from(buffer.subarray(0, offset)), host, port, receiver !== undefined);
  }

  /**
   * A whole unicast frame built for this one send (the point reads' ReadPropertyMultiple): nothing
   * writes to it afterwards, so it goes out as it is, without the copy `send` makes of the library's.
   */
  sendOwned(datagram: Buffer, receiver: string): void {
    const socket = this.socket;
    if (!socket) return;
    const colon = receiver.indexOf(":");
    const host = colon < 0 ? receiver : receiver.slice(0, colon);
    const port = colon < 0 ? 47808 : Number(receiver.slice(colon + 1));
    this.transmit(socket, datagram, host, port, true);
  }

  private transmit(socket: Socket, datagram: Buffer, host: string, port: number, unicast: boolean): void {
    // Recorded before the library registers the invoke id, so the reply can never come first.
    this.replies.noteSent(datagram, unicast ? `${host}:${port}` : undefined);
    socket.send(datagram, port, host, this.sent);
  }

  /** One callback for every send, rather than a closure per datagram. */
  private readonly sent = (err: Error | null): void => {
    if (err) this.stats.sendErrors++;
    else this.stats.sent++;
  };

  close(): void {
    this.foreignDevice?.stop();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    try {
      this.broadcastSocket?.close();
    } catch {
      // already closed
    }
    this.broadcastSocket = undefined;
    const socket = this.socket;
    this.socket = undefined;
    // Unbound again: a reopened transport's bind must look up on the next tick, as the first did.
    this.localPort = -1;
    try {
      socket?.close();
    } catch {
      // already closed
    }
  }
}

/**
 * The socket's address lookup: once `bound`, an IPv4 literal (every device address, every reply) is
 * answered at once, anything else goes to DNS as before. node:dgram's own lookup answers even a literal
 * on the next tick, so a scan's requests all waited for the scan's whole send loop before the first
 * left: the devices started answering that much later (issue 15). Answered synchronously, each request
 * is on the wire as soon as it is made, and the devices work while the rest are prepared. The bind
 * itself keeps the next-tick answer: answered at once, the socket would report "listening" inside
 * open(), before its owner (the library's client) could listen for it.
 */
export function literalLookup(bound: () => boolean) {
  return (
    hostname: string,
    options: LookupOneOptions | number,
    callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
  ): void => {
    if (!isIPv4(hostname))
      dnsLookup(hostname, typeof options === "number" ? { family: options } : options, callback);
    else if (bound()) callback(null, hostname, 4);
    else process.nextTick(callback, null, hostname, 4);
  };
}
