import {
  BVLC_FUNCTION,
  BVLC_RESULT,
  decodeBvll,
  encodeBvlcResult,
  encodeBvll,
  type IpEndpoint,
} from "@bms/bacnet";
import { type DatagramHandler, DeviceSocket } from "../device/udp-endpoints";

export interface BbmdConfig {
  /** The BBMD's own B/IP address. */
  address: string;
  port: number;
  /** This subnet's directed broadcast address, where forwarded broadcasts are re-broadcast. */
  broadcastAddress: string;
  /** Peer BBMDs on other subnets (the BDT besides ourselves); each gets our broadcasts unicast. */
  peers: IpEndpoint[];
}

interface ForeignDevice {
  endpoint: IpEndpoint;
  ttlS: number;
  /** TTL plus the 30 s grace period of J.5.2.3. */
  expiresAt: number;
}

export interface BbmdStats {
  registrations: number;
  distributed: number;
  forwarded: number;
  /** Distribute-Broadcast-To-Network from a device that is not registered: NAKed and counted. */
  refusedUnregistered: number;
}

const GRACE_S = 30;
/** A TTL of 0 would never be renewed in time; the standard leaves the upper bound to us. */
const MAX_TTL_S = 65_535;

const key = (e: IpEndpoint) => `${e.address}:${e.port}`;

/**
 * A BACnet Broadcast Management Device (Annex J.4/J.5) with a Broadcast Distribution Table (ourselves
 * plus `peers`) and a Foreign Device Table. Broadcasts from our subnet and from foreign devices reach the
 * other subnets as Forwarded-NPDUs carrying the originator's address, so replies go straight back to it.
 */
export class SimBbmd implements DatagramHandler {
  private readonly socket: DeviceSocket;
  private readonly fdt = new Map<string, ForeignDevice>();
  readonly stats: BbmdStats = { registrations: 0, distributed: 0, forwarded: 0, refusedUnregistered: 0 };

  constructor(
    readonly config: BbmdConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.socket = new DeviceSocket(config.address, config.port, this);
  }

  bind(): Promise<void> {
    return this.socket.bind().then(() => this.socket.allowBroadcast());
  }

  close(): Promise<void> {
    return this.socket.close();
  }

  private isSelf(e: IpEndpoint): boolean {
    return e.address === this.config.address && e.port === this.config.port;
  }

  handle(msg: Buffer, source: { address: string; port: number }): void {
    if (this.isSelf(source)) return; // our own re-broadcast, heard on the broadcast socket
    const decoded = decodeBvll(msg);
    if (!decoded.ok) return;
    const bvll = decoded.bvll;
    this.expire();
    switch (bvll.func) {
      case BVLC_FUNCTION.registerForeignDevice: {
        const ttlS = Math.min(bvll.ttlS ?? 0, MAX_TTL_S);
        if (ttlS <= 0) {
          this.send(encodeBvlcResult(BVLC_RESULT.registerForeignDeviceNak), source);
          return;
        }
        this.fdt.set(key(source), {
          endpoint: source,
          ttlS,
          expiresAt: this.now() + (ttlS + GRACE_S) * 1000,
        });
        this.stats.registrations++;
        this.send(encodeBvlcResult(BVLC_RESULT.success), source);
        return;
      }
      case BVLC_FUNCTION.distributeBroadcastToNetwork: {
        if (!this.fdt.has(key(source)) || !bvll.npdu) {
          this.stats.refusedUnregistered++;
          this.send(encodeBvlcResult(BVLC_RESULT.distributeBroadcastNak), source);
          return;
        }
        this.stats.distributed++;
        const forwarded = encodeBvll(BVLC_FUNCTION.forwardedNpdu, bvll.npdu, source);
        this.send(forwarded, { address: this.config.broadcastAddress, port: this.config.port });
        for (const peer of this.config.peers) this.send(forwarded, peer);
        this.toForeignDevices(forwarded, source);
        return;
      }
      case BVLC_FUNCTION.originalBroadcast: {
        // A broadcast on our own subnet goes to the other subnets and the foreign devices.
        if (!bvll.npdu) return;
        const forwarded = encodeBvll(BVLC_FUNCTION.forwardedNpdu, bvll.npdu, source);
        for (const peer of this.config.peers) this.send(forwarded, peer);
        this.toForeignDevices(forwarded, source);
        this.stats.forwarded++;
        return;
      }
      case BVLC_FUNCTION.forwardedNpdu: {
        // From a peer BBMD: re-broadcast here (two-hop distribution) and tell our foreign devices.
        if (!this.config.peers.some((p) => key(p) === key(source)) || !bvll.origin) return;
        this.send(msg, { address: this.config.broadcastAddress, port: this.config.port });
        this.toForeignDevices(msg, bvll.origin);
        this.stats.forwarded++;
        return;
      }
      case BVLC_FUNCTION.readFdt:
      case BVLC_FUNCTION.readBdt:
      case BVLC_FUNCTION.writeBdt:
      case BVLC_FUNCTION.deleteFdtEntry:
        // The tables are read through the simulator's REST API; on the wire we decline (J.2.1.1).
        this.send(encodeBvlcResult(naks[bvll.func] ?? BVLC_RESULT.readFdtNak), source);
        return;
      default:
        return;
    }
  }

  private toForeignDevices(frame: Buffer, except: IpEndpoint): void {
    for (const fd of this.fdt.values()) if (key(fd.endpoint) !== key(except)) this.send(frame, fd.endpoint);
  }

  private expire(): void {
    const now = this.now();
    for (const [k, fd] of this.fdt) if (fd.expiresAt <= now) this.fdt.delete(k);
  }

  private send(frame: Buffer, to: IpEndpoint): void {
    this.socket.send(frame, to.address, to.port);
  }

  view() {
    this.expire();
    const now = this.now();
    return {
      address: `${this.config.address}:${this.config.port}`,
      bdt: [`${this.config.address}:${this.config.port}`, ...this.config.peers.map(key)],
      fdt: [...this.fdt.values()].map((fd) => ({
        address: key(fd.endpoint),
        ttl_s: fd.ttlS,
        remaining_s: Math.max(0, Math.round((fd.expiresAt - now) / 1000)),
      })),
      stats: this.stats,
    };
  }
}

const naks: Record<number, number> = {
  [BVLC_FUNCTION.readFdt]: BVLC_RESULT.readFdtNak,
  [BVLC_FUNCTION.readBdt]: BVLC_RESULT.readBdtNak,
  [BVLC_FUNCTION.writeBdt]: BVLC_RESULT.writeBdtNak,
  [BVLC_FUNCTION.deleteFdtEntry]: BVLC_RESULT.deleteFdtEntryNak,
};
