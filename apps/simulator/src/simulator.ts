import { DeviceServer, type ServerStats } from "./device/device-server";
import type { SegmentStats } from "./device/segmented-replies";
import type { SimDevice } from "./device/sim-device";
import { BroadcastListener, type DatagramHandler, DeviceSocket, offsetAddress } from "./device/udp-endpoints";
import { ModbusFace } from "./modbus/modbus-server";
import { buildModbusUnits } from "./modbus/modbus-units";
import type { RegisterBank } from "./modbus/register-bank";
import type { Behavior, StepContext } from "./physics/behavior";
import { environmentAt } from "./physics/environment";
import { SimClock } from "./physics/sim-clock";
import { SimBbmd } from "./routing/sim-bbmd";
import { SimRouter } from "./routing/sim-router";
import { type BuiltSite, buildSite } from "./site/build-site";
import type { SiteSpec } from "./site/site-schema";

export interface NetworkOptions {
  /** Address of the first device; the others count up from it. */
  bind: string;
  port: number;
  /** Where clients broadcast Who-Is; one shared listener is bound here. */
  broadcastAddress: string;
  /** The router in front of devices with a `network`: its B/IP network number and trunk latencies. */
  routing?: { ipNetwork: number; latency: { minMs: number; maxMs: number } };
  /** Act as a BBMD on this address (default: the address after the router's), with these peer BBMDs. */
  bbmd?: { address?: string; peers: Array<{ address: string; port: number }> };
  /** IP devices send segmented Complex-ACKs to clients that accept them. */
  segmentation?: boolean;
  /** Withhold the first transmission of this segment sequence number (recovery tests). */
  dropSegment?: number;
}

/** Defaults of the router: the B/IP side is network 1; MS/TP devices answer in 30..150 ms. */
export const DEFAULT_ROUTING = { ipNetwork: 1, latency: { minMs: 30, maxMs: 150 } };

interface Running {
  spec: SiteSpec;
  devices: SimDevice[];
  servers: DeviceServer[];
  behaviors: Behavior[];
  sockets: DeviceSocket[];
  /** Modbus units by unit id, bound to these devices' objects. */
  modbus: Map<number, RegisterBank>;
  /** The BACnet/IP-to-MS/TP router, when the site has routed devices. */
  router?: SimRouter;
  /** Who hears a B/IP broadcast: the IP devices and the router, never the devices behind it. */
  broadcastHandlers: DatagramHandler[];
}

type Built = BuiltSite & { modbus: Map<number, RegisterBank> };

/** Physics cadence in real time. At --speed 60 one tick is 15 simulated seconds, still stable. */
const TICK_MS = 250;

/**
 * The running simulator: a site's devices on their sockets, the physics tick, and COV checks.
 * `reload()` swaps the site in place (the file watcher uses it) while keeping faults by device id.
 */
export class Simulator {
  private running: Running | undefined;
  private broadcast: BroadcastListener | undefined;
  private bbmd: SimBbmd | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastElapsedS = 0;
  readonly clock: SimClock;
  readonly startedAt = Date.now();
  private random: () => number = Math.random;
  private modbusFace: ModbusFace | undefined;

  constructor(
    readonly network: NetworkOptions,
    speed: number,
  ) {
    this.clock = new SimClock(speed);
  }

  get devices(): readonly SimDevice[] {
    return this.running?.devices ?? [];
  }

  get siteName(): string {
    return this.running?.spec.name ?? "";
  }

  serverOf(device: SimDevice): DeviceServer | undefined {
    return this.running?.servers.find((s) => s.device === device);
  }

  findDevice(instance: number): SimDevice | undefined {
    return this.running?.devices.find((d) => d.instance === instance);
  }

  async start(spec: SiteSpec): Promise<void> {
    this.broadcast = new BroadcastListener(this.network.broadcastAddress, this.network.port, () => [
      ...(this.running?.broadcastHandlers ?? []),
      ...(this.bbmd ? [this.bbmd] : []),
    ]);
    const built = this.build(spec);
    await this.broadcast.bind();
    await this.bind(spec, built);
    if (this.network.bbmd) {
      this.bbmd = new SimBbmd({
        address: this.network.bbmd.address ?? offsetAddress(this.network.bind, built.devices.length + 1),
        port: this.network.port,
        broadcastAddress: this.network.broadcastAddress,
        peers: this.network.bbmd.peers,
      });
      await this.bbmd.bind();
    }
    this.step(); // values are meaningful before the first client asks
    this.timer = setInterval(() => this.step(), TICK_MS);
  }

  /**
   * Replaces the site. The new site is built before anything is torn down, so a file that validates
   * but cannot be built (a duplicate object id from equipment) keeps the old site running; old sockets
   * then close before the new ones bind, since the addresses are reused.
   */
  async reload(spec: SiteSpec): Promise<void> {
    const built = this.build(spec);
    const previous = this.running;
    const faults = new Map(previous?.devices.map((d) => [d.instance, { ...d.faults }]) ?? []);
    this.running = undefined;
    for (const server of previous?.servers ?? []) server.close();
    if (previous) await Promise.all([...previous.sockets.map((s) => s.close()), previous.router?.close()]);
    const loaded = await this.bind(spec, built);
    for (const device of loaded.devices) {
      const kept = faults.get(device.instance);
      if (kept) Object.assign(device.faults, kept);
    }
    this.step();
  }

