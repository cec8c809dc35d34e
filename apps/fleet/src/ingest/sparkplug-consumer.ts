import {
  type BrokerConfig,
  brokerConnectOptions,
  type DecodedMetric,
  decodePayload,
  NODE_METRIC,
  PROPERTY,
  parseTopic,
  qualityFromCode,
  stateTopic,
} from "@bms/sparkplug";
import mqtt, { type MqttClient } from "mqtt";
import { z } from "zod";
import type { AlarmRow, BirthMetric, FleetRepo } from "../storage/fleet-repo";
import type { HistoryRow, HistoryWriter } from "../storage/history-writer";

export interface ConsumerConfig {
  broker: BrokerConfig;
  /** Sparkplug groups to consume; empty: every group on the broker. */
  groups: string[];
  /** This service's primary host id: its STATE tells edge nodes when to publish or buffer. */
  hostId: string;
}

interface NodeSession {
  bdSeq: number | undefined;
  lastSeq: number | undefined;
  /** alias -> the device and point ref its birth declared. */
  aliases: Map<number, { device: string; ref: string }>;
  /** device -> ref names it declared. */
  devices: Map<string, Set<string>>;
}

export interface ConsumerStats {
  connected: boolean;
  messages: number;
  points: number;
  malformed: number;
  rejected: number;
  unknown: number;
  seqGaps: number;
}

const AlarmEventSchema = z.object({
  kind: z.string().max(40),
  key: z.string().min(1).max(500),
  flow_id: z.string().max(200).nullable(),
  node_id: z.string().max(200),
  priority: z.string().max(40),
  message: z.string().max(4000),
  state: z.string().max(40),
  at: z.number().int(),
});

/** Samples older than this or in the future are a publisher's clock problem, not history to keep. */
const MAX_AGE_MS = 400 * 86_400_000;
const MAX_AHEAD_MS = 86_400_000;

/**
 * The Sparkplug B primary host: subscribes to the edge nodes' topics, tracks each node's session
 * (bdSeq, seq, aliases from births) and writes births, deaths, history and alarms to PostgreSQL.
 * Everything arriving is checked: a payload that does not decode, a timestamp outside a sane window,
 * an alias no birth declared or an alarm that does not match its schema is counted and dropped, and
 * nothing from the broker can throw out of the message handler.
 */
export class SparkplugConsumer {
  private client: MqttClient | undefined;
  private readonly sessions = new Map<string, NodeSession>();
  private chain: Promise<void> = Promise.resolve();
  private stateTs = Date.now();
  readonly stats: ConsumerStats = {
    connected: false,
    messages: 0,
    points: 0,
    malformed: 0,
    rejected: 0,
    unknown: 0,
    seqGaps: 0,
  };

  constructor(
    private readonly config: ConsumerConfig,
    private readonly repo: FleetRepo,
    private readonly history: HistoryWriter,
    private readonly log: (level: "info" | "warn", message: string) => void,
  ) {}

