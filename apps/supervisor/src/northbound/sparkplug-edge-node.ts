import type { Quality } from "@bms/schemas";
import {
  type AlarmEvent,
  type BrokerConfig,
  brokerConnectOptions,
  decodePayload,
  deviceIdForRef,
  deviceTopic,
  encodePayload,
  type HostState,
  type Metric,
  NODE_METRIC,
  nodeTopic,
  PROPERTY,
  parseTopic,
  QUALITY_CODE,
  stateTopic,
  type UPayload,
} from "@bms/sparkplug";
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import type { CommandPolicy } from "./sparkplug-commands";
import type { BufferedRecord, BufferedRow, StoreAndForward } from "./store-and-forward";

export interface EdgeNodeConfig {
  broker: BrokerConfig;
  group: string;
  nodeId: string;
  /** The primary host application (the fleet service): publish only while its STATE is online. */
  hostId: string | undefined;
  site: string | undefined;
  version: string;
  healthIntervalMs: number;
  keepaliveSeconds: number;
  /** Values per DDATA message and rows per replayed message. */
  batchSize: number;
  /**
   * Backlog values replayed per second after an outage. Data goes out QoS 0, so a host's broker queue
   * that a thousand supervisors' backlogs fill at once drops messages: the replay is paced instead.
   */
  replayPointsPerSecond: number;
}

/** What the supervisor tells the node about itself, read at each health tick and at births. */
export interface NodeHealth {
  status: string;
  configVersion: number | null;
  devicesOnline: number;
  devicesOffline: number;
  alarmsActive: number;
}

export interface EdgeNodeHooks {
  health(): NodeHealth;
  unitsOf(ref: string): string | undefined;
  /** Whether the protocol device behind a Sparkplug device id answers (undefined: not known). */
  deviceOnline(device: string): boolean | undefined;
  event(level: "info" | "warn", message: string): void;
}

type Scalar = number | boolean | string | null;

interface PointState {
  alias: number;
  device: string;
  value: Scalar;
  quality: Quality;
  ts: number;
  type: "Double" | "Boolean" | "String";
}

interface DeviceState {
  born: boolean;
  /** The refs its last DBIRTH declared; a new one needs a new DBIRTH. */
  declared: Set<string>;
}

export interface EdgeNodeStats {
  connected: boolean;
  publishing: boolean;
  published: number;
  buffered: number;
  dropped: number;
  replayed: number;
  malformed: number;
  bdSeq: number;
}

const metricType = (value: Scalar, previous?: PointState["type"]): PointState["type"] =>
  typeof value === "boolean"
    ? "Boolean"
    : typeof value === "string"
      ? "String"
      : value === null
        ? (previous ?? "Double")
        : "Double";

/**
 * The supervisor as a Sparkplug B 3.0 edge node. One MQTT session at a time: NDEATH is its last will
 * (bdSeq matched to the NBIRTH of the same session), DBIRTH/DDATA/DDEATH per protocol device, seq 0..255
 * over every message after NBIRTH. While the broker or the primary host is away, values and alarm
 * events go to the disk buffer; once births are out again they are replayed in order with
 * `is_historical`, then live data resumes. Data goes out QoS 0 as the spec asks; births, deaths and
 * STATE handling make the host see every gap.
 */
export class SparkplugEdgeNode {
  private client: MqttClient | undefined;
  private seq = 0;
  private bdSeq: number;
  private connected = false;
  private hostOnline: boolean;
  private hostStateTs = 0;
  private born = false;
  private replaying = false;
  private readonly points = new Map<string, PointState>();
  private readonly devices = new Map<string, DeviceState>();
  private nextAlias = 1;
  private pending: BufferedRecord[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();
  private stats = { published: 0, replayed: 0, malformed: 0 };
  private stopping = false;
  /** Live publishes not yet called back; stop() waits for them before closing the buffer. */
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly config: EdgeNodeConfig,
    private readonly buffer: StoreAndForward,
    private readonly commands: CommandPolicy,
    private readonly hooks: EdgeNodeHooks,
  ) {
    this.bdSeq = buffer.meta("bdSeq") ?? 0;
    this.hostOnline = config.hostId === undefined;
  }

