import { DeviceServer, type ServerStats } from "./device/device-server";
import type { SimDevice } from "./device/sim-device";
import { BroadcastListener, DeviceSocket } from "./device/udp-endpoints";
import { ModbusFace } from "./modbus/modbus-server";
import { buildModbusUnits } from "./modbus/modbus-units";
import type { RegisterBank } from "./modbus/register-bank";
import type { Behavior, StepContext } from "./physics/behavior";
import { environmentAt } from "./physics/environment";
import { SimClock } from "./physics/sim-clock";
import { type BuiltSite, buildSite } from "./site/build-site";
import type { SiteSpec } from "./site/site-schema";

export interface NetworkOptions {
  /** Address of the first device; the others count up from it. */
  bind: string;
  port: number;
  /** Where clients broadcast Who-Is; one shared listener is bound here. */
  broadcastAddress: string;
}

interface Running {
  spec: SiteSpec;
  devices: SimDevice[];
  servers: DeviceServer[];
  behaviors: Behavior[];
  sockets: DeviceSocket[];
  /** Modbus units by unit id, bound to these devices' objects. */
  modbus: Map<number, RegisterBank>;
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
    this.broadcast = new BroadcastListener(
      this.network.broadcastAddress,
      this.network.port,
      () => this.running?.servers ?? [],
    );
    const built = this.build(spec);
    await this.broadcast.bind();
    await this.bind(spec, built);
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
    if (previous) await Promise.all(previous.sockets.map((s) => s.close()));
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
    return { ...built, modbus: buildModbusUnits(spec, built.devices) };
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
    for (const device of built.devices) {
      // The server needs the socket to send and the socket needs the server to deliver: tie late.
      let socket: DeviceSocket | undefined;
      const server = new DeviceServer(device, {
        send: (frame, address, port) => socket?.send(frame, address, port),
      });
      socket = new DeviceSocket(device.address, this.network.port, server);
      servers.push(server);
      sockets.push(socket);
    }
    try {
      await Promise.all(sockets.map((s) => s.bind()));
    } catch (err) {
      await Promise.all(sockets.map((s) => s.close()));
      throw err;
    }
    this.running = {
      spec,
      devices: built.devices,
      servers,
      behaviors: built.behaviors,
      sockets,
      modbus: built.modbus,
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
    for (const server of running.servers) server.checkCov();
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
    };
    for (const server of this.running?.servers ?? []) {
      for (const key of Object.keys(totals) as Array<keyof ServerStats>) totals[key] += server.stats[key];
    }
    return totals;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const running = this.running;
    this.running = undefined;
    for (const server of running?.servers ?? []) server.close();
    await Promise.all([
      ...(running?.sockets.map((s) => s.close()) ?? []),
      this.broadcast?.close(),
      this.modbusFace?.close(),
    ]);
  }
}
