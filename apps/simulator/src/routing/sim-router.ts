import {
  BVLC_FUNCTION,
  decodeBvll,
  decodeNpdu,
  decodeWhoIsRouterNetwork,
  encodeBvll,
  encodeIAmRouter,
  encodeNpdu,
  endpointToMac,
  GLOBAL_NETWORK,
  type IpEndpoint,
  macToEndpoint,
  NETWORK_MESSAGE,
} from "@bms/bacnet";
import type { SimDevice } from "../device/sim-device";
import { type DatagramHandler, DeviceSocket } from "../device/udp-endpoints";
import { MstpTrunk, stationLatency } from "./mstp-trunk";

export interface RouterConfig {
  /** The router's own B/IP address and port. */
  address: string;
  port: number;
  /** The number of the B/IP network the router's IP port sits on (SNET of what it forwards inward). */
  ipNetwork: number;
  latency: { minMs: number; maxMs: number };
}

export interface RouterStats {
  forwardedIn: number;
  forwardedOut: number;
  whoIsRouter: number;
  /** Messages for a network we do not reach, answered with Reject-Message-To-Network. */
  unknownNetwork: number;
  /** Datagrams refused, by reason (NPDU problem codes, bad DADR, hop count spent, …). */
  refused: Record<string, number>;
}

/** Reject-Message-To-Network reason 1: the network is not reachable through this router. */
const REJECT_UNREACHABLE = 1;

/**
 * A BACnet/IP-to-MS/TP router (clause 6.5): it answers Who-Is-Router-To-Network for its trunks, forwards
 * requests addressed by DNET/DADR (or to DNET 0xFFFF) onto the trunk with the sender as SNET/SADR, and
 * sends each device's reply back to the B/IP address its DADR names, with the device as SNET/SADR.
 */
export class SimRouter implements DatagramHandler {
  readonly trunks = new Map<number, MstpTrunk>();
  readonly stats: RouterStats = {
    forwardedIn: 0,
    forwardedOut: 0,
    whoIsRouter: 0,
    unknownNetwork: 0,
    refused: {},
  };
  private readonly socket: DeviceSocket;

  constructor(readonly config: RouterConfig) {
    this.socket = new DeviceSocket(config.address, config.port, this);
  }

  /** Puts a device on its trunk; returns the sender its server uses, which goes back through us. */
  attach(device: SimDevice, server: DatagramHandler, index: number): { send(frame: Buffer): void } {
    const network = device.link.network;
    const mac = device.link.mac;
    if (network === undefined || mac === undefined)
      throw new Error(`device ${device.instance} is not routed`);
    let trunk = this.trunks.get(network);
    if (!trunk) {
      trunk = new MstpTrunk(network, { address: this.config.address, port: this.config.port });
      this.trunks.set(network, trunk);
    }
    trunk.attach(device, server, mac, stationLatency(index, this.config.latency));
    return { send: (frame) => this.fromDevice(network, mac, frame) };
  }

  get networks(): number[] {
    return [...this.trunks.keys()].sort((a, b) => a - b);
  }

  bind(): Promise<void> {
    return this.socket.bind();
  }

  close(): Promise<void> {
    for (const trunk of this.trunks.values()) trunk.close();
    return this.socket.close();
  }

  private refuse(reason: string): void {
    this.stats.refused[reason] = (this.stats.refused[reason] ?? 0) + 1;
  }

  handle(msg: Buffer, source: { address: string; port: number }): void {
    try {
      this.fromIp(msg, source);
    } catch {
      this.refuse("exception");
    }
  }