  get status(): EdgeNodeStats {
    return {
      connected: this.connected,
      publishing: this.publishing,
      published: this.stats.published,
      buffered: this.buffer.size + this.pending.length,
      dropped: this.buffer.dropped,
      replayed: this.stats.replayed,
      malformed: this.stats.malformed,
      bdSeq: this.bdSeq,
    };
  }

  /** Live data goes straight out only when births are out and no backlog waits to go first. */
  private get publishing(): boolean {
    return this.connected && this.hostOnline && this.born && !this.replaying && this.buffer.size === 0;
  }

  start(): void {
    const { broker, group, nodeId, keepaliveSeconds } = this.config;
    this.client = mqtt.connect(broker.url, {
      ...brokerConnectOptions(broker),
      protocolVersion: 5,
      clientId: `bms-${group}-${nodeId}`.slice(0, 64),
      clean: true,
      keepalive: keepaliveSeconds,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      resubscribe: false,
      // A QoS 0 publish while disconnected must fail (and go to the disk buffer), not wait in memory
      // and go out after the next NBIRTH with a stale seq.
      queueQoSZero: false,
      will: this.will(),
    });
    this.client.on("connect", () => this.onConnect());
    this.client.on("close", () => this.onClose());
    // Errors (refused credentials, TLS) are reported once per kind; the client keeps retrying.
    let lastError = "";
    this.client.on("error", (error) => {
      const text = `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}`;
      if (text !== lastError) this.hooks.event("warn", `sparkplug broker: ${text}`);
      lastError = text;
    });
    this.client.on("message", (topic, payload, packet) => void this.onMessage(topic, payload, packet));
    this.flushTimer = setInterval(() => this.flush(), 100);
    this.healthTimer = setInterval(() => this.publishHealth(), this.config.healthIntervalMs);
  }

  /** A value history recorded: published now, or buffered while the broker or the host is away. */
  record(ref: string, value: Scalar, quality: Quality, ts: number): void {
    this.pending.push({ kind: "point", ref, value, quality, ts });
    if (this.pending.length >= this.config.batchSize) this.flush();
  }

