import { hostname } from "node:os";
import { parsePointRef } from "@bms/schemas";
import { redactText } from "@bms/security";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { type JsonPathSegment, parseJsonPath } from "../json-path";
import type {
  BrowseEntry,
  PluginContext,
  PluginHealth,
  PointChange,
  PointErrorCode,
  PointIO,
  PointLabels,
  PointReading,
  PointWrite,
  WriteOutcome,
} from "../point-io";
import { withTimeout } from "../with-timeout";
import { readUplink, uplinkFilter } from "./lorawan";
import type { BrokerTarget, MqttConfig, MqttPointOptions } from "./mqtt-config";
import { decodePayload, encodePayload, parseJsonPayload } from "./payload-codec";
import { topicMatches } from "./topic-filter";
import { browseTopics } from "./topic-tree";

/** One topic's last message. The JSON is parsed once per message, when a point first needs it. */
interface TopicState {
  payload: Buffer;
  receivedAt: number;
  /** The reading's time: the network server's uplink time for LoRaWAN, else when it arrived. */
  timestamp: number;
  parsed?: ReturnType<typeof parseJsonPayload>;
}

interface PointTarget {
  ref: string;
  topic: string;
  segments?: JsonPathSegment[];
  options?: MqttPointOptions;
}

type ParsedRef = { ok: true; point: PointTarget } | { ok: false; reason: string };

interface Listener {
  byTopic: Map<string, PointTarget[]>;
  onChange: (changes: PointChange[]) => void;
  /** What was last pushed per ref, so the staleness sweep only pushes transitions. */
  last: Map<string, string>;
}

export class MqttPointIO implements PointIO {
  readonly protocol = "mqtt";
  readonly capabilities = {
    priority: false,
    priorityArray: false,
    subscribe: true,
    browse: true,
    write: true,
  };