  private fromIp(msg: Buffer, source: IpEndpoint): void {
    const bvll = decodeBvll(msg);
    if (!bvll.ok) {
      this.refuse(`bvll-${bvll.problem}`);
      return;
    }
    const { func, npdu } = bvll.bvll;
    if (
      !npdu ||
      (func !== BVLC_FUNCTION.originalUnicast &&
        func !== BVLC_FUNCTION.originalBroadcast &&
        func !== BVLC_FUNCTION.forwardedNpdu)
    ) {
      return; // BBMD management is not a router's business
    }
    const origin = bvll.bvll.origin ?? source;
    if (origin.address === this.config.address && origin.port === this.config.port) return;
    const decoded = decodeNpdu(npdu, 0);
    if (!decoded.ok) {
      this.refuse(decoded.problem);
      return;
    }
    const { npdu: header, offset } = decoded;
    if (header.messageType !== undefined) {
      if (header.messageType === NETWORK_MESSAGE.whoIsRouterToNetwork && !header.destination) {
        this.stats.whoIsRouter++;
        const asked = decodeWhoIsRouterNetwork(npdu, offset);
        if (asked === undefined || this.trunks.has(asked))
          this.sendIp(encodeIAmRouter(this.networks), origin);
      }
      return;
    }
    const destination = header.destination;
    if (!destination) return; // for the router's own application layer, which it does not have
    if (header.source) {
      this.refuse("routed-source");
      return;
    } // we are the only router on this IP network
    if ((header.hopCount ?? 0) === 0) {
      this.refuse("hop-count");
      return;
    }
    const inward = Buffer.concat([
      encodeNpdu({
        source: { net: this.config.ipNetwork, adr: endpointToMac(origin) },
        expectingReply: header.expectingReply,
        priority: header.priority,
      }),
      npdu.subarray(offset),
    ]);
    const confirmed = (npdu[offset] ?? 0) >> 4 === 0;
    if (destination.net === GLOBAL_NETWORK) {
      for (const trunk of this.trunks.values())
        trunk.broadcast(encodeBvll(BVLC_FUNCTION.originalBroadcast, inward));
      this.stats.forwardedIn++;
      return;
    }
    const trunk = this.trunks.get(destination.net);
    if (!trunk) {
      this.stats.unknownNetwork++;
      const reject = Buffer.concat([
        encodeNpdu({ messageType: NETWORK_MESSAGE.rejectMessageToNetwork }),
        Buffer.from([REJECT_UNREACHABLE, destination.net >> 8, destination.net & 0xff]),
      ]);
      this.sendIp(reject, origin);
      return;
    }
    if (destination.adr.length === 0) {
      trunk.broadcast(encodeBvll(BVLC_FUNCTION.originalBroadcast, inward));
    } else if (destination.adr.length !== 1) {
      this.refuse("bad-dadr-length");
      return;
    } else {
      const frame = encodeBvll(BVLC_FUNCTION.originalUnicast, inward);
      const mac = destination.adr[0] ?? 0;
      const known = confirmed ? trunk.request(mac, frame) : trunk.deliver(mac, frame);
      if (!known) {
        this.refuse("unknown-station");
        return;
      }
    }
    this.stats.forwardedIn++;
  }

  /** A device's frame: DNET/DADR name the B/IP client; it leaves with the device as SNET/SADR. */
  private fromDevice(network: number, mac: number, frame: Buffer): void {
    const bvll = decodeBvll(frame);
    if (!bvll.ok || !bvll.bvll.npdu) {
      this.refuse("device-frame");
      return;
    }
    const decoded = decodeNpdu(bvll.bvll.npdu, 0);
    if (!decoded.ok) {
      this.refuse("device-frame");
      return;
    }
    const destination = decoded.npdu.destination;
    const target = destination?.net === this.config.ipNetwork ? macToEndpoint(destination.adr) : undefined;
    if (!target) {
      this.refuse("device-destination");
      return;
    }
    const outward = Buffer.concat([
      encodeNpdu({ source: { net: network, adr: [mac] }, expectingReply: decoded.npdu.expectingReply }),
      bvll.bvll.npdu.subarray(decoded.offset),
    ]);
    this.sendIp(outward, target);
    this.stats.forwardedOut++;
  }

  private sendIp(npdu: Buffer, to: IpEndpoint): void {
    this.socket.send(encodeBvll(BVLC_FUNCTION.originalUnicast, npdu), to.address, to.port);
  }

  /** Counters for the REST API and the benchmark. */
  view() {
    return {
      address: `${this.config.address}:${this.config.port}`,
      ip_network: this.config.ipNetwork,
      stats: this.stats,
      networks: [...this.trunks.values()].map((trunk) => ({
        ...trunk.stats,
        stations: [...trunk.stations.values()].map((s) => ({
          instance: s.device.instance,
          mac: s.mac,
          latency_ms: s.latencyMs,
          requests: s.requests,
          max_outstanding: s.maxOutstanding,
          overlapping: s.overlapping,
        })),
      })),
    };
  }
}