  /** An alarm transition: an NDATA on the birthed `Alarms/Event` metric, or buffered. */
  alarm(event: AlarmEvent): void {
    this.pending.push({
      kind: "alarm",
      ref: event.key,
      value: JSON.stringify(event),
      quality: "good",
      ts: event.at,
    });
    this.flush();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.flushTimer);
    clearInterval(this.healthTimer);
    const client = this.client;
    if (!client) {
      this.buffer.close();
      return;
    }
    // What is still in hand goes out, or to disk for the next start; nothing is dropped on the way out.
    await Promise.all(this.inflight);
    const last = this.pending.splice(0);
    this.toBuffer(this.publishing ? await this.publishRecords(last, false) : last);
    if (this.connected && this.born) {
      // A clean stop says goodbye itself: DDEATH per device, then NDEATH with this session's bdSeq.
      for (const [device, state] of this.devices)
        if (state.born)
          await this.send(deviceTopic(this.config.group, "DDEATH", this.config.nodeId, device), {
            timestamp: Date.now(),
            seq: this.nextSeq(),
          });
      await this.send(nodeTopic(this.config.group, "NDEATH", this.config.nodeId), this.deathPayload());
    }
    await client.endAsync();
    this.buffer.close();
  }

  // --- session --------------------------------------------------------------------------------

  private deathPayload(): UPayload {
    return {
      timestamp: Date.now(),
      metrics: [{ name: NODE_METRIC.bdSeq, type: "Int64", value: this.bdSeq }],
    };
  }

  private will() {
    return {
      topic: nodeTopic(this.config.group, "NDEATH", this.config.nodeId),
      payload: Buffer.from(encodePayload(this.deathPayload())),
      qos: 1 as const,
      retain: false,
    };
  }

  private onConnect(): void {
    this.connected = true;
    const { group, nodeId, hostId } = this.config;
    const client = this.client!;
    const topics = [nodeTopic(group, "NCMD", nodeId), `${deviceTopic(group, "DCMD", nodeId, "+")}`];
    if (hostId) topics.push(stateTopic(hostId));
    client.subscribe(topics, { qos: 1 }, (error) => {
      if (error) this.hooks.event("warn", `sparkplug subscribe failed: ${error.message}`);
      else if (!hostId) void this.birth();
      // With a primary host, births wait for its STATE online (a retained message, sent on subscribe).
    });
  }

  private onClose(): void {
    if (!this.connected) return;
    this.connected = false;
    this.born = false;
    for (const state of this.devices.values()) state.born = false;
    if (this.config.hostId) this.hostOnline = false;
    // The next session announces a new bdSeq, and its will must carry it.
    this.bdSeq = (this.bdSeq + 1) % 256;
    this.buffer.setMeta("bdSeq", this.bdSeq);
    if (this.client) this.client.options.will = this.will();
    if (!this.stopping) this.hooks.event("warn", "sparkplug broker connection lost: buffering on disk");
  }

  private nextSeq(): number {
    const seq = this.seq;
    this.seq = (this.seq + 1) % 256;
    return seq;
  }

  private send(topic: string, payload: UPayload): Promise<Error | undefined> {
    const client = this.client;
    if (!client || !this.connected) return Promise.resolve(new Error("not connected"));
    const bytes = Buffer.from(encodePayload(payload));
    return new Promise((resolve) =>
      client.publish(topic, bytes, { qos: 0, retain: false }, (error) => resolve(error ?? undefined)),
    );
  }

  private healthMetrics(): Metric[] {
    const h = this.hooks.health();
    return [
      { name: NODE_METRIC.status, type: "String", value: h.status },
      { name: NODE_METRIC.uptime, type: "Int64", value: Math.round((Date.now() - this.started) / 1000) },
      {
        name: NODE_METRIC.configVersion,
        type: "Int64",
        value: h.configVersion ?? 0,
        ...(h.configVersion === null ? { isNull: true } : {}),
      },
      { name: NODE_METRIC.devicesOnline, type: "Int32", value: h.devicesOnline },
      { name: NODE_METRIC.devicesOffline, type: "Int32", value: h.devicesOffline },
      { name: NODE_METRIC.bufferQueued, type: "Int64", value: this.buffer.size },
      { name: NODE_METRIC.bufferDropped, type: "Int64", value: this.buffer.dropped },
      { name: NODE_METRIC.alarmsActive, type: "Int32", value: h.alarmsActive },
    ];
  }

  /** NBIRTH, every known device's DBIRTH, then the backlog, then live data. */
  private async birth(): Promise<void> {
    if (!this.connected || !this.hostOnline) return;
    this.seq = 0;
    const now = Date.now();
    const error = await this.send(nodeTopic(this.config.group, "NBIRTH", this.config.nodeId), {
      timestamp: now,
      seq: this.nextSeq(),
      metrics: [
        { name: NODE_METRIC.bdSeq, type: "Int64", value: this.bdSeq },
        { name: NODE_METRIC.rebirth, type: "Boolean", value: false },
        { name: NODE_METRIC.version, type: "String", value: this.config.version },
        { name: NODE_METRIC.site, type: "String", value: this.config.site ?? "" },
        ...this.healthMetrics(),
        { name: NODE_METRIC.alarmEvent, type: "String", value: "" },
      ],
    });
    if (error) return;
    this.born = true;
    for (const state of this.devices.values()) state.born = false;
    for (const device of this.devices.keys()) {
      if (this.hooks.deviceOnline(device) === false) continue;
      if (await this.deviceBirth(device)) return;
    }
    this.hooks.event("info", `sparkplug NBIRTH bdSeq ${this.bdSeq}: ${this.devices.size} devices born`);
    await this.replay();
  }

  private async deviceBirth(device: string): Promise<Error | undefined> {
    const state = this.devices.get(device) ?? { born: false, declared: new Set<string>() };
    this.devices.set(device, state);
    const metrics: Metric[] = [];
    for (const [ref, point] of this.points) {
      if (point.device !== device) continue;
      state.declared.add(ref);
      metrics.push(this.metric(ref, point, { name: true, units: true }));
    }
    const error = await this.send(deviceTopic(this.config.group, "DBIRTH", this.config.nodeId, device), {
      timestamp: Date.now(),
      seq: this.nextSeq(),
      metrics,
    });
    if (!error) state.born = true;
    return error;
  }

  private metric(
    ref: string,
    point: PointState,
    options: { name?: boolean; units?: boolean; historical?: boolean } = {},
  ): Metric {
    const units = options.units ? this.hooks.unitsOf(ref) : undefined;
    return {
      ...(options.name ? { name: ref } : {}),
      alias: point.alias,
      timestamp: point.ts,
      type: point.type,
      value: point.value,
      ...(point.value === null ? { isNull: true } : {}),
      ...(options.historical ? { isHistorical: true } : {}),
      properties: {
        [PROPERTY.quality]: { type: "Int32", value: QUALITY_CODE[point.quality] },
        ...(units ? { [PROPERTY.units]: { type: "String", value: units } } : {}),
      },
    };
  }

  /** Tracks a value; returns the point's state (with a new alias if the ref is new). */
  private track(record: BufferedRecord): PointState {
    const previous = this.points.get(record.ref);
    const state: PointState = {
      alias: previous?.alias ?? this.nextAlias++,
      device: previous?.device ?? deviceIdForRef(record.ref),
      value: record.value,
      quality: record.quality,
      ts: record.ts,
      type: metricType(record.value, previous?.type),
    };
    // Keep the latest value for births; replayed old rows must not move it back in time.
    if (!previous || previous.ts <= record.ts) this.points.set(record.ref, state);
    if (!this.devices.has(state.device)) this.devices.set(state.device, { born: false, declared: new Set() });
    return state;
  }

  // --- data -----------------------------------------------------------------------------------

  private toBuffer(records: BufferedRecord[]): void {
    for (const r of records) if (r.kind === "point") this.track(r);
    this.buffer.push(records);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    if (!this.publishing) {
      this.toBuffer(batch);
      return;
    }
    const sending = this.publishRecords(batch, false).then((failed) => {
      if (failed.length > 0) this.toBuffer(failed);
    });
    this.inflight.add(sending);
    void sending.finally(() => this.inflight.delete(sending));
  }

  /** Publishes records grouped per device (births first where needed); returns what did not go out. */
  private async publishRecords(
    records: readonly BufferedRecord[],
    historical: boolean,
  ): Promise<BufferedRecord[]> {
    const byDevice = new Map<string, { record: BufferedRecord; point: PointState }[]>();
    const alarms: BufferedRecord[] = [];
    for (const record of records) {
      if (record.kind === "alarm") {
        alarms.push(record);
        continue;
      }
      const point = this.track(record);
      const list = byDevice.get(point.device);
      if (list) list.push({ record, point });
      else byDevice.set(point.device, [{ record, point }]);
    }
    const failed: BufferedRecord[] = [];
    for (const [device, items] of byDevice) {
      const state = this.devices.get(device)!;
      if (!state.born || items.some((i) => !state.declared.has(i.record.ref))) {
        if (await this.deviceBirth(device)) {
          failed.push(...items.map((i) => i.record));
          continue;
        }
      }
      const metrics = items.map(({ record, point }) =>
        this.metric(
          record.ref,
          {
            ...point,
            value: record.value,
            quality: record.quality,
            ts: record.ts,
            type: metricType(record.value, point.type),
          },
          { historical },
        ),
      );
      const error = await this.send(deviceTopic(this.config.group, "DDATA", this.config.nodeId, device), {
        timestamp: Date.now(),
        seq: this.nextSeq(),
        metrics,
      });
      if (error) failed.push(...items.map((i) => i.record));
      else this.stats.published += items.length;
    }
    if (alarms.length > 0) {
      const error = await this.send(nodeTopic(this.config.group, "NDATA", this.config.nodeId), {
        timestamp: Date.now(),
        seq: this.nextSeq(),
        metrics: alarms.map((a) => ({
          name: NODE_METRIC.alarmEvent,
          timestamp: a.ts,
          type: "String" as const,
          value: String(a.value),
          ...(historical ? { isHistorical: true } : {}),
        })),
      });
      if (error) failed.push(...alarms);
    }
    return failed;
  }

  /** Sends the disk backlog, oldest first, with is_historical; rows leave the buffer once sent. */
  private async replay(): Promise<void> {
    if (this.replaying) return;
    this.replaying = true;
    try {
      while (this.connected && this.born && this.hostOnline) {
        // Whatever arrived meanwhile queues behind the backlog, so order holds.
        this.toBuffer(this.pending.splice(0));
        const rows: BufferedRow[] = this.buffer.peek(this.config.batchSize);
        if (rows.length === 0) break;
        const failed = await this.publishRecords(rows, true);
        if (failed.length > 0) break;
        this.buffer.remove(rows[rows.length - 1]!.id);
        this.stats.replayed += rows.length;
        // Paced to the replay rate; also yields, so scans and HTTP go on while a long backlog drains.
        await new Promise((r) => setTimeout(r, (rows.length / this.config.replayPointsPerSecond) * 1000));
      }
    } finally {
      this.replaying = false;
    }
    if (this.stats.replayed > 0 && this.buffer.size === 0)
      this.hooks.event("info", `sparkplug backlog replayed (${this.stats.replayed} values in total so far)`);
  }

  private publishHealth(): void {
    if (!this.connected || !this.born) return;
    for (const [device, state] of this.devices) {
      const online = this.hooks.deviceOnline(device);
      if (state.born && online === false) {
        state.born = false;
        void this.send(deviceTopic(this.config.group, "DDEATH", this.config.nodeId, device), {
          timestamp: Date.now(),
          seq: this.nextSeq(),
        });
      }
    }
    void this.send(nodeTopic(this.config.group, "NDATA", this.config.nodeId), {
      timestamp: Date.now(),
      seq: this.nextSeq(),
      metrics: this.healthMetrics(),
    });
    if (this.buffer.size > 0) void this.replay();
  }

  // --- incoming -------------------------------------------------------------------------------

  private async onMessage(topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    const parsed = parseTopic(topic);
    if (!parsed) return;
    if (parsed.kind === "state") {
      this.onHostState(payload);
      return;
    }
    if (parsed.group !== this.config.group || parsed.node !== this.config.nodeId) return;
    if (parsed.type !== "NCMD" && parsed.type !== "DCMD") return;
    const decoded = decodePayload(payload);
    if (!decoded.ok) {
      this.stats.malformed++;
      this.hooks.event("warn", `sparkplug ${parsed.type} ignored: ${decoded.message}`);
      return;
    }
    const aliasToRef = new Map<number, string>();
    for (const [ref, point] of this.points) aliasToRef.set(point.alias, ref);
    const metrics = decoded.payload.metrics.map((m) => {
      const priority = m.properties[PROPERTY.priority];
      return {
        name:
          m.name ?? (m.alias !== undefined ? (aliasToRef.get(m.alias) ?? `alias ${m.alias}`) : "(unnamed)"),
        value: m.value,
        ...(typeof priority === "number" ? { priority } : {}),
      };
    });
    const claim = packet.properties?.userProperties?.sparkplug_host_id;
    const outcome = await this.commands.handle({
      scope: parsed.type === "NCMD" ? "node" : "device",
      ...(parsed.kind === "device" ? { device: parsed.device } : {}),
      hostClaim: typeof claim === "string" ? claim : undefined,
      hostOnline: this.config.hostId !== undefined && this.hostOnline,
      metrics,
    });
    if (!outcome.accepted)
      this.hooks.event("warn", `sparkplug ${parsed.type} refused (${outcome.code}): ${outcome.reason}`);
    else if (outcome.rebirth) await this.birth();
  }

  private onHostState(payload: Buffer): void {
    let state: HostState;
    try {
      const raw = JSON.parse(payload.toString("utf8")) as unknown;
      if (!raw || typeof raw !== "object" || typeof (raw as HostState).online !== "boolean")
        throw new Error("shape");
      state = { online: (raw as HostState).online, timestamp: Number((raw as HostState).timestamp) || 0 };
    } catch {
      this.stats.malformed++;
      return;
    }
    // An older STATE than the last one seen is a stale retained message (Sparkplug 3.0 host rules).
    if (state.timestamp < this.hostStateTs) return;
    this.hostStateTs = state.timestamp;
    const was = this.hostOnline;
    this.hostOnline = state.online;
    if (state.online && !was) void this.birth();
    if (!state.online && was) {
      this.born = false;
      this.hooks.event("warn", `sparkplug primary host ${this.config.hostId} offline: buffering on disk`);
    }
  }
}