  private build(spec: SiteSpec): Built {
    const env = environmentAt(spec.weather, spec.occupancy, this.clock.now());
    const built = buildSite(spec, this.network.bind, env.outdoorTempC);
    if (this.network.segmentation) {
      for (const device of built.devices)
        if (device.link.network === undefined) device.link.segmentation = true;
    }
    return { ...built, modbus: buildModbusUnits(spec, built.devices) };
  }

  get router(): SimRouter | undefined {
    return this.running?.router;
  }

  get bbmdView(): ReturnType<SimBbmd["view"]> | undefined {
    return this.bbmd?.view();
  }

  /** The Modbus units of the running site (empty while reloading). */
  get modbusUnits(): ReadonlyMap<number, RegisterBank> {
    return this.running?.modbus ?? new Map();
  }

  /**
   * Serves the site's Modbus units on one TCP listener (a gateway, in Modbus terms); returns the
   * port (0 picks a free one). The units follow site reloads.
   */
  async listenModbus(host: string, port: number): Promise<number> {
    const face = new ModbusFace(() => this.modbusUnits);
    const bound = await face.listen(host, port);
    this.modbusFace = face;
    return bound;
  }

  get modbusStats(): ModbusFace["stats"] | undefined {
    return this.modbusFace?.stats;
  }

  private async bind(spec: SiteSpec, built: Built): Promise<Running> {
    const servers: DeviceServer[] = [];
    const sockets: DeviceSocket[] = [];
    const broadcastHandlers: DatagramHandler[] = [];
    const options = { dropSegment: this.network.dropSegment };
    const routed = built.devices.filter((d) => d.link.network !== undefined);
    // The router takes the address after the last device's, so IP devices keep theirs.
    const router =
      routed.length > 0
        ? new SimRouter({
            ...(this.network.routing ?? DEFAULT_ROUTING),
            address: offsetAddress(this.network.bind, built.devices.length),
            port: this.network.port,
          })
        : undefined;
    let routedIndex = 0;
    for (const device of built.devices) {
      // The server needs the socket (or the router) to send, and they need the server: tie late.
      let sender: { send(frame: Buffer, address: string, port: number): void } | undefined;
      const server = new DeviceServer(
        device,
        { send: (frame, address, port) => sender?.send(frame, address, port) },
        Date.now,
        options,
      );
      if (router && device.link.network !== undefined) {
        sender = router.attach(device, server, routedIndex++);
      } else {
        const socket = new DeviceSocket(device.address, this.network.port, server);
        sender = socket;
        sockets.push(socket);
        broadcastHandlers.push(server);
      }
      servers.push(server);
    }
    if (router) broadcastHandlers.push(router);
    try {
      await Promise.all([...sockets.map((s) => s.bind()), router?.bind()]);
    } catch (err) {
      await Promise.all([...sockets.map((s) => s.close()), router?.close()]);
      throw err;
    }
    this.running = {
      spec,
      devices: built.devices,
      servers,
      behaviors: built.behaviors,
      sockets,
      modbus: built.modbus,
      router,
      broadcastHandlers,
    };
    return this.running;
  }

  /** One physics step, then COV checks. Public so tests can drive time deterministically. */
  step(): void {
    const running = this.running;
    if (!running) return;
    const elapsedS = this.clock.elapsedS();
    const dtS = Math.max(0, elapsedS - this.lastElapsedS);
    this.lastElapsedS = elapsedS;
    const simTimeMs = this.clock.now();
    const ctx: StepContext = {
      dtS,
      elapsedS,
      simTimeMs,
      env: environmentAt(running.spec.weather, running.spec.occupancy, simTimeMs),
      random: this.random,
    };
    for (const behavior of running.behaviors) {
      if (behavior.device.faults.frozen) continue;
      try {
        behavior.step(ctx);
      } catch {
        // A model bug must not stop the other devices' physics.
      }
    }
    for (const device of running.devices) if (!device.faults.frozen) device.pollLogs();
    for (const server of running.servers) {
      server.checkEvents();
      server.checkCov();
    }
  }

  get environment(): StepContext["env"] | undefined {
    if (!this.running) return undefined;
    return environmentAt(this.running.spec.weather, this.running.spec.occupancy, this.clock.now());
  }

  /** Protocol counters summed over all devices, for /api/health and the web UI. */
  totals(): ServerStats {
    const totals: ServerStats = {
      received: 0,
      dropped: 0,
      replies: 0,
      aborts: 0,
      rejects: 0,
      covNotifications: 0,
      eventNotifications: 0,
    };
    return summed(
      totals,
      (this.running?.servers ?? []).map((server) => server.stats),
    );
  }

  /** Segmented replies summed over all devices. */
  segmentTotals(): SegmentStats {
    const totals: SegmentStats = {
      started: 0,
      completed: 0,
      abandoned: 0,
      segmentsSent: 0,
      resent: 0,
      droppedOnPurpose: 0,
      negativeAcks: 0,
    };
    return summed(
      totals,
      (this.running?.servers ?? []).map((server) => server.segments.stats),
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const running = this.running;
    this.running = undefined;
    for (const server of running?.servers ?? []) server.close();
    await Promise.all([
      ...(running?.sockets.map((s) => s.close()) ?? []),
      this.modbusFace?.close(),
      running?.router?.close(),
      this.bbmd?.close(),
      this.broadcast?.close(),
    ]);
  }
}

/** `zero` (every counter named, at 0) with each device's counters of the same names added in. */
function summed<T extends Record<keyof T, number>>(zero: T, each: readonly T[]): T {
  for (const counters of each)
    for (const key of Object.keys(zero) as (keyof T)[]) zero[key] = (zero[key] + counters[key]) as T[keyof T];
  return zero;
}