  start(): void {
    this.client = mqtt.connect(this.config.broker.url, {
      ...brokerConnectOptions(this.config.broker),
      protocolVersion: 5,
      clientId: `bms-fleet-${this.config.hostId}`.slice(0, 64),
      clean: true,
      reconnectPeriod: 1000,
      keepalive: 15,
      resubscribe: false,
      will: this.stateMessage(false),
    });
    this.client.on("connect", () => this.onConnect());
    this.client.on("close", () => {
      if (!this.stats.connected) return;
      this.stats.connected = false;
      this.log("warn", "broker connection lost; reconnecting");
    });
    let lastError = "";
    this.client.on("error", (error) => {
      const text = `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}`;
      if (text !== lastError) this.log("warn", `broker: ${text}`);
      lastError = text;
    });
    this.client.on("message", (topic, payload) => {
      try {
        this.onMessage(topic, payload);
      } catch (error) {
        this.stats.malformed++;
        this.log("warn", `message on ${topic.slice(0, 200)} dropped: ${(error as Error).message}`);
      }
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (client?.connected) {
      // Say offline before leaving, so edge nodes buffer at once instead of waiting for the will.
      const off = this.stateMessage(false);
      await client.publishAsync(off.topic, off.payload, { qos: 1, retain: true }).catch(() => undefined);
    }
    await client?.endAsync();
    await this.chain;
  }

  /** Waits until every birth, death and alarm received so far is in PostgreSQL (tests, shutdown). */
  async settled(): Promise<void> {
    await this.chain;
  }

  private stateMessage(online: boolean) {
    return {
      topic: stateTopic(this.config.hostId),
      payload: Buffer.from(JSON.stringify({ online, timestamp: this.stateTs })),
      qos: 1 as const,
      retain: true,
    };
  }

  private onConnect(): void {
    this.stats.connected = true;
    const client = this.client!;
    // Sparkplug 3.0: a new session announces a new STATE timestamp, and its will carries the same one.
    this.stateTs = Date.now();
    client.options.will = this.stateMessage(false);
    const filters =
      this.config.groups.length > 0 ? this.config.groups.map((g) => `spBv1.0/${g}/#`) : ["spBv1.0/+/#"];
    client.subscribe(filters, { qos: 1 }, (error) => {
      if (error) {
        this.log("warn", `subscribe failed: ${error.message}`);
        return;
      }
      // Online only once subscribed: the births this triggers must find us listening.
      const on = this.stateMessage(true);
      client.publish(on.topic, on.payload, { qos: 1, retain: true });
      this.log("info", `primary host ${this.config.hostId} online, consuming ${filters.join(", ")}`);
    });
  }

  private enqueue(op: () => Promise<void>): void {
    this.chain = this.chain
      .then(op)
      .catch((error: Error) => this.log("warn", `historian write failed: ${error.message}`));
  }

  private session(key: string): NodeSession {
    let s = this.sessions.get(key);
    if (!s) {
      s = { bdSeq: undefined, lastSeq: undefined, aliases: new Map(), devices: new Map() };
      this.sessions.set(key, s);
    }
    return s;
  }

  private onMessage(topic: string, bytes: Buffer): void {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.kind === "state") return;
    if (parsed.type === "NCMD" || parsed.type === "DCMD") return;
    this.stats.messages++;
    const decoded = decodePayload(bytes);
    if (!decoded.ok) {
      this.stats.malformed++;
      if (this.stats.malformed <= 20 || this.stats.malformed % 1000 === 0)
        this.log(
          "warn",
          `${parsed.type} from ${parsed.group}/${parsed.node}: ${decoded.message} (${this.stats.malformed} so far)`,
        );
      return;
    }
    const { group, node } = parsed;
    const key = `${group}/${node}`;
    const payload = decoded.payload;
    const at = this.saneTime(payload.timestamp) ?? Date.now();
    const session = this.session(key);

    if (parsed.type === "NBIRTH") {
      const bdSeq = numberMetric(payload.metrics, NODE_METRIC.bdSeq);
      session.bdSeq = bdSeq;
      session.lastSeq = payload.seq;
      session.aliases.clear();
      session.devices.clear();
      const info = {
        site: stringMetric(payload.metrics, NODE_METRIC.site) ?? "",
        version: stringMetric(payload.metrics, NODE_METRIC.version) ?? "",
        health: healthOf(payload.metrics),
      };
      const metrics = payload.metrics.map(birthMetric);
      this.enqueue(() => this.repo.nodeBirth(group, node, at, bdSeq, info, metrics));
      return;
    }
    if (parsed.type === "NDEATH") {
      const bdSeq = numberMetric(payload.metrics, NODE_METRIC.bdSeq);
      // A will from an older session (its bdSeq no longer current) must not mark a live node dead.
      if (session.bdSeq !== undefined && bdSeq !== undefined && bdSeq !== session.bdSeq) return;
      session.aliases.clear();
      session.devices.clear();
      this.enqueue(() => this.repo.nodeDeath(group, node, at, bdSeq));
      return;
    }

    const gap = this.checkSeq(session, payload.seq);
    if (parsed.type === "NDATA") {
      const alarms: AlarmRow[] = [];
      for (const m of payload.metrics) {
        if (m.name !== NODE_METRIC.alarmEvent || typeof m.value !== "string" || m.value === "") continue;
        const event = parseAlarm(m.value);
        if (!event) {
          this.stats.rejected++;
          continue;
        }
        alarms.push({
          group,
          node,
          key: event.key,
          kind: event.kind,
          state: event.state,
          priority: event.priority,
          message: event.message,
          flowId: event.flow_id,
          alertNode: event.node_id,
          at: this.saneTime(event.at) ?? at,
          historical: m.isHistorical,
        });
      }
      const health = healthOf(payload.metrics);
      this.enqueue(async () => {
        await this.repo.nodeSeen(group, node, at, Object.keys(health).length > 0 ? health : undefined, gap);
        if (alarms.length > 0) await this.repo.alarms(alarms);
      });
      return;
    }

    if (parsed.kind !== "device") return;
    const device = parsed.device;
    if (parsed.type === "DDEATH") {
      session.devices.delete(device);
      this.enqueue(() => this.repo.deviceDeath(group, node, device, at));
      return;
    }
    if (parsed.type === "DBIRTH") {
      const declared = new Set<string>();
      for (const m of payload.metrics) {
        if (!m.name) continue;
        declared.add(m.name);
        if (m.alias !== undefined) session.aliases.set(m.alias, { device, ref: m.name });
      }
      session.devices.set(device, declared);
      const metrics = payload.metrics.filter((m) => m.name).map(birthMetric);
      this.enqueue(() => this.repo.deviceBirth(group, node, device, at, metrics));
    } else if (!session.devices.has(device)) {
      // Data for a device whose birth we never saw (we started after it): nothing to name it with.
      this.stats.unknown += payload.metrics.length;
      return;
    }
    const rows: HistoryRow[] = [];
    for (const m of payload.metrics) {
      const ref = m.name ?? (m.alias !== undefined ? session.aliases.get(m.alias)?.ref : undefined);
      if (!ref || !session.devices.get(device)?.has(ref)) {
        this.stats.unknown++;
        continue;
      }
      const ts = this.saneTime(m.timestamp ?? payload.timestamp);
      if (ts === undefined) {
        this.stats.rejected++;
        continue;
      }
      if (m.value !== null && typeof m.value === "number" && !Number.isFinite(m.value)) {
        this.stats.rejected++;
        continue;
      }
      rows.push({
        group,
        node,
        device,
        ref,
        ts,
        value: m.value,
        quality: qualityFromCode(m.properties[PROPERTY.quality]),
        historical: m.isHistorical,
      });
    }
    this.stats.points += rows.length;
    this.history.add(rows);
    if (gap) this.enqueue(() => this.repo.nodeSeen(group, node, at, undefined, true));
  }

  private checkSeq(session: NodeSession, seq: number | undefined): boolean {
    if (seq === undefined || seq < 0 || seq > 255) return false;
    const expected = session.lastSeq === undefined ? seq : (session.lastSeq + 1) % 256;
    session.lastSeq = seq;
    if (seq !== expected) {
      this.stats.seqGaps++;
      return true;
    }
    return false;
  }

  private saneTime(ts: number | undefined): number | undefined {
    if (ts === undefined || !Number.isFinite(ts)) return undefined;
    const now = Date.now();
    return ts < now - MAX_AGE_MS || ts > now + MAX_AHEAD_MS ? undefined : ts;
  }
}

function numberMetric(metrics: DecodedMetric[], name: string): number | undefined {
  const v = metrics.find((m) => m.name === name)?.value;
  return typeof v === "number" ? v : undefined;
}

function stringMetric(metrics: DecodedMetric[], name: string): string | undefined {
  const v = metrics.find((m) => m.name === name)?.value;
  return typeof v === "string" ? v.slice(0, 200) : undefined;
}

/** The node's Health/* and Alarms/Active metrics as a flat object (names without the folder). */
function healthOf(metrics: DecodedMetric[]): Record<string, number | boolean | string | null> {
  const health: Record<string, number | boolean | string | null> = {};
  for (const m of metrics) {
    if (!m.name) continue;
    if (m.name.startsWith("Health/")) health[m.name.slice(7)] = m.value;
    else if (m.name === NODE_METRIC.alarmsActive) health["Alarms Active"] = m.value;
  }
  return health;
}

function birthMetric(m: DecodedMetric): BirthMetric {
  const units = m.properties[PROPERTY.units];
  return {
    name: m.name ?? "",
    alias: m.alias,
    type: m.type,
    units: typeof units === "string" ? units : undefined,
  };
}

function parseAlarm(text: string): z.infer<typeof AlarmEventSchema> | undefined {
  // An escaped U+0000 ("\\u0000") becomes a real one once parsed, and PostgreSQL text cannot hold it.
  if (/\\u0000/i.test(text)) return undefined;
  try {
    const parsed = AlarmEventSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