  private client: MqttClient | undefined;
  private connected = false;
  private shuttingDown = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private readonly topics = new Map<string, TopicState>();
  private readonly filters = new Map<string, Promise<void>>();
  private readonly refs = new Map<string, ParsedRef>();
  private readonly pointOptions = new Map<string, MqttPointOptions>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly firstMessageWaiters = new Map<string, Set<() => void>>();
  private readonly clientId: string;
  private readonly statusTopic: string;
  private readonly stats = { messages: 0, errors: 0, reconnects: 0, droppedTopics: 0 };
  private lastMessageAt: number | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly config: MqttConfig,
    private readonly target: BrokerTarget | undefined,
    private readonly context: PluginContext,
  ) {
    const host =
      hostname()
        .replace(/[^A-Za-z0-9_-]/g, "-")
        .slice(0, 32) || "host";
    this.clientId = config.client_id ?? `bms-${host}-${Math.random().toString(16).slice(2, 8)}`;
    this.statusTopic = config.status_topic ?? `bms/${config.client_id ?? host}/status`;
    for (const point of config.points) this.pointOptions.set(optionsKey(point.topic, point.json_path), point);
  }

  /** Connects; resolves once connected or after a short wait (a broker down at start is health, not an error). */
  async start(): Promise<void> {
    const target = this.target;
    if (!target) return;
    for (const filter of this.config.subscribe) this.filters.set(filter, Promise.resolve());
    for (const app of this.config.lorawan_applications)
      this.filters.set(uplinkFilter(app), Promise.resolve());
    const options: IClientOptions = {
      protocol: target.protocol,
      host: target.host,
      port: target.port,
      protocolVersion: 5,
      clientId: this.clientId,
      clean: true,
      keepalive: this.config.keepalive_s,
      connectTimeout: 10_000,
      // Our own backoff (below): mqtt.js only knows a fixed period, and its resubscribe needs one.
      reconnectPeriod: 0,
      resubscribe: false,
      // A command queued while the broker is away would be applied late, when the plant has moved on.
      queueQoSZero: false,
      will: { topic: this.statusTopic, payload: Buffer.from("offline"), qos: 1, retain: true },
      rejectUnauthorized: target.rejectUnauthorized,
    };
    if (target.username !== undefined) options.username = target.username;
    if (target.password !== undefined) options.password = target.password;
    if (target.ca) options.ca = target.ca;
    if (target.cert) options.cert = target.cert;
    if (target.key) options.key = target.key;
    if (target.serverName) options.servername = target.serverName;
    const client = mqtt.connect(options);
    this.client = client;
    client.on("connect", () => this.onConnect());
    client.on("close", () => this.onClose());
    client.on("error", (error) => this.noteError(error));
    client.on("message", (topic, payload) => this.onMessage(topic, payload));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3_000);
      client.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async read(refs: readonly string[]): Promise<PointReading[]> {
    const now = this.context.now();
    if (this.shuttingDown) return refs.map(() => failed(now, "busy", "the MQTT plugin is shutting down"));
    const targets = refs.map((ref) => this.parse(ref));
    const missing = new Set<string>();
    for (const t of targets) if (t.ok && !this.topics.has(t.point.topic)) missing.add(t.point.topic);
    if (missing.size > 0 && this.connected) {
      await this.ensureSubscribed([...missing]);
      await this.waitForFirstMessages([...missing], this.config.first_message_wait_ms);
    }
    const at = this.context.now();
    return targets.map((t) => (t.ok ? this.reading(t.point, at) : failed(at, "invalid_ref", t.reason)));
  }

  async write(writes: readonly PointWrite[]): Promise<WriteOutcome[]> {
    return Promise.all(writes.map((w) => this.publish(w)));
  }

  subscribe(refs: readonly string[], onChange: (changes: PointChange[]) => void): () => void {
    const listener: Listener = { byTopic: new Map(), onChange, last: new Map() };
    for (const ref of refs) {
      const parsed = this.parse(ref);
      if (!parsed.ok) continue;
      const list = listener.byTopic.get(parsed.point.topic) ?? [];
      list.push(parsed.point);
      listener.byTopic.set(parsed.point.topic, list);
    }
    for (const topic of listener.byTopic.keys()) {
      const set = this.listeners.get(topic) ?? new Set();
      set.add(listener);
      this.listeners.set(topic, set);
    }
    if (this.connected) void this.ensureSubscribed([...listener.byTopic.keys()]);
    this.startSweep();
    return () => {
      for (const topic of listener.byTopic.keys()) this.listeners.get(topic)?.delete(listener);
    };
  }

  async browse(parentId?: string): Promise<BrowseEntry[]> {
    return browseTopics(
      {
        topics: () => this.topics.keys(),
        has: (topic) => this.topics.has(topic),
        document: (topic) => {
          const state = this.topics.get(topic);
          if (!state) return undefined;
          const parsed = this.parsedPayload(state);
          return parsed.ok ? parsed.document : undefined;
        },
        reading: (ref) => {
          const parsed = this.parse(ref);
          const now = this.context.now();
          return parsed.ok ? this.reading(parsed.point, now) : failed(now, "invalid_ref", parsed.reason);
        },
        units: (ref) => {
          const parsed = this.parse(ref);
          return parsed.ok ? parsed.point.options?.units : undefined;
        },
      },
      parentId,
    );
  }

  /** The units the plugins configuration gives a topic's points. */
  labels(ref: string): PointLabels | undefined {
    const parsed = this.parse(ref);
    const units = parsed.ok ? parsed.point.options?.units : undefined;
    return units === undefined ? undefined : { units };
  }

  health(): PluginHealth {
    const health: PluginHealth = {
      protocol: "mqtt",
      state: !this.target ? "disabled" : this.connected ? "ok" : "down",
      connections: this.connected ? 1 : 0,
      errors: this.stats.errors,
      detail: {
        broker: this.target?.display ?? null,
        client_id: this.clientId,
        status_topic: this.statusTopic,
        subscriptions: this.filters.size,
        topics: this.topics.size,
        messages: this.stats.messages,
        reconnects: this.stats.reconnects,
        dropped_topics: this.stats.droppedTopics,
      },
    };
    if (!this.target)
      health.last_error = "no broker configured (--mqtt-url, BMS_MQTT_URL or the plugins file)";
    if (this.lastMessageAt !== undefined) health.last_message_at = this.lastMessageAt;
    if (this.lastError !== undefined) health.last_error = this.lastError;
    return health;
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.sweepTimer);
    const client = this.client;
    if (!client) return;
    // A clean disconnect suppresses the will, so say "offline" ourselves.
    if (this.connected) {
      await withTimeout(
        client.publishAsync(this.statusTopic, "offline", { qos: 1, retain: true }),
        1_000,
        timedOut(1_000),
      ).catch(() => undefined);
    }
    await withTimeout(client.endAsync(), 2_000, timedOut(2_000)).catch(() => client.end(true));
    this.connected = false;
  }

  /** The messages of one topic, as if received now: the benchmark and tests feed the same path as the socket. */
  private onMessage(topic: string, payload: Buffer): void {
    const now = this.context.now();
    this.stats.messages++;
    this.lastMessageAt = now;
    let state = this.topics.get(topic);
    if (!state) {
      if (this.topics.size >= this.config.max_topics) {
        this.stats.droppedTopics++;
        if (!this.listeners.has(topic)) return;
      }
      state = { payload, receivedAt: now, timestamp: now };
      this.topics.set(topic, state);
    } else {
      state.payload = payload;
      state.receivedAt = now;
      state.timestamp = now;
      state.parsed = undefined;
    }
    if (topic.startsWith("application/")) {
      const parsed = this.parsedPayload(state);
      const uplink = parsed.ok ? readUplink(topic, parsed.document) : undefined;
      // The network server's receive time, unless its clock is ahead of ours.
      if (uplink?.time !== undefined && uplink.time <= now) state.timestamp = uplink.time;
    }
    const waiters = this.firstMessageWaiters.get(topic);
    if (waiters) for (const w of waiters) w();
    const listeners = this.listeners.get(topic);
    if (!listeners || listeners.size === 0) return;
    for (const listener of listeners) {
      const points = listener.byTopic.get(topic) ?? [];
      const changes = points.map((p) => {
        const reading = this.reading(p, now);
        listener.last.set(p.ref, qualityKey(reading));
        return { ref: p.ref, reading };
      });
      this.deliver(listener, changes);
    }
  }

  private deliver(listener: Listener, changes: PointChange[]): void {
    if (changes.length === 0) return;
    try {
      listener.onChange(changes);
    } catch (error) {
      this.noteError(error);
    }
  }

  private reading(point: PointTarget, now: number): PointReading {
    const state = this.topics.get(point.topic);
    if (!state) {
      if (!this.target)
        return failed(
          now,
          "unreachable",
          "no MQTT broker configured (--mqtt-url, BMS_MQTT_URL or the plugins file)",
        );
      return failed(
        now,
        this.connected ? "stale" : "unreachable",
        this.connected
          ? `no message on ${point.topic} yet`
          : `not connected to the broker ${this.target?.display ?? ""}`.trim(),
      );
    }
    const decoded = decodePayload(state.payload, point.segments, this.parsedPayload(state));
    if (!decoded.ok) {
      return {
        value: null,
        quality: "bad",
        code: "decode_error",
        reason: decoded.reason,
        timestamp: state.timestamp,
      };
    }
    const reading: PointReading = { value: decoded.value, quality: "good", timestamp: state.timestamp };
    const maxAgeS = point.options?.max_age_s ?? this.config.default_max_age_s;
    if (maxAgeS !== undefined) {
      const age = now - state.timestamp;
      const maxAge = maxAgeS * 1000;
      if (age > maxAge * this.config.bad_after_ages) {
        reading.quality = "bad";
        reading.code = "stale";
        reading.reason = `no message for ${Math.round(age / 1000)} s (max age ${maxAgeS} s)`;
      } else if (age > maxAge) {
        reading.quality = "uncertain";
        reading.code = "stale";
        reading.reason = `no message for ${Math.round(age / 1000)} s (max age ${maxAgeS} s)`;
      }
    }
    if (reading.quality === "good" && !this.connected) {
      reading.quality = "uncertain";
      reading.code = "unreachable";
      reading.reason = "the broker connection is down; this is the last value received";
    }
    return reading;
  }

  private parsedPayload(state: TopicState): ReturnType<typeof parseJsonPayload> {
    state.parsed ??= parseJsonPayload(state.payload);
    return state.parsed;
  }

  private parse(ref: string): ParsedRef {
    const cached = this.refs.get(ref);
    if (cached) return cached;
    const result = this.parseUncached(ref);
    // Refs come from deployed flows: a bounded set. The cap keeps a stream of junk refs from growing it.
    if (this.refs.size < 100_000) this.refs.set(ref, result);
    return result;
  }

  private parseUncached(ref: string): ParsedRef {
    const parsed = parsePointRef(ref);
    if (!parsed.ok) return { ok: false, reason: parsed.message };
    if (parsed.ref.protocol !== "mqtt") return { ok: false, reason: `${ref} is not an mqtt: reference` };
    const point: PointTarget = { ref, topic: parsed.ref.topic };
    if (parsed.ref.path !== undefined) {
      const path = parseJsonPath(parsed.ref.path);
      if (!path.ok) return { ok: false, reason: `payload path ${parsed.ref.path}: ${path.message}` };
      point.segments = path.segments;
    }
    const options = this.pointOptions.get(optionsKey(point.topic, parsed.ref.path));
    if (options) point.options = options;
    return { ok: true, point };
  }

  private async publish(write: PointWrite): Promise<WriteOutcome> {
    if (this.shuttingDown) return { ok: false, code: "busy", error: "the MQTT plugin is shutting down" };
    const parsed = this.parse(write.ref);
    if (!parsed.ok) return { ok: false, code: "invalid_ref", error: parsed.reason };
    const { topic, segments, options } = parsed.point;
    // A relinquish (the flow stops commanding) has nothing to release on a topic: nothing is published,
    // and the write manager forgets the command instead of retrying it at every stop and deploy.
    if (write.value === null) return { ok: true };
    if (topic.startsWith("$") || topic === this.statusTopic)
      return { ok: false, code: "write_denied", error: `${topic} is reserved` };
    const client = this.client;
    if (!client || !this.connected)
      return {
        ok: false,
        code: "unreachable",
        error: `not connected to the broker ${this.target?.display ?? ""}`.trim(),
      };
    const qos = write.qos ?? options?.qos ?? this.config.default_qos;
    const retain = write.retain ?? options?.retain ?? false;
    try {
      await withTimeout(
        client.publishAsync(topic, encodePayload(write.value, segments), { qos, retain }),
        this.config.publish_timeout_ms,
        timedOut(this.config.publish_timeout_ms),
      );
      return { ok: true };
    } catch (error) {
      this.noteError(error);
      if (error instanceof MqttTimeoutError)
        return {
          ok: false,
          code: "timeout",
          error: `no acknowledgement within ${this.config.publish_timeout_ms} ms`,
        };
      return { ok: false, code: "device_error", error: this.lastError ?? "publish failed" };
    }
  }

  private async ensureSubscribed(topics: readonly string[]): Promise<void> {
    const client = this.client;
    if (!client) return;
    const wanted = topics.filter((topic) => {
      for (const filter of this.filters.keys()) if (topicMatches(filter, topic)) return false;
      return true;
    });
    const pending: Promise<void>[] = [];
    for (const topic of wanted) {
      const done = this.subscribeFilter(client, topic);
      this.filters.set(topic, done);
      pending.push(done);
    }
    // A topic covered by a filter still being subscribed waits for that one.
    for (const topic of topics)
      for (const [filter, done] of this.filters) if (topicMatches(filter, topic)) pending.push(done);
    await Promise.all(pending);
  }

  private subscribeFilter(client: MqttClient, filter: string): Promise<void> {
    return withTimeout(client.subscribeAsync(filter, { qos: 1 }), 5_000, timedOut(5_000)).then(
      () => undefined,
      (error: unknown) => this.noteError(error),
    );
  }

  private waitForFirstMessages(topics: readonly string[], timeoutMs: number): Promise<void> {
    const waiting = topics.filter((t) => !this.topics.has(t));
    if (waiting.length === 0 || timeoutMs === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const cleanup = () => {
        clearTimeout(timer);
        for (const t of waiting) {
          const set = this.firstMessageWaiters.get(t);
          set?.delete(check);
          if (set?.size === 0) this.firstMessageWaiters.delete(t);
        }
        resolve();
      };
      const check = () => {
        if (waiting.every((t) => this.topics.has(t))) cleanup();
      };
      const timer = setTimeout(cleanup, timeoutMs);
      for (const t of waiting) {
        const set = this.firstMessageWaiters.get(t) ?? new Set();
        set.add(check);
        this.firstMessageWaiters.set(t, set);
      }
    });
  }

  private onConnect(): void {
    this.connected = true;
    this.attempts = 0;
    this.context.logger.info("mqtt connected", { broker: this.target?.display, client_id: this.clientId });
    const client = this.client;
    if (!client) return;
    client.publish(this.statusTopic, "online", { qos: 1, retain: true });
    // Clean start: the broker forgot our subscriptions, so every filter is asked for again.
    const topics = [...new Set([...this.filters.keys(), ...this.listeners.keys()])];
    for (const filter of topics) this.filters.set(filter, this.subscribeFilter(client, filter));
  }

  private onClose(): void {
    const was = this.connected;
    this.connected = false;
    if (was && !this.shuttingDown)
      this.context.logger.warn("mqtt connection lost", { broker: this.target?.display });
    if (this.shuttingDown || this.reconnectTimer) return;
    const base = Math.min(this.config.reconnect_max_ms, this.config.reconnect_min_ms * 2 ** this.attempts);
    const delay = Math.round(base * (0.5 + Math.random() * 0.5));
    this.attempts = Math.min(this.attempts + 1, 30);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.shuttingDown) return;
      this.stats.reconnects++;
      this.client?.reconnect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private startSweep(): void {
    if (this.sweepTimer) return;
    const ages = this.config.points.some((p) => p.max_age_s !== undefined) || this.config.default_max_age_s;
    if (!ages) return;
    this.sweepTimer = setInterval(() => this.sweepStaleness(), 1_000);
    this.sweepTimer.unref();
  }

  /** Pushes the quality transitions that time alone causes (good → uncertain → bad) to subscribers. */
  private sweepStaleness(): void {
    const now = this.context.now();
    const seen = new Set<Listener>();
    for (const set of this.listeners.values()) {
      for (const listener of set) {
        if (seen.has(listener)) continue;
        seen.add(listener);
        const changes: PointChange[] = [];
        for (const points of listener.byTopic.values()) {
          for (const p of points) {
            if (!this.topics.has(p.topic)) continue;
            const reading = this.reading(p, now);
            const key = qualityKey(reading);
            if (listener.last.get(p.ref) === key) continue;
            listener.last.set(p.ref, key);
            changes.push({ ref: p.ref, reading });
          }
        }
        this.deliver(listener, changes);
      }
    }
  }

  private noteError(error: unknown): void {
    this.stats.errors++;
    const message = error instanceof Error ? error.message : String(error);
    this.lastError = redactText(scrub(message, this.target?.password));
  }
}

function optionsKey(topic: string, path: string | undefined): string {
  return `${topic}#${path ?? ""}`;
}

function qualityKey(reading: PointReading): string {
  return `${reading.quality}:${reading.code ?? ""}`;
}

function failed(now: number, code: PointErrorCode, reason: string): PointReading {
  return { value: null, quality: "bad", code, reason, timestamp: now };
}

/** A broker or TLS library could echo a credential in an error; it never reaches health or logs. */
function scrub(message: string, secret: string | undefined): string {
  return secret ? message.split(secret).join("[redacted]") : message;
}

/** A broker that did not acknowledge in time: the write answers code `timeout`. */
class MqttTimeoutError extends Error {
  override name = "MqttTimeoutError";
}

function timedOut(ms: number): () => Error {
  return () => new MqttTimeoutError(`timed out after ${ms} ms`);
}
