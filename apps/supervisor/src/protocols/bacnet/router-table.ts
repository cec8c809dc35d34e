import { GLOBAL_NETWORK } from "@bms/bacnet";

export interface RouterTableStats {
  i_am_router: number;
  /** Claims refused: network 0 or 65535, our own network, or a network another router already serves. */
  refused_reserved: number;
  refused_own_network: number;
  refused_conflict: number;
  reject_message_to_network: number;
}

export interface NetworkMapEntry {
  network: number;
  /** The B/IP address (`ip:port`) of the router that reaches it. */
  router: string;
  learned_at: number;
  /** From an I-Am-Router-To-Network, or only seen as the SNET of a device's I-Am. */
  source: "i-am-router" | "device";
}

/** A router that stops answering gives its networks up after this long, so a replacement can claim them. */
const ROUTE_STALE_MS = 30 * 60_000;

/**
 * Which networks sit behind which router (clause 6.4): learned from I-Am-Router-To-Network and from
 * the SNET of routed I-Ams. Nothing from the wire is taken unchecked: reserved network numbers, our own
 * network and a second router claiming a network another one serves are refused and counted.
 */
export class RouterTable {
  private readonly networks = new Map<number, NetworkMapEntry>();
  readonly stats: RouterTableStats = {
    i_am_router: 0,
    refused_reserved: 0,
    refused_own_network: 0,
    refused_conflict: 0,
    reject_message_to_network: 0,
  };

  constructor(
    private readonly localNetwork: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** An I-Am-Router-To-Network from `router`; returns the networks accepted. */
  learn(
    router: string,
    networks: readonly number[],
    source: NetworkMapEntry["source"] = "i-am-router",
  ): number[] {
    if (source === "i-am-router") this.stats.i_am_router++;
    const accepted: number[] = [];
    for (const network of networks) {
      if (network === 0 || network === GLOBAL_NETWORK) {
        this.stats.refused_reserved++;
        continue;
      }
      if (network === this.localNetwork) {
        this.stats.refused_own_network++;
        continue;
      }
      const known = this.networks.get(network);
      const now = this.now();
      if (known && known.router !== router && now - known.learned_at < ROUTE_STALE_MS) {
        this.stats.refused_conflict++;
        continue;
      }
      const kind = known?.router === router && known.source === "i-am-router" ? known.source : source;
      this.networks.set(network, { network, router, learned_at: now, source: kind });
      accepted.push(network);
    }
    return accepted;
  }

  routerFor(network: number): string | undefined {
    return this.networks.get(network)?.router;
  }

  /** Routers with their networks, and every network with its router, sorted for display. */
  view(): { routers: Array<{ address: string; networks: number[] }>; networks: NetworkMapEntry[] } {
    const entries = [...this.networks.values()].sort((a, b) => a.network - b.network);
    const byRouter = new Map<string, number[]>();
    for (const entry of entries)
      byRouter.set(entry.router, [...(byRouter.get(entry.router) ?? []), entry.network]);
    return {
      routers: [...byRouter].map(([address, networks]) => ({ address, networks })),
      networks: entries,
    };
  }
}
